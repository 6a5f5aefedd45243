package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/passwd"
)

// The workbench's queue against the real server: what is recorded offline
// arrives exactly once, through a server restarted mid-send too, and a
// case changed meanwhile shows the conflict with both texts kept.

// wbUser is the grid A assistant's account, tied to the fixture's
// assistant (a visit is recorded as the account's assistant).
const wbUser = "zhoumin"

func addWorkbenchUser(t *testing.T, f *fixture) *wangge.User {
	t.Helper()
	ctx := context.Background()
	a, err := f.store.GridAssistant(ctx, gridA)
	if err != nil {
		t.Fatal(err)
	}
	u := &wangge.User{Username: wbUser, DisplayName: a.Name, Role: wangge.RoleAssistant, ScopeCode: gridA, AssistantID: &a.ID,
		PasswordHash: passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}
	if err := f.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// wbServer is the whole server on one loopback address that the test can
// cut off in the middle of a send and start again on the same address
// and store, with the server time of every API request.
type wbServer struct {
	t    *testing.T
	f    *fixture
	addr string

	mu     sync.Mutex
	srv    *http.Server
	times  []string // "METHOD path status duration", API requests only
	posts  int      // visits posted, answered or not
	cutAt  int      // cut the server off after serving this visit post (0: never)
	busy   bool     // answer every visit post 503, as a server too busy to take it
	dark   bool     // no signal: every connection is dropped unanswered
	leaks  int      // requests that reached the server while dark
	cutted chan struct{}
}

func newWBServer(t *testing.T, f *fixture) *wbServer {
	// The store keeps the server's clock: it checks a visit's time.
	clock, ok := f.store.(interface{ SetClock(func() time.Time) })
	if !ok {
		t.Fatal("the fixture's store has no clock to set")
	}
	clock.SetClock(func() time.Time { return testNow })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &wbServer{t: t, f: f, addr: ln.Addr().String(), cutted: make(chan struct{})}
	s.serve(ln)
	t.Cleanup(func() { s.mu.Lock(); srv := s.srv; s.mu.Unlock(); srv.Close() })
	return s
}

func (s *wbServer) url() string { return "http://" + s.addr }

// serve starts a new core over the same store on ln.
func (s *wbServer) serve(ln net.Listener) {
	core := s.f.server(s.t).Handler()
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		dark := s.dark
		if dark {
			s.leaks++
		}
		s.mu.Unlock()
		if dark {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			core.ServeHTTP(w, r)
			return
		}
		s.mu.Lock()
		busy := s.busy
		s.mu.Unlock()
		if busy && r.Method == "POST" && r.URL.Path == "/api/v1/visits" {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		start := time.Now()
		rec := httptest.NewRecorder()
		core.ServeHTTP(rec, r)
		s.mu.Lock()
		s.times = append(s.times, fmt.Sprintf("%s %s %d %v", r.Method, r.URL.Path, rec.Code, time.Since(start)))
		cut := false
		if r.Method == "POST" && r.URL.Path == "/api/v1/visits" {
			s.posts++
			cut = s.cutAt > 0 && s.posts == s.cutAt
		}
		s.mu.Unlock()
		if cut {
			// The visit is committed but its answer never leaves: the
			// server goes down with the connection.
			srv.Close()
			close(s.cutted)
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(ln)
}

// restart starts a new server on the same address once the old one is down.
func (s *wbServer) restart() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			s.serve(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("listen again on %s: %v", s.addr, err)
}

func (s *wbServer) report() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.times {
		s.t.Logf("server time: %s", x)
	}
	s.times = nil
	s.t.Logf("requests dropped while offline: %d", s.leaks)
}

// offline takes the phone off the network or puts it back: the tab and
// its worker emulate it (navigator.onLine, the worker's fetches), and the
// server drops what reaches it meanwhile — Chromium's emulation does not
// hold every request of a worker-controlled page (a fetch the worker
// passes on), and no signal means nothing arrives.
func (s *wbServer) offline(b browserPage, on bool) {
	b.t.Helper()
	s.mu.Lock()
	s.dark = on
	s.mu.Unlock()
	offline(b, on)
}

// counts is what the store holds of grid A: visits, ledger change
// proposals and cases.
type counts struct{ visits, changes, cases int }

func storeCounts(t *testing.T, f *fixture) counts {
	t.Helper()
	ctx := context.Background()
	_, nv, err := f.store.ListVisits(ctx, wangge.ScopeAll(), wangge.VisitFilter{GridCode: gridA, Page: wangge.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	lc, ok := f.store.(interface {
		ListLedgerChanges(ctx context.Context, s wangge.Scope, f wangge.LedgerChangeFilter) ([]wangge.LedgerChange, int, error)
	})
	if !ok {
		t.Fatal("the store keeps no ledger changes")
	}
	_, nc, err := lc.ListLedgerChanges(ctx, wangge.ScopeAll(), wangge.LedgerChangeFilter{GridCode: gridA, Page: wangge.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	byState, err := f.store.(casework.Store).CaseCounts(ctx, wangge.ScopeOf(gridA))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range byState {
		n += c
	}
	return counts{nv, nc, n}
}

// sentClean waits until nothing waits, is being sent or is set aside as
// refused or in conflict.
func sentClean(b browserPage, what string) {
	b.t.Helper()
	clean := `(() => { const wb = document.getElementById("wb");
	  return wb.dataset.waiting === "0" && !wb.dataset.syncing && document.querySelectorAll("[data-wb-conflict-list] li").length === 0; })()`
	for i := 0; ; i++ {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](clean))
		if err == nil && ok {
			return
		}
		if i == 80 {
			b.t.Fatalf("%s: still %s waiting, set aside: %s (%v)", what, waiting(b), b.text(`[data-wb-conflicts]`), err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waiting is how many items the page's queue holds to send.
func waiting(b browserPage) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("wb").dataset.waiting || ""`))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// openVisit opens the visit form of a household from the start page's
// list of all households (offline the tab is cut off again: a new
// document forgets the emulated state of the last).
func openVisit(b browserPage, s *wbServer, id int64, off bool) {
	b.t.Helper()
	b.do("open the visit form", chromedp.Navigate(fmt.Sprintf("%s/workbench/visit?household=%d", s.url(), id)),
		chromedp.WaitVisible(chromedp.CSS(`[data-wb-form]`)))
	if off {
		s.offline(b, true)
	}
}

// saveVisit saves the form and waits for the start page.
func saveVisit(b browserPage, s *wbServer, off bool) {
	b.t.Helper()
	b.do("save", chromedp.Click(chromedp.CSS(`[data-wb-save]`)), chromedp.WaitVisible(chromedp.CSS(`#wb[data-page="workbench"]`)))
	if off {
		s.offline(b, true)
	}
}

// recordThree records, offline, a visit with nothing new, one with a
// move-in and a case handled on the spot, and one with a case taken to
// the community.
func recordThree(b browserPage, s *wbServer, f *fixture) {
	b.t.Helper()
	openVisit(b, s, f.householdA1.ID, true)
	b.do("nothing new", chromedp.Click(chromedp.CSS(`[data-wb-nothing]`)))
	saveVisit(b, s, true)

	openVisit(b, s, f.householdA2.ID, true)
	b.do("a move-in and a case handled on the spot",
		chromedp.Click(chromedp.CSS(`[data-wb-clear="needs"] input[value="changed"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-clear="needs"] textarea`), "楼道灯不亮"),
		chromedp.Click(chromedp.CSS(`[data-wb-add-change]`)),
		chromedp.SetValue(chromedp.CSS(`[data-wb-changes] [data-k=kind]`), "move_in"),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-changes] [data-k=name]`), "王小明"),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-changes] [data-k=detail]`), "从外省迁来投靠母亲"),
		chromedp.Click(chromedp.CSS(`[data-wb-case-open]`)))
	if got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("[data-wb-desc]").value`)); err != nil || !strings.Contains(got, "楼道灯不亮") {
		b.t.Errorf("the case is not prefilled with what was written: %q, %v", got, err)
	}
	b.do("choose the category", chromedp.Evaluate[chromedp.Void](`(s => { s.value = s.options[1].value; })(document.querySelector("[data-wb-category]"))`),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-done]`), "已当场更换灯泡"))
	saveVisit(b, s, true)

	openVisit(b, s, f.householdA3.ID, true)
	b.do("a case for the community",
		chromedp.Click(chromedp.CSS(`[data-wb-clear="dangers"] input[value="changed"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-clear="dangers"] textarea`), "邻里因漏水起纠纷"),
		chromedp.Click(chromedp.CSS(`[data-wb-case-open]`)),
		chromedp.Click(chromedp.CSS(`input[name=mechanism][value=coordination]`)),
		chromedp.Evaluate[chromedp.Void](`(s => { s.value = s.options[1].value; })(document.querySelector("[data-wb-category]"))`))
	saveVisit(b, s, true)
}

// openFresh logs in and waits for the grid's data from the server.
func openFresh(b browserPage, base string) {
	b.t.Helper()
	workbenchLoginAs(b, base, wbUser)
	waitFor(b, "the grid's data", `document.getElementById("wb").dataset.ready === "fresh"`)
}

// workbenchSession starts most workbench browser tests: a fresh fixture
// with the workbench's assistant, the workbench's test server over it,
// and a browser logged in with the grid's data loaded.
func workbenchSession(t *testing.T) (*fixture, *wbServer, browserPage) {
	t.Helper()
	ctx := newBrowser(t)
	f := newFixture(t)
	addWorkbenchUser(t, f)
	s := newWBServer(t, f)
	b := browserPage{t, ctx}
	openFresh(b, s.url())
	return f, s, b
}

// TestBrowserWorkbenchQueueArrivesOnce: offline, three visits with one
// ledger change and two cases wait in the queue through closing the page
// and opening it again; with the network back each arrives exactly once.
func TestBrowserWorkbenchQueueArrivesOnce(t *testing.T) {
	f, s, b := workbenchSession(t)
	ctx := b.ctx
	before := storeCounts(t, f)

	s.offline(b, true)
	b.do("reload offline", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#wb[data-ready="cached"]`)))
	s.offline(b, true)
	recordThree(b, s, f)
	if got := waiting(b); got != "3" {
		t.Fatalf("offline, %q wait; want 3", got)
	}
	if got := storeCounts(t, f); got != before {
		t.Fatalf("offline, the store changed: %+v, was %+v", got, before)
	}

	// Close the page; open it again, still offline: the queue is kept.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	b.do("close the page", chromedp.Navigate("about:blank"))
	nb := browserPage{t, tab}
	// The new tab is cut off once it shows the site (a blank tab's
	// emulation does not follow it to another site's process); no
	// workbench page is open meanwhile.
	s.offline(nb, false)
	nb.do("a new tab", chromedp.Emulate(device.IPhone12), chromedp.Navigate(s.url()+"/healthz"))
	s.offline(nb, true)
	nb.do("reopen offline", chromedp.Navigate(s.url()+"/workbench"), chromedp.WaitVisible(chromedp.CSS(`#wb[data-ready="cached"]`)))
	s.offline(nb, true)
	waitFor(nb, "three wait after reopening", `document.getElementById("wb").dataset.waiting === "3"`)

	s.offline(nb, false)
	sentClean(nb, "the queue is sent")
	want := counts{before.visits + 3, before.changes + 1, before.cases + 2}
	if got := storeCounts(t, f); got != want {
		t.Errorf("after sending: %+v, want %+v", got, want)
	}
	// Sending again (a periodic send, "send now") changes nothing.
	nb.do("send again", chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event("online"))`), chromedp.Sleep(time.Second))
	if got := storeCounts(t, f); got != want {
		t.Errorf("after sending again: %+v, want %+v", got, want)
	}
	s.report()
}

// TestBrowserWorkbenchQueueSurvivesServerRestart: the server goes down
// after committing the second visit but before answering it, and comes
// back on the same address and store; the queue goes on, and the second
// visit, sent again under its key, is still one visit.
func TestBrowserWorkbenchQueueSurvivesServerRestart(t *testing.T) {
	f, s, b := workbenchSession(t)
	before := storeCounts(t, f)

	s.offline(b, true)
	recordThree(b, s, f)
	if got := waiting(b); got != "3" {
		t.Fatalf("offline, %q wait; want 3", got)
	}
	s.mu.Lock()
	s.cutAt = s.posts + 2
	s.mu.Unlock()
	s.offline(b, false)
	select {
	case <-s.cutted:
	case <-time.After(30 * time.Second):
		t.Fatal("the second visit was never sent")
	}
	if got := waiting(b); got == "0" {
		t.Fatal("the queue emptied with the server down")
	}
	s.restart()
	sentClean(b, "the queue is sent to the new server")
	want := counts{before.visits + 3, before.changes + 1, before.cases + 2}
	if got := storeCounts(t, f); got != want {
		t.Errorf("after the restart: %+v, want %+v", got, want)
	}
	s.report()
}

// TestBrowserWorkbenchStaleCaseKeepsBothTexts: feedback typed offline on a
// case that someone changed on the server meanwhile is refused as stale;
// the page shows it with the assistant's text and the case as it is now,
// keeps it, and sends it on the current version when asked.
func TestBrowserWorkbenchStaleCaseKeepsBothTexts(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	u := addWorkbenchUser(t, f)
	s := newWBServer(t, f)
	cs := f.store.(casework.Store)
	me := casework.ActorOf(u)
	var cat casework.Category
	for _, c := range casework.ProblemTypes {
		if c.Line == wangge.LineCity {
			cat = c
			break
		}
	}
	c, err := cs.CreateCase(context.Background(), me, casework.Draft{Source: casework.SourceVisit, Category: cat, Mechanism: casework.General,
		Location: casework.Location{GridCode: gridA, HouseholdID: f.householdA1.ID}, Description: "楼道堆物", Done: "已劝离清理",
		Reporter: casework.Reporter{Name: "张建国", Contact: "13912345678"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	b := browserPage{t, ctx}
	openFresh(b, s.url())
	item := `[data-wb-feedback] li[data-number="` + c.Number + `"]`
	waitFor(b, "the case awaits feedback", `!!document.querySelector('`+item+`')`)

	s.offline(b, true)
	b.do("feedback offline", chromedp.SendKeys(chromedp.CSS(item+` textarea`), "已上门告知处理结果，住户满意"),
		chromedp.Click(chromedp.CSS(item+` button`)))
	waitFor(b, "the feedback waits", `document.getElementById("wb").dataset.waiting === "1"`)

	// Meanwhile the case changes on the server.
	now, err := cs.Case(context.Background(), me, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cs.ApplyCase(context.Background(), me, casework.Transition{Number: c.Number, Version: now.Version,
		Action: casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "电话告知"}}); err != nil {
		t.Fatal(err)
	}

	s.offline(b, false)
	conflict := `[data-wb-conflict-list] li[data-kind="transition"]`
	waitFor(b, "the conflict shows", `!!document.querySelector('`+conflict+`')`)
	if got := b.text(conflict + ` [data-side="mine"]`); !strings.Contains(got, "已上门告知处理结果，住户满意") {
		t.Errorf("the assistant's text is not kept: %q", got)
	}
	if got := b.text(conflict + ` [data-side="server"]`); !strings.Contains(got, "电话告知") {
		t.Errorf("the case as it is now is not shown: %q", got)
	}
	if got := waiting(b); got != "0" {
		t.Errorf("%s wait beside the conflict", got)
	}
	// Reloaded, it is still there: a conflict is never dropped by itself.
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(conflict)))
	// Sent again on the version the case has now, it arrives.
	// The list is drawn again as the page settles: click in one step.
	b.do("send on the current version", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+conflict+` [data-act="retry"]').click()`))
	sentClean(b, "the feedback on the current version")
	after, err := cs.Case(context.Background(), me, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if last := after.Events[len(after.Events)-1]; last.Note != "已上门告知处理结果，住户满意" {
		t.Errorf("the case's last step says %q", last.Note)
	}
	s.report()
}

// TestBrowserWorkbenchReusedKeyKeepsBothVisits: a queued visit whose key
// the server already holds for another body is refused (409), kept with
// its text, and sent as a new record when the assistant says so.
func TestBrowserWorkbenchReusedKeyKeepsBothVisits(t *testing.T) {
	f, s, b := workbenchSession(t)
	ctx := b.ctx
	before := storeCounts(t, f)
	// Another visit under the key, sent first.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`(async () => {
	  const db = await new Promise((ok, bad) => { const q = indexedDB.open("wangge-workbench"); q.onsuccess = () => ok(q.result); q.onerror = () => bad(q.error); });
	  const rec = await new Promise((ok) => { const q = db.transaction("data").objectStore("data").get("grid"); q.onsuccess = () => ok(q.result); });
	  const at = new Date(Date.now() + (rec.skew || 0)).toISOString();
	  const body = (note) => ({household_id: %d, at: at, purpose: "例行走访", met: "户主", clears: {}, note: note, changes: [], case: null});
	  const r = await fetch("/api/v1/visits", {method: "POST", headers: {"Content-Type": "application/json", "Idempotency-Key": "reused-key-0001"}, body: JSON.stringify(body("先到的一份"))});
	  const t = db.transaction("queue", "readwrite");
	  t.objectStore("queue").put({key: "reused-key-0001", kind: "visit", url: "/api/v1/visits", owner: rec.owner, state: "waiting", at: at, label: "A1", body: body("后到的另一份")});
	  await new Promise((ok) => { t.oncomplete = ok; });
	  db.close();
	  return r.status;
	})()`, f.householdA1.ID), chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	b.do("send", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-wb-conflict-list] li[data-kind="visit"]`)))
	if got := b.text(`[data-wb-conflict-list] li[data-kind="visit"] [data-side="mine"]`); !strings.Contains(got, "后到的另一份") {
		t.Errorf("the refused visit's text: %q", got)
	}
	b.do("send as a new record", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-wb-conflict-list] li[data-kind="visit"] [data-act="resend"]').click()`))
	sentClean(b, "the second visit as a new record")
	if got := storeCounts(t, f); got.visits != before.visits+2 {
		t.Errorf("visits %d, want %d (both kept)", got.visits, before.visits+2)
	}
	s.report()
}

