package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

// TestGridsGeoJSONIsPublicAndCarriesCodes: the grid outlines come as a
// FeatureCollection with code, name and community_code, without a login;
// a bad community code is a JSON error.
func TestGridsGeoJSONIsPublicAndCarriesCodes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sq := `{"type":"Polygon","coordinates":[[[113.1,36.1],[113.2,36.1],[113.2,36.2],[113.1,36.2],[113.1,36.1]]]}`
	for _, g := range []string{gridA, gridB} {
		if _, err := f.store.SetBoundary(ctx, g, sq, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	h := f.server(t).Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/grids.geojson?community="+communityA, nil))
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry   struct{ Type string }
			Properties map[string]string
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil || w.Code != 200 {
		t.Fatalf("%d %v\n%s", w.Code, err, w.Body)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1 || fc.Features[0].Properties["code"] != gridA ||
		fc.Features[0].Properties["name"] != "东苑第一网格" || fc.Features[0].Properties["community_code"] != communityA || fc.Features[0].Geometry.Type != "Polygon" {
		t.Errorf("feature collection %+v", fc)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/grids.geojson?community=12", nil))
	var e apiError
	if json.Unmarshal(w.Body.Bytes(), &e); w.Code != 400 || e.Error.Code != wangge.EInvalid || e.Error.Message == "" {
		t.Errorf("bad community: %d %s", w.Code, w.Body)
	}
}
