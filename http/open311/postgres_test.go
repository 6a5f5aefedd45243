package open311

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/http/internal/webtest"
	"github.com/wangge/wangge/internal/pgtest"
	"github.com/wangge/wangge/postgres"
	"github.com/wangge/wangge/secret"
)

// postgresSuite is the suite over a PostgreSQL database of the test's
// own on the server at WANGGE_TEST_POSTGRES (scripts/with-postgres),
// dropped when the test ends; without a server the test skips (fails
// under WANGGE_REQUIRE_POSTGRES=1).
func postgresSuite(t *testing.T) *suite {
	t.Helper()
	dsn := pgtest.Database(t, "wangge_open311")
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secret.New(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return suiteOver(t, webtest.Fill(t, db, box))
}

// TestPostPathsOnPostgreSQL: the writes — a request by lat/long, one by
// address, the refusals, a client's update, one phone's limit — and
// reading them back, in both formats, on PostgreSQL.
func TestPostPathsOnPostgreSQL(t *testing.T) {
	s := postgresSuite(t).outlines()
	both(t, func(t *testing.T, e string) {
		byPoint := s.created(t, e, url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "description": {"门口垃圾，电话 " + writtenPhone}})
		byAddress := s.created(t, e, url.Values{"service_code": {"P02"}, "address_string": {"东苑2号楼"}, "attribute[facility]": {"bench"}, "description": {"座椅坏了"}})
		for _, id := range []string{byPoint, byAddress} {
			path := "/open311/v2/requests/" + id + "." + e
			w := s.do("GET", path, nil)
			s.valid(t, w, path, 200, "requests.json")
			if strings.Contains(w.Body.String(), writtenPhone) {
				t.Errorf("%s shows the phone:\n%s", path, w.Body)
			}
		}
		if newHolder != nil {
			w := s.post(t, e, url.Values{"service_code": {"P01"}, "address_string": {"示范路那边"}, "description": {"垃圾没人收"}})
			tok := firstField(s.valid(t, w, "/open311/v2/requests."+e, 200, "request-created.json"), "token")
			path := "/open311/v2/tokens/" + tok + "." + e
			s.valid(t, s.do("GET", path, nil), path, 200, "token.json")
		}
		s.valid(t, s.post(t, e, url.Values{"service_code": {"P11"}, "lat": {lat}, "long": {inA}, "description": {"停水"}}), "/open311/v2/requests."+e, 400, "errors.json")
		path := "/open311/v2/servicerequestupdates." + e
		w := s.do("POST", path, url.Values{"api_key": {s.key}, "service_request_id": {byPoint}, "description": {"还没清理"}})
		s.valid(t, w, path, 200, "update-created.json")
		w = s.do("GET", path, url.Values{"start_date": {webtest.Now.Add(-time.Hour).Format(time.RFC3339)}, "end_date": {webtest.Now.Format(time.RFC3339)}})
		s.valid(t, w, path, 200, "updates.json")
		if !strings.Contains(w.Body.String(), "还没清理") {
			t.Errorf("the client's update is not listed:\n%s", w.Body)
		}
		list := "/open311/v2/requests." + e
		w = s.do("GET", list, url.Values{"service_request_id": {byPoint + "," + byAddress}})
		s.valid(t, w, list, 200, "requests.json")
		if !strings.Contains(w.Body.String(), byPoint) || !strings.Contains(w.Body.String(), byAddress) {
			t.Errorf("the list lacks a request:\n%s", w.Body)
		}
	})
	// One phone's reports: the day's limit passes, the next is 429.
	for range wangge.IntakePerPhoneDay {
		s.created(t, "json", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "description": {"门口垃圾"}, "phone": {"13900002222"}})
	}
	s.valid(t, s.post(t, "xml", url.Values{"service_code": {"P01"}, "lat": {lat}, "long": {inA}, "description": {"门口垃圾"}, "phone": {"13900002222"}}), "/open311/v2/requests.xml", 429, "errors.json")
}
