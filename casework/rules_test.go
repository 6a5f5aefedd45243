package casework

import (
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
)

// TestNoCloseWithoutFeedback: a case closes only once every reporter who
// must hear the outcome was told this round, and the refusal says so in
// both languages.
func TestNoCloseWithoutFeedback(t *testing.T) {
	w := newWorld(t)
	c := fixtures["coordination/verified"](w)
	_, err := w.e.Apply(c, actors["community"], act(ActClose, ""), w.tick())
	e, ok := err.(*wangge.Error)
	if !ok || e.Code != wangge.EConflict || e.Key != "error.case.no_feedback" {
		t.Fatalf("close without feedback: %v", err)
	}
	if zh, en := msg.Text("zh", e.Key, nil), msg.Text("en", e.Key, nil); zh != "未反馈，不能结案" || en != "the reporter has not been told the outcome" {
		t.Errorf("texts %q / %q", zh, en)
	}
	w.do(c, "assistant", told())
	w.do(c, "community", act(ActClose, ""))
	if c.State != Closed || c.ClosedAt.IsZero() || c.Running() != nil {
		t.Errorf("closed case: state %s, closed at %v, running %v", c.State, c.ClosedAt, c.Running())
	}
	// A reopened case is a new round: the old feedback does not count.
	w.do(c, "community", act(ActReopen, "the reporter called again"))
	w.do(c, "community", Action{Name: ActDispatch, Receiver: &cityDept})
	w.do(c, "dept_city", act(ActAccept, ""))
	w.do(c, "dept_city", act(ActHandle, "cleared again"))
	w.do(c, "community", act(ActVerify, ""))
	w.refused(c, "community", act(ActClose, ""), "error.case.no_feedback")
	w.do(c, "community", told())
	w.do(c, "community", act(ActClose, ""))
	if c.Round != 1 || len(c.Feedback) != 2 || c.Feedback[1].Round != 1 {
		t.Errorf("round %d, feedback %+v", c.Round, c.Feedback)
	}
}

// TestFeedbackRecordsHowWhenWhoAndWhat: the telling is refused without a
// channel or what was said, at a time before the case or in the future, or
// as "left no contact" when the reporter did leave one.
func TestFeedbackRecordsHowWhenWhoAndWhat(t *testing.T) {
	tests := []struct {
		name    string
		contact string
		act     Action
		key     string
	}{
		{"phone", "13900000000", Action{Channel: ChannelPhone, Note: "done"}, ""},
		{"earlier the same day", "13900000000", Action{Channel: ChannelVisit, Note: "done", At: t0.Add(30 * time.Minute)}, ""},
		{"no channel", "13900000000", Action{Note: "done"}, "error.case.channel"},
		{"nothing said", "13900000000", Action{Channel: ChannelSMS}, "error.case.said"},
		{"in the future", "13900000000", Action{Channel: ChannelPhone, Note: "done", At: t0.Add(48 * time.Hour)}, "error.case.feedback_time"},
		{"before the case", "13900000000", Action{Channel: ChannelPhone, Note: "done", At: t0.Add(-time.Hour)}, "error.case.feedback_time"},
		{"no contact claimed but one left", "13900000000", Action{NoContact: true}, "error.case.has_contact"},
		{"no contact left", "", Action{NoContact: true}, ""},
		{"to a case not merged here", "13900000000", Action{Channel: ChannelPhone, Note: "done", To: "2026-000777"}, "error.case.feedback_to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			d := w.draft(General)
			d.Reporter = Reporter{Anonymous: true, Name: "dropped", Contact: tt.contact}
			c, err := w.e.Open(d, actors["assistant"], w.tick())
			if err != nil {
				t.Fatal(err)
			}
			if c.Reporter.Name != "" {
				t.Errorf("an anonymous reporter kept the name %q", c.Reporter.Name)
			}
			w.now = t0.Add(2 * time.Hour)
			a := tt.act
			a.Name = ActFeedback
			if tt.key != "" {
				w.refused(c, "assistant", a, tt.key)
				if len(c.Feedback) != 0 || len(c.Events) != 1 {
					t.Errorf("a refused feedback left %+v", c.Feedback)
				}
				return
			}
			ev := w.do(c, "assistant", a)
			f := c.Feedback[0]
			if ev.Feedback == nil || *ev.Feedback != f || f.ByID != actors["assistant"].UserID || f.Number != c.Number ||
				f.NoContact != a.NoContact || f.Channel != a.Channel || f.Said != a.Note {
				t.Errorf("feedback %+v, event %+v", f, ev.Feedback)
			}
			if want := a.At; !want.IsZero() && !f.At.Equal(want) || want.IsZero() && !f.At.Equal(w.now) {
				t.Errorf("told at %v", f.At)
			}
			w.do(c, "assistant", act(ActClose, ""))
		})
	}
}

