package http

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wangge/wangge/sqldb"
)

func rect(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}

// pushingStore is the fixture's store with a feed of changes, as the
// PostgreSQL store has (its LISTEN/NOTIFY is tested in storetest). It
// embeds the store itself, not only wangge.Store, so the page packages
// find the case store they assert it to be.
type pushingStore struct {
	*sqldb.DB
	changes chan struct{}
}

func (p pushingStore) BoundaryChanges(context.Context) <-chan struct{} { return p.changes }

// TestLocateFollowsPushedChangesAtOnce: when the store pushes a change
// made by another server, the locator's very next lookup sees it, without
// waiting for the once-a-second check.
func TestLocateFollowsPushedChangesAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.store.SetBoundary(ctx, gridA, rect(113.10, 36.10, 113.15, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	ps := pushingStore{DB: f.store.(*sqldb.DB), changes: make(chan struct{}, 1)}
	s := newTestServer(ps, Options{Logger: f.server(t).log})
	// The locator's clock stands still, so its once-a-second check never
	// comes: only the push can make the change seen.
	stopped := time.Now()
	s.locate.now = func() time.Time { return stopped }
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.FollowChanges(fctx)
	if p, ok, err := s.Locator().Locate(ctx, 113.12, 36.15); err != nil || !ok || p.GridCode != gridA || p.AssistantName != "周敏" {
		t.Fatalf("before: %+v %v %v", p, ok, err)
	}
	if _, err := f.store.SetBoundary(ctx, gridA, rect(113.13, 36.10, 113.15, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	ps.changes <- struct{}{}
	deadline := time.Now().Add(time.Minute) // stops a test that would never end
	for {
		if _, ok, err := s.Locator().Locate(ctx, 113.12, 36.15); err != nil {
			t.Fatal(err)
		} else if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pushed change was not followed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
