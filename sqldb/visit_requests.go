package sqldb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// A visit from the phone's queue (issue 13): the visit, the ledger changes
// it proposes and the case it raises are written in one transaction with
// the idempotency record of the client's UUID (visit_requests, keyed per
// account like case_requests), so a resend after a crash or a lost answer
// never doubles anything and is answered as the first request was.

// fVisitRequest keys the hash of a visit request's content.
const fVisitRequest = "visit_requests.request"

// visitRequest is a visit as the phone sends it: what its idempotency key
// is held to.
type visitRequest struct {
	Visit   wangge.Visit
	Changes []wangge.LedgerChange
	Case    *casework.Draft
}

// requestMAC is the keyed hash of the request's content: keyed, because it
// holds what residents said and their phones.
func (r *visitRequest) requestMAC(db *DB) []byte {
	b, _ := json.Marshal(r)
	return db.box.Index(fVisitRequest, string(b))
}

// VisitText is what a visit recorded, as a case raised on it describes
// the problem when the assistant wrote nothing else: the note, then the
// six clears that changed.
func VisitText(v *wangge.Visit) string {
	var parts []string
	for _, s := range []string{v.Note, v.Clears.Dangers, v.Clears.Needs, v.Clears.HotIssues, v.Clears.Household, v.Clears.Categories, v.Clears.Facilities} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// RecordVisit writes a visit with its proposals and its case as the actor
// (an account with an assistant; the scope must be able to change the
// household's grid). A case, when given, is the problem the visit raises:
// its category, mechanism (general or coordination), description and what
// was done; the store fills in the place (the visit's household, building
// and grid) and the source, and the visit's text when no description is
// given. A non-empty key makes it idempotent per account: the
// same key with the same request returns the first answer (replayed), with
// another request it is refused with EConflict. A first request's time
// must lie within the offline window of the store's clock
// (wangge.CheckVisitTime).
func (db *DB) RecordVisit(ctx context.Context, s wangge.Scope, a casework.Actor, v *wangge.Visit, changes []wangge.LedgerChange, draft *casework.Draft, key string) (ans wangge.VisitAnswer, replayed bool, err error) {
	r := visitRequest{Visit: *v, Changes: changes, Case: draft}
	if len(key) > IdempotencyKeyMax {
		return ans, false, wangge.Invalid("idempotency_key", "error.case.idempotency_key_length", "Max", IdempotencyKeyMax)
	}
	if err := r.Visit.Validate(); err != nil {
		return ans, false, err
	}
	if len(r.Changes) > wangge.VisitChangesMax {
		return ans, false, wangge.Invalid("changes", "error.visit.changes", "Max", wangge.VisitChangesMax)
	}
	if (len(r.Changes) > 0 || r.Case != nil) && r.Visit.HouseholdID == nil {
		return ans, false, wangge.Invalid("household_id", "error.visit.household_needed")
	}
	if r.Case != nil && r.Case.Mechanism != casework.General && r.Case.Mechanism != casework.Coordination {
		return ans, false, wangge.Invalid("case.mechanism", "error.visit.case_mechanism")
	}
	var eng *casework.Engine
	if r.Case != nil {
		if eng, err = db.caseEngine(); err != nil {
			return ans, false, err
		}
	}
	mac := r.requestMAC(db)
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		if key != "" {
			res, err := tx.exec(`INSERT INTO visit_requests (user_id, request_key, request_mac, answer, created_at) VALUES (?, ?, ?, '{}', ?)
				ON CONFLICT (user_id, request_key) DO NOTHING`, a.UserID, key, mac, tx.now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				// A resend. (In PostgreSQL the insert waited for the first
				// request's transaction, so its row is there to read.)
				var had []byte
				var answer string
				if err := tx.queryRow(`SELECT request_mac, answer FROM visit_requests WHERE user_id = ? AND request_key = ?`, a.UserID, key).Scan(&had, &answer); err != nil {
					return err
				}
				if !bytes.Equal(had, mac) {
					return wangge.E(wangge.EConflict, "error.visit.idempotency_key")
				}
				replayed = true
				return json.Unmarshal([]byte(answer), &ans)
			}
		}
		// The time window is the store's clock's, and after the key: a
		// resend of a visit the first send recorded is answered however
		// old it has grown in the queue since.
		if err := wangge.CheckVisitTime(r.Visit.At, tx.now); err != nil {
			return err
		}
		v := r.Visit
		extra := map[string]any{"changes": len(r.Changes)}
		if err := tx.insertVisit(s, &v, extra); err != nil {
			return err
		}
		ans.VisitID, ans.Proposals = v.ID, []wangge.ProposalAnswer{}
		for i := range r.Changes {
			c := r.Changes[i]
			c.HouseholdID, c.VisitID, c.GridCode = *v.HouseholdID, v.ID, v.GridCode
			if err := tx.insertLedgerChange(&c, a.Name); err != nil {
				return detailAt(err, "changes", i)
			}
			ans.Proposals = append(ans.Proposals, wangge.ProposalAnswer{ID: c.ID, Kind: c.Kind, State: c.State})
		}
		if r.Case != nil {
			d := *r.Case
			var building int64
			var lng, lat float64
			if err := tx.queryRow(`SELECT h.building_id, b.lng, b.lat FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.id = ?`,
				*v.HouseholdID).Scan(&building, &lng, &lat); err != nil {
				return err
			}
			d.Location = casework.Location{GridCode: v.GridCode, BuildingID: building, HouseholdID: *v.HouseholdID}
			if lng != 0 || lat != 0 {
				d.Location.Point = &casework.Point{Lng: lng, Lat: lat}
			}
			d.Source = casework.SourceVisit
			if strings.TrimSpace(d.Description) == "" {
				d.Description = VisitText(&v)
			}
			c, _, err := tx.openCase(eng, a, d)
			if err != nil {
				return detailAt(err, "case", -1)
			}
			ans.CaseNumber, ans.CaseState = c.Number, string(c.State)
		}
		if key != "" {
			b, _ := json.Marshal(ans)
			if _, err := tx.exec(`UPDATE visit_requests SET visit_id = ?, answer = ? WHERE user_id = ? AND request_key = ?`, v.ID, string(b), a.UserID, key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return wangge.VisitAnswer{}, false, err
	}
	return ans, replayed, nil
}

// detailAt names the part of a visit request a field error is about
// (changes[2].person_id, case.category), so the phone can point at it.
func detailAt(err error, part string, i int) error {
	var e *wangge.Error
	if !errors.As(err, &e) || e.Field == "" {
		return err
	}
	out := *e
	if i >= 0 {
		out.Field = part + "[" + strconv.Itoa(i) + "]." + e.Field
	} else {
		out.Field = part + "." + e.Field
	}
	return &out
}
