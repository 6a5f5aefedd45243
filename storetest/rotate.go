package storetest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/secret"
	"github.com/wangge/wangge/sqldb"
)

var rotateTests = []test{
	{"KeyRotationKeepsReadsLookupsAndUniquenessWorking", testRotateUnderLoad},
	{"KeyRotationInterruptedFinishesWhenRunAgain", testRotateRestart},
	{"KeyRotationFindsEveryEncColumnAndStopsAtAnUnknownSealedOne", testRotateSchema},
	{"SecretKeyGroupAttributesAreSealedAtRest", testSecretAttrs},
	{"AStoreFollowsItsKeyFileEvenInsideAWrite", testWatchKeyInWrite},
}

// plainData is what the rotation tests sealed, in clear, to check every
// read against.
type plainData struct {
	mu          sync.Mutex
	personIDs   []int64
	idNumber    map[int64]string // by person
	phone       map[int64]string // by person; "" for none
	household   map[int64]string // phone by household
	unit        map[int64]string // contact phone by unit
	assistant   map[int64]string // phone by assistant
	head        map[int64]string // current head's phone by building
	totp        map[int64]string // sealed TOTP secret by user, when the column exists
	cert        map[int64]string // disability certificate number by membership
	households  []int64
	personCount int
}

func (d *plainData) person(i int) (id int64, idNumber, phone string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id = d.personIDs[i%len(d.personIDs)]
	return id, d.idNumber[id], d.phone[id]
}

func (d *plainData) add(id int64, idNumber, phone string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.personIDs = append(d.personIDs, id)
	d.idNumber[id], d.phone[id] = idNumber, phone
}

// rotationData fills the store with the fixture and, around it, 30
// households with phones and 120 persons, units, assistants and building
// heads: every kind of sealed column holds values.
func (e *env) rotationData() (*Fixture, *plainData) {
	e.t.Helper()
	f := e.fixture()
	d := &plainData{idNumber: map[int64]string{}, phone: map[int64]string{}, household: map[int64]string{}, unit: map[int64]string{},
		assistant: map[int64]string{}, head: map[int64]string{}, totp: map[int64]string{}, cert: map[int64]string{}}
	for id, n := range f.IDNumber {
		d.add(id, n, f.Phone[id])
	}
	buildings := []int64{f.BA1.ID, f.BA2.ID, f.BB1.ID}
	for i := range 30 {
		phone := e.newPhone()
		h := &wangge.Household{BuildingID: buildings[i%3], Entrance: "3", Room: fmt.Sprintf("%d", 601+i), Kind: wangge.ResidentRegistered, Phone: phone}
		ok(e.t, e.db.CreateHousehold(e.ctx, wangge.ScopeAll(), h), "CreateHousehold")
		d.household[h.ID] = phone
		d.households = append(d.households, h.ID)
		for j := range 4 {
			rel := wangge.RelHead
			if j > 0 {
				rel = wangge.RelChild
			}
			p := &wangge.Person{HouseholdID: h.ID, Name: fmt.Sprintf("轮换%d之%d", i, j), IDNumber: e.newID(ident.SexFemale), Relation: rel}
			if j != 3 {
				p.Phone = e.newPhone()
			}
			idNumber, phone := p.IDNumber, p.Phone
			ok(e.t, e.db.CreatePerson(e.ctx, wangge.ScopeAll(), p), "CreatePerson")
			d.add(p.ID, idNumber, phone)
			if j == 1 && i%3 == 0 {
				cert := idNumber + "43"
				m := e.membership(p.ID, wangge.GroupDisabled, map[string]string{"type": "肢体", "level": "三级", "certificate": cert})
				d.cert[m.ID] = cert
			}
		}
	}
	for _, g := range []string{GridA1, GridA2, GridB1} {
		u := e.unit(g, "轮换单位"+g[len(g)-3:])
		phone := e.newPhone()
		u.ContactPhone = phone
		ok(e.t, e.db.UpdateUnit(e.ctx, wangge.ScopeAll(), u), "UpdateUnit")
		d.unit[u.ID] = phone
	}
	for i := range 2 {
		a := &wangge.Assistant{Name: fmt.Sprintf("轮换协理员%d", i), Sex: "F", Phone: e.newPhone(), Active: true}
		phone := a.Phone
		ok(e.t, e.db.CreateAssistant(e.ctx, a), "CreateAssistant")
		d.assistant[a.ID] = phone
	}
	for _, b := range buildings {
		phone := e.newPhone()
		ok(e.t, e.db.SetBuildingHead(e.ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: b, Name: "楼长", Phone: phone}), "SetBuildingHead")
		d.head[b] = phone
	}
	// A TOTP secret, sealed as the login code seals it, written directly.
	cols, err := e.db.SealedColumns(e.ctx)
	ok(e.t, err)
	for _, c := range cols {
		if c.String() == "users.totp_secret" {
			u := e.user("rotuser", wangge.RoleCommunityStaff, CommunityA)
			d.totp[u.ID] = "JBSWY3DPEHPK3PXP"
			e.exec(`UPDATE users SET totp_secret = ? WHERE id = ?`, e.db.Box().Seal(c.Field, d.totp[u.ID]), u.ID)
		}
	}
	d.personCount = len(d.personIDs)
	return f, d
}

