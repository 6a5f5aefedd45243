package open311

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/http/open311/internal/schemacheck"
)

// Grid A (东苑第一网格) lies west of 113.15, grid B east of it.
const (
	inA  = "113.12"
	inB  = "113.18"
	lat  = "36.15"
	away = "120.00" // in no grid
)

// Synthetic personal data a resident writes into a description.
const (
	writtenID    = "110101199003071234"
	writtenPhone = "13812345678"
)

// outlines draws the fixture's grids, so the locate index places points.
func (s *suite) outlines() *suite {
	s.t.Helper()
	rect := func(x0, x1 float64) string {
		return `{"type":"Polygon","coordinates":[[[` + ff(x0) + `,36.1],[` + ff(x1) + `,36.1],[` + ff(x1) + `,36.2],[` + ff(x0) + `,36.2],[` + ff(x0) + `,36.1]]]}`
	}
	for g, r := range map[string]string{webtest.GridA: rect(113.10, 113.15), webtest.GridB: rect(113.15, 113.20)} {
		if _, err := s.db.SetBoundary(context.Background(), g, r, time.Time{}); err != nil {
			s.t.Fatal(err)
		}
	}
	return s
}

// post sends POST requests with the suite's key and returns the answer.
func (s *suite) post(t *testing.T, e string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	f := url.Values{"api_key": {s.key}}
	for k, v := range form {
		f[k] = v
	}
	return s.do("POST", "/open311/v2/requests."+e, f, header...)
}

// created posts a request that must be made and returns its id.
func (s *suite) created(t *testing.T, e string, form url.Values) string {
	t.Helper()
	w := s.post(t, e, form)
	v := s.valid(t, w, "/open311/v2/requests."+e, 200, "request-created.json")
	id := firstField(v, "service_request_id")
	if id == "" {
		t.Fatalf("no service_request_id:\n%s", w.Body)
	}
	return id
}

