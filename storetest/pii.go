package storetest

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/secret"
)

var piiTests = []test{
	{"PersonReadsAreMasked", testMasked},
	{"RevealPersonNeedsAReasonAndIsAudited", testReveal},
	{"PersonFoundByIDNumberAndPhoneThroughTheBlindIndex", testBlindIndex},
	{"UpdatePersonWithMaskedValuesKeepsTheStoredOnes", testUpdateMasked},
	{"UpdatePersonWithANewIDNumberRederivesBirthAndSex", testUpdateNewID},
	{"PersonalDataIsEncryptedAtRest", testAtRest},
	{"AnotherKeyIsRefused", testAnotherKey},
}

func wantMaskedID(t *testing.T, got, plain, what string) {
	t.Helper()
	if got == plain || !strings.Contains(got, "*") || got != ident.MaskID(plain) {
		t.Errorf("%s: ID number %q, want masked %q", what, got, ident.MaskID(plain))
	}
}

func wantMaskedPhone(t *testing.T, got, plain, what string) {
	t.Helper()
	if got == plain || !strings.Contains(got, "*") || got != ident.MaskPhone(plain) {
		t.Errorf("%s: phone %q, want masked %q", what, got, ident.MaskPhone(plain))
	}
}

func testMasked(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	id, phone := f.IDNumber[f.PA1.ID], f.Phone[f.PA1.ID]
	wantMaskedID(t, f.PA1.IDNumber, id, "CreatePerson's result")
	wantMaskedPhone(t, f.PA1.Phone, phone, "CreatePerson's result")
	p, err := e.db.Person(ctx, wangge.ScopeAll(), f.PA1.ID)
	ok(t, err)
	wantMaskedID(t, p.IDNumber, id, "Person")
	wantMaskedPhone(t, p.Phone, phone, "Person")
	ps, _, err := e.db.ListPersons(ctx, wangge.ScopeAll(), wangge.PersonFilter{})
	ok(t, err)
	for _, p := range ps {
		wantMaskedID(t, p.IDNumber, f.IDNumber[p.ID], "ListPersons")
		wantMaskedPhone(t, p.Phone, f.Phone[p.ID], "ListPersons")
	}
	p.Note = "改备注"
	ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p))
	wantMaskedID(t, p.IDNumber, id, "UpdatePerson's result")
	wantMaskedPhone(t, p.Phone, phone, "UpdatePerson's result")
	// A person without a phone has none, not a masked empty string.
	q := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "无电话", IDNumber: e.newID(ident.SexFemale)}
	ok(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), q))
	got, err := e.db.Person(ctx, wangge.ScopeAll(), q.ID)
	ok(t, err)
	if got.Phone != "" {
		t.Errorf("a person without a phone reads as %q", got.Phone)
	}
}

func testReveal(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	before := e.auditCount()
	for _, reason := range []string{"", "x"} {
		_, err := e.db.RevealPerson(ctx, wangge.ScopeAll(), f.PA1.ID, reason)
		wantField(t, err, "reason", "RevealPerson with reason ", reason)
	}
	_, err := e.db.RevealPerson(ctx, wangge.ScopeOf(GridB1), f.PA1.ID, "核对身份")
	wantCode(t, err, wangge.ENotFound, "RevealPerson outside the scope")
	if n := e.auditCount(); n != before {
		t.Errorf("refused reveals appended %d audit entries", n-before)
	}
	p, err := e.db.RevealPerson(ctx, wangge.ScopeOf(GridA1), f.PA1.ID, "办理低保核对身份")
	ok(t, err)
	if p.IDNumber != f.IDNumber[f.PA1.ID] || p.Phone != f.Phone[f.PA1.ID] || p.Name != f.PA1.Name {
		t.Errorf("revealed %q %q, want %q %q", p.IDNumber, p.Phone, f.IDNumber[f.PA1.ID], f.Phone[f.PA1.ID])
	}
	es, n, err := e.db.ListAudit(ctx, wangge.AuditFilter{Action: "person.reveal"})
	ok(t, err)
	if n != 1 || len(es) != 1 {
		t.Fatalf("reveal entries %d", n)
	}
	a := es[0]
	if a.Object != "person" || a.ObjectID != itoa(f.PA1.ID) || a.GridCode != GridA1 || a.Username != "tester" || a.UserID != 1 ||
		a.Addr != "127.0.0.1" || !strings.Contains(a.Detail, "办理低保核对身份") {
		t.Errorf("reveal entry %+v", a)
	}
	if strings.Contains(a.Detail, f.IDNumber[f.PA1.ID]) || strings.Contains(a.Detail, f.Phone[f.PA1.ID]) {
		t.Errorf("the reveal entry holds the revealed values: %s", a.Detail)
	}
	if e.auditCount() != before+1 {
		t.Errorf("one reveal appended %d entries", e.auditCount()-before)
	}
}

