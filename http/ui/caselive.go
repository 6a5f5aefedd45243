package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
)

// The cases' life inside the server, beside the pages: the escalation of
// overdue cases (the emergency timer among them), the live push of case
// changes to the open pages (Server-Sent Events), and the notifications of
// whoever must act next.
//
// Escalation runs on every server through the core's Every; the store
// makes each escalation happen once however many servers sweep. The live
// push works across servers too: each server's hub polls the store's one
// commit-ordered sequence of changes (the audit chain's head) while
// someone listens, so a change any server commits reaches the listeners of
// every server. A listener hears only of cases it sees, checked by the
// store with its own actor.

// CaseLiveStore is what the escalation sweep, the live push and the
// notifications use of the case store.
type CaseLiveStore interface {
	EscalateDue(ctx context.Context, limit int) (int, error)
	CaseChangeHead(ctx context.Context) (int64, error)
	CaseChangesAfter(ctx context.Context, after int64, limit int) ([]casework.Change, error)
	CasesSeen(ctx context.Context, a casework.Actor, ids []int64) (map[int64]bool, error)
	ListCases(ctx context.Context, a casework.Actor, f casework.Filter) ([]casework.Case, int, error)
	CaseEngine(ctx context.Context) (*casework.Engine, error)
}

var (
	// caseSweepEvery spaces the escalation sweeps: an emergency's ten
	// minutes are missed by at most this much. A variable for the tests.
	caseSweepEvery = 15 * time.Second
	// livePollEvery is how often a hub with listeners asks the store for
	// the newest change.
	livePollEvery = 500 * time.Millisecond
)

const (
	// liveHeartbeat keeps proxies and the browser from timing a quiet
	// stream out.
	liveHeartbeat = 25 * time.Second
	// liveLifetime ends a stream after a while: the browser reconnects at
	// once, and the new request checks the session and the account again.
	liveLifetime = 10 * time.Minute
	// liveRetry is the reconnection delay the stream asks the browser for.
	liveRetry = 3 * time.Second
	// liveClientsMax bounds one server's listeners, liveClientsPerUser
	// one account's (a few tabs).
	liveClientsMax     = 1000
	liveClientsPerUser = 8
	// liveBuffer is how many events wait for a slow listener before it is
	// told to refresh instead.
	liveBuffer = 32
	// liveBatches bounds the store reads of one poll (a backlog drains
	// over several polls).
	liveBatches = 5

	// notifyCounted bounds the notifications counted and listed: the
	// header says "99+" beyond; notifyScanned bounds the open cases looked
	// at to find them.
	notifyCounted = 100
	notifyScanned = 2000
	notifyPage    = 200 // most lists fill from the first page: the bound is 100
)

// caseLive holds the sweep, the hub and the notification handlers.
type caseLive struct {
	core  *whttp.Server
	store CaseLiveStore
	hub   *liveHub
}

// caseLiveRoutes is the live push's and the notifications' part of the
// server; it registers the escalation sweep and the hub's shutdown with
// the core's Every.
func caseLiveRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	cs, ok := store.(CaseLiveStore)
	if !ok {
		panic(fmt.Sprintf("ui: the store (%T) does not implement CaseLiveStore: escalation and the live pages need the case store", store))
	}
	lv := &caseLive{core: core, store: cs, hub: newLiveHub(cs, core.Logger(), livePollEvery)}
	core.Every(caseSweepEvery, lv.sweep)
	core.Every(livePollEvery, lv.hub.bind)
	return []whttp.Route{
		core.Page("GET /cases/live", wangge.PermCases, lv.handleLive),
		core.Page("GET /notifications", wangge.PermCases, lv.handleNotifications),
		core.Page("GET /notifications/count", wangge.PermCases, lv.handleNotificationCount),
	}
}

// sweep escalates the cases whose deadline ran out, a batch a tick.
func (lv *caseLive) sweep(ctx context.Context) {
	n, err := lv.store.EscalateDue(ctx, 0)
	if err != nil && ctx.Err() == nil {
		lv.core.Logger().Warn("escalating overdue cases", "err", err)
	}
	if n > 0 {
		lv.core.Logger().Info("escalated overdue cases", "count", n)
	}
}

// liveEvent is what a listener gets of a change: its kind, the case's
// number, category, mechanism, level and state, where to open it, and the
// alert's words in the listener's language.
type liveEvent struct {
	Seq       int64               `json:"-"`
	Kind      casework.ChangeKind `json:"kind"`
	Action    string              `json:"action"`
	Number    string              `json:"number"`
	Category  string              `json:"category"`
	Mechanism string              `json:"mechanism"`
	Level     int                 `json:"level"`
	State     string              `json:"state"`
	URL       string              `json:"url"`
	// Alert is set for a new or escalated emergency: the banner's text.
	Alert string `json:"alert,omitempty"`
}

