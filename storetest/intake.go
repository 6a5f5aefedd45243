package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

var intakeTests = []test{
	{"IntakeReportTrackAndWrongToken", testIntakeReport},
	{"IntakeLimitsRefuseTheNextOne", testIntakeLimits},
	{"IntakeFollowAddsATracker", testIntakeFollow},
	{"IntakeRateSolvedAndReopen", testIntakeRate},
	{"IntakePublicPathsShowOnlyPublicCases", testIntakePrivacy},
	{"IntakePublicUpdatesWindowAndResidentUpdates", testIntakeUpdates},
	{"IntakePublicCasesFilters", testIntakeFilters},
}

// intakeNow is a Monday morning in Beijing: the suite's clock for intake.
var intakeNow = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// Personal data a resident writes into a description: an ID number and a
// mobile (synthetic, valid in form only).
const (
	intakeID    = "110101199003071234"
	intakePhone = "13812345678"
)

// report makes a public report that must pass.
func (e *env) report(t *testing.T, r casework.PublicReport) *casework.Receipt {
	t.Helper()
	if r.Source == "" {
		r.Source = casework.SourceResidentPage
	}
	if r.Location.GridCode == "" {
		r.Location.GridCode = GridA1
	}
	if r.Description == "" {
		r.Description = "the street light by gate 2 is out"
	}
	rc, err := e.db.ReportCase(e.ctx, r)
	ok(t, err, "report ", r.Category.Code)
	return rc
}

// closeCase drives an accepted coordination case to its close through
// ApplyCase, as the community and the city department would.
func (e *env) closeCase(t *testing.T, number string) *casework.Case {
	t.Helper()
	c, err := e.db.Case(e.ctx, caseActors["community_a"], number)
	ok(t, err, "read ", number)
	city := &casework.Receiver{Kind: casework.ToDepartment, Line: wangge.LineCity, Name: "city management"}
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActDispatch, Receiver: city})
	c = e.step(t, "dept_city", c, casework.Action{Name: casework.ActAccept})
	c = e.step(t, "dept_city", c, casework.Action{Name: casework.ActHandle, Note: "lamp replaced; internal ref 7781"})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActVerify})
	c = e.step(t, "community_a", c, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelSMS, Note: "fixed; call " + intakePhone + " if not"})
	return e.step(t, "community_a", c, casework.Action{Name: casework.ActClose})
}

func addrLimit(addr string) []casework.IntakeLimit {
	return []casework.IntakeLimit{{Kind: wangge.IntakeAddr, Value: addr}}
}

