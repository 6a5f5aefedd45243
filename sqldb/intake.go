package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/attach"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/ident"
)

// The public intake (issue 14, migration 00016): residents and Open311
// clients report cases, follow them by a token only they hold, rate them,
// and read what is public of them. A report is made by the system actor
// under the category's intake mechanism; what identifies the reporter (the
// phone, the token) is sealed or hashed, and nothing here returns it.

// Field names of the sealed and keyed intake values.
const (
	fTrackerPhone = "case_trackers.phone" // *_enc: a key rotation finds it by name
	fIntakeBucket = "intake_counts.bucket"
)

// Bounds of what a public report may carry.
const (
	intakeNameMax     = 50
	intakeEmailMax    = 200
	intakeAddressMax  = 200
	intakeMediaURLMax = 500
	publicRadiusMax   = 50000 // metres
	publicNamesMax    = 1000
)

// newTrackingToken returns a fresh tracking token (32 random bytes, base64url: 43
// characters) and the SHA-256 the store keeps.
func newTrackingToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on the platforms we build for
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, tokenHash(tok)
}

func tokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// residentActor is the case's reporter as the engine sees them, made only
// after the token proved it; the scope is the case's own grid.
func residentActor(c *casework.Case) casework.Actor {
	return casework.Actor{Role: wangge.RoleResident, ScopeCode: c.Location.GridCode}
}

// intakeActor is who a public write's audit entry names: the request's
// address from the context, as the system.
func intakeActor(ctx wangge.Actor) wangge.Actor {
	return wangge.Actor{Username: "system", Role: wangge.RoleSystem, Addr: ctx.Addr}
}

func checkLang(lang string) (string, error) {
	switch lang {
	case "":
		return "zh", nil
	case "zh", "en":
		return lang, nil
	}
	return "", wangge.Invalid("lang", "error.intake.lang")
}

func checkPhone(phone string) (string, error) {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return "", nil
	}
	p, err := ident.ParsePhone(phone)
	if err != nil {
		return "", wangge.Invalid("phone", "error.intake.phone")
	}
	return string(p), nil
}

// checkMediaURL keeps an Open311 media_url as text: an http(s) URL of
// bounded length, never fetched.
func checkMediaURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || len(s) > intakeMediaURLMax || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", wangge.Invalid("media_url", "error.intake.media_url", "Max", intakeMediaURLMax)
	}
	return s, nil
}

func checkText(field, s string, max int, key string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return "", wangge.Invalid(field, key, "Max", max)
	}
	return s, nil
}

// checkIntakeLimits counts one public write against each limit and
// refuses it (wangge.ERateLimited) when one is used up. The count is
// written first and read back in the caller's transaction: PostgreSQL locks
// the hour's row until the commit, so two servers cannot both take the
// last one; and a refused or failed write rolls its counts back.
func (tx *Tx) checkIntakeLimits(limits []casework.IntakeLimit) error {
	seen := map[casework.IntakeLimit]bool{}
	for _, l := range limits {
		if l.Value == "" || seen[l] {
			continue
		}
		seen[l] = true
		if err := tx.countIntake(l); err != nil {
			return err
		}
		hour, day, err := intakeCounts(tx.queryRow, tx.db.intakeBucket(l), tx.now)
		if err != nil {
			return err
		}
		// What was made before this write.
		if err := wangge.CheckIntakeRate(l.Kind, hour-1, day-1); err != nil {
			return err
		}
	}
	return nil
}

// countIntake adds one to the limit's count of the current hour and drops
// its windows older than a day.
func (tx *Tx) countIntake(l casework.IntakeLimit) error {
	b := tx.db.intakeBucket(l)
	win := ts(tx.now.Truncate(time.Hour))
	_, err := tx.exec(`INSERT INTO intake_counts (bucket, window_start, count) VALUES (?, ?, 1)
		ON CONFLICT (bucket, window_start) DO UPDATE SET count = intake_counts.count + 1`, b, win)
	if err != nil {
		return err
	}
	_, err = tx.exec(`DELETE FROM intake_counts WHERE bucket = ? AND window_start <= ?`, b, ts(win.Add(-24*time.Hour)))
	return err
}