// TestReworkIsCounted: each time the community sends the work back the
// count grows, and the case runs the handle step again.
func TestReworkIsCounted(t *testing.T) {
	w := newWorld(t)
	c := fixtures["coordination/handled"](w)
	w.refused(c, "community", act(ActRework, ""), "error.case.reason")
	for i := 1; i <= 2; i++ {
		w.do(c, "community", act(ActRework, "still dirty behind the bins"))
		if c.State != InProgress || c.Reworks != i || c.Running().Step != StepHandle {
			t.Fatalf("rework %d: state %s, reworks %d, step %v", i, c.State, c.Reworks, c.Running())
		}
		w.do(c, "dept_city", act(ActHandle, "cleaned again"))
	}
	w.do(c, "community", act(ActVerify, "clean now"))
	if c.Reworks != 2 || c.State != Verified {
		t.Errorf("reworks %d, state %s", c.Reworks, c.State)
	}
}

// TestReturnAndRedispatch: a receiver returns with a reason; the community
// dispatches to another (改派, counted), never back to the one that
// returned it.
func TestReturnAndRedispatch(t *testing.T) {
	w := newWorld(t)
	c := fixtures["coordination/dispatched"](w)
	w.refused(c, "dept_civil", act(ActReturn, "not ours"), "error.case.not_dispatched")
	w.refused(c, "dept_city", act(ActReturn, " "), "error.case.reason")
	ev := w.do(c, "dept_city", act(ActReturn, "the courtyard is private: the property manager's"))
	if c.State != Returned || c.Receiver != nil || *c.ReturnedBy != cityDept || *ev.Receiver != cityDept {
		t.Fatalf("after return: %s, %v, %v", c.State, c.Receiver, c.ReturnedBy)
	}
	w.refused(c, "community", Action{Name: ActDispatch, Receiver: &cityDept}, "error.case.same_receiver")
	w.refused(c, "community", Action{Name: ActDispatch, Receiver: &Receiver{Kind: ToOutside}}, "error.case.receiver")
	w.refused(c, "community", Action{Name: ActDispatch, Receiver: &Receiver{Kind: ToDepartment, Line: "roads", Name: "x"}}, "error.case.receiver")
	w.refused(c, "community", Action{Name: ActDispatch}, "error.case.receiver")
	w.do(c, "community", Action{Name: ActDispatch, Receiver: &civilDept})
	if c.Redispatches != 1 || *c.Receiver != civilDept {
		t.Errorf("redispatches %d, receiver %v", c.Redispatches, c.Receiver)
	}
	w.refused(c, "dept_city", act(ActAccept, ""), "error.case.not_dispatched")
	w.do(c, "dept_civil", act(ActAccept, ""))
}

