package ui

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge/http/internal/webtest"
)

// TestBrowserHouseholdChangeRecord: after an import the household's file
// names the file in its change record, on a 390 px phone (one card per
// change, nothing wider than the screen) and at 1280 px.
func TestBrowserHouseholdChangeRecord(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	f.importIntoA1(t, "东苑三季度台账.xlsx")
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{T: t, Ctx: ctx}
	b.Do("log in", chromedp.Emulate(webtest.Desktop),
		chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "dongyuan"),
		chromedp.SendKeys(chromedp.ID("password"), password))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("%s/households/%d", ts.URL, f.householdA1.ID)
	first := `section[data-changes] tbody tr:first-child`
	for _, d := range []struct {
		name string
		dev  chromedp.Device
	}{{"desktop", webtest.Desktop}, {"phone", device.IPhone12}} {
		b.Do("open the household on "+d.name, chromedp.Emulate(d.dev), chromedp.Navigate(path), chromedp.WaitVisible(chromedp.CSS(first)))
		if got := b.Text(first + ` [data-import-file]`); got != "东苑三季度台账.xlsx" {
			t.Errorf("%s: the newest change names the file %q", d.name, got)
		}
		if got := b.Text(first + ` th`); got != "导入居民" {
			t.Errorf("%s: the newest change reads %q", d.name, got)
		}
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("%s: the household page is wider than the window (%v)", d.name, err)
		}
	}
	b.Shoot("household-changes")
}
