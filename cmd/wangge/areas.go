package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	"github.com/wangge/wangge/msg"
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
	return importAreas(ctx, args)
}

// importAreas is `wangge import areas|grids`. It runs under main's context,
// which SIGINT and SIGTERM cancel: every stage stops at the next feature and
// the import, written in one transaction, leaves the database as it was.
func importAreas(ctx context.Context, args []string) (err error) {
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = cliErr(err, "cli.areas.cancelled")
		}
	}()
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
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	features, err := geo.ReadFeatureCollection(ctx, in, crs, geo.DefaultLimits)
	in.Close()
	if err != nil {
		return importRefused(file, err)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	imp := &areaImport{db: db, level: lv, parent: *parent, strict: *strict, from: from}
	if err := imp.run(ctx, features); err != nil {
		return importRefused(file, err)
	}
	return nil
}

// importRefused lists the features refused, one line each, and says that
// nothing was imported.
func importRefused(file string, err error) error {
	var pe *geo.ParseError
	if errors.As(err, &pe) {
		for _, fe := range pe.Problems {
			fmt.Fprintln(os.Stderr, "拒绝 refused:", fe.Error())
		}
		return cliErr(nil, "cli.areas.refused", "File", file, "N", len(pe.Problems))
	}
	return err
}

type areaImport struct {
	db     *sqldb.DB
	level  wangge.Level
	parent string
	strict bool
	from   time.Time
}

// planned is one feature of the file with the code it will be written under.
type planned struct {
	f    geo.Feature
	code string
	warn *geo.FeatureError
}

