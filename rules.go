package wangge

import (
	"strings"
	"unicode/utf8"
)

// This file holds the rules the stores used to decide for themselves: what a
// reason must be, how many values a user may reveal, where a new building
// belongs. The stores call them inside their transactions; they need no I/O
// and are table-tested here.

// Reasons: a move, a deletion, a redraw, a reveal or a personal export is
// recorded with why it was done.
const (
	ReasonMinRunes = 2
	ReasonMaxRunes = 200
)

// ErrReasonRequired is the refusal of a missing, too short or too long reason.
var ErrReasonRequired = Invalid("reason", "error.reason.required", "Min", ReasonMinRunes, "Max", ReasonMaxRunes)

// CheckReason returns the reason trimmed of surrounding space, or
// ErrReasonRequired when it is shorter or longer than a reason may be.
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < ReasonMinRunes || n > ReasonMaxRunes {
		return "", ErrReasonRequired
	}
	return reason, nil
}

// CheckRevealRate refuses the actor's next reveal when they have revealed
// RevealsPerHour values within the last hour. The system (the operator's
// CLI, which holds the key anyway) is not limited.
func CheckRevealRate(a Actor, revealedLastHour int) error {
	if a.Role == RoleSystem || revealedLastHour < RevealsPerHour {
		return nil
	}
	return E(ERateLimited, "error.reveal.rate", "N", RevealsPerHour)
}

// PersonalExportLedgers are the ledgers whose exports hold personal data
// (full ID numbers and phones), as an export's audit entry names them
// (object "ledger", the ledger as its object id): the residents', the
// units' and the key groups'. The assistants' ledger is public facts.
var PersonalExportLedgers = []string{"residents", "units", "groups"}

// CheckExportRate refuses the actor's next personal export when they have
// made PersonalExportsPerHour of them within the last hour. The system (the
// operator's CLI, which holds the key anyway) is not limited.
func CheckExportRate(a Actor, exportedLastHour int) error {
	if a.Role == RoleSystem || exportedLastHour < PersonalExportsPerHour {
		return nil
	}
	return E(ERateLimited, "error.export.rate", "N", PersonalExportsPerHour)
}

// PlaceBuilding decides a new building's grid from the grid the caller gave
// and the grid whose outline holds its location ("" for either when there
// is none). The location decides when no grid is given; a given grid that
// differs from the location's stands only with a reason, which the audit
// keeps; without outlines or a location the given grid stands.
func PlaceBuilding(given, located, reason string) (string, error) {
	switch {
	case given == "" && located == "":
		return "", Invalid("grid_code", "error.building.no_grid")
	case given == "":
		return located, nil
	case located != "" && located != given && strings.TrimSpace(reason) == "":
		return "", Invalid("grid_reason", "error.building.against_location", "Located", located)
	}
	return given, nil
}

// MaxPlanGrids bounds the grids of one community's plan.
const MaxPlanGrids = 999

// CheckPlan checks what a plan says on its face: 1 to MaxPlanGrids grids,
// each with at least one building, no building twice, names of at most 100
// characters. Outlines are checked by the store, which parses them anyway.
func CheckPlan(plan []GridPlan) error {
	if len(plan) == 0 || len(plan) > MaxPlanGrids {
		return Invalid("plan", "error.plan.size", "Max", MaxPlanGrids)
	}
	seen := map[int64]bool{}
	for i, p := range plan {
		if len(p.Buildings) == 0 {
			return Invalid("plan", "error.plan.empty_grid", "N", i+1)
		}
		for _, b := range p.Buildings {
			if seen[b] {
				return Invalid("plan", "error.plan.twice", "ID", b)
			}
			seen[b] = true
		}
		if utf8.RuneCountInString(p.Name) > 100 {
			return Invalid("plan", "error.plan.long_name")
		}
	}
	return nil
}

// ImportCheckRowsPerDay bounds the rows one user may have an import check
// (a dry run, or the check a commit makes) within a day, by the level of
// their scope: a few times what their area holds. Each row an import checks
// tells the user whether an ID number or credit code is registered
// somewhere (out of scope it is refused, however worded), so a user who
// could check without end could test candidate numbers one by one. The
// system (the operator's CLI) is not limited.
var ImportCheckRowsPerDay = map[Level]int{
	LevelGrid:        5_000,
	LevelCommunity:   50_000,
	LevelSubdistrict: 200_000,
	LevelDistrict:    1_000_000,
}

// CheckImportRows refuses an import check of rows more rows when the actor
// has had checkedToday checked within the last day and the allowance of
// their scope's level (ImportCheckRowsPerDay) would be passed.
func CheckImportRows(a Actor, s Scope, checkedToday, rows int) error {
	if a.Role == RoleSystem || s.IsAll() {
		return nil
	}
	limit := ImportCheckRowsPerDay[LevelOf(s.Prefix())]
	if checkedToday+rows <= limit {
		return nil
	}
	return E(ERateLimited, "error.import.rows_per_day", "Limit", limit, "Used", checkedToday)
}

// The public intakes' abuse limits, without an outside captcha: reports,
// "me too"s, updates and wrong tracking tokens counted per address (the
// client's network address) over the last hour and day, per phone left
// over the day, and per Open311 client key over the hour.
const (
	IntakePerAddrHour = 10
	IntakePerAddrDay  = 30
	IntakePerPhoneDay = 5
	IntakePerKeyHour  = 600
)

// Intake limit kinds: what a count is kept for.
const (
	IntakeAddr  = "addr"
	IntakePhone = "phone"
	IntakeKey   = "key"
)

// CheckIntakeRate refuses the next public intake of a counted kind when
// lastHour and lastDay (what the kind's value already made in the last hour
// and the last 24 hours) reach its limits. An unknown kind is refused, so a
// caller's typo never passes unlimited.
func CheckIntakeRate(kind string, lastHour, lastDay int) error {
	switch kind {
	case IntakeAddr:
		if lastHour >= IntakePerAddrHour {
			return E(ERateLimited, "error.intake.rate_hour", "N", IntakePerAddrHour)
		}
		if lastDay >= IntakePerAddrDay {
			return E(ERateLimited, "error.intake.rate_day", "N", IntakePerAddrDay)
		}
		return nil
	case IntakePhone:
		if lastDay >= IntakePerPhoneDay {
			return E(ERateLimited, "error.intake.rate_phone", "N", IntakePerPhoneDay)
		}
		return nil
	case IntakeKey:
		if lastHour >= IntakePerKeyHour {
			return E(ERateLimited, "error.intake.rate_hour", "N", IntakePerKeyHour)
		}
		return nil
	}
	return Invalid("limit", "error.intake.limit_kind", "Kind", kind)
}
