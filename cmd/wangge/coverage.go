package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	"github.com/wangge/wangge/sqldb"
)

// coverageTolM2 is the smallest gap or overlap reported: below it are the
// floating-point slivers of borders that are meant to be shared.
const coverageTolM2 = 1.0

type coverageItem struct {
	Codes  []string `json:"codes,omitempty"`
	AreaM2 float64  `json:"area_m2"`
	Lng    float64  `json:"lng"`
	Lat    float64  `json:"lat"`
}

type parentCoverage struct {
	Code           string         `json:"code"`
	Name           string         `json:"name"`
	Level          string         `json:"level"`
	Seamless       bool           `json:"seamless"`
	Children       int            `json:"children"`
	Gaps           []coverageItem `json:"gaps"`
	Overlaps       []coverageItem `json:"overlaps"`
	OutsideParent  []coverageItem `json:"outside_parent"`
	MissingOutline []string       `json:"children_without_boundary,omitempty"`
}

type strayBuilding struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	GridCode string   `json:"grid_code"`
	Lng      float64  `json:"lng"`
	Lat      float64  `json:"lat"`
	Grids    []string `json:"grids,omitempty"`
}

type coverageReport struct {
	Seamless               bool             `json:"seamless"`
	Parents                []parentCoverage `json:"parents"`
	BuildingsOutsideGrids  []strayBuilding  `json:"buildings_outside_grids"`
	BuildingsInTwoGrids    []strayBuilding  `json:"buildings_in_two_grids"`
	BuildingsInAnotherGrid []strayBuilding  `json:"buildings_in_another_grid"`
}

func coverage(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("coverage", flag.ExitOnError)
	dsn := dbFlag(fs)
	community := fs.String("community", "", "check one community's grids")
	subdistrict := fs.String("subdistrict", "", "check a sub-district's communities and their grids")
	fs.Bool("all", false, "check the whole database (the default without --community or --subdistrict)")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Parse(args)
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	root := ""
	switch {
	case *community != "":
		if wangge.LevelOf(*community) != wangge.LevelCommunity {
			return fmt.Errorf("--community needs a 12-digit community code")
		}
		root = *community
	case *subdistrict != "":
		if wangge.LevelOf(*subdistrict) != wangge.LevelSubdistrict {
			return fmt.Errorf("--subdistrict needs a 9-digit sub-district code")
		}
		root = *subdistrict
	}
	rep, err := checkCoverage(ctx, db, root)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Parents {
			mark := "无缝 seamless"
			if !p.Seamless {
				mark = "有缺口或重叠 NOT seamless"
			}
			fmt.Printf("%s %-16s %s: %d 个下级 children, %d 处缺口 gaps, %d 处重叠 overlaps, %d 处越界 outside parent\n",
				p.Code, p.Name, mark, p.Children, len(p.Gaps), len(p.Overlaps), len(p.OutsideParent))
			for _, g := range p.Gaps {
				fmt.Printf("    缺口 gap       %10.0f m²  at %.6f,%.6f\n", g.AreaM2, g.Lng, g.Lat)
			}
			for _, o := range p.Overlaps {
				fmt.Printf("    重叠 overlap   %10.0f m²  at %.6f,%.6f  %v\n", o.AreaM2, o.Lng, o.Lat, o.Codes)
			}
			for _, o := range p.OutsideParent {
				fmt.Printf("    越界 outside   %10.0f m²  at %.6f,%.6f  %v\n", o.AreaM2, o.Lng, o.Lat, o.Codes)
			}
		}
		fmt.Printf("楼院不在任何网格内 buildings outside every grid: %d; 在两个网格内 in two grids: %d; 不在所属网格内 outside their own grid: %d\n",
			len(rep.BuildingsOutsideGrids), len(rep.BuildingsInTwoGrids), len(rep.BuildingsInAnotherGrid))
	}
	if !rep.Seamless {
		return exitError(1)
	}
	return nil
}