// intakeBucket is the keyed hash a limit is counted under: the kind and the
// value, so an address and a phone never share a count.
func (db *DB) intakeBucket(l casework.IntakeLimit) []byte {
	return db.box.Index(fIntakeBucket, l.Kind+"\x00"+strings.TrimSpace(l.Value))
}

// intakeCounts reads a bucket's count in the current hour and over the
// last 24 hourly windows.
func intakeCounts(queryRow func(string, ...any) *sql.Row, bucket []byte, now time.Time) (hour, day int, err error) {
	win := ts(now.Truncate(time.Hour))
	var h, d sql.NullInt64
	err = queryRow(`SELECT SUM(CASE WHEN window_start = ? THEN count ELSE 0 END), SUM(count) FROM intake_counts
		WHERE bucket = ? AND window_start > ?`, win, bucket, ts(win.Add(-24*time.Hour))).Scan(&h, &d)
	return int(h.Int64), int(d.Int64), err
}

// ReportCase makes a case from a public report, in one transaction: the
// limits, the case (system actor, the category's intake mechanism, a public
// row when the category is public), the photos cleaned, the reporter's
// tracker with the token's hash, the first public update and the audit.
func (db *DB) ReportCase(ctx context.Context, r casework.PublicReport) (*casework.Receipt, error) {
	var out *casework.Receipt
	err := db.inTx(ctx, func(tx *Tx) error {
		tx.actor = intakeActor(tx.actor)
		var err error
		out, err = tx.reportCase(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reportCase is ReportCase within the caller's transaction, for a store
// method that makes the case from something it holds (a held Open311
// request placed by staff). The audit entries name the transaction's
// actor: ReportCase's is the system at the request's address, a caller's
// its own (the staff member who placed it).
func (tx *Tx) reportCase(r casework.PublicReport) (*casework.Receipt, error) {
	eng, err := tx.db.caseEngine()
	if err != nil {
		return nil, err
	}
	if !r.Source.Public() {
		return nil, wangge.Invalid("source", "error.intake.source")
	}
	if !r.Category.Valid() {
		return nil, wangge.Invalid("category", "error.intake.category")
	}
	lines, err := casework.CheckAttributes(r.Category, r.Attributes)
	if err != nil {
		return nil, err
	}
	lang, err := checkLang(r.Lang)
	if err != nil {
		return nil, err
	}
	phone, err := checkPhone(r.Phone)
	if err != nil {
		return nil, err
	}
	name, err := checkText("name", r.Name, intakeNameMax, "error.intake.name")
	if err != nil {
		return nil, err
	}
	email, err := checkText("email", r.Email, intakeEmailMax, "error.intake.email")
	if err != nil {
		return nil, err
	}
	if email != "" && (!strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n<>")) {
		return nil, wangge.Invalid("email", "error.intake.email", "Max", intakeEmailMax)
	}
	address, err := checkText("address", r.Address, intakeAddressMax, "error.intake.address")
	if err != nil {
		return nil, err
	}
	media, err := checkMediaURL(r.MediaURL)
	if err != nil {
		return nil, err
	}
	if len(r.Photos) > casework.IntakePhotosMax {
		return nil, wangge.Invalid("photos", "error.intake.photos", "Max", casework.IntakePhotosMax)
	}
	photos := make([]*attach.File, 0, len(r.Photos))
	for _, p := range r.Photos {
		f, err := attach.Clean(p.Name, p.Data)
		if err != nil {
			return nil, err
		}
		photos = append(photos, f)
	}
	desc := strings.TrimSpace(r.Description)
	if len(lines) > 0 {
		desc = strings.TrimSpace(desc + "\n" + strings.Join(lines, "\n"))
	}
	if err := tx.checkIntakeLimits(r.Limits); err != nil {
		return nil, err
	}
	// The contact the engine's feedback must reach: the phone, else the
	// e-mail address given.
	contact := phone
	if contact == "" {
		contact = email
	}
	d := casework.Draft{
		Source: r.Source, Category: r.Category, Mechanism: casework.IntakeMechanism(r.Category),
		Location:    r.Location,
		Reporter:    casework.Reporter{Anonymous: name == "", Name: name, Contact: contact},
		Description: desc,
	}
	system := casework.Actor{Role: wangge.RoleSystem}
	c, id, err := tx.openCase(eng, system, d)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(`UPDATE cases SET address = ?, media_url = ? WHERE id = ?`, address, media, id); err != nil {
		return nil, err
	}
	for _, f := range photos {
		sum := sha256.Sum256(f.Data)
		if _, err := tx.exec(`INSERT INTO case_attachments (case_id, name, content_type, size, sha256, data, actor_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, id, f.Name, f.ContentType, len(f.Data), sum[:], f.Data, tx.now); err != nil {
			return nil, err
		}
	}
	tok, _, err := tx.addTracker(id, casework.TrackerReporter, phone, lang)
	if err != nil {
		return nil, err
	}
	if err := tx.audit("case.report", "case", c.Number, c.Location.GridCode, jsonDetail(map[string]any{
		"source": c.Source, "category": c.Category.Code, "mechanism": c.Mechanism, "public": casework.IsPublic(c),
		"photos": len(photos), "api_key": r.APIKeyID, "phone": phone != ""})); err != nil {
		return nil, err
	}
	p, err := tx.publicByID(id, true)
	if err != nil {
		return nil, err
	}
	return &casework.Receipt{Number: c.Number, Token: tok, Case: *p}, nil
}

// addTracker writes a tracker of the case and returns its token.
func (tx *Tx) addTracker(caseID int64, kind, phone, lang string) (string, int64, error) {
	tok, hash := newTrackingToken()
	var sealed []byte
	if phone != "" {
		sealed = tx.db.box.Seal(fTrackerPhone, phone)
	}
	var id int64
	err := tx.queryRow(`INSERT INTO case_trackers (case_id, token_hash, kind, phone_enc, lang, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		caseID, hash, kind, sealed, lang, tx.now).Scan(&id)
	return tok, id, err
}

// publishCaseUpdate writes the public update an event makes, for a case
// from a public source (a confidential one's too: its reporter follows it
// by the token; the public reads filter on cases.public). Called in the
// event's transaction by openCase and ApplyCase.
func (tx *Tx) publishCaseUpdate(caseID int64, c *casework.Case, ev casework.Event) error {
	if !c.Source.Public() {
		return nil
	}
	u, ok := casework.PublicUpdateOf(c, ev)
	if !ok {
		return nil
	}
	_, err := tx.exec(`INSERT INTO case_updates (case_id, at, kind, status, text) VALUES (?, ?, ?, ?, ?)`,
		caseID, ts(u.At), string(u.Kind), u.Status, u.Text)
	return err
}

// publicCols reads a case as a public path shows it.
const publicCols = `c.id, c.doc, c.address, c.media_url, c.updated_at, a.name,
	(SELECT COUNT(*) FROM case_trackers t WHERE t.case_id = c.id AND t.kind = 'follower')`

const publicFrom = ` FROM cases c JOIN areas a ON a.code = c.grid_code`

func scanPublic(row interface{ Scan(...any) error }, eng *casework.Engine) (int64, *casework.Case, *casework.PublicCase, error) {
	var id int64
	var doc, address, media, gridName string
	var updated timeValue
	var followers int
	if err := row.Scan(&id, &doc, &address, &media, &updated, &gridName, &followers); err != nil {
		return 0, nil, nil, err
	}
	c := new(casework.Case)
	if err := json.Unmarshal([]byte(doc), c); err != nil {
		return 0, nil, nil, err
	}
	// The promise is the work's end, not the running step's.
	p := eng.Public(c, ident.MaskText)
	p.GridName, p.Address, p.MediaURL, p.Followers, p.UpdatedAt = gridName, address, media, followers, updated.Time
	if p.Status == casework.StatusClosed && p.ClosedAt.IsZero() {
		p.ClosedAt = updated.Time
	}
	return id, c, &p, nil
}

// publicByID reads a case and its public timeline within the transaction;
// all is false for the public reads (public = true only), true for the
// case's own tracker.
func (tx *Tx) publicByID(id int64, all bool) (*casework.PublicCase, error) {
	q := `SELECT ` + publicCols + publicFrom + ` WHERE c.id = ?`
	if !all {
		q += ` AND c.public`
	}
	eng, err := tx.db.caseEngine()
	if err != nil {
		return nil, err
	}
	_, _, p, err := scanPublic(tx.queryRow(q, id), eng)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if p.Updates, err = publicUpdates(tx.query(updateCols+` WHERE u.case_id = ? ORDER BY u.id`, id)); err != nil {
		return nil, err
	}
	return p, nil
}

const updateCols = `SELECT u.id, c.number, u.at, u.kind, u.status, u.text, u.media_url FROM case_updates u JOIN cases c ON c.id = u.case_id`

func publicUpdates(rows *sql.Rows, err error) ([]casework.PublicUpdate, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.PublicUpdate
	for rows.Next() {
		var u casework.PublicUpdate
		var at timeValue
		var kind string
		if err := rows.Scan(&u.ID, &u.Number, &at, &kind, &u.Status, &u.Text, &u.MediaURL); err != nil {
			return nil, err
		}
		u.At, u.Kind, u.Text = at.Time, casework.UpdateKind(kind), ident.MaskText(u.Text)
		out = append(out, u)
	}
	return out, rows.Err()
}

// publicCaseID finds a public case by number: one district's, else not
// found (a number two districts hold is refused as ambiguous).
func publicCaseID(queryRows func(string, ...any) (*sql.Rows, error), number string, cond string) (int64, error) {
	rows, err := queryRows(`SELECT c.id FROM cases c WHERE c.number = ? AND `+cond+` ORDER BY c.id LIMIT 2`, number)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch len(ids) {
	case 0:
		return 0, wangge.ErrNotFound
	case 1:
		return ids[0], nil
	}
	return 0, wangge.E(wangge.EConflict, "error.case.number_ambiguous", "Number", number)
}

// FollowCase adds a "me too" to an open public case: a follower's tracker
// (it hears the outcome, by the phone it left) and one more follower.
func (db *DB) FollowCase(ctx context.Context, number string, f casework.PublicFollow) (*casework.Receipt, error) {
	lang, err := checkLang(f.Lang)
	if err != nil {
		return nil, err
	}
	phone, err := checkPhone(f.Phone)
	if err != nil {
		return nil, err
	}
	var out *casework.Receipt
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = intakeActor(tx.actor)
		id, err := publicCaseID(tx.query, number, "c.public")
		if err != nil {
			return err
		}
		r, err := tx.db.scanCase(tx.queryRow(`SELECT `+caseCols+` FROM cases c WHERE c.id = ?`, id), tx.db.maskedContact)
		if err != nil {
			return err
		}
		if !r.c.State.Open() {
			return wangge.E(wangge.EConflict, "error.intake.closed")
		}
		if err := tx.checkIntakeLimits(f.Limits); err != nil {
			return err
		}
		tok, tracker, err := tx.addTracker(id, casework.TrackerFollower, phone, lang)
		if err != nil {
			return err
		}
		if err := tx.enqueueFollowed(id, r.c, tracker, phone, lang); err != nil {
			return err
		}
		p, err := tx.publicByID(id, false)
		if err != nil {
			return err
		}
		out = &casework.Receipt{Number: r.c.Number, Token: tok, Case: *p}
		return tx.audit("case.follow", "case", r.c.Number, r.c.Location.GridCode, jsonDetail(map[string]any{
			"followers": p.Followers, "phone": phone != ""}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// trackerRow is a tracker found by its token, with its case.
type trackerRow struct {
	id, caseID int64
	kind       string
	rating     string
	solved     sql.NullBool
	ratedRound int // the round rated plus one; 0 before any rating
}

const trackerByToken = `SELECT t.id, t.case_id, t.kind, t.rating, t.solved, t.rated_round FROM case_trackers t JOIN cases c ON c.id = t.case_id
	WHERE t.token_hash = ? AND c.number = ?`

func scanTracker(row *sql.Row) (*trackerRow, error) {
	var t trackerRow
	err := row.Scan(&t.id, &t.caseID, &t.kind, &t.rating, &t.solved, &t.ratedRound)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wangge.ErrNotFound
	}
	return &t, err
}

// tracker is what the holder of t may do on c now.
func (t *trackerRow) tracker(eng *casework.Engine, c *casework.Case, now time.Time) *casework.Tracker {
	out := &casework.Tracker{Kind: t.kind, Satisfaction: casework.Satisfaction(t.rating)}
	if t.solved.Valid {
		v := t.solved.Bool
		out.Solved = &v
	}
	if t.kind == casework.TrackerReporter && c.State == casework.Closed {
		allowed := eng.Allowed(c, residentActor(c), now)
		out.MayRate = t.ratedRound <= c.Round && slices.Contains(allowed, casework.ActSatisfaction)
		out.MayReopen = slices.Contains(allowed, casework.ActReopen)
	}
	return out
}

// TrackCase reads the case a token follows, with its public timeline. A
// wrong token is not found, and counts against the address limits given
// (optional: the HTTP side passes the client's address), so tokens cannot
// be guessed at speed; an address over its limit is refused every read.
func (db *DB) TrackCase(ctx context.Context, number, token string, limits ...casework.IntakeLimit) (*casework.PublicCase, *casework.Tracker, error) {
	for _, l := range limits {
		if l.Value == "" {
			continue
		}
		hour, day, err := intakeCounts(func(q string, args ...any) *sql.Row { return db.queryRow(ctx, q, args...) }, db.intakeBucket(l), db.now())
		if err != nil {
			return nil, nil, err
		}
		if err := wangge.CheckIntakeRate(l.Kind, hour, day); err != nil {
			return nil, nil, err
		}
	}
	eng, err := db.caseEngine()
	if err != nil {
		return nil, nil, err
	}
	var p *casework.PublicCase
	var tr *casework.Tracker
	found := false
	err = db.inRead(ctx, func(tx *Tx) error {
		t, err := scanTracker(tx.queryRow(trackerByToken, tokenHash(token), number))
		if errors.Is(err, wangge.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		c, err := tx.caseByID(t.caseID)
		if err != nil {
			return err
		}
		if p, err = tx.publicByID(t.caseID, true); err != nil {
			return err
		}
		tr = t.tracker(eng, c, tx.now)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if found {
		return p, tr, nil
	}
	if len(limits) > 0 {
		err := db.inTx(ctx, func(tx *Tx) error {
			for _, l := range limits {
				if l.Value != "" {
					if err := tx.countIntake(l); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return nil, nil, wangge.ErrNotFound
}

// RateCase takes the reporter's answer on a closed case: solved, with the
// satisfaction recorded through the engine (RoleResident), or not solved,
// which reopens the case within the reopen window (the engine refuses
// after it). A follower's token may not rate.
func (db *DB) RateCase(ctx context.Context, number, token string, r casework.Rating) (*casework.PublicCase, error) {
	eng, err := db.caseEngine()
	if err != nil {
		return nil, err
	}
	var out *casework.PublicCase
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = intakeActor(tx.actor)
		t, err := scanTracker(tx.queryRow(trackerByToken, tokenHash(token), number))
		if err != nil {
			return err
		}
		if t.kind != casework.TrackerReporter {
			return wangge.E(wangge.EForbidden, "error.intake.not_reporter")
		}
		row, err := tx.db.scanCase(tx.queryRow(`SELECT `+caseCols+` FROM cases c WHERE c.id = ?`, t.caseID), tx.db.clearContact)
		if err != nil {
			return err
		}
		c := row.c
		if c.Events, err = caseEvents(tx.query(caseEventsQuery, row.id)); err != nil {
			return err
		}
		if c.State != casework.Closed {
			return wangge.E(wangge.EConflict, "error.intake.not_closed")
		}
		act := casework.Action{Name: casework.ActSatisfaction, Satisfaction: r.Satisfaction}
		if !r.Solved {
			act = casework.Action{Name: casework.ActReopen, Note: r.Note}
		} else if t.ratedRound > c.Round {
			return wangge.E(wangge.EConflict, "error.intake.rated")
		}
		version, before, round := c.Version, len(c.Events), c.Round
		ev, err := eng.Apply(c, residentActor(c), act, tx.now)
		if err != nil {
			return err
		}
		if err := tx.saveCase(row, version, before); err != nil {
			return err
		}
		if err := tx.publishCaseUpdate(row.id, c, ev); err != nil {
			return err
		}
		rating := string(r.Satisfaction)
		if !r.Solved {
			rating = ""
		}
		if _, err := tx.exec(`UPDATE case_trackers SET rating = ?, solved = ?, rated_round = ? WHERE id = ?`, rating, r.Solved, round+1, t.id); err != nil {
			return err
		}
		if err := tx.audit("case.rate", "case", c.Number, c.Location.GridCode, jsonDetail(map[string]any{
			"solved": r.Solved, "satisfaction": rating, "action": ev.Action, "from": ev.From, "to": ev.To, "seq": ev.Seq})); err != nil {
			return err
		}
		out, err = tx.publicByID(row.id, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PublicCase reads a public case with its public timeline; any other case
// is not found.
func (db *DB) PublicCase(ctx context.Context, number string) (*casework.PublicCase, error) {
	var out *casework.PublicCase
	err := db.inRead(ctx, func(tx *Tx) error {
		id, err := publicCaseID(tx.query, number, "c.public")
		if err != nil {
			return err
		}
		out, err = tx.publicByID(id, false)
		return err
	})
	return out, err
}

// PublicCases lists public cases, newest first, without their timelines.
// Near selects within RadiusM metres: a bounding box in degrees in SQL,
// then the exact distance.
func (db *DB) PublicCases(ctx context.Context, f casework.PublicFilter) ([]casework.PublicCase, error) {
	limit := f.Limit
	if limit <= 0 || limit > casework.PublicLimitMax {
		limit = casework.PublicLimitMax
	}
	if len(f.Numbers) > publicNamesMax || len(f.Categories) > publicNamesMax {
		return nil, wangge.Invalid("filter", "error.intake.filter", "What", "names")
	}
	var w where
	w.add("c.public")
	if len(f.Numbers) > 0 {
		w.add("c.number IN ("+marks(len(f.Numbers))+")", anys(f.Numbers)...)
	}
	if len(f.Categories) > 0 {
		w.add("c.category IN ("+marks(len(f.Categories))+")", anys(f.Categories)...)
	}
	if !f.From.IsZero() {
		w.add("c.created_at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		w.add("c.created_at < ?", ts(f.To))
	}
	switch f.Status {
	case "":
	case casework.StatusOpen:
		w.add("c.state NOT IN (?, ?)", string(casework.Closed), string(casework.Merged))
	case casework.StatusClosed:
		w.add("c.state IN (?, ?)", string(casework.Closed), string(casework.Merged))
	default:
		return nil, wangge.Invalid("status", "error.intake.filter", "What", "status")
	}
	near := f.Near
	if near != nil {
		if f.RadiusM <= 0 || f.RadiusM > publicRadiusMax || math.Abs(near.Lat) > 89 || math.Abs(near.Lng) > 180 {
			return nil, wangge.Invalid("radius", "error.intake.filter", "What", "radius")
		}
		dLat := f.RadiusM / metresPerDegree
		dLng := dLat / math.Cos(near.Lat*math.Pi/180)
		w.add("c.lat BETWEEN ? AND ? AND c.lng BETWEEN ? AND ?", near.Lat-dLat, near.Lat+dLat, near.Lng-dLng, near.Lng+dLng)
	}
	q := `SELECT ` + publicCols + publicFrom + w.String() + ` ORDER BY c.created_at DESC, c.id DESC`
	args := w.args
	if near == nil {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	eng, err := db.caseEngine()
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.PublicCase
	var ids []int64
	for rows.Next() && len(out) < limit {
		id, _, p, err := scanPublic(rows, eng)
		if err != nil {
			return nil, err
		}
		if near != nil && (p.Point == nil || distanceM(*near, *p.Point) > f.RadiusM) {
			continue
		}
		out, ids = append(out, *p), append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if f.WithUpdates && len(ids) > 0 {
		if err := db.attachUpdates(ctx, out, ids); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attachUpdates reads the public timelines of the listed cases (ids in the
// order of out) in batches, oldest first, instead of one query per case.
func (db *DB) attachUpdates(ctx context.Context, out []casework.PublicCase, ids []int64) error {
	at := make(map[string]int, len(out))
	for i := range out {
		at[out[i].Number] = i
	}
	const batch = 500
	for lo := 0; lo < len(ids); lo += batch {
		part := ids[lo:min(lo+batch, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		us, err := publicUpdates(db.query(ctx, updateCols+` WHERE u.case_id IN (?`+strings.Repeat(`, ?`, len(part)-1)+`) ORDER BY u.id`, args...))
		if err != nil {
			return err
		}
		for _, u := range us {
			if i, ok := at[u.Number]; ok {
				out[i].Updates = append(out[i].Updates, u)
			}
		}
	}
	return nil
}

// PublicUpdates lists the public updates of public cases at or after from
// and before to (a zero bound is open), oldest first.
func (db *DB) PublicUpdates(ctx context.Context, from, to time.Time, limit int) ([]casework.PublicUpdate, error) {
	if limit <= 0 || limit > casework.PublicLimitMax {
		limit = casework.PublicLimitMax
	}
	var w where
	w.add("c.public")
	if !from.IsZero() {
		w.add("u.at >= ?", ts(from))
	}
	if !to.IsZero() {
		w.add("u.at < ?", ts(to))
	}
	return publicUpdates(db.query(ctx, updateCols+w.String()+` ORDER BY u.at, u.id LIMIT ?`, append(w.args, limit)...))
}

// AddPublicUpdate adds an update from outside to a case: by the token of
// one of its trackers (on any case the token follows), or by an Open311
// client's key (APIKeyID, checked by the caller) on a public case.
func (db *DB) AddPublicUpdate(ctx context.Context, number string, u casework.ResidentUpdate) (*casework.PublicUpdate, error) {
	text := strings.TrimSpace(u.Text)
	if text == "" || utf8.RuneCountInString(text) > casework.NoteMax {
		return nil, wangge.Invalid("description", "error.intake.text", "Max", casework.NoteMax)
	}
	media, err := checkMediaURL(u.MediaURL)
	if err != nil {
		return nil, err
	}
	if u.Token == "" && u.APIKeyID == 0 {
		return nil, wangge.E(wangge.EForbidden, "error.intake.token")
	}
	var out *casework.PublicUpdate
	err = db.inTx(ctx, func(tx *Tx) error {
		tx.actor = intakeActor(tx.actor)
		var id int64
		if u.Token != "" {
			t, err := scanTracker(tx.queryRow(trackerByToken, tokenHash(u.Token), number))
			if err != nil {
				return err
			}
			id = t.caseID
		} else if id, err = publicCaseID(tx.query, number, "c.public"); err != nil {
			return err
		}
		if err := tx.checkIntakeLimits(u.Limits); err != nil {
			return err
		}
		var grid, state string
		if err := tx.queryRow(`SELECT grid_code, state FROM cases WHERE id = ?`, id).Scan(&grid, &state); err != nil {
			return err
		}
		pu := casework.PublicUpdate{Number: number, At: tx.now, Kind: casework.UpdateResident, Text: text, MediaURL: media}
		pu.Status = casework.StatusOpen
		if !casework.State(state).Open() {
			pu.Status = casework.StatusClosed
		}
		if err := tx.queryRow(`INSERT INTO case_updates (case_id, at, kind, status, text, media_url, api_key_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, tx.now, string(pu.Kind), pu.Status, text, media, u.APIKeyID).Scan(&pu.ID); err != nil {
			return err
		}
		pu.Text = ident.MaskText(text)
		out = &pu
		return tx.audit("case.update", "case", number, grid, jsonDetail(map[string]any{
			"update": pu.ID, "api_key": u.APIKeyID, "by_token": u.Token != "", "media": media != ""}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const metresPerDegree = 111320.0

// distanceM is the great-circle distance between two WGS-84 points.
func distanceM(a, b casework.Point) float64 {
	const r = 6371000.0
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla, dln := la2-la1, (b.Lng-a.Lng)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dln/2)*math.Sin(dln/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

func anys(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// inRead runs fn in a transaction on the read pool, so a case and its
// timeline are read from one snapshot; it never commits.
func (db *DB) inRead(ctx context.Context, fn func(tx *Tx) error) error {
	t, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	return fn(&Tx{Tx: t, db: db, ctx: ctx, now: db.now()})
}