// checkTOTP opens the sealed TOTP secrets with box.
func (e *env) checkTOTP(t *testing.T, box *secret.Box, d *plainData) {
	t.Helper()
	for id, want := range d.totp {
		raw := e.rawRow(`SELECT totp_secret FROM users WHERE id = ?`, id)
		if got, err := box.Open("users.totp_secret", raw["totp_secret"]); err != nil || got != want {
			t.Errorf("the TOTP secret of user %d opens to %q, %v", id, got, err)
		}
	}
}

// checkPerson reads a person through db and finds them by ID number and
// phone: the masked values must be the plain ones masked.
func checkPerson(ctx context.Context, db *sqldb.DB, id int64, idNumber, phone string) error {
	p, err := db.Person(ctx, wangge.ScopeAll(), id)
	if err != nil {
		return fmt.Errorf("person %d: %w", id, err)
	}
	if p.IDNumber != ident.MaskID(idNumber) || p.Phone != ident.MaskPhone(phone) {
		return fmt.Errorf("person %d reads %q %q, want %q %q", id, p.IDNumber, p.Phone, ident.MaskID(idNumber), ident.MaskPhone(phone))
	}
	ps, n, err := db.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{IDNumber: idNumber})
	if err != nil {
		return fmt.Errorf("ListPersons by the ID number of %d: %w", id, err)
	}
	if n != 1 || len(ps) != 1 || ps[0].ID != id {
		return fmt.Errorf("lookup by the ID number of person %d found %v (total %d)", id, ids(ps, func(p wangge.Person) int64 { return p.ID }), n)
	}
	if phone != "" {
		ps, _, err := db.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{Phone: phone})
		if err != nil {
			return fmt.Errorf("ListPersons by the phone of %d: %w", id, err)
		}
		if len(ps) != 1 || ps[0].ID != id {
			return fmt.Errorf("lookup by the phone of person %d found %v", id, ids(ps, func(p wangge.Person) int64 { return p.ID }))
		}
	}
	return nil
}

// checkAll reads every sealed value of d through db.
func checkAll(t *testing.T, ctx context.Context, db *sqldb.DB, d *plainData, what string) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	bad := 0
	report := func(err error) {
		t.Helper()
		if bad++; bad <= 5 {
			t.Errorf("%s: %v", what, err)
		}
	}
	for _, id := range d.personIDs {
		if err := checkPerson(ctx, db, id, d.idNumber[id], d.phone[id]); err != nil {
			report(err)
		}
	}
	for id, phone := range d.household {
		if h, err := db.Household(ctx, wangge.ScopeAll(), id); err != nil || h.Phone != ident.MaskPhone(phone) {
			report(fmt.Errorf("household %d: %v %v", id, h, err))
		}
	}
	for id, phone := range d.unit {
		if u, err := db.Unit(ctx, wangge.ScopeAll(), id); err != nil || u.ContactPhone != ident.MaskPhone(phone) {
			report(fmt.Errorf("unit %d: %v %v", id, u, err))
		}
	}
	for id, phone := range d.assistant {
		if a, err := db.Assistant(ctx, id); err != nil || a.Phone != ident.MaskPhone(phone) {
			report(fmt.Errorf("assistant %d: %v %v", id, a, err))
		}
	}
	for b, phone := range d.head {
		hs, err := db.BuildingHeads(ctx, wangge.ScopeAll(), b)
		if err != nil || len(hs) == 0 || hs[0].Phone != ident.MaskPhone(phone) {
			report(fmt.Errorf("building %d heads: %v %v", b, hs, err))
		}
	}
	for id, cert := range d.cert {
		// Reads mask the certificate as they mask ID numbers; the mask is
		// made from the opened value, so it shows the right one opened.
		if m, err := db.Membership(ctx, wangge.ScopeAll(), id); err != nil || m.Attrs["certificate"] != ident.MaskID(cert) {
			report(fmt.Errorf("membership %d: %v %v", id, m, err))
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d failures in all", what, bad)
	}
}