// TestDeferralApprovedByTheLevelAbove: the request waits for the level
// above the one who asked; granted, it moves the running deadline and
// counts as 缓办; refused, nothing moves.
func TestDeferralApprovedByTheLevelAbove(t *testing.T) {
	tests := []struct {
		asker, decider string
		key            string
	}{
		{"assistant", "community", ""},
		{"assistant", "subdistrict", ""},
		{"assistant", "assistant", "error.case.role"},
		{"community", "community", "error.case.defer_level"},
		{"community", "subdistrict", ""},
		{"community", "district", ""},
		{"dept_city", "community", "error.case.defer_level"},
		{"dept_city", "subdistrict", ""},
		{"dept_city", "dept_city", "error.case.role"},
	}
	for _, tt := range tests {
		for _, grant := range []bool{true, false} {
			t.Run(tt.asker+"/"+tt.decider, func(t *testing.T) {
				w := newWorld(t)
				c := fixtures["coordination/in_progress"](w)
				due := c.Running().Due
				w.refused(c, tt.asker, Action{Name: ActDefer, Note: "waiting for parts", Due: due.Add(-time.Hour)}, "error.case.due_later")
				w.refused(c, tt.asker, Action{Name: ActDefer, Due: due.Add(time.Hour)}, "error.case.reason")
				until := due.Add(72 * time.Hour)
				w.do(c, tt.asker, Action{Name: ActDefer, Note: "waiting for parts", Due: until})
				w.refused(c, tt.asker, Action{Name: ActDefer, Note: "again", Due: until.Add(time.Hour)}, "error.case.defer_pending")
				decision := Action{Name: ActApproveDefer}
				if !grant {
					decision = act(ActRejectDefer, "do it with what you have")
				}
				if tt.key != "" {
					w.refused(c, tt.decider, decision, tt.key)
					return
				}
				w.do(c, tt.decider, decision)
				wantDue, wantCount := due, 0
				if grant {
					wantDue, wantCount = until, 1
				}
				if c.Deferral != nil || c.Deferrals != wantCount || !c.Running().Due.Equal(wantDue) {
					t.Errorf("deferral %v, count %d, due %v", c.Deferral, c.Deferrals, c.Running().Due)
				}
				w.refused(c, tt.decider, Action{Name: ActApproveDefer}, "error.case.no_deferral")
			})
		}
	}
}

// TestMergeTellsEveryReporter: the duplicates' reporters, and those of
// cases merged into the duplicate before, must all hear the outcome before
// the case they joined may close.
func TestMergeTellsEveryReporter(t *testing.T) {
	w := newWorld(t)
	first, second, main := w.open(Coordination), w.open(Coordination), w.open(Coordination)
	second.Reporter = Reporter{Anonymous: true}
	w.refused(first, "community", Action{Name: ActMerge, Into: first}, "error.case.merge_self")
	w.refused(first, "community", Action{Name: ActMerge}, "error.case.merge_self")
	w.refused(first, "assistant", Action{Name: ActMerge, Into: main}, "error.case.role")
	w.do(first, "community", Action{Name: ActMerge, Into: second, Note: "same heap"})
	ev := w.do(second, "community", Action{Name: ActMerge, Into: main, Note: "same heap"})
	if second.State != Merged || second.MergedInto != main.Number || ev.Ref != main.Number || first.State != Merged {
		t.Fatalf("merged: %s into %q", second.State, second.MergedInto)
	}
	if got := main.Recipients(); len(got) != 3 || got[1] != second.Number || got[2] != first.Number {
		t.Fatalf("recipients %v", got)
	}
	if last := main.Events[len(main.Events)-1]; last.Action != ActMerge || last.Ref != second.Number {
		t.Errorf("the main case's timeline does not show the merge: %+v", last)
	}
	w.refused(second, "community", act(ActDispatch, ""), "error.case.ended")
	w.do(main, "community", Action{Name: ActDispatch, Receiver: &propertyCo})
	w.do(main, "community", act(ActAccept, "the manager will clear it"))
	w.do(main, "community", act(ActHandle, "the manager cleared it"))
	w.do(main, "community", act(ActVerify, ""))
	w.do(main, "community", told())
	w.refused(main, "community", act(ActClose, ""), "error.case.no_feedback")
	w.do(main, "community", Action{Name: ActFeedback, To: first.Number, Channel: ChannelSMS, Note: "cleared"})
	w.refused(main, "community", act(ActClose, ""), "error.case.no_feedback")
	w.do(main, "community", Action{Name: ActFeedback, To: second.Number, NoContact: true})
	w.do(main, "community", act(ActClose, ""))
	closed := fixtures["coordination/closed"](w)
	w.refused(main, "community", Action{Name: ActMerge, Into: closed}, "error.case.ended")
	w.refused(w.open(Coordination), "community", Action{Name: ActMerge, Into: closed}, "error.case.merge_closed")
	elsewhere := w.open(Coordination)
	elsewhere.Location.GridCode = "140499001002001"
	w.refused(w.open(Coordination), "community", Action{Name: ActMerge, Into: elsewhere}, "error.case.scope")
}

