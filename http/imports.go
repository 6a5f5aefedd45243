package http

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ledger"
)

// Ledger imports through the web: staff download a template, upload a file,
// see the dry run row by row (and download the rejected rows to fix them),
// then commit every valid row or nothing. The uploaded file waits in a
// private temporary directory under a random token bound to the uploader's
// session, never in the database; it is deleted after the commit, or with
// everything else of the import when it expires.
const (
	importMaxBytes = 50 << 20 // the largest file accepted
	importTTL      = time.Hour
	importRowsPage = 50
	// importRunning bounds the imports running at once; more wait their turn.
	importRunning = 2
	// importsPerUser bounds the imports one user keeps (until they expire).
	importsPerUser = 5
)

var importKinds = []ledger.Kind{ledger.KindPersons, ledger.KindUnits, ledger.KindMemberships}

// importJobs are the imports under way or waiting to be committed.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
	dir  string
	sem  chan struct{}
}

// importJob is one uploaded file, its dry run and its commit.
type importJob struct {
	token   string
	userID  int64
	session []byte // hash of the uploader's session token
	kind    ledger.Kind
	name    string // the file's name as uploaded
	dir     string
	file    string
	created time.Time

	mu        sync.Mutex
	state     string // queued, checking, checked, committing, committed, failed
	done      int
	total     int
	report    *ledger.Report // the dry run's
	result    *ledger.Report // the commit's
	err       error
	hasReject bool
}

func newImportJobs(dir string) *importJobs {
	if dir == "" {
		dir = os.TempDir()
	}
	// Files a previous run left behind (a crash) go, when old enough.
	if old, err := filepath.Glob(filepath.Join(dir, "wangge-import-*")); err == nil {
		for _, d := range old {
			if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > importTTL {
				os.RemoveAll(d)
			}
		}
	}
	return &importJobs{jobs: map[string]*importJob{}, dir: dir, sem: make(chan struct{}, importRunning)}
}

// sweep forgets expired imports that are not running and deletes their files.
func (js *importJobs) sweep(now time.Time) {
	js.mu.Lock()
	defer js.mu.Unlock()
	for t, j := range js.jobs {
		j.mu.Lock()
		busy := j.state == "queued" || j.state == "checking" || j.state == "committing"
		j.mu.Unlock()
		if !busy && now.Sub(j.created) > importTTL {
			os.RemoveAll(j.dir)
			delete(js.jobs, t)
		}
	}
}

// importJob returns the user's import of the request's token, nil when there is
// none: unknown, expired, another user's or another session's.
func (s *Server) importJob(r *http.Request) *importJob {
	s.imports.mu.Lock()
	j := s.imports.jobs[r.PathValue("token")]
	s.imports.mu.Unlock()
	u := userFrom(r.Context())
	if j == nil || u == nil || j.userID != u.ID || subtle.ConstantTimeCompare(j.session, sessionHash(r)) != 1 {
		return nil
	}
	return j
}

// count is the number of imports a user has under way or waiting to be
// committed.
func (js *importJobs) count(userID int64) int {
	js.mu.Lock()
	defer js.mu.Unlock()
	n := 0
	for _, j := range js.jobs {
		j.mu.Lock()
		open := j.state != "committed" && j.state != "failed"
		j.mu.Unlock()
		if j.userID == userID && open {
			n++
		}
	}
	return n
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
	s.render(w, r, status, "import", &view{Title: s.msgs.T(langOf(r), "import.title"), Data: v})
}

// handleImportForm shows the templates and the upload form.
func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request) error {
	s.imports.sweep(s.now())
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
	w.Header().Set("Content-Disposition", attachment(string(k)+"-template.xlsx", s.msgs.T(langZh, "import.kind."+string(k))+"导入模板.xlsx"))
	return ledger.WriteTemplate(w, k)
}

// attachment is a Content-Disposition naming a download, with a Chinese
// name for browsers that take one.
func attachment(ascii, name string) string {
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + strings.ReplaceAll(url.QueryEscape(name), "+", "%20")
}