// liveClient is one open stream.
type liveClient struct {
	actor casework.Actor
	ch    chan casework.Change
	// lagged is set when events were dropped for a slow listener: it is
	// told to refresh what it shows.
	lagged chan struct{}
}

// liveHub polls the store for changes while anyone listens and hands each
// listener those of the cases it sees.
type liveHub struct {
	store CaseLiveStore
	log   *slog.Logger
	poll  time.Duration

	mu      sync.Mutex
	clients map[*liveClient]struct{}
	perUser map[int64]int
	running bool
	cursor  int64
	bound   bool
	done    chan struct{} // closed when the server stops
	closed  bool
}

func newLiveHub(store CaseLiveStore, log *slog.Logger, poll time.Duration) *liveHub {
	return &liveHub{store: store, log: log, poll: poll, clients: map[*liveClient]struct{}{}, perUser: map[int64]int{}, done: make(chan struct{})}
}

// bind ties the hub to the serving server's life (it runs from the
// core's Every, whose context ends when the server stops): then every
// stream ends, so the server's shutdown waits for none.
func (h *liveHub) bind(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.bound {
		return
	}
	h.bound = true
	go func() {
		<-ctx.Done()
		h.close()
	}()
}

// close ends every stream and refuses new ones.
func (h *liveHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

var (
	errLiveBusy   = wangge.E(wangge.ERateLimited, "error.live.busy")
	errLiveClosed = wangge.E(wangge.ERateLimited, "error.live.closed")
)

// subscribe adds a listener. The first one starts the poll, from the
// store's newest change: a page hears of what happens after it opened.
func (h *liveHub) subscribe(ctx context.Context, a casework.Actor) (*liveClient, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, errLiveClosed
	case len(h.clients) >= liveClientsMax, h.perUser[a.UserID] >= liveClientsPerUser:
		return nil, errLiveBusy
	}
	if !h.running {
		head, err := h.store.CaseChangeHead(ctx)
		if err != nil {
			return nil, err
		}
		h.cursor, h.running = head, true
		go h.run()
	}
	c := &liveClient{actor: a, ch: make(chan casework.Change, liveBuffer), lagged: make(chan struct{}, 1)}
	h.clients[c] = struct{}{}
	h.perUser[a.UserID]++
	return c, nil
}

func (h *liveHub) unsubscribe(c *liveClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	if h.perUser[c.actor.UserID]--; h.perUser[c.actor.UserID] <= 0 {
		delete(h.perUser, c.actor.UserID)
	}
}

