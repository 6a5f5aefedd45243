package casework

import (
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

// calendarClock is plain calendar time: a working day is 24 hours and a
// working hour an hour. The working-day calendar is another package's; the
// engine only needs something that adds.
type calendarClock struct{}

func (calendarClock) Add(from time.Time, d Duration) time.Time {
	switch d.Unit {
	case Minutes:
		return from.Add(time.Duration(d.N) * time.Minute)
	case WorkHours:
		return from.Add(time.Duration(d.N) * time.Hour)
	}
	return from.Add(time.Duration(d.N) * 24 * time.Hour)
}

const (
	district    = "140499"
	subdistrict = "140499001"
	community   = "140499001001"
	grid        = "140499001001001"
	reporterID  = 7
)

var t0 = time.Date(2026, 5, 11, 1, 0, 0, 0, time.UTC)

// The actors of the tables, by a short name.
var actors = map[string]Actor{
	"assistant":       {UserID: 1, Name: "A", Role: wangge.RoleAssistant, ScopeCode: grid},
	"community":       {UserID: 2, Name: "C", Role: wangge.RoleCommunityStaff, ScopeCode: community},
	"other_community": {UserID: 3, Name: "O", Role: wangge.RoleCommunityStaff, ScopeCode: "140499001002"},
	"subdistrict":     {UserID: 4, Name: "S", Role: wangge.RoleSubdistrictStaff, ScopeCode: subdistrict},
	"district":        {UserID: 5, Name: "D", Role: wangge.RoleDistrictAdmin, ScopeCode: district},
	"dept_city":       {UserID: 6, Name: "DC", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineCity},
	"dept_civil":      {UserID: 8, Name: "DV", Role: wangge.RoleDepartment, ScopeCode: district, Line: wangge.LineCivil},
	"reporter":        {UserID: reporterID, Name: "B", Role: wangge.RoleBuildingHead, ScopeCode: grid},
	"building_head":   {UserID: 9, Name: "B2", Role: wangge.RoleBuildingHead, ScopeCode: grid},
	"auditor":         {UserID: 10, Name: "U", Role: wangge.RoleAuditor, ScopeCode: district},
	"system":          {Role: wangge.RoleSystem},
}

var (
	cityDept    = Receiver{Kind: ToDepartment, Line: wangge.LineCity, Name: "city management"}
	civilDept   = Receiver{Kind: ToDepartment, Line: wangge.LineCivil, Name: "civil affairs"}
	propertyCo  = Receiver{Kind: ToOutside, Name: "property manager"}
	problemType = Category{Code: "P01", Kind: KindProblem, Name: "sanitation", Line: wangge.LineCity, Department: "city management", Mechanism: Coordination}
	serviceType = Category{Code: "S001", Kind: KindService, Name: "aid", Line: wangge.LineCivil, Department: "civil affairs",
		Mechanism: Approval, Materials: []string{"id card", "household register"}}
)

// world runs a case forward a minute per action.
type world struct {
	t   *testing.T
	e   *Engine
	now time.Time
	seq int
}

func newWorld(t *testing.T) *world {
	return &world{t: t, e: NewEngine(calendarClock{}), now: t0}
}

func (w *world) tick() time.Time {
	w.now = w.now.Add(time.Minute)
	return w.now
}

func (w *world) draft(m Mechanism) Draft {
	w.seq++
	d := Draft{
		Number: FormatNumber(2026, w.seq), Source: SourceVisit, Category: problemType, Mechanism: m,
		Location:    Location{GridCode: grid, BuildingID: 3},
		Reporter:    Reporter{Name: "reporter", Contact: "13900000000", UserID: reporterID},
		Description: "rubbish piled by the gate",
	}
	switch m {
	case General:
		d.Done = "cleared it with the cleaner"
	case Approval:
		d.Category = serviceType
	}
	return d
}

// open makes a case as the assistant.
func (w *world) open(m Mechanism) *Case {
	w.t.Helper()
	c, err := w.e.Open(w.draft(m), actors["assistant"], w.tick())
	if err != nil {
		w.t.Fatalf("open %s: %v", m, err)
	}
	return c
}

// do applies an action that must pass.
func (w *world) do(c *Case, who string, a Action) Event {
	w.t.Helper()
	ev, err := w.e.Apply(c, actors[who], a, w.tick())
	if err != nil {
		w.t.Fatalf("%s %s on %s (%s): %v", who, a.Name, c.Number, c.State, err)
	}
	return ev
}

// refused applies an action that must fail with the catalogue key.
func (w *world) refused(c *Case, who string, a Action, key string) {
	w.t.Helper()
	_, err := w.e.Apply(c, actors[who], a, w.tick())
	e, ok := err.(*wangge.Error)
	if !ok || e.Key != key {
		w.t.Fatalf("%s %s on %s (%s): got %v, want %s", who, a.Name, c.Number, c.State, err, key)
	}
}

func act(n ActionName, note string) Action { return Action{Name: n, Note: note} }

func told() Action {
	return Action{Name: ActFeedback, Channel: ChannelPhone, Note: "fixed, thanks for reporting"}
}

func splitFields(s string) []string { return strings.Fields(s) }
