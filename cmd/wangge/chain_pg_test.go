package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/internal/pgtest"
	"github.com/wangge/wangge/sqldb"
)

// TestAuditVerifyOnPostgres is the command line's audit check on
// PostgreSQL: a database without the schema is refused and left so; after
// a few writes, deleting entries and recomputing the chain is reported as
// forged, and cutting the tail with the head moved back as entries missing
// after the last good checkpoint. Needs WANGGE_TEST_POSTGRES (skips
// without a server, unless WANGGE_REQUIRE_POSTGRES=1).
func TestAuditVerifyOnPostgres(t *testing.T) {
	_, base, admin := testPostgres(t)
	var rnd [6]byte
	rand.Read(rnd[:])
	name := func(s string) string { return "wangge_cli_" + hex.EncodeToString(rnd[:]) + "_" + s }
	dbURL := func(db string) string {
		u := *base
		u.Path, u.RawPath = "/"+db, ""
		return u.String()
	}
	create := func(db, template string) string {
		q := `CREATE DATABASE ` + db
		if template != "" {
			q += ` TEMPLATE ` + template
		}
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + db + ` WITH (FORCE)`) })
		return dbURL(db)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "pg.key")
	t.Setenv("WANGGE_SECRET_KEY_FILE", key)
	src := create(name("src"), "")

	// A database without the schema: refused, and nothing made.
	if out, err := runOut("stats", "--db", src); err == nil || !strings.Contains(err.Error(), "no wangge database") {
		t.Errorf("stats on a database without the schema: %v\n%s", err, out)
	}
	var has bool
	if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name("src")).Scan(&has); err != nil || !has {
		t.Fatal(err)
	}
	if _, err := os.Stat(key); err == nil {
		t.Errorf("the refused command made a key file")
	}

	capture(t, "migrate", "--db", src)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Each command that writes checkpoints the head when it ends.
	capture(t, "import", "areas", write("d.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"测试区","code":"140498"},"geometry":{"type":"Polygon","coordinates":[[[113,36],[113.1,36],[113.1,36.1],[113,36.1],[113,36]]]}}]}`), "--db", src, "--level", "district")
	capture(t, "import", "areas", write("s.geojson", collection(box("测试街道", 113, 36, 113.1, 36.1))), "--db", src, "--level", "subdistrict", "--parent", "140498")
	capture(t, "import", "areas", write("c.geojson", collection(box("测试社区", 113, 36, 113.1, 36.1))), "--db", src, "--level", "community", "--parent", "140498001")
	capture(t, "import", "grids", write("g.geojson", collection(box("第一网格", 113, 36, 113.1, 36.1))), "--db", src, "--parent", "140498001001")
	if out := capture(t, "audit", "verify", "--db", src); !strings.Contains(out, "holds") {
		t.Fatalf("the untouched log: %s", out)
	}
	cpFile := checkpointPath(key)
	cpRaw, err := os.ReadFile(cpFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(cpRaw)), "\n")
	if len(lines) < 4 {
		t.Fatalf("%d checkpoints: %s", len(lines), cpRaw)
	}
	seqOf := func(l string) int64 {
		s := l[strings.Index(l, `"seq":`)+6:]
		n, _ := strconv.ParseInt(s[:strings.IndexByte(s, ',')], 10, 64)
		return n
	}
	// A clone of the database, with a copy of the key file and checkpoints.
	clone := func(t *testing.T, s string) string {
		db := create(name(s), name("src"))
		k := filepath.Join(t.TempDir(), "pg.key")
		copyFile(t, key, k)
		copyFile(t, cpFile, checkpointPath(k))
		t.Setenv("WANGGE_SECRET_KEY_FILE", k)
		return db
	}
	verify := func(t *testing.T, db string) string {
		t.Helper()
		out, err := runOut("audit", "verify", "--db", db)
		var ee exitError
		if !errors.As(err, &ee) || ee != 1 {
			t.Fatalf("audit verify: %v, want exit status 1\n%s", err, out)
		}
		return out
	}

	t.Run("recomputed", func(t *testing.T) {
		db := clone(t, "forged")
		raw, es := rawLog(t, db)
		drop := es[1].Action // every entry of the second entry's action goes
		var kept []wangge.AuditEntry
		first := int64(0)
		for _, e := range es {
			if e.Action != drop {
				kept = append(kept, e)
			} else if first == 0 {
				first = e.Seq
			}
		}
		rewriteLog(t, raw, kept, first, (*wangge.AuditEntry).ComputeHash)
		raw.Close()
		if out := verify(t, db); !strings.Contains(out, "forged from entry "+strconv.FormatInt(first, 10)+" ") {
			t.Errorf("deleting every %s entry and recomputing is not named as forged:\n%s", drop, out)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		db := clone(t, "cut")
		good := seqOf(lines[len(lines)-2])
		raw, _ := rawLog(t, db)
		var hash []byte
		if err := raw.Reader().QueryRow(`SELECT hash FROM audit_log WHERE seq = $1`, good).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DELETE FROM audit_log WHERE seq > ?`, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`} {
			args := []any{good}
			if strings.HasPrefix(q, "UPDATE") {
				args = append(args, hash)
			}
			if _, err := raw.Writer().Exec(sqldb.Dollar(q), args...); err != nil {
				t.Fatal(err)
			}
		}
		raw.Close()
		out := verify(t, db)
		want := "entries after seq " + strconv.FormatInt(good, 10) + " missing"
		last := "the last good checkpoint is #" + strconv.Itoa(len(lines)-1) + " (seq " + strconv.FormatInt(good, 10) + ", time "
		if !strings.Contains(out, want) || !strings.Contains(out, last) {
			t.Errorf("want %q and %q:\n%s", want, last, out)
		}
	})
}

// testPostgres is the suite's PostgreSQL server (WANGGE_TEST_POSTGRES, or
// 127.0.0.1:5432): its DSN, parsed, and a connection to it closed when the
// test ends. The test skips without a server, unless
// WANGGE_REQUIRE_POSTGRES=1, when it fails.
func testPostgres(t *testing.T) (dsn string, base *url.URL, admin *sql.DB) {
	t.Helper()
	return pgtest.Server(t)
}
