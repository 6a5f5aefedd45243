package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/wangge/wangge"
)

func stats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	dsn := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Parse(args)
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Stats(ctx, wangge.ScopeAll())
	if err != nil {
		return err
	}
	if *asJSON {
		// Cases by state: an object even before any case exists, so the
		// key's type never changes under a reader.
		if st.Cases == nil {
			st.Cases = map[string]int{}
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	for _, r := range []struct {
		zh, en string
		n      int
	}{
		{"街道", "sub-districts", st.Subdistricts}, {"社区", "communities", st.Communities}, {"网格", "grids", st.Grids},
		{"楼院", "buildings", st.Buildings}, {"户", "households", st.Households}, {"人", "persons", st.Persons},
		{"驻区单位", "units", st.Units}, {"协理员", "assistants", st.Assistants}, {"重点群体成员", "key-group members", st.Memberships},
		{"走访记录", "visits", st.Visits}, {"百项服务", "services", st.Services}, {"账号", "users", st.Users},
	} {
		fmt.Printf("%-8s %-18s %8d\n", r.zh, r.en, r.n)
	}
	return nil
}

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ExitOnError)
	dsn := dbFlag(fs)
	fs.Parse(args)
	db, err := openStore(ctx, *dsn) // opening migrates
	if err != nil {
		return err
	}
	fmt.Println("数据库已是最新结构 The database schema is up to date.")
	return db.Close()
}

func audit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(os.Stderr, "usage: wangge audit verify [--db DSN]")
		return exitError(2)
	}
	fs := flag.NewFlagSet("audit verify", flag.ExitOnError)
	dsn := dbFlag(fs)
	fs.Parse(args[1:])
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	bad, checked, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if bad != 0 {
		fmt.Printf("审计日志链在第 %d 条处断开（已检查 %d 条）。The audit chain is broken at entry %d (%d entries checked).\n", bad, checked, bad, checked)
		return exitError(1)
	}
	fmt.Printf("审计日志链完整，共 %d 条。The audit chain holds: %d entries.\n", checked, checked)
	return nil
}
