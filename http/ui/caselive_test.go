package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
)

// caseUsers adds the accounts the case tests use besides the fixture's and
// the ledger tests': the staff of community B.
func caseUsers(t *testing.T, f *fixture) {
	t.Helper()
	ledgerUsers(t, f)
	u := wangge.User{Username: "xiyuan", Role: wangge.RoleCommunityStaff, ScopeCode: communityB,
		PasswordHash: passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}
	if err := f.store.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
}

// caseDB is the fixture's store as the case store it also is.
func caseDB(t testing.TB, f *fixture) *sqldb.DB {
	db, ok := f.store.(*sqldb.DB)
	if !ok {
		t.Fatalf("the fixture's store is a %T", f.store)
	}
	return db
}

// openCase creates a case through the store as username.
func openCase(t testing.TB, f *fixture, username, grid string, m casework.Mechanism, category string) *casework.Case {
	t.Helper()
	var cat casework.Category
	for _, c := range casework.ProblemTypes {
		if c.Code == category {
			cat = c
		}
	}
	d := casework.Draft{Source: casework.SourcePhone, Category: cat, Mechanism: m, Location: casework.Location{GridCode: grid},
		Reporter: casework.Reporter{Anonymous: true}, Description: "live test " + category}
	if m == casework.General {
		d.Done = "done"
	}
	c, err := caseDB(t, f).CreateCase(context.Background(), actorOf(t, f, username), d, "")
	if err != nil {
		t.Fatalf("%s opens a %s case: %v", username, m, err)
	}
	return c
}

// movableClock sets the store's clock to testNow and returns what moves
// it: the server's goroutines read it while the test moves it.
func movableClock(db *sqldb.DB) (move func(d time.Duration)) {
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	db.SetClock(func() time.Time { return time.Unix(0, now.Load()) })
	return func(d time.Duration) { now.Add(int64(d)) }
}

// liveStream is an open event stream.
type liveStream struct {
	t    *testing.T
	r    *bufio.Reader
	body interface{ Close() error }
}

// dialStream opens /cases/live as the session c and reads its opening.
func dialStream(t *testing.T, base string, c *http.Cookie) *liveStream {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/cases/live", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.AddCookie(c)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("the stream answered %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &liveStream{t: t, r: bufio.NewReader(res.Body), body: res.Body}
	if first, err := s.r.ReadString('\n'); err != nil || !strings.HasPrefix(first, "retry: ") {
		t.Fatalf("the stream opens with %q, %v", first, err)
	}
	return s
}

