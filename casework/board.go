package casework

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
)

// The community's board (案件看板) asks more of the store than Filter: its
// columns, a search and the supervision view's selection. They live here,
// beside Filter, so that the pages and the stores share one meaning.

// BoardColumn is one of the board's columns. Every open case is in exactly
// one of them, so the counts add up to the open cases.
//
// The columns are what a community secretary reads first in the morning:
// the emergencies (someone may be in danger, whatever their clock says),
// then what is already late (it escalates and counts against the
// community), then what falls due within the next working day (today's
// work), then the rest, and last the cases whose clock stands still because
// they wait on the reporter (materials to bring: nothing to do but remind).
type BoardColumn string

const (
	ColEmergency BoardColumn = "emergency" // open emergencies
	ColOverdue   BoardColumn = "overdue"   // the running deadline has passed
	ColDueSoon   BoardColumn = "due_soon"  // due before BoardQuery.Soon
	ColOnTime    BoardColumn = "on_time"   // due later
	ColWaiting   BoardColumn = "waiting"   // no deadline running: waiting on the reporter
)

// BoardColumns lists the columns in the board's order.
var BoardColumns = []BoardColumn{ColEmergency, ColOverdue, ColDueSoon, ColOnTime, ColWaiting}

// Valid reports whether c is a known column.
func (c BoardColumn) Valid() bool { return oneOf(c, BoardColumns) }

// Search bounds: the words of a search and their length, so that a search
// stays a handful of LIKE conditions.
const (
	SearchMax      = 50 // characters
	SearchWordsMax = 5
)

// BoardQuery selects the board's cases: Filter's selection and order, and
// the board's own.
type BoardQuery struct {
	Filter
	// Words must each appear in the description or the category's name
	// (SearchWords splits what was typed).
	Words []string
	// Column keeps the open cases of one column.
	Column BoardColumn
	// Now and Soon place a case in its column: overdue when its running
	// deadline is before Now, due soon when before Soon.
	Now, Soon time.Time
	// Attention keeps the open cases that are overdue or were ever
	// supervised (督办): the supervision view.
	Attention bool
}

// ColumnOf returns the column of an open case ("" for a closed or merged
// one): the rule the store applies in SQL to count and to filter.
func (q *BoardQuery) ColumnOf(c *Case) BoardColumn {
	if !c.State.Open() {
		return ""
	}
	if c.Mechanism == Emergency {
		return ColEmergency
	}
	d := c.Running()
	switch {
	case d == nil:
		return ColWaiting
	case d.Due.Before(q.Now):
		return ColOverdue
	case d.Due.Before(q.Soon):
		return ColDueSoon
	}
	return ColOnTime
}

// BoardCounts are the board's counts: the open cases per column and the
// cases per state, of the query's selection but for its column and state
// (so that each count is what choosing it would show).
type BoardCounts struct {
	Columns map[BoardColumn]int
	States  map[State]int
}

// SearchWords splits a search into its words, refusing one too long or
// with too many words.
func SearchWords(q string) ([]string, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > SearchMax {
		return nil, wangge.Invalid("q", "error.case.search_long", "Max", SearchMax)
	}
	words := strings.Fields(q)
	if len(words) > SearchWordsMax {
		return nil, wangge.Invalid("q", "error.case.search_words", "Max", SearchWordsMax)
	}
	return words, nil
}
