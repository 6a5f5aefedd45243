package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
)

const ledgerImportUsage = `usage:
  wangge import persons|units|keygroups FILE [--dry-run] [--errors OUT.xlsx] [--json] [--skip-rejected] [--scope CODE] [--db DSN]
  wangge import template persons|units|keygroups OUT.xlsx

FILE is xlsx or CSV with the ledger's Chinese headers (docs/ledger-columns.md),
such as a file of wangge export. Every row is checked first; when any row is
rejected nothing is written (exit status 1) unless --skip-rejected, which
writes the valid rows and still exits 1. --errors writes the rejected rows
with an error column, to fix and import again. --json prints the counts
added, updated, unchanged and rejected.`

// ledgerKindOf returns the ledger sheet an import command names:
// "keygroups", or "memberships", its older name, kept as a quiet alias.
func ledgerKindOf(what string) ledger.Kind {
	switch what {
	case "keygroups", "memberships":
		return ledger.KindMemberships
	}
	return ledger.Kind(what)
}

// isLedgerImport reports whether an import command is a ledger's.
func isLedgerImport(what string) bool {
	switch what {
	case "persons", "units", "memberships", "keygroups", "template":
		return true
	}
	return false
}

// ledgerImport imports a ledger file, or writes a template.
func ledgerImport(ctx context.Context, args []string) error {
	what := args[0]
	fs := flag.NewFlagSet("import "+what, flag.ExitOnError)
	fs.Usage = func() { fmt.Fprintln(os.Stderr, ledgerImportUsage) }
	dsn := dbFlag(fs)
	dry := fs.Bool("dry-run", false, "check every row and say what would change; write nothing")
	rejects := fs.String("errors", "", "write the rejected rows to this xlsx file, with an error column")
	fs.StringVar(rejects, "rejects", "", "the older name of --errors")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	skip := fs.Bool("skip-rejected", false, "write the valid rows even when some are rejected")
	scopeCode := fs.String("scope", "", "import as staff of this area would: rows outside it are rejected (default: everything)")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if what == "template" {
		if len(pos) != 2 || ledger.SpecOf(ledgerKindOf(pos[0])) == nil {
			fmt.Fprintln(os.Stderr, ledgerImportUsage)
			return exitError(2)
		}
		return writeTemplate(ledgerKindOf(pos[0]), pos[1])
	}
	if len(pos) != 1 {
		fmt.Fprintln(os.Stderr, ledgerImportUsage)
		return exitError(2)
	}
	kind := ledgerKindOf(what)
	file := pos[0]
	scope := wangge.ScopeAll()
	if *scopeCode != "" {
		if scope = wangge.ScopeOf(*scopeCode); scope.IsZero() {
			return fmt.Errorf("--scope %q is not a region code", *scopeCode)
		}
		scope.Sensitive = true
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)

	start := time.Now()
	progress := func(done, total int) {
		if total > 0 {
			fmt.Fprintf(os.Stderr, "\r已检查 checked %d / %d 行 rows (%d%%) %s ", done, total, done*100/max(total, 1), time.Since(start).Round(time.Second))
		} else {
			fmt.Fprintf(os.Stderr, "\r已检查 checked %d 行 rows %s ", done, time.Since(start).Round(time.Second))
		}
	}
	// One pass: every row is checked, and the valid rows are written only
	// when none is rejected (or --skip-rejected says to write them anyway).
	opt := ledger.Options{Scope: scope, File: filepath.Base(file), DryRun: *dry, Strict: !*skip, Progress: progress}
	var out *os.File
	if *rejects != "" {
		if out, err = os.OpenFile(*rejects, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err != nil {
			return err
		}
		defer out.Close()
		opt.Rejects = out
	}
	rep, err := ledger.Import(ctx, db, kind, file, opt)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return fmt.Errorf("%s / %s", wangge.ErrorZh(err), wangge.ErrorMessage(err))
	}
	if out != nil {
		if err := out.Close(); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "被拒绝的行已写入 rejected rows written to %s\n", *rejects)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			wangge.ImportCounts
			File    string   `json:"file"`
			DryRun  bool     `json:"dry_run"`
			Ignored []string `json:"ignored_columns,omitempty"`
		}{rep.Counts, file, *dry, rep.Ignored})
	} else {
		for _, r := range rep.Rows {
			for _, m := range r.Errors {
				fmt.Fprintf(os.Stderr, "第 %d 行 row %d: %s\n", r.Line, r.Line, m.String())
			}
		}
		if len(rep.Ignored) > 0 {
			fmt.Fprintf(os.Stderr, "忽略的列 ignored columns: %v\n", rep.Ignored)
		}
		c := rep.Counts
		verb := "已导入 imported"
		switch {
		case rep.DryRun:
			verb = "试运行，未写入 dry run, nothing written"
		case !c.Written && c.Rejected > 0:
			verb = "有被拒绝的行，未写入 rows were rejected, nothing written"
		case !c.Written:
			verb = "没有变化 nothing to change"
		}
		fmt.Printf("%s: 新增 added %d, 更新 updated %d, 无变化 unchanged %d, 拒绝 rejected %d (新增住户 households added %d)\n",
			verb, c.Added, c.Updated, c.Unchanged, c.Rejected, c.Households)
	}
	if rep.Counts.Rejected > 0 {
		return exitError(1)
	}
	return nil
}

func writeTemplate(kind ledger.Kind, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := ledger.WriteTemplate(f, kind); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "模板已写入 template written to %s\n", out)
	return nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, and returns those.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
