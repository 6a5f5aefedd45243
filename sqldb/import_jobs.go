package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

// Field names the upload and the rejected rows of an import job are sealed
// under (the *_enc naming lets a key rotation find them).
const (
	fJobUpload  = "import_jobs.upload"
	fJobRejects = "import_jobs.rejects"
)

// newToken returns a random URL-safe token.
func newToken() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

const importJobCols = `id, token, user_id, session_hash, kind, file_name, state, done, total, error, holder,
	heartbeat_at, created_at, expires_at, rejects_enc IS NOT NULL, version`

func scanImportJob(row interface{ Scan(...any) error }) (*wangge.ImportJob, error) {
	var j wangge.ImportJob
	var hb, created, expires timeValue
	if err := row.Scan(&j.ID, &j.Token, &j.UserID, &j.Session, &j.Kind, &j.File, &j.State, &j.Done, &j.Total, &j.Error,
		&j.Holder, &hb, &created, &expires, &j.HasReject, &j.Version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, wangge.ErrNotFound
		}
		return nil, err
	}
	j.Heartbeat, j.Created, j.Expires = hb.Time, created.Time, expires.Time
	return &j, nil
}

// CreateImportJob implements wangge.ImportJobStore.
func (db *DB) CreateImportJob(ctx context.Context, j *wangge.ImportJob, upload []byte, ttl time.Duration) error {
	if db.box == nil {
		return errors.New("sqldb: import jobs need the field-encryption key")
	}
	now := db.now()
	j.Token, j.State, j.Created, j.Heartbeat, j.Expires, j.Version = newToken(), wangge.JobQueued, now, now, now.Add(ttl), 1
	if j.Session == nil {
		j.Session = []byte{}
	}
	sealed := db.box.Seal(fJobUpload, string(upload))
	return db.w.QueryRowContext(ctx, db.sql(`INSERT INTO import_jobs (token, user_id, session_hash, kind, file_name, upload_enc, state, holder, heartbeat_at, created_at, expires_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`),
		j.Token, j.UserID, j.Session, string(j.Kind), j.File, sealed, j.State, j.Holder, now, now, j.Expires).Scan(&j.ID)
}

// ImportJob implements wangge.ImportJobStore.
func (db *DB) ImportJob(ctx context.Context, userID int64, token string) (*wangge.ImportJob, error) {
	return scanImportJob(db.r.QueryRowContext(ctx, db.sql(`SELECT `+importJobCols+` FROM import_jobs WHERE token = ? AND user_id = ? AND (expires_at > ? OR state IN ('queued', 'checking', 'committing'))`),
		token, userID, db.now()))
}

// ImportJobReports implements wangge.ImportJobStore.
func (db *DB) ImportJobReports(ctx context.Context, userID int64, token string) (report, result string, err error) {
	err = db.r.QueryRowContext(ctx, db.sql(`SELECT report, result FROM import_jobs WHERE token = ? AND user_id = ? AND (expires_at > ? OR state IN ('queued', 'checking', 'committing'))`),
		token, userID, db.now()).Scan(&report, &result)
	if errors.Is(err, sql.ErrNoRows) {
		err = wangge.ErrNotFound
	}
	return report, result, err
}

// sealedOf opens one sealed column of the user's job.
func (db *DB) sealedOf(ctx context.Context, col, field string, userID int64, token string) ([]byte, error) {
	var sealed []byte
	err := db.r.QueryRowContext(ctx, db.sql(`SELECT `+col+` FROM import_jobs WHERE token = ? AND user_id = ? AND (expires_at > ? OR state IN ('queued', 'checking', 'committing'))`),
		token, userID, db.now()).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	if err != nil || sealed == nil {
		return nil, err
	}
	v, err := db.box.Open(field, sealed)
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

// ImportJobUpload implements wangge.ImportJobStore.
func (db *DB) ImportJobUpload(ctx context.Context, userID int64, token string) ([]byte, error) {
	return db.sealedOf(ctx, "upload_enc", fJobUpload, userID, token)
}

// ImportJobRejects implements wangge.ImportJobStore.
func (db *DB) ImportJobRejects(ctx context.Context, userID int64, token string) ([]byte, error) {
	return db.sealedOf(ctx, "rejects_enc", fJobRejects, userID, token)
}

// OpenImportJobs implements wangge.ImportJobStore.
func (db *DB) OpenImportJobs(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.sql(`SELECT COUNT(*) FROM import_jobs WHERE user_id = ? AND state NOT IN ('committed', 'failed') AND expires_at > ?`),
		userID, db.now()).Scan(&n)
	return n, err
}

