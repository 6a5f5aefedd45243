package casework

import (
	"testing"
	"time"
)

// shareClock is a LightClock that reports yellow once three quarters of
// plain time are used, so the engine's delegation can be seen.
type shareClock struct{ calendarClock }

func (shareClock) Light(start, due, now time.Time, u Unit) Light {
	if u != Minutes {
		return "wrong unit"
	}
	if now.Sub(start)*4 >= due.Sub(start)*3 {
		return Yellow
	}
	return Green
}

func TestEngineLight(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d := &Deadline{Start: t0, Due: t0.Add(100 * time.Minute), Unit: Minutes}
	met := &Deadline{Start: t0, Due: t0.Add(time.Minute), Met: t0, Unit: Minutes}
	plain, share := NewEngine(calendarClock{}), NewEngine(shareClock{})
	for _, tc := range []struct {
		name string
		e    *Engine
		d    *Deadline
		at   time.Duration
		want Light
	}{
		{"none", share, nil, 0, ""},
		{"met", share, met, 5 * time.Minute, ""},
		{"plain clock green", plain, d, 90 * time.Minute, Green},
		{"plain clock red at due", plain, d, 100 * time.Minute, Red},
		{"share green", share, d, 74 * time.Minute, Green},
		{"share yellow", share, d, 75 * time.Minute, Yellow},
		{"share red", share, d, 101 * time.Minute, Red},
	} {
		if got := tc.e.Light(tc.d, t0.Add(tc.at)); got != tc.want {
			t.Errorf("%s: Light = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The deadline a step starts records its limit's unit, which the light
// counts in.
func TestDeadlineRecordsUnit(t *testing.T) {
	w := newWorld(t)
	c := w.open(Emergency)
	if len(c.Deadlines) == 0 || c.Deadlines[0].Unit != Minutes {
		t.Fatalf("emergency's first deadline = %+v, want one counted in minutes", c.Deadlines)
	}
}
