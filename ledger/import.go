package ledger

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// Keep says which rows' outcomes a Report keeps. Counts are kept for all.
type Keep int

const (
	KeepRejected Keep = iota // rejected rows only: bounded by the errors, for the CLI
	KeepChanged              // rejected and updated rows
	KeepAll                  // every row: the dry-run page lists them
)

// Options configure an import.
type Options struct {
	Scope wangge.Scope
	// File is the file's name for the report and the audit entry (default:
	// the base name of the path).
	File   string
	DryRun bool
	// Strict writes nothing when any row is rejected.
	Strict bool
	// Progress, when set, is called every batch with the rows done and the
	// estimated total (0 while unknown).
	Progress func(done, total int)
	// Rejects, when set, receives the rejected rows as an xlsx file: the
	// file's header and each rejected row's cells, plus 错误原因.
	Rejects io.Writer
	Keep    Keep
	// BatchSize is the number of rows handed to the store at a time.
	BatchSize int
	// Job is the web import job's token, for the store (ImportOptions.Job).
	Job string
	// Limits bound the file Import reads (zero fields: DefaultLimits).
	Limits Limits
}

// Message is one problem with, or note about, a row, naming its column.
type Message struct {
	Column   string // the Chinese header ("" for the row as a whole)
	ColumnEn string
	Zh, En   string
}

// String is the Chinese text: "公民身份号码：校验位错误……".
func (m Message) String() string {
	if m.Column == "" {
		return m.Zh
	}
	return m.Column + "：" + m.Zh
}

// StringEn is the English text.
func (m Message) StringEn() string {
	if m.ColumnEn == "" {
		return m.En
	}
	return m.ColumnEn + ": " + m.En
}

// RowResult is the outcome of one row.
type RowResult struct {
	Line   int
	Status wangge.ImportStatus
	// Label says who or what the row is, without personal data in clear:
	// a person's name and masked ID number, a unit's name.
	Label  string
	Errors []Message
	Notes  []Message
}

// Report is the outcome of an import or a dry run.
type Report struct {
	Kind   Kind
	File   string
	DryRun bool
	Counts wangge.ImportCounts
	Rows   []RowResult
	// Ignored lists the file's headers that are no ledger column.
	Ignored []string
	// Duplicate lists headers of columns the file has twice (the first
	// counts).
	Duplicate []string
}

// Import imports the ledger file at path (xlsx or CSV) into the store.
func Import(ctx context.Context, st wangge.ImportStore, kind Kind, path string, opt Options) (*Report, error) {
	spec := SpecOf(kind)
	if spec == nil {
		return nil, wangge.E(wangge.EInvalid, "error.import.kind", "Kind", kind)
	}
	src, err := OpenFileLimits(path, spec, opt.Limits)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if opt.File == "" {
		opt.File = filepath.Base(path)
	}
	return ImportSource(ctx, st, src, opt)
}

