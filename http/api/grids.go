package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// handleGridsGeoJSON answers GET /api/v1/grids.geojson[?community=CODE]:
// the current grid outlines as a FeatureCollection whose features carry
// code, name and community_code. Outlines and names are public.
func (h *handlers) handleGridsGeoJSON(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	prefix := r.URL.Query().Get("community")
	if prefix != "" && wangge.LevelOf(prefix) != wangge.LevelCommunity || prefix != "" && !wangge.ValidRegionCode(prefix) {
		return wangge.Invalid("community", "error.api.community")
	}
	bs, err := h.outlines.Boundaries(ctx, prefix, wangge.LevelGrid, time.Time{})
	if err != nil {
		return err
	}
	type feature struct {
		Type       string          `json:"type"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, b := range bs {
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: json.RawMessage(b.GeoJSON), Properties: map[string]any{
			"code": b.AreaCode, "name": b.AreaName, "community_code": wangge.ParentCode(b.AreaCode), "valid_from": b.ValidFrom.Format(time.DateOnly),
		}})
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	whttp.WriteJSON(w, http.StatusOK, fc)
	return nil
}