// firstField reads a field of the first entry of a list answer: the
// JSON tree, or the XML root element.
func firstField(v any, name string) string {
	switch v := v.(type) {
	case []any:
		if len(v) > 0 {
			if m, ok := v[0].(map[string]any); ok {
				s, _ := m[name].(string)
				return s
			}
		}
	case *schemacheck.Element:
		if len(v.Children) > 0 {
			for _, ch := range v.Children[0].Children {
				if ch.Name == name {
					return ch.Text
				}
			}
		}
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

func ff(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// allPublic selects every public case.
func allPublic() casework.PublicFilter { return casework.PublicFilter{} }

// TestPostRequestByLatLongThenReadIt: a request placed by lat/long is a
// case in that grid, answered with its id (no token); requests/{id} is a
// list of one with the status, the times in Beijing's offset, the
// deadline, the agency, the point, and the description with the ID
// number and the phone masked.
func TestPostRequestByLatLongThenReadIt(t *testing.T) {
	s := newSuite(t).outlines()
	both(t, func(t *testing.T, e string) {
		id := s.created(t, e, url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA},
			"description": {"垃圾堆在门口三天了，联系我 " + writtenPhone + "，身份证 " + writtenID},
			"first_name":  {"Wei"}, "last_name": {"Zhang"}, "email": {"zw@example.org"}, "phone": {"13900001111"},
			"media_url": {"https://fms.example.org/photo/1.jpeg"}, "device_id": {"abc"}, "account_id": {"77"}})
		p, err := s.db.PublicCase(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if p.GridCode != webtest.GridA || p.Status != "open" {
			t.Errorf("the case: grid %s status %s", p.GridCode, p.Status)
		}
		path := "/open311/v2/requests/" + id + "." + e
		w := s.do("GET", path, nil)
		s.valid(t, w, path, 200, "requests.json")
		body := w.Body.String()
		for _, want := range []string{id, "P01", "环境卫生", "+08:00", "113.12", "36.15", "https://fms.example.org/photo/1.jpeg", "open", "区城市管理局"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q:\n%s", path, want, body)
			}
		}
		for _, never := range []string{writtenPhone, writtenID, "13900001111", "zw@example.org", "Zhang"} {
			if strings.Contains(body, never) {
				t.Errorf("%s shows %q:\n%s", path, never, body)
			}
		}
		if !strings.Contains(body, "expected_datetime") || strings.Contains(body, `"expected_datetime":null`) || strings.Contains(body, "<expected_datetime/>") {
			t.Errorf("no expected_datetime from the running deadline:\n%s", body)
		}
	})
}

// TestPostRequestRefusals: each bad request is the spec's 400 (403 for the
// key) naming the parameter, in both formats, and makes no case.
func TestPostRequestRefusals(t *testing.T) {
	s := newSuite(t).outlines()
	long := strings.Repeat("很", descriptionMax+1)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"no service_code", url.Values{"lat": {lat}, "long": {inA}}, 400, "service_code"},
		{"an unknown service_code", url.Values{"service_code": {"P77"}, "lat": {lat}, "long": {inA}}, 400, "service_code"},
		{"no location", url.Values{"service_code": {"P01"}}, 400, "lat"},
		{"lat without long", url.Values{"service_code": {"P01"}, "lat": {lat}}, 400, "lat"},
		{"lat not a number", url.Values{"service_code": {"P01"}, "lat": {"north"}, "long": {inA}}, 400, "lat"},
		{"outside every grid", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {away}}, 400, "lat"},
		{"a required attribute missing", url.Values{"service_code": {"P11"}, "lat": {lat}, "long": {inA}}, 400, "attribute[utility]"},
		{"an attribute value not listed", url.Values{"service_code": {"P11"}, "lat": {lat}, "long": {inA}, "attribute[utility]": {"steam"}}, 400, "attribute[utility]"},
		{"an attribute the service has not", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "attribute[colour]": {"red"}}, 400, "attribute[colour]"},
		{"a malformed attribute", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "attribute[x]y": {"1"}}, 400, "attribute[x]y"},
		{"media_url not http", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "media_url": {"file:///etc/passwd"}}, 400, "media_url"},
		{"a description too long", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "description": {long}}, 400, "description"},
		{"a bad phone", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "phone": {"12"}}, 400, "phone"},
		{"a bad email", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "email": {"nobody"}}, 400, "email"},
	} {
		both(t, func(t *testing.T, e string) {
			w := s.post(t, e, tc.form)
			s.valid(t, w, "/open311/v2/requests."+e, tc.status, "errors.json")
			if !strings.Contains(w.Body.String(), tc.says) {
				t.Errorf("%s: does not name %q:\n%s", tc.name, tc.says, w.Body)
			}
		})
	}
	if cs, err := s.db.PublicCases(t.Context(), allPublic()); err != nil || len(cs) != 0 {
		t.Errorf("refused requests made %d cases (%v)", len(cs), err)
	}
}

// TestPostRequestWithAttributesAndPhotos: a multipart request with a
// listed attribute and a photo is made, the attribute's answer a line of
// the description; a fourth photo is refused.
func TestPostRequestWithAttributesAndPhotos(t *testing.T) {
	s := newSuite(t).outlines()
	both(t, func(t *testing.T, e string) {
		w := s.multipart(t, "/open311/v2/requests."+e, url.Values{"api_key": {s.key}, "service_code": {"P11"}, "lat": {lat}, "long": {inB},
			"attribute[utility]": {"water"}, "description": {"楼道漏水"}}, 1)
		v := s.valid(t, w, "/open311/v2/requests."+e, 200, "request-created.json")
		id := firstField(v, "service_request_id")
		p, err := s.db.PublicCase(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Description, "供水") || p.GridCode != webtest.GridB {
			t.Errorf("the case: %q in %s", p.Description, p.GridCode)
		}
		w = s.multipart(t, "/open311/v2/requests."+e, url.Values{"api_key": {s.key}, "service_code": {"P01"}, "lat": {lat}, "long": {inB}}, 4)
		s.valid(t, w, "/open311/v2/requests."+e, 400, "errors.json")
	})
	both(t, func(t *testing.T, e string) {
		path := "/open311/v2/services/P11." + e
		w := s.do("GET", path, nil)
		s.valid(t, w, path, 200, "service-definition.json")
		for _, want := range []string{"utility", "singlevaluelist", "water", "供水"} {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("P11's definition lacks %q:\n%s", want, w.Body)
			}
		}
		path = "/open311/v2/services." + e
		w = s.do("GET", path, nil)
		for _, c := range casework.ProblemTypes {
			if len(c.Attributes) == 0 {
				continue
			}
			if !metadataOf(t, w.Body.String(), c.Code) {
				t.Errorf("%s has attributes, and metadata is not true", c.Code)
			}
		}
		if metadataOf(t, w.Body.String(), "P01") {
			t.Error("P01 has no attributes, and metadata is true")
		}
	})
}

