package storetest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/workcal"
)

var caseSettingsTests = []test{
	{"CaseSettingsDefaultsUpdateAndAudit", testCaseSettingsUpdate},
	{"CaseSettingsOnlyTheDistrictAdministrator", testCaseSettingsForbidden},
	{"CalendarYearLoadOverlaysAndAudits", testCalendarYearLoad},
	{"CaseLimitsPerCategoryReachTheEngine", testCaseLimits},
	{"CaseSettingsReachAnotherServer", testCaseSettingsOtherServer},
}

// year2027 is a year file of the form an administrator loads; its days are
// the test's own, not the notice's (which was not published when this was
// written).
const year2027 = `# a test year
year 2027
notice - test notice for 2027
holiday 2027-10-01..2027-10-07 national day
workday 2027-10-09 national day make-up
`

// auditDetail decodes the latest audit entry's before and after.
func (e *env) auditDetail(t *testing.T, action string) (before, after any) {
	t.Helper()
	a := e.lastAudit()
	if a.Action != action {
		t.Fatalf("latest audit entry %q, want %q", a.Action, action)
	}
	var d map[string]any
	ok(t, json.Unmarshal([]byte(a.Detail), &d), "audit detail ", a.Detail)
	if _, has := d["before"]; !has {
		t.Errorf("%s: no before in %s", action, a.Detail)
	}
	return d["before"], d["after"]
}

func testCaseSettingsUpdate(t *testing.T, e *env) {
	e.fixture()
	admin := caseActors["district"]
	s, err := e.db.CaseSettings(e.ctx, admin)
	ok(t, err)
	def := casework.DefaultSettings()
	if s.Hours != def.Hours || s.YellowPercent != 75 || s.AckMinutes != 10 || s.ReopenDays != 15 ||
		!slices.Equal(s.Chain, def.Chain) || s.Version != 1 {
		t.Fatalf("a new district's settings: %+v, want the defaults", s)
	}

	bad := []struct {
		name string
		f    func(*casework.Settings)
		key  string
	}{
		{"hours", func(s *casework.Settings) { s.Hours = "18:00-08:00" }, "error.workcal.hours"},
		{"yellow", func(s *casework.Settings) { s.YellowPercent = 100 }, "error.case_settings.yellow"},
		{"ack", func(s *casework.Settings) { s.AckMinutes = 0 }, "error.case_settings.ack_minutes"},
		{"chain", func(s *casework.Settings) { s.Chain = nil }, "error.case_settings.chain"},
	}
	for _, b := range bad {
		c := *s
		b.f(&c)
		_, err := e.db.UpdateCaseSettings(e.ctx, admin, c)
		if we := wantCode(t, err, wangge.EInvalid, b.name); we != nil && we.Key != b.key {
			t.Errorf("%s: key %s, want %s", b.name, we.Key, b.key)
		}
	}

	n := e.auditCount()
	c := *s
	c.Hours, c.YellowPercent, c.AckMinutes, c.ReopenDays = " 09:00-12:00 , 13:30-17:30", 80, 5, 30
	c.Chain = []wangge.Level{wangge.LevelCommunity, wangge.LevelSubdistrict, wangge.LevelDistrict}
	got, err := e.db.UpdateCaseSettings(e.ctx, admin, c)
	ok(t, err, "update the settings")
	if got.Hours != "09:00-12:00,13:30-17:30" || got.YellowPercent != 80 || got.AckMinutes != 5 || got.Version != 2 || got.UpdatedAt.IsZero() {
		t.Errorf("saved %+v", got)
	}
	if e.auditCount() != n+1 {
		t.Errorf("%d audit entries for one change", e.auditCount()-n)
	}
	before, after := e.auditDetail(t, "case_settings.update")
	if b, _ := before.(map[string]any); b["ack_minutes"] != 10.0 || b["hours"] != def.Hours {
		t.Errorf("audit before %v", before)
	}
	if a, _ := after.(map[string]any); a["ack_minutes"] != 5.0 || a["approval_chain"] != "community,subdistrict,district" {
		t.Errorf("audit after %v", after)
	}
	// A loaded year or a limit does not make the settings' form stale.
	_, err = e.db.LoadCalendarYear(e.ctx, admin, year2027)
	ok(t, err)
	ok(t, e.db.SetCaseLimits(e.ctx, admin, "P02", nil, []casework.LimitRow{{Category: "P02", Mechanism: casework.Coordination,
		Step: casework.StepHandle, Limit: casework.Duration{N: 3, Unit: casework.WorkDays}}}))
	again := *got
	again.YellowPercent = 80
	got, err = e.db.UpdateCaseSettings(e.ctx, admin, again)
	ok(t, err, "save after a load")
	if got.Version != 3 {
		t.Errorf("version %d after two saves", got.Version)
	}
	// A form of an old version saves nothing.
	c.AckMinutes = 20
	_, err = e.db.UpdateCaseSettings(e.ctx, admin, c)
	wantCode(t, err, wangge.EConflict, "a stale save")

	// This server's next case runs on the new settings.
	em := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Emergency, "P06", "smoke on the stairs"))
	if d := em.Running(); d == nil || !d.Due.Equal(em.CreatedAt.Add(5*time.Minute)) {
		t.Errorf("emergency due %+v, want 5 minutes after %s", d, em.CreatedAt)
	}
	cal, err := e.db.WorkCalendar(e.ctx)
	ok(t, err)
	if h := cal.Hours(); len(h) != 2 || h[0].String() != "09:00-12:00" || cal.YellowAt() != 0.8 {
		t.Errorf("calendar hours %v, yellow %v", h, cal.YellowAt())
	}
	e.verifyAudit()
}

