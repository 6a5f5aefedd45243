package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqlite"
)

// The benchmark district: benchGrids grids of one community each holding
// buildings of 60 households; persons per household cycle 1..5.
const (
	benchDistrict = "140498"
	benchHouses   = 60
)

// benchRows is the number of persons the benchmark imports:
// WANGGE_BENCH_ROWS, default a million.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("WANGGE_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var (
	benchSurnames = []rune("王李张刘郭赵杨陈武田申牛秦段郝程侯梁贾宋冯任韩史马乔崔常薛孟")
	benchGiven    = []rune("建国志强丽华秀英明伟芳军红玉兰文杰海燕春梅晓东俊峰静霞")
)

// benchPlan lays out the district: which grid and building sequence each
// building number has.
func benchBuilding(n int) (grid string, seq int) {
	grid = fmt.Sprintf("%s%03d%03d%03d", benchDistrict, 1, 1+n/(100*200)%999, 1+n/200%100)
	return grid, 1 + n%200
}

// writeBenchFile writes the persons of the benchmark as xlsx, streaming, and
// returns the number of buildings used.
func writeBenchFile(path string, rows int) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return 0, err
	}
	header := ledger.Persons.Headers(false)
	vals := make([]any, len(header))
	for i, h := range header {
		vals[i] = h
	}
	if err := sw.SetRow("A1", vals); err != nil {
		return 0, err
	}
	idx := map[string]int{}
	for i, c := range ledger.Persons.Columns {
		if !c.ExportOnly {
			idx[c.Key] = len(idx)
			_ = i
		}
	}
	rels := []string{"户主", "配偶", "子女", "子女", "父母"}
	person, house := 0, 0
	for person < rows {
		b := house / benchHouses
		grid, seq := benchBuilding(b)
		code := fmt.Sprintf("%s%05d", grid, seq)
		size := 1 + house%5
		for k := 0; k < size && person < rows; k++ {
			row := make([]any, len(header))
			set := func(key string, v string) { row[idx[key]] = v }
			set(ledger.ColBuildingCode, code)
			set(ledger.ColEntrance, strconv.Itoa(1+house%benchHouses/20))
			set(ledger.ColRoom, strconv.Itoa(101+house%20))
			set(ledger.ColHouseKind, []string{"户籍", "户籍", "流动", "人户分离"}[house%4])
			if k == 0 {
				set(ledger.ColHousePhone, fmt.Sprintf("139%08d", house))
			}
			set(ledger.ColName, string(benchSurnames[house%len(benchSurnames)])+string(benchGiven[person%len(benchGiven)])+string(benchGiven[(person/7)%len(benchGiven)]))
			set(ledger.ColIDNumber, benchID(person))
			set(ledger.ColRelation, rels[k])
			set(ledger.ColPersonKind, "户籍")
			set(ledger.ColEthnicity, "汉族")
			set(ledger.ColParty, []string{"否", "否", "否", "是"}[person%4])
			set(ledger.ColEmployment, []string{"在业", "离退休", "学生", "失业", "其他"}[person%5])
			if person%3 == 0 {
				set(ledger.ColPhone, fmt.Sprintf("138%08d", person))
			}
			for j := range row {
				if row[j] == nil {
					row[j] = ""
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, person+2)
			if err := sw.SetRow(cell, row); err != nil {
				return 0, err
			}
			person++
		}
		house++
	}
	if err := sw.Flush(); err != nil {
		return 0, err
	}
	return house/benchHouses + 1, f.SaveAs(path)
}

// benchID is the n-th synthetic ID number: birthplaces 149901–149989
// belong to no real county.
func benchID(n int) string {
	region := strconv.Itoa(149901 + n%89)
	n /= 89
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%25000)
	n /= 25000
	return string(ident.MakeID(region, birth, n%100, ident.Sex(1+n/100%2)))
}

// benchDB creates the district's areas and buildings with a bulk load.
func benchDB(ctx context.Context, path string, buildings int, box *secret.Box) error {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.UseKey(ctx, box); err != nil {
		return err
	}
	bk, err := db.Bulk(ctx)
	if err != nil {
		return err
	}
	areas := map[string]bool{}
	area := func(code string) error {
		if areas[code] {
			return nil
		}
		areas[code] = true
		return bk.Area(&wangge.Area{Code: code, Name: "区域" + code})
	}
	for b := 0; b < buildings; b++ {
		grid, seq := benchBuilding(b)
		for _, c := range []string{grid[:6], grid[:9], grid[:12], grid} {
			if err := area(c); err != nil {
				bk.Rollback()
				return err
			}
		}
		if err := bk.Building(&wangge.Building{ID: int64(b + 1), GridCode: grid, Seq: seq, Name: fmt.Sprintf("%d号楼", seq), Kind: wangge.BuildingTower}); err != nil {
			bk.Rollback()
			return err
		}
	}
	return bk.Commit()
}

// benchChild is what a child process of the benchmark reports.
type benchChild struct {
	Seconds float64 `json:"seconds"`
	Rows    int     `json:"rows"`
	Error   string  `json:"error,omitempty"`
	HWM     int64   `json:"hwm"` // peak RSS, bytes (peakRSS)
}

// TestBenchChild is the benchmark's child process: it reads or imports the
// file named in the environment and prints how long that took. Without
// the environment it does nothing.
func TestBenchChild(t *testing.T) {
	mode := os.Getenv("WANGGE_BENCH_CHILD")
	if mode == "" {
		t.Skip("run by BenchmarkImportPersonsXLSX")
	}
	file, db, key := os.Getenv("WANGGE_BENCH_FILE"), os.Getenv("WANGGE_BENCH_DB"), os.Getenv("WANGGE_BENCH_KEY")
	var out benchChild
	start := time.Now()
	switch mode {
	case "read":
		out.Rows, out.Error = readAll(file)
	case "import":
		out.Rows, out.Error = importAll(file, db, key)
	}
	out.Seconds = time.Since(start).Seconds()
	out.HWM = peakRSS()
	b, _ := json.Marshal(out)
	fmt.Fprintf(os.Stdout, "\nBENCH %s\n", b)
}

