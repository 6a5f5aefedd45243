package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
)

// TestBrowserLedgerChangesConfirmWithOneTapOnAPhone opens the proposals at
// 360 px as community staff: nothing is wider than the screen, the confirm
// button is a big target, one tap on it writes the phone to the ledger
// and the page says so; a refusal opens its reason field and sends it.
func TestBrowserLedgerChangesConfirmWithOneTapOnAPhone(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	persons, _, err := f.store.ListPersons(context.Background(), wangge.ScopeAll(), wangge.PersonFilter{HouseholdID: f.householdA1.ID})
	if err != nil || len(persons) == 0 {
		t.Fatal("no persons", err)
	}
	ids := f.proposeOnVisit(t,
		wangge.LedgerChange{Kind: wangge.LedgerPhone, PersonID: &persons[0].ID, Detail: "13800004321"},
		wangge.LedgerChange{Kind: wangge.LedgerBirth, Name: "新生儿"})
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")
	b.do("open the proposals on a phone", chromedp.Emulate(phone360), chromedp.Navigate(ts.URL+"/ledger-changes"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-change="%d"] [data-action="confirm"]`, ids[0]))))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](pageOverflow))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("the proposals at 360 px: %v", got)
	}
	h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(
		`document.querySelector('[data-change="%d"] [data-action="confirm"]').getBoundingClientRect().height`, ids[0])))
	if err != nil {
		t.Fatal(err)
	}
	if h < 40 {
		t.Errorf("the confirm button is %.0f px high, too small a target", h)
	}
	b.shoot("ledger-changes-phone")
	b.do("confirm with one tap", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-change="%d"] [data-action="confirm"]`, ids[0]))),
		chromedp.WaitVisible(chromedp.CSS(`[data-decided="applied"]`)))
	b.do("refuse the birth", chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-change="%d"] summary`, ids[1]))),
		chromedp.SendKeys(chromedp.ID(fmt.Sprintf("reason-%d", ids[1])), "登记有误"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-change="%d"] [data-action="refuse"]`, ids[1]))),
		chromedp.WaitVisible(chromedp.CSS(`[data-decided="refused"]`)))
	if n := b.text(`[data-total]`); n != "0" {
		t.Errorf("%s proposals still waiting, want 0", n)
	}
}