// keysOf counts the values of every sealed column by the key they are
// sealed under.
func (e *env) keysOf(t *testing.T, db *sqldb.DB) map[string]map[string]int {
	t.Helper()
	cols, err := db.SealedColumns(e.ctx)
	ok(t, err, "SealedColumns")
	out := map[string]map[string]int{}
	for _, c := range cols {
		rows, err := db.Reader().QueryContext(e.ctx, `SELECT `+c.Column+` FROM `+c.Table)
		ok(t, err, c)
		m := map[string]int{}
		for rows.Next() {
			var v []byte
			ok(t, rows.Scan(&v))
			if len(v) > 0 {
				m[secret.SealedKeyID(v)]++
			}
		}
		ok(t, rows.Err())
		rows.Close()
		out[c.String()] = m
	}
	return out
}

// personsUnder returns persons whose ID number is sealed under the key.
func (e *env) personsUnder(t *testing.T, keyID string) []int64 {
	t.Helper()
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT id, id_enc FROM persons ORDER BY id`)
	ok(t, err)
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var v []byte
		ok(t, rows.Scan(&id, &v))
		if secret.SealedKeyID(v) == keyID {
			out = append(out, id)
		}
	}
	ok(t, rows.Err())
	return out
}

// wantAllUnder checks that every sealed value is under the key.
func (e *env) wantAllUnder(t *testing.T, keyID string) {
	t.Helper()
	for col, m := range e.keysOf(t, e.db) {
		for k, n := range m {
			if k != keyID {
				t.Errorf("%s: %d values under key %q, want every one under %s", col, n, k, keyID)
			}
		}
	}
}

func testRotateUnderLoad(t *testing.T, e *env) {
	ctx := e.ctx
	f, d := e.rotationData()
	all := wangge.ScopeAll()

	// The sealed columns: the listed ones, and any *_enc column.
	cols, err := e.db.SealedColumns(ctx)
	ok(t, err)
	var names []string
	for _, c := range cols {
		names = append(names, c.String())
	}
	for _, want := range []string{"persons.id_enc", "persons.phone_enc", "households.phone_enc", "units.contact_phone_enc", "assistants.phone_enc", "building_heads.phone_enc", "memberships.attrs_enc"} {
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+want+",") {
			t.Errorf("SealedColumns %v lacks %s", names, want)
		}
	}

	oldBox := e.db.Box()
	newKey := secret.NewKey()
	newBox, err := secret.New(newKey)
	ok(t, err)
	ring, err := secret.Join(newBox, oldBox)
	ok(t, err)
	from, to := oldBox.KeyID(), newBox.KeyID()

	// A second server, opened before the rotation with the old key file,
	// follows the key file (WatchKey); a third does not.
	var keyFile atomic.Pointer[secret.Box]
	keyFile.Store(oldBox)
	watching := e.reopen(t)
	var seen *secret.Box
	watching.WatchKey(func() (*secret.Box, error) {
		if b := keyFile.Load(); b != seen {
			seen = b
			return b, nil
		}
		return nil, nil
	})
	stale := e.reopen(t)

	// Pre-made values for the writer, which runs beside the rotation.
	type newPerson struct{ idNumber, phone string }
	var fresh []newPerson
	for i := range 400 {
		birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*20)
		fresh = append(fresh, newPerson{string(ident.MakeID("149902", birth, i%100, ident.SexMale)), fmt.Sprintf("137%08d", i)})
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failures, reads, lookups, creates atomic.Int64
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	reader := func(db *sqldb.DB, name string, seed int) {
		defer wg.Done()
		for i := seed; ; i += 7 {
			select {
			case <-stop:
				return
			default:
			}
			id, idNumber, phone := d.person(i)
			if err := checkPerson(ctx, db, id, idNumber, phone); err != nil {
				fail("%s during the rotation: %v", name, err)
			}
			reads.Add(1)
			lookups.Add(1)
			hh := d.households[i%len(d.households)]
			if _, _, err := db.ListPersons(ctx, all, wangge.PersonFilter{HouseholdID: hh}); err != nil {
				fail("%s: ListPersons of household %d: %v", name, hh, err)
			}
			if h, err := db.Household(ctx, all, hh); err != nil || h.Phone != ident.MaskPhone(d.household[hh]) {
				fail("%s: Household %d: %v %v", name, hh, h, err)
			}
			reads.Add(2)
		}
	}
	for i := range 3 {
		wg.Add(1)
		go reader(e.db, fmt.Sprintf("reader %d", i), i*13)
	}
	wg.Add(1)
	go reader(watching, "a reader on a second store that follows the key file", 5)
	wg.Add(1)
	go func() { // the writer
		defer wg.Done()
		for i, np := range fresh {
			select {
			case <-stop:
				return
			default:
			}
			p := &wangge.Person{HouseholdID: d.households[i%len(d.households)], Name: fmt.Sprintf("新人%d", i), IDNumber: np.idNumber, Phone: np.phone, Relation: wangge.RelOther}
			db := e.db
			if i%2 == 1 {
				db = watching // its key reloads happen inside write transactions too
			}
			if err := db.CreatePerson(ctx, wangge.ScopeAll(), p); err != nil {
				fail("CreatePerson during the rotation: %v", err)
				continue
			}
			creates.Add(1)
			if err := checkPerson(ctx, db, p.ID, np.idNumber, np.phone); err != nil {
				fail("a person created during the rotation: %v", err)
			}
			d.add(p.ID, np.idNumber, np.phone)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	time.Sleep(50 * time.Millisecond) // some reads and writes under the old key alone

	// The rotation starts: the key file holds the new key and the old one,
	// and the stores take it up — this one at once, the watching one within
	// its check interval, which the command waits out too.
	keyFile.Store(ring)
	ok(t, e.db.UseKey(ctx, ring), "UseKey with the new key first and the old one after")
	time.Sleep(sqldb.KeyCheckEvery + 200*time.Millisecond)

	midway := false
	rot, err := e.db.RotateKey(ctx, sqldb.RotateOptions{Batch: 20, Progress: func(p sqldb.RotateProgress) {
		if p.Table != "persons" || midway || p.Done < 40 {
			return
		}
		midway = true
		oldRows, newRows := e.personsUnder(t, from), e.personsUnder(t, to)
		if len(oldRows) == 0 || len(newRows) == 0 {
			t.Errorf("midway: %d persons under the old key, %d under the new; want both", len(oldRows), len(newRows))
			return
		}
		// An ID number is still taken whichever key its row is indexed under.
		for _, rowID := range []int64{oldRows[len(oldRows)-1], newRows[0]} {
			d.mu.Lock()
			taken, phone := d.idNumber[rowID], d.phone[rowID]
			d.mu.Unlock()
			err := e.db.CreatePerson(ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: f.HA1b.ID, Name: "重号", IDNumber: taken})
			if we := wantCode(t, err, wangge.EConflict, "midway: a new person with the ID number of person ", rowID); we != nil && we.Field != "id_number" {
				t.Errorf("midway: the conflict names %q", we.Field)
			}
			other, err := e.db.Person(ctx, all, f.PB1.ID)
			ok(t, err)
			other.IDNumber = taken
			wantCode(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), other), wangge.EConflict, "midway: another person updated to the ID number of person ", rowID)
			if err := checkPerson(ctx, e.db, rowID, taken, phone); err != nil {
				t.Errorf("midway: %v", err)
			}
		}
		// A store with the old key alone is refused now.
		if err := stale.UseKey(ctx, oldBox); err == nil || !strings.Contains(err.Error(), to) {
			t.Errorf("midway: the old key alone: %v, want a refusal naming %s", err, to)
		}
	}})
	ok(t, err, "RotateKey")
	time.Sleep(50 * time.Millisecond) // a few reads after the finish
	close(stop)
	wg.Wait()
	if !midway {
		t.Error("the progress callback never saw the rotation midway")
	}
	t.Logf("rotation %s → %s: %d passes, rows %v, %d values; meanwhile %d reads, %d lookups, %d persons created, %d failures",
		rot.From, rot.To, rot.Passes, rot.Rows, rot.Values, reads.Load(), lookups.Load(), creates.Load(), failures.Load())
	if creates.Load() == 0 || reads.Load() == 0 {
		t.Errorf("nothing ran beside the rotation: %d reads, %d creates", reads.Load(), creates.Load())
	}
	if rot.From != from || rot.To != to || rot.Resumed || rot.Rows["persons"] < d.personCount || rot.Rows["households"] < len(d.household) ||
		rot.Rows["units"] < len(d.unit) || rot.Rows["assistants"] < len(d.assistant) || rot.Rows["building_heads"] < len(d.head) || rot.Rows["memberships"] != len(d.cert) {
		t.Errorf("rotation %+v; want at least %d persons, %d households", rot, d.personCount, len(d.household))
	}

	// Afterwards: every sealed value is under the new key, which is recorded.
	if id, err := e.db.KeyID(ctx); err != nil || id != to {
		t.Errorf("KeyID after the rotation %q, %v; want %s", id, err, to)
	}
	e.wantAllUnder(t, to)
	checkAll(t, ctx, e.db, d, "the rotating store, after")
	e.checkTOTP(t, newBox, d)

	// The key file now holds the new key alone.
	keyFile.Store(newBox)
	checkAll(t, ctx, watching, d, "the store that follows the key file, after")
	time.Sleep(sqldb.KeyCheckEvery + 100*time.Millisecond)
	checkAll(t, ctx, watching, d, "the store that follows the key file, a second later")
	if watching.Box().KeyID() != to || len(watching.Box().KeyIDs()) != 1 {
		t.Errorf("the watching store holds keys %v, want %s alone", watching.Box().KeyIDs(), to)
	}
	// The old key alone is refused; the new key alone reads everything.
	if err := stale.UseKey(ctx, oldBox); err == nil || !strings.Contains(err.Error(), to) {
		t.Errorf("the old key alone after the rotation: %v, want a refusal naming %s", err, to)
	}
	ok(t, stale.UseKey(ctx, newBox), "the new key alone")
	checkAll(t, ctx, stale, d, "a store with the new key alone")
	ok(t, e.db.UseKey(ctx, newBox), "the new key alone on the rotating store")
	id0 := d.personIDs[0]
	r, err := e.db.RevealPerson(ctx, all, id0, "轮换后核对")
	ok(t, err)
	if r.IDNumber != d.idNumber[id0] || r.Phone != d.phone[id0] {
		t.Errorf("revealed %q %q", r.IDNumber, r.Phone)
	}
	// A duplicate is refused under the new key alone too.
	wantCode(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: f.HA1b.ID, Name: "重号", IDNumber: d.idNumber[id0]}), wangge.EConflict, "a duplicate after")

	// The audit log has the start and the finish, with counts and no key.
	for _, action := range []string{"key.rotate.start", "key.rotate.finish"} {
		es, n, err := e.db.ListAudit(ctx, wangge.AuditFilter{Action: action})
		ok(t, err)
		if n != 1 || len(es) != 1 {
			t.Errorf("%d %s entries, want 1", n, action)
			continue
		}
		det := es[0].Detail
		if !strings.Contains(det, from) || !strings.Contains(det, to) || strings.Contains(det, hex.EncodeToString(newKey)) || es[0].Username != Actor.Username {
			t.Errorf("%s entry %+v", action, es[0])
		}
		if action == "key.rotate.finish" && !strings.Contains(det, `"persons"`) {
			t.Errorf("the finish entry lacks the counts: %s", det)
		}
	}
	e.verifyAudit()
}

func testRotateRestart(t *testing.T, e *env) {
	ctx := e.ctx
	_, d := e.rotationData()
	oldBox := e.db.Box()
	newBox, err := secret.New(secret.NewKey())
	ok(t, err)
	ring, err := secret.Join(newBox, oldBox)
	ok(t, err)
	from, to := oldBox.KeyID(), newBox.KeyID()
	stale := e.reopen(t)

	// Nothing rotates to a ring without the recorded key.
	if err := e.db.UseKey(ctx, newBox); err == nil {
		t.Fatal("UseKey took the new key alone before any rotation")
	}
	ok(t, e.db.UseKey(ctx, ring))
	checkAll(t, ctx, e.db, d, "the ring before the rotation")

	// The first run is interrupted a few batches into the persons.
	cut, cancel := context.WithCancel(ctx)
	_, err = e.db.RotateKey(cut, sqldb.RotateOptions{Batch: 10, Progress: func(p sqldb.RotateProgress) {
		if p.Table == "persons" && p.Done >= 30 {
			cancel()
		}
	}})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted rotation returned %v, want context.Canceled", err)
	}
	if id, _ := e.db.KeyID(ctx); id != from {
		t.Errorf("KeyID after an interrupted rotation %q, want still %s", id, from)
	}
	under := len(e.personsUnder(t, to))
	if under < 30 || under >= d.personCount {
		t.Errorf("%d of %d persons under the new key after the interruption", under, d.personCount)
	}
	checkAll(t, ctx, e.db, d, "half rotated")
	if err := stale.UseKey(ctx, oldBox); err == nil || !strings.Contains(err.Error(), "rotat") {
		t.Errorf("the old key alone during an interrupted rotation: %v", err)
	}

	// Run again: it resumes, skipping what is done.
	rot, err := e.db.RotateKey(ctx, sqldb.RotateOptions{Batch: 10})
	ok(t, err, "the second run")
	if !rot.Resumed || rot.Rows["persons"] != d.personCount-under || rot.Rows["households"] != len(d.household) {
		t.Errorf("the second run: %+v; want it resumed with %d persons left", rot, d.personCount-under)
	}
	if id, _ := e.db.KeyID(ctx); id != to {
		t.Errorf("KeyID %q, want %s", id, to)
	}
	e.wantAllUnder(t, to)
	checkAll(t, ctx, e.db, d, "after the second run")

	// A third run finds nothing to do.
	rot, err = e.db.RotateKey(ctx, sqldb.RotateOptions{})
	ok(t, err, "the third run")
	n := 0
	for _, v := range rot.Rows {
		n += v
	}
	if n != 0 || rot.Passes != 1 || rot.Values != 0 {
		t.Errorf("the third run re-sealed %d rows in %d passes", n, rot.Passes)
	}
	ok(t, stale.UseKey(ctx, newBox))
	checkAll(t, ctx, stale, d, "the new key alone")
	if es, n, err := e.db.ListAudit(ctx, wangge.AuditFilter{Action: "key.rotate."}); err != nil || n != 5 {
		t.Errorf("%d key.rotate entries (%v), want 3 starts and 2 finishes: %v", n, err, es)
	}
	e.verifyAudit()
}

// testRotateSchema: a sealed column added later and named *_enc is rotated
// without being listed; a sealed value anywhere else stops the rotation
// before the old key is given up.
func testRotateSchema(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	blob := "BLOB"
	if e.db.Dialect() == "postgres" {
		blob = "BYTEA"
	}
	e.exec(`ALTER TABLE buildings ADD COLUMN caretaker_phone_enc ` + blob)
	e.exec(`ALTER TABLE buildings ADD COLUMN caretaker_phone_idx ` + blob)
	e.exec(`ALTER TABLE units ADD COLUMN stray ` + blob)
	oldBox := e.db.Box()
	field := "buildings.caretaker_phone"
	e.exec(`UPDATE buildings SET caretaker_phone_enc = ?, caretaker_phone_idx = ? WHERE id = ?`, oldBox.Seal(field, "13600001111"), oldBox.Index(field, "13600001111"), f.BA1.ID)
	u := e.unit(GridA1, "有暗格的单位")
	e.exec(`UPDATE units SET stray = ? WHERE id = ?`, oldBox.Seal("units.stray", "秘密"), u.ID)

	cols, err := e.db.SealedColumns(ctx)
	ok(t, err)
	found := false
	for _, c := range cols {
		if c.String() == "buildings.caretaker_phone_enc" {
			found = c.Index == "caretaker_phone_idx" && c.Field == field
		}
		if c.Table == "units" && c.Column == "stray" {
			t.Errorf("units.stray taken for a sealed column")
		}
	}
	if !found {
		t.Fatalf("SealedColumns %v: want buildings.caretaker_phone_enc with its index", cols)
	}

	newBox, err := secret.New(secret.NewKey())
	ok(t, err)
	ring, err := secret.Join(newBox, oldBox)
	ok(t, err)
	ok(t, e.db.UseKey(ctx, ring))
	_, err = e.db.RotateKey(ctx, sqldb.RotateOptions{})
	if err == nil || !strings.Contains(err.Error(), "units.stray") {
		t.Fatalf("a rotation with a sealed value in an unlisted column: %v, want a refusal naming units.stray", err)
	}
	if id, _ := e.db.KeyID(ctx); id != oldBox.KeyID() {
		t.Errorf("the refused rotation recorded key %s", id)
	}
	raw := e.rawRow(`SELECT caretaker_phone_enc, caretaker_phone_idx FROM buildings WHERE id = ?`, f.BA1.ID)
	if secret.SealedKeyID(raw["caretaker_phone_enc"]) != newBox.KeyID() || string(raw["caretaker_phone_idx"]) != string(newBox.Index(field, "13600001111")) {
		t.Errorf("the *_enc column was not re-sealed and re-indexed under the new key")
	}
	if v, err := newBox.Open(field, raw["caretaker_phone_enc"]); err != nil || v != "13600001111" {
		t.Errorf("re-sealed value opens to %q, %v", v, err)
	}

	// Once the stray value is gone the rotation finishes.
	e.exec(`UPDATE units SET stray = NULL`)
	rot, err := e.db.RotateKey(ctx, sqldb.RotateOptions{})
	ok(t, err, "the rotation run again")
	if id, _ := e.db.KeyID(ctx); id != newBox.KeyID() || !rot.Resumed {
		t.Errorf("KeyID %s after %+v", id, rot)
	}
	e.wantAllUnder(t, newBox.KeyID())
}

// testSecretAttrs: a key-group attribute marked Secret (the disability
// certificate number, which holds the ID number) is sealed at rest, reads
// back in full, and one an older version kept in clear is sealed on request.
func testSecretAttrs(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	id := f.IDNumber[f.PA1.ID]
	cert := id + "32"
	m := e.membership(f.PA1.ID, wangge.GroupDisabled, map[string]string{"type": "肢体", "level": "三级", "certificate": cert, "subsidy": "未享受"})
	noID := func(what string) {
		t.Helper()
		row := e.rawRow(`SELECT * FROM memberships WHERE id = ?`, m.ID)
		for col, v := range row {
			for _, s := range []string{id, id[:17], cert} {
				for _, x := range variants(s) {
					if strings.Contains(string(v), string(x)) {
						t.Errorf("%s: memberships.%s holds %q in clear", what, col, s)
					}
				}
			}
		}
		if len(row["attrs_enc"]) == 0 || !strings.Contains(string(row["attrs"]), "肢体") {
			t.Errorf("%s: attrs %q, attrs_enc %d bytes", what, row["attrs"], len(row["attrs_enc"]))
		}
	}
	read := func(what, want string) {
		t.Helper()
		want = ident.MaskID(want) // reads mask the certificate like an ID number
		got, err := e.db.Membership(ctx, all, m.ID)
		ok(t, err)
		if got.Attrs["certificate"] != want || got.Attrs["type"] != "肢体" || got.Attrs["subsidy"] != "未享受" || len(got.Attrs) != 4 {
			t.Errorf("%s: attrs %v", what, got.Attrs)
		}
		ms, _, err := e.db.ListMemberships(ctx, all, wangge.MembershipFilter{PersonID: f.PA1.ID, Group: wangge.GroupDisabled})
		ok(t, err)
		if len(ms) != 1 || ms[0].Attrs["certificate"] != want {
			t.Errorf("%s: listed %v", what, ms)
		}
	}
	noID("created")
	read("created", cert)

	got, err := e.db.Membership(ctx, all, m.ID)
	ok(t, err)
	cert2 := id + "33"
	got.Attrs["certificate"] = cert2
	ok(t, e.db.UpdateMembership(ctx, wangge.ScopeAll(), got))
	noID("updated")
	read("updated", cert2)

	// Saving what a read gave back (the masked certificate) keeps the
	// stored number: the masked text is never written over it.
	got, err = e.db.Membership(ctx, all, m.ID)
	ok(t, err)
	got.Note = "只改备注"
	ok(t, e.db.UpdateMembership(ctx, wangge.ScopeAll(), got))
	raw := e.rawRow(`SELECT attrs, attrs_enc FROM memberships WHERE id = ?`, m.ID)
	opened, err := e.db.Box().Open("memberships.attrs", raw["attrs_enc"])
	ok(t, err)
	if strings.Contains(string(raw["attrs"]), "*") || !strings.Contains(opened, cert2) {
		t.Errorf("saving the masked certificate changed the stored one: %s / %s", raw["attrs"], opened)
	}
	read("saved as read", cert2)

	// A membership as an older version wrote it, certificate in clear.
	e.exec(`UPDATE memberships SET attrs = ?, attrs_enc = NULL WHERE id = ?`, `{"certificate":"`+cert+`","level":"三级","subsidy":"未享受","type":"肢体"}`, m.ID)
	read("in clear", cert)
	n, err := e.db.SealClearAttrs(ctx)
	ok(t, err)
	if n != 1 {
		t.Errorf("SealClearAttrs sealed %d memberships, want 1", n)
	}
	noID("sealed afterwards")
	read("sealed afterwards", cert)
	if n, err := e.db.SealClearAttrs(ctx); err != nil || n != 0 {
		t.Errorf("SealClearAttrs again: %d, %v", n, err)
	}
	if a := e.lastAudit(); a.Action != "keygroup.seal" {
		t.Errorf("last audit entry %s", a.Action)
	}
	e.verifyAudit()
}

// testWatchKeyInWrite: a store that follows its key file may first notice
// a change inside a write transaction (SQLite has one writer connection);
// taking up the new ring must not wait for that connection.
func testWatchKeyInWrite(t *testing.T, e *env) {
	f := e.fixture()
	oldBox := e.db.Box()
	newBox, err := secret.New(secret.NewKey())
	ok(t, err)
	ring, err := secret.Join(newBox, oldBox)
	ok(t, err)
	var keyFile atomic.Pointer[secret.Box]
	keyFile.Store(oldBox)
	var seen *secret.Box
	e.db.WatchKey(func() (*secret.Box, error) {
		if b := keyFile.Load(); b != seen {
			seen = b
			return b, nil
		}
		return nil, nil
	})
	keyFile.Store(ring)
	time.Sleep(sqldb.KeyCheckEvery + 100*time.Millisecond)
	// The first use of the key is in CreatePerson's transaction.
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "换钥后新人", IDNumber: e.newID(ident.SexMale), Phone: e.newPhone()}
	ok(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), p), "CreatePerson as the store takes up the new key file")
	if e.db.Box().KeyID() != newBox.KeyID() {
		t.Errorf("the store did not take up the new key file: %v", e.db.Box().KeyIDs())
	}
	raw := e.rawRow(`SELECT id_enc FROM persons WHERE id = ?`, p.ID)
	if secret.SealedKeyID(raw["id_enc"]) != newBox.KeyID() {
		t.Errorf("sealed under %s, want the new key", secret.SealedKeyID(raw["id_enc"]))
	}
	ok(t, checkPerson(ctx, e.db, f.PA1.ID, f.IDNumber[f.PA1.ID], f.Phone[f.PA1.ID]), "an old person read after the change")
}
