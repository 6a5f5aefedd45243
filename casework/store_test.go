package casework

import (
	"testing"

	"github.com/wangge/wangge"
)

func TestActorSeesCase(t *testing.T) {
	w := newWorld(t)
	plain := w.open(Coordination) // category of the city line, reported by reporterID
	toCivil := w.open(Coordination)
	w.do(toCivil, "community", Action{Name: ActDispatch, Receiver: &civilDept})
	other := w.open(Coordination)
	other.Location.GridCode = "140499001002001" // another community's grid
	other.Reporter.UserID = 0
	tests := []struct {
		who  string
		c    *Case
		want bool
	}{
		{"assistant", plain, true},
		{"assistant", other, false},
		{"community", plain, true},
		{"other_community", plain, false},
		{"other_community", other, true},
		{"subdistrict", other, true},
		{"district", other, true},
		{"dept_city", plain, true},   // its line's
		{"dept_civil", plain, false}, // neither its line's nor dispatched to it
		{"dept_civil", toCivil, true},
		{"reporter", plain, true},
		{"reporter", other, false},
		{"building_head", plain, false}, // in his grid, but not his report
		{"auditor", plain, false},
		{"system", other, true},
	}
	for _, tc := range tests {
		if got := actors[tc.who].Sees(tc.c); got != tc.want {
			t.Errorf("%s sees %s (grid %s): got %v, want %v", tc.who, tc.c.Number, tc.c.Location.GridCode, got, tc.want)
		}
	}
	if (Actor{Role: wangge.RoleDepartment, ScopeCode: district}).Sees(plain) {
		t.Error("a department account without a line sees a case")
	}
}
