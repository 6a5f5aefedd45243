package ui

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// TestBrowserCoordinationCaseAcrossThreeRoles runs a coordination case
// through the pages on a 360 px phone, as the three roles would: the
// assistant registers it; the community dispatches it to civil affairs,
// which returns it with a reason (not its work); the community
// re-dispatches it to city management (改派), which accepts it and
// reports it done; the community verifies the work, records that the
// reporter was told, and closes it. Every step is a button the page
// offered, and the timeline shows them all, in order, by whom.
func TestBrowserCoordinationCaseAcrossThreeRoles(t *testing.T) {
	ctx := newBrowser(t)
	f, h := caseServer(t)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	b.do("emulate a 360 px phone", chromedp.Emulate(phone360))
	// shoot takes the screenshots ($WANGGE_SCREENSHOT_DIR), which leave
	// the browser on a desktop screen, and goes back to the phone.
	shoot := func(name string) {
		t.Helper()
		b.shoot(name)
		b.do("back to the phone", chromedp.Emulate(phone360), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main")))
	}

	// fits checks the page needs no sideways scrolling.
	fits := func(what string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !ok {
			t.Errorf("%s: wider than a 360 px phone (%v)", what, err)
		}
	}
	// submit clicks a form's button and waits for the page it leads to.
	submit := func(what, sel, then string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		b.do(what+": wait for "+then, chromedp.WaitVisible(chromedp.CSS(then)))
	}

	// The assistant registers the problem found on a visit.
	logInBrowser(b, ts, "xieliyuan")
	b.do("open the register form", chromedp.Navigate(ts.URL+"/cases/new"), chromedp.WaitVisible(chromedp.CSS(`form[data-case-form]`)))
	fits("the register form")
	shoot("case-new")
	b.do("fill the form",
		chromedp.SetValue(chromedp.ID("category"), "P01"),
		chromedp.SendKeys(chromedp.ID("description"), "东苑1号楼门口垃圾堆积多日"),
		chromedp.SendKeys(chromedp.ID("reporter_name"), "王芳"),
		chromedp.SendKeys(chromedp.ID("reporter_contact"), "13912340000"))
	run(b, `document.getElementById("category").dispatchEvent(new Event("change"))`)
	if hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("[data-done]").hidden`)); err != nil || !hidden {
		t.Errorf("a coordination case's form asks what was done on the spot (%v)", err)
	}
	if shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("[data-materials-box]")).display !== "none"`)); err != nil || shown {
		t.Errorf("a problem's form shows a materials list (%v)", err)
	}
	submit("register", `button[data-submit="create"]`, `section[data-page="case"][data-state="accepted"]`)
	number := b.text(`section[data-page="case"] .kicker .code`)
	if _, _, ok := casework.ParseNumber(number); !ok {
		t.Fatalf("case number %q", number)
	}
	if got := b.text(`[data-field="contact"]`); got != "139****0000" {
		t.Errorf("the reporter's contact shows as %q, want it masked", got)
	}
	page := ts.URL + "/cases/" + number
	// act opens the case page as username, opens the action's form, lets
	// fill type into it and sends it.
	act := func(username, action string, fill func(form string), then string) {
		t.Helper()
		logInBrowser(b, ts, username)
		b.do(username+" opens the case", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`section[data-page="case"]`)))
		fits(username + "'s case page")
		form := `details[data-action="` + action + `"]`
		b.do(username+" opens "+action, chromedp.Click(chromedp.CSS(form+" > summary")), chromedp.WaitVisible(chromedp.CSS(form+" form")))
		if fill != nil {
			fill(form)
		}
		submit(username+" "+action, form+` button[data-submit="`+action+`"]`, `section[data-page="case"]`+then)
	}
	note := func(text string) func(string) {
		return func(form string) {
			b.do("type the note", chromedp.SendKeys(chromedp.CSS(form+" textarea[name=note]"), text))
		}
	}

	// The community sends it to civil affairs, which says it is not its work.
	act("dongyuan", "dispatch", func(form string) {
		b.do("choose civil affairs", chromedp.SetValue(chromedp.CSS(form+" select[name=line]"), string(wangge.LineCivil)))
	}, `[data-state="dispatched"]`)
	shoot("case-dispatched")
	if got := b.text(`[data-field="receiver"]`); got != "区民政局" {
		t.Errorf("dispatched to %q, want 区民政局", got)
	}
	logInBrowser(b, ts, "minzheng")
	b.do("civil affairs opens the case", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`section[data-page="case"][data-state="dispatched"]`)))
	form := `details[data-action="return"]`
	b.do("civil affairs returns it", chromedp.Click(chromedp.CSS(form+" > summary")),
		chromedp.SendKeys(chromedp.CSS(form+" textarea[name=note]"), "环境卫生属城管职责，请改派"))
	// Returned, the case is out of civil affairs' sight: the page sends it
	// to the board.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(form+` button[data-submit="return"]`))); err != nil {
		t.Fatalf("return: %v", err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/cases") {
		t.Errorf("after the return civil affairs is at %q (%v), want the board", loc, err)
	}

	// The community re-dispatches to city management, which takes it on
	// and does the work.
	act("dongyuan", "dispatch", nil, `[data-state="dispatched"]`)
	if got := b.text(`[data-field="receiver"]`); got != "区城市管理局" {
		t.Errorf("re-dispatched to %q, want 区城市管理局", got)
	}
	if got := b.text(`[data-badge="redispatches"]`); !strings.Contains(got, "1") {
		t.Errorf("the re-dispatch badge says %q", got)
	}
	act("chengguan", "accept", nil, `[data-state="in_progress"]`)
	act("chengguan", "handle", note("已清运垃圾，门口已冲洗"), `[data-state="handled"]`)

	// The community checks the work, tells the reporter, closes.
	act("dongyuan", "verify", note("现场核查已清理干净"), `[data-state="verified"]`)
	act("dongyuan", "feedback", func(form string) {
		b.do("phone the reporter", chromedp.SetValue(chromedp.CSS(form+" select[name=channel]"), string(casework.ChannelPhone)),
			chromedp.SendKeys(chromedp.CSS(form+" textarea[name=note]"), "已电话告知王芳处理结果，她表示满意"))
	}, `[data-state="verified"]`)
	act("dongyuan", "close", nil, `[data-state="closed"]`)

	// The timeline: every step, in order, by whom.
	type entry struct{ Action, Who, Note string }
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]entry](`Array.prototype.map.call(document.querySelectorAll(".case-timeline > li"), function (li) {
		var n = li.querySelector(".event-note");
		return {Action: li.getAttribute("data-event-action"), Who: li.querySelector(".event-who").textContent, Note: n ? n.textContent : ""};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{"create", "xieliyuan", ""},
		{"dispatch", "东苑社区工作人员", ""},
		{"return", "minzheng", "环境卫生属城管职责，请改派"},
		{"dispatch", "东苑社区工作人员", ""},
		{"accept", "chengguan", ""},
		{"handle", "区城管局", "已清运垃圾，门口已冲洗"},
		{"verify", "东苑社区工作人员", "现场核查已清理干净"},
		{"feedback", "东苑社区工作人员", "已电话告知王芳处理结果，她表示满意"},
		{"close", "东苑社区工作人员", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("timeline %+v, want %d entries", got, len(want))
	}
	for i, w := range want {
		who := w.Who
		if who == "chengguan" {
			who = "区城管局"
		}
		if got[i].Action != w.Action || !strings.Contains(got[i].Who, who) || got[i].Note != w.Note {
			t.Errorf("timeline[%d] = %+v, want %s by %s with %q", i, got[i], w.Action, who, w.Note)
		}
	}
	left, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.prototype.map.call(document.querySelectorAll("details.case-action"), function (d) { return d.getAttribute("data-action"); })`))
	if err != nil || strings.Join(left, " ") != "satisfaction reopen" {
		t.Errorf("a closed case offers the community %v (%v), want the return visit and a reopen", left, err)
	}
	shoot("case-closed")
	// The store holds what the pages showed.
	c, err := caseStore(f).Case(context.Background(), actorOf(t, f, "dongyuan"), number)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != casework.Closed || c.Redispatches != 1 || len(c.Feedback) != 1 || c.Feedback[0].Channel != casework.ChannelPhone {
		t.Errorf("stored: %s, redispatches %d, feedback %+v", c.State, c.Redispatches, c.Feedback)
	}
}

