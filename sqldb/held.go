package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/ident"
)

// Held Open311 requests (issue 14, migration 00019). An Open311 client
// names a place in words (address_string) as often as by a point; when the
// words match no single building the request is held here rather than
// guessed into a grid or refused: the client gets a token, staff place the
// request on the map, and placing makes the case through reportCase in the
// same transaction, so a request becomes exactly one case. A held request
// has no area yet, so every account that dispatches cases
// (casework.MayPlaceHeld) sees the list; the grid it is placed in must be in
// the placer's scope, as any case write's must.

// Field names of the sealed contact of a held request (*_enc columns: a key
// rotation finds them by name).
const (
	fHeldName  = "held_reports.name"
	fHeldPhone = "held_reports.phone"
	fHeldEmail = "held_reports.email"
)

// newHeldToken returns a fresh Open311 token: 24 random bytes, base64url (32
// characters). It is an opaque public id, not a secret, so it is kept as is.
func newHeldToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on the platforms we build for
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkEmail is the public intake's e-mail check.
func checkEmail(s string) (string, error) {
	email, err := checkText("email", s, intakeEmailMax, "error.intake.email")
	if err != nil {
		return "", err
	}
	if email != "" && (!strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n<>")) {
		return "", wangge.Invalid("email", "error.intake.email", "Max", intakeEmailMax)
	}
	return email, nil
}

// maskEmail keeps an address's first character and its domain.
func maskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return ident.MaskName(s)
	}
	r := []rune(local)
	if len(r) == 0 {
		return "*@" + domain
	}
	return string(r[0]) + "***@" + domain
}

// intakeCategory is a category a public intake may report in, by code: a
// problem type, else an active entry of the services catalogue.
func intakeCategory(queryRow func(string, ...any) *sql.Row, code string) (casework.Category, error) {
	if i := slices.IndexFunc(casework.ProblemTypes, func(c casework.Category) bool { return c.Code == code }); i >= 0 {
		return casework.ProblemTypes[i], nil
	}
	s, err := scanService(queryRow(`SELECT `+serviceCols+` FROM services WHERE code = ? AND active = ?`, code, true))
	if errors.Is(err, sql.ErrNoRows) {
		return casework.Category{}, wangge.Invalid("service_code", "error.intake.category")
	}
	if err != nil {
		return casework.Category{}, err
	}
	return casework.ServiceCategory(*s), nil
}