func testCaseSettingsForbidden(t *testing.T, e *env) {
	e.fixture()
	s, err := e.db.CaseSettings(e.ctx, caseActors["district"])
	ok(t, err)
	n := e.auditCount()
	for _, who := range []string{"community_a", "assistant_a1", "dept_city", "auditor"} {
		a := caseActors[who]
		_, err := e.db.CaseSettings(e.ctx, a)
		wantCode(t, err, wangge.EForbidden, who, " reads the settings")
		_, err = e.db.UpdateCaseSettings(e.ctx, a, *s)
		wantCode(t, err, wangge.EForbidden, who, " saves the settings")
		_, err = e.db.LoadCalendarYear(e.ctx, a, year2027)
		wantCode(t, err, wangge.EForbidden, who, " loads a year")
		err = e.db.SetCaseLimits(e.ctx, a, "P01", nil, nil)
		wantCode(t, err, wangge.EForbidden, who, " sets limits")
		_, err = e.db.CalendarYears(e.ctx, a)
		wantCode(t, err, wangge.EForbidden, who, " lists the years")
	}
	// A district administrator's account scoped below the district is not
	// the district's administrator.
	low := caseActors["district"]
	low.ScopeCode = CommunityA
	_, err = e.db.UpdateCaseSettings(e.ctx, low, *s)
	wantCode(t, err, wangge.EForbidden, "an administrator of a community")
	if e.auditCount() != n {
		t.Errorf("refusals wrote %d audit entries", e.auditCount()-n)
	}
	// The operator at the command line is the system.
	_, err = e.db.LoadCalendarYear(e.ctx, casework.Actor{Role: wangge.RoleSystem}, year2027)
	ok(t, err, "the system loads a year")
}

