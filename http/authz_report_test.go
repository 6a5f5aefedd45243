package http

import "net/url"

// The residents' pages (issue 14): public, every one. What they show is
// the store's public read; what they take is checked at the edge (form
// token, honeypot, limits) and, for tracking and rating, by the case's
// token — so an anonymous request is answered, never refused for want of
// a session, and never with a server error.
func init() {
	for pattern, m := range map[string]matrixRoute{
		"GET /report":                  {public: true, in: get("/report?via=kiosk")},
		"POST /report":                 {public: true, in: post("/report", url.Values{"category": {"P02"}, "description": {"权限矩阵"}})},
		"GET /report/places.json":      {public: true, in: get("/report/places.json?q=东苑")},
		"GET /report/nearby.json":      {public: true, in: get("/report/nearby.json?category=P02&lng=113.15&lat=36.15")},
		"POST /report/{number}/follow": {public: true, in: post("/report/2026-000001/follow", url.Values{"phone": {""}})},
		"GET /report/map":              {public: true, in: get("/report/map")},
		"GET /report/cases.geojson":    {public: true, in: get("/report/cases.geojson")},
		"GET /track/{number}":          {public: true, in: get("/track/2026-000001?t=not-a-token")},
		"POST /track/{number}/rate":    {public: true, in: post("/track/2026-000001/rate", url.Values{"t": {"not-a-token"}, "solved": {"yes"}})},
	} {
		authzMatrix[pattern] = m
	}
}
