package ledger_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// The test district: one community with two grids, a building in each, and
// a grid of another community outside the importing staff's scope.
const (
	district  = "140499"
	subdist   = "140499001"
	community = "140499001001"
	gridA     = "140499001001001"
	gridB     = "140499001001002"
	otherComm = "140499001002"
	gridOut   = "140499001002001"
)

var actor = wangge.Actor{UserID: 1, Username: "importer", Role: wangge.RoleCommunityStaff, Addr: "127.0.0.1"}

type env struct {
	t      *testing.T
	ctx    context.Context
	db     *sqldb.DB
	path   string
	box    *secret.Box
	scope  wangge.Scope
	bA, bB *wangge.Building
	bOut   *wangge.Building
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := wangge.WithActor(context.Background(), actor)
	path := filepath.Join(t.TempDir(), "w.db")
	box, err := secret.New(secret.NewKey())
	must(t, err)
	e := &env{t: t, ctx: ctx, path: path, box: box, scope: (&wangge.User{Role: actor.Role, ScopeCode: community}).Scope()}
	e.db = e.open()
	for _, a := range []struct{ code, name string }{
		{district, "示范城区"}, {subdist, "示范街道"}, {community, "东苑社区"}, {gridA, "东苑第一网格"}, {gridB, "东苑第二网格"},
		{otherComm, "西苑社区"}, {gridOut, "西苑第一网格"},
	} {
		must(t, e.db.CreateArea(ctx, &wangge.Area{Code: a.code, Name: a.name}))
	}
	e.bA = &wangge.Building{GridCode: gridA, Name: "东苑1号楼", Kind: wangge.BuildingTower}
	e.bB = &wangge.Building{GridCode: gridB, Name: "东苑2号楼", Kind: wangge.BuildingTower}
	e.bOut = &wangge.Building{GridCode: gridOut, Name: "西苑1号楼", Kind: wangge.BuildingTower}
	for _, b := range []*wangge.Building{e.bA, e.bB, e.bOut} {
		must(t, e.db.CreateBuilding(ctx, wangge.ScopeAll(), b))
	}
	return e
}

func (e *env) open() *sqldb.DB {
	e.t.Helper()
	db, err := sqlite.Open(context.Background(), e.path)
	must(e.t, err)
	e.t.Cleanup(func() { db.Close() })
	must(e.t, db.UseKey(context.Background(), e.box))
	return db
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// id returns a synthetic ID number (birthplace 1499xx belongs to no real
// county).
func id(n int) string {
	return string(ident.MakeID("149901", time.Date(1950+n%50, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC), n/1000%100, ident.Sex(1+n%2)))
}

// xlsxFile writes rows (the first is the header) as an xlsx file.
func xlsxFile(t testing.TB, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(t, f.SetSheetRow("Sheet1", cell, &vals))
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("ledger-%d.xlsx", time.Now().UnixNano()))
	must(t, f.SaveAs(path))
	return path
}

// csvFile writes rows as a UTF-8 CSV file.
func csvFile(t testing.TB, rows [][]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	must(t, w.WriteAll(rows))
	path := filepath.Join(t.TempDir(), fmt.Sprintf("ledger-%d.csv", time.Now().UnixNano()))
	must(t, os.WriteFile(path, buf.Bytes(), 0o600))
	return path
}

func (e *env) importFile(kind ledger.Kind, path string, dry bool) *ledger.Report {
	e.t.Helper()
	rep, err := ledger.Import(e.ctx, e.db, kind, path, ledger.Options{Scope: e.scope, DryRun: dry, Keep: ledger.KeepAll})
	must(e.t, err)
	return rep
}

func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	must(e.t, e.db.Reader().QueryRow("SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

// snapshot is everything an import could change, to compare before and
// after: every row of the tables it writes, the audit chain's head.
func (e *env) snapshot() string {
	e.t.Helper()
	var b bytes.Buffer
	for _, q := range []string{
		"SELECT id, building_id, grid_code, entrance, room, number, kind, hex(phone_idx), note, version, updated_at FROM households ORDER BY id",
		"SELECT id, household_id, grid_code, name, hex(id_idx), hex(phone_idx), relation, kind, ethnicity, party, employment, note, version, updated_at FROM persons ORDER BY id",
		"SELECT id, grid_code, building_id, name, credit_code, kind, headcount, party_org, party_members, address, contact_name, version, updated_at FROM units ORDER BY id",
		"SELECT id, person_id, grid_code, grp, attrs, joined, left_on, note, version, updated_at FROM memberships ORDER BY id",
		"SELECT COUNT(*) FROM person_moves",
		"SELECT seq, hex(hash) FROM audit_head",
	} {
		rows, err := e.db.Reader().Query(q)
		must(e.t, err)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(e.t, rows.Scan(ptrs...))
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

var personHeader = []string{"楼院编码", "单元", "房号", "户号", "户类型", "户联系电话", "姓名", "公民身份号码", "与户主关系", "人员类型", "民族", "是否党员", "就业状态", "联系电话", "备注"}
