package open311

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/http/internal/webtest"
)

// cases are the requests the list tests read: two public ones (one open,
// one closed), one in a confidential category reported through Open311,
// one from an assistant's visit, and one public but 100 days old.
type cases struct{ open, closed, confidential, visit, old string }

const saidOnClose = "路灯已修好，如仍有问题请拨 13812345678"

func (s *suite) cases(t *testing.T) cases {
	t.Helper()
	var c cases
	c.open = s.created(t, "json", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "description": {"门口垃圾"}})
	c.closed = s.created(t, "json", url.Values{"service_code": {"P02"}, "lat": {lat}, "long": {inA}, "attribute[facility]": {"streetlight"}, "description": {"路灯不亮"}})
	s.closeCase(t, c.closed, saidOnClose)
	c.confidential = s.created(t, "json", url.Values{"service_code": {"P03"}, "lat": {lat}, "long": {inA}, "description": {"邻居吵架"}})
	cat := casework.ProblemTypes[0]
	v, err := s.db.CreateCase(context.Background(), staffA, casework.Draft{Source: casework.SourceVisit, Category: cat, Mechanism: casework.Coordination,
		Location: casework.Location{GridCode: webtest.GridA}, Description: "走访发现门口垃圾"}, "")
	if err != nil {
		t.Fatal(err)
	}
	c.visit = v.Number
	s.db.SetClock(func() time.Time { return webtest.Now.Add(-100 * 24 * time.Hour) })
	c.old = s.created(t, "json", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "description": {"旧的"}})
	s.db.SetClock(func() time.Time { return webtest.Now })
	return c
}

// ids lists the service_request_ids of a GET requests answer.
func ids(body string, all cases) []string {
	var out []string
	for _, n := range []string{all.open, all.closed, all.confidential, all.visit, all.old} {
		if strings.Contains(body, n) {
			out = append(out, n)
		}
	}
	return out
}

// TestGetRequestsShowsOnlyPublicRequestsByFilter: GET requests lists the
// public requests of the last 90 days, newest first, never a confidential
// category's nor a visit's; service_request_id overrides the rest;
// service_code, status and the dates filter; a range over 90 days, a
// date without an offset, an unknown status are refused.
func TestGetRequestsShowsOnlyPublicRequestsByFilter(t *testing.T) {
	s := newSuite(t).outlines()
	all := s.cases(t)
	both(t, func(t *testing.T, e string) {
		list := func(q url.Values, want ...string) string {
			t.Helper()
			path := "/open311/v2/requests." + e
			w := s.do("GET", path, q)
			s.valid(t, w, path+"?"+q.Encode(), 200, "requests.json")
			got := ids(w.Body.String(), all)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("?%s: %v, want %v", q.Encode(), got, want)
			}
			return w.Body.String()
		}
		// The closed one was reported after the open one: it comes first.
		if body := list(nil, all.open, all.closed); strings.Index(body, all.closed) > strings.Index(body, all.open) {
			t.Errorf("not newest first:\n%s", body)
		}
		list(url.Values{"service_request_id": {all.confidential + "," + all.open + "," + all.visit + "," + all.old}}, all.open, all.old)
		list(url.Values{"service_request_id": {all.closed}, "status": {"open"}}, all.closed)
		list(url.Values{"service_code": {"P02,P03"}}, all.closed)
		list(url.Values{"status": {"open"}}, all.open)
		list(url.Values{"status": {"closed"}}, all.closed)
		list(url.Values{"status": {"open,closed"}}, all.open, all.closed)
		old := webtest.Now.Add(-100 * 24 * time.Hour)
		list(url.Values{"start_date": {old.Add(-time.Hour).Format(time.RFC3339)}, "end_date": {old.Add(time.Hour).Format(time.RFC3339)}}, all.old)
		list(url.Values{"start_date": {webtest.Now.Add(-time.Hour).Format(time.RFC3339)}}, all.open, all.closed)
		list(url.Values{"end_date": {webtest.Now.Add(-time.Hour).Format(time.RFC3339)}})
		for _, q := range []url.Values{
			{"start_date": {old.Format(time.RFC3339)}, "end_date": {webtest.Now.Format(time.RFC3339)}},
			{"start_date": {"2026-03-01T10:00:00"}},
			{"end_date": {"yesterday"}},
			{"start_date": {webtest.Now.Format(time.RFC3339)}, "end_date": {webtest.Now.Add(-time.Hour).Format(time.RFC3339)}},
			{"status": {"pending"}},
		} {
			path := "/open311/v2/requests." + e
			s.valid(t, s.do("GET", path, q), path+"?"+q.Encode(), 400, "errors.json")
		}
		for _, n := range []string{all.confidential, all.visit, "2026-999999"} {
			path := "/open311/v2/requests/" + n + "." + e
			s.valid(t, s.do("GET", path, nil), path, 404, "errors.json")
		}
	})
}

