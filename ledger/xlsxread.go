package ledger

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wangge/wangge"
)

// The xlsx reader of the imports: the sheet's XML streams through a zip
// entry, a byte counter, a token guard and encoding/xml's tokenizer, and
// rows come out one at a time, so that nothing the file claims or holds
// can make the reader keep more than one row, one token and the shared
// strings (themselves bounded) in memory. It reads the cells as stored,
// the way excelize's RawCellValue reads them (numbers and dates as
// written, shared and inline strings as text, _xHHHH_ escapes decoded), so
// that the template and the exports, which excelize writes, read back as
// they were written.

// maxDepth bounds the nesting of an xlsx part's elements; a sheet nests
// six deep.
const maxDepth = 64

// xlsxFile is an open xlsx file: its zip directory, its sheets in
// workbook order and, once a sheet needs them, its shared strings.
type xlsxFile struct {
	zr     *zip.Reader
	closer io.Closer
	lim    Limits
	sheets []xlsxSheet
	sst    *sharedStrings
	sstErr error
	loaded bool
}

type xlsxSheet struct{ name, part string }

// openZip opens the xlsx file name, or data when name is "".
func openZip(name string, data []byte, lim Limits) (*xlsxFile, error) {
	var ra io.ReaderAt
	var size int64
	var closer io.Closer
	if name != "" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		ra, size, closer = f, fi.Size(), f
	} else {
		ra, size = bytes.NewReader(data), int64(len(data))
	}
	x, err := readZip(ra, size, lim)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, err
	}
	x.closer = closer
	return x, nil
}

func readZip(ra io.ReaderAt, size int64, lim Limits) (*xlsxFile, error) {
	// archive/zip reads the whole directory into memory: count its
	// entries first.
	if n, err := zipEntries(ra, size, lim.Parts+1); err != nil {
		return nil, corrupt(err)
	} else if n > lim.Parts {
		return nil, wangge.E(wangge.EInvalid, "ledger.file.too_many_parts", "Max", lim.Parts)
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, corrupt(err)
	}
	if len(zr.File) > lim.Parts {
		return nil, wangge.E(wangge.EInvalid, "ledger.file.too_many_parts", "Max", lim.Parts)
	}
	for _, f := range zr.File {
		max := lim.Part
		if strings.EqualFold(f.Name, "xl/sharedStrings.xml") {
			max = lim.SharedStrings
		}
		if f.UncompressedSize64 > uint64(max) {
			return nil, partTooLarge(f.Name, max, 0)
		}
	}
	x := &xlsxFile{zr: zr, lim: lim}
	if err := x.readWorkbook(); err != nil {
		return nil, err
	}
	return x, nil
}

// zipEntries counts the entries of a zip file's central directory, up to
// stop: archive/zip reads them all into memory, trusting the count at the
// end of the file only modulo 65,536, so they are counted here first.
func zipEntries(ra io.ReaderAt, size int64, stop int) (int, error) {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	if tail < eocdLen {
		return 0, zip.ErrFormat
	}
	buf := make([]byte, tail)
	if _, err := ra.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return 0, zip.ErrFormat
	}
	off := int64(binary.LittleEndian.Uint32(buf[i+16:]))
	if off == 0xFFFFFFFF && i >= 20 && bytes.Equal(buf[i-20:i-16], []byte("PK\x06\x07")) {
		// zip64: the locator gives the zip64 end record, which gives the
		// directory's offset.
		end := int64(binary.LittleEndian.Uint64(buf[i-20+8:]))
		var rec [56]byte
		if end < 0 || end > size-56 {
			return 0, zip.ErrFormat
		}
		if _, err := ra.ReadAt(rec[:], end); err != nil {
			return 0, err
		}
		if !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
			return 0, zip.ErrFormat
		}
		off = int64(binary.LittleEndian.Uint64(rec[48:]))
	}
	if off < 0 || off > size {
		return 0, zip.ErrFormat
	}
	// Each entry: a 46-byte header, then its name, extra field and
	// comment.
	r := io.NewSectionReader(ra, off, size-off)
	var h [46]byte
	n := 0
	for ; n < stop; n++ {
		if _, err := io.ReadFull(r, h[:]); err != nil || !bytes.Equal(h[:4], []byte("PK\x01\x02")) {
			break
		}
		skip := int64(binary.LittleEndian.Uint16(h[28:])) + int64(binary.LittleEndian.Uint16(h[30:])) + int64(binary.LittleEndian.Uint16(h[32:]))
		if _, err := r.Seek(skip, io.SeekCurrent); err != nil {
			break
		}
	}
	return n, nil
}

