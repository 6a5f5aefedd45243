package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// importJobTests pin the import jobs the web keeps in the database
// (wangge.ImportJobStore): owner scoping, the sealed upload, leases and
// expiry.
var importJobTests = []test{
	{"ImportJobIsItsOwnersAlone", testImportJobOwner},
	{"ImportJobUploadIsSealed", testImportJobSealed},
	{"ImportJobLeaseIsTakenOverWhenSilent", testImportJobLease},
	{"ImportJobExpiresAndIsPurged", testImportJobExpiry},
	{"ImportAuditsEveryRecordItChangesNamingTheJob", testImportAuditsEveryRecord},
}

// newJob stores a queued job for user with an upload holding an ID number.
func (e *env) newJob(user int64, holder string) (*wangge.ImportJob, []byte, string) {
	e.t.Helper()
	id := e.newID(ident.SexFemale)
	upload := []byte("楼院编码,单元,房号,姓名,身份证号\n14049900100100100001,1,101,测试," + id + "\n")
	j := &wangge.ImportJob{UserID: user, Session: []byte("session-hash"), Kind: wangge.ImportPersons, File: "居民.csv", Holder: holder}
	ok(e.t, e.db.CreateImportJob(e.ctx, j, upload, time.Hour), "CreateImportJob")
	if j.ID == 0 || len(j.Token) < 20 || j.State != wangge.JobQueued {
		e.t.Fatalf("created job: %+v", j)
	}
	return j, upload, id
}

func testImportJobOwner(t *testing.T, e *env) {
	j, upload, _ := e.newJob(7, "server-a")
	got, err := e.db.ImportJob(e.ctx, 7, j.Token)
	ok(t, err, "ImportJob")
	if got.File != "居民.csv" || got.Kind != wangge.ImportPersons || !bytes.Equal(got.Session, []byte("session-hash")) || got.Holder != "server-a" {
		t.Errorf("job read back: %+v", got)
	}
	data, err := e.db.ImportJobUpload(e.ctx, 7, j.Token)
	ok(t, err, "ImportJobUpload")
	if !bytes.Equal(data, upload) {
		t.Errorf("upload read back: %q", data)
	}
	// Another user finds nothing, and can neither claim nor read it.
	if _, err := e.db.ImportJob(e.ctx, 8, j.Token); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another user's read: %v", err)
	}
	if _, err := e.db.ImportJobUpload(e.ctx, 8, j.Token); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another user's upload: %v", err)
	}
	if _, err := e.db.ClaimImportJob(e.ctx, 8, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, "server-b", time.Minute); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another user's claim: %v", err)
	}
	if n, _ := e.db.OpenImportJobs(e.ctx, 7); n != 1 {
		t.Errorf("owner's open jobs: %d", n)
	}
	if n, _ := e.db.OpenImportJobs(e.ctx, 8); n != 0 {
		t.Errorf("another user's open jobs: %d", n)
	}
	// The dry run is recorded, then a commit claimed by one server only.
	c, err := e.db.ClaimImportJob(e.ctx, 7, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, "server-a", time.Minute)
	ok(t, err, "claim the dry run")
	ok(t, e.db.ImportJobHeartbeat(e.ctx, c.ID, "server-a", 1, 2), "heartbeat")
	c.State, c.Done, c.Total, c.Report = wangge.JobChecked, 2, 2, `{"Counts":{"added":1}}`
	ok(t, e.db.FinishImportJob(e.ctx, c, "server-a", []byte("rejects-workbook")), "finish")
	got, _ = e.db.ImportJob(e.ctx, 7, j.Token)
	if got.State != wangge.JobChecked || got.Done != 2 || !got.HasReject || got.Holder != "" {
		t.Errorf("checked job: %+v", got)
	}
	if rp, rs, err := e.db.ImportJobReports(e.ctx, 7, j.Token); err != nil || rp != c.Report || rs != "" {
		t.Errorf("reports: %q %q %v", rp, rs, err)
	}
	if _, _, err := e.db.ImportJobReports(e.ctx, 8, j.Token); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another user's reports: %v", err)
	}
	if rj, _ := e.db.ImportJobRejects(e.ctx, 7, j.Token); string(rj) != "rejects-workbook" {
		t.Errorf("rejects: %q", rj)
	}
	if _, err := e.db.ImportJobRejects(e.ctx, 8, j.Token); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another user's rejects: %v", err)
	}
	cb, err := e.db.ClaimImportJob(e.ctx, 7, j.Token, []string{wangge.JobChecked}, wangge.JobCommitting, "server-b", time.Minute)
	ok(t, err, "claim the commit")
	_, err = e.db.ClaimImportJob(e.ctx, 7, j.Token, []string{wangge.JobChecked}, wangge.JobCommitting, "server-a", time.Minute)
	wantCode(t, err, wangge.EConflict, "a second claim of the commit")
	// The commit's outcome keeps the dry run's report and rejected rows.
	cb.State, cb.Result = wangge.JobCommitted, `{"Counts":{"added":1,"written":true}}`
	ok(t, e.db.FinishImportJob(e.ctx, cb, "server-b", nil), "finish the commit")
	if rp, rs, _ := e.db.ImportJobReports(e.ctx, 7, j.Token); rp != c.Report || rs != cb.Result {
		t.Errorf("reports after the commit: %q %q", rp, rs)
	}
	if rj, _ := e.db.ImportJobRejects(e.ctx, 7, j.Token); string(rj) != "rejects-workbook" {
		t.Errorf("rejects after the commit: %q", rj)
	}
	if data, _ := e.db.ImportJobUpload(e.ctx, 7, j.Token); data != nil {
		t.Errorf("the committed job keeps its upload")
	}
}

