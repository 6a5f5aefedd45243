package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wangge/wangge"
	wanggehttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/synth"
)

// pct is the p-th quantile of the durations (p in [0, 1]).
func pct(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

const benchUsage = `usage:
  wangge bench grouplist --db DSN [--requests N]   key-group lists of the busiest grid, p50/p99 against a raw read
  wangge bench reports   --db DSN [--rounds N]     every report page of the whole district, against a raw scan of persons
  wangge bench cases     [--db DSN] [--clients 200] [--duration 60s] [--json]
                                                  the case API under load on loopback over a fresh store, against a static file`

// benchCmd runs a benchmark against a demo database, reporting each result
// as a ratio to an anchor measured in the same run.
func benchCmd(ctx context.Context, args []string) error {
	switch {
	case len(args) >= 1 && args[0] == "grouplist":
		return benchGroupList(ctx, args[1:])
	case len(args) >= 1 && args[0] == "reports":
		return benchReports(ctx, args[1:])
	case len(args) >= 1 && args[0] == "cases":
		return benchCases(ctx, args[1:])
	}
	fmt.Fprintln(os.Stderr, benchUsage)
	return exitError(2)
}

// benchServer opens the demo database and logs in to a server over it as a
// district administrator made for the run (disabled again by done).
func benchServer(ctx context.Context, dsn string) (db *sqldb.DB, h http.Handler, cookie *http.Cookie, done func(), err error) {
	if db, err = openStore(ctx, dsn); err != nil {
		return nil, nil, nil, nil, err
	}
	fail := func(err error) (*sqldb.DB, http.Handler, *http.Cookie, func(), error) {
		db.Close()
		return nil, nil, nil, nil, err
	}
	// The benchmark logs in through the login form, so it adds an account:
	// only ever to the synthetic demo district.
	if _, err := db.Area(ctx, synth.DistrictCode); err != nil {
		return fail(fmt.Errorf("bench runs on the demo district (%s) only: %w", synth.DistrictCode, err))
	}
	tok := make([]byte, 6)
	rand.Read(tok)
	username, password := "bench-"+hex.EncodeToString(tok), "Bench-"+hex.EncodeToString(tok)+"-Pw"
	admin := wangge.WithActor(ctx, wangge.Actor{Username: "wangge bench", Role: wangge.RoleSystem})
	if err := db.CreateUser(admin, &wangge.User{Username: username, DisplayName: "基准测试 benchmark", Role: wangge.RoleDistrictAdmin,
		ScopeCode: synth.DistrictCode, PasswordHash: passwd.Hash(password, passwd.Default)}); err != nil {
		return fail(err)
	}
	done = func() {
		if u, err := db.UserByUsername(admin, username); err == nil {
			u.Disabled = true
			db.UpdateUser(admin, u)
		}
		db.Close()
	}
	h = newWebServer(db, wanggehttp.Options{Logger: slog.New(slog.DiscardHandler)}).Handler()
	login := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, login)
	for _, c := range w.Result().Cookies() {
		if c.Value != "" && strings.Contains(c.Name, "session") {
			cookie = c
		}
	}
	if cookie == nil {
		done()
		return nil, nil, nil, nil, fmt.Errorf("bench: could not log in: %d %s", w.Code, w.Body)
	}
	return db, h, cookie, done, nil
}

