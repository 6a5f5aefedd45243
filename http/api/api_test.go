package api

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge/http/internal/apitest"
)

// The API's contract tests read the raw JSON into maps, never into the
// structs that wrote it, so renaming a key fails them.

// TestLocateContractRaw: the locate answer's keys, read raw, and the 404 of
// a point outside every grid.
func TestLocateContractRaw(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.SetBoundary(context.Background(), gridA, rect(113.10, 36.10, 113.15, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	w, m := apitest.RawJSON(t, h, "GET", "/api/v1/locate?lng=113.12&lat=36.15", "")
	if w.Code != 200 {
		t.Fatalf("locate: %d %v", w.Code, m)
	}
	want := map[string]string{"grid_code": gridA, "grid_name": "东苑第一网格", "community_code": communityA,
		"community_name": "东苑社区", "assistant_name": "周敏", "assistant_phone": "0355-2021001"}
	for k, v := range want {
		if got, ok := m[k].(string); !ok || got != v {
			t.Errorf("%s = %#v, want %q", k, m[k], v)
		}
	}
	if lng, ok := m["lng"].(float64); !ok || lng != 113.12 {
		t.Errorf("lng = %#v", m["lng"])
	}

	w, m = apitest.RawJSON(t, h, "GET", "/api/v1/locate?lng=114&lat=37", "")
	if code, details := apitest.ErrorShape(t, m); w.Code != 404 || code != "not_found" || len(details) != 0 {
		t.Errorf("outside every grid: %d %v", w.Code, m)
	}
}

// TestGridsGeoJSONContractRaw: a FeatureCollection whose features carry
// code, name and community_code, read raw.
func TestGridsGeoJSONContractRaw(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.SetBoundary(context.Background(), gridA, rect(113.10, 36.10, 113.15, 36.20), time.Time{}); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	w, m := apitest.RawJSON(t, h, "GET", "/api/v1/grids.geojson?community="+communityA, "")
	if w.Code != 200 || m["type"] != "FeatureCollection" {
		t.Fatalf("%d %v", w.Code, m)
	}
	fs, ok := m["features"].([]any)
	if !ok || len(fs) != 1 {
		t.Fatalf("features: %v", m["features"])
	}
	feat := fs[0].(map[string]any)
	if feat["type"] != "Feature" || apitest.Obj(t, feat, "geometry")["type"] != "Polygon" {
		t.Errorf("feature: %v", feat)
	}
	p := apitest.Obj(t, feat, "properties")
	if p["code"] != gridA || p["name"] != "东苑第一网格" || p["community_code"] != communityA {
		t.Errorf("properties: %v", p)
	}
}

// TestAPIErrorsAreJSON: every /api/v1 answer that is not a success has the
// error shape: bad input (400, naming the field in details), an unknown
// path (404), a known path with another method (405 with Allow).
func TestAPIErrorsAreJSON(t *testing.T) {
	f := newFixture(t)
	h := f.server(t).Handler()

	w, m := apitest.RawJSON(t, h, "GET", "/api/v1/locate?lng=abc&lat=36", "")
	code, details := apitest.ErrorShape(t, m)
	if w.Code != 400 || code != "invalid" || len(details) != 1 {
		t.Fatalf("bad lng: %d %v", w.Code, m)
	}
	d := details[0].(map[string]any)
	if d["field"] != "lng" || d["message"] == "" || d["zh"] == "" {
		t.Errorf("the field error's detail: %v", d)
	}
	w, m = apitest.RawJSON(t, h, "GET", "/api/v1/locate?lng=113&lat=36&crs=bd09", "")
	if _, details := apitest.ErrorShape(t, m); w.Code != 400 || len(details) != 1 || details[0].(map[string]any)["field"] != "crs" {
		t.Errorf("bad crs: %d %v", w.Code, m)
	}
	w, m = apitest.RawJSON(t, h, "GET", "/api/v1/grids.geojson?community=12", "")
	if _, details := apitest.ErrorShape(t, m); w.Code != 400 || len(details) != 1 || details[0].(map[string]any)["field"] != "community" {
		t.Errorf("bad community: %d %v", w.Code, m)
	}

	// Unknown paths under the API, whatever the client accepts.
	for _, path := range []string{"/api/v1/nothing-here", "/api/v1/", "/api/v2/locate", "/api/v1/locate/extra"} {
		w, m := apitest.RawJSON(t, h, "GET", path, "text/html")
		if code, _ := apitest.ErrorShape(t, m); w.Code != 404 || code != "not_found" {
			t.Errorf("GET %s: %d %v", path, w.Code, m)
		}
	}

	// Known paths, other methods.
	for _, tc := range []struct{ method, path string }{
		{"POST", "/api/v1/locate"}, {"DELETE", "/api/v1/grids.geojson"}, {"PUT", "/api/v1/openapi.json"},
	} {
		w, m := apitest.RawJSON(t, h, tc.method, tc.path, "")
		if code, _ := apitest.ErrorShape(t, m); w.Code != 405 || code != "method_not_allowed" {
			t.Errorf("%s %s: %d %v", tc.method, tc.path, w.Code, m)
		}
		if allow := w.Header().Get("Allow"); allow != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q, want \"GET, HEAD\"", tc.method, tc.path, allow)
		}
	}
	// HEAD is GET without the body, not a 405.
	if w, _ := apitest.RawJSON(t, h, "HEAD", "/api/v1/openapi.json", ""); w.Code != 200 {
		t.Errorf("HEAD openapi.json: %d", w.Code)
	}
}

