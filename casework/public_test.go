package casework

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

func problem(code string) Category {
	i := slices.IndexFunc(ProblemTypes, func(c Category) bool { return c.Code == code })
	return ProblemTypes[i]
}

// TestPublicSourcesAndCategories: only the three public intakes are public
// sources; the categories about a person and every service are
// confidential; a case is public only from a public source in a public
// category.
func TestPublicSourcesAndCategories(t *testing.T) {
	for _, s := range Sources {
		want := s == SourceKiosk || s == SourceResidentPage || s == SourceOpen311
		if s.Public() != want {
			t.Errorf("%s.Public() = %v", s, s.Public())
		}
	}
	confidential := []string{"P03", "P05", "P07", "P12", "P13"}
	for _, c := range ProblemTypes {
		if c.Confidential != slices.Contains(confidential, c.Code) || c.Public() == c.Confidential {
			t.Errorf("%s: confidential %v public %v", c.Code, c.Confidential, c.Public())
		}
	}
	svc := ServiceCategory(wangge.Service{Code: "S001", Name: "x", Line: wangge.LineCivil, Department: "d", TimeLimitDays: 3})
	if !svc.Confidential || svc.Public() {
		t.Errorf("a service: confidential %v public %v", svc.Confidential, svc.Public())
	}
	tests := []struct {
		source Source
		cat    string
		want   bool
	}{
		{SourceResidentPage, "P01", true},
		{SourceKiosk, "P02", true},
		{SourceOpen311, "P11", true},
		{SourceVisit, "P01", false},
		{SourcePhone, "P01", false},
		{SourceWalkIn, "P02", false},
		{SourceDepartment, "P01", false},
		{SourceResidentPage, "P03", false},
		{SourceOpen311, "P12", false},
		{SourceKiosk, "P07", false},
	}
	for _, tc := range tests {
		if got := IsPublic(&Case{Source: tc.source, Category: problem(tc.cat)}); got != tc.want {
			t.Errorf("IsPublic(%s, %s) = %v", tc.source, tc.cat, got)
		}
	}
	if IsPublic(&Case{Source: SourceKiosk, Category: svc}) || IsPublic(nil) {
		t.Error("a service's case or nil is public")
	}
}

// TestIntakeMechanism: a public report of an emergency category is an
// emergency, of anything else a coordination case — never a general one
// (handled on the spot) or an application.
func TestIntakeMechanism(t *testing.T) {
	for _, c := range append(slices.Clone(ProblemTypes), serviceType) {
		want := Coordination
		if c.Mechanism == Emergency {
			want = Emergency
		}
		if got := IntakeMechanism(c); got != want {
			t.Errorf("%s (%s): %s, want %s", c.Code, c.Mechanism, got, want)
		}
	}
	// And the system may open what the intake gives.
	for _, m := range []Mechanism{Coordination, Emergency} {
		if !MayOpen(m, wangge.RoleSystem) {
			t.Errorf("the system may not open %s", m)
		}
	}
}

