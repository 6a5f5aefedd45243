package sqldb

import (
	"context"
	"database/sql"
	"errors"
)

// CaseRequestMade reports whether the account's idempotency key already
// made a case: what lets the JSON API answer a retried create 200 rather
// than 201. It decides nothing — CreateCase still checks the key and the
// request's content in its own transaction, so two first requests racing
// each other make one case whatever this said to either.
func (db *DB) CaseRequestMade(ctx context.Context, userID int64, key string) (bool, error) {
	if key == "" || len(key) > IdempotencyKeyMax {
		return false, nil
	}
	var caseID sql.Null[int64]
	err := db.queryRow(ctx, `SELECT case_id FROM case_requests WHERE user_id = ? AND request_key = ?`, userID, key).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && caseID.Valid, err
}
