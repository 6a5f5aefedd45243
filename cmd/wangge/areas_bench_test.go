package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// BenchmarkImportAreas writes 2,000 grids of 4 communities the way the
// import did before (each area and each outline its own transaction, a
// statement parsed at each use) and the way it does now (ImportAreas: one
// transaction, statements kept prepared), each into a fresh SQLite
// database, and reports the ratio: how many times faster the import is.
func BenchmarkImportAreas(b *testing.B) {
	const communities, perCommunity = 4, 500
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "bench", Role: wangge.RoleSystem})
	var outlines []sqldb.AreaOutline
	for c := range communities {
		for g := range perCommunity {
			x, y := 113+0.1*float64(c)+0.004*float64(g%25), 36+0.005*float64(g/25)
			outlines = append(outlines, sqldb.AreaOutline{
				Code: fmt.Sprintf("140498001%03d%03d", c+1, g+1), Name: fmt.Sprintf("网格%d-%d", c+1, g+1),
				GeoJSON: fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%[1]g,%[2]g],[%[3]g,%[2]g],[%[3]g,%[4]g],[%[1]g,%[4]g],[%[1]g,%[2]g]]]}`, x, y, x+0.004, y+0.005),
			})
		}
	}
	fresh := func(b *testing.B) *sqldb.DB {
		db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "b.db"))
		if err != nil {
			b.Fatal(err)
		}
		codes := []string{"140498", "140498001"}
		for c := range communities {
			codes = append(codes, fmt.Sprintf("140498001%03d", c+1))
		}
		for _, code := range codes {
			if err := db.CreateArea(ctx, &wangge.Area{Code: code, Name: "区域" + code}); err != nil {
				b.Fatal(err)
			}
		}
		return db
	}
	var perFeature, oneTx time.Duration
	for range b.N {
		b.StopTimer()
		db := fresh(b)
		b.StartTimer()
		start := time.Now()
		for _, o := range outlines {
			if err := db.CreateArea(ctx, &wangge.Area{Code: o.Code, Name: o.Name}); err != nil {
				b.Fatal(err)
			}
			if _, err := db.SetBoundary(ctx, o.Code, o.GeoJSON, time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
		perFeature += time.Since(start)
		db.Close()

		b.StopTimer()
		db = fresh(b)
		b.StartTimer()
		start = time.Now()
		if err := db.ImportAreas(ctx, outlines, time.Time{}); err != nil {
			b.Fatal(err)
		}
		oneTx += time.Since(start)
		db.Close()
	}
	b.ReportMetric(perFeature.Seconds()*1e3/float64(b.N), "per-feature-tx-ms")
	b.ReportMetric(oneTx.Seconds()*1e3/float64(b.N), "one-tx-ms")
	b.ReportMetric(perFeature.Seconds()/oneTx.Seconds(), "ratio")
}