func testBlindIndex(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	idX := e.newIDWithX()
	landline := "0355-2029876"
	p := &wangge.Person{HouseholdID: f.HA1b.ID, Name: "测试戊一", IDNumber: idX, Phone: "+86 355 202 9876"}
	ok(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), p))
	find := func(s wangge.Scope, fl wangge.PersonFilter) []int64 {
		t.Helper()
		ps, n, err := e.db.ListPersons(ctx, s, fl)
		ok(t, err, "ListPersons")
		if n != len(ps) {
			t.Errorf("total %d, items %d", n, len(ps))
		}
		return ids(ps, func(p wangge.Person) int64 { return p.ID })
	}
	all := wangge.ScopeAll()
	for _, q := range []string{idX, strings.ToLower(idX), fullWidth(idX), " " + strings.ToLower(idX) + " "} {
		if got := find(all, wangge.PersonFilter{IDNumber: q}); !sameIDs(got, []int64{p.ID}) {
			t.Errorf("by ID number %q: %v, want [%d]", q, got, p.ID)
		}
	}
	for _, q := range []string{landline, "03552029876", "(0355) 202-9876", "+86 355 2029876", fullWidth("0355-2029876")} {
		if got := find(all, wangge.PersonFilter{Phone: q}); !sameIDs(got, []int64{p.ID}) {
			t.Errorf("by phone %q: %v, want [%d]", q, got, p.ID)
		}
	}
	mobile := f.Phone[f.PA2.ID]
	for _, q := range []string{mobile, "+86" + mobile, "0086 " + mobile[:3] + " " + mobile[3:7] + " " + mobile[7:], fullWidth(mobile)} {
		if got := find(all, wangge.PersonFilter{Phone: q}); !sameIDs(got, []int64{f.PA2.ID}) {
			t.Errorf("by phone %q: %v, want [%d]", q, got, f.PA2.ID)
		}
	}
	if got := find(all, wangge.PersonFilter{IDNumber: f.IDNumber[f.PA2.ID], Phone: mobile}); !sameIDs(got, []int64{f.PA2.ID}) {
		t.Errorf("by both: %v", got)
	}
	if got := find(all, wangge.PersonFilter{IDNumber: f.IDNumber[f.PA2.ID], Phone: f.Phone[f.PA1.ID]}); len(got) != 0 {
		t.Errorf("by one's number and another's phone: %v", got)
	}
	// Outside the scope the index finds nothing.
	if got := find(wangge.ScopeOf(CommunityB), wangge.PersonFilter{IDNumber: idX}); len(got) != 0 {
		t.Errorf("by ID number outside the scope: %v", got)
	}
	if got := find(wangge.ScopeOf(GridA1), wangge.PersonFilter{Phone: mobile}); len(got) != 0 {
		t.Errorf("by phone outside the scope: %v", got)
	}
	// Unknown or invalid values find nothing and are no error.
	for _, q := range []string{e.newID(ident.SexMale), "123", idX[:17] + "0"} {
		if got := find(all, wangge.PersonFilter{IDNumber: q}); len(got) != 0 {
			t.Errorf("by ID number %q: %v", q, got)
		}
	}
	for _, q := range []string{"13800000000", "12", "abc"} {
		if got := find(all, wangge.PersonFilter{Phone: q}); len(got) != 0 {
			t.Errorf("by phone %q: %v", q, got)
		}
	}
	// The index follows changes.
	got, err := e.db.Person(ctx, all, p.ID)
	ok(t, err)
	newPhone := e.newPhone()
	got.Phone = newPhone
	ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), got))
	if ids := find(all, wangge.PersonFilter{Phone: landline}); len(ids) != 0 {
		t.Errorf("the old phone still finds %v", ids)
	}
	if ids := find(all, wangge.PersonFilter{Phone: newPhone}); !sameIDs(ids, []int64{p.ID}) {
		t.Errorf("the new phone finds %v", ids)
	}
}

