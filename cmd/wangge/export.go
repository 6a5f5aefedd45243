package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
)

const exportUsage = `usage:
  wangge export assistants|residents|units|keygroups [--community CODE] [--format xlsx|csv] -o FILE
                      [--group G] [--all] [--q TEXT] [--reason TEXT] [--db DSN]
  wangge export completeness|civil|labor|health|order|city|party [--area CODE] -o FILE.xlsx
                      [--date YYYY-MM-DD] [--cycle DAYS] [--db DSN]
  wangge export areas [--level district|subdistrict|community|grid] [--within CODE] [--crs wgs84|gcj02]
                      [--as-of YYYY-MM-DD] [--object CODE] [--out FILE] [--db DSN]

The ledgers and reports cover the whole district unless --community (or
--area) names an area. The command line holds the key: ID numbers and
phones are written in full, and a residents, units or keygroups file imports
back with nothing changed. Every export is audited.`

// exportCmd writes area outlines as a GeoJSON FeatureCollection that
// `wangge import areas` reads back: one feature per area at the level
// (grids by default) under --within, each with name, code, level,
// parent_code and valid_from, and for grids with --object their 20-digit
// CJ/T 349 code (code_cjt349). --crs gcj02 writes GCJ-02 coordinates for
// Chinese map apps; --as-of the outlines valid on that day.
func exportCmd(ctx context.Context, args []string) error {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, exportUsage)
		return exitError(2)
	}
	if _, ok := exportLedgers[args[0]]; ok || isExportReport(args[0]) {
		return exportTable(ctx, args[0], args[1:])
	}
	if args[0] != "areas" {
		fmt.Fprintln(os.Stderr, exportUsage)
		return exitError(2)
	}
	fs := flag.NewFlagSet("export areas", flag.ExitOnError)
	dsn := dbFlag(fs)
	level := fs.String("level", "grid", "district, subdistrict, community or grid")
	within := fs.String("within", "", "code of the area whose sub-areas to export (default: all)")
	crsName := fs.String("crs", "wgs84", "coordinates to write: wgs84, or gcj02 for Chinese map apps")
	asOf := fs.String("as-of", "", "export the outlines valid on this day (default: today's)")
	object := fs.String("object", "", "6-digit CJ/T 348 object class code: adds each grid's 20-digit CJ/T 349 code")
	out := fs.String("out", "", "file to write (default: standard output)")
	fs.Parse(args[1:])
	lv, ok := levelByName[*level]
	if !ok {
		return fmt.Errorf("--level must be district, subdistrict, community or grid")
	}
	if *within != "" && (!wangge.ValidRegionCode(*within) || len(*within) > lv.CodeLen()) {
		return fmt.Errorf("--within %q is not the code of an area above the %s level", *within, lv)
	}
	crs, err := geo.ParseCRS(*crsName)
	if err != nil {
		return err
	}
	var at time.Time
	if *asOf != "" {
		if at, err = time.ParseInLocation(time.DateOnly, *asOf, chinaTime); err != nil {
			return fmt.Errorf("--as-of: want YYYY-MM-DD: %w", err)
		}
		at = at.Add(24*time.Hour - time.Nanosecond) // the outline of that whole day's end
	}
	if *object != "" && lv != wangge.LevelGrid {
		return fmt.Errorf("--object adds CJ/T 349 codes to grids only")
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	bs, err := db.Boundaries(ctx, *within, lv, at)
	if err != nil {
		return err
	}
	features := make([]geo.Feature, 0, len(bs))
	for _, b := range bs {
		a, err := geo.ParseArea(b.AreaCode, b.GeoJSON)
		if err != nil {
			return err
		}
		props := map[string]any{"level": lv.String(), "parent_code": wangge.ParentCode(b.AreaCode),
			"valid_from": b.ValidFrom.In(chinaTime).Format(time.DateOnly)}
		if *object != "" {
			code20, err := geo.ToCJT349(b.AreaCode, *object)
			if err != nil {
				return fmt.Errorf("%s %s: %w", b.AreaCode, b.AreaName, err)
			}
			props["code_cjt349"] = code20
		}
		features = append(features, geo.Feature{Name: b.AreaName, Code: b.AreaCode, Props: props, Geom: a.Geom})
	}
	data, err := geo.Encode(features, crs)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if *out == "" {
		_, err = os.Stdout.Write(data)
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "已导出 exported %d 个区域 areas (%s, %s) → %s\n", len(features), lv, *crsName, *out)
	return nil
}
