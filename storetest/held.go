package storetest

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
)

var heldTests = []test{
	{"HeldHoldChecksAndTokenFindsIt", testHeldHold},
	{"HeldLimitsRefuseTheNextOne", testHeldLimits},
	{"HeldPlaceMakesOneCaseUnderARace", testHeldPlaceRace},
	{"HeldPlaceKeepsToTheScope", testHeldPlaceScope},
	{"HeldDismissEndsItWithAReason", testHeldDismiss},
	{"HeldContactIsResealedByAKeyRotation", testHeldRotate},
}

// heldToken is the form of an Open311 token the store hands out.
var heldToken = regexp.MustCompile(`^[A-Za-z0-9_-]{20,}$`)

// heldReport is an Open311 request naming its place only in words.
func heldReport() casework.HeldReport {
	return casework.HeldReport{
		Source: casework.SourceOpen311, CategoryCode: "P02",
		Description: "lamp out near the old well; my ID " + intakeID,
		Attributes:  map[string][]string{"facility": {"streetlight"}},
		Address:     "by the old well, east side", Name: "Wang", Phone: intakePhone, Email: "wang@example.org",
		Lang: "en", MediaURL: "https://photos.example.org/1.jpg", APIKeyID: 7,
	}
}

func (e *env) hold(t *testing.T, r casework.HeldReport) (int64, string) {
	t.Helper()
	tok, err := e.db.HoldReport(e.ctx, r)
	ok(t, err, "hold")
	list, err := e.db.HeldReports(e.ctx, caseActors["community_a"])
	ok(t, err, "held list")
	for _, h := range list {
		if h.Token == tok {
			return h.ID, tok
		}
	}
	t.Fatalf("the held request %s is not in the list", tok)
	return 0, ""
}

