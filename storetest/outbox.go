package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
)

var outboxTests = []test{
	{"OutboxQueuesTheFourMomentsForAMobileReporter", testOutboxEnqueue},
	{"OutboxClosingTellsTheMergedReportersToo", testOutboxMerged},
	{"OutboxClaimLeasesAreExclusiveAcrossStores", testOutboxLeases},
	{"OutboxFailedMessageIsRetriedLaterThenGivenUp", testOutboxRetry},
	{"OutboxRecipientsAreResealedByAKeyRotation", testOutboxRotate},
	{"OutboxPublicReportTellsReporterAndFollowersInTheirLanguages", testOutboxPublic},
}

// outboxRow is a message as its row holds it.
type outboxRow struct {
	messageID, number, kind, state string
	sealed                         []byte
	attempts                       int
}

func (e *env) outboxRows(t *testing.T) []outboxRow {
	t.Helper()
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT message_id, case_number, kind, state, recipient_enc, attempts FROM outbox ORDER BY id`)
	ok(t, err)
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		ok(t, rows.Scan(&r.messageID, &r.number, &r.kind, &r.state, &r.sealed, &r.attempts))
		out = append(out, r)
	}
	ok(t, rows.Err())
	return out
}

// driveToClose takes a coordination case from accepted through a dispatch,
// a granted deferral and the work to its close: one message of each kind.
// Further feedback (to merged reporters) is given after the case's own.
func (e *env) driveToClose(t *testing.T, c *casework.Case, feedback ...casework.Action) *casework.Case {
	t.Helper()
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActDispatch, Receiver: &casework.Receiver{Kind: casework.ToOutside, Name: "property manager"}})
	c = e.step(t, "assistant_a1", c, casework.Action{Name: casework.ActDefer, Note: "waiting for parts", Due: c.Running().Due.Add(72 * time.Hour)})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActApproveDefer})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActAccept})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActHandle, Note: "repaired"})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActVerify})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelSMS, Note: "repaired"})
	for _, f := range feedback {
		c = e.step(t, "community_a", c, f)
	}
	return e.step(t, "community_a", c, casework.Action{Name: casework.ActClose})
}

func testOutboxEnqueue(t *testing.T, e *env) {
	e.fixture()
	c := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P02", "the lamp by gate 2 is out"))
	if rows := e.outboxRows(t); len(rows) != 1 || rows[0].kind != "received" || rows[0].number != c.Number || rows[0].state != "queued" {
		t.Fatalf("after the create: %+v, want one received message", rows)
	}
	c = e.driveToClose(t, c)
	rows := e.outboxRows(t)
	var kinds []string
	for _, r := range rows {
		kinds = append(kinds, r.kind)
		if r.number != c.Number {
			t.Errorf("message %s names case %s, want %s", r.messageID, r.number, c.Number)
		}
		if bytes.Contains(r.sealed, []byte(caseContact)) {
			t.Errorf("message %s keeps the phone in clear", r.messageID)
		}
	}
	if want := []string{"received", "dispatched", "delayed", "closed"}; !slices.Equal(kinds, want) {
		t.Errorf("queued %v, want %v", kinds, want)
	}
	// The ids are stable: the district, the number, the event, the recipient.
	for i, seq := range []int{1, 2, 4, 9} {
		if want := fmt.Sprintf("%s-%s-%d-0", District, c.Number, seq); i < len(rows) && rows[i].messageID != want {
			t.Errorf("message %d has id %s, want %s", i, rows[i].messageID, want)
		}
	}
	if !e.sealedColumnNames()["outbox.recipient_enc"] {
		t.Error("outbox.recipient_enc is not among the columns a key rotation re-seals")
	}
	ms, err := e.db.ClaimMessages(e.ctx, 10, time.Minute)
	ok(t, err)
	if len(ms) != 4 {
		t.Fatalf("claimed %d, want 4", len(ms))
	}
	for i, m := range ms {
		if m.To != caseContact || m.Case != c.Number || m.Lang != "zh" || string(m.Kind) != kinds[i] || m.Attempts != 1 || m.CreatedAt.IsZero() {
			t.Errorf("claimed %+v", m)
		}
	}

	// Only a mobile hears: no contact, a landline or words queue nothing;
	// a general case handled on the spot is received all the same.
	before := len(e.outboxRows(t))
	for _, contact := range []string{"", "0355-2021234", "ask the gatekeeper"} {
		d := caseDraft(GridA1, casework.Coordination, "P01", "rubbish")
		d.Reporter.Contact = contact
		c := e.newCase(t, "assistant_a1", d)
		e.step(t, "community_a", c, casework.Action{Name: casework.ActDispatch, Receiver: &casework.Receiver{Kind: casework.ToOutside, Name: "property manager"}})
	}
	if n := len(e.outboxRows(t)); n != before {
		t.Errorf("%d messages queued for reporters without a mobile", n-before)
	}
	g := caseDraft(GridA1, casework.General, "P14", "a loose handrail")
	g.Reporter.Contact = "+86 139 0000 2222"
	e.newCase(t, "assistant_a1", g)
	rows = e.outboxRows(t)
	if len(rows) != before+1 || rows[len(rows)-1].kind != "received" {
		t.Errorf("a general case's create queued %v", rows[before:])
	}
	ms, err = e.db.ClaimMessages(e.ctx, 10, time.Minute)
	ok(t, err)
	if len(ms) != 1 || ms[0].To != "13900002222" {
		t.Errorf("claimed %+v, want the general case's message to the normalised mobile", ms)
	}
	// A refused transition queues nothing: the message is the change's.
	_, _, err = e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: c.Number, Version: c.Version, Action: casework.Action{Name: casework.ActClose}})
	if err == nil {
		t.Fatal("a closed case closed again")
	}
	if n := len(e.outboxRows(t)); n != before+1 {
		t.Errorf("a refused close queued %d messages", n-before-1)
	}
	e.verifyAudit()
}

func testOutboxMerged(t *testing.T, e *env) {
	e.fixture()
	d := caseDraft(GridA1, casework.Coordination, "P01", "rubbish by the gate")
	d.Reporter.Contact = "13900002222"
	dup := e.newCase(t, "assistant_a1", d)
	quiet := caseDraft(GridA1, casework.Coordination, "P01", "the same rubbish")
	quiet.Reporter = casework.Reporter{Anonymous: true}
	silent := e.newCase(t, "assistant_a1", quiet)
	main := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish at the gate again"))
	for _, c := range []*casework.Case{dup, silent} {
		_, _, err := e.db.ApplyCase(e.ctx, caseActors["community_a"], casework.Transition{Number: c.Number, Version: c.Version,
			Action: casework.Action{Name: casework.ActMerge, Note: "the same heap"}, Into: main.Number})
		ok(t, err, "merge ", c.Number)
	}
	main, err := e.db.Case(e.ctx, caseActors["community_a"], main.Number)
	ok(t, err)
	main = e.driveToClose(t, main,
		casework.Action{Name: casework.ActFeedback, To: dup.Number, Channel: casework.ChannelSMS, Note: "repaired"},
		casework.Action{Name: casework.ActFeedback, To: silent.Number, NoContact: true})
	var closed []outboxRow
	for _, r := range e.outboxRows(t) {
		if r.kind == "closed" {
			closed = append(closed, r)
		}
	}
	if len(closed) != 2 || closed[0].number != main.Number || closed[1].number != dup.Number || closed[0].messageID == closed[1].messageID {
		t.Fatalf("closed messages %+v, want one to %s's reporter and one to %s's", closed, main.Number, dup.Number)
	}
	ms, err := e.db.ClaimMessages(e.ctx, 100, time.Minute)
	ok(t, err)
	to := map[string]string{}
	for _, m := range ms {
		if m.Kind == wangge.MessageClosed {
			to[m.Case] = m.To
		}
	}
	if to[main.Number] != caseContact || to[dup.Number] != "13900002222" {
		t.Errorf("the close went to %v", to)
	}
}

// queueMessages makes cases until n messages are queued.
func (e *env) queueMessages(t *testing.T, n int) {
	t.Helper()
	for range n {
		e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish"))
	}
}

func testOutboxLeases(t *testing.T, e *env) {
	now := time.Now().UTC()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	other := e.reopen(t)
	e.db.SetClock(clock)
	other.SetClock(clock)
	e.fixture()
	const total = 40
	e.queueMessages(t, total)

	// Two servers claim at once, again and again: no message twice.
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for _, db := range []*sqldb.DB{e.db, other} {
		wg.Go(func() {
			for {
				ms, err := db.ClaimMessages(e.ctx, 3, time.Minute)
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != total {
		t.Errorf("the two stores claimed %d messages, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %d claimed %d times under one lease", id, n)
		}
	}
	// While the leases run nothing is claimed; after they ran out (the
	// senders died), everything is due again, as a second attempt.
	advance(59 * time.Second)
	if ms, err := other.ClaimMessages(e.ctx, 100, time.Minute); err != nil || len(ms) != 0 {
		t.Errorf("claimed %d under running leases (%v)", len(ms), err)
	}
	advance(2 * time.Second)
	ms, err := other.ClaimMessages(e.ctx, 100, time.Minute)
	ok(t, err)
	if len(ms) != total || ms[0].Attempts != 2 {
		t.Errorf("after the leases ran out: %d claimed (attempt %d), want %d as the second attempt", len(ms), ms[0].Attempts, total)
	}
	// Sent is sent, whoever says so and however often.
	for _, m := range ms {
		ok(t, e.db.MessageSent(e.ctx, m.ID))
	}
	ok(t, other.MessageSent(e.ctx, ms[0].ID))
	ok(t, e.db.MessageFailed(e.ctx, ms[1].ID, "a late failure of a stale sender", now.Add(time.Second)))
	advance(time.Hour)
	if ms, err := e.db.ClaimMessages(e.ctx, 100, time.Minute); err != nil || len(ms) != 0 {
		t.Errorf("claimed %d sent messages (%v)", len(ms), err)
	}
	for _, r := range e.outboxRows(t) {
		if r.sealed != nil {
			t.Errorf("sent message %s keeps its recipient", r.messageID)
		}
	}
	c, err := e.db.OutboxCounts(e.ctx)
	ok(t, err)
	if c != (wangge.OutboxCounts{Sent: total}) {
		t.Errorf("counts %+v, want all %d sent", c, total)
	}
	wantCode(t, e.db.MessageSent(e.ctx, 1<<40), wangge.ENotFound, "an unknown message")
}

func testOutboxRetry(t *testing.T, e *env) {
	now := time.Now().UTC()
	e.db.SetClock(func() time.Time { return now })
	e.fixture()
	e.queueMessages(t, 1)
	ms, err := e.db.ClaimMessages(e.ctx, 10, time.Minute)
	ok(t, err)
	if len(ms) != 1 {
		t.Fatalf("claimed %d", len(ms))
	}
	id := ms[0].ID
	ok(t, e.db.MessageFailed(e.ctx, id, "gateway answered 503", now.Add(10*time.Minute)))
	// Not before the time it was given, even though the lease is over.
	now = now.Add(9 * time.Minute)
	if ms, _ := e.db.ClaimMessages(e.ctx, 10, time.Minute); len(ms) != 0 {
		t.Errorf("a failed message was claimed before its retry was due")
	}
	if c, _ := e.db.OutboxCounts(e.ctx); c != (wangge.OutboxCounts{Queued: 1}) {
		t.Errorf("counts %+v while it waits", c)
	}
	var lastErr string
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT last_error FROM outbox WHERE id = ?`), id).Scan(&lastErr))
	if lastErr != "gateway answered 503" {
		t.Errorf("last_error %q", lastErr)
	}
	now = now.Add(time.Minute)
	for attempt := 2; attempt <= wangge.MessageAttemptsMax; attempt++ {
		ms, err := e.db.ClaimMessages(e.ctx, 10, time.Minute)
		ok(t, err)
		if len(ms) != 1 || ms[0].Attempts != attempt {
			t.Fatalf("attempt %d: claimed %+v", attempt, ms)
		}
		ok(t, e.db.MessageFailed(e.ctx, id, fmt.Sprintf("failure %d", attempt), now.Add(time.Second)))
		now = now.Add(2 * time.Second)
	}
	// Given up after the last attempt: kept as failed with its last error.
	if ms, _ := e.db.ClaimMessages(e.ctx, 10, time.Minute); len(ms) != 0 {
		t.Errorf("a message given up was claimed again")
	}
	c, err := e.db.OutboxCounts(e.ctx)
	ok(t, err)
	if c != (wangge.OutboxCounts{Failed: 1}) {
		t.Errorf("counts %+v, want one failed", c)
	}
	rows := e.outboxRows(t)
	if rows[0].state != "failed" || rows[0].attempts != wangge.MessageAttemptsMax || rows[0].sealed != nil {
		t.Errorf("row %+v", rows[0])
	}
	// A long error is cut, on a character boundary.
	e.queueMessages(t, 1)
	ms, err = e.db.ClaimMessages(e.ctx, 10, time.Minute)
	ok(t, err)
	long := string(bytes.Repeat([]byte("网关"), 400))
	ok(t, e.db.MessageFailed(e.ctx, ms[0].ID, long, now))
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT last_error FROM outbox WHERE id = ?`), ms[0].ID).Scan(&lastErr))
	if len(lastErr) > 500 || len(lastErr) < 400 || !bytes.HasPrefix([]byte(long), []byte(lastErr)) {
		t.Errorf("a long error kept as %d bytes", len(lastErr))
	}
}

func testOutboxRotate(t *testing.T, e *env) {
	e.fixture()
	e.queueMessages(t, 3)
	before := e.outboxRows(t)
	fresh := e.reopen(t) // a second server, given the new key alone afterwards
	oldBox := e.db.Box()
	newBox, err := secret.New(secret.NewKey())
	ok(t, err)
	ring, err := secret.Join(newBox, oldBox)
	ok(t, err)
	ok(t, e.db.UseKey(e.ctx, ring))
	rot, err := e.db.RotateKey(e.ctx, sqldb.RotateOptions{})
	ok(t, err)
	if rot.Rows["outbox"] != len(before) {
		t.Errorf("the rotation re-sealed %d outbox rows, want %d", rot.Rows["outbox"], len(before))
	}
	after := e.outboxRows(t)
	for i := range after {
		if bytes.Equal(after[i].sealed, before[i].sealed) {
			t.Errorf("message %s kept its old ciphertext", after[i].messageID)
		}
	}
	// The new key alone opens every recipient.
	ok(t, fresh.UseKey(e.ctx, newBox))
	ms, err := fresh.ClaimMessages(e.ctx, 10, time.Minute)
	ok(t, err)
	if len(ms) != len(before) {
		t.Fatalf("claimed %d after the rotation", len(ms))
	}
	for _, m := range ms {
		if m.To != caseContact {
			t.Errorf("message %s to %q after the rotation", m.MessageID, m.To)
		}
	}
}

// testOutboxPublic: a resident's public report is received in the language
// they chose (their tracker is written after the create queued the
// message); a resident who adds "me too" with a mobile hears "received"
// then and the rest later, each in their own language, and a phone hears
// an event once (the reporter following their own case, or one resident
// following twice, is told nothing twice).
func testOutboxPublic(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	rc := e.report(t, casework.PublicReport{Category: category("P01"), Phone: "13900003333", Lang: "en"})
	for _, f := range []casework.PublicFollow{
		{Phone: "13900004444", Lang: "zh"},
		{Phone: "13900004444", Lang: "en"},  // the same resident again: told once
		{Phone: "13900003333", Lang: "zh"},  // the reporter again: told once
		{Lang: "en"},                        // no phone: nobody to tell
		{Phone: "0355-2021234", Lang: "en"}, // a landline takes no short message
	} {
		_, err := e.db.FollowCase(e.ctx, rc.Number, f)
		ok(t, err, "follow")
	}
	e.closeCase(t, rc.Number)
	ms, err := e.db.ClaimMessages(e.ctx, 100, time.Minute)
	ok(t, err)
	var got []string
	for _, m := range ms {
		if m.Case != rc.Number {
			t.Errorf("message %s about %s, want %s", m.MessageID, m.Case, rc.Number)
		}
		got = append(got, fmt.Sprintf("%s %s %s", m.Kind, m.To, m.Lang))
	}
	want := []string{
		"received 13900003333 en", "received 13900004444 zh",
		"dispatched 13900003333 en", "dispatched 13900004444 zh",
		"closed 13900003333 en", "closed 13900004444 zh",
	}
	if !slices.Equal(got, want) {
		t.Errorf("messages\n%v\nwant\n%v", got, want)
	}
}
