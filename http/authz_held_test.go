package http

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/wangge/wangge/casework"
)

// The held Open311 requests' entries in the authorization matrix. Each
// request the matrix makes holds a fresh request first (through the
// store the matrix's case was planted in), so every allowed user places or
// dismisses one still waiting; a held request has no area, so "out of
// scope" is a request that is not there (not found), and a place outside
// the placer's scope is the store's refusal its conformance suite pins.

// heldHolder is what the matrix uses of the store to hold a request.
type heldHolder interface {
	HoldReport(ctx context.Context, r casework.HeldReport) (string, error)
	HeldReports(ctx context.Context, a casework.Actor) ([]casework.HeldRequest, error)
}

// heldPlacers are the matrix users whose roles place held requests.
const heldPlacers = "admin m.jiedao dongyuan"

// holdOne holds a fresh request and returns its id.
func holdOne() string {
	hh, ok := matrixCase.store.(heldHolder)
	if !ok {
		panic("the matrix's store keeps no held requests")
	}
	ctx := context.Background()
	tok, err := hh.HoldReport(ctx, casework.HeldReport{Source: casework.SourceOpen311, CategoryCode: "P01",
		Description: "权限矩阵待定位", Address: "老井旁边"})
	if err != nil {
		panic(err)
	}
	list, err := hh.HeldReports(ctx, casework.Actor{Role: "system"})
	if err != nil {
		panic(err)
	}
	for _, h := range list {
		if h.Token == tok {
			return strconv.FormatInt(h.ID, 10)
		}
	}
	panic("the held request is not in the list")
}

// heldTarget makes a request of path with {held} a fresh request's id, or
// one no request has.
func heldTarget(method, path string, form url.Values, missing bool) target {
	return func(o objects) (string, string, url.Values) {
		id := "999999"
		if !missing {
			id = holdOne()
		}
		p := fmt.Sprintf(path, id)
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if _, ok := f["building_id"]; ok {
			f.Set("building_id", o.building)
			f.Set("grid", o.grid)
		}
		if method == "GET" {
			f = nil
		}
		return method, p, f
	}
}

func init() {
	place := url.Values{"building_id": {""}}
	dismiss := url.Values{"reason": {"spam"}}
	for pattern, m := range map[string]matrixRoute{
		"GET /cases/held": {allow: heldPlacers, in: get("/cases/held")},
		"GET /cases/held/{id}": {allow: heldPlacers, in: heldTarget("GET", "/cases/held/%s", nil, false),
			out: heldTarget("GET", "/cases/held/%s", nil, true)},
		"POST /cases/held/{id}/place": {allow: heldPlacers, in: heldTarget("POST", "/cases/held/%s/place", place, false),
			out: heldTarget("POST", "/cases/held/%s/place", place, true)},
		"POST /cases/held/{id}/dismiss": {allow: heldPlacers, in: heldTarget("POST", "/cases/held/%s/dismiss", dismiss, false),
			out: heldTarget("POST", "/cases/held/%s/dismiss", dismiss, true)},
	} {
		authzMatrix[pattern] = m
	}
}
