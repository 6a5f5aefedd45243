package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
	"github.com/wangge/wangge/sqldb"
)

// exportLedgers are the ledgers `wangge export` writes, by their command
// names.
var exportLedgers = map[string]ledger.ExportKind{
	"assistants": ledger.ExportAssistants,
	"residents":  ledger.ExportResidents,
	"units":      ledger.ExportUnits,
	"keygroups":  ledger.ExportGroups,
}

// isExportReport reports whether name is a report `wangge export` writes.
func isExportReport(name string) bool {
	return name == ledger.ReportCompleteness || wangge.LineReportOf(wangge.Line(name)) != nil
}

// exportTable writes a ledger or a report as the operator: the system
// actor over the district's scope, holding the key, so personal data is
// written in full and a residents', units' or key groups' file imports
// back with nothing changed. Every export is audited, once.
func exportTable(ctx context.Context, name string, args []string) error {
	fs := flag.NewFlagSet("export "+name, flag.ExitOnError)
	fs.Usage = func() { fmt.Fprintln(os.Stderr, exportUsage) }
	dsn := dbFlag(fs)
	community := fs.String("community", "", "code of the community (or any area) to export (default: the whole district)")
	area := fs.String("area", "", "the same as --community: the area a report counts")
	format := fs.String("format", "", "xlsx or csv (default: from the file name, else xlsx; reports are xlsx)")
	out := fs.String("o", "", "file to write")
	fs.StringVar(out, "out", "", "the same as -o")
	group := fs.String("group", "", "keygroups: one key group (default: every group)")
	all := fs.Bool("all", false, "keygroups: include members who left")
	q := fs.String("q", "", "ledgers: what the ledger page's search box would match")
	reason := fs.String("reason", "", "why: written into the file and the audit log")
	day := fs.String("date", "", "reports: report date, YYYY-MM-DD (default: today in Beijing)")
	cycle := fs.Int("cycle", wangge.DefaultVisitCycle, "reports: visit cycle of the completeness report, in days")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	code := *community
	if code == "" {
		code = *area
	}
	if *out == "" || len(pos) > 0 || code != "" && !wangge.ValidRegionCode(code) {
		fmt.Fprintln(os.Stderr, exportUsage)
		return exitError(2)
	}
	if *format == "" {
		*format = ledger.FormatXLSX
		if strings.EqualFold(filepath.Ext(*out), ".csv") {
			*format = ledger.FormatCSV
		}
	}
	if *format != ledger.FormatXLSX && *format != ledger.FormatCSV {
		return fmt.Errorf("--format must be xlsx or csv")
	}
	kind, isLedger := exportLedgers[name]
	if !isLedger && *format != ledger.FormatXLSX {
		return fmt.Errorf("reports are written as xlsx")
	}
	var groupDef *wangge.GroupDef
	if *group != "" {
		if kind != ledger.ExportGroups {
			return fmt.Errorf("--group is for keygroups")
		}
		if groupDef = wangge.GroupDefOf(wangge.KeyGroup(*group)); groupDef == nil {
			return fmt.Errorf("no key group %q", *group)
		}
	}
	if *cycle < 1 || *cycle > 3660 {
		return fmt.Errorf("--cycle must be 1 to 3660 days")
	}
	now := time.Now().In(chinaTime)
	at := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if *day != "" {
		if at, err = time.Parse(time.DateOnly, *day); err != nil {
			return fmt.Errorf("--date: want YYYY-MM-DD: %w", err)
		}
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if code == "" {
		if code, err = onlyDistrict(ctx, db); err != nil {
			return err
		}
	}
	a, err := db.Area(ctx, code)
	if err != nil {
		return fmt.Errorf("area %s: %w", code, cliError(err))
	}
	actor := cliIdentity()
	ctx = wangge.WithActor(ctx, wangge.Actor{Username: actor, Role: wangge.RoleSystem})
	u := &wangge.User{Username: actor, Role: wangge.RoleSystem, ScopeCode: code[:wangge.DistrictCodeLen]}
	scope := u.Scope().Narrow(code)

	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(*out)
		return cliError(err)
	}
	var entry *wangge.AuditEntry
	var rows int
	if isLedger {
		e := &ledger.Export{Kind: kind, Format: *format, Area: a, Scope: scope, Query: *q, All: *all,
			Terms: u.Scope(), Staff: true, Exporter: "命令行 " + actor, Reason: strings.TrimSpace(*reason), Now: now}
		e.Group = groupDef
		if err := e.Write(ctx, db, f); err != nil {
			return fail(err)
		}
		entry, rows = e.Audit(), e.Rows
	} else {
		rb := &ledger.ReportBook{Name: name, Area: a, Scope: scope, Day: at, Cycle: *cycle}
		if err := rb.Write(ctx, db, f); err != nil {
			return fail(err)
		}
		// The pages audit only workbooks that list people; every export of
		// the operator's is on record.
		entry, rows = rb.Entry(), rb.Listed
	}
	if err := f.Close(); err != nil {
		os.Remove(*out)
		return err
	}
	if err := db.Audit(ctx, entry); err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(os.Stderr, "已导出 exported %s（%s %s）%d 行 rows → %s\n", name, a.Name, a.Code, rows, *out)
	return nil
}

// onlyDistrict returns the code of the database's district, the default
// area of an export; with several, the operator names one.
func onlyDistrict(ctx context.Context, db *sqldb.DB) (string, error) {
	ds, n, err := db.ListAreas(ctx, wangge.AreaFilter{Level: wangge.LevelDistrict, Page: wangge.Page{Limit: 2}})
	if err != nil {
		return "", err
	}
	switch {
	case n == 0:
		return "", fmt.Errorf("the database has no district: import areas first")
	case n > 1:
		return "", fmt.Errorf("the database has %d districts: say which with --community or --area", n)
	}
	return ds[0].Code, nil
}

// cliError says a domain error in both languages and passes any other
// through, so that the operator sees what went wrong.
func cliError(err error) error {
	var e *wangge.Error
	if errors.As(err, &e) {
		return fmt.Errorf("%s / %s", wangge.ErrorZh(err), wangge.ErrorMessage(err))
	}
	return err
}
