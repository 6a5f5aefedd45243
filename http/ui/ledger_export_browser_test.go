package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
)

// TestBrowserResidentsExportNeedsAReason: community staff open the
// residents' ledger and click export; the form says how many rows the
// file will hold; an empty reason is stopped by the browser, a reason of
// blanks by the server with its message; with a typed reason the file
// downloads, holds the reason and the rows in its notes, and the audit
// entry holds the reason.
func TestBrowserResidentsExportNeedsAReason(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}

	b.do("open the residents' ledger", chromedp.Navigate(ts.URL+"/ledgers/residents"),
		chromedp.WaitVisible(chromedp.CSS(`section[data-ledger="residents"] a[data-export="xlsx"]`)))
	b.do("click export", chromedp.Click(chromedp.CSS(`a[data-export="xlsx"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-page="ledger-export"] textarea#reason`)))
	if got := b.text(`[data-export-rows]`); !strings.Contains(got, "5 行") {
		t.Errorf("the form says %q, want the 5 persons of community A", got)
	}
	b.shoot("ledger-export-form")

	// No reason: the browser keeps the form from being sent.
	b.do("export without a reason", chromedp.Click(chromedp.CSS(`.export-form button[type="submit"]`)))
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("reason").validity.valueMissing && !!document.querySelector(".export-form")`))
	if err != nil || !missing {
		t.Errorf("an empty reason was not stopped: %v %v", missing, err)
	}
	// Blanks pass the browser's check; the server refuses them and says why.
	b.do("export with blanks", chromedp.SendKeys(chromedp.ID("reason"), "      "),
		chromedp.Click(chromedp.CSS(`.export-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-export-error]`)))
	if msg := b.text(`[data-export-error]`); !strings.Contains(msg, "导出原因") {
		t.Errorf("refusal message %q", msg)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Fatalf("a refused export downloaded %v", es)
	}

	const reason = "社区年度人口核查"
	b.do("export with a reason", chromedp.SendKeys(chromedp.ID("reason"), reason),
		chromedp.Click(chromedp.CSS(`.export-form button[type="submit"]`)))
	got := waitFile(t, dir, ".xlsx")
	if !strings.HasPrefix(filepath.Base(got), "居民台账-") {
		t.Errorf("downloaded %s", got)
	}
	data, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	book, err := ledger.ReadBook(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.Rows(ledger.Persons.Zh)
	notes, _ := book.Rows(ledger.ExportNoteSheet)
	var text strings.Builder
	for _, r := range notes {
		text.WriteString(strings.Join(r, " ") + "\n")
	}
	if len(rows) != 1+5 || !strings.Contains(text.String(), "导出原因："+reason) || !strings.Contains(text.String(), "行数：5") ||
		!strings.Contains(text.String(), "dongyuan") {
		t.Errorf("file: %d rows, notes %q", len(rows), text.String())
	}

	es, _, err := f.store.ListAudit(context.Background(), wangge.AuditFilter{Action: "ledger.export", Username: "dongyuan", Page: wangge.Page{Limit: 10}})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit entries %d, %v; want 1", len(es), err)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(es[0].Detail), &d); err != nil || d["reason"] != reason || d["rows"] != float64(5) || d["area"] != communityA {
		t.Errorf("audit entry %v (%v)", d, err)
	}
}

// waitFile waits for a finished download whose name ends in suffix.
func waitFile(t *testing.T, dir, suffix string) string {
	t.Helper()
	for i := 0; i < 200; i++ {
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			if strings.HasSuffix(e.Name(), suffix) {
				return filepath.Join(dir, e.Name())
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no download")
	return ""
}
