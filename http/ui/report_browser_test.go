package ui

import (
	"context"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/sqldb"
)

// TestBrowserResidentReportsAndFollows: on a 360 px phone, with no
// account, a resident taps a problem type's picture, answers its
// question, types what is wrong, adds a photo (previewed), taps the place
// on the map and sends; nothing is open nearby, so the report goes in and
// the tracking page says "received" with the number. Another resident
// reporting the same problem a few metres away is offered the first
// report before sending, says "me too" and lands on its tracking page.
// Staff then handle and close the case through the case pages on the
// same phone — community A's staff dispatch, the city management
// department accepts and handles, the community verifies, tells the
// reporter and closes —, and the first
// resident's tracking page shows the outcome and takes the rating.
func TestBrowserResidentReportsAndFollows(t *testing.T) {
	ctx := newBrowser(t)
	f, h, clk := intakeServer(t)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	photo := filepath.Join(t.TempDir(), "IMG_0815.JPG")
	if err := os.WriteFile(photo, jpegWithEXIF(t, "GPS 36.15N 113.12E"), 0o600); err != nil {
		t.Fatal(err)
	}
	fits := func(what string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !ok {
			t.Errorf("%s: wider than a 360 px phone (%v)", what, err)
		}
	}
	// shoot takes the pictures (which reloads the page on other screens)
	// and comes back to the phone, the page loaded again as it was.
	shoot := func(name, ready string) {
		t.Helper()
		b.shoot(name)
		b.do("back to the phone", chromedp.Emulate(phone360), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(ready)))
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}

	// The first resident reports.
	b.do("open the form on a phone", chromedp.Emulate(phone360), chromedp.Navigate(ts.URL+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-map[data-ready="1"]`)))
	fits("the form")
	small, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.min(...Array.from(document.querySelectorAll(".report-tile, .report-call, .report-send")).map(e => e.getBoundingClientRect().height))`))
	if err != nil || small < 44 {
		t.Errorf("a target is %.0f px high (%v), want at least 44", small, err)
	}
	shoot("report-form", `#report-map[data-ready="1"]`)
	b.do("choose the problem, answer its question, say what is wrong, add a photo",
		chromedp.Click(chromedp.CSS(`label[data-tile="P02"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-attrs-for="P02"] select`)),
		chromedp.SetValue(chromedp.CSS(`[data-attrs-for="P02"] select`), firstAttrValue(t, "P02")),
		chromedp.SendKeys(chromedp.ID("description"), "小区门口路灯不亮，晚上很黑"),
		chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`[data-previews] img`)))
	tap(b, "report-map", 113.12, 36.15)
	b.do("the tap is the place", chromedp.WaitVisible(chromedp.CSS(`[data-place-said][data-grid-found="`+gridA+`"]`)))
	fits("the form filled in")
	chosen, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[+document.querySelector("[data-lng]").value, +document.querySelector("[data-lat]").value]`))
	if err != nil || len(chosen) != 2 || math.Abs(chosen[0]-113.12) > 0.002 || math.Abs(chosen[1]-36.15) > 0.002 {
		t.Fatalf("the tap chose %v (%v), want about 113.12, 36.15", chosen, err)
	}
	clk.Add(10 * time.Second) // a person takes a while to fill the form
	b.do("send", chromedp.Click(chromedp.CSS(`button[data-submit="report"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-page="track"] [data-just="received"]`)))
	number := eval(`document.querySelector('[data-page="track"]').dataset.number`)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	token := u.Query().Get("t")
	if u.Path != "/track/"+number || token == "" {
		t.Fatalf("after sending the resident is at %q", loc)
	}
	if got := b.text(`[data-field="number"]`); got != number {
		t.Errorf("the page shows number %q, want %q", got, number)
	}
	fits("the tracking page")
	shoot("track-received", `[data-just="received"]`)
	a := actorOf(t, f, "dongyuan")
	c, err := caseStore(f).Case(context.Background(), a, number)
	if err != nil {
		t.Fatal(err)
	}
	if c.Location.GridCode != gridA || c.Location.Point == nil || math.Abs(c.Location.Point.Lng-chosen[0]) > 1e-6 || math.Abs(c.Location.Point.Lat-chosen[1]) > 1e-6 {
		t.Errorf("the case is at %+v, want the tapped point in grid A", c.Location)
	}
	if !strings.Contains(c.Description, "小区门口路灯不亮") {
		t.Errorf("the case's description: %q", c.Description)
	}
	if ats, err := caseStore(f).CaseAttachments(context.Background(), a, number); err != nil || len(ats) != 1 {
		t.Errorf("the photo: %+v (%v)", ats, err)
	}

	// Another resident, a few metres away, finds it and says "me too".
	b.do("a second resident opens the form", chromedp.Navigate(ts.URL+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-map[data-ready="1"]`)),
		chromedp.Click(chromedp.CSS(`label[data-tile="P02"]`)),
		chromedp.SendKeys(chromedp.ID("description"), "路灯坏了"))
	tap(b, "report-map", 113.1201, 36.1501)
	b.do("the tap is the place", chromedp.WaitVisible(chromedp.CSS(`[data-place-said][data-grid-found="`+gridA+`"]`)))
	clk.Add(10 * time.Second)
	b.do("send, and be offered the report nearby", chromedp.Click(chromedp.CSS(`button[data-submit="report"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-nearby-box] [data-me-too="`+number+`"]`)))
	fits("the reports nearby")
	b.do("me too", chromedp.SendKeys(chromedp.CSS(`[data-follow-phone]`), "13900003333"),
		chromedp.Click(chromedp.CSS(`[data-me-too="`+number+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-page="track"][data-number="`+number+`"] [data-just="followed"]`)))
	if got := b.text(`[data-field="followers"]`); got != "1" {
		t.Errorf("followers %q, want 1", got)
	}

	// Staff handle and close it through the case pages, on the same phone;
	// the first resident then rates it.
	page := ts.URL + "/cases/" + number
	act := func(username, action string, fill func(form string), then string) {
		t.Helper()
		logInBrowser(b, ts, username)
		b.do(username+" opens the case", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`section[data-page="case"]`)))
		form := `details[data-action="` + action + `"]`
		b.do(username+" opens "+action, chromedp.Click(chromedp.CSS(form+" > summary")), chromedp.WaitVisible(chromedp.CSS(form+" form")))
		if fill != nil {
			fill(form)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(form+` button[data-submit="`+action+`"]`))); err != nil {
			t.Fatalf("%s %s: %v", username, action, err)
		}
		b.do(username+" "+action+": wait for "+then, chromedp.WaitVisible(chromedp.CSS(`section[data-page="case"]`+then)))
	}
	note := func(text string) func(string) {
		return func(form string) {
			b.do("type the note", chromedp.SendKeys(chromedp.CSS(form+" textarea[name=note]"), text))
		}
	}
	act("dongyuan", "dispatch", func(form string) {
		b.do("send it to city management", chromedp.SetValue(chromedp.CSS(form+" select[name=line]"), string(wangge.LineCity)))
	}, `[data-state="dispatched"]`)
	act("chengguan", "accept", nil, `[data-state="in_progress"]`)
	act("chengguan", "handle", note("已更换路灯灯泡"), `[data-state="handled"]`)
	act("dongyuan", "verify", note("现场核查路灯已亮"), `[data-state="verified"]`)
	act("dongyuan", "feedback", func(form string) {
		b.do("tell the reporter through the resident page", chromedp.SetValue(chromedp.CSS(form+" select[name=channel]"), string(casework.ChannelApp)),
			chromedp.SendKeys(chromedp.CSS(form+" textarea[name=note]"), "已更换路灯灯泡，感谢您的反映"))
	}, `[data-state="verified"]`)
	act("dongyuan", "close", nil, `[data-state="closed"]`)
	// The second resident left a phone: the outbox holds "received" from
	// their "me too", then the case's dispatch and close (the first left
	// none, so nothing for them).
	msgs, err := f.store.(*sqldb.DB).ClaimMessages(context.Background(), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, m := range msgs {
		if m.Case == number {
			told = append(told, m.To+" "+string(m.Kind))
		}
	}
	if want := []string{"13900003333 received", "13900003333 dispatched", "13900003333 closed"}; !slices.Equal(told, want) {
		t.Errorf("the outbox for %s holds %v, want %v", number, told, want)
	}
	b.do("the staff log out of this phone", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
		return chromedp.Void{}, err
	})
	b.do("the first resident looks again", chromedp.Navigate(ts.URL+"/track/"+number+"?t="+url.QueryEscape(token)),
		chromedp.WaitVisible(chromedp.CSS(`[data-outcome]`)))
	if got := b.text(`[data-outcome]`); !strings.Contains(got, "已更换路灯灯泡") {
		t.Errorf("the outcome: %q", got)
	}
	if got := eval(`document.querySelector('[data-page="track"]').dataset.status`); got != "closed" {
		t.Errorf("status %q, want closed", got)
	}
	shoot("track-closed", `[data-outcome]`)
	b.do("yes, solved, satisfied",
		chromedp.Click(chromedp.CSS(`label.track-choice:has(input[name=solved][value=yes]) span`)),
		chromedp.Click(chromedp.CSS(`label.track-choice:has(input[name=satisfaction][value=satisfied]) span`)),
		chromedp.Click(chromedp.CSS(`button[data-submit="rate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-just="rated"]`)))
	if got := eval(`document.querySelector('[data-rated]') ? document.querySelector('[data-rated]').dataset.rated : ""`); got != "yes" {
		t.Errorf("the page after rating says %q, want yes", got)
	}
	fits("the rated page")
}

// firstAttrValue is the key of the first value of the category's first
// attribute.
func firstAttrValue(t *testing.T, code string) string {
	t.Helper()
	c := problem(code)
	if len(c.Attributes) == 0 || len(c.Attributes[0].Values) == 0 {
		t.Fatalf("%s has no list attribute", code)
	}
	return c.Attributes[0].Values[0].Key
}
