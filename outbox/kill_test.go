package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/internal/pgtest"
	"github.com/wangge/wangge/outbox"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// opener opens a second (and third) store on one fresh database, as two
// servers would.
type opener func(t *testing.T) *sqldb.DB

func sqliteStore(t *testing.T) opener {
	path := filepath.Join(t.TempDir(), "w.db")
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T) *sqldb.DB {
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.UseKey(context.Background(), box); err != nil {
			t.Fatal(err)
		}
		return db
	}
}

// postgresStore makes a throwaway database on the server of
// WANGGE_TEST_POSTGRES (see scripts/with-postgres); it skips without one,
// unless WANGGE_REQUIRE_POSTGRES=1.
func postgresStore(t *testing.T) opener {
	dsn := pgtest.Database(t, "wangge_outbox")
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T) *sqldb.DB {
		db, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.UseKey(context.Background(), box); err != nil {
			t.Fatal(err)
		}
		return db
	}
}

// receiver is the gateway's side: a real HTTP server on one loopback port
// that verifies each delivery's signature and records it by message id,
// dropping a repeated id. Its record outlives the server: stopped and
// started again on the same port, it remembers what it was given.
type receiver struct {
	addr   string
	secret []byte

	mu       sync.Mutex
	recorded map[string]int // deliveries by message id; the first is recorded, the rest are repeats
	order    []string
	bad      []string // deliveries refused: a bad signature or body

	// dropNext: the next delivery is read and recorded, then its
	// connection is closed without an answer (the gateway died after
	// taking it in).
	dropNext atomic.Bool
	dropped  atomic.Int32

	srv *http.Server
}

func newReceiver(t *testing.T, secret []byte) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{addr: ln.Addr().String(), secret: secret, recorded: map[string]int{}}
	r.serve(ln)
	return r
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		return // the sender went away mid-body: nothing was taken in
	}
	var m outbox.WebhookBody
	if err := outbox.VerifyRequest(r.secret, req.Header, body, time.Now()); err != nil || json.Unmarshal(body, &m) != nil || m.ID == "" || m.ID != req.Header.Get(outbox.HeaderMessageID) || m.To == "" || m.Text == "" {
		r.mu.Lock()
		r.bad = append(r.bad, fmt.Sprintf("%v: %s", err, body))
		r.mu.Unlock()
		http.Error(w, "refused", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	if r.recorded[m.ID] == 0 {
		r.order = append(r.order, m.ID)
	}
	r.recorded[m.ID]++
	r.mu.Unlock()
	if r.dropNext.CompareAndSwap(true, false) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			r.dropped.Add(1)
			return
		}
	}
	// A gateway takes a moment to answer: a kill meets deliveries in flight.
	time.Sleep(2 * time.Millisecond)
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) serve(ln net.Listener) {
	r.srv = &http.Server{Handler: r}
	go r.srv.Serve(ln)
}

// stop closes the listener and every connection, deliveries in flight too.
func (r *receiver) stop() { r.srv.Close() }

// start serves again on the same port.
func (r *receiver) start(t *testing.T) {
	for i := 0; ; i++ {
		ln, err := net.Listen("tcp", r.addr)
		if err == nil {
			r.serve(ln)
			return
		}
		if !errors.Is(err, syscall.EADDRINUSE) || i == 100 {
			t.Errorf("listen again on %s: %v", r.addr, err)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.order)
}

// The fixture's areas and the two actors who drive the cases.
const (
	district    = "140499"
	subdistrict = "140499001"
	community   = "140499001001"
	grid        = "140499001001001"
)

var (
	assistant = casework.Actor{UserID: 11, Name: "assistant", Role: wangge.RoleAssistant, ScopeCode: grid}
	staff     = casework.Actor{UserID: 13, Name: "community", Role: wangge.RoleCommunityStaff, ScopeCode: community}
)

// driveCases opens n cases, each with its reporter's mobile, and takes
// them in rounds (so messages are queued while earlier ones are sent)
// through a dispatch, a granted deferral and the work to the close: four
// messages a case.
func driveCases(ctx context.Context, db *sqldb.DB, n int) error {
	cat := casework.ProblemTypes[0]
	cases := make([]*casework.Case, n)
	for i := range cases {
		c, err := db.CreateCase(ctx, assistant, casework.Draft{
			Source: casework.SourcePhone, Category: cat, Mechanism: casework.Coordination,
			Location:    casework.Location{GridCode: grid},
			Reporter:    casework.Reporter{Name: "reporter", Contact: fmt.Sprintf("139%08d", i)},
			Description: fmt.Sprintf("report %d", i),
		}, "")
		if err != nil {
			return err
		}
		cases[i] = c
	}
	rounds := []struct {
		who casework.Actor
		act func(c *casework.Case) casework.Action
	}{
		{staff, func(*casework.Case) casework.Action {
			return casework.Action{Name: casework.ActDispatch, Receiver: &casework.Receiver{Kind: casework.ToOutside, Name: "property manager"}}
		}},
		{assistant, func(c *casework.Case) casework.Action {
			return casework.Action{Name: casework.ActDefer, Note: "waiting for parts", Due: c.Running().Due.Add(72 * time.Hour)}
		}},
		{staff, func(*casework.Case) casework.Action { return casework.Action{Name: casework.ActApproveDefer} }},
		{staff, func(*casework.Case) casework.Action { return casework.Action{Name: casework.ActAccept} }},
		{staff, func(*casework.Case) casework.Action {
			return casework.Action{Name: casework.ActHandle, Note: "repaired"}
		}},
		{staff, func(*casework.Case) casework.Action { return casework.Action{Name: casework.ActVerify} }},
		{staff, func(*casework.Case) casework.Action {
			return casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelSMS, Note: "repaired"}
		}},
		{staff, func(*casework.Case) casework.Action { return casework.Action{Name: casework.ActClose} }},
	}
	for _, r := range rounds {
		for i, c := range cases {
			got, _, err := db.ApplyCase(ctx, r.who, casework.Transition{Number: c.Number, Version: c.Version, Action: r.act(c)})
			if err != nil {
				return fmt.Errorf("%s on %s: %w", r.act(c).Name, c.Number, err)
			}
			cases[i] = got
		}
	}
	return nil
}

