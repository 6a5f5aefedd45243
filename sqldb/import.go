package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/wangge/wangge"
)

// Import applies ledger rows in one transaction (see wangge.ImportStore).
//
// Rows come in batches. For each batch the store looks up every person it
// names in one query per few hundred ID numbers (through the blind index),
// decides each row in file order against the database and the rows before
// it, and writes new households and persons with multi-row INSERTs; the
// blind indexes and ciphertexts of a batch are computed in parallel. The
// transaction stays open to the end: a dry run, an error or a cancelled
// context rolls it back, so an interrupted import leaves nothing behind.
//
// Auditing: one entry for the import (who, file, counts) when it changed
// anything, and one per person moved from another household, as every move
// is audited. Added and updated rows get no entry each: a million-row import
// would write a million entries, and the import's entry names the file.
func (db *DB) Import(ctx context.Context, s wangge.Scope, opt wangge.ImportOptions, next func() ([]wangge.ImportRow, error)) (wangge.ImportCounts, error) {
	if db.box == nil {
		return wangge.ImportCounts{}, errors.New("sqldb: import needs the field-encryption key")
	}
	switch opt.Kind {
	case wangge.ImportPersons, wangge.ImportUnits, wangge.ImportMemberships:
	default:
		return wangge.ImportCounts{}, wangge.E(wangge.EInvalid, "error.import.kind", "Kind", opt.Kind)
	}
	// A dry run reads a snapshot through the read pool and writes nothing:
	// it keeps what the rows would create in memory, and never holds
	// SQLite's one write lock while people wait to save a form.
	var t *sql.Tx
	var err error
	if opt.DryRun {
		t, err = db.r.BeginTx(ctx, nil)
	} else {
		t, err = db.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return wangge.ImportCounts{}, err
	}
	im := &importer{db: db, dry: opt.DryRun, tx: &Tx{Tx: t, db: db, ctx: ctx, actor: wangge.ActorFrom(ctx), now: db.now()}, scope: s, opt: opt,
		buildings: map[string]*importBuilding{}, grids: map[string]error{}, households: map[int64][]*importHousehold{},
		houseRows: map[int64]*houseFirst{}, stmts: map[string]*sql.Stmt{}, job: opt.Job}
	if im.job == "" {
		im.job = newToken() // links the records' entries to the import's all the same
	}
	defer im.closeStmts()
	// A dry run is audited, and the rows a user may have checked in a day
	// are bounded (wangge.CheckImportRows): each tells whether a number is
	// registered somewhere.
	checkedToday := 0
	if opt.DryRun {
		if checkedToday, err = db.importRowsChecked(ctx, im.tx.actor); err != nil {
			t.Rollback()
			return wangge.ImportCounts{}, err
		}
	}
	checked := 0
	fail := func(err error) (wangge.ImportCounts, error) {
		t.Rollback()
		if opt.DryRun && wangge.ErrorCode(err) == wangge.ERateLimited {
			db.auditCheck(ctx, s, opt, im.job, checked, im.counts.Rejected, true)
		}
		return wangge.ImportCounts{}, err
	}
	for {
		rows, err := next()
		if err != nil {
			return fail(err)
		}
		if rows == nil {
			break
		}
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		if opt.DryRun {
			if err := wangge.CheckImportRows(im.tx.actor, s, checkedToday+checked, len(rows)); err != nil {
				return fail(err)
			}
			checked += len(rows)
		}
		switch opt.Kind {
		case wangge.ImportPersons:
			err = im.persons(rows)
		case wangge.ImportUnits:
			err = im.units(rows)
		case wangge.ImportMemberships:
			err = im.memberships(rows)
		}
		if err != nil {
			return fail(err)
		}
	}
	if opt.DryRun {
		t.Rollback()
		if err := db.auditCheck(ctx, s, opt, im.job, checked, im.counts.Rejected, false); err != nil {
			return wangge.ImportCounts{}, err
		}
		return im.counts, nil
	}
	if !im.changed || opt.Strict && im.counts.Rejected > 0 {
		t.Rollback()
		return im.counts, nil
	}
	if err := im.flushAudits(); err != nil {
		return fail(err)
	}
	c := im.counts
	if err := im.tx.audit("import."+string(opt.Kind), "import", im.job, s.Prefix(), jsonDetail(map[string]any{
		"job": im.job, "file": opt.File, "added": c.Added, "updated": c.Updated, "unchanged": c.Unchanged, "rejected": c.Rejected, "households_added": c.Households,
	})); err != nil {
		return fail(err)
	}
	if opt.Job != "" {
		if err := im.tx.markJobCommitted(opt.Job); err != nil {
			return fail(err)
		}
	}
	if err := t.Commit(); err != nil {
		return wangge.ImportCounts{}, err
	}
	db.counts.gen.Add(1)
	im.tx.committed()
	im.counts.Written = true
	return im.counts, nil
}

