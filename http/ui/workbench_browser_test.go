package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// The workbench in the browser, on a phone: the service worker, the pages
// with no signal, and the queue.

// emulateNetworkConditions is Network.emulateNetworkConditions, which
// this cdproto no longer names (it has only the by-rule form, which this
// Chromium refuses with empty patterns) but Chromium still serves.
var emulateNetworkConditions = cdp.Command[emulateNetworkConditionsParams, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type emulateNetworkConditionsParams struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

// setOffline cuts the tab off the network or puts it back: every request
// of the page and of its service worker fails, and navigator.onLine says
// so (the "online" event fires on the way back).
func setOffline(offline bool) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := cdp.Call(ctx, t, emulateNetworkConditions, emulateNetworkConditionsParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			return chromedp.Void{}, fmt.Errorf("emulate network conditions: %w", err)
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return chromedp.Void{}, err
	}
}

// offline cuts the tab and the service worker off the network, or puts
// them back: emulation is per target, and the worker's fetches are its own
// target's, so the worker is cut off too or a page would still come from
// the server.
func offline(b browserPage, on bool) {
	b.t.Helper()
	b.do("offline "+fmt.Sprint(on), setOffline(on))
	targets, err := chromedp.Targets(b.ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, ti := range targets {
		if ti.Type != "service_worker" {
			continue
		}
		sw, ok := workers[ti.TargetID]
		if !ok {
			// Not cancelled: cancelling would close the worker's target.
			sw, _ = chromedp.NewContext(b.ctx, chromedp.WithTargetID(ti.TargetID))
			workers[ti.TargetID] = sw
		}
		if err := chromedp.Do(sw, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, emulateNetworkConditions, emulateNetworkConditionsParams{Offline: on, DownloadThroughput: -1, UploadThroughput: -1})
			return chromedp.Void{}, err
		}); err != nil {
			b.t.Fatalf("offline %v in the worker: %v", on, err)
		}
	}
}

// waitFor waits until the script's value is true.
func waitFor(b browserPage, what, expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// workers are the contexts attached to service worker targets.
var workers = map[target.ID]context.Context{}

// workbenchLoginAs logs username (an assistant) in on a phone; the login
// lands on the workbench, whose service worker is then in control.
func workbenchLoginAs(b browserPage, base, username string) {
	b.t.Helper()
	b.do("log in", chromedp.Emulate(device.IPhone12),
		chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#wb[data-page="workbench"]`)))
	waitController(b)
}

// waitController waits until the service worker controls the page (the
// first visit loads the page before the worker exists: reload once).
func waitController(b browserPage) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		b.t.Fatalf("wait for the worker: %v", err)
	}
	for range 2 {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!navigator.serviceWorker.controller`)); err == nil && ok {
			return
		}
		b.do("reload under the worker", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#wb`)))
	}
	b.t.Fatal("the service worker never controls the workbench")
}

// TestBrowserWorkbenchOpensOffline: after one visit with a signal, the
// workbench and the visit form open with none — reloaded, and in a new
// tab after the first was closed (a restart) — from the worker's cache,
// and the header says the phone is offline.
func TestBrowserWorkbenchOpensOffline(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	addWorkbenchUser(t, f)
	s := newWBServer(t, f)
	b := browserPage{t, ctx}
	workbenchLoginAs(b, s.url(), wbUser)
	waitFor(b, "the grid's data", `document.getElementById("wb").dataset.ready === "fresh"`)

	s.offline(b, true)
	b.do("reload offline", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#wb[data-ready="cached"]`)))
	waitFor(b, "the header says offline", `document.querySelector("[data-wb-net]").dataset.online === "0"`)
	if got := b.text(`[data-wb-net]`); got != "离线" {
		t.Errorf("offline, the header says %q", got)
	}
	b.do("open the visit form offline", chromedp.Navigate(fmt.Sprintf("%s/workbench/visit?household=%d", s.url(), f.householdA1.ID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-wb-form]`)))
	if got := b.text(`[data-wb-place]`); got != "东苑1号楼 101" {
		t.Errorf("offline, the visit form is of %q", got)
	}

	// A restart: the tab closes, a new one opens offline.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	b.do("close the first tab", chromedp.Navigate("about:blank"))
	nb := browserPage{t, tab}
	s.offline(nb, false)
	// The new tab is cut off once it shows the site (a blank tab's
	// emulation does not follow it to another site's process).
	nb.do("open a new tab", chromedp.Emulate(device.IPhone12), chromedp.Navigate(s.url()+"/healthz"))
	s.offline(nb, true)
	nb.do("open the workbench in the new tab offline", chromedp.Navigate(s.url()+"/workbench"), chromedp.WaitVisible(chromedp.CSS(`#wb[data-ready="cached"]`)))
	waitFor(nb, "the new tab's header says offline", `document.querySelector("[data-wb-net]").dataset.online === "0"`)
	s.report()
}