// TestReopenWindow: the reporter may reopen their own case within the
// configured days after the close; staff at any time; anyone else never.
func TestReopenWindow(t *testing.T) {
	tests := []struct {
		who   string
		after time.Duration
		days  int
		key   string
	}{
		{"reporter", time.Hour, DefaultReopenDays, ""},
		{"reporter", 15 * 24 * time.Hour, DefaultReopenDays, ""},
		{"reporter", 15*24*time.Hour + time.Minute, DefaultReopenDays, "error.case.reopen_window"},
		{"reporter", 3 * 24 * time.Hour, 2, "error.case.reopen_window"},
		{"reporter", 3 * 24 * time.Hour, 30, ""},
		{"building_head", time.Hour, DefaultReopenDays, "error.case.role"},
		{"assistant", time.Hour, DefaultReopenDays, "error.case.role"},
		{"community", 400 * 24 * time.Hour, DefaultReopenDays, ""},
		{"district", 400 * 24 * time.Hour, DefaultReopenDays, ""},
		{"other_community", time.Hour, DefaultReopenDays, "error.case.scope"},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			w := newWorld(t)
			w.e.ReopenDays = tt.days
			c := fixtures["general/closed"](w)
			w.now = c.ClosedAt.Add(tt.after - time.Minute) // do and refused tick a minute
			if tt.key != "" {
				w.refused(c, tt.who, act(ActReopen, "still there"), tt.key)
				return
			}
			w.refused(c, tt.who, act(ActReopen, ""), "error.case.reason")
			w.now = c.ClosedAt.Add(tt.after - time.Minute)
			w.do(c, tt.who, act(ActReopen, "still there"))
			if c.State != Accepted || c.Round != 1 || !c.ClosedAt.IsZero() || c.Running().Step != StepHandle {
				t.Errorf("reopened: %s round %d", c.State, c.Round)
			}
		})
	}
}

// TestEmergencyEscalatesUnacknowledged: nobody acknowledging within the
// limit takes the emergency to the sub-district, then the district, each an
// event; the sub-district may acknowledge once it is theirs.
func TestEmergencyEscalatesUnacknowledged(t *testing.T) {
	w := newWorld(t)
	w.e.Limits[Emergency][StepAcknowledge] = Duration{5, Minutes}
	c := w.open(Emergency)
	created := c.CreatedAt
	if c.Priority != PriorityUrgent || c.Running().Step != StepAcknowledge || !c.Running().Due.Equal(created.Add(5*time.Minute)) {
		t.Fatalf("new emergency: %s, %+v", c.Priority, c.Running())
	}
	w.now = created.Add(3 * time.Minute)
	w.refused(c, "system", act(ActEscalate, ""), "error.case.not_overdue")
	w.refused(c, "subdistrict", act(ActAcknowledge, ""), "error.case.role")
	w.now = created.Add(4 * time.Minute)
	ev := w.do(c, "system", act(ActEscalate, ""))
	if ev.Level != wangge.LevelSubdistrict || c.Level != wangge.LevelSubdistrict || c.Escalations != 1 ||
		!c.Deadlines[0].Escalated || c.Running().Level != wangge.LevelSubdistrict || c.State != Reported {
		t.Fatalf("first escalation: %+v, %+v", ev, c.Deadlines)
	}
	w.refused(c, "district", act(ActAcknowledge, ""), "error.case.role")
	w.now = c.Running().Due
	w.do(c, "system", act(ActEscalate, ""))
	if c.Level != wangge.LevelDistrict || c.Escalations != 2 {
		t.Fatalf("second escalation: level %v", c.Level)
	}
	w.now = c.Running().Due
	w.refused(c, "system", act(ActEscalate, ""), "error.case.top_level")
	w.refused(c, "community", act(ActEscalate, ""), "error.case.role")
	w.do(c, "subdistrict", act(ActAcknowledge, "on our way"))
	if c.State != Acknowledged || c.Running().Step != StepHandle {
		t.Errorf("acknowledged: %s, %+v", c.State, c.Running())
	}
}