// importer is the state of one import.
type importer struct {
	db      *DB
	dry     bool // a dry run: decide every row, write nothing
	tx      *Tx
	scope   wangge.Scope
	opt     wangge.ImportOptions
	counts  wangge.ImportCounts
	changed bool

	buildings  map[string]*importBuilding // by "c"+code or "n"+grid+"|"+name
	grids      map[string]error           // grid code → nil when usable
	households map[int64][]*importHousehold
	houseRows  map[int64]*houseFirst // what the first row of each household said
	idPools    map[string]*idPool    // ids for new rows, by table
	job        string                // the import job's token, for the audit
	audits     []recordAudit         // entries for records changed, not yet written
	fieldNames []string              // the field names the entries use
	newHouses  []*importHousehold    // created, not yet written
	newPersons []*importPerson
	stmts      map[string]*sql.Stmt
}

type importBuilding struct {
	id   int64
	grid string
	err  *wangge.ErrorDetail
}

type importHousehold struct {
	id                     int64
	buildingID             int64
	grid                   string
	entrance, room, number string
	kind                   wangge.ResidenceKind
	phone                  string // in clear, for a new household only
	phoneIdx               []byte
	pending                bool // not yet written
}

// houseFirst is what the first row of a household in the file said of it:
// later rows may repeat it or leave it empty, not contradict it, or a
// re-import would flip the household back and forth.
type houseFirst struct {
	line          int
	kind          wangge.ResidenceKind
	phone, number string
}

type importPerson struct {
	p *wangge.Person
}

// existingPerson is what an import needs of a stored person.
type existingPerson struct {
	id, householdID int64
	grid, name      string
	idIdx, phoneIdx []byte
	relation        wangge.Relation
	kind            wangge.ResidenceKind
	ethnicity       string
	party           bool
	employment      string
	note            string
	version         int
}

func (im *importer) stmt(q string) (*sql.Stmt, error) {
	if st, ok := im.stmts[q]; ok {
		return st, nil
	}
	st, err := im.tx.PrepareContext(im.tx.ctx, im.db.sql(q))
	if err != nil {
		return nil, err
	}
	im.stmts[q] = st
	return st, nil
}