// TestClosedRequestReadsAsClosedWithTheReply: a closed request is status
// closed, updated at its close, with the reply said to its reporter as
// the status notes, the phone in it masked, and no expected time.
func TestClosedRequestReadsAsClosedWithTheReply(t *testing.T) {
	s := newSuite(t).outlines()
	all := s.cases(t)
	p, err := s.db.PublicCase(t.Context(), all.closed)
	if err != nil {
		t.Fatal(err)
	}
	both(t, func(t *testing.T, e string) {
		path := "/open311/v2/requests/" + all.closed + "." + e
		w := s.do("GET", path, nil)
		s.valid(t, w, path, 200, "requests.json")
		body := w.Body.String()
		closedAt := p.ClosedAt.In(time.FixedZone("", 8*3600)).Format("2006-01-02T15:04:05+08:00")
		for _, want := range []string{"closed", closedAt, "路灯已修好", "设施：路灯"} {
			if !strings.Contains(body, want) {
				t.Errorf("lacks %q:\n%s", want, body)
			}
		}
		for _, never := range []string{"13812345678", "内部单号", "7781"} {
			if strings.Contains(body, never) {
				t.Errorf("shows %q:\n%s", never, body)
			}
		}
		if e == "json" && !strings.Contains(body, `"expected_datetime":null`) || e == "xml" && !strings.Contains(body, "<expected_datetime/>") {
			t.Errorf("a closed request has an expected time:\n%s", body)
		}
	})
}

