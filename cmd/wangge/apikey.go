package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wangge/wangge"
	wanggehttp "github.com/wangge/wangge/http"
)

const apikeyUsage = `usage:
  wangge apikey add NAME [--db DSN]       make a key for the Open311 client NAME and print it (shown only this once)
  wangge apikey list [--db DSN] [--json]  every key: name, prefix, hourly limit, made, last used, revoked
  wangge apikey revoke NAME [--db DSN]    refuse the client's key from now on`

// apiKeyJSON is one line of `wangge apikey list --json`: never the key,
// which the store does not have.
type apiKeyJSON struct {
	Name       string `json:"name"`
	Prefix     string `json:"prefix"`
	PerHour    int    `json:"per_hour"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at,omitempty"`
	RevokedAt  string `json:"revoked_at,omitempty"`
}

// apikeyCmd issues and revokes the keys Open311 clients send (the
// district administrator's, as the operator of the command line: audited
// as the operating system's user).
func apikeyCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, apikeyUsage)
		return exitError(2)
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "-help", "help":
		fmt.Println(apikeyUsage)
		return nil
	case "add", "list", "revoke":
	default:
		fmt.Fprintln(os.Stderr, apikeyUsage)
		return exitError(2)
	}
	fs := flag.NewFlagSet("apikey "+sub, flag.ExitOnError)
	dsn := dbFlag(fs)
	asJSON := fs.Bool("json", false, "list as one JSON object per key")
	rest := args[1:]
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	fs.Parse(rest)
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if sub != "list" && name == "" || sub == "list" && name != "" {
		fmt.Fprintln(os.Stderr, apikeyUsage)
		return exitError(2)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = cliActor(ctx)
	switch sub {
	case "add":
		key, k, err := db.AddAPIKey(ctx, name)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(os.Stderr, "已为 %s 创建 API 密钥，仅显示这一次 created the API key of %s, shown only this once (%d requests an hour):\n", k.Name, k.Name, k.PerHour)
		fmt.Println(key)
	case "revoke":
		if err := db.RevokeAPIKey(ctx, name); err != nil {
			if wangge.ErrorCode(err) == wangge.ENotFound {
				return cliErr(err, "cli.apikey.none", "Name", name)
			}
			return cliError(err)
		}
		fmt.Printf("已吊销 revoked %s\n", name)
	case "list":
		keys, err := db.ListAPIKeys(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		for _, k := range keys {
			j := apiKeyJSON{Name: k.Name, Prefix: k.Prefix, PerHour: k.PerHour, CreatedAt: beijing(&k.CreatedAt)}
			j.LastUsedAt, j.RevokedAt = beijing(k.LastUsedAt), beijing(k.RevokedAt)
			if *asJSON {
				if err := enc.Encode(j); err != nil {
					return err
				}
				continue
			}
			state := "有效 live"
			if k.RevokedAt != nil {
				state = "已吊销 revoked " + j.RevokedAt
			}
			used := j.LastUsedAt
			if used == "" {
				used = "-"
			}
			fmt.Printf("%-24s wg_%s_…  %5d/h  %s  %s  %s\n", k.Name, k.Prefix, k.PerHour, j.CreatedAt, used, state)
		}
	}
	return nil
}

// beijing writes a time as the district reads it, "" for none.
func beijing(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(wanggehttp.ChinaTime).Format(time.RFC3339)
}