// tapCounter counts the taps from the page it is installed on: every
// click, and a touchend no click follows; kept in sessionStorage across
// the pages.
const tapCounter = `(() => {
  const bump = () => sessionStorage.setItem("wbTaps", String(Number(sessionStorage.getItem("wbTaps") || 0) + 1));
  let pending = null;
  addEventListener("click", () => { if (pending) { clearTimeout(pending); pending = null; } bump(); }, true);
  addEventListener("touchend", () => { pending = setTimeout(() => { pending = null; bump(); }, 700); }, true);
})();`

// TestBrowserWorkbenchRoutineVisitTakesFewTaps: a routine visit with
// nothing new takes at most six taps from the start page until it is
// saved (and sent): the household, "nothing new", save.
func TestBrowserWorkbenchRoutineVisitTakesFewTaps(t *testing.T) {
	f, s, b := workbenchSession(t)
	ctx := b.ctx
	before := storeCounts(t, f)
	b.do("count taps", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: tapCounter})
		return chromedp.Void{}, err
	}, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#wb[data-ready="fresh"]`)))
	s.report()
	start := time.Now()
	due := fmt.Sprintf(`[data-wb-due] a.wb-go[data-household="%d"]`, f.householdA2.ID)
	b.do("tap the household", chromedp.Click(chromedp.CSS(due)), chromedp.WaitVisible(chromedp.CSS(`[data-wb-form]`)))
	b.do("tap nothing new", chromedp.Click(chromedp.CSS(`[data-wb-nothing]`)))
	b.do("tap save", chromedp.Click(chromedp.CSS(`[data-wb-save]`)), chromedp.WaitVisible(chromedp.CSS(`#wb[data-page="workbench"]`)))
	sentClean(b, "the visit is sent")
	took := time.Since(start)
	taps, err := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem("wbTaps") || "0"`))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := strconv.Atoi(taps); err != nil || n < 1 || n > 6 {
		t.Errorf("a routine visit took %s taps, want 1 to 6", taps)
	}
	if got := storeCounts(t, f); got.visits != before.visits+1 {
		t.Errorf("visits %d, want %d", got.visits, before.visits+1)
	}
	t.Logf("routine visit: %s taps, %v from the start page until sent (no think time)", taps, took)
	s.report()
}

// TestBrowserWorkbenchFigures reports, for a grid of ~300 households, what
// the phone keeps (Cache Storage and IndexedDB) and how long a queue of 50
// visits takes to send over loopback. Figures, not assertions.
func TestBrowserWorkbenchFigures(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	addWorkbenchUser(t, f)
	bigGrid(t, f, 300)
	s := newWBServer(t, f)
	b := browserPage{t, ctx}
	openFresh(b, s.url())
	// The worker keeps the two pages and the three scripts and styles the
	// first visit loaded before it was in control, in the background.
	kept := `(async () => {
	  const urls = new Set();
	  for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) urls.add(new URL(r.url).pathname);
	  return ["/workbench", "/workbench/visit", "/static/app.css", "/static/workbench.js", "/static/caselive.js"].every((u) => urls.has(u));
	})()`
	for i := 0; ; i++ {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](kept, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if i == 80 {
			t.Fatal("the worker never kept the pages and static files")
		}
		time.Sleep(250 * time.Millisecond)
	}
	type sizes struct {
		Cache, IDB, Households int
		Usage                  float64
	}
	sz, err := chromedp.Run(ctx, chromedp.Evaluate[sizes](`(async () => {
	  let cache = 0;
	  for (const k of await caches.keys()) {
	    const c = await caches.open(k);
	    for (const r of await c.keys()) cache += (await (await c.match(r)).blob()).size;
	  }
	  const db = await new Promise((ok, bad) => { const q = indexedDB.open("wangge-workbench"); q.onsuccess = () => ok(q.result); q.onerror = () => bad(q.error); });
	  const rec = await new Promise((ok) => { const q = db.transaction("data").objectStore("data").get("grid"); q.onsuccess = () => ok(q.result); });
	  db.close();
	  const est = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : {usage: 0};
	  return {Cache: cache, IDB: new Blob([JSON.stringify(rec)]).size, Households: rec.data.households.length, Usage: est.usage};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("grid of %d households: Cache Storage %d bytes, IndexedDB grid data %d bytes (JSON), storage estimate %.0f bytes", sz.Households, sz.Cache, sz.IDB, sz.Usage)
	if sz.Households < 300 {
		t.Errorf("the grid's data holds %d households, want ≥ 300", sz.Households)
	}

	// 50 visits waiting, then the network comes back.
	s.offline(b, true)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(async () => {
	  const db = await new Promise((ok, bad) => { const q = indexedDB.open("wangge-workbench"); q.onsuccess = () => ok(q.result); q.onerror = () => bad(q.error); });
	  const rec = await new Promise((ok) => { const q = db.transaction("data").objectStore("data").get("grid"); q.onsuccess = () => ok(q.result); });
	  const at = new Date(Date.now() + (rec.skew || 0)).toISOString();
	  const t = db.transaction("queue", "readwrite");
	  const q = t.objectStore("queue");
	  rec.data.households.slice(0, 50).forEach((h, i) => q.put({key: crypto.randomUUID(), kind: "visit", url: "/api/v1/visits", owner: rec.owner, state: "waiting", at: at, label: h.room,
	    body: {household_id: h.id, at: at, purpose: "例行走访", met: "户主", clears: {household: "", categories: "", facilities: "", dangers: "", needs: "", hot_issues: ""}, note: "第" + i + "户", changes: [], case: null}}));
	  await new Promise((ok) => { t.oncomplete = ok; });
	  db.close();
	  return 50;
	})()`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	b.do("reload with 50 waiting", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#wb[data-ready="cached"]`)))
	s.offline(b, true)
	waitFor(b, "50 wait", `document.getElementById("wb").dataset.waiting === "50"`)
	before := storeCounts(t, f)
	start := time.Now()
	s.offline(b, false)
	sentClean(b, "the 50 are sent")
	took := time.Since(start)
	if got := storeCounts(t, f); got.visits != before.visits+50 {
		t.Errorf("visits %d, want %d", got.visits, before.visits+50)
	}
	t.Logf("a queue of 50 visits sent over loopback in %v (%v a visit)", took, took/50)
}

