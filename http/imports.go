package http

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

// importJobs is what one server knows of the import jobs it runs; the
// jobs themselves are in the store.
type importJobs struct {
	holder string // this server's name in the jobs' leases
	sem    chan struct{}
	lease  time.Duration
	beat   time.Duration

	mu        sync.Mutex
	running   map[string]*importRun // by token
	cache     map[string]cachedReports
	lastSweep time.Time
}

// importRun is the live progress of a job this server runs: fresher than
// the row (SQLite's one writer is busy while a commit runs).
type importRun struct{ done, total atomic.Int64 }

func newImportJobs() *importJobs {
	var b [9]byte
	rand.Read(b[:])
	host, _ := os.Hostname()
	return &importJobs{holder: host + "/" + base64.RawURLEncoding.EncodeToString(b[:]), sem: make(chan struct{}, importRunning),
		lease: importLease, beat: importBeat, running: map[string]*importRun{}, cache: map[string]cachedReports{}}
}

func (js *importJobs) run(token string) *importRun {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.running[token]
}

// sweep purges expired jobs, at most once a minute per server.
func (s *Server) sweepImports(ctx context.Context) {
	js := s.imports
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
		s.log.Error("import: purging expired jobs", "err", err)
	}
}

// importJob returns the user's import of the request's token, nil when there is
// none: unknown, expired, another user's or another session's. A running
// job whose server went silent is taken over here, so it never hangs.
func (s *Server) importJob(r *http.Request) (*wangge.ImportJob, error) {
	u := UserFrom(r.Context())
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
	if subtle.ConstantTimeCompare(j.Session, sessionHash(r)) != 1 {
		return nil, nil
	}
	if j.Running() && s.imports.run(j.Token) == nil && time.Since(j.Heartbeat) > s.imports.lease {
		return s.takeOver(r, j)
	}
	return j, nil
}

// takeOver runs again, on this server, a job whose server died: a dry
// run from the start, a commit anew (the commit is one transaction, so
// the dead server's left nothing; a commit that went through marked the
// job committed in that transaction).
func (s *Server) takeOver(r *http.Request, j *wangge.ImportJob) (*wangge.ImportJob, error) {
	state, dry := wangge.JobChecking, true
	if j.State == wangge.JobCommitting {
		state, dry = wangge.JobCommitting, false
	}
	u := UserFrom(r.Context())
	nj, err := s.store.ClaimImportJob(r.Context(), u.ID, j.Token, nil, state, s.imports.holder, s.imports.lease)
	if errors.Is(err, wangge.ErrConflict) { // another server was quicker
		return s.store.ImportJob(r.Context(), u.ID, j.Token)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("import: taking over a job whose server went silent", "job", j.ID, "from", j.Holder, "state", j.State)
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

func (s *Server) renderImportForm(w http.ResponseWriter, r *http.Request, status int, v *importFormView) {
	v.Kinds, v.MaxMB = importKinds, importMaxBytes>>20
	if v.Kind == "" {
		v.Kind = ledger.KindPersons
	}
	s.Render(w, r, status, "import", &View{Title: s.msgs.T(LangOf(r), "import.title"), Data: v})
}

// handleImportForm shows the templates and the upload form.
func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request) error {
	s.sweepImports(r.Context())
	k := ledger.Kind(r.URL.Query().Get("kind"))
	if ledger.SpecOf(k) == nil {
		k = ""
	}
	s.renderImportForm(w, r, http.StatusOK, &importFormView{Gone: r.URL.Query().Get("gone") == "1", Kind: k})
	return nil
}

// handleImportTemplate sends the template of a ledger.
func (s *Server) handleImportTemplate(w http.ResponseWriter, r *http.Request) error {
	k := ledger.Kind(r.PathValue("kind"))
	if k == "keygroups" || ledger.SpecOf(k) == nil {
		return wangge.ErrNotFound
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment(string(k)+"-template.xlsx", s.msgs.T(LangZh, "import.kind."+string(k))+"导入模板.xlsx"))
	return ledger.WriteTemplate(w, k)
}

// handleImportUpload takes the file, stores it sealed with its job and
// starts the dry run on this server.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) error {
	l := LangOf(r)
	fail := func(status int, id string, k ledger.Kind) error {
		s.renderImportForm(w, r, status, &importFormView{Error: s.msgs.T(l, id), Kind: k})
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, importMaxBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return fail(http.StatusRequestEntityTooLarge, "import.error.too_large", "")
		}
		return fail(http.StatusBadRequest, "import.error.no_file", "")
	}
	defer r.MultipartForm.RemoveAll()
	k := ledger.Kind(r.FormValue("kind"))
	if k == "keygroups" || ledger.SpecOf(k) == nil {
		return fail(http.StatusBadRequest, "import.error.kind", "")
	}
	in, hdr, err := r.FormFile("file")
	if err != nil {
		return fail(http.StatusBadRequest, "import.error.no_file", k)
	}
	defer in.Close()
	if hdr.Size > importMaxBytes {
		return fail(http.StatusRequestEntityTooLarge, "import.error.too_large", k)
	}
	if hdr.Size == 0 {
		return fail(http.StatusBadRequest, "import.error.empty", k)
	}
	s.sweepImports(r.Context())
	u := UserFrom(r.Context())
	if n, err := s.store.OpenImportJobs(r.Context(), u.ID); err != nil {
		return err
	} else if n >= importsPerUser {
		return fail(http.StatusTooManyRequests, "import.error.busy", k)
	}
	data, err := io.ReadAll(io.LimitReader(in, importMaxBytes+1))
	if err != nil {
		return err
	}
	j := &wangge.ImportJob{UserID: u.ID, Session: sessionHash(r), Kind: wangge.ImportKind(k), File: path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/")),
		Holder: s.imports.holder}
	if err := s.store.CreateImportJob(r.Context(), j, data, importTTL); err != nil {
		return err
	}
	s.startImport(j, wangge.ActorFrom(r.Context()), u.Scope(), true, true)
	http.Redirect(w, r, "/import/jobs/"+j.Token, http.StatusSeeOther)
	return nil
}

