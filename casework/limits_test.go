package casework

import (
	"slices"
	"testing"
	"time"
)

// TestLimitByCategoryMechanismStep: a step's limit is the district's row
// for the category where one is set, otherwise the category's own limit
// (handle and decide only), otherwise the mechanism's; a row of another
// category, mechanism or step changes nothing.
func TestLimitByCategoryMechanismStep(t *testing.T) {
	e := NewEngine(calendarClock{})
	e.ByCategory = CategoryLimits{
		"P01":  {Coordination: {StepHandle: {3, WorkDays}, StepAccept: {2, WorkHours}}, Emergency: {StepAcknowledge: {5, Minutes}}},
		"S001": {Approval: {StepFeedback: {2, WorkDays}}},
		"P02":  {Coordination: {StepHandle: {0, WorkDays}}}, // an empty row is no row
	}
	promised := serviceType
	promised.Limit = Duration{20, WorkDays}
	other := problemType
	other.Code = "P02"
	tests := []struct {
		name string
		cat  Category
		m    Mechanism
		s    Step
		want Duration
		def  Duration
		ok   bool
	}{
		{"row replaces the mechanism's", problemType, Coordination, StepHandle, Duration{3, WorkDays}, Duration{5, WorkDays}, true},
		{"row of a second step", problemType, Coordination, StepAccept, Duration{2, WorkHours}, Duration{4, WorkHours}, true},
		{"no row: the mechanism's", problemType, Coordination, StepVerify, Duration{1, WorkDays}, Duration{1, WorkDays}, true},
		{"row of another mechanism", problemType, Emergency, StepAcknowledge, Duration{5, Minutes}, Duration{10, Minutes}, true},
		{"the other mechanism's other step", problemType, Emergency, StepHandle, Duration{120, Minutes}, Duration{120, Minutes}, true},
		{"category's own limit on decide", promised, Approval, StepDecide, Duration{20, WorkDays}, Duration{20, WorkDays}, true},
		{"row beats nothing on feedback", promised, Approval, StepFeedback, Duration{2, WorkDays}, Duration{1, WorkDays}, true},
		{"an empty row is ignored", other, Coordination, StepHandle, Duration{5, WorkDays}, Duration{5, WorkDays}, true},
		{"a step the mechanism has not", problemType, General, StepVerify, Duration{}, Duration{}, false},
	}
	for _, tt := range tests {
		got, ok := e.Limit(tt.cat, tt.m, tt.s)
		def, defOK := e.DefaultLimit(tt.cat, tt.m, tt.s)
		if got != tt.want || ok != tt.ok || def != tt.def || defOK != tt.ok {
			t.Errorf("%s: Limit %v %v, DefaultLimit %v %v; want %v %v, %v", tt.name, got, ok, def, defOK, tt.want, tt.def, tt.ok)
		}
	}
}

// TestCaseRunsOnCategoryLimit: a new case's first deadline and a later
// step's come from the district's rows for its category.
func TestCaseRunsOnCategoryLimit(t *testing.T) {
	w := newWorld(t)
	w.e.ByCategory = CategoryLimits{"P01": {Emergency: {StepAcknowledge: {3, Minutes}}, Coordination: {StepDispatch: {2, WorkHours}}}}
	c := w.open(Emergency)
	if d := c.Running(); d.Step != StepAcknowledge || !d.Due.Equal(c.CreatedAt.Add(3*time.Minute)) || d.Unit != Minutes {
		t.Errorf("emergency's acknowledge deadline: %+v, want 3 minutes after %s", d, c.CreatedAt)
	}
	co := w.open(Coordination)
	if d := co.Running(); d == nil || d.Step != StepDispatch || d.Due.Sub(d.Start) != 2*time.Hour {
		t.Errorf("coordination's dispatch deadline: %+v, want 2 working hours", d)
	}
}

// TestStepsOfMechanisms: the steps the administrator's table lists per
// mechanism are those the default limits time, in the order a case meets
// them.
func TestStepsOfMechanisms(t *testing.T) {
	want := map[Mechanism][]Step{
		General:      {StepHandle, StepFeedback},
		Coordination: {StepDispatch, StepAccept, StepHandle, StepVerify, StepFeedback},
		Emergency:    {StepAcknowledge, StepHandle, StepFeedback},
		Approval:     {StepDecide, StepFeedback},
	}
	for m, w := range want {
		if got := Steps(m); !slices.Equal(got, w) {
			t.Errorf("Steps(%s) = %v, want %v", m, got, w)
		}
	}
}
