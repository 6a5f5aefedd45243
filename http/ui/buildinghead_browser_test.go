package ui

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge/casework"
)

// TestBrowserBuildingHeadReportsWithAPhoto: on a 360 px phone a building
// head opens the site, lands on his page, taps a problem type, types what
// is wrong, adds a photo and sends it; the page comes back with the case
// among his building's open cases, its light and due date, and the
// assistant's work phone one tap away. Nothing needs sideways scrolling and
// every choice is a thumb's size.
func TestBrowserBuildingHeadReportsWithAPhoto(t *testing.T) {
	ctx := newBrowser(t)
	f, h := headServer(t)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	photo := filepath.Join(t.TempDir(), "IMG_2031.JPG")
	if err := os.WriteFile(photo, jpegWithEXIF(t, "GPS 36.19N 113.11E"), 0o600); err != nil {
		t.Fatal(err)
	}
	fits := func(what string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !ok {
			t.Errorf("%s: wider than a 360 px phone (%v)", what, err)
		}
	}

	logInBrowser(b, ts, "zhangjianguo")
	b.do("open the site on a phone", chromedp.Emulate(phone360), chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`section[data-page="building-head"] form[data-report-form]`)))
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/my-building") {
		t.Errorf("the building head starts on %q (%v), want /my-building", loc, err)
	}
	fits("his page")
	// The smallest of the problem types' choices and the call button.
	small, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.min(...Array.from(document.querySelectorAll(".bhead-choice span, [data-call]")).map(e => e.getBoundingClientRect().height))`))
	if err != nil || small < 44 {
		t.Errorf("a target is %.0f px high (%v), want at least 44", small, err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-call]").getAttribute("href")`)); err != nil || got != "tel:0355-2021001" {
		t.Errorf("the call button dials %q (%v), want the work phone", got, err)
	}
	b.shoot("building-head")

	b.do("report a problem with a photo",
		chromedp.Click(chromedp.CSS(`label.bhead-choice:has(input[value="P02"]) span`)),
		chromedp.SendKeys(chromedp.ID("description"), "三单元楼道扶手松动，老人上下楼不安全"),
		chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}))
	if checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=category][value="P02"]').checked`)); err != nil || !checked {
		t.Fatalf("tapping the problem type did not choose it (%v)", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[data-submit="report"]`))); err != nil {
		t.Fatalf("send: %v", err)
	}
	b.do("wait for the report", chromedp.WaitVisible(chromedp.CSS(`[data-reported]`)))
	number, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("[data-reported]").dataset.reported`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := casework.ParseNumber(number); !ok {
		t.Fatalf("reported %q", number)
	}
	row := `li[data-case="` + number + `"]`
	b.do("find it in the list", chromedp.WaitVisible(chromedp.CSS(row)))
	text := b.text(row)
	for _, want := range []string{"设施损坏", "我反映的", "正常", "派遣时限 2026-03-02 18:00"} {
		if !strings.Contains(text, want) {
			t.Errorf("the list's row %q lacks %q", text, want)
		}
	}
	if light, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+row+` [data-light]').dataset.light`)); err != nil || light != "green" {
		t.Errorf("the row's light is %q (%v), want green", light, err)
	}
	fits("his page after the report")
	b.shoot("building-head-reported")

	a := actorOf(t, f, "zhangjianguo")
	c, err := caseStore(f).Case(context.Background(), a, number)
	if err != nil || c.Location.BuildingID != f.buildingA1.ID || c.Description != "三单元楼道扶手松动，老人上下楼不安全" {
		t.Fatalf("the case: %+v (%v)", c, err)
	}
	if ats, err := caseStore(f).CaseAttachments(context.Background(), a, number); err != nil || len(ats) != 1 {
		t.Errorf("the photo: %+v (%v)", ats, err)
	}
}
