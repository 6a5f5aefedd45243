package ledger

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/wangge/wangge"
)

// Limits on what a ledger file may be.
const (
	// unzipLimit bounds the unzipped size of an xlsx file, against zip
	// bombs. A million persons take some 300 MB of sheet XML.
	unzipLimit = 2 << 30
	// partLimit bounds each part but the sheets and the shared strings
	// (styles, workbook, theme), which excelize holds in memory.
	partLimit = 32 << 20
	// headerSearch is how many rows from the top are searched for the
	// header row (a title row or two above it is common).
	headerSearch = 10
	// maxColumns bounds the cells of one row.
	maxColumns = 500
)

// errFormat is the error for a file that is neither xlsx nor CSV.
var errFormat = wangge.E(wangge.EInvalid, "ledger.file.format")

// Source reads the data rows of a ledger file, xlsx or CSV, one at a time:
// an xlsx sheet is streamed with excelize's row iterator and never loaded
// whole, so memory stays bounded whatever the file's size.
type Source struct {
	Spec   *Spec
	Map    *HeaderMap
	Header []string // the header row as the file has it
	Sheet  string   // the sheet read (xlsx)

	xf     *excelize.File
	rows   *excelize.Rows
	csv    *csv.Reader
	closer io.Closer
	size   int64 // CSV: bytes, for the progress estimate

	line       int          // the spreadsheet row number of the last row read
	headerLine int          // the header row's number
	total      atomic.Int64 // rows in the sheet (xlsx), counted alongside
	read       int          // data rows returned
}

// OpenFile opens a ledger file for the spec, telling xlsx from CSV by its
// content, and finds the header row: the first row, within the first few of
// any sheet, that has the spec's required columns.
func OpenFile(name string, spec *Spec) (*Source, error) {
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
		return openXLSX(name, nil, spec)
	case "ole":
		f.Close()
		return nil, errFormat
	}
	s, err := openCSV(f, fi.Size(), spec)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// OpenBytes is OpenFile for a file held in memory.
