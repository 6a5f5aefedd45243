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
	scenario{URL: "/audit?action=person.create", As: "shenji", Status: 200,
		Contains: []string{"person.create", `data-seq=`}, Excludes: []string{"area.create"}}.Run(t, h)
	scenario{URL: "/audit?since=2026-13-01", As: "shenji", Status: 400}.Run(t, h)
	scenario{URL: "/audit?verify=1", As: "shenji", Status: 200, Contains: []string{`data-chain="ok"`}}.Run(t, h)
	if _, n, err := f.store.ListAudit(ctx, wangge.AuditFilter{Action: "audit.search", Username: "shenji"}); err != nil || n < 2 {
		t.Errorf("audit searches audited: %d, %v", n, err)
	}
	scenario{URL: "/audit", As: "dongyuan", Status: 403}.Run(t, h)

	db := f.store.(*sqldb.DB)
	if _, err := db.Writer().ExecContext(ctx, `UPDATE audit_log SET detail = '{"name":"改过"}' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	scenario{URL: "/audit?verify=1", As: "shenji", Status: 200, Contains: []string{`data-chain="broken"`, `data-bad-seq="3"`}}.Run(t, h)
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
