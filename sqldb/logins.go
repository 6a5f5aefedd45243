package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

// fUserTOTP binds a sealed TOTP secret to its column. A key rotation must
// re-seal users.totp_secret under this field name, like the personal fields.
const fUserTOTP = "users.totp_secret"

// RecordLoginAttempt stores one attempt to log in. The attempts are counters
// for the login policy's delays, not a record: the caller writes the audit entry
// (login.ok, login.fail), which the audit chain keeps for good.
func (db *DB) RecordLoginAttempt(ctx context.Context, a *wangge.LoginAttempt) error {
	if a.At.IsZero() {
		a.At = db.now()
	}
	_, err := db.w.ExecContext(ctx, db.sql(`INSERT INTO login_attempts (username, addr, at, ok) VALUES (?, ?, ?, ?)`),
		strings.ToLower(a.Username), a.Addr, ts(a.At), a.OK)
	return err
}

// loginKeyCol returns the column failures are counted by.
func loginKeyCol(by wangge.LoginKey, key string) (string, string, error) {
	switch by {
	case wangge.LoginByUsername:
		return "username", strings.ToLower(key), nil
	case wangge.LoginByAddr:
		return "addr", key, nil
	}
	return "", "", fmt.Errorf("sqldb: unknown login key %d", by)
}

// LoginFailures returns the times of failed attempts since the time, newest
// first, at most limit of them.
func (db *DB) LoginFailures(ctx context.Context, by wangge.LoginKey, key string, since time.Time, limit int) ([]time.Time, error) {
	col, key, err := loginKeyCol(by, key)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = wangge.DefaultPageLimit
	}
	return collect(ctx, db, `SELECT at FROM login_attempts WHERE `+col+` = ? AND ok = ? AND at >= ? ORDER BY at DESC LIMIT ?`,
		[]any{key, false, ts(since), limit}, func(rows *sql.Rows) (time.Time, error) {
			var t timeValue
			err := rows.Scan(&t)
			return t.Time, err
		})
}

// CountLoginFailures counts the failed attempts since the time.
func (db *DB) CountLoginFailures(ctx context.Context, by wangge.LoginKey, key string, since time.Time) (int, error) {
	col, key, err := loginKeyCol(by, key)
	if err != nil {
		return 0, err
	}
	var n int
	err = db.queryRow(ctx, `SELECT COUNT(*) FROM login_attempts WHERE `+col+` = ? AND ok = ? AND at >= ?`, key, false, ts(since)).Scan(&n)
	return n, err
}

// ClearLoginFailures deletes the failed attempts for the username.
func (db *DB) ClearLoginFailures(ctx context.Context, username string) (int, error) {
	res, err := db.w.ExecContext(ctx, db.sql(`DELETE FROM login_attempts WHERE username = ? AND ok = ?`), strings.ToLower(username), false)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// PurgeLoginAttempts deletes the attempts made before the time, keeping the
// successful ones of known devices until devicesBefore.
func (db *DB) PurgeLoginAttempts(ctx context.Context, before, devicesBefore time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, db.sql(`DELETE FROM login_attempts WHERE at < ? AND (ok = ? OR addr NOT LIKE ? OR at < ?)`),
		ts(before), false, wangge.LoginDevicePrefix+"%", ts(devicesBefore))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// LoginAttempts returns the username's attempts since the time, from the
// address or any, newest first, at most limit of them.
func (db *DB) LoginAttempts(ctx context.Context, username, addr string, since time.Time, limit int) ([]wangge.LoginAttempt, error) {
	if limit <= 0 {
		limit = wangge.DefaultPageLimit
	}
	q, args := `SELECT username, addr, at, ok FROM login_attempts WHERE username = ? AND at >= ?`, []any{strings.ToLower(username), ts(since)}
	if addr != "" {
		q += ` AND addr = ?`
		args = append(args, addr)
	}
	q += ` ORDER BY at DESC LIMIT ?`
	args = append(args, limit)
	return collect(ctx, db, q, args, func(rows *sql.Rows) (wangge.LoginAttempt, error) {
		var a wangge.LoginAttempt
		var t timeValue
		err := rows.Scan(&a.Username, &a.Addr, &t, &a.OK)
		a.At = t.Time
		return a, err
	})
}

// KnownLoginDevice reports whether the username logged in from the device
// since the time.
func (db *DB) KnownLoginDevice(ctx context.Context, username, device string, since time.Time) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM login_attempts WHERE username = ? AND addr = ? AND ok = ? AND at >= ? LIMIT 1) AS d`,
		strings.ToLower(username), device, true, ts(since)).Scan(&n)
	return n > 0, err
}

// UnlockLogin deletes the failed attempts of the user's username with its
// audit entry, in one transaction.
func (db *DB) UnlockLogin(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		var username, scopeCode string
		err := tx.queryRow(`SELECT username, scope_code FROM users WHERE id = ?`, userID).Scan(&username, &scopeCode)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		res, err := tx.exec(`DELETE FROM login_attempts WHERE username = ? AND ok = ?`, strings.ToLower(username), false)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n = int(m)
		return tx.audit("user.unlock", "user", userID, scopeCode, jsonDetail(map[string]any{"username": username, "failures": n}))
	})
	return n, err
}

// DeleteUserSessions ends the user's sessions except keep.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, keep []byte) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.deleteUserSessions(userID, keep)
		return err
	})
	return n, err
}

func (tx *Tx) deleteUserSessions(userID int64, keep []byte) (int, error) {
	q, args := `DELETE FROM sessions WHERE user_id = ?`, []any{userID}
	if keep != nil {
		q += ` AND token_hash <> ?`
		args = append(args, keep)
	}
	res, err := tx.exec(q, args...)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SetPassword replaces the password hash, ends the user's other sessions
// and, for a reset, marks the password temporary and clears the login
// failures, all in one transaction with its audit entry.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, keep []byte, reset bool) error {
	if hash == "" {
		return wangge.Invalid("password", "error.user.no_password")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var username, scopeCode string
		err := tx.queryRow(`SELECT username, scope_code FROM users WHERE id = ?`, userID).Scan(&username, &scopeCode)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		// The version moves on, so an edit of the account read before the
		// change cannot write the old hash back.
		if _, err := tx.exec(`UPDATE users SET password_hash = ?, must_change_password = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			hash, reset, tx.now, userID); err != nil {
			return err
		}
		ended, err := tx.deleteUserSessions(userID, keep)
		if err != nil {
			return err
		}
		action, detail := "user.password", map[string]any{"username": username, "sessions_ended": ended}
		if reset {
			action = "user.reset"
			res, err := tx.exec(`DELETE FROM login_attempts WHERE username = ? AND ok = ?`, username, false)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			detail["failures_cleared"] = n
		}
		return tx.audit(action, "user", userID, scopeCode, jsonDetail(detail))
	})
}