func testIntakeReport(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	pt := &casework.Point{Lng: 113.1, Lat: 36.2}
	photo := photoWithEXIF(t, "GPSLatitude=36.2")
	rc := e.report(t, casework.PublicReport{
		Category:    category("P02"),
		Description: "lamp out; my ID " + intakeID + ", phone " + intakePhone,
		Attributes:  map[string][]string{"facility": {"streetlight"}},
		Location:    casework.Location{GridCode: GridA1, Point: pt},
		Address:     "gate 2, East Court", Name: "resident", Phone: intakePhone, Lang: "en",
		Photos: []casework.Photo{{Name: "lamp.jpg", Data: photo}},
		Limits: addrLimit("198.51.100.7"),
	})
	if _, _, okN := casework.ParseNumber(rc.Number); !okN || len(rc.Token) != 43 {
		t.Fatalf("receipt number %q token %q: want a case number and a 43-character token", rc.Number, rc.Token)
	}
	p := rc.Case
	if p.Status != casework.StatusOpen || p.State != casework.Accepted || p.GridCode != GridA1 || p.GridName == "" ||
		p.Address != "gate 2, East Court" || p.Agency != category("P02").Department || p.Point == nil || *p.Point != *pt {
		t.Errorf("receipt's case %+v", p)
	}
	if strings.Contains(p.Description, intakeID) || strings.Contains(p.Description, intakePhone) ||
		!strings.Contains(p.Description, "1101") || !strings.Contains(p.Description, "\u8bbe\u65bd\uff1a\u8def\u706f") {
		t.Errorf("description %q: want the ID and phone masked and the attribute's line (facility: street light)", p.Description)
	}
	if len(p.Updates) != 1 || p.Updates[0].Kind != casework.UpdateReceived || p.Updates[0].ID == 0 {
		t.Errorf("updates %+v: want the received update", p.Updates)
	}
	// The case as staff see it: made by the system under the intake
	// mechanism, the reporter's phone kept for the feedback.
	c, err := e.db.Case(e.ctx, caseActors["community_a"], rc.Number)
	ok(t, err)
	// The promise is the work's end (dispatch, acceptance and the work), not
	// the dispatch deadline that runs now.
	eng, err := e.db.CaseEngine(e.ctx)
	ok(t, err)
	if want := eng.Expected(c); p.Expected.IsZero() || !p.Expected.Equal(want) || !p.Expected.After(c.Running().Due) {
		t.Errorf("expected %v, want %v, after the running deadline %v", p.Expected, want, c.Running().Due)
	}
	if c.Source != casework.SourceResidentPage || c.Mechanism != casework.Coordination || c.Events[0].ActorRole != wangge.RoleSystem ||
		c.Reporter.Contact == "" || c.Reporter.Contact == intakePhone {
		t.Errorf("staff's case: source %s mechanism %s by %s contact %q", c.Source, c.Mechanism, c.Events[0].ActorRole, c.Reporter.Contact)
	}
	atts, err := e.db.CaseAttachments(e.ctx, caseActors["community_a"], rc.Number)
	ok(t, err)
	if len(atts) != 1 {
		t.Fatalf("attachments %d, want the photo", len(atts))
	}
	_, data, err := e.db.CaseAttachment(e.ctx, caseActors["community_a"], rc.Number, atts[0].ID)
	ok(t, err)
	if bytes.Contains(data, []byte("GPSLatitude")) {
		t.Error("the photo kept its EXIF")
	}
	// Tracking: the token finds it, a wrong one does not.
	got, tr, err := e.db.TrackCase(e.ctx, rc.Number, rc.Token)
	ok(t, err, "track")
	if got.Number != rc.Number || tr.Kind != casework.TrackerReporter || tr.MayRate || tr.MayReopen || tr.Solved != nil {
		t.Errorf("tracked %s as %+v", got.Number, tr)
	}
	wrong := "A" + rc.Token[1:]
	if rc.Token[0] == 'A' {
		wrong = "B" + rc.Token[1:]
	}
	if _, _, err := e.db.TrackCase(e.ctx, rc.Number, wrong); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("a wrong token: %v, want ErrNotFound", err)
	}
	other := e.report(t, casework.PublicReport{Category: category("P01")})
	if _, _, err := e.db.TrackCase(e.ctx, other.Number, rc.Token); !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another case's number with this token: %v, want ErrNotFound", err)
	}
	// Nothing at rest holds the token or the phone in clear.
	var source string
	var public bool
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT source, public FROM cases WHERE number = ?`), rc.Number).Scan(&source, &public))
	if source != string(casework.SourceResidentPage) || !public {
		t.Errorf("columns source %q public %v", source, public)
	}
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT token_hash, phone_enc, lang FROM case_trackers`)
	ok(t, err)
	n := 0
	for rows.Next() {
		var hash, phone []byte
		var lang string
		ok(t, rows.Scan(&hash, &phone, &lang))
		if len(hash) != 32 || bytes.Contains(hash, []byte(rc.Token)) || bytes.Contains(phone, []byte(intakePhone)) {
			t.Errorf("tracker row: hash %d bytes, phone %q", len(hash), phone)
		}
		n++
	}
	ok(t, rows.Err())
	rows.Close()
	if n != 2 {
		t.Errorf("%d trackers, want the two reporters'", n)
	}
	if !e.sealedColumnNames()["case_trackers.phone_enc"] {
		t.Error("case_trackers.phone_enc is not among the columns a key rotation re-seals")
	}
	if got := e.caseAudit(t, rc.Number); fmt.Sprint(got) != "[case.create case.report]" {
		t.Errorf("audit %v", got)
	}
	e.noSecretsInAudit(t, rc.Token, intakePhone)
	e.verifyAudit()
	// A staff-made case is never public; a refused report makes nothing.
	staff := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish"))
	ok(t, e.db.Reader().QueryRowContext(e.ctx, e.rebind(`SELECT source, public FROM cases WHERE number = ?`), staff.Number).Scan(&source, &public))
	if source != string(casework.SourceVisit) || public {
		t.Errorf("a visit's case: source %q public %v", source, public)
	}
	before := e.caseRows(t)
	for _, bad := range []casework.PublicReport{
		{Source: casework.SourceVisit, Category: category("P01"), Description: "x", Location: casework.Location{GridCode: GridA1}},
		{Source: casework.SourceKiosk, Category: category("P11"), Description: "no water", Location: casework.Location{GridCode: GridA1}},
		{Source: casework.SourceKiosk, Category: category("P02"), Description: "x", Location: casework.Location{GridCode: GridA1}, Attributes: map[string][]string{"facility": {"moon"}}},
		{Source: casework.SourceKiosk, Category: category("P01"), Description: "x", Location: casework.Location{GridCode: GridA1}, Phone: "12345"},
		{Source: casework.SourceOpen311, Category: category("P01"), Description: "x", Location: casework.Location{GridCode: GridA1}, MediaURL: "file:///etc/passwd"},
		{Source: casework.SourceOpen311, Category: category("P01"), Description: "x", Location: casework.Location{GridCode: GridA3}},
		{Source: casework.SourceKiosk, Category: category("P01"), Description: "x", Location: casework.Location{GridCode: GridA1}, Photos: make([]casework.Photo, 4)},
	} {
		if _, err := e.db.ReportCase(e.ctx, bad); err == nil {
			t.Errorf("report %+v passed", bad)
		}
	}
	if after := e.caseRows(t); after != before {
		t.Errorf("refused reports made %d cases", after-before)
	}
}

