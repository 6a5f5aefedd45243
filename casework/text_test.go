package casework

import (
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
	"github.com/wangge/wangge/msg/msgtest"
)

// TestCaseworkBuildsNoUserFacingText: refusals name catalogue keys; what
// the package keeps in Chinese is the problem types' names, which are data.
func TestCaseworkBuildsNoUserFacingText(t *testing.T) {
	msgtest.NoChinese(t, ".", 60, msgtest.Allow{
		Files: map[string]string{
			"category.go": "the problem types (环境卫生, 设施损坏 …) and their departments are data, as the services catalogue's names are in seed/services.tsv",
		},
	})
}

// TestNoteKeysAreInTheCatalogue: the keys needsNote picks are not literal
// arguments of wangge.Invalid, so the root's catalogue test cannot see them.
func TestNoteKeysAreInTheCatalogue(t *testing.T) {
	if len(needsNote) == 0 {
		t.Fatal("no action needs a note")
	}
	for n, key := range needsNote {
		if !msg.Has(key) {
			t.Errorf("%s: %s is not in the catalogue", n, key)
		}
	}
}

// TestCategories: the problem types are complete, and a services entry
// becomes a category of its line and department, an application when it
// lists materials, with its promised days as the limit.
func TestCategories(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range ProblemTypes {
		if !c.Valid() || !c.Mechanism.Valid() || c.NameEn == "" || seen[c.Code] {
			t.Errorf("problem type %+v", c)
		}
		seen[c.Code] = true
	}
	tests := []struct {
		s    wangge.Service
		mech Mechanism
		lim  Duration
	}{
		{wangge.Service{Code: "S001", Name: "a", Line: wangge.LineCivil, Department: "d", Materials: []string{"id"}, TimeLimitDays: 20, Active: true}, Approval, Duration{20, WorkDays}},
		{wangge.Service{Code: "S011", Name: "b", Line: wangge.LineCivil, Department: "d", TimeLimitDays: 1, Active: true}, Coordination, Duration{1, WorkDays}},
		{wangge.Service{Code: "S050", Name: "c", Line: wangge.LineGeneral, Department: "d", Active: true}, General, Duration{}},
	}
	var services []wangge.Service
	for _, tt := range tests {
		c := ServiceCategory(tt.s)
		if c.Kind != KindService || c.Code != tt.s.Code || c.Line != tt.s.Line || c.Mechanism != tt.mech || c.Limit != tt.lim || !c.Valid() {
			t.Errorf("%s: %+v", tt.s.Code, c)
		}
		services = append(services, tt.s)
	}
	services = append(services, wangge.Service{Code: "S099", Name: "retired", Line: wangge.LineCivil, Department: "d"})
	if got := Categories(services); len(got) != len(ProblemTypes)+len(tests) {
		t.Errorf("Categories: %d, want the problem types and the active services", len(got))
	}
	all, err := wangge.DefaultServices()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if c := ServiceCategory(s); !c.Valid() {
			t.Errorf("the catalogue's %s makes no valid category", s.Code)
		}
	}
}

// TestCategoryLimitReplacesTheHandleStep: a catalogue entry's promised
// days set the deadline of the work, not the mechanism's default.
func TestCategoryLimitReplacesTheHandleStep(t *testing.T) {
	w := newWorld(t)
	d := w.draft(Coordination)
	d.Category.Limit = Duration{3, WorkDays}
	c, err := w.e.Open(d, actors["assistant"], w.tick())
	if err != nil {
		t.Fatal(err)
	}
	w.do(c, "community", Action{Name: ActDispatch, Receiver: &cityDept})
	now := w.tick()
	if _, err := w.e.Apply(c, actors["dept_city"], act(ActAccept, ""), now); err != nil {
		t.Fatal(err)
	}
	if r := c.Running(); r.Step != StepHandle || !r.Due.Equal(now.Add(72*3600e9)) {
		t.Errorf("handle deadline %+v", r)
	}
}

// TestCaseNumbers: year and six-digit sequence, and nothing else parses.
func TestCaseNumbers(t *testing.T) {
	if got := FormatNumber(2026, 123); got != "2026-000123" {
		t.Errorf("FormatNumber = %s", got)
	}
	tests := []struct {
		s         string
		year, seq int
		ok        bool
	}{
		{"2026-000123", 2026, 123, true},
		{"2027-999999", 2027, NumberSeqMax, true},
		{"2026-000000", 0, 0, false},
		{"1999-000001", 0, 0, false},
		{"2026-00012", 0, 0, false},
		{"2026_000123", 0, 0, false},
		{"2026-00012a", 0, 0, false},
		{"２026-000123", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		y, s, ok := ParseNumber(tt.s)
		if y != tt.year || s != tt.seq || ok != tt.ok {
			t.Errorf("ParseNumber(%q) = %d, %d, %v", tt.s, y, s, ok)
		}
	}
}

// TestActionNames: the names the JSON API takes are exactly the actions,
// and "create" (Open's event) is not one Apply takes.
func TestActionNames(t *testing.T) {
	for _, n := range Actions {
		if !n.Valid() {
			t.Errorf("%s is not valid", n)
		}
	}
	for _, n := range []ActionName{ActCreate, "", "Close", "delete"} {
		if n.Valid() {
			t.Errorf("%q is valid", n)
		}
		w := newWorld(t)
		c := w.open(Coordination)
		w.refused(c, "community", Action{Name: n}, "error.case.action")
	}
}