// bigGrid adds buildings to grid A until it holds n households, each with
// a head (synthetic names and numbers), every fifth of those born before
// 1960 an elderly person living alone.
func bigGrid(t *testing.T, f *fixture, n int) {
	t.Helper()
	ctx := context.Background()
	surnames := []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
	seq := 0
	var b *wangge.Building
	for i := 0; i < n; i++ {
		if i%24 == 0 {
			b = &wangge.Building{GridCode: gridA, Name: fmt.Sprintf("东苑%d号楼", 10+i/24), Kind: wangge.BuildingTower, Address: "示范路", Floors: 6, Entrances: 2}
			if err := f.store.CreateBuilding(ctx, wangge.ScopeAll(), b); err != nil {
				t.Fatal(err)
			}
		}
		h := &wangge.Household{BuildingID: b.ID, Entrance: fmt.Sprint(1 + i%24/12), Room: fmt.Sprintf("%d%02d", 1+i%12/2, 1+i%2), Kind: wangge.ResidentRegistered}
		if err := f.store.CreateHousehold(ctx, wangge.ScopeAll(), h); err != nil {
			t.Fatal(err)
		}
		seq = i % 100
		birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 37*i)
		p := &wangge.Person{HouseholdID: h.ID, Name: string(surnames[i%len(surnames)]) + "某" + fmt.Sprint(i), IDNumber: string(ident.MakeID("149901", birth, seq, ident.SexMale)),
			Relation: wangge.RelHead, Ethnicity: "汉族"}
		if err := f.store.CreatePerson(ctx, wangge.ScopeAll(), p); err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 && birth.Year() < 1960 {
			if err := f.store.CreateMembership(ctx, wangge.ScopeAll(), &wangge.Membership{PersonID: p.ID, Group: wangge.GroupElderly,
				Attrs: map[string]string{"living": "独居"}, Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil && !errors.Is(err, wangge.ErrConflict) {
				t.Fatal(err)
			}
		}
	}
}

// routineVisitOffline records a routine visit to household A1 offline.
func routineVisitOffline(b browserPage, s *wbServer, f *fixture) {
	b.t.Helper()
	s.offline(b, true)
	openVisit(b, s, f.householdA1.ID, true)
	b.do("nothing new", chromedp.Click(chromedp.CSS(`[data-wb-nothing]`)))
	saveVisit(b, s, true)
	waitFor(b, "one waits", `document.getElementById("wb").dataset.waiting === "1"`)
}

// TestBrowserWorkbenchLogoutAsksThenClears: logging out with a visit
// waiting asks first; no keeps everything, yes logs out and leaves
// nothing of the workbench on the phone (data, queue, cached pages, the
// worker).
func TestBrowserWorkbenchLogoutAsksThenClears(t *testing.T) {
	f, s, b := workbenchSession(t)
	ctx := b.ctx
	s.mu.Lock()
	s.busy = true
	s.mu.Unlock()
	routineVisitOffline(b, s, f)
	s.offline(b, false)
	waitFor(b, "the busy server keeps it waiting", `document.getElementById("wb").dataset.waiting === "1" && !document.getElementById("wb").dataset.syncing`)

	b.do("say no", chromedp.Evaluate[chromedp.Void](`window.confirm = (m) => { window.wbAsked = m; return false; }`),
		chromedp.Click(chromedp.CSS(`form[data-logout] button`)), chromedp.Sleep(300*time.Millisecond))
	asked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.wbAsked || ""`))
	if err != nil || !strings.Contains(asked, "1 条记录未发送") {
		t.Fatalf("logging out asked %q, %v", asked, err)
	}
	if got := waiting(b); got != "1" {
		t.Fatalf("after no, %q wait", got)
	}

	b.do("say yes", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`form[data-logout] button`)), chromedp.WaitVisible(chromedp.ID("username")))
	left, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
	  const dbs = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
	  const cs = await caches.keys();
	  const ws = await navigator.serviceWorker.getRegistrations();
	  return JSON.stringify({dbs: dbs, caches: cs, workers: ws.length});
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || left != `{"dbs":[],"caches":[],"workers":0}` {
		t.Errorf("after logging out the phone keeps %s, %v", left, err)
	}
}

// TestBrowserWorkbenchExpiredSessionKeepsTheQueue: a session that expired
// while offline answers 401; the queue stays, the page offers to log in,
// and what waited is sent after the login.
func TestBrowserWorkbenchExpiredSessionKeepsTheQueue(t *testing.T) {
	f, s, b := workbenchSession(t)
	before := storeCounts(t, f)
	routineVisitOffline(b, s, f)
	b.do("the session ends", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return chromedp.Void{}, err
	})
	s.offline(b, false)
	b.do("the page offers to log in", chromedp.WaitVisible(chromedp.CSS(`[data-wb-error][data-login] a`)))
	if got := waiting(b); got != "1" {
		t.Fatalf("after a 401, %q wait", got)
	}
	if got := storeCounts(t, f); got != before {
		t.Fatalf("after a 401 the store changed: %+v", got)
	}
	// The queue tries again while the page waits, and each 401 draws the
	// offer anew: the link is clicked where it is at that moment, not
	// through a node looked up before (which may be gone by the click).
	b.do("log in again", chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-wb-error][data-login] a").click()`), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), wbUser), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#wb[data-page="workbench"]`)))
	sentClean(b, "sent after the login")
	if got := storeCounts(t, f); got.visits != before.visits+1 {
		t.Errorf("visits %d, want %d", got.visits, before.visits+1)
	}
}

