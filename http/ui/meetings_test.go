package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// meetingServer is the case server with community B's staff (xiyuan)
// besides community A's (dongyuan) and grid A's assistant (xieliyuan).
func meetingServer(t *testing.T) (*fixture, http.Handler) {
	t.Helper()
	f, h := caseServer(t)
	addUsers(t, f, wangge.User{Username: "xiyuan", DisplayName: "西苑社区工作人员", Role: wangge.RoleCommunityStaff, ScopeCode: communityB})
	return f, h
}

var (
	meetingLink = regexp.MustCompile(`^/meetings/(\d+)`)
	agendaItem  = regexp.MustCompile(`data-item="([a-z]+:[0-9-]+)"`)
)

// schedule schedules a meeting through the form as username and returns
// its page's path.
func schedule(t *testing.T, h http.Handler, username, area string, at time.Time, title string) string {
	t.Helper()
	w := postAs(t, h, login(t, h, username), "/meetings", url.Values{
		"area": {area}, "at": {at.In(testNow.Location()).Format("2006-01-02T15:04")}, "title": {title}, "place": {"office"}})
	if w.Code != http.StatusSeeOther || !meetingLink.MatchString(w.Header().Get("Location")) {
		t.Fatalf("scheduling as %s: %d %s\n%s", username, w.Code, w.Header().Get("Location"), w.Body)
	}
	return w.Header().Get("Location")
}

