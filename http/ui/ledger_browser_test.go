package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserResidentsLedgerFiltersSortsAndOpensAHousehold: in a real
// browser a district administrator opens the residents' ledger, narrows it
// down to grid A a level at a time with the area filter, sorts it by
// persons (and back), follows the first household to its file, and prints
// the ledger: on paper the navigation, the filters and the buttons are gone
// and the table's header row repeats on every page.
func TestBrowserResidentsLedgerFiltersSortsAndOpensAHousehold(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "admin")

	rows := func() []string {
		t.Helper()
		ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("tr[data-household]"), function (r) { return r.dataset.household; })`))
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// submit follows the form's button and waits for the page it loads.
	submit := func(sel string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		if err != nil || resp.Status != 200 {
			t.Fatalf("click %s: %v %v", sel, resp, err)
		}
	}

	b.do("open the residents' ledger", chromedp.Navigate(ts.URL+"/ledgers"), chromedp.WaitVisible(chromedp.CSS(`[data-ledger="residents"] a`)))
	submit(`[data-ledger="residents"] a`)
	b.do("wait for the ledger", chromedp.WaitVisible(chromedp.CSS(`section[data-ledger="residents"][data-area="`+district+`"]`)))
	if got := rows(); len(got) != 4 {
		t.Fatalf("district: %d households, want 4", len(got))
	}
	b.shoot("ledger-residents")

	// Down a level at a time: sub-district, community, grid.
	for _, code := range []string{subdistrict, communityA, gridA} {
		b.do("choose "+code, chromedp.SetValue(chromedp.CSS(`select[name="area"]`), code))
		submit(`form.ledger-filters button[type="submit"]`)
		b.do("wait for "+code, chromedp.WaitVisible(chromedp.CSS(`section[data-ledger="residents"][data-area="`+code+`"]`)))
	}
	want := []string{fmt.Sprint(f.householdA1.ID), fmt.Sprint(f.householdA2.ID), fmt.Sprint(f.householdA3.ID)}
	if got := rows(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("grid A: households %v, want %v", got, want)
	}
	if got := b.text(`[data-count="total"]`); got != "3" {
		t.Errorf("grid A: count %q", got)
	}

	// Sort by persons: fewest first, then the heading again for most first.
	submit(`th[data-sort="persons"] a`)
	b.do("sorted by persons", chromedp.WaitVisible(chromedp.CSS(`th[data-sort="persons"][aria-sort="ascending"]`)))
	if got := rows(); got[len(got)-1] != want[0] {
		t.Errorf("fewest persons first: %v, want household A1 last", got)
	}
	submit(`th[data-sort="persons"] a`)
	b.do("sorted by persons, most first", chromedp.WaitVisible(chromedp.CSS(`th[data-sort="persons"][aria-sort="descending"]`)))
	if got := rows(); got[0] != want[0] {
		t.Errorf("most persons first: %v, want household A1 first", got)
	}
	// The sort survives a new filter (the form carries it).
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`form.ledger-filters select[name="sort"]`))); err != nil || v != "-persons" {
		t.Errorf("the filter form's sort: %q %v", v, err)
	}
	ledgerURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	// Print: the list alone.
	b.do("print media", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return chromedp.Void{}, err
	})
	type look struct {
		Top, Crumbs, Filters, Actions, PrintOnly, Head string
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[look](`(function () {
		var d = function (s) { var e = document.querySelector(s); return e ? getComputedStyle(e).display : "absent"; };
		return {Top: d("header.top"), Crumbs: d("nav.crumbs"), Filters: d("form.ledger-filters"), Actions: d(".ledger-actions"),
			PrintOnly: d(".ledger .print-only"), Head: d(".ledger-table thead")};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Top != "none" || got.Crumbs != "none" || got.Filters != "none" || got.Actions != "none" || got.PrintOnly != "block" || got.Head != "table-header-group" {
		t.Errorf("printed: %+v, want navigation, filters and buttons hidden, the print line shown, the header row repeated", got)
	}
	b.do("screen media", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return chromedp.Void{}, err
	})
	if d, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header.top")).display`)); err != nil || d == "none" {
		t.Errorf("on screen the header is %q (%v)", d, err)
	}

	// Follow the household to its file (一户一档).
	submit(`tr[data-household="` + want[0] + `"] th a`)
	b.do("wait for the household", chromedp.WaitVisible(chromedp.CSS("table.persons")))
	if got := b.text("main h1"); got != "东苑1号楼 1单元101室" {
		t.Errorf("household heading %q", got)
	}
	if got := b.text(`tr[data-person] [data-derived="elderly"]`); got != "老年人" {
		t.Errorf("the head's derived attribute %q", got)
	}
	b.shoot("ledger-household")
	if !strings.Contains(ledgerURL, "area="+gridA) || !strings.Contains(ledgerURL, "sort=-persons") {
		t.Errorf("the ledger's address %q does not keep its filters", ledgerURL)
	}
}
