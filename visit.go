package wangge

import "time"

// SixClears are the six things an assistant knows of every household (六清),
// recorded on each visit. Each holds what was found; empty means nothing new.
type SixClears struct {
	Household  string `json:"household,omitempty"`  // 家庭情况
	Categories string `json:"categories,omitempty"` // 人员类别
	Facilities string `json:"facilities,omitempty"` // 区域设施
	Dangers    string `json:"dangers,omitempty"`    // 隐患矛盾
	Needs      string `json:"needs,omitempty"`      // 服务需求
	HotIssues  string `json:"hot_issues,omitempty"` // 热点难点
}

// Visit is one visit (走访) by an assistant to a household, a unit or a place.
// "去有目的，来有问题，后有反馈": it has a purpose and records the problems found.
type Visit struct {
	ID          int64
	AssistantID int64
	GridCode    string
	At          time.Time
	HouseholdID *int64
	UnitID      *int64
	Place       string // when neither a household nor a unit
	Purpose     string
	Met         string // who was met: the head, a neighbour, nobody at home
	Clears      SixClears
	Note        string
	Problems    []string
	Version     int
	CreatedAt   time.Time
}

// Validate checks the fields the assistant sets.
func (v *Visit) Validate() error {
	if v.AssistantID <= 0 {
		return Invalid("assistant_id", "error.visit.assistant_id")
	}
	if v.HouseholdID == nil && v.UnitID == nil && v.Place == "" {
		return Invalid("place", "error.visit.place")
	}
	if v.At.IsZero() || v.At.After(time.Now().Add(24*time.Hour)) {
		return Invalid("at", "error.visit.at")
	}
	return nil
}

// VisitFilter selects visits within a scope.
type VisitFilter struct {
	GridCode    string
	HouseholdID int64
	UnitID      int64
	AssistantID int64
	Since       time.Time
	Page
}