// HoldReport keeps an Open311 request that names no single place, after
// the checks ReportCase would make of it (all but the location), counted
// against its limits, audited as held.create. It returns the request's
// token.
func (db *DB) HoldReport(ctx context.Context, r casework.HeldReport) (string, error) {
	if !r.Source.Public() {
		return "", wangge.Invalid("source", "error.intake.source")
	}
	lang, err := checkLang(r.Lang)
	if err != nil {
		return "", err
	}
	phone, err := checkPhone(r.Phone)
	if err != nil {
		return "", err
	}
	name, err := checkText("name", r.Name, intakeNameMax, "error.intake.name")
	if err != nil {
		return "", err
	}
	email, err := checkEmail(r.Email)
	if err != nil {
		return "", err
	}
	address, err := checkText("address", r.Address, intakeAddressMax, "error.intake.address")
	if err != nil {
		return "", err
	}
	media, err := checkMediaURL(r.MediaURL)
	if err != nil {
		return "", err
	}
	attrs := r.Attributes
	if attrs == nil {
		attrs = map[string][]string{}
	}
	attrJSON, err := json.Marshal(attrs)
	if err != nil {
		return "", err
	}
	var tok string
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = intakeActor(tx.actor)
		cat, err := intakeCategory(tx.queryRow, r.CategoryCode)
		if err != nil {
			return err
		}
		// What the case's description will be, checked now: a request that
		// could never become a case is refused while the client is there.
		lines, err := casework.CheckAttributes(cat, attrs)
		if err != nil {
			return err
		}
		desc := strings.TrimSpace(r.Description)
		full := strings.TrimSpace(desc + "\n" + strings.Join(lines, "\n"))
		if desc == "" || utf8.RuneCountInString(full) > casework.NoteMax {
			return wangge.Invalid("description", "error.case.description", "Max", casework.NoteMax)
		}
		if err := tx.checkIntakeLimits(r.Limits); err != nil {
			return err
		}
		tok = newHeldToken()
		var id int64
		if err := tx.queryRow(`INSERT INTO held_reports (token, source, category, description, attributes, address, name_enc, phone_enc, email_enc,
			lang, media_url, api_key_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			tok, string(r.Source), cat.Code, desc, string(attrJSON), address, db.sealOptional(fHeldName, name), db.sealOptional(fHeldPhone, phone),
			db.sealOptional(fHeldEmail, email), lang, media, r.APIKeyID, string(casework.HeldWaiting), tx.now).Scan(&id); err != nil {
			return tx.db.classify(err)
		}
		return tx.audit("held.create", "held", id, "", jsonDetail(map[string]any{
			"source": r.Source, "category": cat.Code, "api_key": r.APIKeyID, "phone": phone != "", "address": address != ""}))
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// sealOptional seals a value, or gives NULL for none.
func (db *DB) sealOptional(field, v string) any {
	if v == "" {
		return nil
	}
	return db.box.Seal(field, v)
}

func (db *DB) openOptional(field string, sealed []byte) (string, error) {
	if sealed == nil {
		return "", nil
	}
	return db.box.Open(field, sealed)
}

// HeldByToken tells an Open311 client what became of its held request: the
// case's number once placed, "" while it waits (or when it was dismissed).
func (db *DB) HeldByToken(ctx context.Context, token string) (number string, found bool, err error) {
	if token == "" || len(token) > 100 {
		return "", false, nil
	}
	var n sql.NullString
	err = db.queryRow(ctx, `SELECT c.number FROM held_reports h LEFT JOIN cases c ON c.id = h.case_id WHERE h.token = ?`, token).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return n.String, true, nil
}

func mayHandleHeld(a casework.Actor) error {
	if !casework.MayPlaceHeld(a.Role) {
		return wangge.E(wangge.EForbidden, "error.held.role")
	}
	return nil
}

const heldCols = `id, token, source, category, description, attributes, address, name_enc, phone_enc, email_enc, lang, media_url, api_key_id, state, created_at`

// scanHeld reads a held request, the contact in clear.
func (db *DB) scanHeld(row interface{ Scan(...any) error }) (*casework.HeldRequest, error) {
	var h casework.HeldRequest
	var source, attrs, state string
	var name, phone, email []byte
	var created timeValue
	if err := row.Scan(&h.ID, &h.Token, &source, &h.CategoryCode, &h.Description, &attrs, &h.Address, &name, &phone, &email,
		&h.Lang, &h.MediaURL, &h.APIKeyID, &state, &created); err != nil {
		return nil, err
	}
	h.Source, h.State, h.CreatedAt = casework.Source(source), casework.HeldState(state), created.Time
	if err := json.Unmarshal([]byte(attrs), &h.Attributes); err != nil {
		return nil, err
	}
	var err error
	if h.Name, err = db.openOptional(fHeldName, name); err != nil {
		return nil, err
	}
	if h.Phone, err = db.openOptional(fHeldPhone, phone); err != nil {
		return nil, err
	}
	if h.Email, err = db.openOptional(fHeldEmail, email); err != nil {
		return nil, err
	}
	return &h, nil
}

// masked is the request as staff read it.
func heldMasked(h *casework.HeldRequest) casework.HeldRequest {
	out := *h
	out.Description = ident.MaskText(out.Description)
	out.Name = ident.MaskName(out.Name)
	if out.Phone != "" {
		out.Phone = maskPhone(out.Phone)
	}
	if out.Email != "" {
		out.Email = maskEmail(out.Email)
	}
	return out
}

// HeldReports lists the requests waiting for a place, newest first and
// bounded (casework.HeldListMax), for the staff who place them; contacts masked.
func (db *DB) HeldReports(ctx context.Context, a casework.Actor) ([]casework.HeldRequest, error) {
	if err := mayHandleHeld(a); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+heldCols+` FROM held_reports WHERE state = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
		string(casework.HeldWaiting), casework.HeldListMax)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.HeldRequest
	for rows.Next() {
		h, err := db.scanHeld(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, heldMasked(h))
	}
	return out, rows.Err()
}

