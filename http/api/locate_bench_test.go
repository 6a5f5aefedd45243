package api

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// load sends GET requests from clients goroutines over keep-alive
// connections to loopback for d, and returns requests per second. Each
// request's URL comes from next; any non-200 answer fails the test.
func load(tb testing.TB, base string, clients int, d time.Duration, next func(r *rand.Rand) string) float64 {
	tb.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, DialContext: (&net.Dialer{}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n, bad atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for time.Now().Before(stop) {
				resp, err := client.Get(base + next(r))
				if err != nil {
					bad.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad.Add(1)
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		tb.Fatalf("%d failed requests of %d", bad.Load(), n.Load())
	}
	return float64(n.Load()) / d.Seconds()
}

// BenchmarkLocateHTTPVsTrivial puts /api/v1/locate under load on loopback
// and, in the same run and the same server, a handler that only writes a
// short answer: the anchor. The target is a ratio of at least 0.5.
// A fixed workload (2 s each) runs whatever b.N is; use -benchtime 1x.
func BenchmarkLocateHTTPVsTrivial(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	// 20 × 20 grids would need areas; two grids with outlines stand for the
	// index's work, which is tiny beside HTTP's either way.
	for g, r := range map[string]string{gridA: rect(113.10, 36.10, 113.15, 36.20), gridB: rect(113.15, 36.10, 113.20, 36.20)} {
		if _, err := f.store.SetBoundary(ctx, g, r, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	srv := f.server(b)
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	mux.HandleFunc("GET /trivial", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	const clients, d = 16, 2 * time.Second
	point := func(r *rand.Rand) string {
		return fmt.Sprintf("/api/v1/locate?lng=%.6f&lat=%.6f", 113.10+r.Float64()*0.1, 36.10+r.Float64()*0.1)
	}
	load(b, ts.URL, clients, 300*time.Millisecond, point) // warm up: index, caches, connections
	b.ResetTimer()
	trivial := load(b, ts.URL, clients, d, func(*rand.Rand) string { return "/trivial" })
	locate := load(b, ts.URL, clients, d, point)
	b.StopTimer()
	b.ReportMetric(trivial, "trivial_req/s")
	b.ReportMetric(locate, "locate_req/s")
	b.ReportMetric(locate/trivial, "ratio")
}