// ImportSource imports the rows of an open source. Reading and parsing run
// in their own goroutine, ahead of the store, so the two overlap.
func ImportSource(ctx context.Context, st wangge.ImportStore, src *Source, opt Options) (*Report, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	size := opt.BatchSize
	if size <= 0 {
		size = 2000
	}
	spec := src.Spec
	rep := &Report{Kind: spec.Kind, File: opt.File, DryRun: opt.DryRun, Ignored: src.Map.Unknown, Duplicate: src.Map.Duplicate}

	batches := make(chan []wangge.ImportRow, 4)
	var readErr error
	// The source belongs to the reader goroutine; it publishes its
	// estimate of the rows in all for the progress reports here.
	var total atomic.Int64
	go func() {
		defer close(batches)
		d := newDedup(spec.Kind)
		batch := make([]wangge.ImportRow, 0, size)
		for {
			line, cells, err := src.Next()
			if err == io.EOF {
				break
			} else if err != nil {
				readErr = err
				return
			}
			row := ParseRow(src.Map, line, cells)
			d.check(&row)
			batch = append(batch, row)
			if len(batch) == size {
				total.Store(int64(src.Total()))
				select {
				case batches <- batch:
				case <-ctx.Done():
					return
				}
				batch = make([]wangge.ImportRow, 0, size)
			}
		}
		total.Store(int64(src.Total()))
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-ctx.Done():
			}
		}
	}()
	next := func() ([]wangge.ImportRow, error) {
		select {
		case b, ok := <-batches:
			if !ok {
				return nil, readErr
			}
			return b, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}

	var rw *rejectWriter
	if opt.Rejects != nil {
		var err error
		if rw, err = newRejectWriter(spec, src.Header); err != nil {
			return nil, err
		}
		defer rw.close()
	}
	done := 0
	texts := newInterner()
	outcome := func(row *wangge.ImportRow, o wangge.ImportOutcome) {
		done++
		if opt.Progress != nil && done%size == 0 {
			opt.Progress(done, int(total.Load()))
		}
		keep := o.Status == wangge.ImportRejected || opt.Keep == KeepAll || opt.Keep == KeepChanged && o.Status == wangge.ImportUpdated
		if !keep && rw == nil {
			return
		}
		// The parser's notes (a converted ID number) come first: they are
		// about what the file said.
		r := RowResult{Line: row.Line, Status: o.Status, Errors: messages(spec, o.Errors, texts), Notes: messages(spec, append(row.Notes[:len(row.Notes):len(row.Notes)], o.Notes...), texts)}
		if o.Status == wangge.ImportRejected && rw != nil {
			rw.add(row.Cells, r.Errors)
		}
		if keep {
			r.Label = label(src.Map, row.Cells)
			rep.Rows = append(rep.Rows, r)
		}
	}
	counts, err := st.Import(ctx, opt.Scope, wangge.ImportOptions{Kind: importKind(spec.Kind), File: opt.File, Job: opt.Job, DryRun: opt.DryRun, Strict: opt.Strict, Outcome: outcome}, next)
	if err != nil {
		cancel()
		for range batches { // let the reader finish
		}
		return nil, err
	}
	rep.Counts = counts
	if opt.Progress != nil {
		opt.Progress(done, done)
	}
	if rw != nil {
		if err := rw.write(opt.Rejects); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func importKind(k Kind) wangge.ImportKind {
	switch k {
	case KindPersons:
		return wangge.ImportPersons
	case KindUnits:
		return wangge.ImportUnits
	}
	return wangge.ImportMemberships
}

// interner shares the messages of a report's rows: a file of 200,000 rows
// that all lack the same columns keeps their messages once, not 200,000
// times. It stops growing at a bound, for texts that quote each row.
type interner struct {
	texts map[string]string
	lists map[string][]Message
}

func newInterner() *interner {
	return &interner{texts: map[string]string{}, lists: map[string][]Message{}}
}

const internMax = 4096

func (in *interner) get(s string) string {
	if v, ok := in.texts[s]; ok {
		return v
	}
	if len(in.texts) < internMax {
		in.texts[s] = s
	}
	return s
}

// list returns a row's messages, shared with every earlier row that had
// the same ones: rows' messages are read, never changed.
func (in *interner) list(ms []Message) []Message {
	var k strings.Builder
	for _, m := range ms {
		k.WriteString(m.Column + "\x00" + m.Zh + "\x00" + m.En + "\x00")
	}
	key := k.String()
	if v, ok := in.lists[key]; ok {
		return v
	}
	if len(in.lists) < internMax {
		in.lists[key] = ms
	}
	return ms
}

// messages renders details with their columns' headers.
func messages(spec *Spec, ds []wangge.ErrorDetail, in *interner) []Message {
	if len(ds) == 0 {
		return nil
	}
	out := make([]Message, len(ds))
	for i, d := range ds {
		m := Message{Zh: in.get(d.Zh), En: in.get(d.Message)}
		if c := spec.Column(d.Field); c != nil {
			m.Column, m.ColumnEn = c.Zh, c.En
		}
		out[i] = m
	}
	return in.list(out)
}

// label names a row for the report: name and masked ID number, or a
// unit's name.
func label(m *HeaderMap, cells []string) string {
	var parts []string
	for _, key := range []string{ColName, ColUnitName, ColIDNumber, ColGroup} {
		v := m.Get(cells, key)
		if v == "" {
			continue
		}
		if key == ColIDNumber {
			v = ident.MaskID(v)
		}
		parts = append(parts, truncate(v, 60))
	}
	return strings.Join(parts, " ")
}

// dedup finds rows that repeat an earlier row of the file: the first
// counts, the later ones are rejected naming it.
type dedup struct {
	kind  Kind
	ids   map[uint64]int32 // persons: the ID number's 17 digits → line
	names map[string]int   // units and memberships
}

func newDedup(k Kind) *dedup {
	return &dedup{kind: k, ids: map[uint64]int32{}, names: map[string]int{}}
}

func (d *dedup) check(row *wangge.ImportRow) {
	if len(row.Errors) > 0 {
		return
	}
	dup := func(field string, first int, key string) {
		row.Errors = append(row.Errors, wangge.Detail(field, key, "Line", first))
	}
	switch {
	case row.Person != nil:
		// 17 digits fit a uint64 exactly; the check character follows
		// from them, so this key is the number itself, in 8 bytes.
		k, _ := strconv.ParseUint(row.Person.IDNumber[:17], 10, 64)
		if first, ok := d.ids[k]; ok {
			dup(ColIDNumber, int(first), "ledger.dup.id_number")
			return
		}
		d.ids[k] = int32(row.Line)
	case row.Unit != nil:
		// A unit with a credit code is that code; one without is its grid
		// and name, which a unit with a code also claims, so that the
		// same unit once with and once without its code is caught too.
		u := row.Unit
		grid := u.GridCode
		if grid == "" {
			grid = u.BuildingCode[:wangge.GridCodeLen]
		}
		name := "n" + grid + "|" + NormalizeHeader(u.Name)
		if u.CreditCode != "" {
			if first, ok := d.names["c"+u.CreditCode]; ok {
				dup(ColCreditCode, first, "ledger.dup.credit_code")
				return
			}
			d.names["c"+u.CreditCode] = row.Line
			if _, ok := d.names[name]; !ok {
				d.names[name] = row.Line
			}
			return
		}
		if first, ok := d.names[name]; ok {
			dup(ColUnitName, first, "ledger.dup.unit")
			return
		}
		d.names[name] = row.Line
	case row.Membership != nil:
		m := row.Membership
		key := m.IDNumber + "|" + string(m.Group) + "|"
		if m.Joined != nil {
			key += m.Joined.Format("2006-01-02")
		}
		if first, ok := d.names[key]; ok {
			dup(ColGroup, first, "ledger.dup.membership")
			return
		}
		d.names[key] = row.Line
	}
}
