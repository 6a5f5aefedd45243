package casework

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// fixtures bring a case to a state by the actions that lead there.
var fixtures map[string]func(w *world) *Case

func init() { fixtures = fixtureTable() }

func fixtureTable() map[string]func(w *world) *Case {
	return map[string]func(w *world) *Case{
		"general/handled": func(w *world) *Case { return w.open(General) },
		"general/handled_told": func(w *world) *Case {
			c := w.open(General)
			w.do(c, "assistant", told())
			return c
		},
		"general/closed": func(w *world) *Case {
			c := fixtures["general/handled_told"](w)
			w.do(c, "assistant", act(ActClose, ""))
			return c
		},
		"general/reopened": func(w *world) *Case {
			c := fixtures["general/closed"](w)
			w.do(c, "reporter", act(ActReopen, "the rubbish is back"))
			return c
		},
		"general/merged": func(w *world) *Case {
			c, into := w.open(General), w.open(General)
			w.do(c, "community", Action{Name: ActMerge, Into: into})
			return c
		},
		"coordination/accepted": func(w *world) *Case { return w.open(Coordination) },
		"coordination/dispatched": func(w *world) *Case {
			c := w.open(Coordination)
			w.do(c, "community", Action{Name: ActDispatch, Receiver: &cityDept})
			return c
		},
		"coordination/dispatched_outside": func(w *world) *Case {
			c := w.open(Coordination)
			w.do(c, "community", Action{Name: ActDispatch, Receiver: &propertyCo})
			return c
		},
		"coordination/returned": func(w *world) *Case {
			c := fixtures["coordination/dispatched"](w)
			w.do(c, "dept_city", act(ActReturn, "not ours: the courtyard is private"))
			return c
		},
		"coordination/in_progress": func(w *world) *Case {
			c := fixtures["coordination/dispatched"](w)
			w.do(c, "dept_city", act(ActAccept, ""))
			return c
		},
		"coordination/deferral_pending": func(w *world) *Case {
			c := fixtures["coordination/in_progress"](w)
			w.do(c, "dept_city", Action{Name: ActDefer, Note: "waiting for the truck", Due: c.Running().Due.Add(48 * 3600e9)})
			return c
		},
		"coordination/handled": func(w *world) *Case {
			c := fixtures["coordination/in_progress"](w)
			w.do(c, "dept_city", act(ActHandle, "cleared"))
			return c
		},
		"coordination/verified": func(w *world) *Case {
			c := fixtures["coordination/handled"](w)
			w.do(c, "community", act(ActVerify, "checked on site"))
			return c
		},
		"coordination/verified_told": func(w *world) *Case {
			c := fixtures["coordination/verified"](w)
			w.do(c, "assistant", told())
			return c
		},
		"coordination/closed": func(w *world) *Case {
			c := fixtures["coordination/verified_told"](w)
			w.do(c, "community", act(ActClose, ""))
			return c
		},
		"coordination/escalated": func(w *world) *Case {
			c := w.open(Coordination)
			w.now = c.Running().Due
			w.do(c, "system", act(ActEscalate, ""))
			return c
		},
		"coordination/in_progress_outside": func(w *world) *Case {
			c := fixtures["coordination/dispatched_outside"](w)
			w.do(c, "community", act(ActAccept, "the manager will clear it"))
			return c
		},
		"emergency/reported": func(w *world) *Case { return w.open(Emergency) },
		"emergency/overdue": func(w *world) *Case {
			c := w.open(Emergency)
			w.now = c.Running().Due.Add(-time.Minute) // the table's check runs a minute later
			return c
		},
		"emergency/escalated": func(w *world) *Case {
			c := fixtures["emergency/overdue"](w)
			w.do(c, "system", act(ActEscalate, ""))
			return c
		},
		"approval/returned": func(w *world) *Case {
			c := fixtures["approval/pending_subdistrict"](w)
			w.do(c, "subdistrict", act(ActReturn, "income proof missing"))
			return c
		},
		"emergency/acknowledged": func(w *world) *Case {
			c := w.open(Emergency)
			w.do(c, "community", act(ActAcknowledge, ""))
			return c
		},
		"emergency/handled": func(w *world) *Case {
			c := fixtures["emergency/acknowledged"](w)
			w.do(c, "assistant", act(ActHandle, "gas valve shut, residents out"))
			return c
		},
		"emergency/handled_told": func(w *world) *Case {
			c := fixtures["emergency/handled"](w)
			w.do(c, "community", told())
			return c
		},
		"emergency/closed": func(w *world) *Case {
			c := fixtures["emergency/handled_told"](w)
			w.do(c, "community", act(ActClose, ""))
			return c
		},
		"approval/collecting": func(w *world) *Case { return w.open(Approval) },
		"approval/pending_community": func(w *world) *Case {
			c := w.open(Approval)
			w.do(c, "assistant", Action{Name: ActSubmit, Materials: serviceType.Materials})
			return c
		},
		"approval/pending_subdistrict": func(w *world) *Case {
			c := fixtures["approval/pending_community"](w)
			w.do(c, "community", act(ActApprove, "meets the conditions"))
			return c
		},
		"approval/approved": func(w *world) *Case {
			c := fixtures["approval/pending_subdistrict"](w)
			w.do(c, "subdistrict", act(ActApprove, "meets the conditions"))
			return c
		},
		"approval/rejected": func(w *world) *Case {
			c := fixtures["approval/pending_community"](w)
			w.do(c, "community", act(ActReject, "income above the line"))
			return c
		},
		"approval/approved_told": func(w *world) *Case {
			c := fixtures["approval/approved"](w)
			w.do(c, "assistant", told())
			return c
		},
		"approval/closed": func(w *world) *Case {
			c := fixtures["approval/approved_told"](w)
			w.do(c, "community", act(ActClose, ""))
			return c
		},
	}
}