// TestServiceRequestUpdates: GET servicerequestupdates lists the public
// requests' updates oldest first with the statuses FixMyStreet reads; a
// client's POST adds one (masked when shown) and answers its update_id;
// an update to a request that is not public, or without words, or
// without a key, is refused.
func TestServiceRequestUpdates(t *testing.T) {
	s := newSuite(t).outlines()
	all := s.cases(t)
	day := url.Values{"start_date": {webtest.Now.Add(-time.Hour).Format(time.RFC3339)}, "end_date": {webtest.Now.Format(time.RFC3339)}}
	both(t, func(t *testing.T, e string) {
		path := "/open311/v2/servicerequestupdates." + e
		w := s.do("GET", path, day)
		s.valid(t, w, path, 200, "updates.json")
		body := w.Body.String()
		for _, st := range []string{"OPEN", "ACTION_SCHEDULED", "IN_PROGRESS", "FIXED"} {
			if !strings.Contains(body, st) {
				t.Errorf("no update is %s:\n%s", st, body)
			}
		}
		if got := ids(body, all); strings.Join(got, " ") != all.open+" "+all.closed {
			t.Errorf("updates of %v, want only the public requests of the day", got)
		}
		if strings.Contains(body, "13812345678") || strings.Contains(body, "7781") {
			t.Errorf("an update shows a phone or an internal note:\n%s", body)
		}
		if w := s.do("GET", path, nil); !strings.Contains(w.Body.String(), all.open) {
			t.Errorf("the default range (the last day) lacks today's updates:\n%s", w.Body)
		}
		span := url.Values{"start_date": {webtest.Now.Add(-100 * 24 * time.Hour).Format(time.RFC3339)}, "end_date": {webtest.Now.Format(time.RFC3339)}}
		s.valid(t, s.do("GET", path, span), path, 400, "errors.json")

		post := func(form url.Values, status int, schema string) string {
			t.Helper()
			w := s.do("POST", path, form)
			s.valid(t, w, path, status, schema)
			return w.Body.String()
		}
		form := url.Values{"api_key": {s.key}, "service_request_id": {all.open}, "status": {"OPEN"}, "updated_datetime": {webtest.Now.Format(time.RFC3339)},
			"description": {"还没清理，电话 13812345678"}, "media_url": {"https://fms.example.org/u/1.jpeg"}, "first_name": {"Wei"}, "last_name": {"Zhang"},
			"email": {"zw@example.org"}, "update_id": {"991"}}
		created := post(form, 200, "update-created.json")
		if !strings.Contains(created, "update_id") {
			t.Fatalf("no update_id:\n%s", created)
		}
		w = s.do("GET", path, day)
		if body := w.Body.String(); !strings.Contains(body, "还没清理") || strings.Contains(body, "13812345678") || strings.Contains(body, "Zhang") || !strings.Contains(body, "https://fms.example.org/u/1.jpeg") {
			t.Errorf("the client's update as listed:\n%s", body)
		}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range form {
				f[kk] = vv
			}
			if v == "" {
				f.Del(k)
			} else {
				f.Set(k, v)
			}
			return f
		}
		post(with("service_request_id", all.confidential), 404, "errors.json")
		post(with("service_request_id", all.visit), 404, "errors.json")
		post(with("service_request_id", "2026-999999"), 404, "errors.json")
		post(with("service_request_id", ""), 400, "errors.json")
		post(with("description", ""), 400, "errors.json")
		post(with("status", "SOLVED_BY_MAGIC"), 400, "errors.json")
		post(with("updated_datetime", "now"), 400, "errors.json")
		post(with("media_url", "javascript:alert(1)"), 400, "errors.json")
		post(with("api_key", ""), 403, "errors.json")
	})
}

// TestPostsAreLimitedByKeyAndPhoneNotAddress: a keyed client relays many
// residents from one address, so more than an address's hourly reports
// pass; one phone's reports beyond the day's limit and the key's beyond the
// hour's are the spec's 429.
func TestPostsAreLimitedByKeyAndPhoneNotAddress(t *testing.T) {
	s := newSuite(t).outlines()
	report := func(phone string) url.Values {
		v := url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "description": {"门口垃圾"}}
		if phone != "" {
			v.Set("phone", phone)
		}
		return v
	}
	sent := 0
	for i := range wangge.IntakePerAddrHour + 1 {
		if w := s.post(t, "json", report("")); w.Code != 200 {
			t.Fatalf("relayed report %d from one address: %d %s", i+1, w.Code, w.Body)
		}
		sent++
	}
	for i := range wangge.IntakePerPhoneDay {
		if w := s.post(t, "json", report("13900001111")); w.Code != 200 {
			t.Fatalf("report %d with one phone: %d %s", i+1, w.Code, w.Body)
		}
		sent++
	}
	both(t, func(t *testing.T, e string) {
		s.valid(t, s.post(t, e, report("13900001111")), "/open311/v2/requests."+e, 429, "errors.json")
	})
	for sent < wangge.IntakePerKeyHour {
		if w := s.post(t, "json", report("")); w.Code != 200 {
			t.Fatalf("report %d of the key's %d: %d %s", sent+1, wangge.IntakePerKeyHour, w.Code, w.Body)
		}
		sent++
	}
	both(t, func(t *testing.T, e string) {
		s.valid(t, s.post(t, e, report("")), "/open311/v2/requests."+e, 429, "errors.json")
	})
}