// TestBrowserWorkbenchFitsA360Phone: on a 360 px wide phone the start page
// and the visit form (with a change and a case open) need no sideways
// scrolling, and the form's targets are at least 44 px high.
func TestBrowserWorkbenchFitsA360Phone(t *testing.T) {
	f, s, b := workbenchSession(t)
	ctx := b.ctx
	phone := device.Info{Name: "360", UserAgent: device.IPhone12.Device().UserAgent, Width: 360, Height: 740, Scale: 3, Mobile: true, Touch: true}
	fits := `document.documentElement.scrollWidth <= window.innerWidth`
	b.do("a 360 px phone", chromedp.Emulate(phone), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#wb[data-ready="fresh"]`)))
	b.shoot("workbench")
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fits)); err != nil || !ok {
		t.Errorf("the start page scrolls sideways at 360 px (%v)", err)
	}
	openVisit(b, s, f.householdA1.ID, false)
	b.do("open a change and a case", chromedp.Click(chromedp.CSS(`[data-wb-add-change]`)), chromedp.Click(chromedp.CSS(`[data-wb-case-open]`)))
	b.shoot("workbench-visit")
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fits)); err != nil || !ok {
		t.Errorf("the visit form scrolls sideways at 360 px (%v)", err)
	}
	small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("[data-wb-form] button, [data-wb-form] .choice, [data-wb-form] select"))
	  .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44).map((e) => e.textContent.trim() || e.outerHTML.slice(0, 60))`))
	if err != nil || len(small) > 0 {
		t.Errorf("targets under 44 px: %q, %v", small, err)
	}
}

// TestBrowserWorkbenchFindsTheHouseholdByPlate: with no household named,
// the visit form asks for one; the door plate's code (typed where the
// phone cannot scan) picks its building, offline, and a room opens the
// form; a plate of another grid is not taken.
func TestBrowserWorkbenchFindsTheHouseholdByPlate(t *testing.T) {
	f, s, b := workbenchSession(t)
	ctx := b.ctx
	s.offline(b, true)
	b.do("the visit form without a household", chromedp.Click(chromedp.CSS(`[data-wb-other]`)), chromedp.WaitVisible(chromedp.CSS(`[data-wb-pick]`)))
	b.do("another grid's plate", chromedp.SendKeys(chromedp.CSS(`[data-wb-code]`), fmt.Sprintf("%s/kiosk/grids/%s?b=%d\t", s.url(), gridB, f.buildingB1.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-wb-error]`)))
	b.do("this grid's plate", chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-wb-code]").value = ""`),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-code]`), fmt.Sprintf("%s/kiosk/grids/%s?b=%d\t", s.url(), gridA, f.buildingA1.ID)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-wb-rooms] a[data-household="%d"]`, f.householdA2.ID))))
	rooms, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("[data-wb-rooms] .wb-go strong"), (e) => e.textContent)`))
	if err != nil || strings.Join(rooms, ",") != "东苑1号楼 101,东苑1号楼 102" && strings.Join(rooms, ",") != "东苑1号楼 102,东苑1号楼 101" {
		t.Errorf("the plate's rooms: %q, %v", rooms, err)
	}
	b.do("tap a room", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-wb-rooms] a[data-household="%d"]`, f.householdA2.ID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-wb-form]`)))
	if got := b.text(`[data-wb-place]`); got != "东苑1号楼 102" {
		t.Errorf("the form is of %q", got)
	}
}

// TestBrowserWorkbenchPhotoGoesWithTheCase: a photo taken offline with a
// visit's case waits on the phone and is kept with the case once the
// visit is sent.
func TestBrowserWorkbenchPhotoGoesWithTheCase(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	u := addWorkbenchUser(t, f)
	s := newWBServer(t, f)
	b := browserPage{t, ctx}
	openFresh(b, s.url())
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "dengpao.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s.offline(b, true)
	openVisit(b, s, f.householdA3.ID, true)
	b.do("a case with a photo", chromedp.Click(chromedp.CSS(`[data-wb-case-open]`)),
		chromedp.Evaluate[chromedp.Void](`(s => { s.value = s.options[1].value; })(document.querySelector("[data-wb-category]"))`),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-desc]`), "楼道灯坏了"),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-done]`), "已报修"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-wb-photos]`), []string{path}))
	saveVisit(b, s, true)
	s.offline(b, false)
	sentClean(b, "the visit and its photo")
	cs := f.store.(casework.Store)
	list, _, err := cs.ListCases(context.Background(), casework.ActorOf(u), casework.Filter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("cases %d, %v", len(list), err)
	}
	at, err := cs.CaseAttachments(context.Background(), casework.ActorOf(u), list[0].Number)
	if err != nil || len(at) != 1 {
		t.Errorf("the case keeps %d attachments (%v), want the photo", len(at), err)
	}
	s.report()
}

