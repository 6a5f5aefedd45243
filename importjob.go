package wangge

import (
	"context"
	"time"
)

// Import job states. A job is queued, checked (the dry run), then
// committed; checking and committing are the running states, held by one
// server's lease.
const (
	JobQueued     = "queued"
	JobChecking   = "checking"
	JobChecked    = "checked"
	JobCommitting = "committing"
	JobCommitted  = "committed"
	JobFailed     = "failed"
)

// ImportJob is a ledger file uploaded through the web: its dry run, its
// commit and how far each got. It lives in the database, so every server
// behind a load balancer shows and commits the same job. The store seals
// the upload and the rejected rows (they hold ID numbers) with the field
// key; Report, Result and Error are the web side's, opaque to the store.
type ImportJob struct {
	ID      int64
	Token   string // random: names the job in URLs
	UserID  int64  // the uploader: nobody else sees the job
	Session []byte // hash of the uploader's session token
	Kind    ImportKind
	File    string // the file's name as uploaded
	State   string
	Done    int // rows done, of Total (0 while unknown)
	Total   int
	Report  string // the dry run's report (JSON); see ImportJobReports
	Result  string // the commit's report (JSON)
	Error   string // why the job failed (JSON)
	// Holder names the server running the job; Heartbeat is when it last
	// said so. A running job whose heartbeat is older than the lease is
	// free for another server to take over.
	Holder    string
	Heartbeat time.Time
	Created   time.Time
	Expires   time.Time
	HasReject bool // the dry run left rejected rows (ImportJobRejects)
	Version   int
}

// Running reports whether the job is queued or running.
func (j *ImportJob) Running() bool {
	return j.State == JobQueued || j.State == JobChecking || j.State == JobCommitting
}

// ImportJobStore keeps import jobs. Every method but PurgeImportJobs takes
// the owner's user id and finds nothing of another user's; an expired job
// is not found either.
type ImportJobStore interface {
	// CreateImportJob stores a new queued job with its upload, held by
	// holder, expiring after ttl; it sets ID, Token and the times.
	CreateImportJob(ctx context.Context, j *ImportJob, upload []byte, ttl time.Duration) error
	// ImportJob returns the job without its upload, rejected rows and
	// reports: what a status poll needs, cheap however big the file.
	ImportJob(ctx context.Context, userID int64, token string) (*ImportJob, error)
	// ImportJobReports returns the job's Report and Result.
	ImportJobReports(ctx context.Context, userID int64, token string) (report, result string, err error)
	// ImportJobUpload returns the uploaded file, opened.
	ImportJobUpload(ctx context.Context, userID int64, token string) ([]byte, error)
	// ImportJobRejects returns the rejected rows' workbook, opened (nil
	// when there is none).
	ImportJobRejects(ctx context.Context, userID int64, token string) ([]byte, error)
	// OpenImportJobs counts the user's jobs not yet committed or failed.
	OpenImportJobs(ctx context.Context, userID int64) (int, error)
	// ClaimImportJob moves the job to state for holder when it is in one of
	// the states from, or when it is running and its heartbeat is older
	// than lease (its server died). It fails with EConflict otherwise, so
	// two servers never run one job.
	ClaimImportJob(ctx context.Context, userID int64, token string, from []string, state, holder string, lease time.Duration) (*ImportJob, error)
	// ImportJobHeartbeat records the progress of a running job and renews
	// holder's lease; EConflict when holder no longer holds it.
	ImportJobHeartbeat(ctx context.Context, id int64, holder string, done, total int) error
	// FinishImportJob records the end of holder's run: j's State, Done,
	// Total and Error, and j's Report, Result and the rejected rows where
	// given (empty keeps what is stored: a commit keeps its dry run's).
	// A committed job's upload is dropped. EConflict when holder
	// no longer holds the job.
	FinishImportJob(ctx context.Context, j *ImportJob, holder string, rejects []byte) error
	// PurgeImportJobs deletes the expired jobs no live server is running
	// and returns how many.
	PurgeImportJobs(ctx context.Context, lease time.Duration) (int, error)
}