// givenCode returns the code the feature names, "" when it names none, or
// the reason it is refused. A code property is the importer's own and must
// be a valid code of the import's level (under --parent when given); an
// adcode (what Amap and DataV give) is taken the same way, except that an
// adcode of digits of another length is another level's and is not this
// area's code at all — DataV's sub-district features carry their district's.
func (imp *areaImport) givenCode(i int, f geo.Feature) (string, *geo.FeatureError) {
	fail := func(key string, params ...any) (string, *geo.FeatureError) {
		return "", &geo.FeatureError{Index: i, Name: f.Name, Key: key, Params: msg.Params(params...)}
	}
	code := f.Code
	if code == "" {
		if !allDigits(f.Adcode) || len(f.Adcode) == imp.level.CodeLen() {
			code = f.Adcode
		}
	}
	if code == "" {
		return "", nil
	}
	want := imp.level.CodeLen()
	if lv := wangge.LevelOf(code); lv != 0 && lv != imp.level && wangge.ValidRegionCode(code) {
		return fail("cli.areas.code_level", "Q", strconv.Quote(code), "Got", lv.String(), "GotZh", lv.Zh(), "Level", imp.level.String(), "LevelZh", imp.level.Zh(), "Len", want)
	}
	if !wangge.ValidRegionCode(code) || wangge.LevelOf(code) != imp.level {
		return fail("cli.areas.code_invalid", "Q", strconv.Quote(code), "Level", imp.level.String(), "LevelZh", imp.level.Zh(), "Len", want)
	}
	if imp.parent != "" && wangge.ParentCode(code) != imp.parent {
		return fail("cli.areas.code_parent", "Q", strconv.Quote(code), "Parent", imp.parent)
	}
	return code, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// plan gives every feature its code, or lists every feature it refuses: an
// invalid code, a code or a name (under one parent) twice in the file, a
// parent that does not exist. A feature without a code takes that of the
// parent's child of the same name when there is one — importing a file
// again updates its areas instead of doubling them — and otherwise the next
// free code under the parent; codes of retired areas stay taken, so none is
// ever reused.
func (imp *areaImport) plan(ctx context.Context, features []geo.Feature) ([]planned, error) {
	var problems []*geo.FeatureError
	refused := map[int]bool{}
	refuse := func(i int, key string, params ...any) {
		problems = append(problems, &geo.FeatureError{Index: i, Name: features[i].Name, Key: key, Params: msg.Params(params...)})
		refused[i] = true
	}
	if imp.parent != "" && (imp.level == wangge.LevelDistrict || wangge.LevelOf(imp.parent) != imp.level-1 || !wangge.ValidRegionCode(imp.parent)) {
		if imp.level == wangge.LevelDistrict {
			return nil, cliErr(nil, "cli.areas.parent_district")
		}
		return nil, cliErr(nil, "cli.areas.parent_level", "Code", imp.parent, "Parent", (imp.level - 1).String(), "ParentZh", (imp.level - 1).Zh(), "Len", (imp.level - 1).CodeLen())
	}
	plan := make([]planned, len(features))
	byCode := make(map[string]int, len(features))
	for i, f := range features {
		plan[i].f = f
		code, fe := imp.givenCode(i, f)
		if fe != nil {
			problems = append(problems, fe)
			refused[i] = true
			continue
		}
		if code == "" {
			continue
		}
		if j, ok := byCode[code]; ok {
			refuse(i, "cli.areas.code_twice", "Code", code, "First", j+1, "FirstName", features[j].Name)
			continue
		}
		byCode[code] = i
		plan[i].code = code
	}

	// Features without a code: matched by name, or numbered, under --parent.
	var kids map[string]string // name → code of the parent's live children
	next := 1
	for i := range plan {
		if plan[i].code != "" || refused[i] {
			continue
		}
		if imp.level == wangge.LevelDistrict {
			refuse(i, "cli.areas.district_code")
			continue
		}
		if imp.parent == "" {
			refuse(i, "cli.areas.no_parent", "Parent", (imp.level - 1).String(), "ParentZh", (imp.level - 1).Zh())
			continue
		}
		if kids == nil {
			all, _, err := imp.db.ListAreas(ctx, wangge.AreaFilter{ParentCode: imp.parent, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
			if err != nil {
				return nil, err
			}
			kids = make(map[string]string, len(all))
			for _, k := range all {
				if seq, _ := strconv.Atoi(k.Code[len(k.Code)-3:]); seq >= next {
					next = seq + 1
				}
				if k.RetiredAt == nil {
					kids[k.Name] = k.Code
				}
			}
		}
		code, ok := kids[plan[i].f.Name]
		if ok {
			if j, taken := byCode[code]; taken {
				refuse(i, "cli.areas.code_twice", "Code", code, "First", j+1, "FirstName", features[j].Name)
				continue
			}
		} else {
			for ; next <= 999; next++ {
				if _, taken := byCode[wangge.ChildCode(imp.parent, next)]; !taken {
					break
				}
			}
			if next > 999 {
				refuse(i, "cli.areas.codes_full", "Parent", imp.parent)
				continue
			}
			code = wangge.ChildCode(imp.parent, next)
			next++
		}
		byCode[code] = i
		plan[i].code = code
	}

	// One name once under a parent: residents find their grid by its name.
	byName := make(map[[2]string]int, len(plan))
	parents := map[string]bool{}
	for i, p := range plan {
		if p.code == "" {
			continue
		}
		pc := wangge.ParentCode(p.code)
		k := [2]string{pc, p.f.Name}
		if j, ok := byName[k]; ok {
			refuse(i, "cli.areas.name_twice", "First", j+1, "Parent", pc)
			continue
		}
		byName[k] = i
		if pc == "" {
			continue
		}
		ok, seen := parents[pc]
		if !seen {
			_, err := imp.db.Area(ctx, pc)
			if err != nil && wangge.ErrorCode(err) != wangge.ENotFound {
				return nil, err
			}
			ok = err == nil
			parents[pc] = ok
		}
		if !ok {
			refuse(i, "cli.areas.parent_missing", "Code", pc)
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b *geo.FeatureError) int { return a.Index - b.Index })
		return nil, &geo.ParseError{Problems: problems}
	}
	return plan, nil
}

// run checks each feature against its parent's outline and writes them all
// in one transaction. The context is checked between features, so a signal
// stops the work at once; a stopped import writes nothing.
func (imp *areaImport) run(ctx context.Context, features []geo.Feature) error {
	plan, err := imp.plan(ctx, features)
	if err != nil {
		return err
	}
	outlines := map[string]geom.Geometry{}
	var refused []*geo.FeatureError
	out := make([]sqldb.AreaOutline, 0, len(plan))
	for i := range plan {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := &plan[i]
		if pc := wangge.ParentCode(p.code); pc != "" {
			pg, ok := outlines[pc]
			if !ok {
				if b, err := imp.db.Boundary(ctx, pc, time.Time{}); err == nil {
					if pg, err = geom.UnmarshalGeoJSON([]byte(b.GeoJSON)); err != nil {
						return err
					}
				} else if wangge.ErrorCode(err) != wangge.ENotFound {
					return err
				}
				outlines[pc] = pg
			}
			if !pg.IsEmpty() {
				m2, err := geo.OutsideM2(pg, p.f.Geom, outsideTolM2)
				if err != nil {
					return err
				}
				if m2 > 0 {
					key := "cli.areas.outside"
					if imp.strict {
						key = "cli.areas.outside_strict"
					}
					p.warn = &geo.FeatureError{Index: i, Name: p.f.Name, Key: key, Params: msg.Params("M2", fmt.Sprintf("%.0f", m2), "Parent", pc)}
					if imp.strict {
						refused = append(refused, p.warn)
					}
				}
			}
		}
		gj, err := p.f.Geom.MarshalJSON()
		if err != nil {
			return err
		}
		out = append(out, sqldb.AreaOutline{Code: p.code, Name: p.f.Name, GeoJSON: string(gj)})
	}
	if len(refused) > 0 {
		return &geo.ParseError{Problems: refused}
	}
	if err := imp.db.ImportAreas(ctx, out, imp.from); err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	for _, p := range plan {
		line := p.code + "\t" + p.f.Name
		if p.warn != nil {
			line += "\t警告 warning: " + p.warn.Zh() + " / " + p.warn.En()
		}
		fmt.Fprintln(w, line)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "导入 %d 个%s边界 imported %d %s boundaries\n", len(plan), imp.level.Zh(), len(plan), strings.ToLower(imp.level.String()))
	return nil
}