// TestBrowserWorkbenchVisitsAPlace: a visit to a place that is no
// household is recorded offline and arrives with the place named.
func TestBrowserWorkbenchVisitsAPlace(t *testing.T) {
	f, s, b := workbenchSession(t)
	before := storeCounts(t, f)
	s.offline(b, true)
	b.do("the visit form without a household", chromedp.Click(chromedp.CSS(`[data-wb-other]`)), chromedp.WaitVisible(chromedp.CSS(`[data-wb-pick]`)))
	b.do("a place", chromedp.SendKeys(chromedp.CSS(`[data-wb-place-input]`), "东苑小区中心广场"),
		chromedp.Click(chromedp.CSS(`[data-wb-place-go]`)), chromedp.WaitVisible(chromedp.CSS(`[data-wb-form]`)),
		chromedp.Click(chromedp.CSS(`[data-wb-clear="facilities"] input[value="changed"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-clear="facilities"] textarea`), "健身器材一处松动"))
	saveVisit(b, s, true)
	s.offline(b, false)
	sentClean(b, "the place's visit")
	vs, n, err := f.store.ListVisits(context.Background(), wangge.ScopeAll(), wangge.VisitFilter{GridCode: gridA})
	if err != nil || n != before.visits+1 {
		t.Fatalf("visits %d (%v), want %d", n, err, before.visits+1)
	}
	found := false
	for _, v := range vs {
		found = found || v.Place == "东苑小区中心广场" && v.HouseholdID == nil && v.Clears.Facilities == "健身器材一处松动"
	}
	if !found {
		t.Errorf("no visit to the place among %+v", vs)
	}
}

