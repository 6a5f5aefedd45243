package open311

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/http/internal/webtest"
)

// TestHeldRequestTokenBecomesItsNumber: a request whose address names no
// single building is held and answered with a token (no id); tokens/{token}
// says only the token until staff place it, then the request's id, which
// then reads like any other.
func TestHeldRequestTokenBecomesItsNumber(t *testing.T) {
	s := newSuite(t)
	both(t, func(t *testing.T, e string) {
		w := s.post(t, e, url.Values{"service_code": {"P02"}, "address_string": {"示范路那边的路灯"}, "attribute[facility]": {"streetlight"},
			"description": {"路灯坏了，电话 " + writtenPhone}, "phone": {"13900001111"}})
		v := s.valid(t, w, "/open311/v2/requests."+e, 200, "request-created.json")
		tok := firstField(v, "token")
		if tok == "" || firstField(v, "service_request_id") != "" {
			t.Fatalf("held: want a token and no id:\n%s", w.Body)
		}
		path := "/open311/v2/tokens/" + tok + "." + e
		w = s.do("GET", path, nil)
		s.valid(t, w, path, 200, "token.json")
		if strings.Contains(w.Body.String(), "service_request_id") {
			t.Errorf("an id before the request is placed:\n%s", w.Body)
		}
		held, err := s.db.HeldReports(context.Background(), staffA)
		if err != nil || len(held) == 0 {
			t.Fatalf("staff see %d held requests (%v)", len(held), err)
		}
		rc, err := s.db.PlaceHeld(context.Background(), staffA, held[0].ID, casework.Location{GridCode: webtest.GridA, BuildingID: s.f.BuildingA1.ID})
		if err != nil {
			t.Fatal(err)
		}
		w = s.do("GET", path, nil)
		s.valid(t, w, path, 200, "token.json")
		if firstField(s.valid(t, w, path, 200, "token.json"), "service_request_id") != rc.Number {
			t.Errorf("the token does not name %s:\n%s", rc.Number, w.Body)
		}
		req := "/open311/v2/requests/" + rc.Number + "." + e
		w = s.do("GET", req, nil)
		s.valid(t, w, req, 200, "requests.json")
		if strings.Contains(w.Body.String(), writtenPhone) || strings.Contains(w.Body.String(), "13900001111") {
			t.Errorf("the placed request shows a phone:\n%s", w.Body)
		}
	})
}
