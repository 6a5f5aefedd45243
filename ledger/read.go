package ledger

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/wangge/wangge"
)

// headerSearch is how many rows from the top are searched for the header
// row (a title row or two above it is common).
const headerSearch = 10

// errFormat is the error for a file that is neither xlsx nor CSV.
var errFormat = wangge.E(wangge.EInvalid, "ledger.file.format")

// errNotXLSX is the error for bytes that are neither a zip nor text.
var errNotXLSX = wangge.E(wangge.EInvalid, "ledger.file.not_xlsx")

// Source reads the data rows of a ledger file, xlsx or CSV, one at a time:
// an xlsx sheet is streamed through its XML and never loaded whole, and
// every limit (Limits) is checked as the file streams, so memory stays
// bounded whatever the file's size or what it claims.
type Source struct {
	Spec   *Spec
	Map    *HeaderMap
	Header []string // the header row as the file has it
	Sheet  string   // the sheet read (xlsx)

	lim    Limits
	x      *xlsxFile
	rows   *sheetRows
	csv    *csv.Reader
	budget *budgetReader // CSV: bounds each record's bytes
	closer io.Closer
	size   int64 // CSV: bytes, for the progress estimate

	line          int          // the spreadsheet row number of the last row read
	headerLine    int          // the header row's number
	records       int          // rows read, the header's and those above it included
	headerRecords int          // rows read up to the header
	total         atomic.Int64 // rows in the sheet (xlsx), counted at the start
	read          int          // data rows returned
}

// OpenFile opens a ledger file for the spec, telling xlsx from CSV by its
// content, and finds the header row: the first row, within the first few of
// any sheet, that has the spec's required columns. The file is read within
// DefaultLimits.
func OpenFile(name string, spec *Spec) (*Source, error) {
	return OpenFileLimits(name, spec, DefaultLimits)
}