func testHeldHold(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	_, tok := e.hold(t, heldReport())
	if !heldToken.MatchString(tok) {
		t.Errorf("token %q: want 20 or more base64url characters", tok)
	}
	number, found, err := e.db.HeldByToken(e.ctx, tok)
	ok(t, err)
	if !found || number != "" {
		t.Errorf("HeldByToken = %q, %v: want found without a number while it waits", number, found)
	}
	for _, other := range []string{"", tok[:len(tok)-1], strings.ToUpper(tok) + "x"} {
		if _, found, err := e.db.HeldByToken(e.ctx, other); err != nil || found {
			t.Errorf("HeldByToken(%q) = found %v, %v: want not found", other, found, err)
		}
	}
	list, err := e.db.HeldReports(e.ctx, caseActors["district"])
	ok(t, err)
	if len(list) != 1 {
		t.Fatalf("the district's list has %d, want 1", len(list))
	}
	h := list[0]
	if h.State != casework.HeldWaiting || h.CategoryCode != "P02" || h.Source != casework.SourceOpen311 || h.Address != "by the old well, east side" ||
		h.APIKeyID != 7 || h.Lang != "en" || h.MediaURL == "" || len(h.Attributes["facility"]) != 1 || !h.CreatedAt.Equal(intakeNow) {
		t.Errorf("held request %+v", h)
	}
	for what, v := range map[string]string{"phone": h.Phone, "name": h.Name, "email": h.Email} {
		if v == "" || strings.Contains(v, intakePhone) || v == "Wang" || v == "wang@example.org" || !strings.Contains(v, "*") {
			t.Errorf("%s %q: want it masked", what, v)
		}
	}
	if strings.Contains(h.Description, intakeID) || !strings.Contains(h.Description, "old well") {
		t.Errorf("description %q: want the words with the ID number masked", h.Description)
	}
	// The contact is sealed at rest.
	var raw []byte
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT phone_enc FROM held_reports WHERE token = ?`), tok).Scan(&raw))
	if len(raw) == 0 || strings.Contains(string(raw), intakePhone) {
		t.Errorf("phone_enc %q: want the phone sealed", raw)
	}
	// Only the staff who dispatch cases read the list.
	for _, who := range []string{"assistant_a1", "head_a1", "dept_city", "auditor"} {
		_, err := e.db.HeldReports(e.ctx, caseActors[who])
		wantCode(t, err, wangge.EForbidden, who)
		if n, err := e.db.HeldCount(e.ctx, caseActors[who]); err != nil || n != 0 {
			t.Errorf("HeldCount(%s) = %d, %v: want 0", who, n, err)
		}
	}
	if n, err := e.db.HeldCount(e.ctx, caseActors["community_b"]); err != nil || n != 1 {
		t.Errorf("HeldCount(community_b) = %d, %v: want 1", n, err)
	}
	// What could never become a case is refused while the client is there.
	for _, tc := range []struct {
		name  string
		edit  func(*casework.HeldReport)
		field string
	}{
		{"unknown category", func(r *casework.HeldReport) { r.CategoryCode = "P77" }, "service_code"},
		{"staff source", func(r *casework.HeldReport) { r.Source = casework.SourceVisit }, "source"},
		{"required attribute missing", func(r *casework.HeldReport) { r.CategoryCode, r.Attributes = "P11", nil }, "attribute[utility]"},
		{"unknown attribute", func(r *casework.HeldReport) { r.Attributes = map[string][]string{"colour": {"red"}} }, "attribute[colour]"},
		{"no description", func(r *casework.HeldReport) { r.Description = "  " }, "description"},
		{"bad phone", func(r *casework.HeldReport) { r.Phone = "12345" }, "phone"},
		{"bad email", func(r *casework.HeldReport) { r.Email = "nobody" }, "email"},
		{"media not http", func(r *casework.HeldReport) { r.MediaURL = "file:///etc/passwd" }, "media_url"},
		{"bad lang", func(r *casework.HeldReport) { r.Lang = "fr" }, "lang"},
		{"address too long", func(r *casework.HeldReport) { r.Address = strings.Repeat("x", 201) }, "address"},
	} {
		r := heldReport()
		tc.edit(&r)
		_, err := e.db.HoldReport(e.ctx, r)
		if we := wantCode(t, err, wangge.EInvalid, tc.name); we != nil && we.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, we.Field, tc.field)
		}
	}
	if n, err := e.db.HeldCount(e.ctx, caseActors["district"]); err != nil || n != 1 {
		t.Errorf("after the refusals HeldCount = %d, %v: want still 1", n, err)
	}
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "held.create", Page: wangge.Page{Limit: 10}})
	ok(t, err)
	if len(es) != 1 || es[0].Role != wangge.RoleSystem || !strings.Contains(es[0].Detail, `"api_key":7`) || strings.Contains(es[0].Detail, intakePhone) {
		t.Errorf("held.create audit %+v: want one, by the system, naming the key and no phone", es)
	}
}

func testHeldLimits(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	r := heldReport()
	r.Phone = ""
	r.Limits = []casework.IntakeLimit{{Kind: wangge.IntakeAddr, Value: "198.51.100.9"}}
	for i := 0; i < wangge.IntakePerAddrHour; i++ {
		_, err := e.db.HoldReport(e.ctx, r)
		ok(t, err, "hold ", i+1)
	}
	_, err := e.db.HoldReport(e.ctx, r)
	wantCode(t, err, wangge.ERateLimited, "one over the hour's limit")
	if n, err := e.db.HeldCount(e.ctx, caseActors["district"]); err != nil || n != wangge.IntakePerAddrHour {
		t.Errorf("HeldCount = %d, %v: want %d (the refused one not kept)", n, err, wangge.IntakePerAddrHour)
	}
	// Another address is not counted with it.
	r.Limits = []casework.IntakeLimit{{Kind: wangge.IntakeAddr, Value: "198.51.100.10"}}
	_, err = e.db.HoldReport(e.ctx, r)
	ok(t, err, "another address")
}

func testHeldPlaceRace(t *testing.T, e *env) {
	f := e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	id, tok := e.hold(t, heldReport())
	loc := casework.Location{GridCode: GridA1, BuildingID: f.BA1.ID}
	staff := []casework.Actor{caseActors["community_a"], caseActors["district"]}
	const tries = 4
	var wg sync.WaitGroup
	errs := make([]error, tries)
	receipts := make([]*casework.Receipt, tries)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			receipts[i], errs[i] = e.db.PlaceHeld(e.ctx, staff[i%2], id, loc)
		}()
	}
	wg.Wait()
	var placed *casework.Receipt
	for i, err := range errs {
		if err == nil {
			if placed != nil {
				t.Fatalf("placed twice: %s and %s", placed.Number, receipts[i].Number)
			}
			placed = receipts[i]
			continue
		}
		wantCode(t, err, wangge.EConflict, "place ", i)
	}
	if placed == nil {
		t.Fatal("no place succeeded")
	}
	if placed.Token != "" || placed.Case.GridCode != GridA1 || placed.Case.Address != "by the old well, east side" {
		t.Errorf("receipt %+v: want no token, the grid and the words", placed)
	}
	number, found, err := e.db.HeldByToken(e.ctx, tok)
	ok(t, err)
	if !found || number != placed.Number {
		t.Errorf("HeldByToken = %q, %v: want the case %s", number, found, placed.Number)
	}
	c, err := e.db.Case(e.ctx, caseActors["community_a"], placed.Number)
	ok(t, err)
	if c.Source != casework.SourceOpen311 || c.Location.BuildingID != f.BA1.ID || c.Category.Code != "P02" ||
		c.Mechanism != casework.Coordination || c.Reporter.Contact == "" || c.Reporter.Contact == intakePhone ||
		!strings.Contains(c.Description, "\u8bbe\u65bd\uff1a\u8def\u706f") {
		t.Errorf("the case %+v", c)
	}
	cases, n, err := e.db.ListCases(e.ctx, caseActors["district"], casework.Filter{})
	ok(t, err)
	if n != 1 || len(cases) != 1 {
		t.Errorf("%d cases, want exactly one", n)
	}
	if list, err := e.db.HeldReports(e.ctx, caseActors["district"]); err != nil || len(list) != 0 {
		t.Errorf("held list after placing: %d, %v: want empty", len(list), err)
	}
	// The contact left with the case: the held row keeps none.
	var name, phone, email []byte
	var state string
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT state, name_enc, phone_enc, email_enc FROM held_reports WHERE id = ?`), id).Scan(&state, &name, &phone, &email))
	if state != string(casework.HeldPlaced) || name != nil || phone != nil || email != nil {
		t.Errorf("held row state %s contact %v %v %v: want placed with no contact", state, name, phone, email)
	}
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "held.place", Page: wangge.Page{Limit: 10}})
	ok(t, err)
	if len(es) != 1 || es[0].GridCode != GridA1 || !strings.Contains(es[0].Detail, placed.Number) {
		t.Errorf("held.place audit %+v: want one naming the case", es)
	} else if es[0].UserID != caseActors["community_a"].UserID && es[0].UserID != caseActors["district"].UserID {
		t.Errorf("held.place audit by user %d: want the staff member who placed it", es[0].UserID)
	}
	rep, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "case.report", Page: wangge.Page{Limit: 10}})
	ok(t, err)
	if len(rep) != 1 || rep[0].UserID != es[0].UserID {
		t.Errorf("case.report audit %+v: want one, naming the same staff member", rep)
	}
}

