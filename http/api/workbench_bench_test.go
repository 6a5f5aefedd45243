package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqlite"
	"github.com/wangge/wangge/synth"
)

// BenchmarkWorkbenchSynthGrid answers GET /api/v1/workbench for the first
// grid of a synthetic community (about 300 households, with the year's
// cases) as its assistant, and in the same run GET /healthz on the same
// server: the anchor. It reports the answer's size, the households and
// due entries it carries, the time per request against the anchor's, and
// the time of a routine visit (nothing new) sent under its key.
func BenchmarkWorkbenchSynthGrid(b *testing.B) {
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "demo", Role: wangge.RoleSystem})
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "demo.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	box, err := secret.New(secret.NewKey())
	if err != nil {
		b.Fatal(err)
	}
	if err := db.UseKey(ctx, box); err != nil {
		b.Fatal(err)
	}
	now := webtest.Now
	db.SetClock(func() time.Time { return now })
	bulk, err := db.Bulk(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cheap := passwd.Params{Memory: 1024, Time: 1, Threads: 1}
	res, err := synth.Generate(synth.Config{Seed: 1, Scale: 0.02, Now: now}, bulk, "Demo-Test-2026", func(pw string) string { return passwd.Hash(pw, cheap) }, nil)
	if err != nil {
		bulk.Rollback()
		b.Fatal(err)
	}
	if err := bulk.Commit(); err != nil {
		b.Fatal(err)
	}
	if err := db.SeedServices(ctx); err != nil {
		b.Fatal(err)
	}
	eng, err := db.CaseEngine(ctx)
	if err != nil {
		b.Fatal(err)
	}
	services, err := db.ListServices(ctx, "", true)
	if err != nil {
		b.Fatal(err)
	}
	cb, err := db.BulkCases(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := synth.GenerateCases(res, synth.CaseOptions{Engine: eng, Categories: casework.Categories(services)}, cb, nil); err != nil {
		cb.Rollback()
		b.Fatal(err)
	}
	if err := cb.Commit(map[string]any{"generator": "synth"}); err != nil {
		b.Fatal(err)
	}
	var pw, grid string
	for _, a := range res.Accounts {
		if a.Username == "xieliyuan" {
			pw, grid = a.Password, a.ScopeCode
		}
	}
	s := whttp.NewServer(db, whttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}, Routes)
	h := s.Handler()
	cookie := webtest.LoginWith(b, h, "xieliyuan", pw)
	get := func(path string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %.300s", path, w.Code, w.Body)
		}
		return w
	}
	day, err := db.GridDay(ctx, wangge.ScopeOf(grid), grid)
	if err != nil {
		b.Fatal(err)
	}
	first := get("/api/v1/workbench")
	size := first.Body.Len()
	var answer struct {
		Cases []json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(first.Body.Bytes(), &answer); err != nil {
		b.Fatal(err)
	}
	const rounds = 30
	timeOf := func(path string) time.Duration {
		start := time.Now()
		for range rounds {
			get(path)
		}
		return time.Since(start) / rounds
	}
	// A routine visit with nothing new, as the phone sends it.
	sent := 0
	visitOnce := func() {
		sent++
		hh := day.Households[sent%len(day.Households)]
		body := fmt.Sprintf(`{"household_id":%d,"at":%q,"purpose":"routine","met":"head","clears":{}}`, hh.ID, now.Add(-time.Minute).Format(time.RFC3339))
		r := httptest.NewRequest("POST", "/api/v1/visits", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", sent))
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("visit: %d %.300s", w.Code, w.Body)
		}
	}
	b.ResetTimer()
	var wb, anchor, visits time.Duration
	for range b.N {
		wb += timeOf("/api/v1/workbench")
		anchor += timeOf("/healthz")
		start := time.Now()
		for range rounds {
			visitOnce()
		}
		visits += time.Since(start) / rounds
	}
	b.StopTimer()
	b.ReportMetric(float64(visits.Microseconds())/float64(b.N), "µs/visit")
	b.ReportMetric(float64(size), "bytes/answer")
	b.ReportMetric(float64(len(day.Households)), "households")
	b.ReportMetric(float64(len(wangge.DueForVisit(day.Households, 0, now))), "due")
	_, open, err := db.ListCases(ctx, casework.Actor{Role: wangge.RoleSystem}, casework.Filter{Area: grid, Open: true, Page: wangge.Page{Limit: 1}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(open), "open-cases")
	b.ReportMetric(float64(len(answer.Cases)), "cases")
	b.ReportMetric(float64(wb.Microseconds())/float64(b.N), "µs/workbench")
	b.ReportMetric(float64(wb)/float64(anchor), "x-healthz")
}