// benchGroupList times the key-group list pages of the busiest grid.
func benchGroupList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench grouplist", flag.ExitOnError)
	dsn := dbFlag(fs)
	requests := fs.Int("requests", 2000, "requests to time (spread over the grid's groups)")
	fs.Parse(args)
	db, h, cookie, done, err := benchServer(ctx, *dsn)
	if err != nil {
		return err
	}
	defer done()
	st, err := db.Stats(ctx, wangge.ScopeAll())
	if err != nil {
		return err
	}

	// The grid with the most current members.
	var grid string
	var members int
	if err := db.Reader().QueryRowContext(ctx, `SELECT grid_code, COUNT(*) FROM memberships WHERE left_on IS NULL
		GROUP BY grid_code ORDER BY COUNT(*) DESC, grid_code LIMIT 1`).Scan(&grid, &members); err != nil {
		return err
	}

	// The anchor's query, in the database's own placeholders.
	rawList := `SELECT m.id, m.person_id, m.attrs, m.joined, p.name FROM memberships m JOIN persons p ON p.id = m.person_id
			WHERE m.grid_code = ? AND m.grp = ? AND m.left_on IS NULL ORDER BY m.id LIMIT ?`
	if db.Dialect() == "postgres" {
		rawList = sqldb.Dollar(rawList)
	}
	var groups []wangge.KeyGroup
	for _, d := range wangge.KeyGroups {
		groups = append(groups, d.Group)
	}
	page := make([]time.Duration, 0, *requests)
	raw := make([]time.Duration, 0, *requests)
	for i := range *requests + len(groups) { // the first round warms the caches
		g := groups[i%len(groups)]
		r := httptest.NewRequest("GET", "/areas/"+grid+"/groups/"+string(g), nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(t0)
		if w.Code != 200 {
			return fmt.Errorf("bench: %s: %d", r.URL, w.Code)
		}
		// The anchor: the same page of rows read raw, with nothing
		// decrypted, checked or rendered.
		t0 = time.Now()
		rows, err := db.Reader().QueryContext(ctx, rawList, grid, string(g), wangge.DefaultPageLimit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, pid int64
			var attrs, joined, name any
			if err := rows.Scan(&id, &pid, &attrs, &joined, &name); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		dr := time.Since(t0)
		if i >= len(groups) {
			page, raw = append(page, d), append(raw, dr)
		}
	}
	p50, p99, r50, r99 := pct(page, 0.5), pct(page, 0.99), pct(raw, 0.5), pct(raw, 0.99)
	fmt.Printf("database: %s, %d persons, %d households\n", db.Dialect(), st.Persons, st.Households)
	fmt.Printf("grid %s: %d current key-group members; %d requests over %d groups\n", grid, members, len(page), len(groups))
	fmt.Printf("key-group list page  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", ms(p50), ms(p99), ms(pct(page, 1)))
	fmt.Printf("anchor: raw read     p50 %7.2f ms  p99 %7.2f ms\n", ms(r50), ms(r99))
	fmt.Printf("ratio page/raw       p50 %7.1f×    p99 %7.1f×\n", float64(p50)/float64(r50), float64(p99)/float64(r99))
	verdict := "PASS"
	if p99 > 20*time.Millisecond {
		verdict = "FAIL"
	}
	fmt.Printf("target p99 ≤ 20 ms: %s\n", verdict)
	if verdict == "FAIL" {
		return exitError(1)
	}
	return nil
}

// reportTarget is what every report page of the whole district must answer
// within on the demo.
const reportTarget = time.Second

// benchReports times every report page of the whole district through the
// server, each against the same anchor: one raw scan of the persons'
// columns a report counts, the least any report of the district must read.
func benchReports(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench reports", flag.ExitOnError)
	dsn := dbFlag(fs)
	rounds := fs.Int("rounds", 3, "times each page is asked (after one round that warms the caches)")
	fs.Parse(args)
	if *rounds < 1 {
		return fmt.Errorf("--rounds must be at least 1")
	}
	db, h, cookie, done, err := benchServer(ctx, *dsn)
	if err != nil {
		return err
	}
	defer done()
	st, err := db.Stats(ctx, wangge.ScopeAll())
	if err != nil {
		return err
	}
	pages := []string{"completeness"}
	for _, lr := range wangge.LineReports {
		pages = append(pages, string(lr.Line))
	}
	anchor := func() (time.Duration, error) {
		t0 := time.Now()
		rows, err := db.Reader().QueryContext(ctx, `SELECT grid_code, birth_date, sex, kind, employment FROM persons`)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		for rows.Next() {
			var grid, kind, employment string
			var birth any
			var sex int
			if err := rows.Scan(&grid, &birth, &sex, &kind, &employment); err != nil {
				return 0, err
			}
		}
		return time.Since(t0), rows.Err()
	}
	fmt.Printf("database: %s, %d persons, %d households; %d rounds after a warm-up\n", db.Dialect(), st.Persons, st.Households, *rounds)
	var raws []time.Duration
	worst := time.Duration(0)
	for _, name := range pages {
		var times []time.Duration
		for i := range *rounds + 1 {
			r := httptest.NewRequest("GET", "/reports/"+name+"?area="+synth.DistrictCode, nil)
			r.AddCookie(cookie)
			w := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(w, r)
			d := time.Since(t0)
			if w.Code != 200 {
				return fmt.Errorf("bench: %s: %d", r.URL, w.Code)
			}
			raw, err := anchor()
			if err != nil {
				return err
			}
			if i > 0 {
				times, raws = append(times, d), append(raws, raw)
			}
		}
		med := pct(times, 0.5)
		worst = max(worst, med)
		fmt.Printf("%-13s median %8.1f ms  max %8.1f ms  %5.1f× the scan\n", name, ms(med), ms(pct(times, 1)), float64(med)/float64(pct(raws, 0.5)))
	}
	fmt.Printf("anchor: raw scan of persons  median %8.1f ms\n", ms(pct(raws, 0.5)))
	verdict := "PASS"
	if worst > reportTarget {
		verdict = "FAIL"
	}
	fmt.Printf("target every page ≤ 1 s: %s (slowest median %.1f ms)\n", verdict, ms(worst))
	if verdict == "FAIL" {
		return exitError(1)
	}
	return nil
}
