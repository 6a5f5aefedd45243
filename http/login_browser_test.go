package http

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/wangge/wangge/totp"
)

// TestBrowserTurnsOnTOTPAndResetsAPassword drives the account pages in a
// real browser, on a phone's screen: the administrator turns on one-time
// codes, logs out and in again with a code, and resets a colleague's
// password. Every page must fit the phone's width (no sideways scrolling)
// and work under the CSP, which blocks inline scripts and styles.
func TestBrowserTurnsOnTOTPAndResetsAPassword(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	now := testNow
	ts := httptest.NewServer(f.clockServer(t, &now).Handler())
	t.Cleanup(ts.Close)

	do, text := browserPage{t, ctx}.do, browserPage{t, ctx}.text
	// submit clicks a button and waits for the page it leads to.
	submit := func(button, waitFor string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
			t.Fatalf("click %s: %v", button, err)
		}
		do("wait for "+waitFor, chromedp.WaitVisible(chromedp.CSS(waitFor)))
	}
	// fits checks that the page needs no sideways scrolling.
	shots := os.Getenv("WANGGE_SCREENSHOT_DIR")
	fits := func(name string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s: the page is wider than the phone's screen", name)
		}
		if shots != "" {
			png, err := chromedp.Run(ctx, fullPage())
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(shots, name+"-phone.png")
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot %s", path)
		}
	}
	login := func(otp string) {
		t.Helper()
		do("open the login form", chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), "admin"), chromedp.SendKeys(chromedp.ID("password"), password))
		if otp != "" {
			do("type the code", chromedp.SendKeys(chromedp.ID("otp"), otp))
		}
	}

	do("phone", chromedp.Emulate(device.IPhone12))
	login("")
	fits("login-otp")
	submit(`form.form button[type="submit"]`, `section[data-code="`+district+`"]`)

	do("go to the account page", chromedp.Click(chromedp.CSS(`a.nav-link[href="/account/password"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-page="account-password"]`)))
	fits("account-password")
	do("go to the TOTP page", chromedp.Click(chromedp.CSS(`.account-totp a.button`)), chromedp.WaitVisible(chromedp.CSS(`[data-page="account-totp"]`)))
	submit(`form input[value="start"] ~ button`, `[data-secret]`)
	fits("account-totp-setup")
	secret, err := totp.Decode(text(`[data-secret] code`))
	if err != nil {
		t.Fatal(err)
	}
	do("type the code", chromedp.SendKeys(chromedp.ID("otp"), totp.Code(secret, now)))
	submit(`form input[value="confirm"] ~ button`, `[data-done="enabled"]`)
	if got := text(`[data-totp]`); got != "已开启" {
		t.Errorf("TOTP state %q, want 已开启", got)
	}

	// Out, and in again with the password and a fresh code.
	submit(`form.logout button`, `#username`)
	now = now.Add(totp.Period)
	login(totp.Code(secret, now))
	submit(`form.form button[type="submit"]`, `section[data-code="`+district+`"]`)

	// Reset a colleague's password.
	do("go to the accounts", chromedp.Click(chromedp.CSS(`a.nav-link[href="/admin/users"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-page="admin-users"]`)))
	fits("admin-users")
	submit(`tr[data-user="dongyuan"] form button`, `[data-temporary-password]`)
	fits("user-reset")
	if temp := text(`[data-temporary-password]`); len(temp) != 14 {
		t.Errorf("temporary password %q", temp)
	}
}
