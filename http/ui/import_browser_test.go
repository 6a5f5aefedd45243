package ui

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/ledger"
)

// TestBrowserImportFixRejectsAndCommit walks an import as staff do: upload
// a file with an error, read the per-row report, download the rejected
// rows, commit the valid one, fix the download, upload it, commit, and
// find the household with both persons on its page.
func TestBrowserImportFixRejectsAndCommit(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	ts := httptest.NewServer(f.server(t).Handler())
	t.Cleanup(ts.Close)
	b := browserPage{t, ctx}
	logInBrowser(b, ts, "dongyuan")
	dir := t.TempDir()

	head := string(ident.MakeID("149901", time.Date(1988, 9, 9, 0, 0, 0, 0, time.UTC), 51, ident.SexMale))
	spouse := string(ident.MakeID("149901", time.Date(1989, 10, 10, 0, 0, 0, 0, time.UTC), 52, ident.SexFemale))
	wrong := spouse[:10] + "1332" + spouse[14:] // 13 月 32 日: no such birth date
	file := filepath.Join(dir, "居民导入.xlsx")
	code := f.buildingA1.Code()
	writeXLSX(t, file, [][]any{
		{"楼院编码", "单元", "房号", "户类型", "姓名", "公民身份号码", "与户主关系", "是否党员", "联系电话"},
		{code, "1", "104", "户籍", "浏览甲", head, "户主", "是", "13800000021"},
		{code, "1", "104", "", "浏览乙", wrong, "配偶", "否", ""},
	})

	upload := func(path string) {
		t.Helper()
		b.do("upload "+filepath.Base(path), chromedp.Navigate(ts.URL+"/import"), chromedp.WaitVisible(chromedp.CSS(`form[data-import-form]`)),
			chromedp.SetValue(chromedp.ID("kind"), "persons"),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
			chromedp.Click(chromedp.CSS(`form[data-import-form] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`section.import-job[data-state="checked"]`)))
	}
	count := func(name string) string { return b.text(fmt.Sprintf(`.import-counts [data-count="%s"] dd`, name)) }

	upload(file)
	if count("added") != "1" || count("rejected") != "1" {
		t.Fatalf("dry run: added %s, rejected %s", count("added"), count("rejected"))
	}
	msg := b.text(`tr[data-line="3"][data-status="rejected"] .import-error`)
	if !strings.Contains(msg, "公民身份号码") || !strings.Contains(msg, "出生日期") {
		t.Errorf("row 3's error: %q", msg)
	}
	b.shoot("import-report")

	// Download the rejected rows, as the browser does.
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	b.do("download the rejected rows", chromedp.Click(chromedp.CSS(`a[data-rejects]`)))
	got := waitDownload(t, dir)

	b.do("commit the valid row", chromedp.Click(chromedp.CSS(`button[data-commit]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.import-job[data-state="committed"] [data-committed]`)))

	// Fix the rejected row in the downloaded file and upload that.
	data, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ledger.ReadBook(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := r.Rows(r.Sheets[0])
	if len(rows) != 2 || rows[0][len(rows[0])-1] != "错误原因" || rows[1][5] != wrong {
		t.Fatalf("downloaded rejects: %q", rows)
	}
	rows[1][5] = spouse
	fixed := filepath.Join(dir, "改正后.xlsx")
	cells := make([][]any, len(rows))
	for i, row := range rows {
		for _, c := range row {
			cells[i] = append(cells[i], c)
		}
	}
	writeXLSX(t, fixed, cells)
	upload(fixed)
	if count("added") != "1" || count("rejected") != "0" {
		t.Fatalf("fixed file: added %s, rejected %s", count("added"), count("rejected"))
	}
	b.do("commit", chromedp.Click(chromedp.CSS(`button[data-commit]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.import-job[data-state="committed"] [data-committed]`)))

	// The household, with both persons, in the residents' ledger.
	ps, n, err := f.store.ListPersons(t.Context(), wangge.ScopeAll(), wangge.PersonFilter{IDNumber: spouse})
	if err != nil || n != 1 {
		t.Fatalf("the fixed person: %d %v", n, err)
	}
	row := fmt.Sprintf(`tr[data-household="%d"]`, ps[0].HouseholdID)
	b.do("find the household in the residents' ledger", chromedp.Navigate(ts.URL+"/ledgers/residents?q="+url.QueryEscape("浏览甲")),
		chromedp.WaitVisible(chromedp.CSS(row)))
	if got := b.text(row); !strings.Contains(got, "104") {
		t.Errorf("the ledger's row reads %q", got)
	}
	b.do("open the household", chromedp.Click(chromedp.CSS(row+" a")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	page := b.text("main")
	for _, want := range []string{"浏览甲", "浏览乙", "104"} {
		if !strings.Contains(page, want) {
			t.Errorf("household page lacks %q", want)
		}
	}
	if strings.Contains(page, head) || strings.Contains(page, spouse) {
		t.Error("the household page shows a full ID number")
	}
}

// waitDownload waits for a finished download in dir (for a minute at most:
// long enough for a busy machine).
func waitDownload(t *testing.T, dir string) string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		es, _ := os.ReadDir(dir)
		for _, e := range es {
			n := e.Name()
			if strings.HasSuffix(n, ".xlsx") && strings.Contains(n, "未导入") {
				return filepath.Join(dir, n)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no download")
	return ""
}

// writeXLSX writes rows into the first sheet of a new xlsx file.
func writeXLSX(t *testing.T, path string, rows [][]any) {
	t.Helper()
	wb := ledger.NewWorkbook()
	defer wb.Close()
	sh, err := wb.Sheet("Sheet1", nil, ledger.SheetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := sh.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wb.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
