package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/wangge/wangge"
)

// fMembershipAttrs binds the sealed attributes of a membership to their
// column: memberships.attrs_enc holds, sealed, the JSON of the attributes
// the group marks Secret (the disability certificate number, which holds
// the ID number); memberships.attrs keeps the others in clear.
const fMembershipAttrs = "memberships.attrs"

// sealAttrs splits a membership's attributes into the JSON kept in clear
// and the sealed JSON of the secret ones (nil when there are none).
func (db *DB) sealAttrs(g wangge.KeyGroup, attrs map[string]string) (string, []byte) {
	def := wangge.GroupDefOf(g)
	clear, secret := map[string]string{}, map[string]string{}
	for k, v := range attrs {
		if def != nil && isSecretAttr(def, k) {
			secret[k] = v
		} else {
			clear[k] = v
		}
	}
	if len(secret) == 0 {
		return attrsJSON(clear), nil
	}
	b, _ := json.Marshal(secret)
	return attrsJSON(clear), db.box.Seal(fMembershipAttrs, string(b))
}

func isSecretAttr(def *wangge.GroupDef, key string) bool {
	for _, a := range def.Attrs {
		if a.Key == key {
			return a.Secret
		}
	}
	return false
}

// maskSecretAttrs masks the secret attributes for an ordinary read, as ID
// numbers are: a certificate number holds one.
func maskSecretAttrs(m *wangge.Membership) {
	def := wangge.GroupDefOf(m.Group)
	for k, v := range m.Attrs {
		if def != nil && isSecretAttr(def, k) {
			m.Attrs[k] = maskID(v)
		}
	}
}

// keepMaskedAttrs puts back the stored value of every secret attribute the
// caller passes masked (as it read it), so saving a form changes nothing it
// did not mean to.
func (tx *Tx) keepMaskedAttrs(m *wangge.Membership) error {
	var stored []byte
	for k, v := range m.Attrs {
		if !masked(v) {
			continue
		}
		if stored == nil {
			if err := tx.queryRow(`SELECT attrs_enc FROM memberships WHERE id = ?`, m.ID).Scan(&stored); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if stored == nil {
				stored = []byte{}
			}
		}
		var old wangge.Membership
		if err := tx.db.openAttrs(&old, stored); err != nil {
			return err
		}
		if ov, ok := old.Attrs[k]; ok {
			m.Attrs[k] = ov
		} else {
			delete(m.Attrs, k)
		}
	}
	return nil
}

// openAttrs adds the sealed attributes to those read in clear.
func (db *DB) openAttrs(m *wangge.Membership, sealed []byte) error {
	if len(sealed) == 0 {
		return nil
	}
	plain, err := db.box.Open(fMembershipAttrs, sealed)
	if err != nil {
		return fmt.Errorf("%s: %w", fMembershipAttrs, err)
	}
	var secret map[string]string
	if err := json.Unmarshal([]byte(plain), &secret); err != nil {
		return fmt.Errorf("%s: %w", fMembershipAttrs, err)
	}
	if m.Attrs == nil {
		m.Attrs = map[string]string{}
	}
	for k, v := range secret {
		m.Attrs[k] = v
	}
	return nil
}

// SealClearAttrs seals the secret attributes an older version kept in clear
// in memberships.attrs, and reports how many memberships it changed. It is
// cheap when there are none (one query), so wangge runs it at every start.
func (db *DB) SealClearAttrs(ctx context.Context) (int, error) {
	var conds []string
	var args []any
	for _, def := range wangge.KeyGroups {
		var likes []string
		var likeArgs []any
		for _, a := range def.Attrs {
			if a.Secret {
				likes = append(likes, `CAST(attrs AS TEXT) LIKE ?`) // jsonb in PostgreSQL
				likeArgs = append(likeArgs, `%"`+a.Key+`"%`)
			}
		}
		if len(likes) > 0 {
			conds = append(conds, "(grp = ? AND ("+strings.Join(likes, " OR ")+"))")
			args = append(append(args, string(def.Group)), likeArgs...)
		}
	}
	if len(conds) == 0 {
		return 0, nil
	}
	ids, err := collect(ctx, db, `SELECT id FROM memberships WHERE `+strings.Join(conds, " OR ")+` ORDER BY id`, args, func(rows *sql.Rows) (int64, error) {
		var id int64
		return id, rows.Scan(&id)
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	n := 0
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		err := db.inTx(ctx, func(tx *Tx) error {
			for _, id := range chunk {
				var grp, attrs string
				var sealed []byte
				if err := tx.queryRow(`SELECT grp, attrs, attrs_enc FROM memberships WHERE id = ?`, id).Scan(&grp, &attrs, &sealed); err != nil {
					return err
				}
				m := wangge.Membership{Group: wangge.KeyGroup(grp)}
				if err := json.Unmarshal([]byte(attrs), &m.Attrs); err != nil {
					return fmt.Errorf("membership %d: %w", id, err)
				}
				def, inClear := wangge.GroupDefOf(m.Group), false
				for k := range m.Attrs {
					inClear = inClear || def != nil && isSecretAttr(def, k)
				}
				if !inClear {
					continue // the name matched a value, not a key
				}
				if err := db.openAttrs(&m, sealed); err != nil {
					return fmt.Errorf("membership %d: %w", id, err)
				}
				clear, sealedNew := db.sealAttrs(m.Group, m.Attrs)
				if _, err := tx.exec(`UPDATE memberships SET attrs = ?, attrs_enc = ? WHERE id = ?`, clear, sealedNew, id); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	if n == 0 {
		return 0, nil
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		return tx.audit("keygroup.seal", "database", "", "", jsonDetail(map[string]any{"memberships": n}))
	})
	return n, err
}
