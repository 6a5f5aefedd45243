package wangge

import "time"

// Assistant is a grid assistant (社区工作协理员): one per grid, the one person a
// resident goes to. Assignments to grids change over time and are kept.
type Assistant struct {
	ID        int64
	Name      string
	Sex       string // "M" or "F"
	WorkPhone string // the public work phone shown on kiosks and door plates
	Phone     string // personal phone: encrypted at rest, masked on read
	PhotoURL  string
	UserID    *int64 // the login account, when there is one
	Active    bool
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the fields a caller sets.
func (a *Assistant) Validate() error {
	if a.Name == "" || len([]rune(a.Name)) > 50 {
		return Invalid("name", "error.assistant.name")
	}
	return nil
}

// Assignment is an assistant's term in a grid. To is nil while it lasts.
type Assignment struct {
	ID          int64
	AssistantID int64
	GridCode    string
	From        time.Time
	To          *time.Time
	Note        string
}

// AssistantFilter selects assistants within a scope (by their current grid).
type AssistantFilter struct {
	GridCode string
	Query    string
	Sort     Sort // one of AssistantSorts
	Page
}

// AssistantSummary is an assistant with the current grid and what it
// holds, as the assistants' ledger shows them.
type AssistantSummary struct {
	Assistant
	GridCode    string
	GridName    string
	ServiceArea string // the grid's 服务范围
	Households  int
	Persons     int
	Units       int
}
