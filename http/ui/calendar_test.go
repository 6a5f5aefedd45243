package ui

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// calendarStore is the fixture's store as the calendar pages hold it.
func calendarStore(t *testing.T, f *fixture) CalendarStore {
	t.Helper()
	cs, ok := f.store.(CalendarStore)
	if !ok {
		t.Fatal("the fixture's store is no CalendarStore")
	}
	return cs
}

var districtAdmin = casework.Actor{UserID: 1, Role: wangge.RoleDistrictAdmin, ScopeCode: district}

// yearUpload is a multipart POST of the year form with a file.
func yearUpload(t *testing.T, h http.Handler, c *http.Cookie, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.WriteField("text", "")
	mw.Close()
	r := httptest.NewRequest("POST", "/admin/calendar/year?year=2027", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	checkHeadersAndScripts(t, w)
	return w
}

const pageYear2027 = `year 2027
notice - 国务院办公厅关于2027年部分节假日安排的通知
holiday 2027-10-01..2027-10-07 国庆节
workday 2027-10-09 国庆节补班
`

// TestCalendarPageShowsTheYearAndItsNotice: the administrator's calendar
// shows a year as month grids with its days off and make-up workdays
// marked and the notice named; a year without a notice says so.
func TestCalendarPageShowsTheYearAndItsNotice(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	for _, sc := range []scenario{
		{url: "/admin/calendar?year=2026", as: "admin", status: http.StatusOK, contains: []string{
			`data-date="2026-10-01" data-kind="holiday" title="国庆节"`,
			`data-date="2026-10-10" data-kind="makeup" title="国庆节补班"`,
			`data-date="2026-12-05" data-kind="weekend"`,
			`data-date="2026-12-07" data-kind="work"`,
			"国务院办公厅关于2026年部分节假日安排的通知", "国办发明电〔2025〕7号", `data-source="embedded"`,
			"放假 33 天，调休上班 6 天", `data-month="12"`, `href="/admin/calendar?year=2027"`,
			`name="hours" type="text" inputmode="numeric" value="08:30-12:00,14:30-18:00"`, `name="yellow_percent" type="number" min="1" max="99" value="75"`,
			`name="chain_subdistrict" value="1" checked`, `href="/admin/case-limits"`,
		}, excludes: []string{`name="chain_district" value="1" checked`}},
		{url: "/admin/calendar?year=2027", as: "admin", status: http.StatusOK, contains: []string{"data-uncovered", "2027 年尚未载入节假日安排"},
			excludes: []string{`data-kind="holiday"`}},
		{url: "/admin/calendar?year=2026", as: "admin", lang: "en", status: http.StatusOK, contains: []string{"Work calendar", "December", "33 days off, 6 make-up workdays"}},
		{url: "/admin/calendar", as: "dongyuan", status: http.StatusForbidden},
	} {
		sc.run(t, h)
	}
}

// TestCalendarYearUploadRefusedWithItsLineAndKept: a faulty year file is
// refused with the line at fault and shown again in the box, nothing
// loaded; a good one, pasted, loads, is audited and shows on the grid.
func TestCalendarYearUploadRefusedWithItsLineAndKept(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "admin")
	bad := strings.Replace(pageYear2027, "2027-10-09", "2027-10-08", 1)
	w := yearUpload(t, h, c, "2027.txt", bad)
	wantStatus(t, "a faulty upload", w, http.StatusUnprocessableEntity)
	wantBody(t, "a faulty upload", w, `data-error="year"`, "第 4 行", "2027-10-08", html.EscapeString("holiday 2027-10-01..2027-10-07 国庆节"))
	cs := calendarStore(t, f)
	if years, err := cs.CalendarYears(context.Background(), districtAdmin); err != nil || len(years) != 0 {
		t.Fatalf("a refused file was kept: %v %v", years, err)
	}

	w = req{method: "POST", path: "/admin/calendar/year?year=2027", form: url.Values{"text": {pageYear2027}}, cookie: c}.do(t, h)
	wantStatus(t, "a pasted year", w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/admin/calendar?year=2027&done=loaded" {
		t.Errorf("redirect to %q", loc)
	}
	scenario{url: "/admin/calendar?year=2027&done=loaded", as: "admin", status: http.StatusOK, contains: []string{
		`data-done="loaded"`, `data-date="2027-10-01" data-kind="holiday" title="国庆节"`, `data-date="2027-10-09" data-kind="makeup"`,
		`data-source="loaded"`, `data-loaded="2027"`, "国务院办公厅关于2027年部分节假日安排的通知",
	}}.run(t, h)
	es, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "calendar.load", Username: "admin"})
	if err != nil || len(es) != 1 || es[0].ObjectID != "2027" {
		t.Errorf("audit of the load: %+v %v", es, err)
	}
	// An upload over the size bound is refused, not read.
	w = yearUpload(t, h, c, "big.txt", strings.Repeat("# padding\n", 10000))
	wantStatus(t, "an oversized upload", w, http.StatusRequestEntityTooLarge)
}