// checkCoverage checks every parent at or under root ("" for all) against
// its children, and every building against the grids.
func checkCoverage(ctx context.Context, db *sqldb.DB, root string) (*coverageReport, error) {
	rep := &coverageReport{Seamless: true, Parents: []parentCoverage{}, BuildingsOutsideGrids: []strayBuilding{},
		BuildingsInTwoGrids: []strayBuilding{}, BuildingsInAnotherGrid: []strayBuilding{}}
	outline := map[string]geom.Geometry{}
	for _, lv := range []wangge.Level{wangge.LevelDistrict, wangge.LevelSubdistrict, wangge.LevelCommunity, wangge.LevelGrid} {
		prefix := root
		if len(prefix) > lv.CodeLen() {
			prefix = prefix[:lv.CodeLen()]
		}
		bs, err := db.Boundaries(ctx, prefix, lv, time.Time{})
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			a, err := geo.ParseArea(b.AreaCode, b.GeoJSON)
			if err != nil {
				return nil, err
			}
			outline[b.AreaCode] = a.Geom
		}
	}
	areas, _, err := db.ListAreas(ctx, wangge.AreaFilter{Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	children := map[string][]wangge.Area{}
	for _, a := range areas {
		if a.RetiredAt == nil {
			children[a.ParentCode] = append(children[a.ParentCode], a)
		}
	}
	var gridGeoms []geo.Child
	for _, a := range areas {
		if len(children[a.Code]) == 0 || !strings.HasPrefix(a.Code, root) {
			continue
		}
		pg, ok := outline[a.Code]
		if !ok {
			continue // a parent without an outline cannot be checked
		}
		pc := parentCoverage{Code: a.Code, Name: a.Name, Level: a.Level.String(), Children: len(children[a.Code]),
			Gaps: []coverageItem{}, Overlaps: []coverageItem{}, OutsideParent: []coverageItem{}}
		var kids []geo.Child
		for _, k := range children[a.Code] {
			if g, ok := outline[k.Code]; ok {
				kids = append(kids, geo.Child{Code: k.Code, Geom: g})
			} else {
				pc.MissingOutline = append(pc.MissingOutline, k.Code)
			}
		}
		cov, err := geo.CheckCoverage(pg, kids, coverageTolM2)
		if err != nil {
			return nil, fmt.Errorf("coverage of %s: %w", a.Code, err)
		}
		item := func(p geo.Problem) coverageItem {
			return coverageItem{Codes: p.Codes, AreaM2: p.AreaM2, Lng: p.Lng, Lat: p.Lat}
		}
		for _, p := range cov.Gaps {
			pc.Gaps = append(pc.Gaps, item(p))
		}
		for _, p := range cov.Overlaps {
			pc.Overlaps = append(pc.Overlaps, item(p))
		}
		for _, p := range cov.OutsideParent {
			pc.OutsideParent = append(pc.OutsideParent, item(p))
		}
		pc.Seamless = cov.Seamless && len(pc.MissingOutline) == 0
		rep.Seamless = rep.Seamless && pc.Seamless
		rep.Parents = append(rep.Parents, pc)
		if a.Level == wangge.LevelCommunity {
			gridGeoms = append(gridGeoms, kids...)
		}
	}

	// Buildings: against every grid outline, not just the one they claim.
	var idxAreas []geo.Area
	for code, g := range outline {
		if wangge.LevelOf(code) == wangge.LevelGrid {
			idxAreas = append(idxAreas, geo.Area{Code: code, Geom: g})
		}
	}
	ix, err := geo.NewIndex(idxAreas)
	if err != nil {
		return nil, err
	}
	scope := wangge.ScopeAll()
	if root != "" {
		scope = wangge.ScopeOf(root)
	}
	for page := 0; ; page++ {
		bs, total, err := db.ListBuildings(ctx, scope, wangge.BuildingFilter{Page: wangge.Page{Offset: page * wangge.MaxPageLimit, Limit: wangge.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			sb := strayBuilding{ID: b.ID, Name: b.Name, GridCode: b.GridCode, Lng: b.Lng, Lat: b.Lat}
			code, ok := ix.Locate(b.Lng, b.Lat)
			switch {
			case !ok:
				rep.BuildingsOutsideGrids = append(rep.BuildingsOutsideGrids, sb)
			case code != b.GridCode:
				sb.Grids = []string{code}
				rep.BuildingsInAnotherGrid = append(rep.BuildingsInAnotherGrid, sb)
			}
			if in := gridsHolding(gridGeoms, b.Lng, b.Lat); len(in) > 1 {
				sb.Grids = in
				rep.BuildingsInTwoGrids = append(rep.BuildingsInTwoGrids, sb)
			}
		}
		if (page+1)*wangge.MaxPageLimit >= total {
			break
		}
	}
	if len(rep.BuildingsOutsideGrids)+len(rep.BuildingsInTwoGrids) > 0 {
		rep.Seamless = false
	}
	return rep, nil
}

// gridsHolding returns the grids whose interior holds the point.
func gridsHolding(grids []geo.Child, lng, lat float64) []string {
	pt := geom.NewPoint(geom.Coordinates{XY: geom.XY{X: lng, Y: lat}, Type: geom.DimXY}).AsGeometry()
	var in []string
	for _, g := range grids {
		env := g.Geom.Envelope()
		if !env.Contains(geom.XY{X: lng, Y: lat}) {
			continue
		}
		if ok, err := geom.Contains(g.Geom, pt); err == nil && ok {
			in = append(in, g.Code)
		}
	}
	return in
}
