package ui

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge/casework"
)

// liveWithin is how soon a change must show on an open page.
const liveWithin = 2 * time.Second

// waitLive waits up to liveWithin for sel to be visible.
func waitLive(b browserPage, what, sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, liveWithin)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("%s: %s not on the page within %s: %v", what, sel, liveWithin, err)
	}
}

// shootAsIs saves the page as it is, when $WANGGE_SCREENSHOT_DIR is set:
// unlike shoot it reloads nothing, which would lose the live banner.
func shootAsIs(b browserPage, name string) {
	b.t.Helper()
	dir := os.Getenv("WANGGE_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, fullPage())
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestBrowserEmergencyAppearsLiveAndEscalates: community staff have the
// list of cases waiting on them open (its #case-board is what the live
// script refreshes, as on the board); an emergency reported meanwhile
// shows there within two seconds with the alert banner, without a
// reload; nobody acknowledges it, the clock passes ten minutes, the sweep
// runs, and the page shows it escalated to the sub-district — the header's
// count following along.
func TestBrowserEmergencyAppearsLiveAndEscalates(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	db := caseDB(t, f)
	move := movableClock(db)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")

	for _, d := range []struct {
		name string
		dev  chromedp.Device
	}{{"phone", phone360}, {"desktop", desktop}} {
		b.do("open the notifications on "+d.name, chromedp.Emulate(d.dev), chromedp.Navigate(ts.URL+"/notifications"),
			chromedp.WaitVisible(chromedp.CSS(`#case-board [data-notify-empty]`)),
			chromedp.WaitReady(chromedp.CSS(`#live-alerts[data-live-state="open"]`)))
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.wanggeNoReload = true`)); err != nil {
			t.Fatal(err)
		}

		em := openCase(t, f, "dongyuan", gridA, casework.Emergency, "P06")
		row := `#case-board [data-case="` + em.Number + `"]`
		waitLive(b, d.name+": the new emergency", row+`[data-level="3"][data-awaited="acknowledge"]`)
		banner := `#live-alerts [role="alert"][data-alert-case="` + em.Number + `"]`
		waitLive(b, d.name+": the alert", banner+`[data-alert-kind="emergency"]`)
		if got := b.text(banner); !strings.Contains(got, em.Number) || !strings.Contains(got, "火灾险情") {
			t.Errorf("%s: the banner reads %q", d.name, got)
		}
		if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+banner+` a').getAttribute("href")`)); err != nil || href != "/cases/"+em.Number {
			t.Errorf("%s: the banner links to %q (%v)", d.name, href, err)
		}
		waitLive(b, d.name+": the count", `[data-notify-count][data-count="1"]`)
		shootAsIs(b, "case-live-"+d.name)

		// Nobody acknowledges: ten minutes later the sweep sends it up.
		move(10*time.Minute + time.Second)
		if n, err := db.EscalateDue(context.Background(), 0); err != nil || n != 1 {
			t.Fatalf("%s: the sweep escalated %d (%v), want the emergency", d.name, n, err)
		}
		waitLive(b, d.name+": the escalation", row+`[data-level="2"]`)
		waitLive(b, d.name+": the escalation's alert", banner+`[data-alert-kind="escalated"][data-alert-level="2"]`)
		if got := b.text(row + ` [data-level-name]`); got != "街道" {
			t.Errorf("%s: the row's level reads %q", d.name, got)
		}
		if got := b.text(banner); !strings.Contains(got, "街道") {
			t.Errorf("%s: the escalation's banner reads %q", d.name, got)
		}
		kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.wanggeNoReload === true`))
		if err != nil || !kept {
			t.Errorf("%s: the page was reloaded (%v)", d.name, err)
		}
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("%s: the page is wider than the window (%v)", d.name, err)
		}
		// Taken on: it leaves the list (the next round starts empty).
		c, err := db.Case(context.Background(), actorOf(t, f, "dongyuan"), em.Number)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []casework.Action{{Name: casework.ActAcknowledge}, {Name: casework.ActHandle, Note: "done"},
			{Name: casework.ActFeedback, NoContact: true}, {Name: casework.ActClose}} {
			if c, _, err = db.ApplyCase(context.Background(), actorOf(t, f, "dongyuan"), casework.Transition{Number: c.Number, Version: c.Version, Action: a}); err != nil {
				t.Fatalf("%s: %s: %v", d.name, a.Name, err)
			}
		}
		waitLive(b, d.name+": the closed case leaves the list", `#case-board [data-notify-empty]`)
	}
}
