package ui

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/internal/pgtest"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
	"github.com/wangge/wangge/sqlite"
)

// serverOver returns a server over store with the test clock, as another
// process would run one.
func serverOver(t testing.TB, store wangge.Store) *whttp.Server {
	return newTestServer(store, testOptions(t))
}

// postgresDB creates a PostgreSQL database of the test's own on the server
// at WANGGE_TEST_POSTGRES and returns its URL; it is dropped when the test
// ends. Without a server the test skips (fails under
// WANGGE_REQUIRE_POSTGRES=1).
func postgresDB(t *testing.T) string {
	t.Helper()
	return pgtest.Database(t, "wangge_http")
}

// TestImportAcrossTwoServersOnOnePostgreSQL: behind a load balancer, the
// upload and its dry run go to server A, the job page, the rejected rows
// and the commit to server B; the rows are in the database.
func TestImportAcrossTwoServersOnOnePostgreSQL(t *testing.T) {
	dsn := postgresDB(t)
	ctx := context.Background()
	open := func() *sqldb.DB {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA, dbB := open(), open()
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	f := fillFixture(t, dbA, box)
	if err := dbB.UseKey(ctx, box); err != nil {
		t.Fatal(err)
	}
	a, b := serverOver(t, dbA).Handler(), serverOver(t, dbB).Handler()
	c := login(t, a, "dongyuan") // sessions are in the database too
	csv, good := importCSV(f)

	w := uploadFile(t, a, c, "persons", "居民.csv", []byte(csv))
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/import/jobs/") {
		t.Fatalf("upload to A: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	job := w.Header().Get("Location")
	if st := waitImport(t, b, c, job); st != "checked" {
		t.Fatalf("B sees the dry run %s", st)
	}
	page := importReq(b, c, "GET", job).Body.String()
	for _, want := range []string{`data-count="added"><dt>新增</dt><dd>1</dd>`, `data-count="rejected"><dt>有错误</dt><dd>1</dd>`, `data-line="3" data-status="rejected"`, "data-commit"} {
		if !strings.Contains(page, want) {
			t.Errorf("B's job page lacks %q", want)
		}
	}
	if w := importReq(b, c, "GET", job+"/rejects.xlsx"); w.Code != 200 || w.Body.Len() == 0 {
		t.Errorf("rejects from B: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := importReq(b, login(t, b, "admin"), "GET", job); w.Code != http.StatusSeeOther {
		t.Errorf("another user on B: %d", w.Code)
	}
	if w := importReq(b, c, "POST", job+"/commit"); w.Code != http.StatusSeeOther {
		t.Fatalf("commit on B: %d", w.Code)
	}
	// A second click, on the other server, starts nothing more.
	importReq(a, c, "POST", job+"/commit")
	if st := waitImport(t, a, c, job); st != "committed" {
		t.Fatalf("A sees the commit %s", st)
	}
	if page := importReq(a, c, "GET", job).Body.String(); !strings.Contains(page, "新增 1 行") {
		t.Errorf("A's committed page:\n%s", page)
	}
	ps, n, err := dbA.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: good})
	if err != nil || n != 1 || ps[0].Name != "导入甲" {
		t.Fatalf("the committed person: %v %d %v", ps, n, err)
	}
	_, n, err = dbA.ListAudit(ctx, wangge.AuditFilter{Action: "import.persons"})
	if err != nil || n != 1 {
		t.Errorf("%d import entries, %v", n, err)
	}
}

// TestImportJobOutlivesARestart: a new server over the same SQLite file
// shows the checked job and commits it.
func TestImportJobOutlivesARestart(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	csv, good := importCSV(f)
	job := uploadFile(t, h, c, "persons", "居民.csv", []byte(csv)).Header().Get("Location")
	if st := waitImport(t, h, c, job); st != "checked" {
		t.Fatalf("state %s", st)
	}
	// The upload waits in the database file, sealed: neither the file nor
	// its write-ahead log holds its ID number or phone in clear.
	for _, name := range []string{f.path, f.path + "-wal"} {
		data, err := os.ReadFile(name)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, v := range []string{good, "13800000011"} {
			if bytes.Contains(data, []byte(v)) {
				t.Errorf("%s holds %s in clear", name, v)
			}
		}
	}
	db, err := sqlite.Open(t.Context(), f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.UseKey(t.Context(), f.box); err != nil {
		t.Fatal(err)
	}
	h2 := serverOver(t, db).Handler()
	if page := importReq(h2, c, "GET", job).Body.String(); !strings.Contains(page, `data-count="added"><dt>新增</dt><dd>1</dd>`) {
		t.Fatalf("after the restart:\n%s", page)
	}
	importReq(h2, c, "POST", job+"/commit")
	if st := waitImport(t, h2, c, job); st != "committed" {
		t.Fatalf("state %s after the commit", st)
	}
	if _, n, _ := db.ListPersons(t.Context(), wangge.ScopeAll(), wangge.PersonFilter{IDNumber: good}); n != 1 {
		t.Errorf("%d persons committed", n)
	}
}

// TestImportJobOfADeadServerIsTakenOver: a job left "checking" by a server
// that stopped speaking is run again by the server the page asks, so it
// never hangs.
func TestImportJobOfADeadServerIsTakenOver(t *testing.T) {
	f := newFixture(t)
	h := importServer(t, f, 50*time.Millisecond).Handler()
	c := login(t, h, "dongyuan")
	csv, _ := importCSV(f)
	// The dead server took the job and then went silent.
	u, err := f.store.UserByUsername(t.Context(), "dongyuan")
	if err != nil {
		t.Fatal(err)
	}
	userID := u.ID
	j := &wangge.ImportJob{UserID: userID, Session: importSessionOf(c), Kind: wangge.ImportPersons, File: "居民.csv", Holder: "dead"}
	if err := f.store.CreateImportJob(t.Context(), j, []byte(csv), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ClaimImportJob(t.Context(), userID, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, "dead", time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if st := waitImport(t, h, c, "/import/jobs/"+j.Token); st != "checked" {
		t.Fatalf("state %s", st)
	}
	got, _ := f.store.ImportJob(t.Context(), userID, j.Token)
	report, _, _ := f.store.ImportJobReports(t.Context(), userID, j.Token)
	if got.Holder != "" || !strings.Contains(report, `"added":1`) {
		t.Errorf("taken-over job: holder %q, report %.200s", got.Holder, report)
	}
}

// TestFailedImportRunsAgain: a job that failed (its server hit an error)
// shows why and a button that checks the same upload again.
func TestFailedImportRunsAgain(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	csv, _ := importCSV(f)
	u, err := f.store.UserByUsername(t.Context(), "dongyuan")
	if err != nil {
		t.Fatal(err)
	}
	j := &wangge.ImportJob{UserID: u.ID, Session: importSessionOf(c), Kind: wangge.ImportPersons, File: "居民.csv", Holder: "other"}
	if err := f.store.CreateImportJob(t.Context(), j, []byte(csv), time.Hour); err != nil {
		t.Fatal(err)
	}
	cj, err := f.store.ClaimImportJob(t.Context(), u.ID, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, "other", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cj.State, cj.Error = wangge.JobFailed, encodeJobError(wangge.E(wangge.EInternal, "error.internal"))
	if err := f.store.FinishImportJob(t.Context(), cj, "other", nil); err != nil {
		t.Fatal(err)
	}
	path := "/import/jobs/" + j.Token
	page := importReq(h, c, "GET", path).Body.String()
	if !strings.Contains(page, "data-error") || !strings.Contains(page, "系统内部错误") || !strings.Contains(page, `action="`+path+`/retry"`) {
		t.Fatalf("failed page:\n%s", page)
	}
	if w := importReq(h, c, "POST", path+"/retry"); w.Code != http.StatusSeeOther {
		t.Fatalf("retry: %d", w.Code)
	}
	if st := waitImport(t, h, c, path); st != "checked" {
		t.Fatalf("state %s after the retry", st)
	}
	if page := importReq(h, c, "GET", path).Body.String(); !strings.Contains(page, `data-count="added"><dt>新增</dt><dd>1</dd>`) {
		t.Errorf("checked page:\n%s", page)
	}
}
