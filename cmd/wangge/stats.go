package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/anchor"
	"github.com/wangge/wangge/sqldb"
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
	db, err := createStore(ctx, *dsn) // opening migrates
	if err != nil {
		return err
	}
	fmt.Println("数据库已是最新结构 The database schema is up to date.")
	return db.Close()
}

const auditUsage = `usage:
  wangge audit verify [--db DSN]
      check the audit chain: every link under the audit key, and the log
      against every checkpoint in the checkpoint file beside the key file
      (exit status 0 only when it all holds)
  wangge audit checkpoints [--db DSN] -o FILE
      write the checkpoints, each checked, to FILE for an auditor to keep`

func audit(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Println(auditUsage) // help opens nothing
		return nil
	}
	if len(args) == 0 || args[0] != "verify" && args[0] != "checkpoints" {
		fmt.Fprintln(os.Stderr, auditUsage)
		return exitError(2)
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ExitOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), auditUsage) }
	dsn := dbFlag(fs)
	out := fs.String("o", "", "the file to write the checkpoints to")
	fs.Parse(args[1:])
	if args[0] == "checkpoints" && *out == "" {
		fmt.Fprintln(os.Stderr, auditUsage)
		return exitError(2)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "checkpoints" {
		return exportCheckpoints(db, *out)
	}
	r, err := db.VerifyChain(ctx)
	if err != nil {
		return err
	}
	printChainReport(r)
	if !r.Intact() {
		return exitError(1)
	}
	return nil
}

// printChainReport says what verifying found, in both languages.
func printChainReport(r *sqldb.ChainReport) {
	cp := func(c *anchor.Checkpoint) (zh, en string) {
		if c == nil {
			return "无（此前没有相符的检查点）", "none (no checkpoint before it matches)"
		}
		t := c.At.In(chinaTime).Format("2006-01-02 15:04:05")
		return fmt.Sprintf("第 %d 号（第 %d 条，%s）", c.N, c.Seq, t), fmt.Sprintf("#%d (seq %d, time %s)", c.N, c.Seq, t)
	}
	switch {
	case r.Bad != 0 && r.Forged:
		fmt.Printf("审计日志链被伪造：自第 %d 条起的链接不是用审计密钥计算的（有人在没有密钥的情况下删除或改写了条目并重算了链）。已检查 %d 条。\n"+
			"The audit chain is forged from entry %d on: its links were not made with the audit key (entries were deleted or rewritten and the chain recomputed without it). %d entries checked.\n", r.Bad, r.Checked, r.Bad, r.Checked)
	case r.Bad != 0:
		fmt.Printf("审计日志链在第 %d 条处断开（已检查 %d 条）。The audit chain is broken at entry %d (%d entries checked).\n", r.Bad, r.Checked, r.Bad, r.Checked)
	case r.Head:
		fmt.Printf("审计日志链在第 %d 条处断开：链头不是最后一条，其后的条目缺失。The audit chain is broken at entry %d: the head does not match the last entry, so entries after it are missing (%d entries checked).\n", r.LastSeq+1, r.LastSeq+1, r.Checked)
	case r.Against != nil && r.Missing:
		zh, en := cp(r.LastGood)
		fmt.Printf("审计日志被截断：第 %d 条之后的条目缺失（检查点第 %d 号记录过第 %d 条）；最后一个相符的检查点是%s。\n"+
			"The audit log is truncated: entries after seq %d missing (checkpoint #%d recorded seq %d): the last good checkpoint is %s.\n",
			r.LastSeq, r.Against.N, r.Against.Seq, zh, r.LastSeq, r.Against.N, r.Against.Seq, en)
	case r.Against != nil:
		zh, en := cp(r.LastGood)
		fmt.Printf("审计日志与检查点第 %d 号不符：第 %d 条不是检查点记录的那一条，其前的条目被删除或替换过；最后一个相符的检查点是%s。\n"+
			"The audit log does not match checkpoint #%d: entry %d is not the one it recorded, so entries before it were removed or replaced: the last good checkpoint is %s.\n",
			r.Against.N, r.Against.Seq, zh, r.Against.N, r.Against.Seq, en)
	case r.FileErr != nil:
		fmt.Printf("检查点文件 %s 有一行不成立（被改动，或用了别的密钥）：%v\nA line of the checkpoint file %s does not hold (edited, or signed with another key): %v\n", r.CheckpointFile, r.FileErr, r.CheckpointFile, r.FileErr)
	default:
		fmt.Printf("审计日志链完整，共 %d 条，与 %d 个检查点相符。The audit chain holds: %d entries, matching %d checkpoints.\n", r.Checked, r.Checkpoints, r.Checked, r.Checkpoints)
	}
}

// exportCheckpoints writes the checkpoint file, every line checked, to a
// new file.
func exportCheckpoints(db *sqldb.DB, out string) error {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	n, err := db.ExportCheckpoints(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Printf("已导出 %d 个检查点到 %s。%d checkpoints of %s written to %s.\n", n, out, n, db.CheckpointFile(), out)
	return nil
}
