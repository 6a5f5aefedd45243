package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

func rect(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}

func locate(t *testing.T, s *Server, query string) (int, locateAnswer, apiError) {
	t.Helper()
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/locate?"+query, nil))
	var a locateAnswer
	var e apiError
	if w.Code == 200 {
		if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
	} else if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("%d: %s", w.Code, w.Body)
	}
	return w.Code, a, e
}

// TestLocateFindsTheGridAndItsAssistant: a point gives its grid, community
// and assistant with the public work phone; GCJ-02 input is converted; a
// point outside every grid is 404; an outline edit is seen within a second.
func TestLocateFindsTheGridAndItsAssistant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Grid A west of 113.15, grid B east of it, sharing that border.
	for g, r := range map[string]string{gridA: rect(113.10, 36.10, 113.15, 36.20), gridB: rect(113.15, 36.10, 113.20, 36.20)} {
		if _, err := f.store.SetBoundary(ctx, g, r, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	s := f.server(t)

	code, a, _ := locate(t, s, "lng=113.12&lat=36.15")
	if code != 200 || a.GridCode != gridA || a.GridName != "东苑第一网格" || a.CommunityCode != communityA || a.CommunityName != "东苑社区" ||
		a.AssistantName != "周敏" || a.AssistantPhone != "0355-2021001" {
		t.Errorf("locate in grid A: %d %+v", code, a)
	}
	if code, a, _ := locate(t, s, "lng=113.18&lat=36.15"); code != 200 || a.GridCode != gridB || a.AssistantName != "" {
		t.Errorf("locate in grid B (no assistant): %d %+v", code, a)
	}
	// On the shared border: one grid, the same every time.
	_, first, _ := locate(t, s, "lng=113.15&lat=36.15")
	for range 5 {
		if _, again, _ := locate(t, s, "lng=113.15&lat=36.15"); again.GridCode != first.GridCode || first.GridCode == "" {
			t.Fatalf("border point: %q then %q", first.GridCode, again.GridCode)
		}
	}
	gx, gy := geo.ToGCJ02(113.12, 36.15)
	if code, a, _ := locate(t, s, fmt.Sprintf("lng=%.8f&lat=%.8f&crs=gcj02", gx, gy)); code != 200 || a.GridCode != gridA || a.Lng < 113.1199 || a.Lng > 113.1201 {
		t.Errorf("locate with GCJ-02 input: %d %+v", code, a)
	}
	if code, _, e := locate(t, s, "lng=114&lat=37"); code != 404 || e.Error.Code != wangge.ENotFound || e.Error.Message == "" {
		t.Errorf("outside every grid: %d %+v", code, e)
	}
	for _, q := range []string{"lng=abc&lat=36", "lat=36", "lng=200&lat=36", "lng=113&lat=36&crs=bd09", "lng=NaN&lat=36"} {
		if code, _, e := locate(t, s, q); code != 400 || e.Error.Code != wangge.EInvalid {
			t.Errorf("%s: %d %+v", q, code, e)
		}
	}

	// Grid B's outline moves east: the point at 113.16 falls in no grid once
	// the index notices, at its next once-a-second check. The deadline only
	// stops a test that would never end; a busy machine may take longer.
	if _, err := f.store.SetBoundary(ctx, gridB, rect(113.17, 36.10, 113.20, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		code, _, _ := locate(t, s, "lng=113.16&lat=36.15")
		if code == 404 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the index did not follow the outline change")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pushingStore is the fixture's store with a feed of changes, as the
// PostgreSQL store has (its LISTEN/NOTIFY is tested in storetest).
type pushingStore struct {
	wangge.Store
	changes chan struct{}
}

func (p pushingStore) BoundaryChanges(context.Context) <-chan struct{} { return p.changes }

// TestLocateFollowsPushedChangesAtOnce: when the store pushes a change
// made by another server, the very next lookup sees it, without waiting
// for the once-a-second check.
func TestLocateFollowsPushedChangesAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.store.SetBoundary(ctx, gridA, rect(113.10, 36.10, 113.15, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	ps := pushingStore{Store: f.store, changes: make(chan struct{}, 1)}
	s := NewServer(ps, Options{Logger: f.server(t).log})
	// The locator's clock stands still, so its once-a-second check never
	// comes: only the push can make the change seen.
	stopped := time.Now()
	s.locate.now = func() time.Time { return stopped }
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.FollowChanges(fctx)
	if code, a, _ := locate(t, s, "lng=113.12&lat=36.15"); code != 200 || a.GridCode != gridA {
		t.Fatalf("before: %d %+v", code, a)
	}
	if _, err := f.store.SetBoundary(ctx, gridA, rect(113.13, 36.10, 113.15, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	ps.changes <- struct{}{}
	deadline := time.Now().Add(time.Minute) // stops a test that would never end
	for {
		if code, _, _ := locate(t, s, "lng=113.12&lat=36.15"); code == 404 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pushed change was not followed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
