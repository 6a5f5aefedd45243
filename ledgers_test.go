package wangge

import (
	"testing"
	"time"

	"github.com/wangge/wangge/ident"
)

func TestSortChecksAgainstTheWhitelistEitherWay(t *testing.T) {
	for _, s := range []Sort{"", "persons", "-persons", "last_visit", "-building"} {
		if err := s.Check(HouseholdSorts); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []Sort{"name", "--persons", "persons DESC", "-", "h.id"} {
		if err := s.Check(HouseholdSorts); ErrorCode(err) != EInvalid {
			t.Errorf("%q: %v, want invalid", s, err)
		}
	}
	if s := Sort("-joined"); s.Key() != "joined" || !s.Desc() || Sort("joined").Desc() {
		t.Errorf("Key %q Desc %v", s.Key(), s.Desc())
	}
}

func TestAdvancedAgeIsEightyOrOlderAtTheDay(t *testing.T) {
	p := Person{BirthDate: time.Date(1946, 3, 2, 0, 0, 0, 0, time.UTC), Sex: ident.SexFemale}
	if p.AdvancedAge(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || !p.Elderly(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("the day before the 80th birthday: elderly, not yet of advanced age")
	}
	if !p.AdvancedAge(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Error("on the 80th birthday: of advanced age")
	}
}
