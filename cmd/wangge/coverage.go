package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/coverage"
)

func runCoverage(ctx context.Context, args []string) error {
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
	rep, err := coverage.Check(ctx, db, root, time.Time{})
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