// run polls until nobody listens or the server stops.
func (h *liveHub) run() {
	t := time.NewTicker(h.poll)
	defer t.Stop()
	for {
		select {
		case <-h.done:
			h.mu.Lock()
			h.running = false
			h.mu.Unlock()
			return
		case <-t.C:
		}
		h.mu.Lock()
		if len(h.clients) == 0 {
			h.running = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := h.pollOnce(ctx); err != nil {
			h.log.Warn("live: reading case changes", "err", err)
		}
		cancel()
	}
}

// actorKey names what a listener's sight depends on (Actor.Sees): the
// role, area and line, and for a building head the account, whose own
// reports are what he sees. Listeners with the same key see the same
// cases, so one store check serves a whole community's staff.
func actorKey(a casework.Actor) string {
	key := fmt.Sprint(a.Role, "|", a.ScopeCode, "|", a.Line)
	if a.Role == wangge.RoleBuildingHead {
		key += fmt.Sprint("|", a.UserID)
	}
	return key
}

// pollOnce reads the changes since the cursor and hands them out.
func (h *liveHub) pollOnce(ctx context.Context) error {
	head, err := h.store.CaseChangeHead(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	cursor := h.cursor
	if head < cursor {
		// The chain was started again (a restore): follow it from here.
		h.cursor = head
	}
	h.mu.Unlock()
	if head <= cursor {
		return nil
	}
	for range liveBatches {
		changes, err := h.store.CaseChangesAfter(ctx, cursor, 0)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			cursor = head // entries of other objects only
		} else {
			cursor = changes[len(changes)-1].Seq
			if err := h.deliver(ctx, changes); err != nil {
				return err
			}
		}
		h.mu.Lock()
		h.cursor = cursor
		h.mu.Unlock()
		if cursor >= head {
			break
		}
	}
	return nil
}

// deliver hands each listener the changes of the cases it sees.
func (h *liveHub) deliver(ctx context.Context, changes []casework.Change) error {
	h.mu.Lock()
	clients := make([]*liveClient, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	ids := make([]int64, len(changes))
	for i, ch := range changes {
		ids[i] = ch.ID
	}
	seen := map[string]map[int64]bool{}
	for _, c := range clients {
		key := actorKey(c.actor)
		s, ok := seen[key]
		if !ok {
			var err error
			if s, err = h.store.CasesSeen(ctx, c.actor, ids); err != nil {
				return err
			}
			seen[key] = s
		}
		for _, ch := range changes {
			if !s[ch.ID] {
				continue
			}
			select {
			case c.ch <- ch:
			default:
				select {
				case c.lagged <- struct{}{}:
				default:
				}
			}
		}
	}
	return nil
}

// handleLive serves the event stream of the cases the user sees. A
// client that does not ask for a stream (no Accept: text/event-stream)
// gets its opening and the end: nothing waits on a request that cannot
// hold a stream.
func (lv *caseLive) handleLive(w http.ResponseWriter, r *http.Request) error {
	a := casework.ActorOf(whttp.UserFrom(r.Context()))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on as they come
	opening := fmt.Sprintf("retry: %d\n: open\n\n", liveRetry.Milliseconds())
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, opening)
		return nil
	}
	c, err := lv.hub.subscribe(r.Context(), a)
	if err != nil {
		return err
	}
	defer lv.hub.unsubscribe(c)
	out := openStream(w, r)
	defer out.close()
	if out.write(opening) != nil {
		return nil
	}
	lang := whttp.LangOf(r)
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	end := time.NewTimer(liveLifetime)
	defer end.Stop()
	for {
		var err error
		select {
		case <-out.gone:
			return nil
		case <-lv.hub.done:
			return nil
		case <-end.C:
			return nil
		case <-beat.C:
			err = out.write(": ping\n\n")
		case <-c.lagged:
			// Events were dropped: have the page refresh from the store.
			err = out.write("event: case\ndata: {\"kind\":\"changed\"}\n\n")
		case ch := <-c.ch:
			ev := lv.event(lang, ch)
			b, _ := json.Marshal(ev)
			err = out.write(fmt.Sprintf("id: %d\nevent: case\ndata: %s\n\n", ev.Seq, b))
		}
		if err != nil {
			return nil
		}
	}
}

// stream is an open event stream's connection.
type stream struct {
	write func(string) error
	gone  <-chan struct{} // closed when the client went away
	close func()
}

// liveWriteTimeout bounds one write to a stream: a client that stopped
// reading is let go.
const liveWriteTimeout = 30 * time.Second

// openStream starts the response of an event stream. Over HTTP/1.1 it
// takes the connection over (Hijack), because a server waits for every
// request in flight when it stops (httptest's Close, and Shutdown up to
// its timeout), and an open page's stream never finishes by itself; the
// hub ends the taken streams when the server stops. Where the connection
// cannot be taken (HTTP/2) it streams through the response writer.
func openStream(w http.ResponseWriter, r *http.Request) *stream {
	rc := http.NewResponseController(w)
	conn, brw, err := rc.Hijack()
	if err != nil {
		// The server's write timeout is for pages; a stream lives longer
		// and ends on its own (liveLifetime).
		rc.SetWriteDeadline(time.Time{})
		w.WriteHeader(http.StatusOK)
		return &stream{gone: r.Context().Done(), close: func() {},
			write: func(s string) error {
				if _, err := io.WriteString(w, s); err != nil {
					return err
				}
				return rc.Flush()
			}}
	}
	conn.SetDeadline(time.Time{}) // the server's read and write timeouts are for pages
	gone := make(chan struct{})
	go func() {
		// The client sends nothing more: a read ends when it goes.
		io.Copy(io.Discard, brw.Reader)
		close(gone)
	}()
	st := &stream{gone: gone, close: func() { conn.Close() },
		write: func(s string) error {
			conn.SetWriteDeadline(time.Now().Add(liveWriteTimeout))
			if _, err := brw.WriteString(s); err != nil {
				return err
			}
			return brw.Flush()
		}}
	var head strings.Builder
	head.WriteString("HTTP/1.1 200 OK\r\n")
	w.Header().Write(&head)
	head.WriteString("Connection: close\r\n\r\n")
	if _, err := brw.WriteString(head.String()); err != nil {
		conn.Close()
	}
	return st
}