// TestMeetingPagesScope: community staff schedule and record their
// grid's meeting; the grid's assistant reads it but may not write; another
// community's staff get 404 on every page of it, and cannot schedule in
// a grid not theirs.
func TestMeetingPagesScope(t *testing.T) {
	f, h := meetingServer(t)
	page := schedule(t, h, "dongyuan", gridA, testNow.Add(24*time.Hour), "第10周例会")
	for _, sc := range []scenario{
		{url: "/meetings", as: "dongyuan", status: http.StatusOK, contains: []string{"第10周例会", `data-form="schedule"`}},
		{url: page, as: "dongyuan", status: http.StatusOK, contains: []string{"第10周例会", `data-form="record"`, `data-empty="cases"`, `data-empty="visits"`}},
		{url: page, as: "xieliyuan", status: http.StatusOK, contains: []string{"第10周例会", `data-minutes`}, excludes: []string{`data-form="record"`, `data-form="decide"`}},
		{url: "/meetings", as: "xieliyuan", status: http.StatusOK, contains: []string{"第10周例会"}, excludes: []string{`data-form="schedule"`}},
		{url: page, as: "xiyuan", status: http.StatusNotFound, excludes: []string{"第10周例会"}},
		{url: page + "/print", as: "xiyuan", status: http.StatusNotFound, excludes: []string{"第10周例会"}},
		{url: "/meetings", as: "xiyuan", status: http.StatusOK, excludes: []string{"第10周例会"}},
		{method: "POST", url: page, as: "xiyuan", form: url.Values{"version": {"1"}, "at": {"2026-03-02T15:00"}, "title": {"x"}}, status: http.StatusNotFound},
		{method: "POST", url: page, as: "xieliyuan", form: url.Values{"version": {"1"}, "at": {"2026-03-02T15:00"}, "title": {"x"}}, status: http.StatusForbidden},
		{method: "POST", url: "/meetings", as: "xieliyuan", form: url.Values{"area": {gridA}, "at": {"2026-03-02T15:00"}, "title": {"x"}}, status: http.StatusForbidden},
		{method: "POST", url: "/meetings", as: "xiyuan", form: url.Values{"area": {gridA}, "at": {"2026-03-02T15:00"}, "title": {"x"}}, status: http.StatusBadRequest},
		{url: page, as: "louzhang", status: http.StatusForbidden},
		{url: "/meetings/999999", as: "dongyuan", status: http.StatusNotFound},
		{url: "/meetings?area=" + gridA, as: "dongyuan", status: http.StatusOK, contains: []string{"第10周例会", `data-form="filter"`}},
		{url: "/meetings?area=" + gridB, as: "dongyuan", status: http.StatusOK, excludes: []string{"第10周例会"}},
		{url: "/meetings?area=12", as: "dongyuan", status: http.StatusNotFound},
	} {
		sc.run(t, h)
	}
	// Community B's staff, who keep meetings, still cannot write A's: the
	// store's scope refuses it as not found.
	dong := login(t, h, "dongyuan")
	xi := login(t, h, "xiyuan")
	if w := postAs(t, h, xi, page+"/next", nil); w.Code != http.StatusNotFound {
		t.Errorf("community B schedules A's next week: %d", w.Code)
	}
	// Recording: attendance with an absence and its reason, minutes.
	w := postAs(t, h, dong, page, url.Values{"version": {"1"}, "at": {"2026-03-02T15:00"}, "title": {"第10周例会"}, "place": {"社区会议室"},
		"att_name": {"东苑社区工作人员", "周敏", ""}, "att_role": {"社区", "协理员", ""}, "att_present": {"0"}, "att_reason": {"", "入户走访", ""},
		"minutes": {"讨论了楼道杂物的清理。"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("recording: %d\n%s", w.Code, w.Body)
	}
	scenario{url: page, as: "xieliyuan", status: http.StatusOK, contains: []string{"讨论了楼道杂物的清理。", "周敏", "入户走访", "社区会议室"}}.run(t, h)
	// A stale page keeps what was typed.
	w = postAs(t, h, dong, page, url.Values{"version": {"1"}, "at": {"2026-03-02T15:00"}, "title": {"第10周例会"}, "minutes": {"旧页面上写的记录"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "旧页面上写的记录") || !strings.Contains(w.Body.String(), `data-error="stale"`) {
		t.Errorf("a stale record: %d, the typed minutes kept: %v", w.Code, strings.Contains(w.Body.String(), "旧页面上写的记录"))
	}
	// An absence without a reason is refused with the name.
	w = postAs(t, h, dong, page, url.Values{"version": {"2"}, "at": {"2026-03-02T15:00"}, "title": {"第10周例会"}, "att_name": {"周敏"}, "att_reason": {""}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "请写明周敏缺席的原因") {
		t.Errorf("an absence without a reason: %d", w.Code)
	}
	// Next week's like this one.
	w = postAs(t, h, dong, page+"/next", nil)
	if w.Code != http.StatusSeeOther || !meetingLink.MatchString(w.Header().Get("Location")) || w.Header().Get("Location") == page {
		t.Fatalf("next week: %d %s", w.Code, w.Header().Get("Location"))
	}
	next := meetingLink.FindString(w.Header().Get("Location"))
	scenario{url: next, as: "dongyuan", status: http.StatusOK, contains: []string{"2026-03-09 15:00", "周敏", "社区会议室"}, excludes: []string{"讨论了楼道杂物的清理。"}}.run(t, h)
	// A new meeting expects whoever scheduled it and the grid's assistant,
	// entered once here rather than typed at every meeting.
	fresh := schedule(t, h, "dongyuan", gridA, testNow.Add(48*time.Hour), "第11周例会")
	scenario{url: fresh, as: "dongyuan", status: http.StatusOK, contains: []string{`value="东苑社区工作人员"`, `value="周敏"`, `value="网格协理员"`}}.run(t, h)
	// The minutes' print page: who came, who did not and why, the minutes.
	scenario{url: page + "/print", as: "dongyuan", status: http.StatusOK, contains: []string{"讨论了楼道杂物的清理。", "周敏 (入户走访)", `data-page="meeting-print"`}}.run(t, h)
	// Views and prints are logged, as a household's view is; writes by
	// the store.
	var got []string
	es, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Object: "meeting", Page: wangge.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(es) - 1; i >= 0; i-- {
		got = append(got, es[i].Username+" "+es[i].Action)
	}
	for _, want := range []string{"dongyuan meeting.create", "dongyuan meeting.update", "xieliyuan meeting.view", "dongyuan meeting.view", "dongyuan meeting.print"} {
		if !slices.Contains(got, want) {
			t.Errorf("the audit lacks %q: %v", want, got)
		}
	}
	for _, e := range got {
		if strings.HasPrefix(e, "xiyuan ") {
			t.Errorf("community B's refused requests were logged as theirs: %q", e)
		}
	}
}

// TestMeetingAgendaFromKnownCasesAndVisits: the agenda of grid A's
// meeting lists exactly the grid's open cases (the overdue one first, not
// the closed one, not community B's), the visits since the week before
// that found something (not the one that found nothing, not the old one,
// not community B's), and no key-group change (none was made in the week).
func TestMeetingAgendaFromKnownCasesAndVisits(t *testing.T) {
	f, h := meetingServer(t)
	ctx := context.Background()
	st := caseStore(f)
	at := testNow.Add(2 * time.Hour)
	// An old case, overdue by now, made at a time the store's clock says.
	db := f.store.(interface{ SetClock(func() time.Time) })
	db.SetClock(func() time.Time { return testNow.AddDate(0, 0, -20) })
	old := plantCase(t, f, casework.Coordination, "P01", "")
	db.SetClock(func() time.Time { return testNow.Add(-time.Hour) })
	fresh := plantCase(t, f, casework.Coordination, "P02", "")
	done := plantCase(t, f, casework.General, "P14", "")
	done = step(t, f, "xieliyuan", done, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "已告知"})
	step(t, f, "xieliyuan", done, casework.Action{Name: casework.ActClose})
	inB, err := st.CreateCase(ctx, actorOf(t, f, "xiyuan"), casework.Draft{Source: casework.SourceWalkIn, Category: problem("P01"), Mechanism: casework.Coordination,
		Location: casework.Location{GridCode: gridB}, Description: "西苑的杂物"}, "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetClock(func() time.Time { return testNow })
	as, err := f.store.GridAssistant(ctx, gridA)
	if err != nil {
		t.Fatal(err)
	}
	visit := func(hh *wangge.Household, at time.Time, c wangge.SixClears, problems ...string) int64 {
		v := &wangge.Visit{AssistantID: as.ID, HouseholdID: &hh.ID, At: at, Clears: c, Problems: problems}
		if err := f.store.CreateVisit(ctx, wangge.ScopeAll(), v); err != nil {
			t.Fatal(err)
		}
		return v.ID
	}
	found := visit(f.householdA2, testNow.Add(-26*time.Hour), wangge.SixClears{Dangers: "电动车楼道充电"})
	visit(f.householdA3, testNow.Add(-25*time.Hour), wangge.SixClears{})
	visit(f.householdA3, testNow.AddDate(0, 0, -9), wangge.SixClears{Needs: "上周以前的需求"})
	visit(f.householdB1, testNow.Add(-25*time.Hour), wangge.SixClears{Needs: "西苑的需求"})

	page := schedule(t, h, "dongyuan", gridA, at, "第10周例会")
	w := getAs(t, h, login(t, h, "dongyuan"), page)
	if w.Code != http.StatusOK {
		t.Fatalf("%d\n%s", w.Code, w.Body)
	}
	var got []string
	for _, m := range agendaItem.FindAllStringSubmatch(w.Body.String(), -1) {
		got = append(got, m[1])
	}
	want := []string{"case:" + old.Number, "case:" + fresh.Number, "visit:" + strconv.FormatInt(found, 10)}
	if !slices.Equal(got, want) {
		t.Errorf("agenda items\n got %v\nwant %v", got, want)
	}
	body := w.Body.String()
	for _, s := range []string{"电动车楼道充电", `data-overdue`, `data-empty="changes"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the agenda lacks %q", s)
		}
	}
	for _, s := range []string{inB.Number, done.Number, "上周以前的需求", "西苑的需求"} {
		if strings.Contains(body, s) {
			t.Errorf("the agenda holds %q", s)
		}
	}
}

var decideForm = regexp.MustCompile(`(?s)<li class="agenda-item" data-item="visit:\d+">.*?<form method="post" action="(/meetings/\d+/decisions)"[^>]*>(.*?)</form>`)
var hiddenField = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)

// TestMeetingDecisionCreatesACaseTheBoardShows: one tap on a visit's
// finding makes it a case of the grid, at the household, with the finding
// as its description; the board shows it, the meeting lists the decision
// with its case, and a second tap of the same form makes no second case.
func TestMeetingDecisionCreatesACaseTheBoardShows(t *testing.T) {
	f, h := meetingServer(t)
	ctx := context.Background()
	as, err := f.store.GridAssistant(ctx, gridA)
	if err != nil {
		t.Fatal(err)
	}
	v := &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.householdA2.ID, At: testNow.Add(-3 * time.Hour), Clears: wangge.SixClears{Dangers: "单元门禁损坏"}}
	if err := f.store.CreateVisit(ctx, wangge.ScopeAll(), v); err != nil {
		t.Fatal(err)
	}
	page := schedule(t, h, "dongyuan", gridA, testNow.Add(time.Hour), "第10周例会")
	dong := login(t, h, "dongyuan")
	m := decideForm.FindStringSubmatch(getAs(t, h, dong, page).Body.String())
	if m == nil {
		t.Fatal("no decide form on the visit's agenda item")
	}
	form := url.Values{}
	for _, hf := range hiddenField.FindAllStringSubmatch(m[2], -1) {
		form.Set(hf[1], hf[2])
	}
	if form.Get("text") != "单元门禁损坏" || form.Get("household") != strconv.FormatInt(f.householdA2.ID, 10) || form.Get("case") != "" {
		t.Fatalf("the tap would send %v", form)
	}
	for i := 0; i < 2; i++ {
		if w := postAs(t, h, dong, m[1], form); w.Code != http.StatusSeeOther {
			t.Fatalf("tap %d: %d\n%s", i+1, w.Code, w.Body)
		}
	}
	list, n, err := caseStore(f).(interface {
		ListCases(context.Context, casework.Actor, casework.Filter) ([]casework.Case, int, error)
	}).ListCases(ctx, actorOf(t, f, "dongyuan"), casework.Filter{Area: gridA})
	if err != nil || n != 1 {
		t.Fatalf("%d cases after two taps (%v), want 1", n, err)
	}
	c := list[0]
	if c.Description != "单元门禁损坏" || c.Location.HouseholdID != f.householdA2.ID || c.Mechanism != casework.Coordination || c.State != casework.Accepted {
		t.Errorf("the case: %+v", c)
	}
	scenario{url: "/cases", as: "dongyuan", status: http.StatusOK, contains: []string{c.Number, "单元门禁损坏"}}.run(t, h)
	scenario{url: page, as: "xieliyuan", status: http.StatusOK, contains: []string{`data-case="` + c.Number + `"`, "单元门禁损坏"}}.run(t, h)
	// Following the case up from the agenda is a second decision on it.
	m2 := regexp.MustCompile(`(?s)data-item="case:` + regexp.QuoteMeta(c.Number) + `">.*?<form method="post" action="(/meetings/\d+/decisions)"[^>]*>(.*?)</form>`).
		FindStringSubmatch(getAs(t, h, dong, page).Body.String())
	if m2 == nil {
		t.Fatal("the new case is not on the agenda with its follow-up form")
	}
	follow := url.Values{}
	for _, hf := range hiddenField.FindAllStringSubmatch(m2[2], -1) {
		follow.Set(hf[1], hf[2])
	}
	if w := postAs(t, h, dong, m2[1], follow); w.Code != http.StatusSeeOther {
		t.Fatalf("follow-up: %d\n%s", w.Code, w.Body)
	}
	body := getAs(t, h, dong, page).Body.String()
	if n := strings.Count(body, `data-case="`+c.Number+`"`); n != 2 {
		t.Errorf("%d decisions name %s, want 2", n, c.Number)
	}
	// Community B's staff cannot decide in A's meeting.
	if w := postAs(t, h, login(t, h, "xiyuan"), m2[1], url.Values{"text": {"x"}, "case": {c.Number}, "token": {"0123456789abcdef"}}); w.Code != http.StatusNotFound {
		t.Errorf("community B decides in A's meeting: %d", w.Code)
	}
}