// TestBrowserCaseRegisteredAtABuildingShowsItsPin: the building page's
// "report a problem here" registers the case at the building, and the
// case's page pins the building on its grid's map.
func TestBrowserCaseRegisteredAtABuildingShowsItsPin(t *testing.T) {
	ctx := newBrowser(t)
	f, h := caseServer(t)
	plantMap(t, f)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	b.do("emulate a 360 px phone", chromedp.Emulate(phone360))
	logInBrowser(b, ts, "xieliyuan")
	b.do("open the building", chromedp.Navigate(ts.URL+"/buildings/"+strconv.FormatInt(f.buildingA1.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`a[data-action="report-case"]`)))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[data-action="report-case"]`))); err != nil {
		t.Fatal(err)
	}
	b.do("fill the form", chromedp.WaitVisible(chromedp.CSS(`form[data-case-form]`)),
		chromedp.SetValue(chromedp.ID("category"), "P02"),
		chromedp.SendKeys(chromedp.ID("description"), "楼道灯损坏"))
	if got := b.text(".case-place a"); got != "东苑1号楼" {
		t.Errorf("the form is at %q, want the building", got)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[data-submit="create"]`))); err != nil {
		t.Fatal(err)
	}
	b.do("wait for the pin", chromedp.WaitVisible(chromedp.CSS(`section[data-page="case"]`)), chromedp.WaitVisible(chromedp.CSS(`.case-map path.case-pin`)))
	at, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function () {
		var m = document.querySelector("[data-case-pin]").wanggeMap, c = m.getCenter();
		return [c.lng, c.lat, m.getBounds().contains([36.15, 113.12]) ? 1 : 0];
	})()`))
	if err != nil || len(at) != 3 || at[2] != 1 {
		t.Errorf("the map shows %v (%v), want the building at 113.12, 36.15 in view", at, err)
	}
	if got := b.text(`[data-place]`); got != "东苑1号楼" {
		t.Errorf("the case is at %q", got)
	}
	b.shoot("case-pin")
}