// TestOutboxSurvivesTheReceiverKilled is the outbox's delivery guarantee:
// with two servers' workers sending, the receiving server is killed twice
// mid-run (listener closed, connections in flight dropped) and once drops
// a delivery it had read without answering; at the end every message the
// store queued was received and recorded exactly once, and the outbox
// shows every one sent. The repeats the senders made (deliveries whose
// answer was lost) are reported, not bounded: the receiver drops them.
func TestOutboxSurvivesTheReceiverKilled(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(*testing.T) opener
	}{{"sqlite", sqliteStore}, {"postgres", postgresStore}} {
		t.Run(tc.name, func(t *testing.T) { testKill(t, tc.open(t)) })
	}
}

func testKill(t *testing.T, open opener) {
	const cases = 30
	ctx := wangge.WithActor(context.Background(), wangge.Actor{UserID: 1, Username: "tester", Role: wangge.RoleDistrictAdmin})
	db, second := open(t), open(t)
	for _, a := range []wangge.Area{{Code: district, Name: "district"}, {Code: subdistrict, Name: "subdistrict"}, {Code: community, Name: "community"}, {Code: grid, Name: "grid"}} {
		if err := db.CreateArea(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	secret := []byte("the gateway's shared secret, 32b")
	rcv := newReceiver(t, secret)
	defer rcv.stop()

	// Two servers' workers, each over its own store on the one database.
	wctx, stopWorkers := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	defer func() { stopWorkers(); workers.Wait() }()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	for i, store := range []*sqldb.DB{db, second} {
		w := &outbox.Worker{
			Store:   store,
			Sender:  &outbox.WebhookSender{URL: "http://" + rcv.addr + "/messages", Secret: secret, Timeout: time.Second, Client: &http.Client{Transport: transport}},
			Batch:   5,
			Lease:   5 * time.Second,
			Poll:    50 * time.Millisecond,
			Backoff: outbox.Exponential(20*time.Millisecond, 300*time.Millisecond),
			Log:     discard(t),
		}
		if i == 0 {
			w.Wake = store.MessagesQueued()
		}
		workers.Go(func() { w.Run(wctx) })
	}

	// The killer: down at 15 deliveries, a dropped answer at 40, down again
	// at 70, each time up again on the same port a moment later.
	var kills atomic.Int32
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		steps := []struct {
			at   int
			kill bool
		}{{15, true}, {40, false}, {70, true}}
		for _, s := range steps {
			for rcv.distinct() < s.at {
				select {
				case <-wctx.Done():
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
			if !s.kill {
				rcv.dropNext.Store(true)
				continue
			}
			rcv.stop()
			kills.Add(1)
			time.Sleep(250 * time.Millisecond)
			rcv.start(t)
		}
	}()

	if err := driveCases(ctx, db, cases); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 4*cases {
		t.Fatalf("%d messages queued, want %d", total, 4*cases)
	}
	// Wait for the outbox to drain: a bound for a broken run, not a timing.
	for deadline := time.Now().Add(2 * time.Minute); ; {
		c, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Queued == 0 {
			if c.Sent != total || c.Failed != 0 {
				t.Errorf("outbox %+v, want all %d sent", c, total)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox %+v two minutes on", c)
		}
		time.Sleep(20 * time.Millisecond)
	}
	<-killerDone
	stopWorkers()
	workers.Wait()

	rows, err := db.Reader().Query(`SELECT message_id FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	rows.Close()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	got := slices.Clone(rcv.order)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the receiver recorded %d distinct messages, the outbox holds %d: missing or foreign ids", len(got), len(want))
	}
	if len(rcv.bad) > 0 {
		t.Errorf("%d deliveries refused by the receiver, first: %s", len(rcv.bad), rcv.bad[0])
	}
	repeats := 0
	for _, n := range rcv.recorded {
		repeats += n - 1
	}
	if kills.Load() != 2 || rcv.dropped.Load() != 1 {
		t.Errorf("the receiver was killed %d times and dropped %d answers, want 2 and 1", kills.Load(), rcv.dropped.Load())
	}
	if repeats < int(rcv.dropped.Load()) {
		t.Errorf("%d repeats, yet a delivery's answer was dropped: its message was not sent again", repeats)
	}
	t.Logf("%d messages, each recorded once; the senders repeated %d deliveries (the receiver dropped them), %d kills, %d answers dropped",
		len(want), repeats, kills.Load(), rcv.dropped.Load())
}

// discard is a logger for the workers' warnings: every kill makes some.
func discard(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
