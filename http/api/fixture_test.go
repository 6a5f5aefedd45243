package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqlite"
)

// Region codes of the test district: one sub-district with two
// communities, one grid in each; grid A has an assistant, grid B none.
const (
	district    = "140499"
	subdistrict = "140499001"
	communityA  = "140499001001"
	communityB  = "140499001002"
	gridA       = "140499001001001"
	gridB       = "140499001002001"
)

// fixture is the API's test district, filled through the store API on a
// real SQLite store. Names and numbers are invented.
type fixture struct {
	store wangge.Store
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "wangge.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UseKey(ctx, box))
	for _, a := range []struct{ code, name string }{
		{district, "示范城区"}, {subdistrict, "示范街道"},
		{communityA, "东苑社区"}, {communityB, "西苑社区"},
		{gridA, "东苑第一网格"}, {gridB, "西苑第一网格"},
	} {
		must(db.CreateArea(ctx, &wangge.Area{Code: a.code, Name: a.name}))
	}
	a := &wangge.Assistant{Name: "周敏", Sex: "F", WorkPhone: "0355-2021001", Phone: "13512345672", Active: true}
	must(db.CreateAssistant(ctx, a))
	must(db.AssignAssistant(ctx, a.ID, gridA, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "fixture"))
	return &fixture{store: db}
}

// server returns the core with the API over the fixture's store, composed
// as cmd/wangge composes it.
func (f *fixture) server(t testing.TB) *whttp.Server {
	return whttp.NewServer(f.store, whttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, Routes)
}

func rect(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
}