func testImportJobSealed(t *testing.T, e *env) {
	j, _, id := e.newJob(7, "server-a")
	c, err := e.db.ClaimImportJob(e.ctx, 7, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, "server-a", time.Minute)
	ok(t, err)
	c.State = wangge.JobChecked
	ok(t, e.db.FinishImportJob(e.ctx, c, "server-a", []byte("rejected row: "+id)))
	// Nothing in the row holds the ID number in clear.
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT * FROM import_jobs`)
	ok(t, err)
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		n++
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ok(t, rows.Scan(ptrs...))
		for i, v := range vals {
			var b []byte
			switch v := v.(type) {
			case []byte:
				b = v
			case string:
				b = []byte(v)
			}
			if bytes.Contains(b, []byte(id)) || bytes.Contains(b, []byte("测试")) {
				t.Errorf("column %s holds the upload in clear", cols[i])
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d rows", n)
	}
	sealed := e.sealedColumnNames()
	for _, c := range []string{"import_jobs.upload_enc", "import_jobs.rejects_enc"} {
		if !sealed[c] {
			t.Errorf("%s is not among the columns a key rotation re-seals", c)
		}
	}
}

func (e *env) sealedColumnNames() map[string]bool {
	cs, err := e.db.SealedColumns(e.ctx)
	ok(e.t, err)
	m := map[string]bool{}
	for _, c := range cs {
		m[c.String()] = true
	}
	return m
}

func testImportJobLease(t *testing.T, e *env) {
	now := time.Now().UTC()
	e.db.SetClock(func() time.Time { return now })
	j, _, _ := e.newJob(7, "server-a")
	c, err := e.db.ClaimImportJob(e.ctx, 7, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, "server-a", 30*time.Second)
	ok(t, err)
	// While server A speaks, B cannot take the job.
	now = now.Add(20 * time.Second)
	ok(t, e.db.ImportJobHeartbeat(e.ctx, c.ID, "server-a", 10, 100))
	now = now.Add(20 * time.Second)
	_, err = e.db.ClaimImportJob(e.ctx, 7, j.Token, nil, wangge.JobChecking, "server-b", 30*time.Second)
	wantCode(t, err, wangge.EConflict, "claim of a live job")
	// A goes silent: B takes over, and A's heartbeat and outcome are refused.
	now = now.Add(31 * time.Second)
	b, err := e.db.ClaimImportJob(e.ctx, 7, j.Token, nil, wangge.JobChecking, "server-b", 30*time.Second)
	ok(t, err, "take-over")
	if b.Holder != "server-b" || b.Done != 0 {
		t.Errorf("taken over: %+v", b)
	}
	wantCode(t, e.db.ImportJobHeartbeat(e.ctx, c.ID, "server-a", 20, 100), wangge.EConflict, "the old holder's heartbeat")
	c.State = wangge.JobChecked
	wantCode(t, e.db.FinishImportJob(e.ctx, c, "server-a", nil), wangge.EConflict, "the old holder's outcome")
	b.State = wangge.JobFailed
	b.Error = `{"code":"invalid"}`
	ok(t, e.db.FinishImportJob(e.ctx, b, "server-b", nil))
	// A failed job keeps its upload, to run again, and is no longer open.
	if data, err := e.db.ImportJobUpload(e.ctx, 7, j.Token); err != nil || len(data) == 0 {
		t.Errorf("failed job's upload: %d bytes, %v", len(data), err)
	}
	if n, _ := e.db.OpenImportJobs(e.ctx, 7); n != 0 {
		t.Errorf("open jobs after failure: %d", n)
	}
	_, err = e.db.ClaimImportJob(e.ctx, 7, j.Token, []string{wangge.JobFailed}, wangge.JobChecking, "server-a", 30*time.Second)
	ok(t, err, "run a failed job again")
}

func testImportJobExpiry(t *testing.T, e *env) {
	now := time.Now().UTC()
	e.db.SetClock(func() time.Time { return now })
	done, _, _ := e.newJob(7, "server-a")
	d, err := e.db.ClaimImportJob(e.ctx, 7, done.Token, []string{wangge.JobQueued}, wangge.JobChecking, "server-a", time.Minute)
	ok(t, err)
	d.State = wangge.JobChecked
	ok(t, e.db.FinishImportJob(e.ctx, d, "server-a", nil))
	live, _, _ := e.newJob(7, "server-a")
	c, err := e.db.ClaimImportJob(e.ctx, 7, live.Token, []string{wangge.JobQueued}, wangge.JobChecking, "server-a", time.Minute)
	ok(t, err)
	now = now.Add(time.Hour + time.Second)
	// The idle job has expired: gone for its owner too.
	if _, err := e.db.ImportJob(e.ctx, 7, done.Token); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("expired job: %v", err)
	}
	// The running job's server is alive: it stays, even past its expiry.
	ok(t, e.db.ImportJobHeartbeat(e.ctx, c.ID, "server-a", 5, 10))
	n, err := e.db.PurgeImportJobs(e.ctx, time.Minute)
	ok(t, err)
	if n != 1 {
		t.Errorf("purged %d, want the idle one", n)
	}
	if _, err := e.db.ImportJob(e.ctx, 7, live.Token); err != nil {
		t.Errorf("running job after the purge: %v", err)
	}
	// Once its server is silent past the lease, it goes too.
	now = now.Add(2 * time.Minute)
	if n, _ := e.db.PurgeImportJobs(e.ctx, time.Minute); n != 1 {
		t.Errorf("purged %d of the silent job", n)
	}
	var left int
	ok(t, e.db.Reader().QueryRowContext(e.ctx, `SELECT COUNT(*) FROM import_jobs`).Scan(&left))
	if left != 0 {
		t.Errorf("%d jobs left", left)
	}
}

// testImportAuditsEveryRecord: an import writes, in its transaction, one
// entry per person and household it added or changed, naming the import
// job, the file and the fields changed (never their values), besides the
// import's own entry under the job's token; a committing job is marked
// committed by the same transaction; a dry run and unchanged rows write
// nothing.
func testImportAuditsEveryRecord(t *testing.T, e *env) {
	f := e.fixture()
	j, _, _ := e.newJob(Actor.UserID, "server-a")
	_, err := e.db.ClaimImportJob(e.ctx, Actor.UserID, j.Token, []string{wangge.JobQueued}, wangge.JobCommitting, "server-a", time.Minute)
	ok(t, err)
	a, b := e.newID(ident.SexMale), e.newID(ident.SexFemale)
	phone := e.newPhone()
	rows := func() []wangge.ImportRow {
		r1 := personRow(1, f.BA1, "601", "审计甲", a)
		r1.Person.Phone, r1.Person.Relation = phone, wangge.RelHead
		r2 := personRow(2, f.BA1, "601", "审计乙", b)
		r3 := personRow(3, f.BA1, "101", f.PA1.Name+"改", f.IDNumber[f.PA1.ID]) // renamed
		r4 := personRow(4, f.BA1, "101", f.PA1b.Name, f.IDNumber[f.PA1b.ID])   // as stored
		return []wangge.ImportRow{r1, r2, r3, r4}
	}
	_, n0, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{})
	e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons, DryRun: true}, rows()...)
	if es, n, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{}); n != n0+1 || es[0].Action != "import.check" {
		t.Fatalf("the dry run wrote %d entries, want its check's alone", n-n0)
	}
	c, _ := e.runImport(wangge.ScopeAll(), wangge.ImportOptions{Kind: wangge.ImportPersons, Job: j.Token}, rows()...)
	if c.Added != 2 || c.Updated != 1 || c.Unchanged != 1 {
		t.Fatalf("counts %+v", c)
	}
	ps, _, _ := e.db.ListPersons(e.ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: a})
	if len(ps) != 1 {
		t.Fatalf("imported person: %+v", ps)
	}
	one := func(object string, id int64) wangge.AuditEntry {
		t.Helper()
		es, n, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Object: object, ObjectID: fmt.Sprint(id), Action: object + ".import"})
		ok(t, err)
		if n != 1 {
			t.Fatalf("%s %d: %d import entries, want 1", object, id, n)
		}
		x := es[0]
		if !strings.Contains(x.Detail, `"job":"`+j.Token+`"`) || !strings.Contains(x.Detail, "测试.xlsx") || x.Username != Actor.Username {
			t.Errorf("%s %d: entry %+v", object, id, x)
		}
		return x
	}
	if x := one("person", ps[0].ID); !strings.Contains(x.Detail, `"status":"added"`) || !strings.Contains(x.Detail, `"id_number"`) || x.GridCode != GridA1 {
		t.Errorf("added person's entry: %+v", x)
	}
	if x := one("person", f.PA1.ID); !strings.Contains(x.Detail, `"fields":["name"]`) || !strings.Contains(x.Detail, `"status":"updated"`) {
		t.Errorf("renamed person's entry: %+v", x)
	}
	one("household", ps[0].HouseholdID)
	if _, n, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{Object: "person", ObjectID: fmt.Sprint(f.PA1b.ID), Action: "person.import"}); n != 0 {
		t.Errorf("the unchanged person has %d import entries", n)
	}
	sum, n, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{Object: "import", ObjectID: j.Token})
	if n != 1 || sum[0].Action != "import.persons" {
		t.Errorf("the import's own entry: %+v", sum)
	}
	es, n, _ := e.db.ListAudit(e.ctx, wangge.AuditFilter{})
	if n != n0+6 { // the dry run's check, 3 persons, 1 household, the import
		t.Errorf("%d entries written, want 6", n-n0)
	}
	for _, x := range es {
		for _, secret := range []string{a, b, phone, f.IDNumber[f.PA1.ID]} {
			if strings.Contains(x.Detail, secret) {
				t.Errorf("entry %d holds a value in clear: %s", x.Seq, x.Detail)
			}
		}
	}
	got, err := e.db.ImportJob(e.ctx, Actor.UserID, j.Token)
	ok(t, err)
	if got.State != wangge.JobCommitted {
		t.Errorf("job state %s after the commit", got.State)
	}
	if data, _ := e.db.ImportJobUpload(e.ctx, Actor.UserID, j.Token); len(data) != 0 {
		t.Errorf("the committed job keeps its upload")
	}
	e.verifyAudit()
}
