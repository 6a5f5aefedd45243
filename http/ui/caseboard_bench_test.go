package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/sqldb"
)

// BenchmarkCaseBoardVsHealthz serves the case board, the supervision view
// and the export over a store holding caseBenchCases cases (every fifth
// closed, some overdue, a few emergencies) to community A's staff, and in
// the same run /healthz, the anchor: each figure is a page's mean server
// time and its ratio to the anchor's. A fixed workload runs whatever b.N
// is; use -benchtime 1x.
func BenchmarkCaseBoardVsHealthz(b *testing.B) {
	const caseBenchCases = 2000
	cf := &caseFixture{fixture: newFixture(b), cases: map[string]*casework.Case{}}
	cf.db = cf.store.(*sqldb.DB)
	ctx := context.Background()
	u, err := cf.store.UserByUsername(ctx, "dongyuan")
	if err != nil {
		b.Fatal(err)
	}
	a := casework.ActorOf(u)
	start := testNow.Add(-30 * 24 * time.Hour)
	for i := range caseBenchCases {
		at := start.Add(time.Duration(i) * 30 * 24 * time.Hour / caseBenchCases)
		cf.db.SetClock(func() time.Time { return at })
		m, cat := casework.Coordination, casework.ProblemTypes[i%len(casework.ProblemTypes)]
		switch {
		case i%50 == 0:
			m = casework.Emergency
		case i%5 == 0:
			m = casework.General
		}
		d := casework.Draft{Source: casework.SourceVisit, Category: cat, Mechanism: m, Location: casework.Location{GridCode: gridA},
			Reporter: casework.Reporter{Name: "张建国", Contact: caseReporterContact}, Description: fmt.Sprintf("case %d: a broken lamp by building %d", i, i%40), Done: "done"}
		c, err := cf.db.CreateCase(ctx, a, d, "")
		if err != nil {
			b.Fatal(err)
		}
		if m == casework.General {
			c, _, err = cf.db.ApplyCase(ctx, a, casework.Transition{Number: c.Number, Version: c.Version, Action: casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "told"}})
			if err == nil {
				_, _, err = cf.db.ApplyCase(ctx, a, casework.Transition{Number: c.Number, Version: c.Version, Action: casework.Action{Name: casework.ActClose}})
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	cf.db.SetClock(func() time.Time { return testNow })
	h := cf.server(b).Handler()
	cookies := map[string]*http.Cookie{"dongyuan": login(b, h, "dongyuan"), "admin": login(b, h, "admin")}
	mean := func(as, path string, n int) time.Duration {
		b.Helper()
		t0 := time.Now()
		for range n {
			r := httptest.NewRequest("GET", path, nil)
			if c := cookies[as]; c != nil {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%s: %d", path, w.Code)
			}
		}
		return time.Since(t0) / time.Duration(n)
	}
	b.ResetTimer()
	anchor := mean("", "/healthz", 2000)
	for _, p := range []struct{ name, as, path string }{
		{"board", "dongyuan", "/cases"},
		{"board-search", "dongyuan", "/cases?q=lamp+building"},
		{"board-all", "admin", "/cases?all=1&page=3"},
		{"supervision", "admin", "/cases/supervision"},
		{"export", "dongyuan", "/cases/export.xlsx?all=1"},
	} {
		n := 40
		if p.name == "export" {
			n = 3
		}
		d := mean(p.as, p.path, n)
		b.ReportMetric(float64(d.Microseconds())/1000, p.name+"-ms")
		b.ReportMetric(float64(d)/float64(anchor), p.name+"/anchor")
	}
	b.ReportMetric(float64(anchor.Microseconds()), "anchor-µs")
}
