package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	whttp "github.com/wangge/wangge/http"
)

// locateAnswer is the contract of GET /api/v1/locate.
type locateAnswer struct {
	GridCode       string  `json:"grid_code"`
	GridName       string  `json:"grid_name"`
	CommunityCode  string  `json:"community_code"`
	CommunityName  string  `json:"community_name"`
	AssistantName  string  `json:"assistant_name"`
	AssistantPhone string  `json:"assistant_phone"` // the public work phone
	Lng            float64 `json:"lng"`             // the point, WGS-84
	Lat            float64 `json:"lat"`
}

var errOutsideGrids = wangge.E(wangge.ENotFound, "error.locate.outside")

// handleLocate answers which grid a point lies in, with its assistant.
// Public: it is what the kiosk and the phone page ask.
func (h *handlers) handleLocate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lng, err1 := strconv.ParseFloat(q.Get("lng"), 64)
	lat, err2 := strconv.ParseFloat(q.Get("lat"), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
		return wangge.Invalid("lng", "error.api.lnglat")
	}
	crs, err := geo.ParseCRS(q.Get("crs"))
	if err != nil {
		return wangge.Invalid("crs", "error.api.crs")
	}
	if crs == geo.GCJ02 {
		lng, lat = geo.FromGCJ02(lng, lat)
	}
	p, ok, err := h.locator.Locate(r.Context(), lng, lat)
	if err != nil {
		return err
	}
	if !ok {
		return errOutsideGrids
	}
	whttp.WriteJSON(w, http.StatusOK, locateAnswer{GridCode: p.GridCode, GridName: p.GridName, CommunityCode: p.CommunityCode,
		CommunityName: p.CommunityName, AssistantName: p.AssistantName, AssistantPhone: p.AssistantPhone, Lng: lng, Lat: lat})
	return nil
}