// allowed is the whole decision table: per fixture, per actor, the actions
// that pass. Every action not listed for an actor must be refused. Actors
// not listed (the other community's staff, the department of another line,
// a building head who did not report, the auditor, the system before any
// deadline ran out) may do nothing anywhere.
var allowed = map[string]map[string]string{
	"general/handled": {
		"assistant": "feedback defer", "community": "feedback defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"general/handled_told": {
		"assistant": "feedback close satisfaction defer", "community": "feedback close satisfaction defer merge",
		"subdistrict": "supervise", "district": "supervise", "reporter": "satisfaction",
	},
	"general/closed": {
		"assistant": "satisfaction", "community": "satisfaction reopen",
		"subdistrict": "reopen", "district": "reopen", "reporter": "satisfaction reopen",
	},
	"general/reopened": {
		"assistant": "handle defer", "community": "handle defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"general/merged": {},
	"coordination/accepted": {
		"assistant": "defer", "community": "dispatch defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"coordination/dispatched": {
		"assistant": "defer", "community": "defer merge", "dept_city": "accept return defer",
		"subdistrict": "supervise", "district": "supervise",
	},
	"coordination/dispatched_outside": {
		"assistant": "defer", "community": "accept return defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"coordination/returned": {
		"assistant": "defer", "community": "dispatch defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"coordination/in_progress": {
		"assistant": "defer", "community": "defer merge", "dept_city": "handle defer",
		"subdistrict": "supervise", "district": "supervise",
	},
	"coordination/deferral_pending": {
		"community": "merge", "dept_city": "handle",
		"subdistrict": "supervise approve_defer reject_defer", "district": "supervise approve_defer reject_defer",
	},
	"coordination/handled": {
		"assistant": "defer", "community": "verify rework defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"coordination/verified": {
		"assistant": "feedback defer", "community": "feedback defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"coordination/verified_told": {
		"assistant": "feedback satisfaction defer", "community": "feedback close satisfaction defer merge",
		"subdistrict": "supervise", "district": "supervise", "reporter": "satisfaction",
	},
	"coordination/closed": {
		"assistant": "satisfaction", "community": "satisfaction reopen",
		"subdistrict": "reopen", "district": "reopen", "reporter": "satisfaction reopen",
	},
	"coordination/escalated": {
		"assistant": "defer", "community": "dispatch defer merge",
		"subdistrict": "dispatch supervise merge", "district": "supervise",
	},
	"coordination/in_progress_outside": {
		"assistant": "defer", "community": "handle defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"emergency/overdue": {
		"assistant": "defer", "community": "acknowledge defer merge",
		"subdistrict": "supervise", "district": "supervise", "system": "escalate",
	},
	"emergency/escalated": {
		"assistant": "defer", "community": "acknowledge defer merge",
		"subdistrict": "acknowledge supervise merge", "district": "supervise",
	},
	"approval/returned": {
		"assistant": "submit", "community": "submit merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"emergency/reported": {
		"assistant": "defer", "community": "acknowledge defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"emergency/acknowledged": {
		"assistant": "handle defer", "community": "handle defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"emergency/handled": {
		"assistant": "feedback defer", "community": "feedback defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"emergency/handled_told": {
		"assistant": "feedback satisfaction defer", "community": "feedback close satisfaction defer merge",
		"subdistrict": "supervise", "district": "supervise", "reporter": "satisfaction",
	},
	"emergency/closed": {
		"assistant": "satisfaction", "community": "satisfaction reopen",
		"subdistrict": "reopen", "district": "reopen", "reporter": "satisfaction reopen",
	},
	"approval/collecting": {
		"assistant": "submit", "community": "submit merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"approval/pending_community": {
		"assistant": "defer", "community": "return approve reject defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"approval/pending_subdistrict": {
		"assistant": "defer", "community": "defer merge",
		"subdistrict": "return approve reject supervise", "district": "supervise",
	},
	"approval/approved": {
		"assistant": "feedback defer", "community": "feedback defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"approval/rejected": {
		"assistant": "feedback defer", "community": "feedback defer merge",
		"subdistrict": "supervise", "district": "supervise",
	},
	"approval/approved_told": {
		"assistant": "feedback satisfaction defer", "community": "feedback close satisfaction defer merge",
		"subdistrict": "supervise", "district": "supervise", "reporter": "satisfaction",
	},
	"approval/closed": {
		"assistant": "satisfaction", "community": "satisfaction reopen",
		"subdistrict": "reopen", "district": "reopen", "reporter": "satisfaction reopen",
	},
}

// goodArgs are arguments with which the action passes wherever the table
// allows it, so that a refusal in the table is the role's, the state's or
// the mechanism's, never the arguments'.
func goodArgs(w *world, c *Case, n ActionName) Action {
	a := Action{Name: n, Note: "a note"}
	switch n {
	case ActFeedback:
		a.Channel = ChannelPhone
	case ActDispatch:
		a.Receiver = &cityDept
		if c.ReturnedBy != nil && *c.ReturnedBy == cityDept {
			a.Receiver = &propertyCo
		}
	case ActSubmit:
		a.Materials = c.Category.Materials
	case ActDefer:
		if d := c.Running(); d != nil {
			a.Due = d.Due.Add(72 * 3600e9)
		}
	case ActMerge:
		w.seq += 100
		into := *c
		into.Number, into.State, into.Events = FormatNumber(2026, w.seq), Accepted, nil
		a.Into = &into
	case ActSatisfaction:
		a.Satisfaction = Satisfied
	}
	return a
}

// TestEveryTransitionPerMechanismAndRole walks the table: for every
// fixture, actor and action, Allowed lists exactly the table's actions,
// Apply passes exactly those, and a refusal leaves the case as it was.
func TestEveryTransitionPerMechanismAndRole(t *testing.T) {
	names := make([]string, 0, len(actors))
	for n := range actors {
		names = append(names, n)
	}
	sort.Strings(names)
	for fx := range fixtures {
		if _, ok := allowed[fx]; !ok {
			t.Errorf("fixture %s has no row in the table", fx)
		}
	}
	for fx, row := range allowed {
		build := fixtures[fx]
		if build == nil {
			t.Errorf("table row %s has no fixture", fx)
			continue
		}
		for who := range row {
			if _, ok := actors[who]; !ok {
				t.Errorf("%s: no actor %s", fx, who)
			}
		}
		for _, who := range names {
			want := strings.Fields(row[who])
			sort.Strings(want)
			t.Run(fx+"/"+who, func(t *testing.T) {
				w := newWorld(t)
				c := build(w)
				now := w.tick()
				var got []string
				for _, n := range w.e.Allowed(c, actors[who], now) {
					got = append(got, string(n))
				}
				sort.Strings(got)
				if !slices.Equal(got, want) {
					t.Errorf("Allowed = %v, want %v", got, want)
				}
				for _, n := range Actions {
					w := newWorld(t)
					c := build(w)
					before := build(newWorld(t))
					ev, err := w.e.Apply(c, actors[who], goodArgs(w, c, n), now)
					switch {
					case slices.Contains(want, string(n)) && err != nil:
						t.Errorf("%s refused: %v", n, err)
					case slices.Contains(want, string(n)):
						if ev.Action != n || ev.From != before.State || ev.To != c.State || ev.Seq != len(c.Events) ||
							!reflect.DeepEqual(c.Events[len(c.Events)-1], ev) {
							t.Errorf("%s: event %+v does not close the timeline %+v", n, ev, c.Events)
						}
						if !reflect.DeepEqual(c.Events[:len(before.Events)], before.Events) {
							t.Errorf("%s rewrote the timeline", n)
						}
					case err == nil:
						t.Errorf("%s passed, want refused", n)
					case !reflect.DeepEqual(c, before):
						t.Errorf("%s refused (%v) but changed the case", n, err)
					}
				}
			})
		}
	}
}