// event is a change as a listener in language l gets it.
func (lv *caseLive) event(l whttp.Lang, ch casework.Change) liveEvent {
	c := &ch.Case
	ev := liveEvent{Seq: ch.Seq, Kind: ch.Kind(), Action: string(ch.Action), Number: c.Number, Category: categoryName(l, c.Category),
		Mechanism: string(c.Mechanism), Level: int(c.Level), State: string(c.State), URL: "/cases/" + c.Number}
	if c.Mechanism == casework.Emergency {
		switch ev.Kind {
		case casework.KindNewEmergency:
			ev.Alert = lv.core.TLang(l, "live.alert.emergency", "Number", c.Number, "Category", ev.Category)
		case casework.KindEscalated:
			ev.Alert = lv.core.TLang(l, "live.alert.escalated", "Number", c.Number, "Category", ev.Category,
				"Level", lv.core.TLang(l, "case.level."+strconv.Itoa(int(c.Level))))
		}
	}
	return ev
}

// awaitedActions are the moves that make a case wait on someone: taking
// it on, passing it on, doing, checking or deciding the work, telling the
// reporter and closing. What anyone may do at any time (supervise, merge,
// defer, reopen) or instead of the awaited move (return, rework, reject)
// is no reason to notify.
var awaitedActions = map[casework.ActionName]bool{
	casework.ActAcknowledge: true, casework.ActDispatch: true, casework.ActAccept: true, casework.ActHandle: true,
	casework.ActVerify: true, casework.ActSubmit: true, casework.ActApprove: true, casework.ActApproveDefer: true,
	casework.ActFeedback: true, casework.ActClose: true,
}

// notice is one case waiting on the viewer.
type notice struct {
	Number    string
	Category  string
	Mechanism casework.Mechanism
	State     casework.State
	Level     int
	Awaited   casework.ActionName
	Light     casework.Light
	Due       time.Time
	Emergency bool
}

// notices finds the open cases whose next move is the viewer's, in the
// board's order (emergencies, then by deadline), at most notifyCounted of
// them among the first notifyScanned open cases the viewer sees. more
// tells that the count stopped at the bound.
func (lv *caseLive) notices(ctx context.Context, l whttp.Lang, a casework.Actor) (out []notice, more bool, err error) {
	eng, err := lv.store.CaseEngine(ctx)
	if err != nil {
		return nil, false, err
	}
	now := lv.core.Now()
	f := casework.Filter{Open: true, Board: true}
	if a.Role == wangge.RoleDepartment {
		// A department moves only on what was dispatched to it.
		f.Receiver = a.Line
	}
	for off := 0; off < notifyScanned; off += notifyPage {
		f.Page = wangge.Page{Offset: off, Limit: notifyPage}
		cases, total, err := lv.store.ListCases(ctx, a, f)
		if err != nil {
			return nil, false, err
		}
		for i := range cases {
			c := &cases[i]
			var next casework.ActionName
			for _, n := range eng.Allowed(c, a, now) {
				if awaitedActions[n] {
					next = n
					break
				}
			}
			if next == "" {
				continue
			}
			if len(out) == notifyCounted {
				return out, true, nil
			}
			nt := notice{Number: c.Number, Category: categoryName(l, c.Category), Mechanism: c.Mechanism, State: c.State,
				Level: int(c.Level), Awaited: next, Emergency: c.Mechanism == casework.Emergency}
			if d := c.Running(); d != nil {
				nt.Light, nt.Due = eng.Light(d, now), d.Due
			}
			out = append(out, nt)
		}
		if off+len(cases) >= total || len(cases) == 0 {
			break
		}
	}
	return out, false, nil
}

// countLabel is the header's count: the number, or "99+" at the bound.
func countLabel(n int, more bool) string {
	if more || n >= notifyCounted {
		return strconv.Itoa(notifyCounted-1) + "+"
	}
	return strconv.Itoa(n)
}

// notificationsView is the notifications page.
type notificationsView struct {
	Items []notice
	Count int
	Label string
}

// handleNotifications lists the cases waiting on the viewer. The list
// sits in #case-board, so the live script refreshes it on a change.
func (lv *caseLive) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	a := casework.ActorOf(whttp.UserFrom(r.Context()))
	items, more, err := lv.notices(r.Context(), whttp.LangOf(r), a)
	if err != nil {
		return err
	}
	lv.core.Render(w, r, http.StatusOK, "notifications", &whttp.View{
		Title: lv.core.T(r, "notify.title"),
		Data:  notificationsView{Items: items, Count: len(items), Label: countLabel(len(items), more)},
	})
	return nil
}

// handleNotificationCount answers the header's count as JSON.
func (lv *caseLive) handleNotificationCount(w http.ResponseWriter, r *http.Request) error {
	a := casework.ActorOf(whttp.UserFrom(r.Context()))
	items, more, err := lv.notices(r.Context(), whttp.LangOf(r), a)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	whttp.WriteJSON(w, http.StatusOK, map[string]any{"count": len(items), "more": more, "label": countLabel(len(items), more)})
	return nil
}