// openAPIDoc fetches the served document as a map.
func openAPIDoc(t *testing.T, h http.Handler) map[string]any {
	t.Helper()
	w, m := apitest.RawJSON(t, h, "GET", "/api/v1/openapi.json", "")
	if w.Code != 200 {
		t.Fatalf("openapi.json: %d", w.Code)
	}
	return m
}

// openAPIPath turns a ServeMux path pattern into an OpenAPI path template:
// "{name...}" becomes "{name}", a trailing "{$}" goes.
func openAPIPath(pattern string) string {
	p := strings.TrimSuffix(pattern, "{$}")
	return strings.ReplaceAll(p, "...}", "}")
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIDescribesEveryAPIRoute walks the route table: every /api/v1
// route has its operation in the served document, public exactly when the
// route needs no permission, and every documented operation is a route.
func TestOpenAPIDescribesEveryAPIRoute(t *testing.T) {
	f := newFixture(t)
	s := f.server(t)
	doc := openAPIDoc(t, s.Handler())
	paths := apitest.Obj(t, doc, "paths")

	routes := map[string]bool{} // "get /api/v1/locate"
	for _, rt := range s.Routes() {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		path = openAPIPath(path)
		key := strings.ToLower(method) + " " + path
		routes[key] = true
		item, ok := paths[path].(map[string]any)
		if !ok {
			t.Errorf("route %q: no path %q in openapi.json", rt.Pattern, path)
			continue
		}
		op, ok := item[strings.ToLower(method)].(map[string]any)
		if !ok {
			t.Errorf("route %q: path %q has no %s operation", rt.Pattern, path, strings.ToLower(method))
			continue
		}
		sec, declared := op["security"].([]any)
		if public := rt.Perm == ""; public != (declared && len(sec) == 0) {
			t.Errorf("route %q: public %v, but the document's security is %v", rt.Pattern, public, op["security"])
		}
	}
	if len(routes) == 0 {
		t.Fatal("no /api/v1 routes in the route table")
	}
	for path, item := range paths {
		for method := range item.(map[string]any) {
			if !slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, method) {
				continue // parameters, summary: not operations
			}
			if !routes[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which is no route", method, path)
			}
		}
	}
}

// TestOpenAPIDocumentIsWellFormed checks the structure the tools reading it
// rely on: version 3.1, every operation with responses whose references
// resolve, every path parameter declared.
func TestOpenAPIDocumentIsWellFormed(t *testing.T) {
	f := newFixture(t)
	doc := openAPIDoc(t, f.server(t).Handler())
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info := apitest.Obj(t, doc, "info")
	if info["title"] == nil || info["version"] == nil {
		t.Errorf("info lacks title or version: %v", info)
	}
	components := apitest.Obj(t, doc, "components")
	schemas := apitest.Obj(t, components, "schemas")
	e := apitest.Obj(t, apitest.Obj(t, schemas, "Error"), "properties")
	if eo := apitest.Obj(t, apitest.Obj(t, e, "error"), "properties"); eo["code"] == nil || eo["message"] == nil || eo["details"] == nil {
		t.Errorf("the Error schema lacks code, message or details: %v", eo)
	}
	schemes := apitest.Obj(t, components, "securitySchemes")

	// Every $ref anywhere resolves inside the document.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if !resolves(doc, ref) {
					t.Errorf("$ref %q resolves to nothing", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)

	for path, item := range apitest.Obj(t, doc, "paths") {
		for method, o := range item.(map[string]any) {
			op := o.(map[string]any)
			resp, ok := op["responses"].(map[string]any)
			if !ok || len(resp) == 0 {
				t.Errorf("%s %s has no responses", method, path)
			}
			for status := range resp {
				if !regexp.MustCompile(`^[1-5][0-9][0-9]$`).MatchString(status) {
					t.Errorf("%s %s: response %q is not a status", method, path, status)
				}
			}
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				pm := p.(map[string]any)
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
				if pm["schema"] == nil {
					t.Errorf("%s %s: parameter %v has no schema", method, path, pm["name"])
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s is not declared", method, path, m[1])
				}
			}
			if sec, ok := op["security"].([]any); ok {
				for _, req := range sec {
					for name := range req.(map[string]any) {
						if schemes[name] == nil {
							t.Errorf("%s %s: security scheme %q is not defined", method, path, name)
						}
					}
				}
			}
		}
	}
}

// resolves tells whether a local reference "#/a/b" names something in doc.
func resolves(doc map[string]any, ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}
