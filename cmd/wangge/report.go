package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/wangge/wangge"
	wanggehttp "github.com/wangge/wangge/http"
)

const reportUsage = `usage:
  wangge report completeness|civil|labor|health|order|city|party --area CODE --out FILE.xlsx
                [--date YYYY-MM-DD] [--cycle DAYS] [--db DSN]`

// reportCmd writes a report's workbook as the pages do (docs/reports.md),
// as the system over the area's district; the generation is audited.
func reportCmd(ctx context.Context, args []string) error {
	if len(args) < 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, reportUsage)
		return exitError(2)
	}
	name := args[0]
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	dsn := dbFlag(fs)
	area := fs.String("area", "", "code of the area whose child areas the report counts")
	out := fs.String("out", "", "xlsx file to write")
	day := fs.String("date", "", "report date, YYYY-MM-DD (default: today in Beijing)")
	cycle := fs.Int("cycle", wangge.DefaultVisitCycle, "visit cycle of the completeness report, in days")
	fs.Parse(args[1:])
	if !wangge.ValidRegionCode(*area) || *out == "" {
		fmt.Fprintln(os.Stderr, reportUsage)
		return exitError(2)
	}
	if *cycle < 1 || *cycle > 3660 {
		return fmt.Errorf("--cycle must be 1 to 3660 days")
	}
	at := time.Now().In(chinaTime)
	if *day != "" {
		var err error
		if at, err = time.Parse(time.DateOnly, *day); err != nil {
			return fmt.Errorf("--date: want YYYY-MM-DD: %w", err)
		}
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := "cli:" + os.Getenv("USER")
	ctx = wangge.WithActor(ctx, wangge.Actor{Username: actor, Role: wangge.RoleSystem})
	u := &wangge.User{Username: actor, Role: wangge.RoleSystem, ScopeCode: (*area)[:wangge.DistrictCodeLen]}
	srv := wanggehttp.NewServer(db, wanggehttp.Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)), Now: time.Now})
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := srv.WriteReport(ctx, u, name, *area, at, *cycle, f); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	return f.Close()
}
