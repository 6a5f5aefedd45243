package http

import "github.com/chromedp/chromedp"

// The kiosk and its tests live in http/ui; this helper of theirs stays
// while a test of this package (the map's tap on the kiosk) uses it.

// expectKioskGridA waits for the kiosk page of grid A and checks that it
// names the grid, its assistant and her work phone.
func expectKioskGridA(b browserPage) {
	b.t.Helper()
	b.do("wait for the grid", chromedp.WaitVisible(chromedp.CSS("[data-assistant]")))
	for sel, want := range map[string]string{"main h1": "东苑第一网格", ".kiosk-name": "周敏", ".kiosk-phone": "0355-2021001"} {
		if got := b.text(sel); got != want {
			b.t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
}
