package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
	"github.com/wangge/wangge/synth"
)

func demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ExitOnError)
	dsn := dbFlag(fs)
	scale := fs.Float64("scale", 1, "size: 1 is a district of 50 communities; 0.02 is one community")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same district")
	adminPassword := fs.String("admin-password", "", "password of the admin account (random when empty)")
	ifEmpty := fs.Bool("if-empty", false, "do nothing, successfully, when the database already holds data")
	force := fs.Bool("force", false, "delete everything in the database first")
	fs.Parse(args)

	if *scale <= 0 || *scale > 20 {
		return fmt.Errorf("--scale must be above 0 and at most 20")
	}
	if *adminPassword != "" {
		if err := passwd.CheckPolicy("admin", *adminPassword); err != nil {
			return fmt.Errorf("--admin-password: %w", err)
		}
	}
	if *force && !isPostgres(*dsn) {
		// Starting from a fresh file is faster than deleting every row; the
		// key file stays, so nothing else encrypted under it is lost.
		p := sqlite.Path(*dsn)
		for _, f := range []string{p, p + "-wal", p + "-shm"} {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		// The old database's checkpoints stay in their file; the new
		// chain starts from a base checkpoint after them.
		if err := startNewChain(keyPath(*dsn)); err != nil {
			return fmt.Errorf("start the new audit chain's checkpoints: %w", err)
		}
	}
	db, err := createStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	empty, err := db.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty && *force {
		if err := db.Reset(ctx); err != nil {
			return err
		}
	} else if !empty {
		if *ifEmpty {
			fmt.Println("数据库已有数据，跳过演示数据生成。The database already holds data; the demo was not generated again.")
			return printExistingAccounts(ctx, db, *seed, *adminPassword)
		}
		return fmt.Errorf("the database %s is not empty; use --force to replace its contents, or --if-empty to skip", *dsn)
	}

	start := time.Now()
	ctx = wangge.WithActor(ctx, wangge.Actor{Username: "demo", Role: wangge.RoleSystem})
	bulk, err := db.Bulk(ctx)
	if err != nil {
		return err
	}
	hash := func(pw string) string { return passwd.Hash(pw, passwd.Default) }
	last := time.Time{}
	progress := func(done, total int) {
		if time.Since(last) < 200*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		pct := 100 * done / max(total, 1)
		bar := strings.Repeat("█", pct/4) + strings.Repeat("░", 25-pct/4)
		fmt.Fprintf(os.Stderr, "\r生成演示数据 generating %s %3d%%  %d/%d 人 persons", bar, pct, done, total)
	}
	res, err := synth.Generate(synth.Config{Seed: *seed, Scale: *scale}, bulk, *adminPassword, hash, progress)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		bulk.Rollback()
		return err
	}
	fmt.Fprintln(os.Stderr, "写入数据库 committing …")
	if err := bulk.Commit(); err != nil {
		return err
	}
	cases, err := demoCases(ctx, db, res, *seed, *scale)
	if err != nil {
		return err
	}
	if err := db.Optimize(ctx); err != nil {
		return err
	}
	fmt.Printf("演示区已生成 Demo district ready in %.1fs: %d 个街道 sub-districts, %d 个社区 communities, %d 个网格 grids, %d 个楼院 buildings, %d 户 households, %d 人 persons, %d 个单位 units, %d 件案件 cases (%d 件在办 open).\n",
		time.Since(start).Seconds(), res.Subdistricts, res.Communities, res.Grids, res.Buildings, res.Households, res.Persons, res.Units,
		cases.Cases, cases.Cases-cases.ByState[casework.Closed]-cases.ByState[casework.Merged])
	printAccounts(res.Accounts)
	return nil
}

// demoCases writes the district's year of cases (synth.GenerateCases on
// the store's own engine and calendar) through the store's bulk path: one
// transaction and one audit entry naming the batch, not one per event.
func demoCases(ctx context.Context, db *sqldb.DB, res *synth.Result, seed int64, scale float64) (*synth.CaseResult, error) {
	eng, err := db.CaseEngine(ctx)
	if err != nil {
		return nil, err
	}
	services, err := db.ListServices(ctx, "", true)
	if err != nil {
		return nil, err
	}
	cb, err := db.BulkCases(ctx)
	if err != nil {
		return nil, err
	}
	start, last := time.Now(), time.Time{}
	progress := func(done, total int) {
		if time.Since(last) < 200*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		pct := 100 * done / max(total, 1)
		bar := strings.Repeat("█", pct/4) + strings.Repeat("░", 25-pct/4)
		fmt.Fprintf(os.Stderr, "\r生成案件 cases      %s %3d%%  %d/%d 件 cases", bar, pct, done, total)
	}
	out, err := synth.GenerateCases(res, synth.CaseOptions{Engine: eng, Categories: casework.Categories(services)}, cb, progress)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		cb.Rollback()
		return nil, err
	}
	if err := cb.Commit(map[string]any{"generator": "synth", "seed": seed, "scale": scale}); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "案件已写入 %d cases, %d events in %.1fs\n", out.Cases, out.Events, time.Since(start).Seconds())
	return out, nil
}

func printAccounts(accounts []synth.Account) {
	fmt.Println("\n登录账号 Accounts (用户名 username / 密码 password):")
	for _, a := range accounts {
		line := ""
		if a.Line != "" {
			line = " " + a.Line.Zh()
		}
		fmt.Printf("  %-14s %-20s %s%s %s\n", a.Username, a.Password, a.Role.Zh(), line, a.ScopeCode)
	}
}

// printExistingAccounts prints how to log in to a database the demo filled
// before: the demo's passwords follow from the seed (admin's is the one
// given), so they are printed again for every demo account that still
// exists with that password. Accounts changed since, or a database the
// demo did not fill, print nothing of theirs.
func printExistingAccounts(ctx context.Context, db wangge.Store, seed int64, adminPassword string) error {
	pws := synth.Passwords(seed)
	if adminPassword != "" {
		pws["admin"] = adminPassword
	}
	var accounts []synth.Account
	changed := 0
	for _, name := range synth.DemoUsernames() {
		pw, ok := pws[name]
		if !ok {
			continue
		}
		u, err := db.UserByUsername(ctx, name)
		if wangge.ErrorCode(err) == wangge.ENotFound {
			continue
		} else if err != nil {
			return err
		}
		if u.Disabled || !passwd.Check(pw, u.PasswordHash) {
			changed++
			continue
		}
		accounts = append(accounts, synth.Account{Username: u.Username, Password: pw, Role: u.Role, ScopeCode: u.ScopeCode, Line: u.Line})
	}
	if len(accounts) == 0 {
		if changed > 0 {
			fmt.Printf("演示账号的密码已被修改，或种子不是 %d。The demo accounts' passwords were changed, or the seed was not %d.\n", seed, seed)
		}
		return nil
	}
	printAccounts(accounts)
	if changed > 0 {
		fmt.Printf("（另有 %d 个演示账号的密码已被修改或已停用。%d more demo accounts have a changed password or are disabled.）\n", changed, changed)
	}
	return nil
}
