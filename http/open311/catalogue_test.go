package open311

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wangge/wangge/casework"
)

// TestDiscoveryNamesTheEndpoint: discovery names GeoReport v2 at this
// server's /open311/v2 with both formats, and how to get a key.
func TestDiscoveryNamesTheEndpoint(t *testing.T) {
	s := newSuite(t)
	both(t, func(t *testing.T, e string) {
		path := ext("/open311/v2/discovery.{f}", e)
		w := s.do("GET", path, nil)
		s.valid(t, w, path, 200, "discovery.json")
		for _, want := range []string{"http://wiki.open311.org/GeoReport_v2", "http://example.com/open311/v2", "text/xml", "application/json", "wangge apikey add"} {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("discovery lacks %q:\n%s", want, w.Body)
			}
		}
	})
}

// TestServicesListEveryReportableCategory: services lists the problem
// types and the active services, each realtime, grouped by business line,
// in Chinese unless the client prefers English.
func TestServicesListEveryReportableCategory(t *testing.T) {
	s := newSuite(t)
	services, err := s.db.ListServices(t.Context(), "", true)
	if err != nil {
		t.Fatal(err)
	}
	cats := casework.Categories(services)
	both(t, func(t *testing.T, e string) {
		path := ext("/open311/v2/services.{f}", e)
		w := s.do("GET", path, nil)
		s.valid(t, w, path, 200, "services.json")
		body := w.Body.String()
		for _, c := range cats {
			if !strings.Contains(body, c.Code) || !strings.Contains(body, c.Name) {
				t.Errorf("services lacks %s %s", c.Code, c.Name)
			}
		}
		if n := strings.Count(body, "realtime"); n != len(cats) {
			t.Errorf("%d services are realtime, want all %d", n, len(cats))
		}
		if !strings.Contains(body, "城市管理") {
			t.Error("no group names the city-management line")
		}
		en := s.do("GET", path, nil, "Accept-Language", "en-GB,en;q=0.9,zh;q=0.5")
		s.valid(t, en, path, 200, "services.json")
		if !strings.Contains(en.Body.String(), "Damaged facilities") || !strings.Contains(en.Body.String(), "City management") {
			t.Errorf("English services lack English names:\n%.600s", en.Body)
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Access-Control-Allow-Origin %q, want * (public data)", got)
		}
		if w.Header().Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed across origins")
		}
	})
}

// TestServiceDefinitionOfEveryCategory: every listed service has a
// definition; an unknown code is 404.
func TestServiceDefinitionOfEveryCategory(t *testing.T) {
	s := newSuite(t)
	services, err := s.db.ListServices(t.Context(), "", true)
	if err != nil {
		t.Fatal(err)
	}
	both(t, func(t *testing.T, e string) {
		for _, c := range casework.Categories(services) {
			path := ext("/open311/v2/services/"+c.Code+".{f}", e)
			w := s.do("GET", path, nil)
			s.valid(t, w, path, 200, "service-definition.json")
			if !strings.Contains(w.Body.String(), c.Code) {
				t.Errorf("%s: the definition does not name its code", path)
			}
		}
		path := ext("/open311/v2/services/X99.{f}", e)
		s.valid(t, s.do("GET", path, nil), path, 404, "errors.json")
	})
}

