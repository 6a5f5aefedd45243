package wangge

import (
	"context"
	"time"
)

// Boundary is one version of an area's outline: a GeoJSON Polygon or
// MultiPolygon in WGS-84. Outlines are never overwritten: an edit starts a
// new version valid from a date and ends the current one then, so the grid
// a point lay in can be asked "as of" any date.
type Boundary struct {
	AreaCode  string
	Version   int
	GeoJSON   string
	ValidFrom time.Time
	ValidTo   *time.Time
	CreatedBy string
	CreatedAt time.Time

	// AreaName is filled on reads by Boundaries, for labels.
	AreaName string
}

// BoundaryStore keeps the versions of area outlines. Outlines are public.
type BoundaryStore interface {
	// SetBoundary starts a new version of the area's outline valid from
	// validFrom (now when zero), ending the current version then. validFrom
	// must be later than the current version's start.
	SetBoundary(ctx context.Context, code, geojson string, validFrom time.Time) (*Boundary, error)
	// Boundary returns the version valid at t (the current one when t is
	// zero), or ErrNotFound.
	Boundary(ctx context.Context, code string, at time.Time) (*Boundary, error)
	// Boundaries returns, for every area at the level whose code starts with
	// prefix, the version valid at t (current when zero), by code.
	Boundaries(ctx context.Context, prefix string, level Level, at time.Time) ([]Boundary, error)
	// BoundaryHistory returns every version of the area's outline, oldest first.
	BoundaryHistory(ctx context.Context, code string) ([]Boundary, error)
	// BoundaryStamp changes whenever any outline does: a cheap check for
	// whether an in-process index must be rebuilt.
	BoundaryStamp(ctx context.Context) (string, error)
}

// BoundaryFeed is implemented by stores that push changes of outlines and
// areas made by any server (PostgreSQL, through LISTEN/NOTIFY), so that
// every server's locate index follows at once. BoundaryChanges returns nil
// when the store cannot push; the channel closes when ctx is done.
type BoundaryFeed interface {
	BoundaryChanges(ctx context.Context) <-chan struct{}
}
