package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wangge/wangge/sqlite"
)

// runErr runs the command line as runOut does and also returns what it
// wrote to stderr, where an import lists the features it refused.
func runErr(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	ro, wo, _ := os.Pipe()
	re, we, _ := os.Pipe()
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = wo, we
	outc, errc := make(chan []byte), make(chan []byte)
	go func() { b, _ := io.ReadAll(ro); outc <- b }()
	go func() { b, _ := io.ReadAll(re); errc <- b }()
	err = run(ctx, args)
	wo.Close()
	we.Close()
	os.Stdout, os.Stderr = oldOut, oldErr
	return string(<-outc), string(<-errc), err
}

// areaRows counts the rows an area import writes: areas, outlines and audit
// entries.
func areaRows(t *testing.T, path string) [3]int {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n [3]int
	for i, table := range []string{"areas", "boundaries", "audit_log"} {
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// areaFixture is an empty database with the district 140498, its
// sub-district 140498001 and that sub-district's communities 001…(n), each a
// 0.1° square in a row from 113°E, 36°N.
func areaFixture(t *testing.T, communities int) (db string, write func(name, body string) string) {
	t.Helper()
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	dir := t.TempDir()
	db = filepath.Join(dir, "w.db")
	write = func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	capture(t, "migrate", "--db", db)
	w := 0.1 * float64(communities)
	capture(t, "import", "areas", write("d.geojson", collection(coded("测试区", "140498", 113, 36, 113+w, 36.1))), "--db", db, "--level", "district")
	capture(t, "import", "areas", write("s.geojson", collection(box("测试街道", 113, 36, 113+w, 36.1))), "--db", db, "--level", "subdistrict", "--parent", "140498")
	var cs []string
	for i := range communities {
		x := 113 + 0.1*float64(i)
		cs = append(cs, box(fmt.Sprintf("社区%d", i+1), x, 36, x+0.1, 36.1))
	}
	capture(t, "import", "areas", write("c.geojson", collection(cs...)), "--db", db, "--level", "community", "--parent", "140498001")
	return db, write
}

// coded is box with a code property, written as JSON text (a number or a
// quoted string).
func coded(name, codeJSON string, x0, y0, x1, y1 float64) string {
	b := box(name, x0, y0, x1, y1)
	return strings.Replace(b, `"properties":{`, `"properties":{"code":`+codeJSON+`,`, 1)
}

// TestImportAreasRefusesBadCodesAndDuplicates: a code that is not a region
// code of the import's level under its parent (19 digits, SQL text, a
// community's code in a grid file, another community's grid), the same code
// twice and the same name twice under one parent are each refused, naming
// the feature (and the first of a pair); nothing of the file is written.
func TestImportAreasRefusesBadCodesAndDuplicates(t *testing.T) {
	db, write := areaFixture(t, 2)
	before := areaRows(t, db)
	bad := write("bad.geojson", collection(
		box("一", 113.00, 36, 113.01, 36.01),
		coded("十九位", `1404980010010010001`, 113.01, 36, 113.02, 36.01),
		coded("注入", `"1'; DROP TABLE areas;--"`, 113.02, 36, 113.03, 36.01),
		coded("社区码", `"140498001001"`, 113.03, 36, 113.04, 36.01),
		coded("别的社区", `"140498001002001"`, 113.04, 36, 113.05, 36.01),
		coded("五", `"140498001001005"`, 113.05, 36, 113.06, 36.01),
		coded("六", `"140498001001005"`, 113.06, 36, 113.07, 36.01),
		box("一", 113.07, 36, 113.08, 36.01),
	))
	out, stderr, err := runErr(context.Background(), "import", "grids", bad, "--db", db, "--parent", "140498001001")
	if err == nil {
		t.Fatalf("a file of bad codes was imported:\n%s", out)
	}
	for _, want := range []string{
		`第 2 个要素（十九位）：编码 "1404980010010010001" 不是有效的网格编码`,
		`第 3 个要素（注入）：编码 "1'; DROP TABLE areas;--" 不是有效的网格编码`,
		`第 4 个要素（社区码）：编码 "140498001001" 是社区编码`,
		`第 5 个要素（别的社区）：编码 "140498001002001" 不在 --parent 140498001001 之下`,
		`第 7 个要素（六）：编码 140498001001005 与第 6 个要素（五）重复`,
		`第 8 个要素（一）：名称与第 1 个要素相同`,
		`feature 7 ("六"): code 140498001001005 is also that of feature 6 (五)`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("refusals lack %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, "refused:"); n != 6 {
		t.Errorf("%d features refused, want 6:\n%s", n, stderr)
	}
	if !strings.Contains(err.Error(), "6 feature(s) refused; nothing was imported") {
		t.Errorf("error: %v", err)
	}
	if after := areaRows(t, db); after != before {
		t.Errorf("a refused file wrote rows: %v → %v", before, after)
	}

	// The good features alone, in a file with a UTF-8 byte-order mark, go
	// in; the same file again changes their outlines, not their number.
	good := write("good.geojson", "\xef\xbb\xbf"+collection(box("一", 113.00, 36, 113.01, 36.01), box("二", 113.01, 36, 113.02, 36.01)))
	for range 2 {
		out := capture(t, "import", "grids", good, "--db", db, "--parent", "140498001001")
		if out != "140498001001001\t一\n140498001001002\t二\n" {
			t.Fatalf("import printed:\n%s", out)
		}
	}
	if after := areaRows(t, db); after[0] != before[0]+2 || after[1] != before[1]+4 {
		t.Errorf("two imports of two grids: areas %d → %d, outlines %d → %d", before[0], after[0], before[1], after[1])
	}
}

// cancelAfter is a context whose Err starts to answer Canceled (and whose
// Done closes) at its n-th call: a signal arriving at a chosen point of the
// work, without timing.
type cancelAfter struct {
	context.Context
	left  atomic.Int64
	calls atomic.Int64
	once  sync.Once
	done  chan struct{}
}

func newCancelAfter(n int64) *cancelAfter {
	c := &cancelAfter{Context: context.Background(), done: make(chan struct{})}
	c.left.Store(n)
	return c
}

func (c *cancelAfter) Err() error {
	c.calls.Add(1)
	if c.left.Add(-1) < 0 {
		c.once.Do(func() { close(c.done) })
		return context.Canceled
	}
	return nil
}

func (c *cancelAfter) Done() <-chan struct{} { return c.done }

// TestImportAreasCancelledWritesNothing: an import of 1,600 grids cancelled
// at points spread over its whole run — reading, checking against the
// communities, writing — stops with an error that says so and leaves the
// database as it was; uncancelled, the same file imports.
func TestImportAreasCancelledWritesNothing(t *testing.T) {
	const communities, perCommunity = 4, 400
	db, write := areaFixture(t, communities)
	var fs []string
	for c := range communities {
		for g := range perCommunity {
			x, y := 113+0.1*float64(c)+0.005*float64(g%20), 36+0.005*float64(g/20)
			fs = append(fs, coded(fmt.Sprintf("网格%d-%d", c+1, g+1), fmt.Sprintf(`"140498001%03d%03d"`, c+1, g+1), x, y, x+0.005, y+0.005))
		}
	}
	file := write("g.geojson", collection(fs...))
	before := areaRows(t, db)

	// A dry count of the context's checks in a whole run, on a copy.
	probe := filepath.Join(t.TempDir(), "probe.db")
	for _, suffix := range []string{"", ".key"} {
		b, err := os.ReadFile(db + suffix)
		if err == nil {
			err = os.WriteFile(probe+suffix, b, 0o600)
		}
		if err != nil && suffix == "" {
			t.Fatal(err)
		}
	}
	count := newCancelAfter(1 << 62)
	if _, _, err := runErr(count, "import", "grids", file, "--db", probe); err != nil {
		t.Fatal(err)
	}
	total := count.calls.Load()
	t.Logf("a whole run checks its context %d times", total)
	if total < 3*communities*perCommunity {
		t.Fatalf("the import checked its context %d times for %d features", total, communities*perCommunity)
	}

	// The count varies a little from run to run (database/sql checks the
	// context too), so a cancel late in the run may come after the commit:
	// then the whole file is in. Either way it is all or nothing.
	saved := map[string][]byte{}
	for _, suffix := range []string{"", ".key", ".audit"} {
		if b, err := os.ReadFile(db + suffix); err == nil {
			saved[suffix] = b
		}
	}
	interrupted := 0
	fracs := []float64{0.05, 0.3, 0.5, 0.7, 0.9, 0.99}
	for _, frac := range fracs {
		ctx := newCancelAfter(int64(frac * float64(total)))
		out, _, err := runErr(ctx, "import", "grids", file, "--db", db)
		after := areaRows(t, db)
		if err == nil {
			if after[0] != before[0]+communities*perCommunity {
				t.Fatalf("cancelled at %.0f%% and finished: areas %d → %d, want all %d", 100*frac, before[0], after[0], communities*perCommunity)
			}
			for suffix, b := range saved { // back to the start for the next point
				if err := os.WriteFile(db+suffix, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			os.Remove(db + "-wal")
			os.Remove(db + "-shm")
			continue
		}
		interrupted++
		if !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), "未导入任何内容") {
			t.Errorf("cancelled at %.0f%%: %v\n%.200s", 100*frac, err, out)
		}
		if after != before {
			t.Fatalf("cancelled at %.0f%%: rows %v → %v", 100*frac, before, after)
		}
	}
	if interrupted < len(fracs)-2 {
		t.Fatalf("only %d of %d cancelled imports stopped", interrupted, len(fracs))
	}
	capture(t, "import", "grids", file, "--db", db)
	if after := areaRows(t, db); after[0] != before[0]+communities*perCommunity {
		t.Errorf("uncancelled: areas %d → %d", before[0], after[0])
	}
}
