package wangge

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge/ident"
)

func TestPersonNormalizeDerivesFromTheIDNumber(t *testing.T) {
	id := ident.MakeID("149901", time.Date(1960, 2, 29, 0, 0, 0, 0, time.UTC), 3, ident.SexFemale)
	lower := string(id)
	if lower[17] == 'X' {
		lower = lower[:17] + "x"
	}
	p := Person{Name: "测试", HouseholdID: 1, IDNumber: " " + lower, Phone: "+86 139 0000 1111", BirthDate: time.Now(), Sex: ident.SexMale}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if p.IDNumber != string(id) || p.Phone != "13900001111" {
		t.Errorf("not normalised: %q %q", p.IDNumber, p.Phone)
	}
	if !p.BirthDate.Equal(time.Date(1960, 2, 29, 0, 0, 0, 0, time.UTC)) || p.Sex != ident.SexFemale {
		t.Errorf("typed birth date or sex survived: %v %v", p.BirthDate, p.Sex)
	}
	at := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
	if p.Age(at) != 65 || !p.Elderly(at) || p.ChildbearingAge(at) {
		t.Errorf("age %d elderly %v childbearing %v", p.Age(at), p.Elderly(at), p.ChildbearingAge(at))
	}
}

// TestPersonNormalizeTakesTheIDNumberAsTyped: a form's ID number typed with
// spaces between its groups, or in the 15-digit 1989 form, is stored as
// the 18-digit number, with the birth date and sex it gives.
func TestPersonNormalizeTakesTheIDNumberAsTyped(t *testing.T) {
	for _, typed := range []string{"110105 19491231 002x", "110105\u300019491231\u3000002X", "110105-19491231-002X", "110105491231002"} {
		p := Person{Name: "测试", HouseholdID: 1, IDNumber: typed}
		if err := p.Normalize(); err != nil {
			t.Fatalf("%q: %v", typed, err)
		}
		if p.IDNumber != "11010519491231002X" || !p.BirthDate.Equal(time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)) || p.Sex != ident.SexFemale {
			t.Errorf("%q stored as %q, born %v, sex %v", typed, p.IDNumber, p.BirthDate, p.Sex)
		}
	}
}

func TestPersonNormalizeSaysWhatIsWrong(t *testing.T) {
	p := Person{Name: "测试", HouseholdID: 1, IDNumber: "110105194912310025"}
	err := p.Normalize()
	var e *Error
	if !errors.As(err, &e) || e.Code != EInvalid || e.Field != "id_number" ||
		!strings.Contains(ErrorZh(err), "校验位") || !strings.Contains(ErrorMessage(err), "check digit") {
		t.Fatalf("bad check digit: %#v", err)
	}
	p = Person{Name: "测试", HouseholdID: 1, IDNumber: "11010519491231002X", Relation: "cousin"}
	if err := p.Normalize(); ErrorCode(err) != EInvalid {
		t.Fatalf("unknown relation: %v", err)
	}
}

func TestMembershipAttributesFollowTheGroup(t *testing.T) {
	ok := Membership{PersonID: 1, Group: GroupDisabled, Attrs: map[string]string{"type": "肢体", "level": "二级"}, Joined: time.Now()}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]Membership{
		"missing required": {PersonID: 1, Group: GroupDisabled, Attrs: map[string]string{"type": "肢体"}},
		"not an option":    {PersonID: 1, Group: GroupDisabled, Attrs: map[string]string{"type": "肢体", "level": "五级"}},
		"unknown attr":     {PersonID: 1, Group: GroupDisabled, Attrs: map[string]string{"type": "肢体", "level": "一级", "x": "1"}},
		"bad date":         {PersonID: 1, Group: GroupReleased, Attrs: map[string]string{"released_on": "2026-13-01"}},
		"unknown group":    {PersonID: 1, Group: "vip"},
	} {
		if err := m.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, g := range []KeyGroup{GroupDisabled, GroupAid, GroupReleased, GroupSpecial} {
		if !GroupDefOf(g).Sensitive {
			t.Errorf("%s is not marked sensitive", g)
		}
	}
}

func TestDefaultServicesCatalogue(t *testing.T) {
	s, err := DefaultServices()
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 100 {
		t.Fatalf("%d services, want 100", len(s))
	}
	lines := map[Line]int{}
	codes := map[string]bool{}
	for _, x := range s {
		lines[x.Line]++
		if codes[x.Code] {
			t.Errorf("duplicate code %s", x.Code)
		}
		codes[x.Code] = true
	}
	for _, l := range Lines {
		if lines[l] == 0 {
			t.Errorf("no service for line %s", l)
		}
	}
}

func TestAuditHashCoversEveryField(t *testing.T) {
	base := AuditEntry{Seq: 3, At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), UserID: 1, Username: "a", Role: RoleAuditor, Addr: "x",
		Action: "person.reveal", Object: "person", ObjectID: "9", GridCode: "140499001001001", Detail: `{"reason":"r"}`, PrevHash: []byte{1}}
	h := base.ComputeHash()
	for name, edit := range map[string]func(e *AuditEntry){
		"seq": func(e *AuditEntry) { e.Seq++ }, "at": func(e *AuditEntry) { e.At = e.At.Add(time.Microsecond) },
		"user": func(e *AuditEntry) { e.UserID++ }, "username": func(e *AuditEntry) { e.Username = "b" },
		"role": func(e *AuditEntry) { e.Role = RoleAssistant }, "addr": func(e *AuditEntry) { e.Addr = "y" },
		"action": func(e *AuditEntry) { e.Action = "person.update" }, "object": func(e *AuditEntry) { e.Object = "unit" },
		"object id": func(e *AuditEntry) { e.ObjectID = "10" }, "grid": func(e *AuditEntry) { e.GridCode = "" },
		"detail": func(e *AuditEntry) { e.Detail = "{}" }, "prev": func(e *AuditEntry) { e.PrevHash = []byte{2} },
		"shifted": func(e *AuditEntry) { e.Username, e.Role = "aauditor", "" },
	} {
		e := base
		edit(&e)
		if bytes.Equal(e.ComputeHash(), h) {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
}