// TestOverdueStepsEscalate: any mechanism's running deadline that ran out
// escalates, and escalating gives the level its own deadline for the step.
func TestOverdueStepsEscalate(t *testing.T) {
	for _, fx := range []string{"general/handled", "coordination/dispatched", "coordination/in_progress", "approval/pending_community"} {
		t.Run(fx, func(t *testing.T) {
			w := newWorld(t)
			c := build(w, fx)
			d := *c.Running()
			w.now = d.Due.Add(-2 * time.Minute)
			w.refused(c, "system", act(ActEscalate, ""), "error.case.not_overdue")
			w.now = d.Due.Add(-time.Minute)
			w.do(c, "system", act(ActEscalate, ""))
			if r := c.Running(); r.Step != d.Step || r.Level != wangge.LevelSubdistrict || !r.Due.After(d.Due) {
				t.Errorf("after escalation: %+v", r)
			}
		})
	}
}

func build(w *world, fx string) *Case { return fixtures[fx](w) }

// TestApprovalChain: materials against the catalogue entry's list, a
// return for materials that stops the clock, each step decided by its
// level with a reason, and a chain the district configures.
func TestApprovalChain(t *testing.T) {
	w := newWorld(t)
	c := w.open(Approval)
	if c.Running() != nil {
		t.Fatalf("the clock runs while materials are collected: %+v", c.Running())
	}
	w.refused(c, "assistant", Action{Name: ActSubmit, Materials: []string{"id card"}}, "error.case.materials")
	w.do(c, "assistant", Action{Name: ActSubmit, Materials: []string{"id card", " household register ", "id card"}})
	if len(c.Materials) != 2 || c.State != Pending || c.Step != 0 || c.Running().Step != StepDecide {
		t.Fatalf("submitted: %v %s %d", c.Materials, c.State, c.Step)
	}
	w.refused(c, "subdistrict", act(ActApprove, "fine"), "error.case.role")
	w.refused(c, "community", act(ActApprove, ""), "error.case.reason")
	w.do(c, "community", act(ActApprove, "meets the conditions"))
	w.refused(c, "community", act(ActApprove, "again"), "error.case.role")
	w.do(c, "subdistrict", act(ActReturn, "income proof missing"))
	if c.State != Collecting || c.Running() != nil || c.Step != 1 {
		t.Fatalf("returned for materials: %s, step %d, running %v", c.State, c.Step, c.Running())
	}
	w.do(c, "assistant", Action{Name: ActSubmit, Materials: []string{"income proof"}})
	w.do(c, "subdistrict", act(ActApprove, "complete now"))
	if c.State != Approved {
		t.Fatalf("after the chain: %s", c.State)
	}

	short := newWorld(t)
	short.e.Chain = []wangge.Level{wangge.LevelCommunity}
	c = short.open(Approval)
	short.do(c, "assistant", Action{Name: ActSubmit, Materials: serviceType.Materials})
	short.do(c, "community", act(ActApprove, "meets the conditions"))
	if c.State != Approved {
		t.Errorf("a one-step chain: %s", c.State)
	}

	long := newWorld(t)
	long.e.Chain = []wangge.Level{wangge.LevelCommunity, wangge.LevelSubdistrict, wangge.LevelDistrict}
	c = long.open(Approval)
	long.do(c, "community", Action{Name: ActSubmit, Materials: serviceType.Materials})
	long.do(c, "community", act(ActApprove, "meets the conditions"))
	long.do(c, "subdistrict", act(ActApprove, "meets the conditions"))
	long.refused(c, "subdistrict", act(ActReject, "no"), "error.case.role")
	long.do(c, "district", act(ActReject, "the district's quota is spent"))
	if c.State != Rejected || c.Step != 2 {
		t.Errorf("a three-step chain: %s at step %d", c.State, c.Step)
	}
}