// TestCheckAttributes: answers are checked against the category's
// definitions and become description lines in the attributes' order.
func TestCheckAttributes(t *testing.T) {
	multi := Category{Code: "X", Attributes: []Attribute{
		{Code: "b", Name: "B", Datatype: AttrNumber, Order: 2},
		{Code: "a", Name: "A", Datatype: AttrMultiValueList, Order: 1, Values: []AttributeValue{{Key: "x", Name: "X"}, {Key: "y", Name: "Y"}}},
		{Code: "c", Name: "C", Datatype: AttrDatetime, Order: 3},
		{Code: "d", Name: "D", Datatype: AttrString, Order: 4},
	}}
	tests := []struct {
		name  string
		cat   Category
		given map[string][]string
		want  []string
		field string
	}{
		{"single value", problem("P02"), map[string][]string{"facility": {"streetlight"}}, []string{"\u8bbe\u65bd\uff1a\u8def\u706f"}, ""},
		{"optional left out", problem("P02"), nil, nil, ""},
		{"blank is left out", problem("P10"), map[string][]string{"when": {"  "}}, nil, ""},
		{"required missing", problem("P11"), nil, nil, "attribute[utility]"},
		{"required blank", problem("P11"), map[string][]string{"utility": {""}}, nil, "attribute[utility]"},
		{"required given", problem("P11"), map[string][]string{"utility": {"water"}}, []string{"\u7c7b\u522b\uff1a\u4f9b\u6c34"}, ""},
		{"value not in the list", problem("P02"), map[string][]string{"facility": {"moon"}}, nil, "attribute[facility]"},
		{"two values for one", problem("P02"), map[string][]string{"facility": {"road", "bench"}}, nil, "attribute[facility]"},
		{"unknown code", problem("P02"), map[string][]string{"colour": {"red"}}, nil, "attribute[colour]"},
		{"a category without attributes", problem("P01"), map[string][]string{"facility": {"road"}}, nil, "attribute[facility]"},
		{"order and lists", multi, map[string][]string{"b": {"3.5"}, "a": {"y", "x", "y"}, "c": {"2026-03-01T08:00:00+08:00"}, "d": {"north gate"}},
			[]string{"A\uff1aY\u3001X", "B\uff1a3.5", "C\uff1a2026-03-01T08:00:00+08:00", "D\uff1anorth gate"}, ""},
		{"not a number", multi, map[string][]string{"b": {"three"}}, nil, "attribute[b]"},
		{"not a time", multi, map[string][]string{"c": {"yesterday"}}, nil, "attribute[c]"},
		{"too long", multi, map[string][]string{"d": {strings.Repeat("x", 201)}}, nil, "attribute[d]"},
	}
	for _, tc := range tests {
		got, err := CheckAttributes(tc.cat, tc.given)
		if tc.field != "" {
			var we *wangge.Error
			if !errors.As(err, &we) || we.Field != tc.field || we.Code != wangge.EInvalid {
				t.Errorf("%s: error %v, want invalid %s", tc.name, err, tc.field)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	// The definitions themselves are complete: each list has values with
	// both names, each attribute a datatype Open311 knows.
	for _, c := range ProblemTypes {
		for _, a := range c.Attributes {
			if a.Code == "" || a.Name == "" || a.NameEn == "" || a.Description == "" || a.DescriptionEn == "" ||
				!slices.Contains([]string{AttrString, AttrNumber, AttrDatetime, AttrText, AttrSingleValueList, AttrMultiValueList}, a.Datatype) {
				t.Errorf("%s.%s is incomplete: %+v", c.Code, a.Code, a)
			}
			for _, v := range a.Values {
				if v.Key == "" || v.Name == "" || v.NameEn == "" {
					t.Errorf("%s.%s value %+v is incomplete", c.Code, a.Code, v)
				}
			}
		}
	}
}

// TestPublicUpdateOf: the steps a reporter follows make updates, the
// inside work does not, and a reply is only what this case's reporter was
// told.
func TestPublicUpdateOf(t *testing.T) {
	c := &Case{Number: "2026-000001"}
	said := &Feedback{Number: c.Number, Channel: ChannelSMS, Said: "fixed"}
	tests := []struct {
		ev   Event
		kind UpdateKind
		ok   bool
	}{
		{Event{Action: ActCreate, To: Accepted}, UpdateReceived, true},
		{Event{Action: ActCreate, To: Reported}, UpdateReceived, true},
		{Event{Action: ActDispatch, To: Dispatched}, UpdateDispatched, true},
		{Event{Action: ActAccept, To: InProgress}, UpdateAccepted, true},
		{Event{Action: ActAcknowledge, To: Acknowledged}, UpdateAccepted, true},
		{Event{Action: ActHandle, To: Handled, Note: "internal: contractor 7781"}, UpdateHandled, true},
		{Event{Action: ActApproveDefer, To: InProgress}, UpdateDelayed, true},
		{Event{Action: ActClose, To: Closed}, UpdateClosed, true},
		{Event{Action: ActReopen, To: Accepted}, UpdateReopened, true},
		{Event{Action: ActMerge, To: Merged, Ref: "2026-000002"}, UpdateMerged, true},
		{Event{Action: ActFeedback, To: Verified, Feedback: said}, UpdateReply, true},
		{Event{Action: ActMerge, To: Accepted, Ref: "2026-000003"}, "", false},
		{Event{Action: ActFeedback, To: Verified, Feedback: &Feedback{Number: "2026-000003", Said: "to a duplicate's reporter"}}, "", false},
		{Event{Action: ActFeedback, To: Verified, Feedback: &Feedback{Number: c.Number, NoContact: true}}, "", false},
		{Event{Action: ActVerify, To: Verified}, "", false},
		{Event{Action: ActRework, To: InProgress, Note: "do it again"}, "", false},
		{Event{Action: ActSupervise, To: InProgress, Note: "hurry"}, "", false},
		{Event{Action: ActEscalate, To: Accepted}, "", false},
		{Event{Action: ActDefer, To: InProgress, Note: "more time"}, "", false},
		{Event{Action: ActReturn, To: Returned, Note: "not ours"}, "", false},
		{Event{Action: ActSatisfaction, To: Closed}, "", false},
	}
	for _, tc := range tests {
		tc.ev.At = t0
		u, ok := PublicUpdateOf(c, tc.ev)
		if ok != tc.ok || u.Kind != tc.kind {
			t.Errorf("%s → %s: %q %v, want %q %v", tc.ev.Action, tc.ev.To, u.Kind, ok, tc.kind, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		wantStatus := StatusOpen
		if tc.ev.To == Closed || tc.ev.To == Merged {
			wantStatus = StatusClosed
		}
		wantText := ""
		if tc.kind == UpdateReply {
			wantText = "fixed"
		}
		if u.Status != wantStatus || u.Text != wantText || u.Number != c.Number || !u.At.Equal(t0) {
			t.Errorf("%s: %+v", tc.ev.Action, u)
		}
	}
}

// TestPublicProjection: what a public path shows of a case — the masked
// description, the department, the running deadline — and never the
// reporter.
func TestPublicProjection(t *testing.T) {
	w := newWorld(t)
	d := w.draft(Coordination)
	d.Source, d.Category = SourceResidentPage, problem("P02")
	d.Description = "lamp out, call 13812345678"
	d.Reporter = Reporter{Name: "Wang", Contact: "13812345678"}
	d.Location.Point = &Point{Lng: 113.1, Lat: 36.2}
	c, err := w.e.Open(d, actors["system"], w.now)
	if err != nil {
		t.Fatal(err)
	}
	mask := func(s string) string { return strings.ReplaceAll(s, "13812345678", "138****5678") }
	p := Public(c, mask)
	if p.Number != c.Number || p.CategoryCode != "P02" || p.CategoryNameEn == "" || p.Status != StatusOpen || p.State != Accepted ||
		p.Description != "lamp out, call 138****5678" || p.Agency != problem("P02").Department || p.GridCode != grid ||
		p.Expected.IsZero() || !p.CreatedAt.Equal(w.now) || p.Point == nil || p.Point == c.Location.Point {
		t.Errorf("public case %+v", p)
	}
	w.do(c, "community", Action{Name: ActDispatch, Receiver: &cityDept})
	p = Public(c, mask)
	if p.Agency != cityDept.Name || !p.UpdatedAt.Equal(w.now) {
		t.Errorf("dispatched: agency %q updated %v", p.Agency, p.UpdatedAt)
	}
	into, err := w.e.Open(w.draft(Coordination), actors["assistant"], w.tick())
	if err != nil {
		t.Fatal(err)
	}
	w.do(c, "community", Action{Name: ActMerge, Into: into, Note: "same lamp"})
	p = Public(c, mask)
	if p.Status != StatusClosed || p.MergedInto != into.Number || !p.Expected.IsZero() || !p.ClosedAt.Equal(w.now) {
		t.Errorf("merged: status %s into %q expected %v closed %v", p.Status, p.MergedInto, p.Expected, p.ClosedAt)
	}
}

// TestResidentIsTheReporterForRatingAndReopenOnly: RoleResident may rate
// and, within the window, reopen a closed case — and nothing else.
func TestResidentIsTheReporterForRatingAndReopenOnly(t *testing.T) {
	w := newWorld(t)
	c := w.open(Coordination)
	w.do(c, "community", Action{Name: ActDispatch, Receiver: &cityDept})
	w.do(c, "dept_city", act(ActAccept, ""))
	w.do(c, "dept_city", act(ActHandle, "cleared"))
	w.do(c, "community", act(ActVerify, ""))
	w.do(c, "community", told())
	w.do(c, "community", act(ActClose, ""))
	resident := Actor{Role: wangge.RoleResident, ScopeCode: c.Location.GridCode}
	got := w.e.Allowed(c, resident, w.now)
	if !slices.Equal(got, []ActionName{ActSatisfaction, ActReopen}) {
		t.Errorf("a resident on a closed case may %v", got)
	}
	late := c.ClosedAt.Add(time.Duration(w.e.ReopenDays)*24*time.Hour + time.Minute)
	if got := w.e.Allowed(c, resident, late); !slices.Equal(got, []ActionName{ActSatisfaction}) {
		t.Errorf("after the window a resident may %v", got)
	}
	open, err := w.e.Open(w.draft(Coordination), actors["assistant"], w.tick())
	if err != nil {
		t.Fatal(err)
	}
	resident.ScopeCode = open.Location.GridCode
	if got := w.e.Allowed(open, resident, w.now); len(got) != 0 {
		t.Errorf("a resident on an open case may %v", got)
	}
	if _, err := w.e.Open(w.draft(Coordination), resident, w.now); err == nil {
		t.Error("a resident opened a case through the engine")
	}
	if wangge.RoleResident.Valid() || slices.Contains(wangge.Roles, wangge.RoleResident) {
		t.Error("RoleResident is an account's role")
	}
}
