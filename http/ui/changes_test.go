package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
)

// importIntoA1 imports one row through the store, as the import page's
// commit does: 李秀英 of 东苑1号楼 1单元101室 gets a new name.
func (f *fixture) importIntoA1(t *testing.T, file string) {
	t.Helper()
	ctx := wangge.WithActor(context.Background(), wangge.Actor{UserID: 2, Username: "dongyuan", Role: wangge.RoleCommunityStaff})
	rows := []wangge.ImportRow{{Line: 2, Person: &wangge.PersonRow{BuildingCode: f.buildingA1.Code(), Entrance: "1", Room: "101", Name: "李秀英改", IDNumber: f.ids[1]}}}
	c, err := f.store.Import(ctx, wangge.ScopeOf(communityA), wangge.ImportOptions{Kind: wangge.ImportPersons, File: file}, func() ([]wangge.ImportRow, error) {
		b := rows
		rows = nil
		return b, nil
	})
	if err != nil || c.Updated != 1 {
		t.Fatalf("import: %+v %v", c, err)
	}
}

// TestHouseholdPageNamesTheImportThatChangedAPerson: after an import the
// household's file shows, in its change record, who changed whom, when,
// the fields in words and the file's name; opening the page is audited
// once, the record is not audited on its own.
func TestHouseholdPageNamesTheImportThatChangedAPerson(t *testing.T) {
	f := newFixture(t)
	f.importIntoA1(t, "东苑三季度台账.xlsx")
	h := f.server(t).Handler()
	c := login(t, h, "dongyuan")
	_, before, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	w := req{path: fmt.Sprintf("/households/%d", f.householdA1.ID), cookie: c}.do(t, h)
	wantStatus(t, "household page", w, 200)
	body := w.Body.String()
	sec := section(t, body, "data-changes")
	// The fixture made the household and its three persons; the import
	// changed one of them.
	if !strings.Contains(sec, `data-count="changes">5<`) {
		t.Errorf("count of changes:\n%s", sec)
	}
	rows := regexp.MustCompile(`(?s)<tr data-change="\d+">.*?</tr>`).FindAllString(sec, -1)
	if len(rows) != 5 {
		t.Fatalf("%d rows of changes, want 5:\n%s", len(rows), sec)
	}
	first := rows[0] // newest first: the import
	for _, want := range []string{"导入居民", "李秀英改", "dongyuan", "改动的字段：姓名", `<span data-import-file>东苑三季度台账.xlsx</span>`} {
		if !strings.Contains(first, want) {
			t.Errorf("the import's row lacks %q:\n%s", want, first)
		}
	}
	if !strings.Contains(rows[4], "新建住户") || !strings.Contains(rows[4], "本户") {
		t.Errorf("the oldest row is not the household's creation:\n%s", rows[4])
	}
	// Only a reader of the audit log gets the link to the import's entry.
	if strings.Contains(sec, "/audit?") {
		t.Errorf("community staff got a link into the audit log:\n%s", first)
	}
	es, after, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Page: wangge.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if after != before+1 || es[0].Action != "household.view" {
		t.Errorf("opening the page appended %d entries (latest %s), want one household.view", after-before, es[0].Action)
	}

	w = req{path: fmt.Sprintf("/households/%d", f.householdA1.ID), cookie: c, lang: "en"}.do(t, h)
	wantStatus(t, "household page in English", w, 200)
	sec = section(t, w.Body.String(), "data-changes")
	for _, want := range []string{"Change record", "Fields changed: name", "Imported file", "This household"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the English record lacks %q:\n%s", want, sec)
		}
	}
}

// TestHouseholdChangeRecordPagesByTwenty: the record shows the latest 20
// and pages on its own parameter, keeping the visits' page.
func TestHouseholdChangeRecordPagesByTwenty(t *testing.T) {
	f := newFixture(t)
	ctx := wangge.WithActor(context.Background(), wangge.Actor{UserID: 1, Username: "admin", Role: wangge.RoleDistrictAdmin})
	for i := range 20 {
		hh, err := f.store.Household(ctx, wangge.ScopeAll(), f.householdA1.ID)
		if err != nil {
			t.Fatal(err)
		}
		hh.Note = fmt.Sprintf("备注 %d", i)
		if err := f.store.UpdateHousehold(ctx, wangge.ScopeAll(), hh); err != nil {
			t.Fatal(err)
		}
	}
	h := f.server(t).Handler()
	c := login(t, h, "admin")
	path := fmt.Sprintf("/households/%d", f.householdA1.ID)
	rowRE := regexp.MustCompile(`<tr data-change="\d+">`)
	sec := section(t, req{path: path + "?page=1", cookie: c}.do(t, h).Body.String(), "data-changes")
	if n := len(rowRE.FindAllString(sec, -1)); n != 20 || !strings.Contains(sec, `data-count="changes">24<`) {
		t.Fatalf("first page: %d rows\n%s", n, sec)
	}
	next := regexp.MustCompile(`rel="next" href="([^"]+)"`).FindStringSubmatch(sec)
	if next == nil || !strings.Contains(next[1], "changes=2") || !strings.Contains(next[1], "page=1") || !strings.HasSuffix(next[1], "#changes-h") {
		t.Fatalf("next link: %v", next)
	}
	href := strings.ReplaceAll(strings.TrimSuffix(next[1], "#changes-h"), "&amp;", "&")
	w := req{path: href, cookie: c}.do(t, h)
	wantStatus(t, "second page", w, 200)
	sec = section(t, w.Body.String(), "data-changes")
	if n := len(rowRE.FindAllString(sec, -1)); n != 4 || !strings.Contains(sec, "新建住户") {
		t.Fatalf("second page: %d rows\n%s", n, sec)
	}
	wantStatus(t, "a bad page of the record", req{path: path + "?changes=x", cookie: c}.do(t, h), 400)
}

// TestHouseholdChangeRecordStaysInScope: staff of another community get
// the not-found page, not the record.
func TestHouseholdChangeRecordStaysInScope(t *testing.T) {
	f := newFixture(t)
	f.importIntoA1(t, "东苑三季度台账.xlsx")
	u := wangge.User{Username: "xiyuan", DisplayName: "西苑社区工作人员", Role: wangge.RoleCommunityStaff, ScopeCode: communityB,
		PasswordHash: passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}
	if err := f.store.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	w := req{path: fmt.Sprintf("/households/%d", f.householdA1.ID), cookie: login(t, h, "xiyuan")}.do(t, h)
	wantStatus(t, "another community's household", w, 404)
	if strings.Contains(w.Body.String(), "东苑三季度台账") {
		t.Error("the 404 page names the import")
	}
}

// section returns the <section> element carrying attr.
func section(t *testing.T, body, attr string) string {
	t.Helper()
	i := strings.Index(body, attr)
	if i < 0 {
		t.Fatalf("no section %s in:\n%.3000s", attr, body)
	}
	start := strings.LastIndex(body[:i], "<section")
	end := strings.Index(body[i:], "</section>")
	return body[start : i+end]
}