// noSecretsInAudit fails when an audit entry's detail holds any of the
// values.
func (e *env) noSecretsInAudit(t *testing.T, values ...string) {
	t.Helper()
	es, _, err := e.db.ListAudit(e.ctx, wangge.AuditFilter{Page: wangge.Page{Limit: wangge.MaxPageLimit}})
	ok(t, err)
	for _, x := range es {
		for _, v := range values {
			if strings.Contains(x.Detail, v) {
				t.Errorf("audit %s holds %q: %s", x.Action, v, x.Detail)
			}
		}
	}
}

func testIntakeLimits(t *testing.T, e *env) {
	e.fixture()
	now := intakeNow
	e.db.SetClock(func() time.Time { return now })
	cat := category("P01")
	rep := func(limits []casework.IntakeLimit) error {
		_, err := e.db.ReportCase(e.ctx, casework.PublicReport{Source: casework.SourceKiosk, Category: cat, Description: "litter",
			Location: casework.Location{GridCode: GridA1}, Limits: limits})
		return err
	}
	// Per address: 10 in the hour, 30 in the day.
	addr := addrLimit("203.0.113.9")
	for hour := 0; hour < 3; hour++ {
		for i := 0; i < wangge.IntakePerAddrHour; i++ {
			ok(t, rep(addr), "hour ", hour, " report ", i+1)
		}
		before := e.caseRows(t)
		wantCode(t, rep(addr), wangge.ERateLimited, "the hour's 11th")
		if e.caseRows(t) != before {
			t.Error("a refused report made a case")
		}
		now = now.Add(time.Hour)
	}
	wantCode(t, rep(addr), wangge.ERateLimited, "the day's 31st")
	ok(t, rep(addrLimit("203.0.113.10")), "another address")
	now = now.Add(21 * time.Hour)
	ok(t, rep(addr), "a day later")
	// Per phone: 5 in the day, whatever the address.
	for i := 0; i < wangge.IntakePerPhoneDay; i++ {
		ok(t, rep([]casework.IntakeLimit{{Kind: wangge.IntakeAddr, Value: fmt.Sprint("192.0.2.", i)}, {Kind: wangge.IntakePhone, Value: intakePhone}}))
	}
	wantCode(t, rep([]casework.IntakeLimit{{Kind: wangge.IntakeAddr, Value: "192.0.2.99"}, {Kind: wangge.IntakePhone, Value: intakePhone}}), wangge.ERateLimited, "the phone's 6th")
	// The counts hold no value in clear.
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT bucket FROM intake_counts`)
	ok(t, err)
	for rows.Next() {
		var b []byte
		ok(t, rows.Scan(&b))
		if bytes.Contains(b, []byte("203.0.113")) || bytes.Contains(b, []byte(intakePhone)) {
			t.Errorf("a bucket holds its value: %q", b)
		}
	}
	ok(t, rows.Err())
	rows.Close()
	// Per client key, on the cheapest counted write ("me too").
	c := e.report(t, casework.PublicReport{Category: cat})
	key := []casework.IntakeLimit{{Kind: wangge.IntakeKey, Value: "client-7"}}
	for i := 0; i < wangge.IntakePerKeyHour; i++ {
		_, err := e.db.FollowCase(e.ctx, c.Number, casework.PublicFollow{Limits: key})
		ok(t, err, "follow ", i+1)
	}
	_, err = e.db.FollowCase(e.ctx, c.Number, casework.PublicFollow{Limits: key})
	wantCode(t, err, wangge.ERateLimited, "the key's next follow")
	wantCode(t, rep([]casework.IntakeLimit{{Kind: "cookie", Value: "x"}}), wangge.EInvalid, "an unknown limit kind")
	// Wrong tracking tokens count against the address: after ten, even the
	// right token is refused from there.
	guess := addrLimit("198.51.100.66")
	for i := 0; i < wangge.IntakePerAddrHour; i++ {
		if _, _, err := e.db.TrackCase(e.ctx, c.Number, fmt.Sprintf("%043d", i), guess...); !errors.Is(err, wangge.ErrNotFound) {
			t.Fatalf("guess %d: %v, want ErrNotFound", i+1, err)
		}
	}
	_, _, err = e.db.TrackCase(e.ctx, c.Number, c.Token, guess...)
	wantCode(t, err, wangge.ERateLimited, "tracking after ten wrong tokens")
	_, _, err = e.db.TrackCase(e.ctx, c.Number, c.Token, addrLimit("198.51.100.67")...)
	ok(t, err, "tracking from another address")
	e.verifyAudit()
}

func testIntakeFollow(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	c := e.report(t, casework.PublicReport{Category: category("P01")})
	f, err := e.db.FollowCase(e.ctx, c.Number, casework.PublicFollow{Phone: "13900002222", Lang: "zh"})
	ok(t, err, "me too")
	if f.Number != c.Number || len(f.Token) != 43 || f.Token == c.Token || f.Case.Followers != 1 {
		t.Errorf("follow receipt %s token %q followers %d", f.Number, f.Token, f.Case.Followers)
	}
	_, err = e.db.FollowCase(e.ctx, c.Number, casework.PublicFollow{})
	ok(t, err, "a second me too, without a phone")
	p, tr, err := e.db.TrackCase(e.ctx, c.Number, f.Token)
	ok(t, err, "track as follower")
	if tr.Kind != casework.TrackerFollower || p.Followers != 2 {
		t.Errorf("follower's tracker %+v, followers %d", tr, p.Followers)
	}
	if got := e.caseAudit(t, c.Number); fmt.Sprint(got) != "[case.create case.report case.follow case.follow]" {
		t.Errorf("audit %v", got)
	}
	e.noSecretsInAudit(t, f.Token, "13900002222")
	// Not on a confidential case, a staff case or a closed one.
	conf := e.report(t, casework.PublicReport{Category: category("P03"), Description: "neighbours quarrel nightly"})
	staff := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "rubbish"))
	for _, n := range []string{conf.Number, staff.Number, "2026-999999"} {
		if _, err := e.db.FollowCase(e.ctx, n, casework.PublicFollow{}); !errors.Is(err, wangge.ErrNotFound) {
			t.Errorf("follow %s: %v, want ErrNotFound", n, err)
		}
	}
	e.closeCase(t, c.Number)
	_, err = e.db.FollowCase(e.ctx, c.Number, casework.PublicFollow{})
	wantCode(t, err, wangge.EConflict, "follow a closed case")
	_, err = e.db.RateCase(e.ctx, c.Number, f.Token, casework.Rating{Solved: true, Satisfaction: casework.Satisfied})
	wantCode(t, err, wangge.EForbidden, "a follower rates")
	e.verifyAudit()
}

func testIntakeRate(t *testing.T, e *env) {
	e.fixture()
	now := intakeNow
	e.db.SetClock(func() time.Time { return now })
	cases := make([]*casework.Receipt, 3)
	for i := range cases {
		cases[i] = e.report(t, casework.PublicReport{Category: category("P02"), Phone: intakePhone, Attributes: map[string][]string{"facility": {"streetlight"}}})
	}
	// Not before the close.
	_, err := e.db.RateCase(e.ctx, cases[0].Number, cases[0].Token, casework.Rating{Solved: true, Satisfaction: casework.Satisfied})
	wantCode(t, err, wangge.EConflict, "rate an open case")
	for _, c := range cases {
		e.closeCase(t, c.Number)
	}
	p, tr, err := e.db.TrackCase(e.ctx, cases[0].Number, cases[0].Token)
	ok(t, err)
	var kinds []string
	for _, u := range p.Updates {
		kinds = append(kinds, string(u.Kind))
		if strings.Contains(u.Text, intakePhone) || strings.Contains(u.Text, "7781") {
			t.Errorf("update %s shows %q: a phone or an internal note", u.Kind, u.Text)
		}
	}
	if fmt.Sprint(kinds) != "[received dispatched accepted handled reply closed]" || p.Status != casework.StatusClosed || p.ClosedAt.IsZero() {
		t.Errorf("public timeline %v, status %s", kinds, p.Status)
	}
	if !tr.MayRate || !tr.MayReopen || p.Agency != "city management" {
		t.Errorf("closed case's tracker %+v, agency %q", tr, p.Agency)
	}
	// Solved and satisfied: through the engine, once.
	_, err = e.db.RateCase(e.ctx, cases[0].Number, cases[0].Token, casework.Rating{Solved: true, Satisfaction: "delighted"})
	wantCode(t, err, wangge.EInvalid, "an unknown satisfaction")
	_, err = e.db.RateCase(e.ctx, cases[0].Number, cases[0].Token, casework.Rating{Solved: true, Satisfaction: casework.Satisfied})
	ok(t, err, "rate")
	staff, err := e.db.Case(e.ctx, caseActors["community_a"], cases[0].Number)
	ok(t, err)
	last := staff.Events[len(staff.Events)-1]
	if staff.Satisfaction != casework.Satisfied || last.Action != casework.ActSatisfaction || last.ActorRole != wangge.RoleResident {
		t.Errorf("after the rating: satisfaction %q, last event %s by %s", staff.Satisfaction, last.Action, last.ActorRole)
	}
	_, tr, err = e.db.TrackCase(e.ctx, cases[0].Number, cases[0].Token)
	ok(t, err)
	if tr.Solved == nil || !*tr.Solved || tr.Satisfaction != casework.Satisfied || tr.MayRate {
		t.Errorf("rated tracker %+v", tr)
	}
	_, err = e.db.RateCase(e.ctx, cases[0].Number, cases[0].Token, casework.Rating{Solved: true, Satisfaction: casework.Dissatisfied})
	wantCode(t, err, wangge.EConflict, "a second rating")
	_, err = e.db.RateCase(e.ctx, cases[0].Number, cases[1].Token, casework.Rating{Solved: true, Satisfaction: casework.Satisfied})
	if !errors.Is(err, wangge.ErrNotFound) {
		t.Errorf("another case's token: %v, want ErrNotFound", err)
	}
	// Not solved within the window reopens, with the reason.
	now = now.Add(3 * 24 * time.Hour)
	_, err = e.db.RateCase(e.ctx, cases[1].Number, cases[1].Token, casework.Rating{Solved: false})
	wantCode(t, err, wangge.EInvalid, "not solved without a reason")
	p, err = e.db.RateCase(e.ctx, cases[1].Number, cases[1].Token, casework.Rating{Solved: false, Note: "still dark at night"})
	ok(t, err, "not solved")
	if p.Status != casework.StatusOpen || p.State != casework.Accepted || p.Updates[len(p.Updates)-1].Kind != casework.UpdateReopened {
		t.Errorf("after not solved: %s %s, last update %+v", p.Status, p.State, p.Updates[len(p.Updates)-1])
	}
	reopened, err := e.db.Case(e.ctx, caseActors["community_a"], cases[1].Number)
	ok(t, err)
	if reopened.Round != 1 || reopened.State != casework.Accepted {
		t.Errorf("reopened case round %d state %s", reopened.Round, reopened.State)
	}
	// Outside the window: refused, and the tracker says so.
	now = intakeNow.Add(time.Duration(casework.DefaultReopenDays+1) * 24 * time.Hour)
	_, tr, err = e.db.TrackCase(e.ctx, cases[2].Number, cases[2].Token)
	ok(t, err)
	if tr.MayReopen || !tr.MayRate {
		t.Errorf("tracker after the window %+v", tr)
	}
	_, err = e.db.RateCase(e.ctx, cases[2].Number, cases[2].Token, casework.Rating{Solved: false, Note: "still dark"})
	if we := wantCode(t, err, wangge.EConflict, "not solved after the window"); we != nil && we.Key != "error.case.reopen_window" {
		t.Errorf("refused with %s, want error.case.reopen_window", we.Key)
	}
	if got := e.caseAudit(t, cases[0].Number); got[len(got)-1] != "case.rate" {
		t.Errorf("audit %v, want the rating last", got)
	}
	e.noSecretsInAudit(t, cases[0].Token, intakePhone)
	e.verifyAudit()
}

func testIntakePrivacy(t *testing.T, e *env) {
	e.fixture()
	e.db.SetClock(func() time.Time { return intakeNow })
	secret := "ID " + intakeID + " tel " + intakePhone + " / 0355-2123456"
	visit := e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "from a visit: "+secret))
	conf := e.report(t, casework.PublicReport{Category: category("P03"), Description: "a quarrel: " + secret})
	service := e.report(t, casework.PublicReport{Source: casework.SourceKiosk, Category: casework.ServiceCategory(wangge.Service{
		Code: "S001", Name: "service", Line: wangge.LineCivil, Department: "civil affairs", TimeLimitDays: 5, Active: true}), Description: "apply: " + secret})
	public := e.report(t, casework.PublicReport{Category: category("P01"), Description: "litter: " + secret})
	// Each path of a visit's and a confidential case, and each one's step
	// through to its close.
	for _, n := range []string{visit.Number, conf.Number, service.Number} {
		if _, err := e.db.PublicCase(e.ctx, n); !errors.Is(err, wangge.ErrNotFound) {
			t.Errorf("PublicCase(%s): %v, want ErrNotFound", n, err)
		}
	}
	for _, n := range []string{visit.Number, public.Number} {
		e.closeCase(t, n)
	}
	all, err := e.db.PublicCases(e.ctx, casework.PublicFilter{})
	ok(t, err)
	if len(all) != 1 || all[0].Number != public.Number {
		t.Errorf("PublicCases: %d cases, want only %s", len(all), public.Number)
	}
	named, err := e.db.PublicCases(e.ctx, casework.PublicFilter{Numbers: []string{visit.Number, conf.Number, service.Number}})
	ok(t, err)
	if len(named) != 0 {
		t.Errorf("PublicCases by number shows %d private cases", len(named))
	}
	ups, err := e.db.PublicUpdates(e.ctx, time.Time{}, time.Time{}, 0)
	ok(t, err)
	if len(ups) == 0 {
		t.Fatal("no public updates")
	}
	for _, u := range ups {
		if u.Number != public.Number {
			t.Errorf("PublicUpdates shows %s's %s", u.Number, u.Kind)
		}
	}
	// The reporter of a confidential case still follows it by the token.
	p, _, err := e.db.TrackCase(e.ctx, conf.Number, conf.Token)
	ok(t, err, "the confidential case's reporter tracks it")
	shown := []string{p.Description, all[0].Description, conf.Case.Description, public.Case.Description}
	for _, u := range append(ups, p.Updates...) {
		shown = append(shown, u.Text)
	}
	for _, s := range shown {
		for _, v := range []string{intakeID, intakePhone, "2123456"} {
			if strings.Contains(s, v) {
				t.Errorf("a public path shows %q in %q", v, s)
			}
		}
	}
	if !strings.Contains(all[0].Description, "1101**********1234") || !strings.Contains(all[0].Description, "138****5678") {
		t.Errorf("masked description %q", all[0].Description)
	}
}

func testIntakeUpdates(t *testing.T, e *env) {
	e.fixture()
	now := intakeNow
	e.db.SetClock(func() time.Time { return now })
	a := e.report(t, casework.PublicReport{Category: category("P01")})
	now = now.Add(time.Hour)
	b := e.report(t, casework.PublicReport{Category: category("P09")})
	conf := e.report(t, casework.PublicReport{Category: category("P12"), Description: "an old man alone needs help"})
	mid := intakeNow.Add(30 * time.Minute)
	numbers := func(us []casework.PublicUpdate) string {
		var out []string
		for _, u := range us {
			out = append(out, u.Number+":"+string(u.Kind))
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		from, to time.Time
		limit    int
		want     string
	}{
		{time.Time{}, time.Time{}, 0, a.Number + ":received " + b.Number + ":received"},
		{mid, time.Time{}, 0, b.Number + ":received"},
		{time.Time{}, mid, 0, a.Number + ":received"},
		{time.Time{}, time.Time{}, 1, a.Number + ":received"},
		{now.Add(time.Minute), time.Time{}, 0, ""},
	}
	for _, c := range cases {
		got, err := e.db.PublicUpdates(e.ctx, c.from, c.to, c.limit)
		ok(t, err)
		if numbers(got) != c.want {
			t.Errorf("PublicUpdates(%v, %v, %d) = %q, want %q", c.from, c.to, c.limit, numbers(got), c.want)
		}
	}
	// A resident's update by the token, a client's by its key.
	now = now.Add(time.Minute)
	u, err := e.db.AddPublicUpdate(e.ctx, a.Number, casework.ResidentUpdate{Token: a.Token, Text: "worse now; call " + intakePhone})
	ok(t, err, "a resident's update")
	if u.Kind != casework.UpdateResident || u.ID == 0 || strings.Contains(u.Text, intakePhone) || u.Status != casework.StatusOpen {
		t.Errorf("resident update %+v", u)
	}
	_, err = e.db.AddPublicUpdate(e.ctx, b.Number, casework.ResidentUpdate{APIKeyID: 7, Text: "seen again", MediaURL: "https://example.org/p.jpg"})
	ok(t, err, "a client's update")
	for _, bad := range []struct {
		number string
		u      casework.ResidentUpdate
		code   string
	}{
		{a.Number, casework.ResidentUpdate{Token: b.Token, Text: "x"}, wangge.ENotFound},
		{conf.Number, casework.ResidentUpdate{APIKeyID: 7, Text: "x"}, wangge.ENotFound},
		{a.Number, casework.ResidentUpdate{Text: "x"}, wangge.EForbidden},
		{a.Number, casework.ResidentUpdate{Token: a.Token, Text: " "}, wangge.EInvalid},
		{a.Number, casework.ResidentUpdate{Token: a.Token, Text: "x", MediaURL: "ftp://example.org/x"}, wangge.EInvalid},
	} {
		_, err := e.db.AddPublicUpdate(e.ctx, bad.number, bad.u)
		wantCode(t, err, bad.code, "update ", bad.number)
	}
	got, err := e.db.PublicUpdates(e.ctx, now, time.Time{}, 0)
	ok(t, err)
	if numbers(got) != a.Number+":resident "+b.Number+":resident" || got[1].MediaURL == "" {
		t.Errorf("updates since %v: %q", now, numbers(got))
	}
	// A re-read is the same answer.
	p1, err := e.db.PublicCase(e.ctx, a.Number)
	ok(t, err)
	p2, err := e.db.PublicCase(e.ctx, a.Number)
	ok(t, err)
	if !reflect.DeepEqual(p1, p2) || len(p1.Updates) != 2 {
		t.Errorf("two reads differ or lack the update: %+v / %+v", p1, p2)
	}
	// The list with its timelines has each case's updates as reading it
	// alone does; without them, none.
	list, err := e.db.PublicCases(e.ctx, casework.PublicFilter{Numbers: []string{a.Number, b.Number}, WithUpdates: true})
	ok(t, err)
	if len(list) != 2 {
		t.Fatalf("the list of two has %d", len(list))
	}
	for _, c := range list {
		one, err := e.db.PublicCase(e.ctx, c.Number)
		ok(t, err)
		if len(c.Updates) == 0 || !reflect.DeepEqual(c.Updates, one.Updates) {
			t.Errorf("%s: the list's updates %+v, alone %+v", c.Number, c.Updates, one.Updates)
		}
	}
	bare, err := e.db.PublicCases(e.ctx, casework.PublicFilter{Numbers: []string{a.Number}})
	ok(t, err)
	if len(bare) != 1 || bare[0].Updates != nil {
		t.Errorf("the list without timelines: %+v", bare)
	}
	if got := e.caseAudit(t, a.Number); got[len(got)-1] != "case.update" {
		t.Errorf("audit %v, want the update last", got)
	}
	e.verifyAudit()
}

func testIntakeFilters(t *testing.T, e *env) {
	e.fixture()
	now := intakeNow
	e.db.SetClock(func() time.Time { return now })
	at := func(lng, lat float64) casework.Location {
		return casework.Location{GridCode: GridA1, Point: &casework.Point{Lng: lng, Lat: lat}}
	}
	near := e.report(t, casework.PublicReport{Category: category("P01"), Location: at(113.1000, 36.2000)})
	now = now.Add(time.Minute)
	closeBy := e.report(t, casework.PublicReport{Category: category("P09"), Location: at(113.1010, 36.2000)}) // ~90 m east
	now = now.Add(time.Minute)
	far := e.report(t, casework.PublicReport{Category: category("P01"), Location: at(113.1200, 36.2000)}) // ~1.8 km east
	now = now.Add(time.Minute)
	nowhere := e.report(t, casework.PublicReport{Category: category("P01"), Location: casework.Location{GridCode: GridB1}})
	e.closeCase(t, far.Number)
	here := &casework.Point{Lng: 113.1, Lat: 36.2}
	list := func(ps []casework.PublicCase) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Number)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name string
		f    casework.PublicFilter
		want string
	}{
		{"all, newest first", casework.PublicFilter{}, list([]casework.PublicCase{nowhere.Case, far.Case, closeBy.Case, near.Case})},
		{"within 200 m", casework.PublicFilter{Near: here, RadiusM: 200}, closeBy.Number + " " + near.Number},
		{"within 50 m", casework.PublicFilter{Near: here, RadiusM: 50}, near.Number},
		{"within 5 km, open", casework.PublicFilter{Near: here, RadiusM: 5000, Status: casework.StatusOpen}, closeBy.Number + " " + near.Number},
		{"closed", casework.PublicFilter{Status: casework.StatusClosed}, far.Number},
		{"category", casework.PublicFilter{Categories: []string{"P09"}}, closeBy.Number},
		{"numbers", casework.PublicFilter{Numbers: []string{near.Number, nowhere.Number}}, nowhere.Number + " " + near.Number},
		{"from", casework.PublicFilter{From: intakeNow.Add(90 * time.Second)}, nowhere.Number + " " + far.Number},
		{"to", casework.PublicFilter{To: intakeNow.Add(30 * time.Second)}, near.Number},
		{"limit", casework.PublicFilter{Limit: 2}, nowhere.Number + " " + far.Number},
		{"near, limit", casework.PublicFilter{Near: here, RadiusM: 200, Limit: 1}, closeBy.Number},
	}
	for _, c := range cases {
		got, err := e.db.PublicCases(e.ctx, c.f)
		ok(t, err, c.name)
		if list(got) != c.want {
			t.Errorf("%s: %q, want %q", c.name, list(got), c.want)
		}
	}
	for _, bad := range []casework.PublicFilter{
		{Status: "pending"},
		{Near: here},
		{Near: here, RadiusM: 1e6},
		{Numbers: make([]string, casework.PublicLimitMax+1)},
	} {
		_, err := e.db.PublicCases(e.ctx, bad)
		wantCode(t, err, wangge.EInvalid, "filter ", fmt.Sprintf("%+v", bad))
	}
}
