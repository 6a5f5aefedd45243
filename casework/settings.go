package casework

import (
	"slices"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

// Settings are a district's case settings as its administrator keeps them
// (the store's case_settings row): the working hours and the yellow share
// the calendar runs on, and what the engine is configured with. The
// limits per category come beside them (LimitRow).
type Settings struct {
	// Hours are the working hours as workcal.ParseHours reads them
	// ("08:30-12:00,14:30-18:00"); the calendar checks them.
	Hours string
	// YellowPercent is the share of a limit used at which its light turns
	// yellow, in percent.
	YellowPercent int
	// AckMinutes is how soon an emergency must be acknowledged.
	AckMinutes int
	// ReopenDays is the reporter's window to reopen a closed case.
	ReopenDays int
	// Chain is the approval chain, from the first level to decide.
	Chain []wangge.Level
	// Version counts the changes of the settings: a form names the
	// version it showed.
	Version   int
	UpdatedBy string
	UpdatedAt time.Time
}

// The bounds of the settings: a yellow light between 1% and 99% of the
// time, an emergency acknowledged within a day, a reopen window of at most
// a year.
const (
	AckMinutesMax = 24 * 60
	ReopenDaysMax = 365
)

// DefaultSettings are a new district's: the calendar's default hours, a
// yellow light at 75%, emergencies acknowledged within 10 minutes, a
// 15-day reopen window, the community then the sub-district approving.
func DefaultSettings() Settings {
	return Settings{
		Hours: "08:30-12:00,14:30-18:00", YellowPercent: 75, AckMinutes: 10, ReopenDays: DefaultReopenDays,
		Chain: []wangge.Level{wangge.LevelCommunity, wangge.LevelSubdistrict},
	}
}

// Validate checks the settings but the hours, which the calendar reads.
func (s Settings) Validate() error {
	switch {
	case s.YellowPercent < 1 || s.YellowPercent > 99:
		return wangge.Invalid("yellow_percent", "error.case_settings.yellow", "Value", s.YellowPercent)
	case s.AckMinutes < 1 || s.AckMinutes > AckMinutesMax:
		return wangge.Invalid("ack_minutes", "error.case_settings.ack_minutes", "Max", AckMinutesMax)
	case s.ReopenDays < 0 || s.ReopenDays > ReopenDaysMax:
		return wangge.Invalid("reopen_days", "error.case_settings.reopen_days", "Max", ReopenDaysMax)
	}
	return ValidChain(s.Chain)
}

// ValidChain checks an approval chain: one or more of the community, the
// sub-district and the district, each once, going up.
func ValidChain(chain []wangge.Level) error {
	bad := wangge.Invalid("chain", "error.case_settings.chain")
	if len(chain) == 0 {
		return bad
	}
	for i, l := range chain {
		if l != wangge.LevelCommunity && l != wangge.LevelSubdistrict && l != wangge.LevelDistrict {
			return bad
		}
		// Levels number down as they go up (the district is 1).
		if i > 0 && l >= chain[i-1] {
			return bad
		}
	}
	return nil
}

// FormatChain writes a chain as the store keeps it: "community,subdistrict".
func FormatChain(chain []wangge.Level) string {
	parts := make([]string, len(chain))
	for i, l := range chain {
		parts[i] = l.String()
	}
	return strings.Join(parts, ",")
}

// ParseChain reads FormatChain's form back.
func ParseChain(s string) ([]wangge.Level, error) {
	var out []wangge.Level
	for part := range strings.SplitSeq(s, ",") {
		var l wangge.Level
		switch strings.TrimSpace(part) {
		case "community":
			l = wangge.LevelCommunity
		case "subdistrict":
			l = wangge.LevelSubdistrict
		case "district":
			l = wangge.LevelDistrict
		default:
			return nil, wangge.Invalid("chain", "error.case_settings.chain")
		}
		out = append(out, l)
	}
	return out, ValidChain(out)
}

// Configure sets the engine's limits, reopen window and chain from the
// settings and the district's rows; the calendar is the engine's clock,
// made by the caller.
func (s Settings) Configure(e *Engine, rows []LimitRow) {
	e.Limits[Emergency][StepAcknowledge] = Duration{s.AckMinutes, Minutes}
	e.ReopenDays = s.ReopenDays
	e.Chain = slices.Clone(s.Chain)
	e.ByCategory = CategoryLimits{}
	for _, r := range rows {
		if e.ByCategory[r.Category] == nil {
			e.ByCategory[r.Category] = Limits{}
		}
		if e.ByCategory[r.Category][r.Mechanism] == nil {
			e.ByCategory[r.Category][r.Mechanism] = map[Step]Duration{}
		}
		e.ByCategory[r.Category][r.Mechanism][r.Step] = r.Limit
	}
}

// LimitRow is the district's limit for one step of one category's cases
// under one mechanism, replacing the default.
type LimitRow struct {
	Category  string
	Mechanism Mechanism
	Step      Step
	Limit     Duration
}

// The bounds of a limit, per unit: a week of minutes, a hundred working
// days (the longest a catalogue entry promises is sixty).
var limitMax = map[Unit]int{Minutes: 7 * 24 * 60, WorkHours: 800, WorkDays: 100}

// LimitMax returns the largest N a limit in unit u may have.
func LimitMax(u Unit) int { return limitMax[u] }

// Validate checks a row: a step the mechanism times, a known unit and N in
// its bounds, and minutes exactly where a step must run day and night (an
// emergency's acknowledge and handle steps) — working time stops at night,
// which an emergency must not.
func (r LimitRow) Validate() error {
	if !r.Mechanism.Valid() || !slices.Contains(Steps(r.Mechanism), r.Step) {
		return wangge.Invalid("step", "error.case_limit.step", "Value", string(r.Step))
	}
	max, ok := limitMax[r.Limit.Unit]
	if !ok {
		return wangge.Invalid("unit", "error.case_limit.unit", "Value", string(r.Limit.Unit))
	}
	if r.Limit.N < 1 || r.Limit.N > max {
		return wangge.Invalid("n", "error.case_limit.n", "Max", max)
	}
	urgent := r.Mechanism == Emergency && (r.Step == StepAcknowledge || r.Step == StepHandle)
	if urgent != (r.Limit.Unit == Minutes) {
		if urgent {
			return wangge.Invalid("unit", "error.case_limit.minutes_only")
		}
		return wangge.Invalid("unit", "error.case_limit.no_minutes")
	}
	return nil
}
