package http

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

// TestEveryRunsWhileTheServerServes: work a provider registers with Every
// runs again and again while ListenAndServe serves, with a context that
// ends with the server, and none of it runs once ListenAndServe returns.
func TestEveryRunsWhileTheServerServes(t *testing.T) {
	f := newFixture(t)
	var calls, active atomic.Int64
	var last atomic.Pointer[context.Context]
	provider := func(core *Server, _ wangge.Store) []Route {
		core.Every(time.Millisecond, func(ctx context.Context) {
			active.Add(1)
			defer active.Add(-1)
			last.Store(&ctx)
			calls.Add(1)
		})
		return nil
	}
	s := NewServer(f.store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, provider)
	if calls.Load() != 0 {
		t.Fatal("the work ran before the server served")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, addr) }()
	// The deadline only stops a test that would never end.
	for deadline := time.Now().Add(time.Minute); calls.Load() < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := calls.Load(); n < 3 {
		t.Fatalf("the work ran %d times while the server served", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
	if active.Load() != 0 {
		t.Error("the work still runs after ListenAndServe returned")
	}
	if (*last.Load()).Err() == nil {
		t.Error("the work's context did not end with the server")
	}
}
