package ui

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wangge/wangge/casework"
)

// BenchmarkNotificationCountVsHealth measures the header's count for
// community staff with 1,000 open cases (every one waiting on them: the
// worst case short of the bound) against the health check through the same
// server, the anchor: ratio is count time over health time.
func BenchmarkNotificationCountVsHealth(b *testing.B) {
	f := newFixture(b)
	for range 1000 {
		openCase(b, f, "dongyuan", gridA, casework.Coordination, "P01")
	}
	h := f.server(b).Handler()
	c := login(b, h, "dongyuan")
	run := func(path string, n int) time.Duration {
		start := time.Now()
		for range n {
			r := httptest.NewRequest("GET", path, nil)
			r.AddCookie(c)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%s: %d", path, w.Code)
			}
		}
		return time.Since(start) / time.Duration(n)
	}
	run("/notifications/count", 3) // warm up
	b.ResetTimer()
	count := run("/notifications/count", max(b.N, 20))
	health := run("/healthz", max(b.N, 20)*10)
	b.StopTimer()
	b.ReportMetric(float64(count.Microseconds()), "count_µs")
	b.ReportMetric(float64(health.Microseconds()), "health_µs")
	b.ReportMetric(float64(count)/float64(health), "ratio")
}
