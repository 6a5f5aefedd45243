package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// TestBrowserMeetingMinutesPrintOnOnePage prints a week's meeting as
// Chromium prints it to PDF on A4: a full meeting — ten people, two of
// them absent with their reasons, a page of minutes, six decisions, the
// agenda's counts — comes out on one page, with the header, navigation
// and the screen's buttons gone. The same minutes twelve times over
// take more than one page, so the count is of what the page holds.
func TestBrowserMeetingMinutesPrintOnOnePage(t *testing.T) {
	ctx := newBrowser(t)
	f, _ := meetingServer(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	bg := context.Background()
	ms := f.store.(MeetingStore)
	staff := wangge.ScopeOf(communityA)
	m := &wangge.Meeting{AreaCode: gridA, At: testNow.Add(2 * time.Hour), Title: "东苑第一网格第10周网格化工作例会", Place: "东苑社区居委会二楼会议室"}
	for i, name := range []string{"东苑社区书记", "东苑社区主任", "民政专干", "综治专干", "周敏", "楼院长张建国", "物业经理", "业委会代表", "志愿者代表", "驻区单位代表"} {
		a := wangge.Attendee{Name: name, Role: "参会", Present: i < 8}
		if !a.Present {
			a.Reason = "外出开会，已请假"
		}
		m.Attendance = append(m.Attendance, a)
	}
	minutes := strings.Repeat("本周走访住户八十六户，发现楼道堆放杂物、电动车楼道充电等问题，已现场劝导整改；独居老人每日电话问候，无异常。", 8)
	m.Minutes = minutes
	if err := ms.CreateMeeting(bg, staff, m); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		c := plantCase(t, f, casework.Coordination, "P01", "")
		if _, err := ms.DecideInMeeting(bg, staff, actorOf(t, f, "dongyuan"), m.ID,
			wangge.DecisionDraft{Text: fmt.Sprintf("第%d项：督促物业在周五前清理楼道杂物并复查", i+1), CaseNumber: c.Number, Key: fmt.Sprintf("print-decision-%d", i)}, nil); err != nil {
			t.Fatal(err)
		}
	}

	b.do("log in", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "dongyuan"), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".who-name")))
	pages := func(what string) int {
		t.Helper()
		pdf, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
			r, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
			if err != nil {
				return nil, err
			}
			return r.Data, nil
		})
		if err != nil {
			t.Fatalf("print %s to PDF: %v", what, err)
		}
		if dir := os.Getenv("WANGGE_SCREENSHOT_DIR"); dir != "" {
			path := filepath.Join(dir, "meeting-"+what+".pdf")
			if err := os.WriteFile(path, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("printed %s", path)
		}
		return len(pdfPage.FindAll(pdf, -1))
	}
	print := fmt.Sprintf("%s/meetings/%d/print", ts.URL, m.ID)
	b.do("open the minutes", chromedp.Navigate(print), chromedp.WaitVisible(chromedp.CSS(`[data-part="decisions"]`)))
	if got := b.text(`[data-part="absent"]`); !strings.Contains(got, "志愿者代表") || !strings.Contains(got, "外出开会，已请假") {
		t.Errorf("the absent %q", got)
	}
	if n := pages("a4"); n != 1 {
		t.Errorf("the minutes print on %d A4 pages, want 1", n)
	}
	media := func(m string) {
		b.do("emulate media "+m, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return chromedp.Void{}, err
		})
	}
	media("print")
	for _, sel := range []string{"header.top", "nav.crumbs", ".minutes-screen", "footer.foot"} {
		d, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		if d != "none" {
			t.Errorf("printed, %s shows (display %s)", sel, d)
		}
	}

	media("")

	// On a 360 px phone the meeting's page fits its width, and each
	// agenda item's decide button is a thumb's target.
	as, err := f.store.GridAssistant(bg, gridA)
	if err != nil {
		t.Fatal(err)
	}
	v := &wangge.Visit{AssistantID: as.ID, HouseholdID: &f.householdA2.ID, At: testNow.Add(-time.Hour), Clears: wangge.SixClears{Dangers: "楼道内电动车充电，存在火灾隐患，已劝导"}}
	if err := f.store.CreateVisit(bg, wangge.ScopeAll(), v); err != nil {
		t.Fatal(err)
	}
	b.do("a 360 px phone", chromedp.Emulate(device.Info{Name: "phone360", Width: 360, Height: 740, Scale: 2, Mobile: true, Touch: true}),
		chromedp.Navigate(fmt.Sprintf("%s/meetings/%d", ts.URL, m.ID)), chromedp.WaitVisible(chromedp.CSS(`[data-item^="visit:"] [data-submit="decide"]`)))
	type fit struct {
		Page, View float64
		Button     float64
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[fit](`(() => ({
		Page: document.documentElement.scrollWidth, View: document.documentElement.clientWidth,
		Button: Math.min(...[...document.querySelectorAll('[data-submit="decide"]')].map(b => b.getBoundingClientRect().height))}))()`))
	if err != nil {
		t.Fatal(err)
	}
	wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`))
	if got.Page > got.View+1 || got.Button < 44 {
		t.Logf("wider than the phone: %v", wide)
		t.Errorf("on a 360 px phone: page %.0f px wide in %.0f, the smallest decide button %.0f px tall", got.Page, got.View, got.Button)
	}
	b.shoot("meeting")
	b.do("desktop again", chromedp.Emulate(desktop))

	// Twelve times the minutes (some 4,800 characters): the page count sees the overflow.
	read, err := ms.Meeting(bg, staff, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	read.Minutes = strings.Repeat(minutes, 12)
	if err := ms.UpdateMeeting(bg, staff, read); err != nil {
		t.Fatal(err)
	}
	b.do("open the long minutes", chromedp.Navigate(print+"?long=1"), chromedp.WaitReady(chromedp.CSS(`[data-part="decisions"]`)))
	if got := b.text(`[data-part="minutes"]`); len([]rune(got)) < 12*len([]rune(minutes))-10 {
		t.Errorf("the long minutes show %d characters", len([]rune(got)))
	}
	if n := pages("long"); n < 2 {
		t.Errorf("twelve times the minutes print on %d page, want more than one", n)
	}
}
