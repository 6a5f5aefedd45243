package wangge

import (
	"testing"
	"time"
)

// TestDueForVisitPutsKeyPersonsFirstThenTheLongestNotVisited pins the
// order of the assistant's visit list.
func TestDueForVisitPutsKeyPersonsFirstThenTheLongestNotVisited(t *testing.T) {
	now := time.Date(2026, 5, 11, 2, 0, 0, 0, time.UTC)
	ago := func(days int) *time.Time { t := now.AddDate(0, 0, -days); return &t }
	hh := []GridHousehold{
		{ID: 1, LastVisit: ago(10)},  // visited within the cycle: not due
		{ID: 2, LastVisit: ago(200)}, // due, no key
		{ID: 3},                      // never visited, no key
		{ID: 4, LastVisit: ago(95), Keys: []string{KeyDisabled}},      // due, disabled
		{ID: 5, LastVisit: ago(120), Keys: []string{KeyElderlyAlone}}, // due, living alone
		{ID: 6, LastVisit: ago(300), Keys: []string{KeyDisabled}},     // due, disabled, longer ago
		{ID: 7, LastVisit: ago(5), Keys: []string{KeyElderlyAlone}},   // visited: not due
	}
	for _, tc := range []struct {
		cycle int
		want  []int64
	}{
		{0, []int64{5, 6, 4, 3, 2}},
		{7, []int64{5, 6, 4, 3, 2, 1}},
		{400, []int64{3}},
	} {
		got := DueForVisit(hh, tc.cycle, now)
		ids := make([]int64, len(got))
		for i, h := range got {
			ids[i] = h.ID
		}
		if len(ids) != len(tc.want) {
			t.Errorf("cycle %d: due %v, want %v", tc.cycle, ids, tc.want)
			continue
		}
		for i := range ids {
			if ids[i] != tc.want[i] {
				t.Errorf("cycle %d: due %v, want %v", tc.cycle, ids, tc.want)
				break
			}
		}
	}
}

// TestLedgerChangeNormalizeNeedsWhatItsKindNames pins what each kind of
// proposal must carry.
func TestLedgerChangeNormalizeNeedsWhatItsKindNames(t *testing.T) {
	p := int64(3)
	for _, tc := range []struct {
		c     LedgerChange
		field string
	}{
		{LedgerChange{Kind: LedgerPhone, PersonID: &p, Detail: "13800001234"}, ""},
		{LedgerChange{Kind: LedgerPhone, PersonID: &p, Detail: "12"}, "detail"},
		{LedgerChange{Kind: LedgerPhone, Detail: "13800001234"}, "person_id"},
		{LedgerChange{Kind: LedgerBirth, Name: "newborn"}, ""},
		{LedgerChange{Kind: LedgerBirth}, "name"},
		{LedgerChange{Kind: LedgerBirth, Name: "x", PersonID: &p}, "person_id"},
		{LedgerChange{Kind: LedgerDeath, PersonID: &p, Name: "x"}, "name"},
		{LedgerChange{Kind: LedgerOther}, "detail"},
		{LedgerChange{Kind: "wedding"}, "kind"},
	} {
		tc.c.HouseholdID = 1
		err := tc.c.Normalize()
		got := ""
		if e, ok := err.(*Error); ok {
			got = e.Field
		} else if err != nil {
			got = err.Error()
		}
		if got != tc.field {
			t.Errorf("%+v: field %q, want %q", tc.c, got, tc.field)
		}
	}
}