// TestErrorsAreTheSpecsArrayInBothFormats: whatever goes wrong under
// /open311/v2 — an unknown path, a bad extension, a wrong method, no key,
// a bad key, another jurisdiction, a cross-site POST, the rate limit — the
// answer is the spec's error array in the path's format with the status,
// never a page.
func TestErrorsAreTheSpecsArrayInBothFormats(t *testing.T) {
	s := newSuite(t)
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
		header             []string
		status             int
		allow              string
		says               string
	}{
		{name: "an unknown resource", method: "GET", path: "/open311/v2/nothing.{f}", status: 404, says: "没有这个资源"},
		{name: "a path too deep", method: "GET", path: "/open311/v2/services/P01/more.{f}", status: 404},
		{name: "outside v2", method: "GET", path: "/open311/v3/services.{f}", status: 404},
		{name: "a wrong method", method: "DELETE", path: "/open311/v2/services.{f}", status: 405, allow: "GET"},
		{name: "POST to a read", method: "POST", path: "/open311/v2/discovery.{f}", form: url.Values{"api_key": {"x"}}, status: 405, allow: "GET"},
		{name: "PUT to requests", method: "PUT", path: "/open311/v2/requests.{f}", status: 405, allow: "GET, POST"},
		{name: "no key", method: "POST", path: "/open311/v2/requests.{f}", form: url.Values{"service_code": {"P01"}}, status: 403, says: "api_key"},
		{name: "a bad key", method: "POST", path: "/open311/v2/requests.{f}", form: url.Values{"api_key": {"wg_00000000_" + strings.Repeat("A", 43)}, "service_code": {"P01"}}, status: 403, says: "无效"},
		{name: "a bad key on a read", method: "GET", path: "/open311/v2/services.{f}", form: url.Values{"api_key": {"nonsense"}}, status: 403},
		{name: "another jurisdiction", method: "GET", path: "/open311/v2/services.{f}", form: url.Values{"jurisdiction_id": {"110101"}}, status: 404, says: "jurisdiction"},
		{name: "in English", method: "GET", path: "/open311/v2/nothing.{f}", header: []string{"Accept-Language", "en"}, status: 404, says: "No such resource"},
		{name: "a cross-site POST", method: "POST", path: "/open311/v2/requests.{f}", form: url.Values{"service_code": {"P01"}},
			header: []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, status: 403},
	} {
		both(t, func(t *testing.T, e string) {
			path := ext(tc.path, e)
			form := tc.form
			if tc.name == "a cross-site POST" {
				form = url.Values{"api_key": {s.key}, "service_code": {"P01"}}
			}
			w := s.do(tc.method, path, form, tc.header...)
			s.valid(t, w, path, tc.status, "errors.json")
			if tc.allow != "" && w.Header().Get("Allow") != tc.allow {
				t.Errorf("%s: Allow %q, want %q", tc.name, w.Header().Get("Allow"), tc.allow)
			}
			if !strings.Contains(w.Body.String(), tc.says) {
				t.Errorf("%s: the description does not say %q:\n%s", tc.name, tc.says, w.Body)
			}
			if strings.Contains(w.Body.String(), "<html") || strings.Contains(w.Body.String(), `"error":{`) {
				t.Errorf("%s: a page or the JSON API's error object:\n%s", tc.name, w.Body)
			}
		})
	}
	t.Run("a bad extension", func(t *testing.T) {
		for _, path := range []string{"/open311/v2/services.html", "/open311/v2/services", "/open311/v2/services/P01.yaml"} {
			w := s.do("GET", path, nil)
			s.valid(t, w, path+".json", 404, "errors.json")
		}
	})
	t.Run("the right jurisdiction", func(t *testing.T) {
		path := "/open311/v2/services.json?jurisdiction_id=140499"
		s.valid(t, s.do("GET", path, nil), path, 200, "services.json")
	})
	t.Run("a preflight", func(t *testing.T) {
		w := s.do("OPTIONS", "/open311/v2/requests.json", nil, "Origin", "https://app.example", "Access-Control-Request-Method", "GET")
		if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "*" || w.Header().Get("Access-Control-Allow-Methods") != "GET" {
			t.Errorf("preflight: %d %v", w.Code, w.Header())
		}
	})
}

// TestRateLimitPerKey: a key's reads beyond its hourly figure are 429 in
// the spec's form; another key, and the anonymous address, count apart.
func TestRateLimitPerKey(t *testing.T) {
	both(t, func(t *testing.T, e string) {
		s := newSuite(t)
		if _, err := s.db.Writer().Exec(`UPDATE api_keys SET per_hour = 3`); err != nil {
			t.Fatal(err)
		}
		other, _, err := s.db.AddAPIKey(t.Context(), "other")
		if err != nil {
			t.Fatal(err)
		}
		path := ext("/open311/v2/services.{f}", e)
		for i := range 3 {
			if w := s.do("GET", path, url.Values{"api_key": {s.key}}); w.Code != 200 {
				t.Fatalf("request %d: %d", i+1, w.Code)
			}
		}
		w := s.do("GET", path, url.Values{"api_key": {s.key}})
		s.valid(t, w, path, http.StatusTooManyRequests, "errors.json")
		if !strings.Contains(w.Body.String(), "3") {
			t.Errorf("the refusal does not say the limit:\n%s", w.Body)
		}
		s.valid(t, s.do("GET", path, url.Values{"api_key": {other}}), path, 200, "services.json")
		s.valid(t, s.do("GET", path, nil), path, 200, "services.json")
	})
}

// TestKeyedRequestsAreAuditedWithTheKeysName: each request with a key is
// one audit entry under the key's name with its method, path and status,
// the query (which may carry a phone) left out.
func TestKeyedRequestsAreAuditedWithTheKeysName(t *testing.T) {
	s := newSuite(t)
	s.do("GET", "/open311/v2/services.json", url.Values{"api_key": {s.key}, "phone": {"13800001234"}})
	s.do("GET", "/open311/v2/services/X99.xml", url.Values{"api_key": {s.key}})
	s.do("GET", "/open311/v2/services.json", nil)
	es := s.auditOf("open311.request")
	if len(es) != 2 {
		t.Fatalf("%d entries, want 2 (one per keyed request)", len(es))
	}
	for i, want := range []string{`"status":404`, `"status":200`} {
		e := es[i]
		if e.Username != "apikey:fixmystreet" || !strings.Contains(e.Detail, want) || !strings.Contains(e.Detail, `"method":"GET"`) || strings.Contains(e.Detail, "138") {
			t.Errorf("entry %d: %s %s", i, e.Username, e.Detail)
		}
	}
}
