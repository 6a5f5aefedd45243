package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
)

// TestBrowserBuildingHeadOpensHisBuilding logs in as the demo's building
// head, finds his building on his grid's page and opens it: the numbers of
// households and persons are the staff's, he is named its head, and no
// resident's name, room or phone shows.
func TestBrowserBuildingHeadOpensHisBuilding(t *testing.T) {
	ctx := newBrowser(t)
	store, accounts := demoDistrict(t, 0.02)
	head, staff := accounts["louyuanzhang"], accounts["shequ"]
	ts := httptest.NewServer(demoServer(t, store).Handler())
	t.Cleanup(ts.Close)

	// What the staff of the community see of the head's building.
	bg := context.Background()
	headUser, err := store.UserByUsername(bg, head.Username)
	if err != nil {
		t.Fatal(err)
	}
	staffUser, err := store.UserByUsername(bg, staff.Username)
	if err != nil {
		t.Fatal(err)
	}
	var mine *wangge.BuildingSummary
	bs, _, err := store.ListBuildings(bg, staffUser.Scope(), wangge.BuildingFilter{GridCode: head.ScopeCode, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range bs {
		if bs[i].HeadName == headUser.DisplayName {
			mine = &bs[i]
		}
	}
	if mine == nil {
		t.Fatalf("no building of grid %s has %s as its head", head.ScopeCode, headUser.DisplayName)
	}
	hs, households, err := store.ListHouseholds(bg, staffUser.Scope(), wangge.HouseholdFilter{BuildingID: mine.ID, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		t.Fatal(err)
	}
	persons := 0
	var names []string
	for _, h := range hs {
		persons += h.Persons
		if h.HeadName != "" {
			names = append(names, h.HeadName)
		}
	}
	if households == 0 || len(names) == 0 {
		t.Fatalf("the head's building %s has no households: nothing to check", mine.Name)
	}

	b := browserPage{t, ctx}
	b.do("log in as the building head",
		chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), head.Username),
		chromedp.SendKeys(chromedp.ID("password"), head.Password))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	b.do("open his grid", chromedp.Navigate(ts.URL+"/areas/"+head.ScopeCode),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-building="%d"] a`, mine.ID))))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-building="%d"] a`, mine.ID)))); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf(`section[data-id="%d"]`, mine.ID)
	b.do("wait for his building", chromedp.WaitVisible(chromedp.CSS(page)))
	if got := b.text(page + ` [data-count="households"] dd`); got != fmt.Sprint(households) || households != mine.Households {
		t.Errorf("households %s, the staff see %d (grid page %d)", got, households, mine.Households)
	}
	if got := b.text(page + ` [data-count="persons"] dd`); got != fmt.Sprint(persons) {
		t.Errorf("persons %s, the staff see %d", got, persons)
	}
	if got := b.text(".head-name"); got != headUser.DisplayName {
		t.Errorf("building head %q, want %q", got, headUser.DisplayName)
	}
	main, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name != headUser.DisplayName && strings.Contains(main, name) {
			t.Errorf("the building head's page shows the resident %s", name)
		}
	}
	if strings.Contains(main, "*") || strings.Contains(main, "室") {
		t.Errorf("the building head's page shows a masked number or a room:\n%s", main)
	}
	b.shoot("building-head")
}
