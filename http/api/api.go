// Package api is the JSON API under /api/v1, described by the OpenAPI
// document it serves at /api/v1/openapi.json: where a point lies (locate),
// the grids' outlines, and next the cases and the phone workbench's API.
// It is a package over the core (package http), which serves its routes
// behind the core's middleware and renders its errors as the JSON error
// object; its handlers hold only the narrow interfaces they read through.
package api

import (
	"context"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// BoundaryReader reads the current outlines of the areas at a level
// (public facts).
type BoundaryReader interface {
	Boundaries(ctx context.Context, prefix string, level wangge.Level, at time.Time) ([]wangge.Boundary, error)
}

// GridLocator finds the grid a point (WGS-84) lies in, with its names and
// assistant; ok is false outside every grid. The core's Locator is one.
type GridLocator interface {
	Locate(ctx context.Context, lng, lat float64) (place whttp.GridPlace, ok bool, err error)
}

// handlers are the API's handlers and what they read.
type handlers struct {
	outlines BoundaryReader
	locator  GridLocator
}

// Routes is the API's part of the server (a whttp.Provider): it reads
// outlines from the store and shares the core's locate index with the
// kiosk.
func Routes(core *whttp.Server, store wangge.Store) []whttp.Route {
	h := &handlers{outlines: store, locator: core.Locator()}
	routes := []whttp.Route{
		core.API("GET /api/v1/grids.geojson", h.handleGridsGeoJSON),
		core.API("GET /api/v1/locate", h.handleLocate),
		core.API("GET /api/v1/openapi.json", handleOpenAPI),
	}
	routes = append(routes, caseRoutes(core, store)...)
	routes = append(routes, workbenchRoutes(core, store)...)
	return routes
}