// exec runs a write; in a dry run, nothing.
func (im *importer) exec(q string, args ...any) error {
	if im.dry {
		return nil
	}
	st, err := im.stmt(q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(im.tx.ctx, args...)
	return err
}

func (im *importer) closeStmts() {
	for _, st := range im.stmts {
		st.Close()
	}
}

// report records a row's outcome.
func (im *importer) report(row *wangge.ImportRow, o wangge.ImportOutcome) {
	im.counts.Add(o.Status)
	if o.Status == wangge.ImportAdded || o.Status == wangge.ImportUpdated {
		im.changed = true
	}
	if im.opt.Outcome != nil {
		im.opt.Outcome(row, o)
	}
}

func (im *importer) reject(row *wangge.ImportRow, errs ...wangge.ErrorDetail) {
	if len(errs) == 0 { // a row of another ledger: the caller's mistake
		errs = []wangge.ErrorDetail{detail("", "error.import.other_ledger")}
	}
	im.report(row, wangge.ImportOutcome{Status: wangge.ImportRejected, Errors: errs})
}

func detail(field, key string, params ...any) wangge.ErrorDetail {
	e := wangge.Invalid(field, key, params...)
	return wangge.ErrorDetail{Field: field, Zh: wangge.ErrorZh(e), Message: wangge.ErrorMessage(e)}
}

// domainDetail turns a domain validation error into a row error, naming
// the ledger column of the domain field.
func domainDetail(err error, columns map[string]string) wangge.ErrorDetail {
	var e *wangge.Error
	if errors.As(err, &e) && e.Code != wangge.EInternal {
		f := e.Field
		if c, ok := columns[f]; ok {
			f = c
		}
		return wangge.ErrorDetail{Field: f, Zh: wangge.ErrorZh(e), Message: wangge.ErrorMessage(e)}
	}
	return detail("", "error.import.cannot_save", "Err", err.Error())
}

// parallel runs fn over [0, n) on every processor.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// inScope reports whether the import may write people's data in the grid.
func (im *importer) inScope(grid string) bool {
	return im.scope.People() && im.scope.Contains(grid)
}

// building resolves a row's building by its code or by grid and name.
func (im *importer) building(code, grid, name string) *importBuilding {
	key := "c" + code
	if code == "" {
		key = "n" + grid + "|" + name
	}
	if b, ok := im.buildings[key]; ok {
		return b
	}
	b := &importBuilding{}
	var err error
	if code != "" {
		seq, _ := strconv.Atoi(code[wangge.GridCodeLen:])
		err = im.tx.queryRow(`SELECT id, grid_code FROM buildings WHERE grid_code = ? AND seq = ?`, code[:wangge.GridCodeLen], seq).Scan(&b.id, &b.grid)
	} else {
		var ids []int64
		var rows *sql.Rows
		rows, err = im.tx.query(`SELECT id, grid_code FROM buildings WHERE grid_code = ? AND name = ? LIMIT 2`, grid, name)
		if err == nil {
			for rows.Next() {
				var id int64
				rows.Scan(&id, &b.grid)
				ids = append(ids, id)
			}
			rows.Close()
			switch len(ids) {
			case 0:
				err = sql.ErrNoRows
			case 1:
				b.id = ids[0]
			default:
				d := detail("building_name", "error.import.building_ambiguous")
				b.err = &d
			}
		}
	}
	field := "building_code"
	if code == "" {
		field = "building_name"
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		d := detail(field, "error.import.building_unknown")
		b.err = &d
	case err != nil:
		d := detail(field, "error.import.building_lookup", "Err", err.Error())
		b.err = &d
	case b.err == nil && !im.inScope(b.grid):
		d := detail(field, "error.import.building_unknown")
		b.err = &d
	}
	im.buildings[key] = b
	return b
}

// nextHouseholdID takes an id for a new household.
func (im *importer) nextHouseholdID() (int64, error) { return im.ids("households").next(im) }

// nextPersonID takes an id for a new person, known before the row is
// written so its audit entry can name it.
func (im *importer) nextPersonID() (int64, error) { return im.ids("persons").next(im) }

// idPool hands out ids for new rows of a table. SQLite's write
// transaction holds the database's one write lock from its start, so the
// ids past the largest are free; PostgreSQL hands them out of the
// identity sequence, a thousand at a time.
type idPool struct {
	table  string
	nextID int64   // the next id (SQLite; negative in a dry run)
	pool   []int64 // ids from the sequence (PostgreSQL)
}

func (im *importer) ids(table string) *idPool {
	if im.idPools == nil {
		im.idPools = map[string]*idPool{}
	}
	p := im.idPools[table]
	if p == nil {
		p = &idPool{table: table}
		im.idPools[table] = p
	}
	return p
}

func (p *idPool) next(im *importer) (int64, error) {
	if im.dry {
		p.nextID--
		return p.nextID, nil // stands for the row in memory only
	}
	if im.db.d.Name != "postgres" {
		if p.nextID == 0 {
			if err := im.tx.queryRow(`SELECT COALESCE(MAX(id), 0) + 1 FROM ` + p.table).Scan(&p.nextID); err != nil {
				return 0, err
			}
		}
		p.nextID++
		return p.nextID - 1, nil
	}
	if len(p.pool) == 0 {
		rows, err := im.tx.query(`SELECT nextval(pg_get_serial_sequence('` + p.table + `', 'id')) FROM generate_series(1, 1000)`)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, err
			}
			p.pool = append(p.pool, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	id := p.pool[0]
	p.pool = p.pool[1:]
	return id, nil
}

// importRowsChecked sums the rows the actor's import checks (dry runs) read
// within the last day, from their audit entries.
func (db *DB) importRowsChecked(ctx context.Context, a wangge.Actor) (int, error) {
	details, err := collect(ctx, db, `SELECT detail FROM audit_log WHERE username = ? AND action = 'import.check' AND at >= ?`,
		[]any{a.Username, ts(db.now().Add(-24 * time.Hour))}, func(rows *sql.Rows) (string, error) {
			var d string
			err := rows.Scan(&d)
			return d, err
		})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range details {
		var v struct{ Rows int }
		if json.Unmarshal([]byte(d), &v) == nil {
			n += v.Rows
		}
	}
	return n, nil
}

// auditCheck writes the audit entry of an import's check: the file, the
// rows read and refused — no values.
func (db *DB) auditCheck(ctx context.Context, s wangge.Scope, opt wangge.ImportOptions, job string, rows, rejected int, refused bool) error {
	d := map[string]any{"job": job, "file": opt.File, "kind": opt.Kind, "rows": rows, "rejected": rejected}
	if refused {
		d["refused"] = true
	}
	return db.Audit(ctx, &wangge.AuditEntry{Action: "import.check", Object: "import", ObjectID: job, GridCode: s.Prefix(), Detail: jsonDetail(d)})
}