func testHeldPlaceScope(t *testing.T, e *env) {
	f := e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	id, _ := e.hold(t, heldReport())
	for _, tc := range []struct {
		name string
		who  string
		loc  casework.Location
		code string
	}{
		{"another community's grid", "community_b", casework.Location{GridCode: GridA1}, wangge.EForbidden},
		{"an assistant", "assistant_a1", casework.Location{GridCode: GridA1}, wangge.EForbidden},
		{"a department", "dept_city", casework.Location{GridCode: GridA1}, wangge.EForbidden},
		{"no place", "community_a", casework.Location{}, wangge.EInvalid},
		{"not a grid", "community_a", casework.Location{GridCode: CommunityA}, wangge.EInvalid},
		{"a building of another grid", "community_a", casework.Location{GridCode: GridA1, BuildingID: f.BA2.ID}, wangge.EInvalid},
	} {
		_, err := e.db.PlaceHeld(e.ctx, caseActors[tc.who], id, tc.loc)
		wantCode(t, err, tc.code, tc.name)
	}
	_, err := e.db.PlaceHeld(e.ctx, caseActors["community_a"], id+1000, casework.Location{GridCode: GridA1})
	wantCode(t, err, wangge.ENotFound, "an unknown request")
	if n, err := e.db.HeldCount(e.ctx, caseActors["district"]); err != nil || n != 1 {
		t.Errorf("after the refusals HeldCount = %d, %v: want still 1", n, err)
	}
	// A point alone, in the community's other grid, is a place.
	rc, err := e.db.PlaceHeld(e.ctx, caseActors["community_a"], id, casework.Location{GridCode: GridA2, Point: &casework.Point{Lng: 113.1, Lat: 36.2}})
	ok(t, err, "place by a point")
	if rc.Case.GridCode != GridA2 || rc.Case.Point == nil {
		t.Errorf("placed case %+v: want grid A2 with the point", rc.Case)
	}
}