// TestCalendarSettingsSavedAuditedAndKeptWhenRefused: the settings form
// saves through the store (audited), a refused value shows the form again
// as typed, and a form older than another save is refused as stale with
// the typed values kept.
func TestCalendarSettingsSavedAuditedAndKeptWhenRefused(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "admin")
	form := func(version, hours, yellow string) url.Values {
		return url.Values{"version": {version}, "hours": {hours}, "yellow_percent": {yellow}, "ack_minutes": {"5"}, "reopen_days": {"20"},
			"chain_community": {"1"}, "chain_district": {"1"}}
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		body   []string
	}{
		{"yellow 100%", form("1", "08:30-12:00", "100"), http.StatusUnprocessableEntity, []string{`data-error="settings"`, "黄灯比例应为 1% 至 99%", `value="100"`}},
		{"hours backwards", form("1", "12:00-08:30", "80"), http.StatusUnprocessableEntity, []string{`data-error="settings"`, "工作时间 12:00-08:30 无效", `value="12:00-08:30"`}},
		{"not a number", form("1", "08:30-12:00", "many"), http.StatusUnprocessableEntity, []string{"请填写整数", `value="many"`}},
		{"saved", form("1", "09:00-12:00,13:00-17:00", "80"), http.StatusSeeOther, nil},
		{"stale", form("1", "09:00-12:00", "70"), http.StatusConflict, []string{"设置已被他人修改", `value="70"`, `name="version" value="2"`}},
	}
	for _, tt := range tests {
		w := req{method: "POST", path: "/admin/calendar/settings?year=2026", form: tt.form, cookie: c}.do(t, h)
		wantStatus(t, tt.name, w, tt.status)
		wantBody(t, tt.name, w, tt.body...)
	}
	s, err := calendarStore(t, f).CaseSettings(context.Background(), districtAdmin)
	if err != nil || s.Hours != "09:00-12:00,13:00-17:00" || s.YellowPercent != 80 || s.AckMinutes != 5 || s.ReopenDays != 20 ||
		casework.FormatChain(s.Chain) != "community,district" || s.UpdatedBy != "admin" {
		t.Errorf("saved settings %+v %v", s, err)
	}
	es, _, _ := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "case_settings.update", Username: "admin"})
	if len(es) != 1 || !strings.Contains(es[0].Detail, `"before"`) || !strings.Contains(es[0].Detail, `"yellow_percent":80`) {
		t.Errorf("audit of the save: %+v", es)
	}
	scenario{url: "/admin/calendar?done=saved", as: "admin", status: http.StatusOK,
		contains: []string{`data-done="saved"`, `value="09:00-12:00,13:00-17:00"`, `name="chain_district" value="1" checked`}}.run(t, h)
}