// ClaimImportJob implements wangge.ImportJobStore. One UPDATE decides, so
// of two servers claiming at once one wins and the other changes nothing.
func (db *DB) ClaimImportJob(ctx context.Context, userID int64, token string, from []string, state, holder string, lease time.Duration) (*wangge.ImportJob, error) {
	now := db.now()
	args := []any{state, holder, now, token, userID, now}
	for _, s := range from {
		args = append(args, s)
	}
	args = append(args, now.Add(-lease))
	in := strings.TrimSuffix(strings.Repeat("?, ", len(from)), ", ")
	if in == "" {
		in = "''"
	}
	res, err := db.w.ExecContext(ctx, db.sql(`UPDATE import_jobs SET state = ?, holder = ?, heartbeat_at = ?, done = 0, total = 0, version = version + 1
		WHERE token = ? AND user_id = ? AND expires_at > ?
		AND (state IN (`+in+`) OR state IN ('queued', 'checking', 'committing') AND heartbeat_at < ?)`), args...)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if _, err := db.ImportJob(ctx, userID, token); err != nil {
			return nil, err
		}
		return nil, wangge.ErrConflict
	}
	return db.ImportJob(ctx, userID, token)
}

// ImportJobHeartbeat implements wangge.ImportJobStore.
func (db *DB) ImportJobHeartbeat(ctx context.Context, id int64, holder string, done, total int) error {
	res, err := db.w.ExecContext(ctx, db.sql(`UPDATE import_jobs SET done = ?, total = ?, heartbeat_at = ? WHERE id = ? AND holder = ?`),
		done, total, db.now(), id, holder)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return wangge.ErrConflict
	}
	return nil
}

// FinishImportJob implements wangge.ImportJobStore.
func (db *DB) FinishImportJob(ctx context.Context, j *wangge.ImportJob, holder string, rejects []byte) error {
	q := `UPDATE import_jobs SET state = ?, done = ?, total = ?, error = ?, holder = '', heartbeat_at = ?, version = version + 1`
	args := []any{j.State, j.Done, j.Total, j.Error, db.now()}
	if j.Report != "" {
		q, args = q+`, report = ?`, append(args, j.Report)
	}
	if j.Result != "" {
		q, args = q+`, result = ?`, append(args, j.Result)
	}
	if rejects != nil {
		q, args = q+`, rejects_enc = ?`, append(args, db.box.Seal(fJobRejects, string(rejects)))
	}
	if j.State == wangge.JobCommitted {
		q += `, upload_enc = NULL` // done with; a failed job keeps it to run again
	}
	res, err := db.w.ExecContext(ctx, db.sql(q+` WHERE id = ? AND holder = ?`), append(args, j.ID, holder)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return wangge.ErrConflict
	}
	j.Holder = ""
	return nil
}

// PurgeImportJobs implements wangge.ImportJobStore.
func (db *DB) PurgeImportJobs(ctx context.Context, lease time.Duration) (int, error) {
	now := db.now()
	res, err := db.w.ExecContext(ctx, db.sql(`DELETE FROM import_jobs WHERE expires_at <= ?
		AND NOT (state IN ('queued', 'checking', 'committing') AND heartbeat_at >= ?)`), now, now.Add(-lease))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// markJobCommitted records in the import's own transaction that the job
// committed, so a server dying right after the commit leaves no job that
// looks uncommitted and would run again.
func (tx *Tx) markJobCommitted(token string) error {
	_, err := tx.exec(`UPDATE import_jobs SET state = 'committed', upload_enc = NULL, version = version + 1 WHERE token = ?`, token)
	return err
}
