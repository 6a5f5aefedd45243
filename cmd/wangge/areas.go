package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	"github.com/wangge/wangge/sqldb"
)

// outsideTolM2 is how much of an area may lie outside its parent before the
// import warns: boundaries from different sources never match exactly.
const outsideTolM2 = 1.0

// levelByName reads a --level flag.
var levelByName = map[string]wangge.Level{"district": wangge.LevelDistrict, "subdistrict": wangge.LevelSubdistrict,
	"community": wangge.LevelCommunity, "grid": wangge.LevelGrid}

// chinaTime is Beijing time, in which dates on the command line are meant.
var chinaTime = time.FixedZone("CST", 8*3600)

const importUsage = `usage:
  wangge import areas FILE --level district|subdistrict|community|grid [--parent CODE] [--crs wgs84|gcj02] [--valid-from YYYY-MM-DD] [--strict] [--db DSN]
  wangge import grids FILE [--parent CODE] …      (the same with --level grid)`

func importCmd(ctx context.Context, args []string) error {
	if len(args) > 0 && isLedgerImport(args[0]) {
		return ledgerImport(ctx, args)
	}
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, importUsage)
		return exitError(2)
	}
	what, file, rest := args[0], args[1], args[2:]
	fs := flag.NewFlagSet("import "+what, flag.ExitOnError)
	dsn := dbFlag(fs)
	level := fs.String("level", "", "district, subdistrict, community or grid")
	parent := fs.String("parent", "", "code of the parent area (codes are assigned under it)")
	crsName := fs.String("crs", "wgs84", "coordinates of the file: wgs84, or gcj02 as Chinese map apps give")
	validFrom := fs.String("valid-from", "", "date the boundaries take effect (default: now)")
	strict := fs.Bool("strict", false, "refuse a feature that crosses its parent's border")
	fs.Parse(rest)
	switch what {
	case "grids":
		*level = "grid"
	case "areas":
	default:
		fmt.Fprintln(os.Stderr, importUsage)
		return exitError(2)
	}
	lv, ok := levelByName[*level]
	if !ok {
		return fmt.Errorf("--level must be district, subdistrict, community or grid")
	}
	crs, err := geo.ParseCRS(*crsName)
	if err != nil {
		return err
	}
	var from time.Time
	if *validFrom != "" {
		if from, err = time.ParseInLocation(time.DateOnly, *validFrom, chinaTime); err != nil {
			return fmt.Errorf("--valid-from: want YYYY-MM-DD")
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	features, err := geo.ParseFeatureCollection(data, crs)
	if err != nil {
		var pe *geo.ParseError
		if errors.As(err, &pe) {
			for _, fe := range pe.Problems {
				fmt.Fprintln(os.Stderr, "拒绝 refused:", fe.Error())
			}
			return fmt.Errorf("%s: %d feature(s) refused; nothing was imported", file, len(pe.Problems))
		}
		return err
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	imp := &areaImport{db: db, level: lv, parent: *parent, strict: *strict, from: from}
	return imp.run(ctx, features)
}

type areaImport struct {
	db     *sqldb.DB
	level  wangge.Level
	parent string
	strict bool
	from   time.Time
	next   map[string]int // next free child sequence per parent
}

// codeFor picks a feature's code: its code (or adcode) property when valid
// for the level and under the parent, otherwise the next free code under the
// parent. Codes of retired areas stay taken, so none is ever reused.
func (imp *areaImport) codeFor(ctx context.Context, f geo.Feature) (string, error) {
	for _, key := range []string{"code", "adcode"} {
		v := fmt.Sprint(f.Props[key])
		if f, ok := f.Props[key].(float64); ok {
			v = strconv.FormatInt(int64(f), 10)
		}
		if wangge.LevelOf(v) == imp.level && wangge.ValidRegionCode(v) && (imp.parent == "" || wangge.ParentCode(v) == imp.parent) {
			return v, nil
		}
	}
	if imp.level == wangge.LevelDistrict {
		return "", fmt.Errorf("feature %q: a district needs its 6-digit county code in the code or adcode property", f.Name)
	}
	if imp.parent == "" || wangge.LevelOf(imp.parent) != imp.level-1 {
		return "", fmt.Errorf("feature %q has no valid %s code: give --parent, the %s the codes are assigned under", f.Name, imp.level, imp.level-1)
	}
	if imp.next == nil {
		imp.next = map[string]int{}
	}
	if _, ok := imp.next[imp.parent]; !ok {
		kids, _, err := imp.db.ListAreas(ctx, wangge.AreaFilter{ParentCode: imp.parent, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
		if err != nil {
			return "", err
		}
		n := 1
		for _, k := range kids {
			if seq, _ := strconv.Atoi(k.Code[len(k.Code)-3:]); seq >= n {
				n = seq + 1
			}
		}
		imp.next[imp.parent] = n
	}
	seq := imp.next[imp.parent]
	if seq > 999 {
		return "", fmt.Errorf("%s has no free child codes left", imp.parent)
	}
	imp.next[imp.parent]++
	return wangge.ChildCode(imp.parent, seq), nil
}

func (imp *areaImport) run(ctx context.Context, features []geo.Feature) error {
	type planned struct {
		f    geo.Feature
		code string
		warn string
	}
	var plan []planned
	parents := map[string]geom.Geometry{}
	for _, f := range features {
		code, err := imp.codeFor(ctx, f)
		if err != nil {
			return err
		}
		p := planned{f: f, code: code}
		if pc := wangge.ParentCode(code); pc != "" {
			if _, err := imp.db.Area(ctx, pc); err != nil {
				return fmt.Errorf("feature %q: parent area %s: %w", f.Name, pc, err)
			}
			pg, ok := parents[pc]
			if !ok {
				if b, err := imp.db.Boundary(ctx, pc, time.Time{}); err == nil {
					if pg, err = geom.UnmarshalGeoJSON([]byte(b.GeoJSON)); err != nil {
						return err
					}
				}
				parents[pc] = pg
			}
			if !pg.IsEmpty() {
				cov, err := geo.CheckCoverage(pg, []geo.Child{{Code: code, Geom: f.Geom}}, outsideTolM2)
				if err != nil {
					return err
				}
				var out float64
				for _, o := range cov.OutsideParent {
					out += o.AreaM2
				}
				if out > 0 {
					p.warn = fmt.Sprintf("%.0f m² lie outside its parent %s", out, pc)
					if imp.strict {
						return fmt.Errorf("feature %q (%s): %s; refused under --strict", f.Name, code, p.warn)
					}
				}
			}
		}
		plan = append(plan, p)
	}
	for _, p := range plan {
		a, err := imp.db.Area(ctx, p.code)
		switch {
		case wangge.ErrorCode(err) == wangge.ENotFound:
			if err := imp.db.CreateArea(ctx, &wangge.Area{Code: p.code, Name: p.f.Name}); err != nil {
				return fmt.Errorf("feature %q: %w", p.f.Name, err)
			}
		case err != nil:
			return err
		case a.Name != p.f.Name:
			a.Name = p.f.Name
			if err := imp.db.UpdateArea(ctx, a); err != nil {
				return err
			}
		}
		gj, err := p.f.Geom.MarshalJSON()
		if err != nil {
			return err
		}
		if _, err := imp.db.SetBoundary(ctx, p.code, string(gj), imp.from); err != nil {
			return fmt.Errorf("feature %q: %w", p.f.Name, err)
		}
		line := p.code + "\t" + p.f.Name
		if p.warn != "" {
			line += "\t警告 warning: " + p.warn
		}
		fmt.Println(line)
	}
	fmt.Fprintf(os.Stderr, "导入 %d 个%s边界 imported %d %s boundaries\n", len(plan), imp.level.Zh(), len(plan), strings.ToLower(imp.level.String()))
	return nil
}