func testHeldDismiss(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	id, tok := e.hold(t, heldReport())
	wantCode(t, e.db.DismissHeld(e.ctx, caseActors["community_a"], id, "boring"), wangge.EInvalid, "unlisted reason")
	wantCode(t, e.db.DismissHeld(e.ctx, caseActors["assistant_a1"], id, "spam"), wangge.EForbidden, "an assistant")
	wantCode(t, e.db.DismissHeld(e.ctx, caseActors["community_a"], id+1000, "spam"), wangge.ENotFound, "unknown")
	ok(t, e.db.DismissHeld(e.ctx, caseActors["community_b"], id, "duplicate"), "dismiss")
	wantCode(t, e.db.DismissHeld(e.ctx, caseActors["community_a"], id, "spam"), wangge.EConflict, "dismiss again")
	_, err := e.db.PlaceHeld(e.ctx, caseActors["community_a"], id, casework.Location{GridCode: GridA1})
	wantCode(t, err, wangge.EConflict, "place a dismissed one")
	number, found, err := e.db.HeldByToken(e.ctx, tok)
	if err != nil || !found || number != "" {
		t.Errorf("HeldByToken after dismissal = %q, %v, %v: want found, no number", number, found, err)
	}
	var reason string
	var phone []byte
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT dismiss_reason, phone_enc FROM held_reports WHERE id = ?`), id).Scan(&reason, &phone))
	if reason != "duplicate" || phone != nil {
		t.Errorf("dismissed row: reason %q phone %v: want the reason and no contact", reason, phone)
	}
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Action: "held.dismiss", Page: wangge.Page{Limit: 10}})
	ok(t, err)
	if len(es) != 1 || es[0].UserID != caseActors["community_b"].UserID || !strings.Contains(es[0].Detail, "duplicate") {
		t.Errorf("held.dismiss audit %+v", es)
	}
	if _, n, err := e.db.ListCases(e.ctx, caseActors["district"], casework.Filter{}); err != nil || n != 0 {
		t.Errorf("%d cases after a dismissal, %v: want none", n, err)
	}
}

// testHeldRotate: the sealed contact of a waiting request is re-sealed by
// a key rotation (found by its *_enc name) and still reaches the case.
func testHeldRotate(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	id, _ := e.hold(t, heldReport())
	oldBox := e.db.Box()
	newBox, err := secret.New(secret.NewKey())
	ok(t, err)
	ring, err := secret.Join(newBox, oldBox)
	ok(t, err)
	ok(t, e.db.UseKey(e.ctx, ring))
	rot, err := e.db.RotateKey(e.ctx, sqldb.RotateOptions{})
	ok(t, err, "rotate")
	for _, col := range []string{"held_reports.name_enc", "held_reports.phone_enc", "held_reports.email_enc"} {
		found := false
		for _, c := range rot.Columns {
			found = found || c == col
		}
		if !found {
			t.Errorf("the rotation's columns %v miss %s", rot.Columns, col)
		}
	}
	raw := e.rawRow(`SELECT phone_enc FROM held_reports WHERE id = ?`, id)
	if secret.SealedKeyID(raw["phone_enc"]) != newBox.KeyID() {
		t.Errorf("phone_enc not re-sealed under the new key")
	}
	ok(t, e.db.UseKey(e.ctx, newBox))
	rc, err := e.db.PlaceHeld(e.ctx, caseActors["community_a"], id, casework.Location{GridCode: GridA1})
	ok(t, err, "place after the rotation")
	c, err := e.db.Case(e.ctx, caseActors["community_a"], rc.Number)
	ok(t, err)
	if c.Reporter.Contact == "" || c.Reporter.Name != "Wang" {
		t.Errorf("reporter %+v: want the name and the masked phone carried over", c.Reporter)
	}
}