// HeldRequest reads one request waiting for a place, for the page that
// places it; one already placed or dismissed is not found.
func (db *DB) HeldRequest(ctx context.Context, a casework.Actor, id int64) (*casework.HeldRequest, error) {
	if err := mayHandleHeld(a); err != nil {
		return nil, err
	}
	h, err := db.scanHeld(db.queryRow(ctx, `SELECT `+heldCols+` FROM held_reports WHERE id = ? AND state = ?`, id, string(casework.HeldWaiting)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	m := heldMasked(h)
	return &m, nil
}

// HeldCount is how many requests wait for a place, for the case board's
// link; 0 for an account that does not place them.
func (db *DB) HeldCount(ctx context.Context, a casework.Actor) (int, error) {
	if mayHandleHeld(a) != nil {
		return 0, nil
	}
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM held_reports WHERE state = ?`, string(casework.HeldWaiting)).Scan(&n)
	return n, err
}

// decideHeld moves a waiting request to its end state within the
// transaction, clearing its sealed contact (the case keeps what it needs; a
// dismissed request keeps none). The condition on the state is what makes
// two staff deciding at once end with one decision: SQLite serialises the
// writers, and PostgreSQL's second UPDATE waits for the first's row lock
// and then finds the state changed. A request already decided is a
// conflict.
func (tx *Tx) decideHeld(id int64, to casework.HeldState, set string, args ...any) error {
	res, err := tx.exec(`UPDATE held_reports SET `+set+`, state = ?, name_enc = NULL, phone_enc = NULL, email_enc = NULL
		WHERE id = ? AND state = ?`, append(args, string(to), id, string(casework.HeldWaiting))...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var one int
	if err := tx.queryRow(`SELECT 1 FROM held_reports WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return wangge.ErrNotFound
	} else if err != nil {
		return err
	}
	return wangge.E(wangge.EConflict, "error.held.decided")
}

// PlaceHeld places a held request: the location (a grid in the actor's
// scope, optionally a building of that grid and a WGS-84 point) makes it a
// case through reportCase in this transaction — the case made by the
// system under the intake mechanism, the audit naming the staff member —
// and the request is marked placed with the case. Placed or dismissed
// already is a conflict, so two staff placing it at once make one case.
// The receipt carries no token: the reporter's tracker exists (messages
// reach a phone left), but its token would reach only the staff member; an
// Open311 client follows the case by its number (HeldByToken).
func (db *DB) PlaceHeld(ctx context.Context, a casework.Actor, id int64, loc casework.Location) (*casework.Receipt, error) {
	if err := mayHandleHeld(a); err != nil {
		return nil, err
	}
	if loc.GridCode == "" {
		return nil, wangge.Invalid("place", "error.held.place")
	}
	if len(loc.GridCode) != wangge.GridCodeLen || !wangge.ValidRegionCode(loc.GridCode) {
		return nil, wangge.Invalid("grid_code", "error.case.grid")
	}
	sc := wangge.ScopeOf(a.ScopeCode)
	if a.Role == wangge.RoleSystem {
		sc = wangge.ScopeAll()
	}
	if !sc.Contains(loc.GridCode) {
		return nil, wangge.E(wangge.EForbidden, "error.held.scope")
	}
	loc.HouseholdID = 0 // a public report names a place, never a household
	var out *casework.Receipt
	err := db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		if loc.BuildingID != 0 {
			var grid string
			var lng, lat float64
			err := tx.queryRow(`SELECT grid_code, lng, lat FROM buildings WHERE id = ?`, loc.BuildingID).Scan(&grid, &lng, &lat)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && grid != loc.GridCode) {
				return wangge.Invalid("building", "error.held.building")
			}
			if err != nil {
				return err
			}
			if loc.Point == nil && (lng != 0 || lat != 0) {
				loc.Point = &casework.Point{Lng: lng, Lat: lat}
			}
		}
		h, err := tx.db.scanHeld(tx.queryRow(`SELECT `+heldCols+` FROM held_reports WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return wangge.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := tx.decideHeld(id, casework.HeldPlaced, `placed_by = ?, placed_at = ?`, a.UserID, tx.now); err != nil {
			return err
		}
		cat, err := intakeCategory(tx.queryRow, h.CategoryCode)
		if err != nil {
			return err
		}
		rc, err := tx.reportCase(casework.PublicReport{
			Source: h.Source, Category: cat, Description: h.Description, Attributes: h.Attributes,
			Location: loc, Address: h.Address, Name: h.Name, Phone: h.Phone, Email: h.Email,
			Lang: h.Lang, MediaURL: h.MediaURL, APIKeyID: h.APIKeyID,
			// The limits were counted when the request was held.
		})
		if err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE held_reports SET case_id = (SELECT id FROM cases WHERE district_code = ? AND number = ?) WHERE id = ?`,
			loc.GridCode[:6], rc.Number, id); err != nil {
			return err
		}
		rc.Token = ""
		out = rc
		return tx.audit("held.place", "held", id, loc.GridCode, jsonDetail(map[string]any{
			"case": rc.Number, "building": loc.BuildingID, "point": loc.Point != nil}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DismissHeld ends a held request without a case, for one of
// casework.DismissReasons; its sealed contact is dropped.
func (db *DB) DismissHeld(ctx context.Context, a casework.Actor, id int64, reason string) error {
	if err := mayHandleHeld(a); err != nil {
		return err
	}
	if !casework.ValidDismissReason(reason) {
		return wangge.Invalid("reason", "error.held.reason")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		tx.actor = auditActor(tx.actor, a)
		if err := tx.decideHeld(id, casework.HeldDismissed, `dismissed_by = ?, dismissed_at = ?, dismiss_reason = ?`,
			a.UserID, tx.now, reason); err != nil {
			return err
		}
		return tx.audit("held.dismiss", "held", id, "", jsonDetail(map[string]any{"reason": reason}))
	})
}
