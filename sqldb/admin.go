package sqldb

import "context"

// Optimize refreshes the planner's statistics after a large load (and, for
// SQLite, folds the write-ahead log back into the database file).
func (db *DB) Optimize(ctx context.Context) error {
	for _, q := range db.d.Optimize {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// Reset deletes every area, building, household, person, unit, assistant,
// visit, account and audit entry, keeping the schema, the key and the
// services catalogue. Only `wangge demo --force` uses it. A keyed chain's
// checkpoint file gets a base checkpoint of the new chain.
func (db *DB) Reset(ctx context.Context) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		for _, t := range []string{"sessions", "login_attempts", "users", "visits", "memberships", "building_heads", "person_moves", "persons",
			"household_moves", "households", "units", "building_moves", "buildings", "assignments", "assistants", "boundaries", "areas", "audit_log"} {
			if _, err := tx.exec(`DELETE FROM ` + t); err != nil {
				return err
			}
		}
		if _, err := tx.exec(`UPDATE audit_head SET seq = 0, hash = ? WHERE id = 1`, []byte{}); err != nil {
			return err
		}
		return tx.audit("database.reset", "database", "", "", "")
	})
	if err != nil {
		return err
	}
	// The new chain starts on purpose: its checkpoints begin afresh.
	return db.AnchorBase(ctx)
}