// metadataOf reads a service's metadata flag from a services answer.
func metadataOf(t *testing.T, body, code string) bool {
	t.Helper()
	i := strings.Index(body, code)
	if i < 0 {
		t.Fatalf("no service %s", code)
	}
	rest := body[i:]
	if j := strings.Index(rest, "etadata"); j >= 0 {
		return strings.HasPrefix(rest[j+len("etadata"):], `":true`) || strings.HasPrefix(rest[j+len("etadata"):], `>true`)
	}
	return false
}

// multipart posts a form with n small PNG photos as photo1 … photoN.
func (s *suite) multipart(t *testing.T, path string, form url.Values, n int) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		fw, err := mw.CreateFormFile("photo"+itoa(i), "p.png")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(img.Bytes())
	}
	mw.Close()
	r := httptest.NewRequest("POST", path, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// TestPostRequestByAddress: an address_string that names exactly one
// building places the request there, with the building's address; one
// that names several or none is held with a token when the store holds
// requests, and refused asking for lat/long otherwise.
func TestPostRequestByAddress(t *testing.T) {
	s := newSuite(t)
	both(t, func(t *testing.T, e string) {
		id := s.created(t, e, url.Values{"service_code": {"P02"}, "address_string": {"东苑2号楼"}, "attribute[facility]": {"streetlight"}})
		p, err := s.db.PublicCase(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if p.GridCode != webtest.GridA || !strings.Contains(p.Address, "东苑2号楼") {
			t.Errorf("placed in %s at %q", p.GridCode, p.Address)
		}
		w := s.post(t, e, url.Values{"service_code": {"P02"}, "address_string": {"东苑"}, "description": {"路灯坏了"}})
		if s.srvHolds() {
			v := s.valid(t, w, "/open311/v2/requests."+e, 200, "request-created.json")
			tok := firstField(v, "token")
			path := "/open311/v2/tokens/" + tok + "." + e
			s.valid(t, s.do("GET", path, nil), path, 200, "token.json")
		} else {
			s.valid(t, w, "/open311/v2/requests."+e, 400, "errors.json")
			if !strings.Contains(w.Body.String(), "address_string") {
				t.Errorf("the refusal does not name address_string:\n%s", w.Body)
			}
		}
		path := "/open311/v2/tokens/nonsense." + e
		s.valid(t, s.do("GET", path, nil), path, 404, "errors.json")
	})
}

// srvHolds reports whether the server holds requests it cannot place.
func (s *suite) srvHolds() bool { return newHolder != nil }

// The case actors who take a case through to its close.
var (
	staffA = casework.Actor{UserID: 2, Name: "东苑社区工作人员", Role: wangge.RoleCommunityStaff, ScopeCode: webtest.CommunityA}
	city   = casework.Actor{UserID: 90, Name: "城管", Role: wangge.RoleDepartment, ScopeCode: webtest.District, Line: wangge.LineCity}
)

// step applies an action to a case as a, at the version it has now.
func (s *suite) step(t *testing.T, a casework.Actor, number string, act casework.Action) {
	t.Helper()
	c, err := s.db.Case(context.Background(), staffA, number)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.db.ApplyCase(context.Background(), a, casework.Transition{Number: number, Version: c.Version, Action: act}); err != nil {
		t.Fatalf("%s %s: %v", a.Name, act.Name, err)
	}
}

// closeCase dispatches a case to city management, which handles it; the
// community verifies, tells the reporter and closes it.
func (s *suite) closeCase(t *testing.T, number, said string) {
	t.Helper()
	s.step(t, staffA, number, casework.Action{Name: casework.ActDispatch, Receiver: &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "区城市管理局"}})
	s.step(t, city, number, casework.Action{Name: casework.ActAccept})
	s.step(t, city, number, casework.Action{Name: casework.ActHandle, Note: "内部单号 7781，已清运"})
	s.step(t, staffA, number, casework.Action{Name: casework.ActVerify})
	s.step(t, staffA, number, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelSMS, Note: said})
	s.step(t, staffA, number, casework.Action{Name: casework.ActClose})
}
