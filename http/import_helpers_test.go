package http

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge/ident"
)

// The import pages and their tests live in http/ui; these helpers of
// theirs stay while tests of this package (the audit log's) import
// through the pages, and go with those tests when they move.

// importCSV is a persons file for the fixture: a new household in 东苑1号楼
// with a valid person, and a row whose ID number has a wrong check digit.
func importCSV(f *fixture) (string, string) {
	good := string(ident.MakeID("149901", time.Date(1991, 4, 2, 0, 0, 0, 0, time.UTC), 41, ident.SexFemale))
	bad := string(ident.MakeID("149901", time.Date(1992, 5, 3, 0, 0, 0, 0, time.UTC), 42, ident.SexMale))
	bad = bad[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", bad[17])+1)%11])
	code := f.buildingA1.Code()
	return "楼院编码,单元,房号,姓名,身份证号,与户主关系,手机\n" +
		code + ",1,103,导入甲," + good + ",户主,13800000011\n" +
		code + ",1,103,导入乙," + bad + ",配偶,\n", good
}

// uploadFile posts a file to /import as the cookie's user.
func uploadFile(t *testing.T, h http.Handler, c *http.Cookie, kind, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	r := httptest.NewRequest("POST", "/import", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(c)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func importReq(h http.Handler, c *http.Cookie, method, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	if c != nil {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// waitImport polls the status until the import is no longer running. The
// deadline only stops an import that would never end: a busy machine may
// take its time.
func waitImport(t *testing.T, h http.Handler, c *http.Cookie, job string) string {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		w := importReq(h, c, "GET", job+"/status")
		var st struct{ State string }
		if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
			t.Fatalf("status: %v: %s", err, w.Body)
		}
		switch st.State {
		case "queued", "checking", "committing":
			time.Sleep(10 * time.Millisecond)
			continue
		}
		return st.State
	}
	t.Fatal("the import did not finish")
	return ""
}
