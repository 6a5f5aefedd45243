package casework

import (
	"testing"
	"time"
)

// TestExpectedIsTheWorksEnd: a public path promises the end of the work,
// not of the running step — a coordination case just received is expected
// after dispatch (1 day), acceptance (4 hours) and the work (5 days); once
// accepted, after the work; once handled, the verify step's due is all
// that is left; an emergency after its acknowledgement and handling; a
// closed case or one whose clock stopped promises nothing.
func TestExpectedIsTheWorksEnd(t *testing.T) {
	w := newWorld(t)
	day, hour := 24*time.Hour, time.Hour

	c := w.open(Coordination)
	created := c.CreatedAt
	if got, want := w.e.Expected(c), created.Add(day+4*hour+5*day); !got.Equal(want) {
		t.Errorf("received: expected %v, want %v (dispatch + accept + handle)", got, want)
	}
	w.do(c, "community", Action{Name: ActDispatch, Receiver: &cityDept})
	dispatched := w.now
	if got, want := w.e.Expected(c), dispatched.Add(4*hour+5*day); !got.Equal(want) {
		t.Errorf("dispatched: expected %v, want %v", got, want)
	}
	w.do(c, "dept_city", act(ActAccept, ""))
	accepted := w.now
	if got, want := w.e.Expected(c), accepted.Add(5*day); !got.Equal(want) {
		t.Errorf("accepted: expected %v, want %v (the work's own limit)", got, want)
	}
	w.do(c, "dept_city", act(ActHandle, "cleared"))
	if got, want := w.e.Expected(c), c.Running().Due; !got.Equal(want) {
		t.Errorf("handled: expected %v, want the verify step's due %v", got, want)
	}
	w.do(c, "community", act(ActVerify, "checked"))
	w.do(c, "community", told())
	w.do(c, "community", act(ActClose, ""))
	if got := w.e.Expected(c); !got.IsZero() {
		t.Errorf("closed: expected %v, want none", got)
	}

	e := w.open(Emergency)
	if got, want := w.e.Expected(e), e.CreatedAt.Add(10*time.Minute+120*time.Minute); !got.Equal(want) {
		t.Errorf("emergency: expected %v, want %v (acknowledge + handle)", got, want)
	}

	a := w.open(Approval)
	if got := w.e.Expected(a); !got.IsZero() {
		t.Errorf("an application collecting materials: expected %v, want none (its clock waits on the applicant)", got)
	}
}
