package casework

import (
	"slices"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

func TestSettingsValidate(t *testing.T) {
	ok := DefaultSettings()
	with := func(f func(*Settings)) Settings { s := ok; s.Chain = slices.Clone(ok.Chain); f(&s); return s }
	tests := []struct {
		name string
		s    Settings
		key  string
	}{
		{"defaults", ok, ""},
		{"yellow 1%", with(func(s *Settings) { s.YellowPercent = 1 }), ""},
		{"yellow 0", with(func(s *Settings) { s.YellowPercent = 0 }), "error.case_settings.yellow"},
		{"yellow 100", with(func(s *Settings) { s.YellowPercent = 100 }), "error.case_settings.yellow"},
		{"ack 0", with(func(s *Settings) { s.AckMinutes = 0 }), "error.case_settings.ack_minutes"},
		{"ack a day", with(func(s *Settings) { s.AckMinutes = AckMinutesMax }), ""},
		{"ack over a day", with(func(s *Settings) { s.AckMinutes = AckMinutesMax + 1 }), "error.case_settings.ack_minutes"},
		{"no reopen window", with(func(s *Settings) { s.ReopenDays = 0 }), ""},
		{"negative reopen", with(func(s *Settings) { s.ReopenDays = -1 }), "error.case_settings.reopen_days"},
		{"reopen over a year", with(func(s *Settings) { s.ReopenDays = 366 }), "error.case_settings.reopen_days"},
		{"no chain", with(func(s *Settings) { s.Chain = nil }), "error.case_settings.chain"},
		{"chain going down", with(func(s *Settings) { s.Chain = []wangge.Level{wangge.LevelSubdistrict, wangge.LevelCommunity} }), "error.case_settings.chain"},
		{"chain twice", with(func(s *Settings) { s.Chain = []wangge.Level{wangge.LevelCommunity, wangge.LevelCommunity} }), "error.case_settings.chain"},
		{"chain of grids", with(func(s *Settings) { s.Chain = []wangge.Level{wangge.LevelGrid} }), "error.case_settings.chain"},
		{"three levels", with(func(s *Settings) {
			s.Chain = []wangge.Level{wangge.LevelCommunity, wangge.LevelSubdistrict, wangge.LevelDistrict}
		}), ""},
	}
	for _, tt := range tests {
		if key := errKey(tt.s.Validate()); key != tt.key {
			t.Errorf("%s: %q, want %q", tt.name, key, tt.key)
		}
	}
}

func TestChainRoundTrip(t *testing.T) {
	for _, s := range []string{"community", "community,subdistrict", "subdistrict,district", "community,subdistrict,district"} {
		c, err := ParseChain(s)
		if err != nil || FormatChain(c) != s {
			t.Errorf("%q: %v %v", s, c, err)
		}
	}
	for _, s := range []string{"", "grid", "district,community", "community,,subdistrict"} {
		if _, err := ParseChain(s); errKey(err) != "error.case_settings.chain" {
			t.Errorf("%q: %v, want refused", s, err)
		}
	}
}

func TestLimitRowValidate(t *testing.T) {
	tests := []struct {
		name string
		r    LimitRow
		key  string
	}{
		{"working days", LimitRow{"P01", Coordination, StepHandle, Duration{3, WorkDays}}, ""},
		{"working hours", LimitRow{"P01", Coordination, StepAccept, Duration{8, WorkHours}}, ""},
		{"emergency minutes", LimitRow{"P06", Emergency, StepAcknowledge, Duration{5, Minutes}}, ""},
		{"emergency feedback in days", LimitRow{"P06", Emergency, StepFeedback, Duration{1, WorkDays}}, ""},
		{"emergency handle in days", LimitRow{"P06", Emergency, StepHandle, Duration{1, WorkDays}}, "error.case_limit.minutes_only"},
		{"coordination in minutes", LimitRow{"P01", Coordination, StepHandle, Duration{30, Minutes}}, "error.case_limit.no_minutes"},
		{"a step the mechanism has not", LimitRow{"P01", General, StepVerify, Duration{1, WorkDays}}, "error.case_limit.step"},
		{"an unknown mechanism", LimitRow{"P01", "urgent", StepHandle, Duration{1, WorkDays}}, "error.case_limit.step"},
		{"an unknown unit", LimitRow{"P01", Coordination, StepHandle, Duration{1, "weeks"}}, "error.case_limit.unit"},
		{"zero", LimitRow{"P01", Coordination, StepHandle, Duration{0, WorkDays}}, "error.case_limit.n"},
		{"too many days", LimitRow{"P01", Coordination, StepHandle, Duration{101, WorkDays}}, "error.case_limit.n"},
		{"a week of minutes", LimitRow{"P06", Emergency, StepHandle, Duration{7 * 24 * 60, Minutes}}, ""},
	}
	for _, tt := range tests {
		if key := errKey(tt.r.Validate()); key != tt.key {
			t.Errorf("%s: %q, want %q", tt.name, key, tt.key)
		}
	}
}

// TestConfigureEngine: the settings and rows reach the engine, and a new
// emergency's acknowledge deadline, an approval's chain and the reopen
// window follow them.
func TestConfigureEngine(t *testing.T) {
	w := newWorld(t)
	s := DefaultSettings()
	s.AckMinutes, s.ReopenDays = 7, 3
	s.Chain = []wangge.Level{wangge.LevelCommunity}
	s.Configure(w.e, []LimitRow{{"P01", Coordination, StepDispatch, Duration{3, WorkHours}}})
	c := w.open(Emergency)
	if d := c.Running(); !d.Due.Equal(c.CreatedAt.Add(7 * time.Minute)) {
		t.Errorf("acknowledge due %s, want 7 minutes after %s", d.Due, c.CreatedAt)
	}
	if a := w.open(Approval); !slices.Equal(a.Chain, s.Chain) {
		t.Errorf("chain %v, want %v", a.Chain, s.Chain)
	}
	if co := w.open(Coordination); co.Running().Due.Sub(co.Running().Start) != 3*time.Hour {
		t.Errorf("dispatch limit: %+v", co.Running())
	}
	if w.e.ReopenDays != 3 {
		t.Errorf("reopen days %d", w.e.ReopenDays)
	}
	if DefaultLimits()[Emergency][StepAcknowledge].N != 10 {
		t.Error("Configure changed the defaults themselves")
	}
}

func errKey(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*wangge.Error); ok {
		return e.Key
	}
	return err.Error()
}
