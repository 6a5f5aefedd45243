package ui

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/ledger"
)

// Ledger imports through the web: staff download a template, upload a file,
// see the dry run row by row (and download the rejected rows to fix them),
// then commit every valid row or nothing. The job lives in the database
// (wangge.ImportJobStore) with the upload sealed, so any server behind a
// load balancer shows, resumes and commits it and a restart loses none;
// the job belongs to the session that uploaded it. The server running a
// job holds a lease it renews every few seconds; a job whose server went
// silent is taken over by the next server the uploader's page asks.
const (
	importMaxBytes = 50 << 20 // the largest file accepted
	importTTL      = time.Hour
	importRowsPage = 50
	// importRunning bounds the imports one server runs at once; more wait
	// their turn. Per server, not per cluster: each server has its own
	// processors to protect, and a cluster's capacity grows with it.
	importRunning = 2
	// importsPerUser bounds the imports one user keeps open (until they
	// are committed, fail or expire), counted in the database: across the
	// cluster.
	importsPerUser = 5
	// importLease is how long a running job's server may stay silent
	// before another takes the job over; importBeat how often it speaks.
	importLease = 30 * time.Second
	importBeat  = 5 * time.Second
	// importSweepEvery spaces the purges of expired jobs.
	importSweepEvery = time.Minute
	// importCached bounds the decoded reports a server keeps.
	importCached = 8
)

var importKinds = []ledger.Kind{ledger.KindPersons, ledger.KindUnits, ledger.KindMemberships}

// ImportStore is what the import pages use: the jobs (wangge.ImportJobStore)
// and the import's writes, which the store checks against the uploader's
// scope row by row.
type ImportStore interface {
	wangge.ImportJobStore
	wangge.ImportStore
}

// imports are the import pages' handlers, with what this server knows of
// the jobs it runs.
type imports struct {
	core  *whttp.Server
	store ImportStore
	jobs  *importJobs
}

// importRoutes is the import pages' part of the server: templates, upload
// and dry run, the rejected rows, commit. An import belongs to the session
// that uploaded it.
func importRoutes(core *whttp.Server, store wangge.Store) []whttp.Route {
	return newImports(core, store).routes()
}

func newImports(core *whttp.Server, store ImportStore) *imports {
	return &imports{core: core, store: store, jobs: newImportJobs()}
}

// routes returns the routes and registers the background work: the
// heartbeat of the jobs this server runs, and the purge of expired jobs.
// Requests purge expired jobs too; the ticker clears the uploads of an
// idle server.
func (s *imports) routes() []whttp.Route {
	s.core.Every(s.jobs.beat, s.heartbeat)
	s.core.Every(importSweepEvery, s.sweep)
	return []whttp.Route{
		s.core.Page("GET /import", wangge.PermEditPeople, s.handleImportForm),
		s.core.Page("POST /import", wangge.PermEditPeople, s.handleImportUpload),
		s.core.Page("GET /import/templates/{kind}", wangge.PermEditPeople, s.handleImportTemplate),
		s.core.Page("GET /import/jobs/{token}", wangge.PermEditPeople, s.handleImportJob),
		s.core.Page("GET /import/jobs/{token}/status", wangge.PermEditPeople, s.handleImportStatus),
		s.core.Export("GET /import/jobs/{token}/rejects.xlsx", wangge.PermEditPeople, s.handleImportRejects),
		s.core.Page("POST /import/jobs/{token}/commit", wangge.PermEditPeople, s.handleImportCommit),
		s.core.Page("POST /import/jobs/{token}/retry", wangge.PermEditPeople, s.handleImportRetry),
	}
}

// importJobs is what one server knows of the import jobs it runs; the
// jobs themselves are in the store.
type importJobs struct {
	holder string // this server's name in the jobs' leases
	sem    chan struct{}
	lease  time.Duration
	beat   time.Duration

	mu        sync.Mutex
	running   map[string]*importRun // by token
	cache     map[string]importCachedReports
	lastSweep time.Time
}

// importRun is a job this server runs (or has queued to run): its live
// progress, fresher than the row (SQLite's one writer is busy while a
// commit runs), and how to stop it when another server takes it over.
type importRun struct {
	id          int64
	done, total atomic.Int64
	cancel      context.CancelFunc

	// mu serialises the heartbeat with the end of the run: once ended,
	// the run's outcome gives the lease up and no beat may renew it.
	mu    sync.Mutex
	ended bool
}