// SetUserTOTP stores a pending or enabled secret, sealed, or removes it.
func (db *DB) SetUserTOTP(ctx context.Context, userID int64, secret string, enabled bool) error {
	if secret != "" && db.box == nil {
		return errors.New("sqldb: no key set for sealing the TOTP secret")
	}
	if secret == "" && enabled {
		return wangge.Invalid("otp", "error.totp.not_set_up")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var username, scopeCode string
		err := tx.queryRow(`SELECT username, scope_code FROM users WHERE id = ?`, userID).Scan(&username, &scopeCode)
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		} else if err != nil {
			return err
		}
		var action string
		switch {
		case secret == "":
			action = "user.totp.disable"
			_, err = tx.exec(`UPDATE users SET totp_secret = NULL, totp_enabled = ?, totp_last_step = NULL, updated_at = ? WHERE id = ?`, false, tx.now, userID)
		case enabled:
			action = "user.totp.enable"
			_, err = tx.exec(`UPDATE users SET totp_secret = ?, totp_enabled = ?, updated_at = ? WHERE id = ?`, db.box.Seal(fUserTOTP, secret), true, tx.now, userID)
		default:
			action = "user.totp.setup"
			_, err = tx.exec(`UPDATE users SET totp_secret = ?, totp_enabled = ?, totp_last_step = NULL, updated_at = ? WHERE id = ?`, db.box.Seal(fUserTOTP, secret), false, tx.now, userID)
		}
		if err != nil {
			return err
		}
		return tx.audit(action, "user", userID, scopeCode, jsonDetail(map[string]any{"username": username}))
	})
}

// UserTOTP returns the account's TOTP state with the secret opened.
func (db *DB) UserTOTP(ctx context.Context, userID int64) (*wangge.TOTP, error) {
	var sealed []byte
	var last sql.Null[int64]
	var t wangge.TOTP
	err := db.queryRow(ctx, `SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?`, userID).Scan(&sealed, &t.Enabled, &last)
	if errors.Is(err, sql.ErrNoRows) || err == nil && len(sealed) == 0 {
		return nil, wangge.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	if db.box == nil {
		return nil, errors.New("sqldb: no key set for opening the TOTP secret")
	}
	if t.Secret, err = db.box.Open(fUserTOTP, sealed); err != nil {
		return nil, fmt.Errorf("%s: %w", fUserTOTP, err)
	}
	t.LastStep = last.V
	return &t, nil
}

// UseTOTPStep records the step of an accepted code, unless it or a later
// one was accepted before.
func (db *DB) UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error) {
	res, err := db.w.ExecContext(ctx, db.sql(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < ?)`),
		step, userID, step)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