// next returns the next case event of the stream, skipping comments.
func (s *liveStream) next() (liveEvent, error) {
	var name, data string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return liveEvent{}, err
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && data != "":
			var ev liveEvent
			if name != "case" {
				return ev, fmt.Errorf("event %q", name)
			}
			return ev, json.Unmarshal([]byte(data), &ev)
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func (s *liveStream) want(what string) liveEvent {
	s.t.Helper()
	ev, err := s.next()
	if err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
	return ev
}

// TestLiveStreamTellsEachListenerOnlyTheCasesItSees: two communities'
// staff listen; a case in each community reaches its own staff only, in
// order, with the alert of a new emergency.
func TestLiveStreamTellsEachListenerOnlyTheCasesItSees(t *testing.T) {
	f := newFixture(t)
	caseUsers(t, f)
	h := f.server(t).Handler()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	a := dialStream(t, ts.URL, login(t, h, "dongyuan"))
	b := dialStream(t, ts.URL, login(t, h, "xiyuan"))
	admin := dialStream(t, ts.URL, login(t, h, "admin"))

	em := openCase(t, f, "dongyuan", gridA, casework.Emergency, "P06")
	inB := openCase(t, f, "xiyuan", gridB, casework.Coordination, "P01")
	second := openCase(t, f, "dongyuan", gridA, casework.Coordination, "P02")

	ev := a.want("community A's first event")
	if ev.Number != em.Number || ev.Kind != casework.KindNewEmergency || ev.Level != int(wangge.LevelCommunity) ||
		!strings.Contains(ev.Alert, em.Number) || !strings.Contains(ev.Alert, "火灾险情") || ev.URL != "/cases/"+em.Number {
		t.Errorf("community A hears %+v, want the new emergency %s with its alert", ev, em.Number)
	}
	if ev := a.want("community A's second event"); ev.Number != second.Number || ev.Kind != casework.KindChanged || ev.Alert != "" {
		t.Errorf("community A's next event %+v, want %s (community B's case is not theirs)", ev, second.Number)
	}
	if ev := b.want("community B's first event"); ev.Number != inB.Number || ev.Kind != casework.KindChanged {
		t.Errorf("community B's first event %+v, want its own %s", ev, inB.Number)
	}
	for _, want := range []string{em.Number, inB.Number, second.Number} {
		if ev := admin.want("the district's events"); ev.Number != want {
			t.Errorf("the district hears %s, want %s", ev.Number, want)
		}
	}
}

// TestLiveStreamRefusesWhatCannotStream: a request that does not ask for a
// stream gets the opening and the end; nobody without a session listens.
func TestLiveStreamRefusesWhatCannotStream(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	for _, sc := range []scenario{
		{url: "/cases/live", as: "dongyuan", status: 200, contains: []string{"retry: 3000"}},
		{url: "/cases/live", status: http.StatusSeeOther},
	} {
		w := sc.run(t, h)
		if sc.as != "" && w.Header().Get("Content-Type") != "text/event-stream; charset=utf-8" {
			t.Errorf("content type %q", w.Header().Get("Content-Type"))
		}
	}
}

// TestCaseSweepRunsWhileServingAndStopsWithTheServer: the server's
// background sweep escalates an emergency nobody acknowledged, the open
// stream hears it, and stopping the server ends the stream and shuts down
// cleanly.
func TestCaseSweepRunsWhileServingAndStopsWithTheServer(t *testing.T) {
	sweep, poll := caseSweepEvery, livePollEvery
	caseSweepEvery, livePollEvery = 20*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { caseSweepEvery, livePollEvery = sweep, poll })
	f := newFixture(t)
	db := caseDB(t, f)
	move := movableClock(db)
	em := openCase(t, f, "dongyuan", gridA, casework.Emergency, "P07") // before the server: the sweep reads the clock
	srv := f.server(t)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, addr) }()
	base := "http://" + addr
	for range 100 {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	s := dialStream(t, base, login(t, srv.Handler(), "dongyuan"))

	move(10*time.Minute + time.Second)
	// The clock moved only for the store; the sweep is the server's own.
	ev := s.want("the escalation")
	if ev.Number != em.Number || ev.Kind != casework.KindEscalated || ev.Level != int(wangge.LevelSubdistrict) || !strings.Contains(ev.Alert, "街道") {
		t.Errorf("heard %+v, want %s escalated to the sub-district", ev, em.Number)
	}
	got, err := db.Case(context.Background(), actorOf(t, f, "dongyuan"), em.Number)
	if err != nil || got.Level != wangge.LevelSubdistrict || got.Escalations != 1 {
		t.Fatalf("after the sweep: %+v, %v", got, err)
	}

	stop()
	if err := <-served; err != nil {
		t.Errorf("ListenAndServe after the stop: %v, want a clean shutdown", err)
	}
	ended := make(chan error, 1)
	go func() {
		_, err := s.next()
		ended <- err
	}()
	select {
	case err := <-ended:
		if err == nil {
			t.Error("the stream goes on after the server stopped")
		}
	case <-time.After(30 * time.Second): // a guard against hanging, not a speed check
		s.body.Close()
		t.Error("the stream was still open after the server stopped")
	}
}

// TestNotificationsListWhatWaitsOnTheViewer: each role's list and count
// hold the open cases whose next step is theirs, within their sight.
func TestNotificationsListWhatWaitsOnTheViewer(t *testing.T) {
	f := newFixture(t)
	caseUsers(t, f)
	h := f.server(t).Handler()
	em := openCase(t, f, "dongyuan", gridA, casework.Emergency, "P06")
	co := openCase(t, f, "dongyuan", gridA, casework.Coordination, "P12")
	idle := openCase(t, f, "dongyuan", gridA, casework.Coordination, "P01")
	inB := openCase(t, f, "xiyuan", gridB, casework.Coordination, "P01")
	db := caseDB(t, f)
	if _, _, err := db.ApplyCase(context.Background(), actorOf(t, f, "dongyuan"), casework.Transition{Number: co.Number, Version: co.Version,
		Action: casework.Action{Name: casework.ActDispatch, Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCivil, Name: "区民政局"}}}); err != nil {
		t.Fatal(err)
	}
	// The third case went out to a property manager: the community
	// records its answers, so it waits on the community.
	if _, _, err := db.ApplyCase(context.Background(), actorOf(t, f, "dongyuan"), casework.Transition{Number: idle.Number, Version: idle.Version,
		Action: casework.Action{Name: casework.ActDispatch, Receiver: &casework.Receiver{Kind: casework.ToOutside, Name: "物业公司"}}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who  string
		want map[string]string // case number → the awaited action
	}{
		{"dongyuan", map[string]string{em.Number: "acknowledge", idle.Number: "accept"}},
		{"xiyuan", map[string]string{inB.Number: "dispatch"}},
		{"minzheng", map[string]string{co.Number: "accept"}},
		{"laodong", map[string]string{}},
		{"admin", map[string]string{}}, // nothing has reached the district
		{"louzhang", map[string]string{}},
	}
	for _, tc := range tests {
		c := login(t, h, tc.who)
		w := scenario{url: "/notifications", status: 200, contains: []string{`id="case-board"`}}.run(t, withCookie(h, c))
		page := w.Body.String()
		for number, action := range tc.want {
			if !strings.Contains(page, fmt.Sprintf(`data-case="%s" data-level="3" data-awaited="%s"`, number, action)) {
				t.Errorf("%s's list lacks %s awaiting %s", tc.who, number, action)
			}
		}
		if n := strings.Count(page, `class="notify-item`); n != len(tc.want) {
			t.Errorf("%s's list has %d cases, want %d", tc.who, n, len(tc.want))
		}
		w = scenario{url: "/notifications/count", status: 200}.run(t, withCookie(h, c))
		var got struct {
			Count int
			Label string
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.Count != len(tc.want) || got.Label != fmt.Sprint(len(tc.want)) {
			t.Errorf("%s's count %s, want %d", tc.who, w.Body, len(tc.want))
		}
	}
}

// withCookie sends every request with the session cookie.
func withCookie(h http.Handler, c *http.Cookie) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.AddCookie(c)
		h.ServeHTTP(w, r)
	})
}

