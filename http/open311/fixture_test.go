package open311

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/http/open311/internal/schemacheck"
	"github.com/wangge/wangge/sqldb"
)

// suite is one test's server over a real store with a key for a client.
type suite struct {
	t     *testing.T
	f     *webtest.Fixture
	db    *sqldb.DB
	srv   *whttp.Server
	h     http.Handler
	key   string
	keyID int64
}

// newSuite fills a fresh SQLite store with webtest's district and
// serves Open311 over it, composed as cmd/wangge composes it.
func newSuite(t *testing.T) *suite {
	t.Helper()
	f := webtest.NewFixture(t)
	return suiteOver(t, f)
}

func suiteOver(t *testing.T, f *webtest.Fixture) *suite {
	t.Helper()
	db := f.Store.(*sqldb.DB)
	db.SetClock(func() time.Time { return webtest.Now })
	key, k, err := db.AddAPIKey(context.Background(), "fixmystreet")
	if err != nil {
		t.Fatal(err)
	}
	srv := whttp.NewServer(f.Store, whttp.Options{Logger: webtest.Logger(t), Now: func() time.Time { return webtest.Now }}, Routes)
	return &suite{t: t, f: f, db: db, srv: srv, h: srv.Handler(), key: key, keyID: k.ID}
}

// do sends a request and returns the answer; a form goes in the body of
// a POST and in the query of anything else.
func (s *suite) do(method, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	var r *http.Request
	if method == http.MethodPost && form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		if form != nil {
			path += "?" + form.Encode()
		}
		r = httptest.NewRequest(method, path, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// schemas are the project's own GeoReport v2 schemas (testdata/schema),
// and, when WANGGE_OPEN311_SCHEMAS names a directory, those files too:
// the specification's published schemas, checked by hand (make test does
// not depend on a directory outside the repository).
var schemas = func() struct{ own, spec *schemacheck.Set } {
	var out struct{ own, spec *schemacheck.Set }
	own, err := schemacheck.Load("testdata/schema")
	if err != nil {
		panic(err)
	}
	out.own = own
	if dir := os.Getenv("WANGGE_OPEN311_SCHEMAS"); dir != "" {
		if out.spec, err = schemacheck.Load(dir); err != nil {
			panic(err)
		}
	}
	return out
}()

// specSchemas map the project's schemas to the published ones (the
// answers to POST requests and tokens are the swagger file's definitions,
// as lists); an answer with none there is checked against the project's.
var specSchemas = map[string]any{
	"services.json":           "services.json",
	"service-definition.json": "service-definition.json",
	"requests.json":           "requests.json",
	"request-created.json":    schemacheck.Array("swagger.json#/definitions/RequestResponse"),
	"token.json":              schemacheck.Array("swagger.json#/definitions/TokenResponse"),
}

// roots are the XML root elements of each answer, as the spec names them.
var roots = map[string]string{
	"services.json":           "services",
	"service-definition.json": "service_definition",
	"requests.json":           "service_requests",
	"request-created.json":    "service_requests",
	"token.json":              "service_requests",
	"errors.json":             "errors",
	"discovery.json":          "discovery",
	"updates.json":            "service_request_updates",
	"update-created.json":     "service_request_updates",
}

// specChecked counts the answers checked against the published schemas,
// reported by TestMain's caller under -v.
var specChecked int

// valid checks an answer's status, content type and body against the
// schema, in the format the request's path named, and returns the body
// as the tree JSON gives (XML read by the same schema).
func (s *suite) valid(t testing.TB, w *httptest.ResponseRecorder, path string, status int, schema string) any {
	t.Helper()
	if w.Code != status {
		t.Fatalf("%s: status %d, want %d\n%s", path, w.Code, status, w.Body)
	}
	body := w.Body.Bytes()
	xmlPath := strings.Contains(strings.SplitN(path, "?", 2)[0], ".xml")
	ctype := w.Header().Get("Content-Type")
	if xmlPath {
		if ctype != "text/xml; charset=utf-8" || !strings.HasPrefix(string(body), `<?xml version="1.0" encoding="UTF-8"?>`) {
			t.Errorf("%s: content type %q, body starts %.40q", path, ctype, body)
		}
		root, err := schemas.own.CheckXML(schema, body)
		if err != nil {
			t.Errorf("%s: against %s: %v\n%s", path, schema, err, body)
		}
		if root != roots[schema] {
			t.Errorf("%s: root element %q, want %q", path, root, roots[schema])
		}
		if spec, ok := specSchemas[schema]; ok && schemas.spec != nil {
			specChecked++
			if _, err := schemas.spec.CheckXML(spec, body); err != nil {
				t.Errorf("%s: against the published %v: %v\n%s", path, spec, err, body)
			}
		}
		el, _ := schemacheck.ParseXML(body)
		return el
	}
	if ctype != "application/json; charset=utf-8" {
		t.Errorf("%s: content type %q", path, ctype)
	}
	if err := schemas.own.CheckJSON(schema, body); err != nil {
		t.Errorf("%s: against %s: %v\n%s", path, schema, err, body)
	}
	if spec, ok := specSchemas[schema]; ok && schemas.spec != nil {
		specChecked++
		if err := schemas.spec.CheckJSON(spec, body); err != nil {
			t.Errorf("%s: against the published %v: %v\n%s", path, spec, err, body)
		}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// both runs fn for the JSON and the XML form of a path ("{f}" stands for
// the extension).
func both(t *testing.T, fn func(t *testing.T, ext string)) {
	for _, ext := range []string{"json", "xml"} {
		t.Run(ext, func(t *testing.T) { fn(t, ext) })
	}
}

// ext fills {f} in a path with the extension.
func ext(path, e string) string { return strings.ReplaceAll(path, "{f}", e) }

// auditOf lists the audit entries of an action, newest first.
func (s *suite) auditOf(action string) []wangge.AuditEntry {
	s.t.Helper()
	es, _, err := s.db.ListAudit(context.Background(), wangge.AuditFilter{Action: action, Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	if err != nil {
		s.t.Fatal(err)
	}
	return es
}

// TestMain reports how many answers were also checked against the
// published schemas, when WANGGE_OPEN311_SCHEMAS named them.
func TestMain(m *testing.M) {
	code := m.Run()
	if schemas.spec != nil {
		fmt.Printf("open311: %d answers also checked against the schemas in %s\n", specChecked, os.Getenv("WANGGE_OPEN311_SCHEMAS"))
	}
	os.Exit(code)
}
