package ui

import (
	"context"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/sqldb"
)

// TestAuditorSearchesAndVerifiesTheLog: the auditor finds entries by user and
// action, the search is itself audited, and the page says where the chain
// breaks after a row is edited in the database.
func TestAuditorSearchesAndVerifiesTheLog(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := &wangge.User{Username: "shenji", Role: wangge.RoleAuditor, ScopeCode: district, PasswordHash: passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}
	if err := f.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	scenario{url: "/audit?action=person.create", as: "shenji", status: 200,
		contains: []string{"person.create", `data-seq=`}, excludes: []string{"area.create"}}.run(t, h)
	scenario{url: "/audit?since=2026-13-01", as: "shenji", status: 400}.run(t, h)
	scenario{url: "/audit?verify=1", as: "shenji", status: 200, contains: []string{`data-chain="ok"`}}.run(t, h)
	if _, n, err := f.store.ListAudit(ctx, wangge.AuditFilter{Action: "audit.search", Username: "shenji"}); err != nil || n < 2 {
		t.Errorf("audit searches audited: %d, %v", n, err)
	}
	scenario{url: "/audit", as: "dongyuan", status: 403}.run(t, h)

	db := f.store.(*sqldb.DB)
	if _, err := db.Writer().ExecContext(ctx, `UPDATE audit_log SET detail = '{"name":"改过"}' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	scenario{url: "/audit?verify=1", as: "shenji", status: 200, contains: []string{`data-chain="broken"`, `data-bad-seq="3"`}}.run(t, h)
}

// FuzzDayOf: the audit search's date fields never panic and either give a
// date or a clear field error.
func FuzzDayOf(f *testing.F) {
	for _, s := range []string{"2026-01-31", "2026-13-01", "", "0000-00-00", "２０２６-01-01", "2026-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, err := dayOf("since", v, 0)
		if err == nil && v != "" && d.IsZero() {
			t.Fatalf("dayOf(%q) gave no date and no error", v)
		}
	})
}