func TestNotificationCountLabel(t *testing.T) {
	for _, tc := range []struct {
		n    int
		more bool
		want string
	}{{0, false, "0"}, {7, false, "7"}, {99, false, "99"}, {100, false, "99+"}, {100, true, "99+"}} {
		if got := countLabel(tc.n, tc.more); got != tc.want {
			t.Errorf("countLabel(%d, %v) = %q, want %q", tc.n, tc.more, got, tc.want)
		}
	}
}

// TestLiveAcrossTwoServersOnOnePostgreSQL: behind a load balancer, a page
// open on server B hears of an emergency made through server A's store,
// and of its escalation by A's sweep.
func TestLiveAcrossTwoServersOnOnePostgreSQL(t *testing.T) {
	dsn := postgresDB(t)
	ctx := context.Background()
	open := func() *sqldb.DB {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA, dbB := open(), open()
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	f := fillFixture(t, dbA, box)
	if err := dbB.UseKey(ctx, box); err != nil {
		t.Fatal(err)
	}
	move := movableClock(dbA)
	b := serverOver(t, dbB).Handler()
	ts := httptest.NewServer(b)
	t.Cleanup(ts.Close)
	s := dialStream(t, ts.URL, login(t, b, "dongyuan"))

	em := openCase(t, f, "dongyuan", gridA, casework.Emergency, "P06") // through A's store
	if ev := s.want("the new emergency on B"); ev.Number != em.Number || ev.Kind != casework.KindNewEmergency {
		t.Errorf("B's page hears %+v, want the new emergency %s", ev, em.Number)
	}
	move(10*time.Minute + time.Second)
	if n, err := dbA.EscalateDue(ctx, 0); err != nil || n != 1 {
		t.Fatalf("A's sweep: %d, %v", n, err)
	}
	if ev := s.want("the escalation on B"); ev.Number != em.Number || ev.Kind != casework.KindEscalated || ev.Level != int(wangge.LevelSubdistrict) {
		t.Errorf("B's page hears %+v, want %s escalated", ev, em.Number)
	}
}

// TestLiveActorKeySharesOnlyWhatSightShares: staff of one area share one
// check of the store; building heads never share theirs.
func TestLiveActorKeySharesOnlyWhatSightShares(t *testing.T) {
	staff := func(id int64) casework.Actor {
		return casework.Actor{UserID: id, Role: wangge.RoleCommunityStaff, ScopeCode: communityA}
	}
	head := func(id int64) casework.Actor {
		return casework.Actor{UserID: id, Role: wangge.RoleBuildingHead, ScopeCode: gridA}
	}
	dept := func(l wangge.Line) casework.Actor {
		return casework.Actor{UserID: 9, Role: wangge.RoleDepartment, ScopeCode: district, Line: l}
	}
	for _, tc := range []struct {
		a, b casework.Actor
		same bool
	}{
		{staff(1), staff(2), true},
		{staff(1), casework.Actor{UserID: 1, Role: wangge.RoleCommunityStaff, ScopeCode: communityB}, false},
		{staff(1), casework.Actor{UserID: 1, Role: wangge.RoleAssistant, ScopeCode: communityA}, false},
		{head(1), head(2), false},
		{head(1), head(1), true},
		{dept(wangge.LineCivil), dept(wangge.LineLabor), false},
	} {
		if got := actorKey(tc.a) == actorKey(tc.b); got != tc.same {
			t.Errorf("%+v and %+v share a key: %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
