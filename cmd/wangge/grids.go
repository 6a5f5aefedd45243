package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/proposal"
)

const gridsUsage = `usage:
  wangge grids propose --community CODE [--households 300] [--move BUILDING:GRID …] [--json]
                       [--accept --valid-from YYYY-MM-DD --reason TEXT] [--db DSN]`

// gridsCmd runs "wangge grids propose": a proposed division of a community
// into grids of about N households, printed per grid, and with --accept
// put into force (the store's RedrawGrids).
func gridsCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "propose" {
		fmt.Fprintln(os.Stderr, gridsUsage)
		return exitError(2)
	}
	fs := flag.NewFlagSet("grids propose", flag.ExitOnError)
	dsn := dbFlag(fs)
	community := fs.String("community", "", "the community's 12-digit code")
	n := fs.Int("households", proposal.DefaultHouseholds, "about how many households a grid")
	var moves []string
	fs.Func("move", "put a building in another proposed grid: BUILDING:GRID (repeatable)", func(v string) error {
		moves = append(moves, v)
		return nil
	})
	asJSON := fs.Bool("json", false, "print JSON")
	accept := fs.Bool("accept", false, "accept the proposal: move the buildings and version the outlines")
	validFrom := fs.String("valid-from", "", "with --accept: the date the new grids take effect (default: today)")
	reason := fs.String("reason", "", "with --accept: why (kept with every move and in the audit log)")
	fs.Parse(args[1:])
	if wangge.LevelOf(*community) != wangge.LevelCommunity {
		return fmt.Errorf("--community needs a 12-digit community code")
	}
	if *n < 1 || *n > proposal.MaxHouseholds {
		return cliErr(nil, "cli.grids.households", "Max", proposal.MaxHouseholds)
	}
	var from time.Time
	if *accept {
		if strings.TrimSpace(*reason) == "" {
			return fmt.Errorf("--accept needs --reason")
		}
		if *validFrom != "" {
			var err error
			if from, err = time.ParseInLocation(time.DateOnly, *validFrom, chinaTime); err != nil {
				return fmt.Errorf("--valid-from: want YYYY-MM-DD")
			}
		}
	}
	opt := proposal.Options{Households: *n}
	var err error
	if opt.Moves, err = proposal.ParseMoves(moves); err != nil {
		return bilingual(err)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	start := time.Now()
	p, err := proposal.Make(ctx, db, wangge.ScopeAll(), *community, opt)
	if err != nil {
		return bilingual(err)
	}
	took := time.Since(start)
	var codes []string
	if *accept {
		if codes, err = p.Accept(ctx, db, wangge.ScopeAll(), "", from, *reason); err != nil {
			return bilingual(err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*proposal.Proposal
			Accepted []string `json:"accepted,omitempty"`
		}{p, codes})
	}
	fmt.Printf("%s %s：%d 户 households，每格约 %d 户 → %d 个网格 grids；最大偏差 max deviation %.1f%%，平均 mean %.1f%%（%v）\n",
		p.Code, p.Community.Name, p.Households, p.Target, len(p.Grids), p.MaxDeviationPct, p.MeanDeviationPct, took.Round(time.Millisecond))
	fmt.Printf("%-6s %-16s %8s %8s %14s %10s\n", "网格", "沿用编码 keeps", "户数 hh", "楼院 bldg", "偏差 deviation", "面积 ha")
	for _, g := range p.Grids {
		code := g.Code
		if code == "" {
			code = "新 new"
		}
		mark := ""
		if !g.Contiguous {
			mark = "  不连片 not contiguous"
		}
		fmt.Printf("%-6d %-16s %8d %8d %6s %7s %10.1f%s\n", g.Number, code, g.Households, g.Buildings,
			fmt.Sprintf("%+d", g.Deviation), fmt.Sprintf("(%+.1f%%)", g.DeviationPct), g.Hectares(), mark)
	}
	if len(p.Retired) > 0 {
		fmt.Printf("撤销 retired: %s\n", strings.Join(p.Retired, " "))
	}
	for _, w := range p.Warnings {
		fmt.Printf("注意 warning: %s / %s\n", w.Zh, w.EN)
	}
	if *accept {
		fmt.Printf("已接受 accepted: %s\n", strings.Join(codes, " "))
	}
	return nil
}

// bilingual gives a domain error both its texts on the command line.
func bilingual(err error) error {
	var we *wangge.Error
	if errors.As(err, &we) {
		return fmt.Errorf("%s / %s", wangge.ErrorZh(err), wangge.ErrorMessage(err))
	}
	return err
}
