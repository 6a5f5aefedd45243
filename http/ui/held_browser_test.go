package ui

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge/casework"
)

// holdInFixture holds an Open311 request in the fixture's store, as the
// Open311 side does when the words match no single building.
func holdInFixture(t *testing.T, f *fixture, r casework.HeldReport) string {
	t.Helper()
	hs, ok := f.store.(interface {
		HoldReport(ctx context.Context, r casework.HeldReport) (string, error)
	})
	if !ok {
		t.Fatal("the fixture's store keeps no held requests")
	}
	tok, err := hs.HoldReport(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestBrowserHeldRequestPlacedByATapOnAPhone: on a 360 px phone community
// staff follow the board's link to the held requests, open one, tap its
// place on the map (the page names the grid there), place it and see the
// new case's number, which is the case the store made in that grid.
func TestBrowserHeldRequestPlacedByATapOnAPhone(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	seedServices(t, f)
	plantMap(t, f)
	holdInFixture(t, f, casework.HeldReport{Source: casework.SourceOpen311, CategoryCode: "P02",
		Description: "路灯不亮，电话 13812345678", Attributes: map[string][]string{"facility": {"streetlight"}},
		Address: "老井旁边那盏灯", Name: "王先生", Phone: "13812345678", Lang: "zh"})
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")
	fits := func(what string) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](pageOverflow))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			t.Errorf("%s at 360 px: %v", what, got)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil || wide {
			t.Errorf("%s: wider than a 360 px phone (%v)", what, err)
		}
	}

	b.do("open the board on a phone", chromedp.Emulate(phone360), chromedp.Navigate(ts.URL+"/cases"),
		chromedp.WaitVisible(chromedp.CSS(`[data-held-link="1"]`)))
	b.do("follow the link", chromedp.Click(chromedp.CSS(`[data-held-link]`)), chromedp.WaitVisible(chromedp.CSS(`[data-held]`)))
	fits("the held list")
	if got := b.text(`[data-contact]`); strings.Contains(got, "13812345678") || strings.Contains(got, "王先生") || !strings.Contains(got, "*") {
		t.Errorf("the list's contact %q: want it masked", got)
	}
	if got := b.text(`[data-description]`); strings.Contains(got, "13812345678") {
		t.Errorf("the list's description %q: want the phone masked", got)
	}
	b.shoot("held-list-phone")
	b.do("back on the phone", chromedp.Emulate(phone360), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-place-link]`)))
	b.do("open the request", chromedp.Click(chromedp.CSS(`[data-place-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`#held-map[data-ready="1"]`)))
	fits("the request's page")
	b.shoot("held-one-phone") // reloads, on a desktop at the end
	b.do("back on the phone", chromedp.Emulate(phone360), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#held-map[data-ready="1"]`)))
	tap(b, "held-map", 113.12, 36.15)
	b.do("the tap names the grid", chromedp.WaitVisible(chromedp.CSS(`[data-pick-result][data-grid="`+gridA+`"]`)))
	b.do("place it", chromedp.Click(chromedp.CSS(`[data-place-point]`)), chromedp.WaitVisible(chromedp.CSS(`[data-placed]`)))
	number := b.text(`[data-case-link]`)
	if _, _, ok := casework.ParseNumber(number); !ok {
		t.Fatalf("after placing: %q, want the new case's number", number)
	}
	c, err := f.store.(casework.Store).Case(context.Background(), casework.Actor{Role: "system"}, number)
	if err != nil {
		t.Fatal(err)
	}
	if c.Location.GridCode != gridA || c.Source != casework.SourceOpen311 || c.Location.Point == nil {
		t.Errorf("the case %s: grid %s source %s point %v: want grid A from Open311 at the tapped point", number, c.Location.GridCode, c.Source, c.Location.Point)
	}
	if n := b.text(`[data-total]`); n != "0" {
		t.Errorf("%s requests still held, want 0", n)
	}
	b.do("open the case", chromedp.Click(chromedp.CSS(`[data-case-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-page="case"][data-number="`+number+`"]`)))
}
