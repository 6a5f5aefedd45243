package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	wanggehttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// The case load test (issue 12, "Done when"): the real server on loopback
// over a fresh store, N logged-in clients registering cases and taking
// them through the coordination loop for a while, then the checks that
// nothing was lost, duplicated or left out of a timeline, and that the
// audit chain holds. Every operation's latency is set against a trivial
// handler (a static file) measured by the same clients in the same run.
//
// The clients work in teams of four, each team a community: two grid
// assistants register cases in their grids (some retried with the same
// Idempotency-Key and body, some with the same key and another body) while
// their community has fewer than dispatchBacklog waiting to be dispatched,
// read their cases otherwise, and tell the reporters the outcome; the community's staff dispatch, verify
// and close (and now and then send a version they know is stale); a
// department of one business line accepts and handles what is dispatched
// to it. A team's cases pass from hand to hand through queues in the
// bench, so two clients never act on one case at once except when a
// stale version is sent on purpose.

const benchCasesUsage = `usage:
  wangge bench cases [--db DSN] [--clients 200] [--duration 60s] [--json]
      the case API under load on loopback: a fresh SQLite file in a temporary directory by
      default, or a throwaway database made (and dropped) on the PostgreSQL server of --db`

// caseLoadConfig is one run's settings.
type caseLoadConfig struct {
	// DSN is a PostgreSQL server to make a throwaway database on, or a
	// SQLite path that does not exist yet (kept afterwards); "" for a
	// SQLite file in a temporary directory.
	DSN      string
	Clients  int
	Duration time.Duration
}