func partTooLarge(part string, max int64, line int) error {
	if strings.EqualFold(part, "xl/sharedStrings.xml") {
		return wangge.E(wangge.EInvalid, "ledger.file.shared_strings_too_large", "MiB", max>>20)
	}
	if line > 0 {
		return wangge.E(wangge.EInvalid, "ledger.file.part_too_large_at", "Part", truncate(part, 60), "MiB", max>>20, "Line", line)
	}
	return wangge.E(wangge.EInvalid, "ledger.file.part_too_large", "Part", truncate(part, 60), "MiB", max>>20)
}

func (x *xlsxFile) file(name string) *zip.File {
	for _, f := range x.zr.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// readMeta reads a small part whole.
func (x *xlsxFile) readMeta(name string) ([]byte, error) {
	f := x.file(name)
	if f == nil {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, corrupt(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(&countingReader{r: rc, max: metaLimit})
	if errors.Is(err, errPartTooLarge) {
		return nil, partTooLarge(name, metaLimit, 0)
	} else if err != nil {
		return nil, corrupt(err)
	}
	return b, nil
}

// readWorkbook lists the sheets, in the workbook's order, with their parts.
func (x *xlsxFile) readWorkbook() error {
	wbXML, err := x.readMeta("xl/workbook.xml")
	if err != nil {
		return err
	}
	if wbXML == nil {
		return errNotXLSX // a zip, but of something else
	}
	relsXML, err := x.readMeta("xl/_rels/workbook.xml.rels")
	if err != nil {
		return err
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
	if err := xml.Unmarshal(wbXML, &wb); err != nil {
		return corrupt(err)
	}
	if relsXML != nil {
		if err := xml.Unmarshal(relsXML, &rels); err != nil {
			return corrupt(err)
		}
	}
	for i, sh := range wb.Sheets {
		part := ""
		for _, rel := range rels.Rel {
			if rel.ID == sh.RID {
				if strings.HasPrefix(rel.Target, "/") {
					part = strings.TrimPrefix(rel.Target, "/")
				} else {
					part = path.Join("xl", rel.Target)
				}
			}
		}
		if part == "" {
			part = fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		}
		x.sheets = append(x.sheets, xlsxSheet{name: sh.Name, part: part})
	}
	return nil
}

func (x *xlsxFile) Close() error {
	if x.closer != nil {
		return x.closer.Close()
	}
	return nil
}

// strings returns the shared strings, read on first use.
func (x *xlsxFile) strings() (*sharedStrings, error) {
	if !x.loaded {
		x.loaded = true
		x.sst, x.sstErr = x.readSharedStrings()
	}
	return x.sst, x.sstErr
}

// sharedStrings holds the shared strings in one buffer, each string an end
// offset into it, so that a million short strings cost their bytes and
// four more each rather than a string header each.
type sharedStrings struct {
	buf  []byte
	ends []uint32
}

func (s *sharedStrings) get(i int) (string, bool) {
	if s == nil || i < 0 || i >= len(s.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return string(s.buf[start:s.ends[i]]), true
}

// xmlStream is a part's XML read through the guards, with its depth.
type xmlStream struct {
	rc    io.ReadCloser
	count *countingReader
	dec   *xml.Decoder
	depth int
}

func (x *xlsxFile) stream(f *zip.File, max int64) (*xmlStream, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, corrupt(err)
	}
	cr := &countingReader{r: rc, max: max}
	dec := xml.NewDecoder(&xmlGuard{r: cr, max: x.lim.RowBytes})
	dec.Strict = true
	return &xmlStream{rc: rc, count: cr, dec: dec}, nil
}

// token returns the next token, tracking the depth; a CharData is only
// valid until the next call.
func (s *xmlStream) token() (xml.Token, error) {
	t, err := s.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t.(type) {
	case xml.StartElement:
		s.depth++
		if s.depth > maxDepth {
			return nil, errors.New("elements nested too deep")
		}
	case xml.EndElement:
		s.depth--
	}
	return t, nil
}

func (x *xlsxFile) readSharedStrings() (*sharedStrings, error) {
	f := x.file("xl/sharedStrings.xml")
	if f == nil {
		return nil, nil
	}
	s, err := x.stream(f, x.lim.SharedStrings)
	if err != nil {
		return nil, err
	}
	defer s.rc.Close()
	sst := &sharedStrings{}
	var item []byte
	inItem, inT, phonetic := false, false, 0
	for {
		t, err := s.token()
		if err == io.EOF {
			return sst, nil
		} else if err != nil {
			switch {
			case errors.Is(err, errPartTooLarge):
				return nil, partTooLarge(f.Name, x.lim.SharedStrings, 0)
			case errors.Is(err, errTokenTooLong):
				return nil, wangge.E(wangge.EInvalid, "ledger.file.shared_string_too_long", "Max", x.lim.RowBytes>>10)
			}
			return nil, corrupt(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inItem, item = true, item[:0]
			case "rPh": // the phonetic guide above East Asian text
				phonetic++
			case "t":
				inT = inItem && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if inItem {
					sst.buf = append(sst.buf, bstrDecode(item)...)
					if len(sst.buf) > 1<<32-1 {
						return nil, partTooLarge(f.Name, x.lim.SharedStrings, 0)
					}
					sst.ends = append(sst.ends, uint32(len(sst.buf)))
				}
				inItem = false
			case "rPh":
				phonetic--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				item = append(item, t...)
			}
		}
	}
}

// bstrDecode decodes the _xHHHH_ escapes spreadsheets write for characters
// XML cannot hold (_x005F_ is the underscore itself), as excelize does:
// an escape of a surrogate is dropped.
func bstrDecode(b []byte) []byte {
	if !bytes.Contains(b, []byte("_x")) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if i+7 <= len(b) && b[i] == '_' && b[i+1] == 'x' && b[i+6] == '_' {
			if v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 32); err == nil {
				if r := rune(v); utf8.ValidRune(r) {
					out = utf8.AppendRune(out, r)
				}
				i += 7
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}

// sheetRows reads one sheet's rows.
type sheetRows struct {
	x    *xlsxFile
	part string
	s    *xmlStream
	num  int  // the last row's number
	in   bool // within sheetData
	done bool
	// the row being read, for errors
	cur int
}

func (x *xlsxFile) rows(sh xlsxSheet) (*sheetRows, error) {
	f := x.file(sh.part)
	if f == nil {
		return nil, corrupt(fmt.Errorf("no part %s", sh.part))
	}
	s, err := x.stream(f, x.lim.Part)
	if err != nil {
		return nil, err
	}
	return &sheetRows{x: x, part: f.Name, s: s}, nil
}

func (r *sheetRows) Close() error { return r.s.rc.Close() }

// fail turns a reading error into the error of the file.
func (r *sheetRows) fail(err error) error {
	var we *wangge.Error
	lim := r.x.lim
	line := max(r.cur, r.num+1)
	switch {
	case errors.As(err, &we):
		return err
	case errors.Is(err, errPartTooLarge):
		return partTooLarge(r.part, lim.Part, line)
	case errors.Is(err, errTokenTooLong):
		return cellTooLong(line, lim)
	}
	return corrupt(err)
}

func cellTooLong(line int, lim Limits) error {
	return wangge.E(wangge.EInvalid, "ledger.file.cell_too_long", "Line", line, "Max", lim.CellRunes)
}

// next returns the next row with its number, io.EOF after the last.
func (r *sheetRows) next() (int, []string, error) {
	if r.done {
		return 0, nil, io.EOF
	}
	for {
		t, err := r.s.token()
		if err == io.EOF {
			r.done = true
			return 0, nil, io.EOF
		} else if err != nil {
			r.done = true
			return 0, nil, r.fail(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			if t.Name.Local == "sheetData" {
				r.in = true
			} else if r.in && t.Name.Local == "row" {
				cells, err := r.row(t)
				if err != nil {
					r.done = true
					return 0, nil, r.fail(err)
				}
				return r.num, cells, nil
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				r.done = true
				return 0, nil, io.EOF
			}
		}
	}
}

// row reads the cells of the row element start.
func (r *sheetRows) row(start xml.StartElement) ([]string, error) {
	num := r.num + 1
	for _, a := range start.Attr {
		if a.Name.Local == "r" {
			n, err := strconv.Atoi(a.Value)
			if err != nil || n < 1 || n > 1<<20 {
				return nil, fmt.Errorf("row number %q", truncate(a.Value, 20))
			}
			num = max(n, num)
		}
	}
	r.cur = num
	lim := r.x.lim
	var cells []string
	col, size := 0, 0
	for {
		t, err := r.s.token()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.EndElement:
			if t.Name.Local == "row" {
				r.num = num
				return cells, nil
			}
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			col++
			v, formula, typ, err := r.cell(t, &col)
			if err != nil {
				return nil, err
			}
			if col > lim.Columns {
				return nil, wangge.E(wangge.EInvalid, "ledger.file.too_many_columns", "Line", num, "Max", lim.Columns)
			}
			switch typ {
			case "s":
				if v != "" {
					sst, err := r.x.strings()
					if err != nil {
						return nil, err
					}
					i, err := strconv.Atoi(strings.TrimSpace(v))
					if v, ok := sst.get(i); err == nil && ok {
						if len(v) > lim.CellRunes && utf8.RuneCountInString(v) > lim.CellRunes {
							return nil, cellTooLong(num, lim)
						}
						if size += len(v); size > lim.RowBytes {
							return nil, rowTooLarge(num, lim)
						}
						if v != "" || formula {
							cells = place(cells, col, v)
						}
						continue
					}
					return nil, fmt.Errorf("cell refers to shared string %q of %d", truncate(v, 20), len(sst.ends))
				}
			}
			if v != "" || formula {
				cells = place(cells, col, v)
			}
			if size += len(v); size > lim.RowBytes {
				return nil, rowTooLarge(num, lim)
			}
		}
	}
}

func rowTooLarge(line int, lim Limits) error {
	return wangge.E(wangge.EInvalid, "ledger.file.row_too_large", "Line", line, "KiB", lim.RowBytes>>10)
}

// place puts v in column col (from 1), after blanks for the columns
// before it that had no cell.
func place(cells []string, col int, v string) []string {
	for len(cells) < col-1 {
		cells = append(cells, "")
	}
	return append(cells, v)
}

// cell reads a cell element: its value as stored, whether it has a
// formula, and its type; col is set from its reference when it has one.
func (r *sheetRows) cell(start xml.StartElement, col *int) (v string, formula bool, typ string, err error) {
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "r":
			c := 0
			for i := 0; i < len(a.Value); i++ {
				ch := a.Value[i] | 0x20 // lower case
				if ch < 'a' || ch > 'z' {
					break
				}
				c = c*26 + int(ch-'a') + 1
				if c > 1<<14 {
					return "", false, "", fmt.Errorf("cell reference %q", truncate(a.Value, 20))
				}
			}
			if c == 0 {
				return "", false, "", fmt.Errorf("cell reference %q", truncate(a.Value, 20))
			}
			*col = c
		case "t":
			typ = a.Value
		}
	}
	lim := r.x.lim
	var val, inline []byte
	inV, inIS, inT, phonetic, hasIS := false, false, false, 0, false
	depth := r.s.depth
	for {
		t, err := r.s.token()
		if err != nil {
			return "", false, "", err
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				inV = r.s.depth == depth+1
			case "f":
				formula = true
			case "is":
				inIS, hasIS = true, true
			case "rPh":
				phonetic++
			case "t":
				inT = inIS && phonetic == 0
			}
		case xml.EndElement:
			if r.s.depth < depth {
				if typ == "inlineStr" && hasIS {
					v = string(bstrDecode(inline))
				} else {
					v = string(val)
				}
				if len(v) > lim.CellRunes && utf8.RuneCountInString(v) > lim.CellRunes {
					return "", false, "", cellTooLong(r.cur, lim)
				}
				return v, formula, typ, nil
			}
			switch t.Name.Local {
			case "v":
				inV = false
			case "is":
				inIS = false
			case "rPh":
				phonetic--
			case "t":
				inT = false
			}
		case xml.CharData:
			switch {
			case inV:
				val = append(val, t...)
			case inT:
				inline = append(inline, t...)
			default:
				continue
			}
			if len(val)+len(inline) > lim.RowBytes {
				return "", false, "", rowTooLarge(r.cur, lim)
			}
		}
	}
}

// countRows counts the row elements of a sheet's XML without parsing it,
// up to stop: inflating is much cheaper than decoding, so that a sheet of
// more rows than an import takes is refused before its first row is
// checked, and the progress bar knows its total from the start. It returns
// 0 when the count fails: the reading then finds what is wrong.
func (x *xlsxFile) countRows(sh xlsxSheet, stop int) int {
	f := x.file(sh.part)
	if f == nil {
		return 0
	}
	rc, err := f.Open()
	if err != nil {
		return 0
	}
	defer rc.Close()
	n, err := countTag(&countingReader{r: rc, max: x.lim.Part}, []byte("<row"), stop)
	if err != nil && n < stop {
		return 0
	}
	return n
}