func testCalendarYearLoad(t *testing.T, e *env) {
	e.fixture()
	admin := caseActors["district"]
	cal, err := e.db.WorkCalendar(e.ctx)
	ok(t, err)
	national := workcal.MakeDate(2027, time.October, 1)
	if cal.Covers(2027) || !cal.Workday(national) {
		t.Fatalf("2027 is covered before any load")
	}
	// A file with a fault is refused with its line, and nothing is kept.
	_, err = e.db.LoadCalendarYear(e.ctx, admin, strings.Replace(year2027, "2027-10-09", "2027-10-08", 1))
	if we := wantCode(t, err, wangge.EInvalid, "a make-up workday on a Friday"); we != nil &&
		(we.Key != "error.workcal.weekday" || we.Params["Line"] != 5) {
		t.Errorf("refusal %s %v, want error.workcal.weekday on line 5", we.Key, we.Params)
	}
	years, err := e.db.CalendarYears(e.ctx, admin)
	ok(t, err)
	if len(years) != 0 {
		t.Fatalf("a refused file was kept: %+v", years)
	}

	y, err := e.db.LoadCalendarYear(e.ctx, admin, year2027)
	ok(t, err, "load 2027")
	if y.Year != 2027 || y.Holidays() != 7 || y.Workdays() != 1 {
		t.Errorf("loaded %+v", y)
	}
	before, after := e.auditDetail(t, "calendar.load")
	if before != nil {
		t.Errorf("a first load of 2027 replaced %v", before)
	}
	if a, _ := after.(map[string]any); a["holidays"] != 7.0 || a["loaded_by"] != "district" {
		t.Errorf("audit after %v", after)
	}
	cal, err = e.db.WorkCalendar(e.ctx)
	ok(t, err)
	if !cal.Covers(2027) || cal.Workday(national) || cal.Name(national) != "national day" ||
		!cal.Workday(workcal.MakeDate(2027, time.October, 9)) {
		t.Errorf("2027 after the load: covers %v, Oct 1 workday %v %q", cal.Covers(2027), cal.Workday(national), cal.Name(national))
	}
	years, err = e.db.CalendarYears(e.ctx, admin)
	ok(t, err)
	if len(years) != 1 || years[0].Year != 2027 || years[0].Text != year2027 || years[0].LoadedBy != "district" || years[0].LoadedAt.IsZero() {
		t.Errorf("loaded years %+v", years)
	}

	// A loaded year replaces the embedded one of its number; the audit
	// entry names what it replaced.
	fixed := "year 2026\nnotice - corrected 2026\nholiday 2026-10-01..2026-10-08 national day\n"
	_, err = e.db.LoadCalendarYear(e.ctx, admin, fixed)
	ok(t, err, "replace 2026")
	before, _ = e.auditDetail(t, "calendar.load")
	if b, _ := before.(map[string]any); b["loaded_by"] != "embedded" || b["holidays"] != 33.0 {
		t.Errorf("audit before of a replaced embedded year: %v", before)
	}
	cal, err = e.db.WorkCalendar(e.ctx)
	ok(t, err)
	// The embedded 2026's New Year holiday and 10 October's make-up
	// workday are gone with it.
	if cal.Workday(workcal.MakeDate(2026, time.October, 8)) || cal.Workday(workcal.MakeDate(2026, time.October, 10)) ||
		cal.Name(workcal.MakeDate(2026, time.October, 10)) != "" || !cal.Workday(workcal.MakeDate(2026, time.January, 1)) {
		t.Error("the loaded 2026 does not replace the embedded one")
	}
	// Loading 2027 again replaces the first load.
	_, err = e.db.LoadCalendarYear(e.ctx, admin, strings.Replace(year2027, "2027-10-07", "2027-10-06", 1))
	ok(t, err, "load 2027 again")
	before, _ = e.auditDetail(t, "calendar.load")
	if b, _ := before.(map[string]any); b["holidays"] != 7.0 {
		t.Errorf("audit before of a second load: %v", before)
	}
	years, _ = e.db.CalendarYears(e.ctx, admin)
	if len(years) != 2 {
		t.Errorf("%d loaded years, want 2026 and 2027 once each", len(years))
	}
	// Two years that disagree on a day at their border are refused.
	border := "year 2028\nnotice - border\nholiday 2027-12-31..2028-01-01 new year\n"
	clash := "year 2027\nnotice - clash\nworkday 2027-10-09 make-up\nholiday 2027-12-30 other\n"
	_, err = e.db.LoadCalendarYear(e.ctx, admin, border)
	ok(t, err, "load 2028")
	_, err = e.db.LoadCalendarYear(e.ctx, admin, strings.Replace(clash, "2027-12-30 other", "2027-12-31 other", 1))
	wantCode(t, err, wangge.EInvalid, "a year naming a border day otherwise")
	e.verifyAudit()
}

