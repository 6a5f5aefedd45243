package ui

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
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
	b := browserPage{t, ctx}
	b.do("log in", chromedp.Emulate(desktop),
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
	}{{"desktop", desktop}, {"phone", device.IPhone12}} {
		b.do("open the household on "+d.name, chromedp.Emulate(d.dev), chromedp.Navigate(path), chromedp.WaitVisible(chromedp.CSS(first)))
		if got := b.text(first + ` [data-import-file]`); got != "东苑三季度台账.xlsx" {
			t.Errorf("%s: the newest change names the file %q", d.name, got)
		}
		if got := b.text(first + ` th`); got != "导入居民" {
			t.Errorf("%s: the newest change reads %q", d.name, got)
		}
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("%s: the household page is wider than the window (%v)", d.name, err)
		}
	}
	b.shoot("household-changes")
}