func testUpdateMasked(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	raw := e.rawRow(`SELECT id_enc, id_idx, phone_enc, phone_idx FROM persons WHERE id = ?`, f.PA1.ID)
	p, err := e.db.Person(ctx, all, f.PA1.ID)
	ok(t, err)
	p.Name = "测试甲一（改名）"
	ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p))
	r, err := e.db.RevealPerson(ctx, all, f.PA1.ID, "核对")
	ok(t, err)
	if r.IDNumber != f.IDNumber[f.PA1.ID] || r.Phone != f.Phone[f.PA1.ID] || r.Name != "测试甲一（改名）" {
		t.Errorf("after an update with masked values: %q %q %q", r.Name, r.IDNumber, r.Phone)
	}
	after := e.rawRow(`SELECT id_enc, id_idx, phone_enc, phone_idx FROM persons WHERE id = ?`, f.PA1.ID)
	if !bytes.Equal(raw["id_idx"], after["id_idx"]) || !bytes.Equal(raw["phone_idx"], after["phone_idx"]) {
		t.Errorf("the blind index changed")
	}
	// Empty values keep the stored ones too.
	p2, err := e.db.Person(ctx, all, f.PA1.ID)
	ok(t, err)
	p2.IDNumber, p2.Phone, p2.Note = "", "", "空值更新"
	ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p2))
	r, err = e.db.RevealPerson(ctx, all, f.PA1.ID, "核对")
	ok(t, err)
	if r.IDNumber != f.IDNumber[f.PA1.ID] || r.Phone != f.Phone[f.PA1.ID] || r.Note != "空值更新" {
		t.Errorf("after an update with empty values: %q %q %q", r.Note, r.IDNumber, r.Phone)
	}
	if a := e.lastAudit(); a.Action != "person.reveal" {
		t.Errorf("last entry %s", a.Action)
	}
	ps, _, err := e.db.ListPersons(ctx, all, wangge.PersonFilter{IDNumber: f.IDNumber[f.PA1.ID], Phone: f.Phone[f.PA1.ID]})
	ok(t, err)
	if len(ps) != 1 {
		t.Errorf("the kept values no longer find the person")
	}
}