func testCaseLimits(t *testing.T, e *env) {
	e.fixture()
	admin := caseActors["district"]
	rows := []casework.LimitRow{
		{Category: "P01", Mechanism: casework.Coordination, Step: casework.StepDispatch, Limit: casework.Duration{N: 2, Unit: casework.WorkHours}},
		{Category: "P01", Mechanism: casework.Emergency, Step: casework.StepAcknowledge, Limit: casework.Duration{N: 3, Unit: casework.Minutes}},
	}
	refused := []struct {
		name     string
		category string
		rows     []casework.LimitRow
		code     string
	}{
		{"unknown category", "P77", nil, wangge.EInvalid},
		{"row of another category", "P02", rows[:1], wangge.EInvalid},
		{"emergency in days", "P01", []casework.LimitRow{{Category: "P01", Mechanism: casework.Emergency, Step: casework.StepAcknowledge, Limit: casework.Duration{N: 1, Unit: casework.WorkDays}}}, wangge.EInvalid},
		{"a step twice", "P01", []casework.LimitRow{rows[0], rows[0]}, wangge.EInvalid},
	}
	for _, r := range refused {
		wantCode(t, e.db.SetCaseLimits(e.ctx, admin, r.category, nil, r.rows), r.code, r.name)
	}
	ok(t, e.db.SetCaseLimits(e.ctx, admin, "P01", nil, rows), "set P01's limits")
	wantCode(t, e.db.SetCaseLimits(e.ctx, admin, "P01", nil, nil), wangge.EConflict, "a form made before that save")
	before, after := e.auditDetail(t, "case_limits.update")
	if b, _ := before.([]any); len(b) != 0 {
		t.Errorf("audit before %v", before)
	}
	if a, _ := after.([]any); len(a) != 2 || a[0] != "coordination.dispatch=2 work_hours" {
		t.Errorf("audit after %v", after)
	}
	got, err := e.db.CaseLimits(e.ctx, admin, "")
	ok(t, err)
	if len(got) != 2 || got[0] != rows[0] || got[1] != rows[1] {
		t.Errorf("limits read back %+v", got)
	}

	n := e.auditCount()
	ok(t, e.db.SetCaseLimits(e.ctx, admin, "P01", rows, rows), "save P01 unchanged")
	if e.auditCount() != n {
		t.Error("a save that changed nothing wrote an audit entry")
	}

	eng, err := e.db.CaseEngine(e.ctx)
	ok(t, err)
	co := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish"))
	if d := co.Running(); d == nil || !d.Due.Equal(eng.Clock.Add(co.CreatedAt, casework.Duration{N: 2, Unit: casework.WorkHours})) {
		t.Errorf("P01's dispatch deadline %+v, want 2 working hours", d)
	}
	other := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P02", "broken lamp"))
	if d := other.Running(); d == nil || !d.Due.Equal(eng.Clock.Add(other.CreatedAt, casework.Duration{N: 1, Unit: casework.WorkDays})) {
		t.Errorf("P02's dispatch deadline %+v, want the default working day", d)
	}
	em := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Emergency, "P01", "a collapsing wall"))
	if d := em.Running(); d == nil || !d.Due.Equal(em.CreatedAt.Add(3*time.Minute)) {
		t.Errorf("P01's emergency acknowledge deadline %+v, want 3 minutes", d)
	}

	// No rows: the category is on the defaults again.
	ok(t, e.db.SetCaseLimits(e.ctx, admin, "P01", rows, nil), "clear P01's limits")
	got, _ = e.db.CaseLimits(e.ctx, admin, "P01")
	if len(got) != 0 {
		t.Errorf("limits after clearing: %+v", got)
	}
	eng, _ = e.db.CaseEngine(e.ctx)
	if d, _ := eng.Limit(category("P01"), casework.Coordination, casework.StepDispatch); d != (casework.Duration{N: 1, Unit: casework.WorkDays}) {
		t.Errorf("P01's dispatch limit after clearing: %v", d)
	}
	e.verifyAudit()
}

// testCaseSettingsOtherServer: a change made through one store reaches a
// second store on the same database (another server) once that one reads
// the version again, within settingsRecheck of its clock.
func testCaseSettingsOtherServer(t *testing.T, e *env) {
	e.fixture()
	clock := time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)
	other := e.reopen(t)
	other.SetClock(func() time.Time { return clock })
	eng, err := other.CaseEngine(e.ctx)
	ok(t, err)
	if eng.Limits[casework.Emergency][casework.StepAcknowledge].N != 10 {
		t.Fatalf("the other server's engine: %v", eng.Limits[casework.Emergency])
	}
	s, err := e.db.CaseSettings(e.ctx, caseActors["district"])
	ok(t, err)
	s.AckMinutes = 4
	_, err = e.db.UpdateCaseSettings(e.ctx, caseActors["district"], *s)
	ok(t, err)

	clock = clock.Add(time.Second)
	eng, _ = other.CaseEngine(e.ctx)
	if eng.Limits[casework.Emergency][casework.StepAcknowledge].N != 10 {
		t.Errorf("the other server rebuilt before its recheck")
	}
	clock = clock.Add(10 * time.Second)
	eng, _ = other.CaseEngine(e.ctx)
	if eng.Limits[casework.Emergency][casework.StepAcknowledge].N != 4 {
		t.Errorf("the other server's acknowledge limit %v after its recheck, want 4 minutes", eng.Limits[casework.Emergency][casework.StepAcknowledge])
	}
	c, err := other.CreateCase(e.ctx, caseActors["assistant_a1"], caseDraft(GridA1, casework.Emergency, "P06", "smoke"), "")
	ok(t, err)
	if d := c.Running(); !d.Due.Equal(c.CreatedAt.Add(4 * time.Minute)) {
		t.Errorf("the other server's emergency due %s, want 4 minutes after %s", d.Due, c.CreatedAt)
	}
	// A year loaded on the first reaches the second's calendar too.
	_, err = e.db.LoadCalendarYear(e.ctx, caseActors["district"], year2027)
	ok(t, err)
	clock = clock.Add(11 * time.Second)
	cal, err := other.WorkCalendar(e.ctx)
	ok(t, err)
	if !cal.Covers(2027) {
		t.Error("the other server's calendar lacks the loaded 2027")
	}
}