// opStats are one operation's figures.
type opStats struct {
	Op         string  `json:"op"`
	Count      int     `json:"count"`
	PerSecond  float64 `json:"per_second"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	P50Trivial float64 `json:"p50_x_trivial"`
	P99Trivial float64 `json:"p99_x_trivial"`
}

// caseLoadChecks are the invariants checked after the run.
type caseLoadChecks struct {
	Created          int  `json:"created"`            // 201 answers
	Duplicated       int  `json:"duplicated"`         // numbers two 201s gave
	CasesInStore     int  `json:"cases_in_store"`     // cases the store holds after the run
	Lost             int  `json:"lost"`               // numbers a 201 gave that the store lacks
	Uncertain        int  `json:"uncertain"`          // requests whose answer never came (excluded from exact counts)
	Retries          int  `json:"retries"`            // same key, same body
	RetriesSame      int  `json:"retries_same"`       // … answered 200 with the first number
	Conflicts        int  `json:"conflicts"`          // same key, other body
	ConflictsRefused int  `json:"conflicts_refused"`  // … answered 409
	Stale            int  `json:"stale"`              // transitions sent with a stale version
	StaleRefused     int  `json:"stale_refused"`      // … answered 409
	Transitions      int  `json:"transitions"`        // transitions answered 200
	MissingEvents    int  `json:"missing_events"`     // of those, not in their case's timeline
	ExtraEvents      int  `json:"extra_events"`       // timeline events no answer reported
	Closed           int  `json:"closed"`             // cases taken all the way to closed
	AuditCaseEntries int  `json:"audit_case_entries"` // audit entries about cases
	AuditIntact      bool `json:"audit_intact"`       // the chain verifies
	AuditChecked     int  `json:"audit_checked"`      // entries the verification read
	Unexpected       int  `json:"unexpected"`         // answers of a status the step does not expect
}

// caseLoadReport is what a run measured and found.
type caseLoadReport struct {
	Database    string         `json:"database"`
	Clients     int            `json:"clients"`
	Assistants  int            `json:"assistants"`
	Staff       int            `json:"community_staff"`
	Departments int            `json:"departments"`
	Seconds     float64        `json:"seconds"`
	Operations  []opStats      `json:"operations"`
	Trivial     opStats        `json:"trivial"`
	Checks      caseLoadChecks `json:"checks"`
	Problems    []string       `json:"problems"`
	OK          bool           `json:"ok"`
}

// benchCases runs `wangge bench cases`.
func benchCases(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench cases", flag.ExitOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), benchCasesUsage) }
	dsn := fs.String("db", "", "a PostgreSQL server (a throwaway database is made on it), or a new SQLite path; default a temporary SQLite file")
	clients := fs.Int("clients", 200, "concurrent clients, in teams of four (rounded down to a multiple of four, at least four)")
	duration := fs.Duration("duration", 60*time.Second, "how long the clients work")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Parse(args)
	if *clients < 1 || *clients > 4000 || *duration <= 0 || *duration > time.Hour {
		fmt.Fprintln(os.Stderr, benchCasesUsage)
		return exitError(2)
	}
	rep, err := runCaseLoad(ctx, caseLoadConfig{DSN: *dsn, Clients: *clients, Duration: *duration})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(rep)
	} else {
		printCaseLoad(rep)
	}
	if !rep.OK {
		return exitError(1)
	}
	return nil
}

// printCaseLoad writes the report as text.
func printCaseLoad(r *caseLoadReport) {
	fmt.Printf("database: %s; %d clients (%d assistants, %d community staff, %d departments) for %.1f s on loopback\n",
		r.Database, r.Clients, r.Assistants, r.Staff, r.Departments, r.Seconds)
	fmt.Printf("%-16s %8s %9s %9s %9s %11s %11s\n", "operation", "count", "per s", "p50 ms", "p99 ms", "p50×trivial", "p99×trivial")
	for _, o := range append(slices.Clone(r.Operations), r.Trivial) {
		fmt.Printf("%-16s %8d %9.1f %9.2f %9.2f %10.1f× %10.1f×\n", o.Op, o.Count, o.PerSecond, o.P50ms, o.P99ms, o.P50Trivial, o.P99Trivial)
	}
	c := r.Checks
	fmt.Printf("cases: %d created (201), %d in the store, %d lost, %d duplicated, %d taken to closed\n", c.Created, c.CasesInStore, c.Lost, c.Duplicated, c.Closed)
	fmt.Printf("idempotency: %d retries with the same key and body, %d answered with the first number; %d with another body, %d refused (409)\n",
		c.Retries, c.RetriesSame, c.Conflicts, c.ConflictsRefused)
	fmt.Printf("transitions: %d answered 200, %d missing from their timeline, %d events no answer reported; %d stale versions sent, %d refused (409)\n",
		c.Transitions, c.MissingEvents, c.ExtraEvents, c.Stale, c.StaleRefused)
	fmt.Printf("audit: chain %s (%d entries checked), %d entries about cases (creates + transitions = %d)\n",
		map[bool]string{true: "holds", false: "BROKEN"}[c.AuditIntact], c.AuditChecked, c.AuditCaseEntries, c.Created+c.Transitions)
	fmt.Printf("unexpected answers: %d; unanswered requests: %d\n", c.Unexpected, c.Uncertain)
	for _, p := range r.Problems {
		fmt.Println("problem:", p)
	}
	fmt.Printf("verdict: %s\n", map[bool]string{true: "PASS", false: "FAIL"}[r.OK])
}

// benchDistrict is the region tree the load test makes: one district, one
// sub-district, a community per team with two grids.
const (
	benchDistrict    = "140499"
	benchSubdistrict = "140499001"
)

// benchLines are the department lines the teams' departments cycle
// through.
var benchLines = []wangge.Line{wangge.LineCity, wangge.LineCivil, wangge.LineOrder, wangge.LineLabor, wangge.LineHealth, wangge.LineParty}

// benchCategories are the coordination problem types the assistants raise.
var benchCategories = func() []string {
	var out []string
	for _, c := range casework.ProblemTypes {
		if c.Mechanism == casework.Coordination {
			out = append(out, c.Code)
		}
	}
	return out
}()

// runCaseLoad makes the store, serves it on loopback, runs the clients for
// the duration and checks what they left.
func runCaseLoad(ctx context.Context, cfg caseLoadConfig) (*caseLoadReport, error) {
	teams := max(1, cfg.Clients/4)
	dir, err := os.MkdirTemp("", "wangge-bench-cases-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	dsn := cfg.DSN
	switch {
	case dsn == "":
		dsn = filepath.Join(dir, "bench.db")
	case isPostgres(dsn):
		made, drop, err := throwawayPostgres(ctx, dsn)
		if err != nil {
			return nil, err
		}
		defer drop()
		dsn = made
	default:
		if _, err := os.Stat(sqlite.Path(dsn)); err == nil {
			return nil, fmt.Errorf("bench cases runs on a fresh store: %s exists", sqlite.Path(dsn))
		}
	}
	db, err := openBenchStore(ctx, dsn, filepath.Join(dir, "bench.key"))
	if err != nil {
		return nil, err
	}
	defer db.Close()

	pw := "Bench-" + randomHex(8) + "-Pw"
	crew, err := benchCrew(ctx, db, teams, pw)
	if err != nil {
		return nil, err
	}

	// The real server, as `wangge serve` runs it, on a free loopback port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	srv := newWebServer(db, wanggehttp.Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	sctx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(sctx, addr) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		stopServer()
		return <-served
	}
	defer stop()
	base := "http://" + addr
	transport := &http.Transport{MaxIdleConns: 4 * teams * 2, MaxIdleConnsPerHost: 4 * teams * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := waitHealthy(ctx, hc, base); err != nil {
		return nil, err
	}
	for _, c := range crew.all() {
		c.hc, c.base = hc, base
		if err := c.login(pw); err != nil {
			return nil, err
		}
	}

	wctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	for _, tm := range crew.teams {
		for _, a := range tm.assistants {
			wg.Go(func() { a.assist(wctx, tm) })
		}
		wg.Go(func() { tm.staff.coordinate(wctx, tm) })
		wg.Go(func() { tm.department.work(wctx, tm) })
	}
	wg.Wait()
	cancel()
	elapsed := time.Since(start)
	if err := stop(); err != nil {
		return nil, fmt.Errorf("the server: %w", err)
	}

	rep := &caseLoadReport{Database: db.Dialect(), Clients: 4 * teams, Assistants: 2 * teams, Staff: teams, Departments: teams, Seconds: elapsed.Seconds(), Problems: []string{}}
	merged := crew.merge()
	rep.Trivial = opFigures("trivial", merged.lat["trivial"], elapsed, nil)
	for _, op := range []string{"create", "create_retry", "create_conflict", "dispatch", "accept", "handle", "verify", "feedback", "close", "stale", "get", "list"} {
		if ds := merged.lat[op]; len(ds) > 0 {
			rep.Operations = append(rep.Operations, opFigures(op, ds, elapsed, merged.lat["trivial"]))
		}
	}
	if err := checkCaseLoad(ctx, db, merged, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// opFigures turns latencies into an operation's figures, against the trivial
// handler's where given.
func opFigures(op string, ds []time.Duration, elapsed time.Duration, trivial []time.Duration) opStats {
	o := opStats{Op: op, Count: len(ds)}
	if len(ds) == 0 {
		return o
	}
	o.PerSecond = float64(len(ds)) / elapsed.Seconds()
	p50, p99 := pct(ds, 0.5), pct(ds, 0.99)
	o.P50ms, o.P99ms = ms(p50), ms(p99)
	o.P50Trivial, o.P99Trivial = 1, 1
	if len(trivial) > 0 {
		t50, t99 := pct(trivial, 0.5), pct(trivial, 0.99)
		o.P50Trivial, o.P99Trivial = float64(p50)/float64(max(t50, time.Microsecond)), float64(p99)/float64(max(t99, time.Microsecond))
	}
	return o
}

// checkCaseLoad checks the invariants against the store, after the server
// stopped.
func checkCaseLoad(ctx context.Context, db *sqldb.DB, m *benchRecord, rep *caseLoadReport) error {
	c := &rep.Checks
	problem := func(format string, args ...any) {
		if len(rep.Problems) < 20 {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	c.Retries, c.RetriesSame, c.Conflicts, c.ConflictsRefused = m.retries, m.retriesSame, m.conflicts, m.conflictsRefused
	c.Stale, c.StaleRefused, c.Unexpected, c.Uncertain, c.Closed = m.stale, m.staleRefused, m.unexpected, len(m.uncertain), m.closed
	c.Created = len(m.created)
	seen := map[string]bool{}
	for _, n := range m.created {
		if seen[n] {
			c.Duplicated++
			problem("case %s was answered 201 twice", n)
		}
		seen[n] = true
	}
	counts, err := db.CaseCounts(ctx, wangge.ScopeAll())
	if err != nil {
		return err
	}
	for _, n := range counts {
		c.CasesInStore += n
	}
	if c.CasesInStore != len(seen) && m.uncertainCreates == 0 {
		problem("the store holds %d cases, the clients were answered 201 for %d distinct ones", c.CasesInStore, len(seen))
	}
	system := casework.Actor{Role: wangge.RoleSystem, Name: "wangge bench"}
	for n := range seen {
		cs, err := db.Case(ctx, system, n)
		if wangge.ErrorCode(err) == wangge.ENotFound {
			c.Lost++
			problem("case %s was answered 201 and is not in the store", n)
			continue
		} else if err != nil {
			return err
		}
		have := map[int]casework.ActionName{}
		for _, ev := range cs.Events {
			if ev.Action != casework.ActCreate {
				have[ev.Seq] = ev.Action
			}
		}
		for _, tr := range m.transitions[n] {
			c.Transitions++
			if have[tr.seq] != tr.action {
				c.MissingEvents++
				problem("case %s: %s (event %d) was answered 200 and its timeline has %q there", n, tr.action, tr.seq, have[tr.seq])
			}
			delete(have, tr.seq)
		}
		if !m.uncertain[n] && len(have) > 0 {
			c.ExtraEvents += len(have)
			problem("case %s: %d timeline events no answer reported", n, len(have))
		}
	}
	var entries int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object = 'case'`).Scan(&entries); err != nil {
		return err
	}
	c.AuditCaseEntries = entries
	if len(m.uncertain) == 0 && entries != c.Created+c.Transitions {
		problem("%d audit entries about cases, but %d creates and %d transitions were answered", entries, c.Created, c.Transitions)
	}
	vr, err := db.VerifyChain(ctx)
	if err != nil {
		return err
	}
	c.AuditIntact, c.AuditChecked = vr.Intact(), int(vr.Checked)
	if !c.AuditIntact {
		problem("the audit chain does not verify")
	}
	if c.RetriesSame != c.Retries {
		problem("%d of %d retries were not answered with the first number", c.Retries-c.RetriesSame, c.Retries)
	}
	if c.ConflictsRefused != c.Conflicts {
		problem("%d of %d reuses of a key with another body were not refused", c.Conflicts-c.ConflictsRefused, c.Conflicts)
	}
	if c.StaleRefused != c.Stale {
		problem("%d of %d stale versions were not refused", c.Stale-c.StaleRefused, c.Stale)
	}
	for _, p := range m.problems {
		problem("%s", p)
	}
	rep.OK = c.Duplicated == 0 && c.Lost == 0 && c.MissingEvents == 0 && c.ExtraEvents == 0 && c.AuditIntact &&
		c.RetriesSame == c.Retries && c.ConflictsRefused == c.Conflicts && c.StaleRefused == c.Stale &&
		c.Unexpected == 0 && c.Created > 0 && c.Transitions > 0 &&
		(m.uncertainCreates > 0 || c.CasesInStore == len(seen)) &&
		(len(m.uncertain) > 0 || c.AuditCaseEntries == c.Created+c.Transitions)
	return nil
}

