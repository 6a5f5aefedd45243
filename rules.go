package wangge

import (
	"fmt"
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
var ErrReasonRequired = FieldError("reason",
	fmt.Sprintf("请填写理由（%d 至 %d 字）。", ReasonMinRunes, ReasonMaxRunes),
	fmt.Sprintf("A reason (%d to %d characters) is required.", ReasonMinRunes, ReasonMaxRunes))

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
	return Errorf(ERateLimited, "一小时内查看完整信息已达 %d 次上限，请稍后再试。",
		"You have revealed %d values within the hour, the limit; try again later.", RevealsPerHour)
}

// PlaceBuilding decides a new building's grid from the grid the caller gave
// and the grid whose outline holds its location ("" for either when there
// is none). The location decides when no grid is given; a given grid that
// differs from the location's stands only with a reason, which the audit
// keeps; without outlines or a location the given grid stands.
func PlaceBuilding(given, located, reason string) (string, error) {
	switch {
	case given == "" && located == "":
		return "", FieldError("grid_code", "该位置不在任何网格内，请指定所属网格。", "The location lies in no grid; name the building's grid.")
	case given == "":
		return located, nil
	case located != "" && located != given && strings.TrimSpace(reason) == "":
		return "", FieldError("grid_reason", "该位置位于网格 "+located+"，与所填网格不同；如确需划入所填网格，请填写原因。",
			"The location lies in grid "+located+", not the one given; give a reason to place the building there anyway.")
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
		return FieldError("plan", "划分方案应有 1 至 999 个网格。", "A plan has 1 to 999 grids.")
	}
	seen := map[int64]bool{}
	for i, p := range plan {
		if len(p.Buildings) == 0 {
			return FieldError("plan", fmt.Sprintf("方案中第 %d 个网格没有楼院。", i+1), fmt.Sprintf("Grid %d of the plan holds no building.", i+1))
		}
		for _, b := range p.Buildings {
			if seen[b] {
				return FieldError("plan", fmt.Sprintf("楼院 %d 在方案中出现了两次。", b), fmt.Sprintf("Building %d is in the plan twice.", b))
			}
			seen[b] = true
		}
		if utf8.RuneCountInString(p.Name) > 100 {
			return FieldError("plan", "网格名称不超过 100 个字。", "A grid name has at most 100 characters.")
		}
	}
	return nil
}