// handleImportUpload takes the file, keeps it in a private directory and
// starts the dry run.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) error {
	l := langOf(r)
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
	s.imports.sweep(s.now())
	u := userFrom(r.Context())
	if s.imports.count(u.ID) >= importsPerUser {
		return fail(http.StatusTooManyRequests, "import.error.busy", k)
	}
	dir, err := os.MkdirTemp(s.imports.dir, "wangge-import-")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "upload")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err == nil {
		_, err = io.Copy(out, in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	var tb [18]byte
	rand.Read(tb[:])
	j := &importJob{token: base64.RawURLEncoding.EncodeToString(tb[:]), userID: u.ID, session: sessionHash(r), kind: k,
		name: filepath.Base(hdr.Filename), dir: dir, file: path, created: s.now(), state: "queued"}
	s.imports.mu.Lock()
	s.imports.jobs[j.token] = j
	s.imports.mu.Unlock()
	go s.runImport(j, wangge.ActorFrom(r.Context()), u.Scope(), true)
	http.Redirect(w, r, "/import/jobs/"+j.token, http.StatusSeeOther)
	return nil
}

// runImport runs the dry run or the commit of a job, in the background: a
// long import outlives the request that started it, and the page polls.
func (s *Server) runImport(j *importJob, actor wangge.Actor, scope wangge.Scope, dry bool) {
	s.imports.sem <- struct{}{}
	defer func() { <-s.imports.sem }()
	j.mu.Lock()
	if dry {
		j.state = "checking"
	} else {
		j.state = "committing"
	}
	j.done, j.total = 0, 0
	j.mu.Unlock()
	ctx := wangge.WithActor(context.Background(), actor)
	opt := ledger.Options{Scope: scope, File: j.name, DryRun: dry, Keep: ledger.KeepAll, BatchSize: 500,
		Progress: func(done, total int) {
			j.mu.Lock()
			j.done, j.total = done, total
			j.mu.Unlock()
		}}
	var rejects *os.File
	if dry {
		var err error
		if rejects, err = os.OpenFile(filepath.Join(j.dir, "rejects.xlsx"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
			opt.Rejects = rejects
		}
	} else {
		opt.Keep = ledger.KeepChanged
	}
	rep, err := ledger.Import(ctx, s.store, j.kind, j.file, opt)
	if rejects != nil {
		rejects.Close()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case err != nil:
		j.state, j.err = "failed", err
		if wangge.ErrorCode(err) == wangge.EInternal {
			s.log.Error("import", "file", j.name, "kind", j.kind, "err", err)
		}
	case dry:
		j.state, j.report, j.hasReject = "checked", rep, rep.Counts.Rejected > 0
	default:
		j.state, j.result = "committed", rep
		os.Remove(j.file) // the upload is done with
	}
}

// importJobView is what the page of an import shows.
type importJobView struct {
	Token     string
	Kind      ledger.Kind
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
}

// importFilter is one of the status tabs above the rows.
type importFilter struct {
	Status string
	N      int
	URL    string
}

// handleImportJob shows an import: its progress while it runs, then the
// dry run's report row by row, then the commit's outcome.
func (s *Server) handleImportJob(w http.ResponseWriter, r *http.Request) error {
	j := s.importJob(r)
	if j == nil {
		importGone(w, r)
		return nil
	}
	pg, n, err := pageOfSize(r, importRowsPage)
	if err != nil {
		return err
	}
	j.mu.Lock()
	v := &importJobView{Token: j.token, Kind: j.kind, Name: j.name, State: j.state, Done: j.done, Total: j.total,
		Report: j.report, Result: j.result, HasReject: j.hasReject}
	if j.err != nil {
		v.Error = errText(r, j.err)
	}
	j.mu.Unlock()
	if rep := v.Report; rep != nil {
		c := rep.Counts
		v.CanCommit = v.State == "checked" && c.Added+c.Updated > 0
		v.Filter = r.URL.Query().Get("status")
		counts := map[string]int{"all": c.Rows(), "rejected": c.Rejected, "added": c.Added, "updated": c.Updated, "unchanged": c.Unchanged}
		if _, ok := counts[v.Filter]; !ok {
			v.Filter = "all"
			if c.Rejected > 0 {
				v.Filter = "rejected"
			}
		}
		for _, st := range []string{"all", "rejected", "added", "updated", "unchanged"} {
			v.Filters = append(v.Filters, importFilter{Status: st, N: counts[st], URL: "/import/jobs/" + j.token + "?status=" + st})
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
	l := langOf(r)
	crumbs := []crumb{{Name: s.msgs.T(l, "import.title"), URL: "/import"}, {Name: v.Name}}
	s.render(w, r, http.StatusOK, "import_job", &view{Title: s.msgs.T(l, "import.title") + " · " + v.Name, Crumbs: crumbs, Data: v, Import: true})
	return nil
}

// handleImportStatus answers the page's polling: the state and progress.
func (s *Server) handleImportStatus(w http.ResponseWriter, r *http.Request) error {
	st := struct {
		State string `json:"state"`
		Done  int    `json:"done"`
		Total int    `json:"total"`
	}{State: "gone"}
	if j := s.importJob(r); j != nil {
		j.mu.Lock()
		st.State, st.Done, st.Total = j.state, j.done, j.total
		j.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(st)
}

// handleImportRejects sends the rejected rows as xlsx, to fix and upload.
func (s *Server) handleImportRejects(w http.ResponseWriter, r *http.Request) error {
	j := s.importJob(r)
	if j == nil {
		importGone(w, r)
		return nil
	}
	j.mu.Lock()
	ok := j.hasReject
	j.mu.Unlock()
	f, err := os.Open(filepath.Join(j.dir, "rejects.xlsx"))
	if !ok || err != nil {
		http.Redirect(w, r, "/import/jobs/"+j.token, http.StatusSeeOther)
		return nil
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment("rejected-rows.xlsx", "未导入的行-"+j.name+".xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.Copy(w, f)
	return err
}

// handleImportCommit commits every valid row of a checked import, or
// nothing, in the background.
func (s *Server) handleImportCommit(w http.ResponseWriter, r *http.Request) error {
	j := s.importJob(r)
	if j == nil {
		importGone(w, r)
		return nil
	}
	j.mu.Lock()
	start := j.state == "checked"
	if start {
		j.state = "queued"
	}
	j.mu.Unlock()
	if start {
		go s.runImport(j, wangge.ActorFrom(r.Context()), userFrom(r.Context()).Scope(), false)
	}
	http.Redirect(w, r, "/import/jobs/"+j.token, http.StatusSeeOther)
	return nil
}