// TestSuperviseTightensTheDeadline: supervision is counted, needs a note,
// and may only bring the running deadline nearer.
func TestSuperviseTightensTheDeadline(t *testing.T) {
	w := newWorld(t)
	c := fixtures["coordination/in_progress"](w)
	due := c.Running().Due
	w.refused(c, "subdistrict", act(ActSupervise, ""), "error.case.note_supervise")
	w.refused(c, "subdistrict", Action{Name: ActSupervise, Note: "hurry", Due: due.Add(time.Hour)}, "error.case.due_tighter")
	w.refused(c, "subdistrict", Action{Name: ActSupervise, Note: "hurry", Due: t0}, "error.case.due_tighter")
	w.do(c, "subdistrict", act(ActSupervise, "residents complain daily"))
	ev := w.do(c, "district", Action{Name: ActSupervise, Note: "by tomorrow", Due: due.Add(-time.Hour)})
	if c.Supervisions != 2 || !c.Running().Due.Equal(due.Add(-time.Hour)) || !ev.Due.Equal(due.Add(-time.Hour)) {
		t.Errorf("supervisions %d, due %v", c.Supervisions, c.Running().Due)
	}
	a := fixtures["approval/collecting"](w)
	w.refused(a, "district", Action{Name: ActSupervise, Note: "hurry", Due: w.now.Add(time.Hour)}, "error.case.no_deadline")
}

// TestOpenChecksWhoAndWhat: who may raise a case of each mechanism, and
// what a draft must hold.
func TestOpenChecksWhoAndWhat(t *testing.T) {
	may := map[Mechanism]string{
		General:      "assistant community",
		Coordination: "assistant community dept_city dept_civil reporter building_head system",
		Emergency:    "assistant community reporter building_head system",
		Approval:     "assistant community",
	}
	for _, m := range Mechanisms {
		for who, a := range actors {
			w := newWorld(t)
			_, err := w.e.Open(w.draft(m), a, w.tick())
			want := containsWord(may[m], who)
			if who == "other_community" {
				want = false
			}
			if (err == nil) != want {
				t.Errorf("%s opens %s: %v, want allowed %v", who, m, err, want)
			}
		}
	}
	tests := []struct {
		name   string
		change func(d *Draft)
		key    string
	}{
		{"no mechanism", func(d *Draft) { d.Mechanism = "urgent" }, "error.case.mechanism_unknown"},
		{"community code for grid", func(d *Draft) { d.Location.GridCode = community }, "error.case.grid"},
		{"bad number", func(d *Draft) { d.Number = "26-12" }, "error.case.number"},
		{"bad source", func(d *Draft) { d.Source = "fax" }, "error.case.source"},
		{"no category", func(d *Draft) { d.Category = Category{} }, "error.case.category"},
		{"bad priority", func(d *Draft) { d.Priority = "asap" }, "error.case.priority"},
		{"no description", func(d *Draft) { d.Description = "  " }, "error.case.description"},
		{"point out of range", func(d *Draft) { d.Location.Point = &Point{Lng: 200, Lat: 30} }, "error.case.point"},
		{"general without what was done", func(d *Draft) { d.Done = "" }, "error.case.done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			d := w.draft(General)
			tt.change(&d)
			_, err := w.e.Open(d, actors["assistant"], w.tick())
			if e, ok := err.(*wangge.Error); !ok || e.Key != tt.key {
				t.Errorf("got %v, want %s", err, tt.key)
			}
		})
	}
	w := newWorld(t)
	d := w.draft(Coordination)
	d.Reporter.UserID = 99
	c, err := w.e.Open(d, actors["building_head"], w.tick())
	if err != nil || c.Reporter.UserID != actors["building_head"].UserID || c.Priority != PriorityNormal || c.Level != wangge.LevelCommunity {
		t.Errorf("a building head's report: %v, %+v", err, c)
	}
	if ev := c.Events[0]; ev.Action != ActCreate || ev.To != Accepted || ev.From != "" || ev.Seq != 1 {
		t.Errorf("first event %+v", ev)
	}
}

func containsWord(s, w string) bool {
	for _, f := range splitFields(s) {
		if f == w {
			return true
		}
	}
	return false
}