// TestCaseLimitsPageEditsACategory: the limits page lists a category's
// steps per mechanism with the defaults; a changed value becomes the
// district's row (audited, reaching the engine), a value equal to the
// default or emptied keeps none, and refusals keep what was typed.
func TestCaseLimitsPageEditsACategory(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()
	c := login(t, h, "admin")
	scenario{url: "/admin/case-limits?category=P01", as: "admin", status: http.StatusOK, contains: []string{
		`data-category="P01"`, `data-limit="coordination.dispatch"`, `data-limit="emergency.acknowledge"`, `data-limit="approval.decide"`,
		`name="n.emergency.acknowledge" type="number" min="1" inputmode="numeric" value="10"`, `<option value="minutes" selected>分钟</option>`,
		`name="n.coordination.handle" type="number" min="1" inputmode="numeric" value="5"`, `<option value="work_days" selected>工作日</option>`,
		"环境卫生",
	}, excludes: []string{"data-set"}}.run(t, h)

	post := func(shown string, kv ...string) url.Values {
		v := url.Values{"category": {"P01"}, "shown": {shown}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		body   []string
	}{
		{"emergency in working days", post("", "n.emergency.acknowledge", "1", "unit.emergency.acknowledge", "work_days"),
			http.StatusUnprocessableEntity, []string{`data-error="limits"`, "按分钟计"}},
		{"not a number", post("", "n.coordination.dispatch", "two", "unit.coordination.dispatch", "work_hours"),
			http.StatusUnprocessableEntity, []string{`data-error="limits"`, `value="two"`}},
		{"saved", post("", "n.coordination.dispatch", "2", "unit.coordination.dispatch", "work_hours",
			"n.coordination.handle", "5", "unit.coordination.handle", "work_days", "n.emergency.acknowledge", "3", "unit.emergency.acknowledge", "minutes"),
			http.StatusSeeOther, nil},
		{"stale", post("", "n.coordination.dispatch", "6", "unit.coordination.dispatch", "work_hours"),
			http.StatusConflict, []string{"已被他人修改", `value="6"`, `name="shown" value="coordination.dispatch=2.work_hours emergency.acknowledge=3.minutes"`}},
	}
	for _, tt := range tests {
		w := req{method: "POST", path: "/admin/case-limits", form: tt.form, cookie: c}.do(t, h)
		wantStatus(t, tt.name, w, tt.status)
		wantBody(t, tt.name, w, tt.body...)
	}
	cs := calendarStore(t, f)
	rows, err := cs.CaseLimits(context.Background(), districtAdmin, "P01")
	if err != nil || len(rows) != 2 {
		t.Fatalf("stored rows %+v %v, want the dispatch and the acknowledge (the handle equals its default)", rows, err)
	}
	eng, _ := cs.CaseEngine(context.Background())
	p01 := casework.ProblemTypes[0]
	if d, _ := eng.Limit(p01, casework.Coordination, casework.StepDispatch); d != (casework.Duration{N: 2, Unit: casework.WorkHours}) {
		t.Errorf("the engine's P01 dispatch limit %v", d)
	}
	es, _, _ := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "case_limits.update", Username: "admin"})
	if len(es) != 1 || es[0].ObjectID != "P01" {
		t.Errorf("audit of the save: %+v", es)
	}
	scenario{url: "/admin/case-limits?category=P01&done=saved", as: "admin", status: http.StatusOK, contains: []string{
		`data-done="saved"`, `data-limit="coordination.dispatch" data-set`, `<option value="work_hours" selected>工作小时</option>`, `P01 环境卫生 ★`,
	}}.run(t, h)
	// Emptying a field takes the step back to its default.
	w := req{method: "POST", path: "/admin/case-limits", form: post("coordination.dispatch=2.work_hours emergency.acknowledge=3.minutes",
		"n.emergency.acknowledge", "3", "unit.emergency.acknowledge", "minutes"), cookie: c}.do(t, h)
	wantStatus(t, "empty the dispatch", w, http.StatusSeeOther)
	if rows, _ := cs.CaseLimits(context.Background(), districtAdmin, "P01"); len(rows) != 1 || rows[0].Step != casework.StepAcknowledge {
		t.Errorf("rows after emptying the dispatch: %+v", rows)
	}
}
