package ui

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserIDNumberSearchLeavesNoNumberInTheAddress: typing an ID
// number into the residents' ledger's search, as people copy it from a
// spreadsheet (with spaces), finds the household, and the address the
// browser shows and keeps in its history holds a search token, not the
// number; sorting the result keeps the search.
func TestBrowserIDNumberSearchLeavesNoNumberInTheAddress(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")
	id := f.ids[0]
	b.do("open the residents' ledger", chromedp.Navigate(ts.URL+"/ledgers/residents"),
		chromedp.WaitVisible(chromedp.CSS(`section[data-ledger="residents"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), id[:6]+" "+id[6:14]+" "+id[14:]))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.ledger-filters button[type="submit"]`)))
	if err != nil || resp.Status != 200 {
		t.Fatalf("search: %v %v", resp, err)
	}
	check := func(what string) {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(loc, id[6:14]) || !strings.Contains(loc, "qt=") {
			t.Errorf("%s: the address is %s", what, loc)
		}
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tr[data-household]").length`))
		if err != nil || rows != 1 {
			t.Errorf("%s: %d households, want 1 (%v)", what, rows, err)
		}
	}
	check("after the search")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`th[data-sort="persons"] a`))); err != nil {
		t.Fatal(err)
	}
	check("after sorting")
}