// end stops the run's heartbeats, waiting for one under way.
func (run *importRun) end() {
	run.mu.Lock()
	run.ended = true
	run.mu.Unlock()
}

func newImportJobs() *importJobs {
	var b [9]byte
	rand.Read(b[:])
	host, _ := os.Hostname()
	return &importJobs{holder: host + "/" + base64.RawURLEncoding.EncodeToString(b[:]), sem: make(chan struct{}, importRunning),
		lease: importLease, beat: importBeat, running: map[string]*importRun{}, cache: map[string]importCachedReports{}}
}

func (js *importJobs) run(token string) *importRun {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.running[token]
}

// heartbeat renews the lease of every job this server runs or has queued,
// with its progress (every importBeat, from the core's Every). A job whose
// lease is lost (another server took it over) is stopped.
func (s *imports) heartbeat(ctx context.Context) {
	js := s.jobs
	js.mu.Lock()
	runs := make([]*importRun, 0, len(js.running))
	for _, run := range js.running {
		runs = append(runs, run)
	}
	js.mu.Unlock()
	// Concurrently: beaten one after another, a job whose write waits
	// (SQLite's one writer busy with another job's commit) would hold up
	// the other jobs' beats.
	var wg sync.WaitGroup
	for _, run := range runs {
		wg.Go(func() {
			run.mu.Lock()
			defer run.mu.Unlock()
			if run.ended {
				return
			}
			bctx, cancel := context.WithTimeout(ctx, js.beat)
			err := s.store.ImportJobHeartbeat(bctx, run.id, js.holder, int(run.done.Load()), int(run.total.Load()))
			cancel()
			if errors.Is(err, wangge.ErrConflict) {
				s.core.Logger().Warn("import: another server took the job over", "job", run.id)
				run.cancel()
			}
		})
	}
	wg.Wait()
}

// sweep purges expired jobs, at most once a minute per server.
func (s *imports) sweep(ctx context.Context) {
	js := s.jobs
	js.mu.Lock()
	due := time.Since(js.lastSweep) >= importSweepEvery
	if due {
		js.lastSweep = time.Now()
	}
	js.mu.Unlock()
	if !due {
		return
	}
	if _, err := s.store.PurgeImportJobs(ctx, js.lease); err != nil {
		s.core.Logger().Error("import: purging expired jobs", "err", err)
	}
}

