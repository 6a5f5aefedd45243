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
	"github.com/wangge/wangge/synth"
)

const benchUsage = `usage:
  wangge bench grouplist --db DSN [--requests N]   key-group lists of the busiest grid, p50/p99 against a raw read`

// benchCmd runs a benchmark against a demo database, reporting each result
// as a ratio to an anchor measured in the same run.
func benchCmd(ctx context.Context, args []string) error {
	if len(args) < 1 || args[0] != "grouplist" {
		fmt.Fprintln(os.Stderr, benchUsage)
		return exitError(2)
	}
	fs := flag.NewFlagSet("bench grouplist", flag.ExitOnError)
	dsn := dbFlag(fs)
	requests := fs.Int("requests", 2000, "requests to time (spread over the grid's groups)")
	fs.Parse(args[1:])
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// The benchmark logs in through the login form, so it adds an account:
	// only ever to the synthetic demo district.
	if _, err := db.Area(ctx, synth.DistrictCode); err != nil {
		return fmt.Errorf("bench runs on the demo district (%s) only: %w", synth.DistrictCode, err)
	}
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

	tok := make([]byte, 6)
	rand.Read(tok)
	username, password := "bench-"+hex.EncodeToString(tok), "Bench-"+hex.EncodeToString(tok)+"-Pw"
	admin := wangge.WithActor(ctx, wangge.Actor{Username: "wangge bench", Role: wangge.RoleSystem})
	if err := db.CreateUser(admin, &wangge.User{Username: username, DisplayName: "基准测试 benchmark", Role: wangge.RoleDistrictAdmin,
		ScopeCode: synth.DistrictCode, PasswordHash: passwd.Hash(password, passwd.Default)}); err != nil {
		return err
	}
	defer func() {
		if u, err := db.UserByUsername(admin, username); err == nil {
			u.Disabled = true
			db.UpdateUser(admin, u)
		}
	}()
	h := newWebServer(db, wanggehttp.Options{Logger: slog.New(slog.DiscardHandler)}).Handler()
	login := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, login)
	var cookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Value != "" && strings.Contains(c.Name, "session") {
			cookie = c
		}
	}
	if cookie == nil {
		return fmt.Errorf("bench: could not log in: %d %s", w.Code, w.Body)
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
		rows, err := db.Reader().QueryContext(ctx, `SELECT m.id, m.person_id, m.attrs, m.joined, p.name FROM memberships m JOIN persons p ON p.id = m.person_id
			WHERE m.grid_code = ? AND m.grp = ? AND m.left_on IS NULL ORDER BY m.id LIMIT ?`, grid, string(g), wangge.DefaultPageLimit)
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
	pct := func(ds []time.Duration, p float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[min(len(s)-1, int(float64(len(s))*p))]
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
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