// openBenchStore opens and migrates a fresh store with its own key file
// (never the working directory's or the environment's: the run's data is
// synthetic and thrown away).
func openBenchStore(ctx context.Context, dsn, keyFile string) (*sqldb.DB, error) {
	var db *sqldb.DB
	var err error
	if isPostgres(dsn) {
		db, err = postgres.Open(ctx, dsn)
	} else {
		db, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	for _, step := range []func() error{
		func() error { return useKey(ctx, db, keyFile) },
		func() error { return useAuditKey(ctx, db, keyFile) },
		func() error { return db.SeedServices(ctx) },
	} {
		if err := step(); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// throwawayPostgres makes a database on the server of dsn for one run and
// returns its DSN and what drops it.
func throwawayPostgres(ctx context.Context, dsn string) (string, func(), error) {
	base, err := url.Parse(dsn)
	if err != nil {
		return "", nil, err
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	name := "wangge_bench_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("make a throwaway database on %s: %w", base.Redacted(), err)
	}
	u := *base
	u.Path, u.RawPath = "/"+name, ""
	return u.String(), func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// waitHealthy waits for the server to answer /healthz.
func waitHealthy(ctx context.Context, hc *http.Client, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := hc.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("bench: the server on %s did not come up: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The clients.

// job is a case handed from one client to the next, at the version the
// last answer gave.
type job struct {
	number  string
	version int
	grid    string
}

// benchTeam is one community's clients and the queues between them.
type benchTeam struct {
	community  string
	line       wangge.Line
	assistants []*benchClient
	staff      *benchClient
	department *benchClient
	// What waits on whom: the staff dispatch, verify and close, the
	// department accepts and handles, the assistant of the case's grid
	// feeds back.
	toDispatch, toAccept, toVerify, toClose chan job
	toFeedback                              map[string]chan job
}

type benchCrewT struct{ teams []*benchTeam }

func (c *benchCrewT) all() []*benchClient {
	var out []*benchClient
	for _, t := range c.teams {
		out = append(out, t.assistants...)
		out = append(out, t.staff, t.department)
	}
	return out
}

// benchCrew makes the region tree and one account per client.
func benchCrew(ctx context.Context, db *sqldb.DB, teams int, pw string) (*benchCrewT, error) {
	sys := wangge.WithActor(ctx, wangge.Actor{Username: "wangge bench", Role: wangge.RoleSystem})
	for _, a := range []wangge.Area{{Code: benchDistrict, Name: "基准测试区"}, {Code: benchSubdistrict, Name: "基准测试街道"}} {
		if err := db.CreateArea(sys, &a); err != nil {
			return nil, err
		}
	}
	// Cheap hashes: the accounts live as long as the run's throwaway
	// database, and logging in is not what is measured.
	hash := passwd.Hash(pw, passwd.Params{Memory: 1024, Time: 1, Threads: 1})
	user := func(name string, role wangge.Role, scope string, line wangge.Line) (*benchClient, error) {
		u := &wangge.User{Username: name, DisplayName: name, Role: role, ScopeCode: scope, Line: line, PasswordHash: hash}
		if err := db.CreateUser(sys, u); err != nil {
			return nil, err
		}
		return &benchClient{name: name, lat: map[string][]time.Duration{}, rnd: mrand.New(mrand.NewPCG(uint64(len(name)), uint64(u.ID))), rec: newBenchRecord()}, nil
	}
	crew := &benchCrewT{}
	for i := range teams {
		community := fmt.Sprintf("%s%03d", benchSubdistrict, i+1)
		if err := db.CreateArea(sys, &wangge.Area{Code: community, Name: fmt.Sprintf("基准社区%d", i+1)}); err != nil {
			return nil, err
		}
		const queue = 4096
		tm := &benchTeam{community: community, line: benchLines[i%len(benchLines)],
			toDispatch: make(chan job, queue), toAccept: make(chan job, queue), toVerify: make(chan job, queue),
			toFeedback: map[string]chan job{}, toClose: make(chan job, queue)}
		for g := 1; g <= 2; g++ {
			grid := fmt.Sprintf("%s%03d", community, g)
			if err := db.CreateArea(sys, &wangge.Area{Code: grid, Name: fmt.Sprintf("基准社区%d第%d网格", i+1, g)}); err != nil {
				return nil, err
			}
			a, err := user(fmt.Sprintf("bench-xie-%d-%d", i+1, g), wangge.RoleAssistant, grid, "")
			if err != nil {
				return nil, err
			}
			a.grid = grid
			tm.toFeedback[grid] = make(chan job, queue)
			tm.assistants = append(tm.assistants, a)
		}
		var err error
		if tm.staff, err = user(fmt.Sprintf("bench-shequ-%d", i+1), wangge.RoleCommunityStaff, community, ""); err != nil {
			return nil, err
		}
		if tm.department, err = user(fmt.Sprintf("bench-bumen-%d", i+1), wangge.RoleDepartment, benchDistrict, tm.line); err != nil {
			return nil, err
		}
		crew.teams = append(crew.teams, tm)
	}
	return crew, nil
}

// benchRecord is what clients saw, for the checks: each client keeps its
// own (no locks while the run lasts) and merge adds them up.
type benchRecord struct {
	lat              map[string][]time.Duration
	created          []string // numbers answered 201
	transitions      map[string][]seenTransition
	uncertain        map[string]bool // cases a request about went unanswered
	uncertainCreates int
	retries          int
	retriesSame      int
	conflicts        int
	conflictsRefused int
	stale            int
	staleRefused     int
	unexpected       int
	closed           int
	problems         []string
}

type seenTransition struct {
	seq    int
	action casework.ActionName
}

func newBenchRecord() *benchRecord {
	return &benchRecord{lat: map[string][]time.Duration{}, transitions: map[string][]seenTransition{}, uncertain: map[string]bool{}}
}

func (c *benchCrewT) merge() *benchRecord {
	m := newBenchRecord()
	for _, cl := range c.all() {
		r := cl.rec
		for op, ds := range cl.lat {
			m.lat[op] = append(m.lat[op], ds...)
		}
		m.created = append(m.created, r.created...)
		for n, ts := range r.transitions {
			m.transitions[n] = append(m.transitions[n], ts...)
		}
		for n := range r.uncertain {
			m.uncertain[n] = true
		}
		m.uncertainCreates += r.uncertainCreates
		m.retries += r.retries
		m.retriesSame += r.retriesSame
		m.conflicts += r.conflicts
		m.conflictsRefused += r.conflictsRefused
		m.stale += r.stale
		m.staleRefused += r.staleRefused
		m.unexpected += r.unexpected
		m.closed += r.closed
		if len(m.problems) < 20 {
			m.problems = append(m.problems, r.problems...)
		}
	}
	return m
}

// benchClient is one logged-in account.
type benchClient struct {
	name   string
	grid   string // an assistant's
	hc     *http.Client
	base   string
	cookie string
	lat    map[string][]time.Duration
	rnd    *mrand.Rand
	rec    *benchRecord
	ops    int
	seq    int
}

func (c *benchClient) login(pw string) error {
	form := url.Values{"username": {c.name}, "password": {pw}}
	resp, err := c.hc.PostForm(c.base+"/login", form)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "wangge_session" && ck.Value != "" {
			c.cookie = ck.Name + "=" + ck.Value
		}
	}
	if c.cookie == "" {
		return fmt.Errorf("bench: %s could not log in: %d", c.name, resp.StatusCode)
	}
	return nil
}

// answer is one response: its status and JSON body (nil when it was not
// JSON), or the transport's error.
type answer struct {
	status int
	body   map[string]any
	err    error
}

// do sends one request and records its latency under op. Requests run on
// their own context, never the run's: one cut off at the end of the run
// would leave a write done with no answer.
func (c *benchClient) do(op, method, path string, body any, header ...string) answer {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Cookie", c.cookie)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	t0 := time.Now()
	resp, err := c.hc.Do(req)
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	d := time.Since(t0)
	if err != nil {
		return answer{err: err}
	}
	c.lat[op] = append(c.lat[op], d)
	a := answer{status: resp.StatusCode}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &a.body)
	}
	return a
}

// trivial asks the trivial handler now and then, so that it is measured
// under the same load by the same clients.
func (c *benchClient) trivial() {
	c.ops++
	if c.ops%4 != 0 {
		return
	}
	if a := c.do("trivial", "GET", "/static/app.css", nil); a.err != nil || a.status != http.StatusOK {
		c.unexpected("trivial", a)
	}
}

func (c *benchClient) unexpected(op string, a answer) {
	c.rec.unexpected++
	if len(c.rec.problems) < 5 {
		c.rec.problems = append(c.rec.problems, fmt.Sprintf("%s %s: status %d %v %v", c.name, op, a.status, a.err, a.body))
	}
}

// transition takes an action on a job's case and wants 200; it returns the
// case's version after it (0 when the case is out of the client's sight
// or the action failed).
func (c *benchClient) transition(j job, op string, body map[string]any) (int, bool) {
	body["action"] = op
	body["version"] = j.version
	a := c.do(op, "POST", "/api/v1/cases/"+j.number+"/transitions", body)
	if a.err != nil {
		c.rec.uncertain[j.number] = true
		c.unexpected(op, a)
		return 0, false
	}
	if a.status != http.StatusOK {
		c.unexpected(op, a)
		return 0, false
	}
	ev, _ := a.body["event"].(map[string]any)
	seq, _ := ev["seq"].(float64)
	c.rec.transitions[j.number] = append(c.rec.transitions[j.number], seenTransition{seq: int(seq), action: casework.ActionName(op)})
	cs, _ := a.body["case"].(map[string]any)
	v, _ := cs["version"].(float64)
	return int(v), true
}

// staleTry sends the job's transition with the version before the one read,
// and wants 409 and the version's conflict.
func (c *benchClient) staleTry(j job, op string, body map[string]any) {
	if j.version < 2 {
		return
	}
	b := map[string]any{}
	for k, v := range body {
		b[k] = v
	}
	b["action"], b["version"] = op, j.version-1
	c.rec.stale++
	a := c.do("stale", "POST", "/api/v1/cases/"+j.number+"/transitions", b)
	if a.err != nil {
		c.rec.uncertain[j.number] = true
		c.unexpected("stale", a)
		return
	}
	if e, _ := a.body["error"].(map[string]any); a.status == http.StatusConflict && e["code"] == "conflict" {
		c.rec.staleRefused++
	}
}

func push(q chan job, j job) {
	select {
	case q <- j:
	default: // a full queue leaves the case where it is
	}
}

// dispatchBacklog is how many cases a team's community may have waiting
// to be dispatched before its assistants stop registering new ones.
const dispatchBacklog = 10

// assist is an assistant's loop: tell the reporters of the verified cases,
// else register a new case (retrying some), or read one while the
// community has much to dispatch.
func (c *benchClient) assist(ctx context.Context, tm *benchTeam) {
	var mine []string
	for ctx.Err() == nil {
		c.trivial()
		select {
		case j := <-tm.toFeedback[c.grid]:
			if v, ok := c.transition(j, "feedback", map[string]any{"channel": "phone", "note": "已电话告知处理结果"}); ok {
				push(tm.toClose, job{j.number, v, j.grid})
			}
			continue
		default:
		}
		// An assistant registers what the community can take: with a
		// backlog to dispatch, he reads his cases instead, so every step
		// of the loop runs however slow the machine.
		if len(tm.toDispatch) >= dispatchBacklog && len(mine) > 0 {
			n := mine[c.rnd.IntN(len(mine))]
			if a := c.do("get", "GET", "/api/v1/cases/"+n, nil); a.err != nil || a.status != http.StatusOK {
				c.unexpected("get", a)
			}
			continue
		}
		c.seq++
		key := fmt.Sprintf("%s-%d-%s", c.name, c.seq, randomHex(4))
		body := map[string]any{
			"mechanism": "coordination", "category": benchCategories[c.rnd.IntN(len(benchCategories))], "grid_code": c.grid,
			"description": fmt.Sprintf("基准测试案件：%s 第 %d 件", c.name, c.seq),
			"reporter":    map[string]any{"name": "测试居民", "contact": fmt.Sprintf("139%08d", c.rnd.IntN(100000000))},
		}
		a := c.do("create", "POST", "/api/v1/cases", body, "Idempotency-Key", key)
		if a.err != nil {
			c.rec.uncertainCreates++
			c.unexpected("create", a)
			continue
		}
		number, _ := a.body["number"].(string)
		if a.status != http.StatusCreated || number == "" {
			c.unexpected("create", a)
			continue
		}
		c.rec.created = append(c.rec.created, number)
		mine = append(mine, number)
		version := 1
		switch r := c.rnd.IntN(20); {
		case r < 2: // a retry, as after a lost answer
			c.rec.retries++
			a := c.do("create_retry", "POST", "/api/v1/cases", body, "Idempotency-Key", key)
			if a.status == http.StatusOK && a.body["number"] == number {
				c.rec.retriesSame++
			} else if a.err != nil {
				c.rec.uncertainCreates++
			}
		case r < 3: // the same key reused for another report
			c.rec.conflicts++
			other := map[string]any{}
			for k, v := range body {
				other[k] = v
			}
			other["description"] = "另一件事"
			a := c.do("create_conflict", "POST", "/api/v1/cases", other, "Idempotency-Key", key)
			if e, _ := a.body["error"].(map[string]any); a.status == http.StatusConflict && e["code"] == "conflict" {
				c.rec.conflictsRefused++
			} else if a.err != nil {
				c.rec.uncertainCreates++
			}
		}
		push(tm.toDispatch, job{number, version, c.grid})
	}
}

// coordinate is the community staff's loop: close what was fed back,
// verify what was handled, dispatch what came in, now and then with a
// stale version first; the board when there is nothing to do.
func (c *benchClient) coordinate(ctx context.Context, tm *benchTeam) {
	for ctx.Err() == nil {
		c.trivial()
		var j job
		var op string
		var body map[string]any
		select {
		case j = <-tm.toClose:
			op, body = "close", map[string]any{"note": "办结"}
		default:
			select {
			case j = <-tm.toVerify:
				op, body = "verify", map[string]any{"note": "现场核查属实"}
			default:
				select {
				case j = <-tm.toDispatch:
					op, body = "dispatch", map[string]any{"receiver": map[string]any{"kind": "department", "line": string(tm.line), "name": "基准测试部门"}}
				case <-time.After(20 * time.Millisecond):
					if a := c.do("list", "GET", "/api/v1/cases?board=true&open=true&limit=20&area="+tm.community, nil); a.err != nil || a.status != http.StatusOK {
						c.unexpected("list", a)
					}
					continue
				case <-ctx.Done():
					return
				}
			}
		}
		if c.rnd.IntN(20) == 0 {
			c.staleTry(j, op, body)
		}
		v, ok := c.transition(j, op, body)
		if !ok {
			continue
		}
		switch op {
		case "dispatch":
			push(tm.toAccept, job{j.number, v, j.grid})
		case "verify":
			push(tm.toFeedback[j.grid], job{j.number, v, j.grid})
		case "close":
			c.rec.closed++
		}
	}
}

// work is the department's loop: accept what was dispatched to it and
// handle it; its inbox when there is nothing to do.
func (c *benchClient) work(ctx context.Context, tm *benchTeam) {
	for ctx.Err() == nil {
		c.trivial()
		select {
		case j := <-tm.toAccept:
			v, ok := c.transition(j, "accept", map[string]any{"note": "已接单"})
			if !ok {
				continue
			}
			if v, ok = c.transition(job{j.number, v, j.grid}, "handle", map[string]any{"note": "已处置完毕"}); ok {
				push(tm.toVerify, job{j.number, v, j.grid})
			}
		case <-time.After(20 * time.Millisecond):
			if a := c.do("list", "GET", "/api/v1/cases?open=true&limit=20&receiver="+string(tm.line), nil); a.err != nil || a.status != http.StatusOK {
				c.unexpected("list", a)
			}
		case <-ctx.Done():
			return
		}
	}
}