// OpenFileLimits is OpenFile within other limits (zero fields: the
// default).
func OpenFileLimits(name string, spec *Spec, lim Limits) (*Source, error) {
	lim = lim.or()
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var head [8]byte
	n, _ := io.ReadFull(f, head[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	switch kindOf(head[:n]) {
	case "xlsx":
		f.Close()
		return openXLSX(name, nil, spec, lim)
	case "ole":
		f.Close()
		return nil, errFormat
	}
	s, err := openCSV(f, fi.Size(), spec, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// OpenBytes is OpenFile for a file held in memory.
func OpenBytes(data []byte, spec *Spec) (*Source, error) {
	return OpenBytesLimits(data, spec, DefaultLimits)
}

// OpenBytesLimits is OpenBytes within other limits (zero fields: the
// default).
func OpenBytesLimits(data []byte, spec *Spec, lim Limits) (*Source, error) {
	lim = lim.or()
	switch kindOf(data) {
	case "xlsx":
		return openXLSX("", data, spec, lim)
	case "ole":
		return nil, errFormat
	}
	return openCSV(bytes.NewReader(data), int64(len(data)), spec, lim)
}

func kindOf(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "xlsx"
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "ole" // .xls, or an encrypted xlsx
	}
	return "csv"
}

// openXLSX opens the file name, or data when name is "".
func openXLSX(name string, data []byte, spec *Spec, lim Limits) (s *Source, err error) {
	defer func() {
		if p := recover(); p != nil { // as in raw
			s, err = nil, corrupt(fmt.Errorf("%v", p))
		}
	}()
	x, err := openZip(name, data, lim)
	if err != nil {
		return nil, err
	}
	s = &Source{Spec: spec, x: x, lim: lim}
	var best error
	for _, sheet := range x.sheets {
		rows, err := x.rows(sheet)
		if err != nil {
			if best == nil {
				best = err
			}
			continue
		}
		s.rows, s.Sheet, s.line, s.records = rows, sheet.name, 0, 0
		err = s.findHeader()
		if err == nil {
			n := x.countRows(sheet, s.headerRecords+lim.Rows+1)
			if n > s.headerRecords+lim.Rows {
				rows.Close()
				x.Close()
				return nil, wangge.E(wangge.EInvalid, "ledger.file.too_many_rows_sheet", "Sheet", truncate(sheet.name, 40), "Max", lim.Rows)
			}
			s.total.Store(int64(n))
			return s, nil
		}
		if !isHeaderError(err) {
			// A limit passed or a damaged part: the file, not this sheet.
			rows.Close()
			x.Close()
			return nil, err
		}
		if best == nil || !isHeaderError(best) {
			best = err
		}
		rows.Close()
		s.rows = nil
	}
	x.Close()
	if best == nil {
		best = wangge.E(wangge.EInvalid, "ledger.file.no_sheet")
	}
	return nil, best
}

func corrupt(err error) error {
	return wangge.E(wangge.EInvalid, "ledger.file.damaged", "Err", truncate(err.Error(), 120))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isHeaderError(err error) bool {
	var e *wangge.Error
	return errors.As(err, &e) && strings.HasPrefix(e.Key, "ledger.header.")
}

// findHeader reads rows until one matches the spec.
func (s *Source) findHeader() error {
	var first error
	for {
		cells, err := s.raw()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		// The row number, not the rows read: a sheet's XML may leave out
		// the blank rows above its header.
		if s.line > headerSearch {
			break
		}
		if blank(cells) {
			continue
		}
		m, err := MatchHeader(s.Spec, cells)
		if err == nil {
			s.Map, s.Header, s.headerLine, s.headerRecords = m, cells, s.line, s.records
			return nil
		}
		if first == nil && len(m.Index) > 0 {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return wangge.E(wangge.EInvalid, "ledger.header.not_found", "Rows", headerSearch, "Column", s.Spec.firstRequired())
}

func (s *Spec) firstRequired() string {
	for _, c := range s.Columns {
		if c.Required {
			return c.Zh
		}
	}
	return s.Columns[0].Zh
}

// raw returns the next row of the file, blank or not, within the limits.
func (s *Source) raw() (cells []string, err error) {
	if s.rows != nil {
		// The reader is fuzzed, but an import runs in the server's own
		// goroutine: a bug in it must fail the file, not the server.
		defer func() {
			if p := recover(); p != nil {
				cells, err = nil, corrupt(fmt.Errorf("%v", p))
			}
		}()
		var num int
		num, cells, err = s.rows.next()
		if err != nil {
			return nil, err
		}
		// The row number a spreadsheet shows: the XML leaves out blank
		// rows.
		s.line = num
	} else {
		s.budget.reset()
		cells, err = s.csv.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		s.line++
		if err != nil {
			var pe *csv.ParseError
			switch {
			case errors.Is(err, errRowTooLarge):
				line := s.line
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				return nil, rowTooLarge(line, s.lim)
			case errors.As(err, &pe):
				return nil, wangge.E(wangge.EInvalid, "ledger.file.csv_line", "Line", pe.StartLine, "Err", pe.Err.Error())
			}
			return nil, err
		}
		if len(cells) > s.lim.Columns {
			return nil, wangge.E(wangge.EInvalid, "ledger.file.too_many_columns", "Line", s.line, "Max", s.lim.Columns)
		}
		for _, c := range cells {
			if len(c) > s.lim.CellRunes && utf8.RuneCountInString(c) > s.lim.CellRunes {
				return nil, cellTooLong(s.line, s.lim)
			}
		}
	}
	s.records++
	if s.Map != nil && s.records-s.headerRecords > s.lim.Rows {
		return nil, wangge.E(wangge.EInvalid, "ledger.file.too_many_rows", "Line", s.line, "Max", s.lim.Rows)
	}
	return cells, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if CleanCell(c) != "" {
			return false
		}
	}
	return true
}

// Next returns the next data row and its number in the file (as a
// spreadsheet shows it), skipping blank rows; io.EOF at the end.
func (s *Source) Next() (line int, cells []string, err error) {
	for {
		cells, err := s.raw()
		if err != nil {
			return 0, nil, err
		}
		if blank(cells) {
			continue
		}
		s.read++
		return s.line, cells, nil
	}
}

// Total estimates the number of data rows, 0 when not yet known.
func (s *Source) Total() int {
	if s.csv != nil {
		off := s.csv.InputOffset()
		if off <= 0 || s.read < 10 {
			return 0
		}
		return max(s.read, int(int64(s.read)*s.size/off))
	}
	if t := int(s.total.Load()) - s.headerLine; t > 0 {
		return max(t, s.read)
	}
	return 0
}

// Close releases the file.
func (s *Source) Close() error {
	var err error
	if s.rows != nil {
		err = s.rows.Close()
	}
	if s.x != nil {
		err = errors.Join(err, s.x.Close())
	}
	if s.closer != nil {
		err = errors.Join(err, s.closer.Close())
	}
	return err
}

// countTag counts occurrences of tag followed by a space, '>' or '/', up
// to stop.
func countTag(r io.Reader, tag []byte, stop int) (int, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	buf := make([]byte, 1<<16)
	carry := 0
	n := 0
	for {
		m, err := br.Read(buf[carry:])
		data := buf[:carry+m]
		i := 0
		for {
			j := bytes.Index(data[i:], tag)
			if j < 0 || i+j+len(tag) >= len(data) {
				break
			}
			if c := data[i+j+len(tag)]; c == ' ' || c == '>' || c == '/' {
				n++
			}
			if n >= stop {
				return n, nil
			}
			i += j + len(tag)
		}
		keep := min(len(tag), len(data))
		carry = copy(buf, data[len(data)-keep:])
		if err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
	}
}

// openCSV reads UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
// "Unicode text") or, when the start is not valid UTF-8, GB18030 (what
// Excel writes for "CSV" on a Chinese Windows). The delimiter is a comma,
// or a tab or semicolon when the first line has more of those.
func openCSV(r io.Reader, size int64, spec *Spec, lim Limits) (*Source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	peek, _ := br.Peek(64 << 10)
	utf16 := bytes.HasPrefix(peek, []byte{0xFF, 0xFE}) || bytes.HasPrefix(peek, []byte{0xFE, 0xFF})
	if !utf16 && notText(peek) {
		// Neither a zip nor text: most likely a damaged or mislabelled
		// xlsx, and no use looking for a header in it.
		return nil, errNotXLSX
	}
	var in io.Reader = br
	switch {
	case bytes.HasPrefix(peek, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(peek, []byte{0xFF, 0xFE}), bytes.HasPrefix(peek, []byte{0xFE, 0xFF}):
		in = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case !validUTF8Prefix(peek):
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	// The budget lets one record and the buffer ahead of it through
	// between resets.
	const buffer = 64 << 10
	budget := &budgetReader{r: in, max: lim.RowBytes + buffer}
	budget.reset()
	// The delimiter from the first line, decoded.
	lb := bufio.NewReaderSize(budget, buffer)
	first, _ := lb.Peek(8 << 10)
	if bytes.HasPrefix(first, []byte(CSVTitlePrefix)) {
		// An export's title line (who, when, why): the header follows it.
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			first = first[i+1:]
		}
	}
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	comma := ','
	if t, c, sc := bytes.Count(first, []byte("\t")), bytes.Count(first, []byte(",")), bytes.Count(first, []byte(";")); t > c && t >= sc {
		comma = '\t'
	} else if sc > c {
		comma = ';'
	}
	cr := csv.NewReader(lb)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	s := &Source{Spec: spec, csv: cr, size: size, lim: lim, budget: budget}
	if err := s.findHeader(); err != nil {
		return nil, err
	}
	return s, nil
}

// notText reports bytes that are no text in UTF-8 or GB18030: a NUL, or
// more than one control character in a hundred (a tab, a line break and
// the odd stray one in a cell are text).
func notText(b []byte) bool {
	n := 0
	for _, c := range b {
		switch {
		case c == 0:
			return true
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r', c == 0x7F:
			n++
		}
	}
	return n > 0 && n*100 > len(b)
}

// validUTF8Prefix reports whether b is valid UTF-8 but for a rune cut off
// at its end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}