// TestBrowserWorkbenchChangeNamesTheMember: a new phone is about one
// member, picked from the household's members the day lists (names
// masked), and arrives as a change to that person, not as words for the
// community to sort out.
func TestBrowserWorkbenchChangeNamesTheMember(t *testing.T) {
	f, s, b := workbenchSession(t)
	persons, _, err := f.store.ListPersons(context.Background(), wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.householdA1.ID})
	if err != nil || len(persons) == 0 {
		t.Fatalf("household A1 has no persons: %v", err)
	}
	last := persons[len(persons)-1]
	openVisit(b, s, f.householdA1.ID, false)
	b.do("a new phone for one member",
		chromedp.Click(chromedp.CSS(`[data-wb-add-change]`)),
		chromedp.SetValue(chromedp.CSS(`[data-wb-changes] [data-k=kind]`), "phone"),
		chromedp.Evaluate[chromedp.Void](`(k => k.dispatchEvent(new Event("change")))(document.querySelector("[data-wb-changes] [data-k=kind]"))`),
		chromedp.SetValue(chromedp.CSS(`[data-wb-changes] [data-k=person]`), fmt.Sprint(last.ID)),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-changes] [data-k=detail]`), "13800009876"))
	var names []string
	names, err = chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("[data-wb-changes] [data-k=person] option")].map(o => o.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(persons) {
		t.Errorf("the picker lists %v, want the household's %d members", names, len(persons))
	}
	for _, p := range persons {
		for _, n := range names {
			if n == p.Name {
				t.Errorf("the picker shows %q in full", n)
			}
		}
	}
	saveVisit(b, s, false)
	sentClean(b, "the visit with the new phone")
	lc := f.store.(interface {
		ListLedgerChanges(ctx context.Context, s wangge.Scope, f wangge.LedgerChangeFilter) ([]wangge.LedgerChange, int, error)
	})
	list, _, err := lc.ListLedgerChanges(context.Background(), wangge.ScopeAll(), wangge.LedgerChangeFilter{GridCode: gridA, Page: wangge.Page{Limit: 10}})
	if err != nil || len(list) != 1 {
		t.Fatalf("ledger changes %+v (%v), want the one", list, err)
	}
	if c := list[0]; c.Kind != wangge.LedgerPhone || c.PersonID == nil || *c.PersonID != last.ID {
		t.Errorf("the change = %+v, want a new phone for person %d", c, last.ID)
	}
}

// TestBrowserWorkbenchVisitsAUnit: the grid's resident units are offered
// beside a place, and a visit to one, recorded offline, arrives as the
// unit's.
func TestBrowserWorkbenchVisitsAUnit(t *testing.T) {
	f, s, b := workbenchSession(t)
	units, _, err := f.store.ListUnits(context.Background(), wangge.ScopeAll(), wangge.UnitFilter{GridCode: gridA})
	if err != nil || len(units) == 0 {
		t.Fatalf("grid A has no units: %v", err)
	}
	s.offline(b, true)
	b.do("the visit form without a household", chromedp.Click(chromedp.CSS(`[data-wb-other]`)), chromedp.WaitVisible(chromedp.CSS(`[data-wb-pick]`)))
	b.do("a unit", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-wb-unit-list] [data-unit="%d"]`, units[0].ID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-wb-form]`)),
		chromedp.Click(chromedp.CSS(`[data-wb-clear="dangers"] input[value="changed"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-wb-clear="dangers"] textarea`), "后门消防通道堆放纸箱"))
	saveVisit(b, s, true)
	s.offline(b, false)
	sentClean(b, "the unit's visit")
	vs, n, err := f.store.ListVisits(context.Background(), wangge.ScopeAll(), wangge.VisitFilter{GridCode: gridA, UnitID: units[0].ID})
	if err != nil || n != 1 {
		t.Fatalf("the unit's visits: %d (%v), want 1", n, err)
	}
	if v := vs[0]; v.UnitID == nil || *v.UnitID != units[0].ID || v.HouseholdID != nil || v.Clears.Dangers != "后门消防通道堆放纸箱" {
		t.Errorf("the visit = %+v, want the unit's with the danger found", v)
	}
}