// startImport runs the dry run or the commit of a job in the background: a
// long import outlives the request that started it, and the page polls.
// claim says the job is still queued and must first be claimed for the
// dry run; otherwise the caller holds it already in its running state.
func (s *Server) startImport(j *wangge.ImportJob, actor wangge.Actor, scope wangge.Scope, dry, claim bool) {
	js := s.imports
	run := &importRun{}
	js.mu.Lock()
	js.running[j.Token] = run
	js.mu.Unlock()
	go func() {
		defer func() {
			js.mu.Lock()
			delete(js.running, j.Token)
			js.mu.Unlock()
		}()
		ctx, cancel := context.WithCancel(wangge.WithActor(context.Background(), actor))
		defer cancel()
		// The heartbeat renews the lease from the start, while the job
		// waits its turn too; losing the lease (another server took the
		// job over) stops the run.
		beat, beaten := make(chan struct{}), make(chan struct{})
		stop := sync.OnceFunc(func() { close(beat); <-beaten })
		defer stop()
		go func() {
			defer close(beaten)
			t := time.NewTicker(js.beat)
			defer t.Stop()
			for {
				select {
				case <-beat:
					return
				case <-t.C:
					bctx, bcancel := context.WithTimeout(ctx, js.beat)
					err := s.store.ImportJobHeartbeat(bctx, j.ID, js.holder, int(run.done.Load()), int(run.total.Load()))
					bcancel()
					if errors.Is(err, wangge.ErrConflict) {
						s.log.Warn("import: another server took the job over", "job", j.ID)
						cancel()
						return
					}
				}
			}
		}()
		js.sem <- struct{}{}
		defer func() { <-js.sem }()
		if claim {
			nj, err := s.store.ClaimImportJob(ctx, j.UserID, j.Token, []string{wangge.JobQueued}, wangge.JobChecking, js.holder, js.lease)
			if err != nil {
				if !errors.Is(err, wangge.ErrConflict) && !errors.Is(err, context.Canceled) {
					s.log.Error("import: claiming the job", "job", j.ID, "err", err)
				}
				return
			}
			j = nj
		}
		s.runImport(ctx, j, run, scope, dry, stop)
	}()
}

// runImport runs the job's dry run or commit and records the outcome.
// stopBeat ends the heartbeat before the outcome gives the lease up.
func (s *Server) runImport(ctx context.Context, j *wangge.ImportJob, run *importRun, scope wangge.Scope, dry bool, stopBeat func()) {
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
			s.log.Error("import", "job", j.ID, "file", j.File, "kind", j.Kind, "err", err)
		}
	case dry:
		fin.State, fin.Report = wangge.JobChecked, encodeJSON(rep)
		if rep.Counts.Rejected > 0 {
			keep = rejects.Bytes()
		}
	default:
		fin.State, fin.Result = wangge.JobCommitted, encodeJSON(rep)
	}
	stopBeat()
	if err := s.store.FinishImportJob(context.WithoutCancel(ctx), &fin, s.imports.holder, keep); err != nil && !errors.Is(err, wangge.ErrConflict) {
		s.log.Error("import: recording the outcome", "job", j.ID, "err", err)
	}
}