func testUpdateNewID(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	all := wangge.ScopeAll()
	oldID := f.IDNumber[f.PA1.ID]
	birth := time.Date(1988, 2, 29, 0, 0, 0, 0, time.UTC)
	newID := string(ident.MakeID("149901", birth, 7, ident.SexFemale))
	p, err := e.db.Person(ctx, all, f.PA1.ID)
	ok(t, err)
	if p.Sex != ident.SexMale {
		t.Fatalf("fixture person is %v", p.Sex)
	}
	p.IDNumber = strings.ToLower(fullWidth(newID))
	ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p))
	if !p.BirthDate.Equal(birth) || p.Sex != ident.SexFemale {
		t.Errorf("UpdatePerson's result: birth %v sex %v", p.BirthDate, p.Sex)
	}
	got, err := e.db.Person(ctx, all, f.PA1.ID)
	ok(t, err)
	if !got.BirthDate.Equal(birth) || got.Sex != ident.SexFemale || got.BirthDate.Location() != time.UTC {
		t.Errorf("after a new ID number: birth %v sex %v, want %v female", got.BirthDate, got.Sex, birth)
	}
	wantMaskedID(t, got.IDNumber, newID, "Person after a new ID number")
	r, err := e.db.RevealPerson(ctx, all, f.PA1.ID, "核对")
	ok(t, err)
	if r.IDNumber != newID || r.Phone != f.Phone[f.PA1.ID] {
		t.Errorf("revealed %q %q", r.IDNumber, r.Phone)
	}
	if ps, _, _ := e.db.ListPersons(ctx, all, wangge.PersonFilter{IDNumber: oldID}); len(ps) != 0 {
		t.Errorf("the old number still finds the person")
	}
	if ps, _, _ := e.db.ListPersons(ctx, all, wangge.PersonFilter{IDNumber: newID}); len(ps) != 1 {
		t.Errorf("the new number does not find the person")
	}
	if a := e.lastAudit(); a.Action != "person.reveal" {
		t.Errorf("last entry %s", a.Action)
	}
	// The old number is free for someone else now.
	ok(t, e.db.CreatePerson(ctx, wangge.ScopeAll(), &wangge.Person{HouseholdID: f.HB1.ID, Name: "测试己一", IDNumber: oldID}))
	// An invalid new number is refused and changes nothing.
	got.IDNumber = newID[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", newID[17])+1)%11])
	wantField(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), got), "id_number", "UpdatePerson with a bad check digit")
	r, err = e.db.RevealPerson(ctx, all, f.PA1.ID, "核对")
	ok(t, err)
	if r.IDNumber != newID {
		t.Errorf("a refused update changed the number to %q", r.IDNumber)
	}
}

// variants returns the forms in which a value could sit in a column: as
// text, and as the hex a bytea column prints.
func variants(s string) [][]byte {
	return [][]byte{[]byte(s), []byte(hex.EncodeToString([]byte(s)))}
}

