package ledger

import (
	"io"
	"time"
)

// The case export (案件导出): the board's cases as one xlsx sheet, with a
// notes sheet saying who exported what and whether the rows were cut. The
// pages turn the engine's values into words (ledger does not import
// casework) and give the headings in the reader's language; this writes
// them. It holds no reporter's contact and only a masked name: the caller
// masks it, and CaseRow has no field for a contact.

// CaseColumns are the export's columns, in order; a heading is the label
// of "col." + the key.
var CaseColumns = []string{
	"number", "category", "mechanism", "state", "community", "grid", "level", "light",
	"due", "created", "closed", "receiver", "reporter", "badges", "description",
}

// CaseRow is one case as the export writes it. Times are shown in loc.
type CaseRow struct {
	Number, Category, Mechanism, State string
	Community, Grid, Level, Light      string
	Due, Created, Closed               time.Time
	Receiver                           string
	Reporter                           string // masked
	Badges                             string
	Description                        string
}

// CaseExport is what WriteCases writes.
type CaseExport struct {
	// Label gives the sheet names ("sheet", "notes") and the headings
	// ("col." + a CaseColumns key).
	Label func(key string) string
	// Loc is the zone times are shown in (Beijing).
	Loc *time.Location
	// Notes are the notes sheet's lines: who exported, when, which
	// filters, how many rows, whether they were cut.
	Notes []string
	// Each calls write once per row, in order.
	Each func(write func(*CaseRow) error) error
}

// WriteCases writes the export as xlsx and returns the rows written.
func WriteCases(out io.Writer, e *CaseExport) (int, error) {
	wb := NewWorkbook()
	defer wb.Close()
	header := make([]string, len(CaseColumns))
	for i, k := range CaseColumns {
		header[i] = e.Label("col." + k)
	}
	widths := []float64{14, 16, 8, 10, 14, 16, 8, 8, 17, 17, 17, 14, 10, 16, 60}
	sh, err := wb.Sheet(e.Label("sheet"), header, SheetOptions{Header: true, Widths: widths})
	if err != nil {
		return 0, err
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(e.Loc).Format("2006-01-02 15:04")
	}
	n := 0
	err = e.Each(func(r *CaseRow) error {
		n++
		return sh.Row(r.Number, r.Category, r.Mechanism, r.State, r.Community, r.Grid, r.Level, r.Light,
			when(r.Due), when(r.Created), when(r.Closed), r.Receiver, r.Reporter, r.Badges, r.Description)
	})
	if err != nil {
		return 0, err
	}
	if err := wb.Notes(e.Label("notes"), e.Notes); err != nil {
		return 0, err
	}
	_, err = wb.WriteTo(out)
	return n, err
}
