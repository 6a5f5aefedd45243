// Command wangge runs the community grid service and management system:
// the web server, the demo district, statistics, migrations, accounts and
// the audit check. See DESIGN.md for the stable command-line contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `wangge — 社区网格化服务管理 (community grid service and management)

Usage:
  wangge serve   [--db DSN] [--addr HOST:PORT] [--tiles URL] [--public-url URL] [--kiosk-at LNG,LAT]
                                                    serve the web pages and the API
  wangge demo    [--db DSN] [--scale N] [--seed S] [--admin-password P] [--if-empty] [--force]
                                                    fill an empty database with the synthetic demo district
  wangge stats   [--db DSN] [--json]                  count what the database holds
  wangge migrate [--db DSN]                           apply database migrations
  wangge user    add|passwd|list|disable …            manage accounts
  wangge audit   verify [--db DSN]                    check the audit chain under its key and against its checkpoints
  wangge audit   checkpoints [--db DSN] -o FILE       write the audit chain's checkpoints for an auditor to keep
  wangge backup  [--db DSN] OUT                       copy the SQLite database and its key, consistently while serving
  wangge restore [--db DSN] BACKUP [--key FILE] [--force]
                                                    check a backup and put it (and its key) in place
  wangge key     rotate [--db DSN]                    re-encrypt personal data under a new key, while serving
  wangge person  find|show|export|correct|delete …    a person's data on request (see PRIVACY.md)
  wangge import  areas|grids FILE --level L [--parent CODE] [--crs wgs84|gcj02] [--strict]
                                                    load area boundaries from GeoJSON
  wangge import  persons|units|keygroups FILE [--dry-run] [--errors OUT.xlsx] [--json] [--skip-rejected]
                                                    import a ledger from xlsx or CSV, every row checked, all or nothing
  wangge import  template persons|units|keygroups OUT.xlsx
                                                    write an import template
  wangge export  areas [--level L] [--within CODE] [--crs wgs84|gcj02] [--as-of DATE] [--object CODE]
                                                    write area boundaries as GeoJSON (grids: 20-digit CJ/T 349 codes)
  wangge export  assistants|residents|units|keygroups [--community CODE] [--format xlsx|csv] -o FILE
                                                    write a ledger in full (imports back unchanged), audited
  wangge export  completeness|civil|labor|health|order|city|party [--area CODE] -o FILE.xlsx [--date D] [--cycle N]
                                                    write a report's workbook (docs/reports.md), audited
  wangge coverage [--community CODE | --subdistrict CODE | --all] [--json]
                                                    gaps, overlaps and stray buildings
  wangge grids   propose --community CODE [--households 300] [--json] [--accept --valid-from DATE --reason TEXT]
                                                    propose (and accept) grids of about N households
  wangge calendar [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--db DSN]
                                                    the work calendar day by day: holidays and make-up workdays (调休);
                                                    with --db the district's, its loaded years included
  wangge calendar import FILE [--db DSN]            load a year's holidays (workcal/years/README.md's form), audited
  wangge apikey  add NAME | list [--json] | revoke NAME [--db DSN]
                                                    keys of Open311 clients (/open311/v2): a new key is printed once

  wangge bench   grouplist --db DSN [--requests N]    key-group list latency on a demo database, against a raw read
  wangge bench   reports --db DSN [--rounds N]        every report page of the demo district, against a raw scan
  wangge bench   cases [--db DSN] [--clients 200] [--duration 60s] [--json]
                                                    the case API under load on loopback over a fresh store; checks nothing was lost

DSN is a SQLite file (default wangge.db) or postgres://…
Environment: WANGGE_DB, WANGGE_ADDR, WANGGE_SECRET_KEY_FILE.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		fmt.Fprintln(os.Stderr, "wangge:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status after the command has said why.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitError(2)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest)
	case "demo":
		return demo(ctx, rest)
	case "stats":
		return stats(ctx, rest)
	case "migrate":
		return migrate(ctx, rest)
	case "user":
		return user(ctx, rest)
	case "audit":
		return audit(ctx, rest)
	case "key":
		return keyCmd(ctx, rest)
	case "backup":
		return backupCmd(ctx, rest)
	case "restore":
		return restoreCmd(ctx, rest)
	case "bench":
		return benchCmd(ctx, rest)
	case "person":
		return person(ctx, rest)
	case "import":
		return importCmd(ctx, rest)
	case "export":
		return exportCmd(ctx, rest)
	case "coverage":
		return runCoverage(ctx, rest)
	case "grids":
		return gridsCmd(ctx, rest)
	case "report":
		return reportCmd(ctx, rest)
	case "apikey":
		return apikeyCmd(ctx, args[1:])
	case "calendar":
		return calendarCmd(ctx, rest)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprintf(os.Stderr, "wangge: unknown command %q\n\n%s", cmd, usage)
	return exitError(2)
}
