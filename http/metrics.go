package http

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wangge/wangge"
)

// durationBounds are the upper bounds, in seconds, of the request-duration
// histogram's buckets: pages should take milliseconds, a slow one a second.
var durationBounds = [...]float64{0.005, 0.025, 0.1, 0.25, 1, 2.5, 10}

// metrics counts requests for Prometheus. The text format is simple enough
// to write by hand, and the counters are atomics, so no client library.
type metrics struct {
	requests sync.Map // requestKey → *atomic.Uint64

	buckets [len(durationBounds) + 1]atomic.Uint64 // per bound, the last for +Inf; not cumulative
	sumNano atomic.Int64

	// outbox counts the messages to reporters, when the store keeps them.
	outbox OutboxCounter
}

// OutboxCounter is a store that keeps messages to reporters: /metrics
// shows how many wait, were sent and were given up.
type OutboxCounter interface {
	OutboxCounts(ctx context.Context) (wangge.OutboxCounts, error)
}

type requestKey struct {
	method string
	code   int
}

func newMetrics() *metrics { return &metrics{} }

// knownMethod bounds the method label to the standard methods.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// observe counts one request.
func (m *metrics) observe(method string, code int, d time.Duration) {
	k := requestKey{knownMethod(method), code}
	c, ok := m.requests.Load(k)
	if !ok {
		c, _ = m.requests.LoadOrStore(k, new(atomic.Uint64))
	}
	c.(*atomic.Uint64).Add(1)

	i, _ := slices.BinarySearch(durationBounds[:], d.Seconds())
	m.buckets[i].Add(1)
	m.sumNano.Add(int64(d))
}

// ServeHTTP writes the metrics in the Prometheus text exposition format.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	b := bufio.NewWriter(w)
	defer b.Flush()

	var keys []requestKey
	m.requests.Range(func(k, _ any) bool {
		keys = append(keys, k.(requestKey))
		return true
	})
	slices.SortFunc(keys, func(a, b requestKey) int {
		if a.method != b.method {
			if a.method < b.method {
				return -1
			}
			return 1
		}
		return a.code - b.code
	})
	fmt.Fprintln(b, "# HELP http_requests_total HTTP requests served, by method and status code.")
	fmt.Fprintln(b, "# TYPE http_requests_total counter")
	for _, k := range keys {
		c, _ := m.requests.Load(k)
		fmt.Fprintf(b, "http_requests_total{method=%q,code=\"%d\"} %d\n", k.method, k.code, c.(*atomic.Uint64).Load())
	}

	fmt.Fprintln(b, "# HELP http_request_duration_seconds Time to serve an HTTP request.")
	fmt.Fprintln(b, "# TYPE http_request_duration_seconds histogram")
	var cum uint64
	for i, bound := range durationBounds {
		cum += m.buckets[i].Load()
		fmt.Fprintf(b, "http_request_duration_seconds_bucket{le=%q} %d\n", strconv.FormatFloat(bound, 'g', -1, 64), cum)
	}
	cum += m.buckets[len(durationBounds)].Load()
	fmt.Fprintf(b, "http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(b, "http_request_duration_seconds_sum %s\n", strconv.FormatFloat(time.Duration(m.sumNano.Load()).Seconds(), 'g', -1, 64))
	fmt.Fprintf(b, "http_request_duration_seconds_count %d\n", cum) // equals the +Inf bucket by definition

	fmt.Fprintln(b, "# HELP wangge_up Whether the wangge server is up.")
	fmt.Fprintln(b, "# TYPE wangge_up gauge")
	fmt.Fprintln(b, "wangge_up 1")
	fmt.Fprintln(b, "# HELP go_goroutines Number of goroutines that currently exist.")
	fmt.Fprintln(b, "# TYPE go_goroutines gauge")
	fmt.Fprintf(b, "go_goroutines %d\n", runtime.NumGoroutine())
	if m.outbox != nil {
		// A store that does not answer leaves the series out rather than
		// reporting zeros an alert would believe.
		if c, err := m.outbox.OutboxCounts(r.Context()); err == nil {
			fmt.Fprintln(b, "# HELP wangge_outbox_messages Messages to reporters in the outbox, by state.")
			fmt.Fprintln(b, "# TYPE wangge_outbox_messages gauge")
			fmt.Fprintf(b, "wangge_outbox_messages{state=\"queued\"} %d\n", c.Queued)
			fmt.Fprintf(b, "wangge_outbox_messages{state=\"sent\"} %d\n", c.Sent)
			fmt.Fprintf(b, "wangge_outbox_messages{state=\"failed\"} %d\n", c.Failed)
		}
	}
}
