package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	whttp "github.com/wangge/wangge/http"
)

// apiError is the error object as the tests read it.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func locate(t *testing.T, s *whttp.Server, query string) (int, locateAnswer, apiError) {
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
