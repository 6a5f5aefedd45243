package ledger

import (
	"errors"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Workbook is the one xlsx writer of the ledgers, their exports, the
// report workbooks, the rejected-rows files and the import templates: sheet
// after sheet, row after row, through excelize's StreamWriter, which keeps
// a large sheet in a temporary file rather than in memory. Only one sheet is
// open at a time: starting the next one finishes the last.
type Workbook struct {
	f      *excelize.File
	cur    *Sheet
	sheets int
	styles map[string]int
}

// Sheet is a sheet of a Workbook being written.
type Sheet struct {
	sw   *excelize.StreamWriter
	next int // the next row's number
}

// SheetOptions say how a sheet looks. The zero value is a plain sheet of
// 16-character columns.
type SheetOptions struct {
	// Width is the columns' width in characters, 16 when 0; Widths, when
	// given, set them one by one (Width for the rest).
	Width  float64
	Widths []float64
	// Header styles the first row (bold on light blue) and freezes it.
	Header bool
	// Text formats every column as text ("@"), so that what a user types
	// into it later (ID numbers) keeps its digits.
	Text bool
	// Required marks header cells in red: the columns of these indexes.
	Required map[int]bool
	// ErrorColumn writes the last header cell bold in red and wide: the
	// error column of a rejected-rows file.
	ErrorColumn bool
}

// NewWorkbook returns an empty workbook; Close it when done.
func NewWorkbook() *Workbook {
	return &Workbook{f: excelize.NewFile(excelize.Options{TmpDir: SpillDir()}), styles: map[string]int{}}
}

// Close removes the workbook's temporary files.
func (wb *Workbook) Close() { wb.f.Close() }

func (wb *Workbook) style(name string) int {
	if id, ok := wb.styles[name]; ok {
		return id
	}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
	var st excelize.Style
	switch name {
	case "head":
		st = excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill}
	case "head-text":
		st = excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}, Fill: fill}
	case "required":
		st = excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: fill}
	case "error":
		st = excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}}
	case "bold":
		st = excelize.Style{Font: &excelize.Font{Bold: true}}
	case "text":
		st = excelize.Style{NumFmt: 49}
	}
	id, _ := wb.f.NewStyle(&st)
	wb.styles[name] = id
	return id
}

// Sheet finishes the sheet being written and starts the next one, writing
// its header row (none when header is nil).
func (wb *Workbook) Sheet(name string, header []string, opt SheetOptions) (*Sheet, error) {
	if err := wb.flush(); err != nil {
		return nil, err
	}
	if wb.sheets == 0 {
		if err := wb.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := wb.f.NewSheet(name); err != nil {
		return nil, err
	}
	wb.sheets++
	sw, err := wb.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	n := max(1, len(header), len(opt.Widths))
	width := opt.Width
	if width == 0 {
		width = 16
	}
	for i := 1; i <= n; i++ {
		w := width
		if i <= len(opt.Widths) {
			w = opt.Widths[i-1]
		}
		if opt.ErrorColumn && i == len(header) {
			w = 60
		}
		if err := sw.SetColWidth(i, i, w); err != nil {
			return nil, err
		}
	}
	if opt.Text {
		if err := sw.SetColStyle(1, n, wb.style("text")); err != nil {
			return nil, err
		}
	}
	if opt.Header {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
	}
	sh := &Sheet{sw: sw, next: 1}
	wb.cur = sh
	if header == nil {
		return sh, nil
	}
	cells := make([]any, len(header))
	for i, h := range header {
		st := ""
		switch {
		case opt.ErrorColumn && i == len(header)-1:
			st = "error"
		case opt.Required[i]:
			st = "required"
		case opt.Header && opt.Text:
			st = "head-text"
		case opt.Header:
			st = "head"
		case opt.ErrorColumn:
			st = "bold"
		}
		if st == "" {
			cells[i] = h
		} else {
			cells[i] = excelize.Cell{StyleID: wb.style(st), Value: h}
		}
	}
	return sh, sh.Row(cells...)
}

// Row writes the next row. Cells are strings, numbers, booleans or nil.
func (sh *Sheet) Row(cells ...any) error {
	cell, err := excelize.CoordinatesToCellName(1, sh.next)
	if err != nil {
		return err
	}
	sh.next++
	return sh.sw.SetRow(cell, cells)
}

// Rows returns how many rows the sheet has so far, its header included.
func (sh *Sheet) Rows() int { return sh.next - 1 }

func (wb *Workbook) flush() error {
	if wb.cur == nil {
		return nil
	}
	err := wb.cur.sw.Flush()
	wb.cur = nil
	return err
}

// Notes writes a sheet of notes: one line of text a row in a wide column.
func (wb *Workbook) Notes(name string, lines []string) error {
	sh, err := wb.Sheet(name, nil, SheetOptions{Width: 120})
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := sh.Row(l); err != nil {
			return err
		}
	}
	return nil
}

// WriteTo finishes the last sheet and writes the file.
func (wb *Workbook) WriteTo(w io.Writer) (int64, error) {
	if wb.sheets == 0 {
		return 0, errors.New("ledger: a workbook without sheets")
	}
	if err := wb.flush(); err != nil {
		return 0, err
	}
	return wb.f.WriteTo(w)
}

// Book is an xlsx file read whole: every sheet's rows as text. It is for
// small files and tests; imports stream their files through Source.
type Book struct {
	Sheets []string
	rows   map[string][][]string
}

// ReadBook reads a whole xlsx file.
func ReadBook(r io.Reader) (*Book, error) {
	x, err := excelize.OpenReader(r)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	b := &Book{Sheets: x.GetSheetList(), rows: map[string][][]string{}}
	for _, s := range b.Sheets {
		rows, err := x.GetRows(s)
		if err != nil {
			return nil, err
		}
		b.rows[s] = rows
	}
	return b, nil
}

// Rows returns a sheet's rows.
func (b *Book) Rows(sheet string) ([][]string, error) {
	rows, ok := b.rows[sheet]
	if !ok {
		return nil, fmt.Errorf("ledger: the workbook has no sheet %q", sheet)
	}
	return rows, nil
}