func testAtRest(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	hhPhone := "13612345678"
	h := &wangge.Household{BuildingID: f.BA1.ID, Room: "501", Kind: wangge.ResidentRegistered, Phone: hhPhone}
	ok(t, e.db.CreateHousehold(ctx, wangge.ScopeAll(), h))
	unitPhone := "13512345678"
	u := &wangge.Unit{GridCode: GridA1, Name: "东苑超市", Kind: wangge.UnitEnterprise, ContactPhone: unitPhone}
	ok(t, e.db.CreateUnit(ctx, wangge.ScopeAll(), u))
	asPhone := "13412345678"
	as := &wangge.Assistant{Name: "协理员甲", Phone: asPhone}
	ok(t, e.db.CreateAssistant(ctx, as))
	headPhone := "13312345678"
	ok(t, e.db.SetBuildingHead(ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: "楼长", Phone: headPhone}))
	_, err := e.db.RevealPerson(ctx, wangge.ScopeAll(), f.PA1.ID, "核对身份")
	ok(t, err)

	noneOf := func(row map[string][]byte, what string, secrets ...string) {
		t.Helper()
		for col, val := range row {
			for _, s := range secrets {
				for _, v := range variants(s) {
					if bytes.Contains(val, v) {
						t.Errorf("%s: column %s holds %q in clear", what, col, s)
					}
				}
			}
		}
	}
	for id, plainID := range f.IDNumber {
		plainPhone := f.Phone[id]
		row := e.rawRow(`SELECT * FROM persons WHERE id = ?`, id)
		noneOf(row, "persons", plainID, plainPhone, plainID[:17], plainID[6:14]+plainID[14:17], plainPhone[3:])
		if len(row["id_enc"]) < len(plainID) || len(row["id_idx"]) == 0 || len(row["phone_enc"]) == 0 || len(row["phone_idx"]) == 0 {
			t.Errorf("person %d: id_enc %d bytes, id_idx %d, phone_enc %d, phone_idx %d", id, len(row["id_enc"]), len(row["id_idx"]), len(row["phone_enc"]), len(row["phone_idx"]))
		}
	}
	// Two sealings of one value differ; the index of one value does not.
	a := e.rawRow(`SELECT id_enc, id_idx FROM persons WHERE id = ?`, f.PA1.ID)
	p, err := e.db.Person(ctx, wangge.ScopeAll(), f.PA1.ID)
	ok(t, err)
	p.IDNumber = f.IDNumber[f.PA1.ID] // typed again in full: sealed again
	ok(t, e.db.UpdatePerson(ctx, wangge.ScopeAll(), p))
	b := e.rawRow(`SELECT id_enc, id_idx FROM persons WHERE id = ?`, f.PA1.ID)
	if bytes.Equal(a["id_enc"], b["id_enc"]) {
		t.Errorf("sealing the same number twice gave the same ciphertext")
	}
	if !bytes.Equal(a["id_idx"], b["id_idx"]) {
		t.Errorf("the blind index of the same number changed")
	}
	noneOf(e.rawRow(`SELECT * FROM households WHERE id = ?`, h.ID), "households", hhPhone, hhPhone[3:])
	noneOf(e.rawRow(`SELECT * FROM units WHERE id = ?`, u.ID), "units", unitPhone, unitPhone[3:])
	noneOf(e.rawRow(`SELECT * FROM assistants WHERE id = ?`, as.ID), "assistants", asPhone, asPhone[3:])
	noneOf(e.rawRow(`SELECT * FROM building_heads WHERE building_id = ?`, f.BA1.ID), "building_heads", headPhone, headPhone[3:])

	// Nor does the audit log hold them.
	var secrets []string
	for id, plainID := range f.IDNumber {
		secrets = append(secrets, plainID, f.Phone[id])
	}
	secrets = append(secrets, hhPhone, unitPhone, asPhone, headPhone)
	n := e.auditCount()
	for seq := 1; seq <= n; seq++ {
		noneOf(e.rawRow(`SELECT * FROM audit_log WHERE seq = ?`, seq), "audit_log", secrets...)
	}
}

func testAnotherKey(t *testing.T, e *env) {
	ctx := e.ctx
	f := e.fixture()
	id, err := e.db.KeyID(ctx)
	ok(t, err)
	if len(id) != 8 {
		t.Errorf("KeyID %q", id)
	}
	other, err := secret.New(secret.NewKey())
	ok(t, err)
	if other.KeyID() == id {
		t.Fatal("two random keys share an id")
	}
	if err := e.db.UseKey(ctx, other); err == nil {
		t.Errorf("the open store took another key")
	}

	db2 := e.reopen(t)
	id2, err := db2.KeyID(ctx)
	ok(t, err)
	if id2 != id {
		t.Errorf("reopened store records key %q, first %q", id2, id)
	}
	p, err := db2.Person(ctx, wangge.ScopeAll(), f.PA1.ID)
	ok(t, err, "the reopened store with the same key reads")
	wantMaskedID(t, p.IDNumber, f.IDNumber[f.PA1.ID], "reopened store")
	if err := db2.UseKey(ctx, other); err == nil {
		t.Errorf("a second store on the same data took another key")
	} else if !strings.Contains(err.Error(), id) {
		t.Errorf("the refusal does not name the recorded key %s: %v", id, err)
	}
	r, err := db2.RevealPerson(ctx, wangge.ScopeAll(), f.PA1.ID, "换钥匙后核对")
	ok(t, err, "the refused key left the right one in place")
	if r.IDNumber != f.IDNumber[f.PA1.ID] {
		t.Errorf("revealed %q", r.IDNumber)
	}
	if id3, _ := db2.KeyID(ctx); id3 != id {
		t.Errorf("the refused key was recorded: %q", id3)
	}
	// Both stores append to one chain.
	e.verifyAudit()
}
