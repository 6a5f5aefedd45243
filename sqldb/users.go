package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wangge/wangge"
)

const userCols = `u.id, u.username, u.display_name, u.role, u.scope_code, u.line, u.password_hash, u.disabled, u.assistant_id, u.version, u.created_at, u.updated_at, u.must_change_password, u.totp_enabled`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*wangge.User, error) {
	var u wangge.User
	var assistant sql.Null[int64]
	var created, updated timeValue
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.ScopeCode, &u.Line, &u.PasswordHash, &u.Disabled, &assistant, &u.Version, &created, &updated, &u.MustChangePassword, &u.TOTPEnabled}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.AssistantID = ptrInt(assistant)
	u.CreatedAt, u.UpdatedAt = created.Time, updated.Time
	return &u, nil
}

var usernameTaken = &wangge.Error{Code: wangge.EConflict, Field: "username", Key: "error.user.name_taken"}

// CreateUser adds an account. PasswordHash must already be set.
func (db *DB) CreateUser(ctx context.Context, u *wangge.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return wangge.Invalid("password", "error.user.no_password")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		u.Version, u.CreatedAt, u.UpdatedAt = 1, tx.now, tx.now
		err := tx.queryRow(`INSERT INTO users (username, display_name, role, scope_code, line, password_hash, disabled, assistant_id, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			u.Username, u.DisplayName, u.Role, u.ScopeCode, u.Line, u.PasswordHash, u.Disabled, nullInt(u.AssistantID), tx.now, tx.now).Scan(&u.ID)
		if err != nil {
			return db.classify(err, usernameTaken)
		}
		return tx.audit("user.create", "user", u.ID, u.ScopeCode, jsonDetail(map[string]any{"username": u.Username, "role": u.Role}))
	})
}

// User returns an account by id.
func (db *DB) User(ctx context.Context, id int64) (*wangge.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return u, err
}

// UserByUsername returns an account by username.
func (db *DB) UserByUsername(ctx context.Context, username string) (*wangge.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return u, err
}

// UpdateUser changes an account, including its password hash.
func (db *DB) UpdateUser(ctx context.Context, u *wangge.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.update("users", "id", u.ID, `UPDATE users SET display_name = ?, role = ?, scope_code = ?, line = ?, password_hash = ?, disabled = ?, assistant_id = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			u.DisplayName, u.Role, u.ScopeCode, u.Line, u.PasswordHash, u.Disabled, nullInt(u.AssistantID), tx.now, u.ID, u.Version); err != nil {
			return err
		}
		u.Version++
		u.UpdatedAt = tx.now
		if u.Disabled {
			if _, err := tx.exec(`DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
				return err
			}
		}
		return tx.audit("user.update", "user", u.ID, u.ScopeCode, jsonDetail(map[string]any{"username": u.Username, "role": u.Role, "disabled": u.Disabled}))
	})
}

// ListUsers lists the accounts whose scope lies within s.
func (db *DB) ListUsers(ctx context.Context, s wangge.Scope, p wangge.Page) ([]wangge.User, int, error) {
	var w where
	w.scope("u.scope_code", s)
	return page(ctx, db, "users u", `SELECT `+userCols+` FROM users u`, &w, "u.username", p,
		func(rows *sql.Rows) (wangge.User, error) { return deref(scanUser(rows)) })
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s *wangge.Session) error {
	_, err := db.w.ExecContext(ctx, db.sql(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at, addr, user_agent) VALUES (?, ?, ?, ?, ?, ?)`),
		s.TokenHash, s.UserID, ts(s.CreatedAt), ts(s.ExpiresAt), s.Addr, s.UserAgent)
	return db.classify(err)
}

// SessionUser returns a live session and its enabled user.
func (db *DB) SessionUser(ctx context.Context, tokenHash []byte, now time.Time) (*wangge.Session, *wangge.User, error) {
	var s wangge.Session
	var created, expires timeValue
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+`, s.token_hash, s.user_id, s.created_at, s.expires_at, s.addr, s.user_agent
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = ?`, tokenHash, now.UTC(), false),
		&s.TokenHash, &s.UserID, &created, &expires, &s.Addr, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, wangge.ErrNotFound
	} else if err != nil {
		return nil, nil, err
	}
	s.CreatedAt, s.ExpiresAt = created.Time, expires.Time
	return &s, u, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := db.w.ExecContext(ctx, db.sql(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, db.sql(`DELETE FROM sessions WHERE expires_at <= ?`), now.UTC())
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