// readAll is the anchor: excelize alone stream-reading every row's cells,
// with the options the importer opens files with.
func readAll(file string) (int, string) {
	f, err := excelize.OpenFile(file, excelize.Options{RawCellValue: true, UnzipSizeLimit: 2 << 30})
	if err != nil {
		return 0, err.Error()
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		return 0, err.Error()
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if _, err := rows.Columns(); err != nil {
			return n, err.Error()
		}
		n++
	}
	return n - 1, ""
}

func importAll(file, dbPath, keyPath string) (int, string) {
	ctx := wangge.WithActor(context.Background(), wangge.Actor{Username: "bench", Role: wangge.RoleSystem})
	box, err := secret.Load(keyPath)
	if err != nil {
		return 0, err.Error()
	}
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return 0, err.Error()
	}
	defer db.Close()
	if err := db.UseKey(ctx, box); err != nil {
		return 0, err.Error()
	}
	if os.Getenv("WANGGE_BENCH_SMALL_CACHE") != "" {
		// A page cache small enough that the import's transaction spills
		// into the WAL long before it commits, as a large import does.
		if _, err := db.Writer().Exec(`PRAGMA cache_size = -2000`); err != nil {
			return 0, err.Error()
		}
	}
	// A million rows is five times what an import takes: the benchmark
	// measures the reader's speed past the limit.
	opt := ledger.Options{Scope: wangge.ScopeAll(), Limits: ledger.Limits{Rows: benchRows() + 10}}
	if os.Getenv("WANGGE_BENCH_PROGRESS") != "" {
		opt.Progress = func(done, total int) { fmt.Fprintf(os.Stdout, "PROGRESS %d\n", done) }
	}
	rep, err := ledger.Import(ctx, db, ledger.KindPersons, file, opt)
	if err != nil {
		return 0, err.Error()
	}
	if rep.Counts.Added != rep.Counts.Rows() {
		return rep.Counts.Added, fmt.Sprintf("not all added: %+v", rep.Counts)
	}
	return rep.Counts.Added, ""
}

// runChild runs the test binary as a child in the mode and returns its
// report and peak resident set size in bytes.
func runChild(b *testing.B, mode string, env ...string) (benchChild, int64) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.v")
	cmd.Env = append(append(os.Environ(), "WANGGE_BENCH_CHILD="+mode, "TMPDIR="+b.TempDir()), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", mode, err, out)
	}
	var res benchChild
	for _, line := range splitLines(string(out)) {
		if len(line) > 6 && line[:6] == "BENCH " {
			if err := json.Unmarshal([]byte(line[6:]), &res); err != nil {
				b.Fatal(err)
			}
		}
	}
	if res.Error != "" {
		b.Fatalf("%s: %s", mode, res.Error)
	}
	if res.HWM > 0 {
		return res, res.HWM
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage) // may be the parent's: see peakRSS
	return res, ru.Maxrss * 1024
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}

// BenchmarkImportPersonsXLSX imports a million persons (WANGGE_BENCH_ROWS)
// from an xlsx file into an empty SQLite database and reports the time
// against the anchor measured in the same run: excelize alone
// stream-reading the same file. Each runs in a child process, so that its
// peak RSS is its own. The target is a ratio of at most 1.5.
//
//	go test -run '^$' -bench ImportPersonsXLSX -benchtime 1x ./ledger/
func BenchmarkImportPersonsXLSX(b *testing.B) {
	rows := benchRows()
	dir := b.TempDir()
	file := filepath.Join(dir, "persons.xlsx")
	start := time.Now()
	buildings, err := writeBenchFile(file, rows)
	if err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(file)
	b.Logf("wrote %d persons in %d buildings to %s (%.1f MB) in %s", rows, buildings, file, float64(fi.Size())/1e6, time.Since(start).Round(time.Second))
	keyPath := filepath.Join(dir, "key")
	key := secret.NewKey()
	if err := secret.WriteKeyFile(keyPath, key); err != nil {
		b.Fatal(err)
	}
	box, err := secret.New(key)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dbPath := filepath.Join(dir, fmt.Sprintf("bench-%d.db", i))
		b.StopTimer()
		if err := benchDB(context.Background(), dbPath, buildings, box); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		read, readRSS := runChild(b, "read", "WANGGE_BENCH_FILE="+file)
		imp, impRSS := runChild(b, "import", "WANGGE_BENCH_FILE="+file, "WANGGE_BENCH_DB="+dbPath, "WANGGE_BENCH_KEY="+keyPath)
		if read.Rows != rows || imp.Rows != rows {
			b.Fatalf("read %d rows, imported %d, want %d", read.Rows, imp.Rows, rows)
		}
		ratio := imp.Seconds / read.Seconds
		b.ReportMetric(read.Seconds, "read-s")
		b.ReportMetric(imp.Seconds, "import-s")
		b.ReportMetric(ratio, "ratio")
		b.ReportMetric(float64(readRSS)/(1<<20), "read-peak-MiB")
		b.ReportMetric(float64(impRSS)/(1<<20), "import-peak-MiB")
		b.Logf("%d rows: excelize read %.2fs (peak RSS %d MiB), import %.2fs (peak RSS %d MiB): ratio %.2f (target ≤ 1.5)",
			rows, read.Seconds, readRSS>>20, imp.Seconds, impRSS>>20, ratio)
	}
}