func OpenBytes(data []byte, spec *Spec) (*Source, error) {
	switch kindOf(data) {
	case "xlsx":
		return openXLSX("", data, spec)
	case "ole":
		return nil, errFormat
	}
	return openCSV(bytes.NewReader(data), int64(len(data)), spec)
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

// xlsxOptions are the options every xlsx file is opened with: raw cell
// values (numbers as stored, dates as serial numbers, which the parser
// understands), a bound on the unzipped size.
func xlsxOptions() excelize.Options {
	return excelize.Options{RawCellValue: true, UnzipSizeLimit: unzipLimit, TmpDir: SpillDir()}
}

// openXLSX opens the file name, or data when name is "".
func openXLSX(name string, data []byte, spec *Spec) (s *Source, err error) {
	defer func() {
		if p := recover(); p != nil { // excelize on a malformed file
			s, err = nil, corrupt(fmt.Errorf("%v", p))
		}
	}()
	if err := precheckZip(name, data); err != nil {
		return nil, err
	}
	var xf *excelize.File
	if name != "" {
		xf, err = excelize.OpenFile(name, xlsxOptions())
	} else {
		xf, err = excelize.OpenReader(bytes.NewReader(data), xlsxOptions())
	}
	if err != nil {
		if xf != nil {
			xf.Close() // its temporary files
		}
		return nil, corrupt(err)
	}
	s = &Source{Spec: spec, xf: xf}
	var best error
	for _, sheet := range xf.GetSheetList() {
		rows, err := xf.Rows(sheet)
		if err != nil {
			continue
		}
		s.rows, s.Sheet, s.line = rows, sheet, 0
		if err := s.findHeader(); err == nil {
			go s.countRows(name, data)
			return s, nil
		} else if best == nil || !isHeaderError(best) {
			best = err
		}
		rows.Close()
		s.rows = nil
	}
	xf.Close()
	if best == nil {
		best = wangge.E(wangge.EInvalid, "ledger.file.no_sheet")
	}
	return nil, best
}

// precheckZip refuses an xlsx whose parts claim sizes no ledger has:
// excelize reads every part but the sheets and the shared strings into
// memory, trusting the size the zip directory gives (and archive/zip
// never inflates past it).
func precheckZip(name string, data []byte) error {
	var zr *zip.Reader
	if name != "" {
		z, err := zip.OpenReader(name)
		if err != nil {
			return corrupt(err)
		}
		defer z.Close()
		zr = &z.Reader
	} else {
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return corrupt(err)
		}
		zr = z
	}
	var total uint64
	for _, f := range zr.File {
		n := strings.ToLower(f.Name)
		big := strings.HasPrefix(n, "xl/worksheets/sheet") || n == "xl/sharedstrings.xml"
		total += f.UncompressedSize64
		if !big && f.UncompressedSize64 > partLimit || total > unzipLimit {
			return wangge.E(wangge.EInvalid, "ledger.file.too_large", "Part", truncate(f.Name, 60), "Bytes", f.UncompressedSize64)
		}
	}
	return nil
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
	for i := 0; i < headerSearch; i++ {
		cells, err := s.raw()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		if blank(cells) {
			continue
		}
		m, err := MatchHeader(s.Spec, cells)
		if err == nil {
			s.Map, s.Header, s.headerLine = m, cells, s.line
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

// raw returns the next row of the file, blank or not.
func (s *Source) raw() (cells []string, err error) {
	if s.rows != nil {
		defer func() {
			if p := recover(); p != nil {
				cells, err = nil, corrupt(fmt.Errorf("%v", p))
			}
		}()
		if !s.rows.Next() {
			if err := s.rows.Error(); err != nil {
				return nil, corrupt(err)
			}
			return nil, io.EOF
		}
		s.line++
		// Rows returns rows absent from the XML as empty ones, so the
		// count is the row number a spreadsheet shows.
		cells, err = s.rows.Columns()
		if err != nil {
			return nil, corrupt(err)
		}
	} else {
		cells, err = s.csv.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		s.line++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, wangge.E(wangge.EInvalid, "ledger.file.csv_line", "Line", pe.StartLine, "Err", pe.Err.Error())
			}
			return nil, err
		}
	}
	if len(cells) > maxColumns {
		return nil, wangge.E(wangge.EInvalid, "ledger.file.too_many_columns", "Line", s.line, "Max", maxColumns)
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

// Close releases the file and excelize's temporary files.
func (s *Source) Close() error {
	var err error
	if s.rows != nil {
		err = s.rows.Close()
	}
	if s.xf != nil {
		err = errors.Join(err, s.xf.Close())
	}
	if s.closer != nil {
		err = errors.Join(err, s.closer.Close())
	}
	return err
}

// countRows counts the <row> elements of the sheet's XML without parsing
// it, for the progress bar: inflating is much cheaper than decoding, so
// the count is ready long before the import is done.
func (s *Source) countRows(name string, data []byte) {
	defer func() { recover() }() // a count is only a nicety
	var zr *zip.Reader
	if name != "" {
		z, err := zip.OpenReader(name)
		if err != nil {
			return
		}
		defer z.Close()
		zr = &z.Reader
	} else {
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		zr = z
	}
	p := sheetPath(zr, s.Sheet)
	for _, f := range zr.File {
		if f.Name != p {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return
		}
		defer rc.Close()
		n, err := countTag(rc, []byte("<row"))
		if err == nil {
			s.total.Store(int64(n))
		}
		return
	}
}

// countTag counts occurrences of tag followed by a space or '>'.
func countTag(r io.Reader, tag []byte) (int, error) {
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
			if c := data[i+j+len(tag)]; c == ' ' || c == '>' {
				n++
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

// sheetPath finds the XML part of a sheet through the workbook and its
// relationships.
func sheetPath(zr *zip.Reader, sheet string) string {
	read := func(name string) []byte {
		for _, f := range zr.File {
			if strings.EqualFold(f.Name, name) {
				rc, err := f.Open()
				if err != nil {
					return nil
				}
				defer rc.Close()
				b, _ := io.ReadAll(io.LimitReader(rc, 16<<20))
				return b
			}
		}
		return nil
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(read("xl/workbook.xml"), &wb) != nil || xml.Unmarshal(read("xl/_rels/workbook.xml.rels"), &rels) != nil {
		return ""
	}
	for _, sh := range wb.Sheets {
		if sh.Name != sheet {
			continue
		}
		for _, rel := range rels.Rel {
			if rel.ID == sh.RID {
				if strings.HasPrefix(rel.Target, "/") {
					return strings.TrimPrefix(rel.Target, "/")
				}
				return path.Join("xl", rel.Target)
			}
		}
	}
	return ""
}

// openCSV reads UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
// "Unicode text") or, when the start is not valid UTF-8, GB18030 (what
// Excel writes for "CSV" on a Chinese Windows). The delimiter is a comma,
// or a tab or semicolon when the first line has more of those.
func openCSV(r io.Reader, size int64, spec *Spec) (*Source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	peek, _ := br.Peek(64 << 10)
	var in io.Reader = br
	switch {
	case bytes.HasPrefix(peek, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(peek, []byte{0xFF, 0xFE}), bytes.HasPrefix(peek, []byte{0xFE, 0xFF}):
		in = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case !validUTF8Prefix(peek):
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	if bytes.IndexByte(peek, 0) >= 0 && in == io.Reader(br) {
		return nil, errFormat // binary, not text
	}
	// The delimiter from the first line, decoded.
	lb := bufio.NewReaderSize(in, 64<<10)
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
	s := &Source{Spec: spec, csv: cr, size: size}
	if err := s.findHeader(); err != nil {
		return nil, err
	}
	return s, nil
}

// validUTF8Prefix reports whether b is valid UTF-8 but for a rune cut off
// at its end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}