// importUpload opens the job's upload and imports it.
func (s *Server) importUpload(ctx context.Context, j *wangge.ImportJob, opt ledger.Options) (*ledger.Report, error) {
	data, err := s.store.ImportJobUpload(ctx, j.UserID, j.Token)
	if err != nil {
		return nil, err
	}
	spec := ledger.SpecOf(ledger.Kind(j.Kind))
	if spec == nil {
		return nil, wangge.Errorf(wangge.EInvalid, "未知的导入类型：%s。", "Unknown import kind: %s.", j.Kind)
	}
	src, err := ledger.OpenBytes(data, spec)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return ledger.ImportSource(ctx, s.store, src, opt)
}

func encodeJSON(v any) string {
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
	return encodeJSON(jobError{Code: wangge.ErrorCode(err), Zh: wangge.ErrorZh(err), En: wangge.ErrorMessage(err)})
}

func decodeJobError(s string) error {
	var e jobError
	if json.Unmarshal([]byte(s), &e) != nil {
		return wangge.Errorf(wangge.EInternal, "导入失败。", "The import failed.")
	}
	return &wangge.Error{Code: e.Code, Zh: e.Zh, Message: e.En}
}

// reports returns the job's dry-run report and commit result, decoded
// once per version of the job: a big import's report is large, and its
// pages are turned one after another.
func (s *Server) reports(ctx context.Context, j *wangge.ImportJob) (report, result *ledger.Report, err error) {
	js := s.imports
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
	js.cache[j.Token] = cachedReports{j.Version, report, result}
	js.mu.Unlock()
	return report, result, nil
}

// cachedReports are a job's decoded reports at one version.
type cachedReports struct {
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
	Pager     *pager
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
func (s *Server) progress(j *wangge.ImportJob) (done, total int) {
	if run := s.imports.run(j.Token); run != nil && j.Running() {
		return int(run.done.Load()), int(run.total.Load())
	}
	return j.Done, j.Total
}

// handleImportJob shows an import: its progress while it runs, then the
// dry run's report row by row, then the commit's outcome.
func (s *Server) handleImportJob(w http.ResponseWriter, r *http.Request) error {
	s.sweepImports(r.Context())
	j, err := s.importJob(r)
	if err != nil {
		return err
	}
	if j == nil {
		importGone(w, r)
		return nil
	}
	pg, n, err := pageOfSize(r, importRowsPage)
	if err != nil {
		return err
	}
	v := &importJobView{Token: j.Token, Kind: j.Kind, Name: j.File, State: j.State, HasReject: j.HasReject}
	v.Done, v.Total = s.progress(j)
	if j.State == wangge.JobFailed {
		v.Error = errText(r, decodeJobError(j.Error))
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
		v.Pager = newPagerSize(r, n, len(rows), importRowsPage)
	}
	l := LangOf(r)
	crumbs := []Crumb{{Name: s.msgs.T(l, "import.title"), URL: "/import"}, {Name: v.Name}}
	s.Render(w, r, http.StatusOK, "import_job", &View{Title: s.msgs.T(l, "import.title") + " · " + v.Name, Crumbs: crumbs, Data: v, Import: true})
	return nil
}

// handleImportStatus answers the page's polling: the state and progress.
func (s *Server) handleImportStatus(w http.ResponseWriter, r *http.Request) error {
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
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(st)
}

// handleImportRejects sends the rejected rows as xlsx, to fix and upload.
func (s *Server) handleImportRejects(w http.ResponseWriter, r *http.Request) error {
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
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment("rejected-rows.xlsx", "未导入的行-"+j.File+".xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}

// handleImportCommit commits every valid row of a checked import, or
// nothing, in the background. Claiming the job first makes a second
// click, on this server or another, do nothing.
func (s *Server) handleImportCommit(w http.ResponseWriter, r *http.Request) error {
	return s.claimAndStart(w, r, wangge.JobChecked, wangge.JobCommitting, false)
}

// handleImportRetry runs the dry run of a failed import again.
func (s *Server) handleImportRetry(w http.ResponseWriter, r *http.Request) error {
	return s.claimAndStart(w, r, wangge.JobFailed, wangge.JobChecking, true)
}

func (s *Server) claimAndStart(w http.ResponseWriter, r *http.Request, from, to string, dry bool) error {
	j, err := s.importJob(r)
	if err != nil {
		return err
	}
	if j == nil {
		importGone(w, r)
		return nil
	}
	u := UserFrom(r.Context())
	nj, err := s.store.ClaimImportJob(r.Context(), u.ID, j.Token, []string{from}, to, s.imports.holder, s.imports.lease)
	switch {
	case err == nil:
		s.startImport(nj, wangge.ActorFrom(r.Context()), u.Scope(), dry, false)
	case !errors.Is(err, wangge.ErrConflict) && !errors.Is(err, wangge.ErrNotFound):
		return err
	}
	http.Redirect(w, r, "/import/jobs/"+j.Token, http.StatusSeeOther)
	return nil
}