// importJob returns the user's import of the request's token, nil when there is
// none: unknown, expired, another user's or another session's. A running
// job whose server went silent is taken over here, so it never hangs.
func (s *imports) importJob(r *http.Request) (*wangge.ImportJob, error) {
	u := whttp.UserFrom(r.Context())
	if u == nil {
		return nil, nil
	}
	j, err := s.store.ImportJob(r.Context(), u.ID, r.PathValue("token"))
	if errors.Is(err, wangge.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(j.Session, whttp.SessionHash(r)) != 1 {
		return nil, nil
	}
	if j.Running() && s.jobs.run(j.Token) == nil && time.Since(j.Heartbeat) > s.jobs.lease {
		return s.takeOver(r, j)
	}
	return j, nil
}

// takeOver runs again, on this server, a job whose server died: a dry
// run from the start, a commit anew (the commit is one transaction, so
// the dead server's left nothing; a commit that went through marked the
// job committed in that transaction).
func (s *imports) takeOver(r *http.Request, j *wangge.ImportJob) (*wangge.ImportJob, error) {
	state, dry := wangge.JobChecking, true
	if j.State == wangge.JobCommitting {
		state, dry = wangge.JobCommitting, false
	}
	u := whttp.UserFrom(r.Context())
	nj, err := s.store.ClaimImportJob(r.Context(), u.ID, j.Token, nil, state, s.jobs.holder, s.jobs.lease)
	if errors.Is(err, wangge.ErrConflict) { // another server was quicker
		return s.store.ImportJob(r.Context(), u.ID, j.Token)
	}
	if err != nil {
		return nil, err
	}
	s.core.Logger().Info("import: taking over a job whose server went silent", "job", j.ID, "from", j.Holder, "state", j.State)
	s.startImport(nj, wangge.ActorFrom(r.Context()), u.Scope(), dry, false)
	return nj, nil
}

// importGone sends the user back to the start: the import expired, or was
// never theirs.
func importGone(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/import?gone=1", http.StatusSeeOther)
}

// importFormView is what the import page shows.
type importFormView struct {
	Kinds    []ledger.Kind
	Kind     ledger.Kind
	Error    string
	Gone     bool
	MaxMB    int
	DocsPath string
}

func (s *imports) renderImportForm(w http.ResponseWriter, r *http.Request, status int, v *importFormView) {
	v.Kinds, v.MaxMB = importKinds, importMaxBytes>>20
	if v.Kind == "" {
		v.Kind = ledger.KindPersons
	}
	s.core.Render(w, r, status, "import", &whttp.View{Title: s.core.T(r, "import.title"), Data: v})
}

// handleImportForm shows the templates and the upload form.
func (s *imports) handleImportForm(w http.ResponseWriter, r *http.Request) error {
	s.sweep(r.Context())
	k := ledger.Kind(r.URL.Query().Get("kind"))
	if ledger.SpecOf(k) == nil {
		k = ""
	}
	s.renderImportForm(w, r, http.StatusOK, &importFormView{Gone: r.URL.Query().Get("gone") == "1", Kind: k})
	return nil
}

// handleImportTemplate sends the template of a ledger.
func (s *imports) handleImportTemplate(w http.ResponseWriter, r *http.Request) error {
	k := ledger.Kind(r.PathValue("kind"))
	if k == "keygroups" || ledger.SpecOf(k) == nil {
		return wangge.ErrNotFound
	}
	w.Header().Set("Content-Type", pagekit.XLSXType)
	name := s.core.T(r, "import.template_file", "Kind", s.core.T(r, "import.kind."+string(k)))
	w.Header().Set("Content-Disposition", pagekit.Attachment(string(k)+"-template.xlsx", name))
	return ledger.WriteTemplate(w, k)
}

// handleImportUpload takes the file, stores it sealed with its job and
// starts the dry run on this server.
func (s *imports) handleImportUpload(w http.ResponseWriter, r *http.Request) error {
	fail := func(status int, id string, k ledger.Kind) error {
		s.renderImportForm(w, r, status, &importFormView{Error: s.core.T(r, id), Kind: k})
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, importMaxBytes+1<<20)
	up, err := readUpload(r)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return fail(http.StatusRequestEntityTooLarge, "import.error.too_large", "")
		}
		return fail(http.StatusBadRequest, "import.error.no_file", "")
	}
	k := ledger.Kind(up.kind)
	if k == "keygroups" || ledger.SpecOf(k) == nil {
		return fail(http.StatusBadRequest, "import.error.kind", "")
	}
	if up.name == "" {
		return fail(http.StatusBadRequest, "import.error.no_file", k)
	}
	if len(up.data) > importMaxBytes {
		return fail(http.StatusRequestEntityTooLarge, "import.error.too_large", k)
	}
	if len(up.data) == 0 {
		return fail(http.StatusBadRequest, "import.error.empty", k)
	}
	s.sweep(r.Context())
	u := whttp.UserFrom(r.Context())
	if n, err := s.store.OpenImportJobs(r.Context(), u.ID); err != nil {
		return err
	} else if n >= importsPerUser {
		return fail(http.StatusTooManyRequests, "import.error.busy", k)
	}
	data := up.data
	j := &wangge.ImportJob{UserID: u.ID, Session: whttp.SessionHash(r), Kind: wangge.ImportKind(k), File: path.Base(strings.ReplaceAll(up.name, `\`, "/")),
		Holder: s.jobs.holder}
	if err := s.store.CreateImportJob(r.Context(), j, data, importTTL); err != nil {
		return err
	}
	s.startImport(j, wangge.ActorFrom(r.Context()), u.Scope(), true, true)
	http.Redirect(w, r, "/import/jobs/"+j.Token, http.StatusSeeOther)
	return nil
}

// upload is an import form's fields: the ledger, the file's name and its
// bytes.
type upload struct {
	kind, name string
	data       []byte
}

// readUpload reads the import form part by part, the file into memory
// (bounded by the request's MaxBytesReader): net/http's ParseMultipartForm
// would spill a file over its memory bound to the temporary folder in
// clear, and a server killed mid-upload would leave it there, ID numbers
// and all. The file is sealed into its job straight from memory.
func readUpload(r *http.Request) (*upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	up := &upload{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return up, nil
		} else if err != nil {
			return nil, err
		}
		switch p.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(p, 64))
			if err != nil {
				return nil, err
			}
			up.kind = string(b)
		case "file":
			if up.name != "" {
				return nil, errors.New("import: more than one file")
			}
			if up.data, err = io.ReadAll(io.LimitReader(p, importMaxBytes+1)); err != nil {
				return nil, err
			}
			up.name = p.FileName()
			if up.name == "" {
				up.name = "upload"
			}
		}
		p.Close()
	}
}

// startImport runs the dry run or the commit of a job in the background: a
// long import outlives the request that started it, and the page polls.
// claim says the job is still queued and must first be claimed for the
// dry run; otherwise the caller holds it already in its running state.
// The server's heartbeat renews the job's lease from the start, while the
// job waits its turn too; losing the lease (another server took the job
// over) stops the run.
func (s *imports) startImport(j *wangge.ImportJob, actor wangge.Actor, scope wangge.Scope, dry, claim bool) {
	js := s.jobs
	ctx, cancel := context.WithCancel(wangge.WithActor(context.Background(), actor))
	run := &importRun{id: j.ID, cancel: cancel}
	js.mu.Lock()
	js.running[j.Token] = run
	js.mu.Unlock()
	go func() {
		defer cancel()
		defer func() {
			run.end()
			js.mu.Lock()
			delete(js.running, j.Token)
			js.mu.Unlock()
		}()
		js.sem <- struct{}{}
		defer func() { <-js.sem }()
		if claim {
			nj, err := s.store.ClaimImportJob(ctx, j.UserID, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, js.holder, js.lease)
			if err != nil {
				if !errors.Is(err, wangge.ErrConflict) && !errors.Is(err, context.Canceled) {
					s.core.Logger().Error("import: claiming the job", "job", j.ID, "err", err)
				}
				return
			}
			j = nj
		}
		s.runImport(ctx, j, run, scope, dry)
	}()
}

// runImport runs the job's dry run or commit and records the outcome.
func (s *imports) runImport(ctx context.Context, j *wangge.ImportJob, run *importRun, scope wangge.Scope, dry bool) {
	opt := ledger.Options{Scope: scope, File: j.File, DryRun: dry, Keep: ledger.KeepAll, BatchSize: 500,
		Progress: func(done, total int) { run.done.Store(int64(done)); run.total.Store(int64(total)) }}
	var rejects bytes.Buffer
	if dry {
		opt.Rejects = &rejects
	} else {
		opt.Keep, opt.Job = ledger.KeepChanged, j.Token
	}
	rep, err := s.importUpload(ctx, j, opt)
	if ctx.Err() != nil {
		return // the lease is lost: the new holder records the outcome
	}
	fin := *j
	fin.Done, fin.Total = int(run.done.Load()), int(run.total.Load())
	var keep []byte
	switch {
	case err != nil:
		fin.State, fin.Error = wangge.JobFailed, encodeJobError(err)
		if wangge.ErrorCode(err) == wangge.EInternal {
			s.core.Logger().Error("import", "job", j.ID, "file", j.File, "kind", j.Kind, "err", err)
		}
	case dry:
		fin.State, fin.Report = wangge.JobChecked, importJSON(rep)
		if rep.Counts.Rejected > 0 {
			keep = rejects.Bytes()
		}
	default:
		fin.State, fin.Result = wangge.JobCommitted, importJSON(rep)
	}
	// The outcome gives the lease up: no beat may renew it after.
	run.end()
	if err := s.store.FinishImportJob(context.WithoutCancel(ctx), &fin, s.jobs.holder, keep); err != nil && !errors.Is(err, wangge.ErrConflict) {
		s.core.Logger().Error("import: recording the outcome", "job", j.ID, "err", err)
	}
}

// importUpload opens the job's upload and imports it.
func (s *imports) importUpload(ctx context.Context, j *wangge.ImportJob, opt ledger.Options) (*ledger.Report, error) {
	data, err := s.store.ImportJobUpload(ctx, j.UserID, j.Token)
	if err != nil {
		return nil, err
	}
	spec := ledger.SpecOf(ledger.Kind(j.Kind))
	if spec == nil {
		return nil, wangge.E(wangge.EInvalid, "error.import.kind", "Kind", j.Kind)
	}
	src, err := ledger.OpenBytes(data, spec)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return ledger.ImportSource(ctx, s.store, src, opt)
}

// importJSON is a report as the job's row keeps it.
func importJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // reports are plain data
	}
	return string(b)
}

// jobError is a failed job's error as the row keeps it: both texts, so
// any server shows it in the reader's language.
type jobError struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

func encodeJobError(err error) string {
	return importJSON(jobError{Code: wangge.ErrorCode(err), Zh: wangge.ErrorZh(err), En: wangge.ErrorMessage(err)})
}

func decodeJobError(s string) error {
	var e jobError
	if json.Unmarshal([]byte(s), &e) != nil {
		return wangge.E(wangge.EInternal, "error.import.failed")
	}
	return &wangge.Error{Code: e.Code, Zh: e.Zh, Message: e.En}
}

// reports returns the job's dry-run report and commit result, decoded
// once per version of the job: a big import's report is large, and its
// pages are turned one after another.
func (s *imports) reports(ctx context.Context, j *wangge.ImportJob) (report, result *ledger.Report, err error) {
	js := s.jobs
	js.mu.Lock()
	c, ok := js.cache[j.Token]
	js.mu.Unlock()
	if ok && c.version == j.Version {
		return c.report, c.result, nil
	}
	rp, rs, err := s.store.ImportJobReports(ctx, j.UserID, j.Token)
	if err != nil {
		return nil, nil, err
	}
	if report, err = decodeReport(rp); err != nil {
		return nil, nil, err
	}
	if result, err = decodeReport(rs); err != nil {
		return nil, nil, err
	}
	js.mu.Lock()
	if len(js.cache) >= importCached {
		clear(js.cache) // a handful of reports at most: start afresh
	}
	js.cache[j.Token] = importCachedReports{j.Version, report, result}
	js.mu.Unlock()
	return report, result, nil
}

// importCachedReports are a job's decoded reports at one version.
type importCachedReports struct {
	version        int
	report, result *ledger.Report
}

// decodeReport reads a report the row keeps; nil when there is none.
func decodeReport(s string) (*ledger.Report, error) {
	if s == "" {
		return nil, nil
	}
	var rep ledger.Report
	if err := json.Unmarshal([]byte(s), &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// importJobView is what the page of an import shows.
type importJobView struct {
	Token     string
	Kind      wangge.ImportKind
	Name      string
	State     string
	Done      int
	Total     int
	Error     string
	Report    *ledger.Report
	Result    *ledger.Report
	Rows      []ledger.RowResult
	Filter    string
	Filters   []importFilter
	Pager     *pagekit.Pager
	HasReject bool
	CanCommit bool
	CanRetry  bool
}

// importFilter is one of the status tabs above the rows.
type importFilter struct {
	Status string
	N      int
	URL    string
}

// progress is the job's progress: this server's live count when it runs
// the job, else the row's.
func (s *imports) progress(j *wangge.ImportJob) (done, total int) {
	if run := s.jobs.run(j.Token); run != nil && j.Running() {
		return int(run.done.Load()), int(run.total.Load())
	}
	return j.Done, j.Total
}

// handleImportJob shows an import: its progress while it runs, then the
// dry run's report row by row, then the commit's outcome.
func (s *imports) handleImportJob(w http.ResponseWriter, r *http.Request) error {
	s.sweep(r.Context())
	j, err := s.importJob(r)
	if err != nil {
		return err
	}
	if j == nil {
		importGone(w, r)
		return nil
	}
	pg, n, err := pagekit.PageOfSize(r, importRowsPage)
	if err != nil {
		return err
	}
	v := &importJobView{Token: j.Token, Kind: j.Kind, Name: j.File, State: j.State, HasReject: j.HasReject}
	v.Done, v.Total = s.progress(j)
	if j.State == wangge.JobFailed {
		err := decodeJobError(j.Error)
		v.Error = wangge.ErrorZh(err)
		if whttp.LangOf(r) == whttp.LangEn {
			v.Error = wangge.ErrorMessage(err)
		}
		v.CanRetry = true
	}
	if !j.Running() {
		if v.Report, v.Result, err = s.reports(r.Context(), j); err != nil {
			return err
		}
		// The commit marks the job committed in its own transaction and
		// writes the outcome just after: between the two, the page waits
		// (and polls) as for a running commit rather than show neither.
		if j.State == wangge.JobCommitted && v.Result == nil {
			v.State = wangge.JobCommitting
		}
	}
	if rep := v.Report; rep != nil {
		c := rep.Counts
		v.CanCommit = v.State == wangge.JobChecked && c.Added+c.Updated > 0
		v.Filter = r.URL.Query().Get("status")
		counts := map[string]int{"all": c.Rows(), "rejected": c.Rejected, "added": c.Added, "updated": c.Updated, "unchanged": c.Unchanged}
		if _, ok := counts[v.Filter]; !ok {
			v.Filter = "all"
			if c.Rejected > 0 {
				v.Filter = "rejected"
			}
		}
		for _, st := range []string{"all", "rejected", "added", "updated", "unchanged"} {
			v.Filters = append(v.Filters, importFilter{Status: st, N: counts[st], URL: "/import/jobs/" + j.Token + "?status=" + st})
		}
		var rows []ledger.RowResult
		if v.Filter == "all" {
			rows = rep.Rows
		} else {
			for _, x := range rep.Rows {
				if x.Status.String() == v.Filter {
					rows = append(rows, x)
				}
			}
		}
		lo, hi := min(pg.Offset, len(rows)), min(pg.Offset+pg.Limit, len(rows))
		v.Rows = rows[lo:hi]
		v.Pager = pagekit.NewPagerSize(r, n, len(rows), importRowsPage)
	}
	title := s.core.T(r, "import.title")
	crumbs := []whttp.Crumb{{Name: title, URL: "/import"}, {Name: v.Name}}
	s.core.Render(w, r, http.StatusOK, "import_job", &whttp.View{Title: title + " · " + v.Name, Crumbs: crumbs, Data: v, Import: true})
	return nil
}

// handleImportStatus answers the page's polling: the state and progress.
func (s *imports) handleImportStatus(w http.ResponseWriter, r *http.Request) error {
	st := struct {
		State string `json:"state"`
		Done  int    `json:"done"`
		Total int    `json:"total"`
	}{State: "gone"}
	j, err := s.importJob(r)
	if err != nil {
		return err
	}
	if j != nil {
		st.State = j.State
		st.Done, st.Total = s.progress(j)
		// As the page: committed but its outcome not yet written reads as
		// still committing, so that a client done waiting finds the outcome.
		if j.State == wangge.JobCommitted {
			_, res, err := s.reports(r.Context(), j)
			if err != nil {
				return err
			}
			if res == nil {
				st.State = wangge.JobCommitting
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(st)
}

// handleImportRejects sends the rejected rows as xlsx, to fix and upload.
func (s *imports) handleImportRejects(w http.ResponseWriter, r *http.Request) error {
	j, err := s.importJob(r)
	if err != nil {
		return err
	}
	if j == nil {
		importGone(w, r)
		return nil
	}
	var data []byte
	if j.HasReject {
		if data, err = s.store.ImportJobRejects(r.Context(), j.UserID, j.Token); err != nil && !errors.Is(err, wangge.ErrNotFound) {
			return err
		}
	}
	if len(data) == 0 {
		http.Redirect(w, r, "/import/jobs/"+j.Token, http.StatusSeeOther)
		return nil
	}
	w.Header().Set("Content-Type", pagekit.XLSXType)
	w.Header().Set("Content-Disposition", pagekit.Attachment("rejected-rows.xlsx", s.core.T(r, "import.rejects_file", "File", j.File)))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}

// handleImportCommit commits every valid row of a checked import, or
// nothing, in the background. Claiming the job first makes a second
// click, on this server or another, do nothing.
func (s *imports) handleImportCommit(w http.ResponseWriter, r *http.Request) error {
	return s.claimAndStart(w, r, wangge.JobChecked, wangge.JobCommitting, false)
}

// handleImportRetry runs the dry run of a failed import again.
func (s *imports) handleImportRetry(w http.ResponseWriter, r *http.Request) error {
	return s.claimAndStart(w, r, wangge.JobFailed, wangge.JobChecking, true)
}

func (s *imports) claimAndStart(w http.ResponseWriter, r *http.Request, from, to string, dry bool) error {
	j, err := s.importJob(r)
	if err != nil {
		return err
	}
	if j == nil {
		importGone(w, r)
		return nil
	}
	u := whttp.UserFrom(r.Context())
	nj, err := s.store.ClaimImportJob(r.Context(), u.ID, j.Token, []string{from}, to, s.jobs.holder, s.jobs.lease)
	switch {
	case err == nil:
		s.startImport(nj, wangge.ActorFrom(r.Context()), u.Scope(), dry, false)
	case !errors.Is(err, wangge.ErrConflict) && !errors.Is(err, wangge.ErrNotFound):
		return err
	}
	http.Redirect(w, r, "/import/jobs/"+j.Token, http.StatusSeeOther)
	return nil
}
