package wangge

import "testing"

func TestMatchHouseholdByRoomAndNumber(t *testing.T) {
	one := []Dwelling{{Entrance: "1", Room: "101"}, {Entrance: "1", Room: "102", Number: "A"}}
	shared := []Dwelling{{Entrance: "1", Room: "101", Number: "A"}, {Entrance: "1", Room: "101", Number: "B"}}
	for _, c := range []struct {
		name   string
		stored []Dwelling
		row    Dwelling
		want   int
		err    bool
	}{
		{"the room's only household", one, Dwelling{Entrance: "1", Room: "101"}, 0, false},
		{"the room's only household takes the row's number", one, Dwelling{Entrance: "1", Room: "101", Number: "X"}, 0, false},
		{"a numbered household by its number", one, Dwelling{Entrance: "1", Room: "102", Number: "A"}, 1, false},
		{"a numbered household without the number", one, Dwelling{Entrance: "1", Room: "102"}, 1, false},
		{"another number of a numbered room is a new household", one, Dwelling{Entrance: "1", Room: "102", Number: "B"}, -1, false},
		{"another entrance is another room", one, Dwelling{Entrance: "2", Room: "101"}, -1, false},
		{"a new room", one, Dwelling{Entrance: "1", Room: "909"}, -1, false},
		{"a shared room by number", shared, Dwelling{Entrance: "1", Room: "101", Number: "B"}, 1, false},
		{"a shared room, a new number", shared, Dwelling{Entrance: "1", Room: "101", Number: "C"}, -1, false},
		{"a shared room without a number", shared, Dwelling{Entrance: "1", Room: "101"}, -1, true},
		{"an empty building", nil, Dwelling{Room: "101"}, -1, false},
	} {
		got, err := MatchHousehold(c.stored, c.row)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("%s: %d, %v; want %d, error %v", c.name, got, err, c.want, c.err)
		}
		if err != nil && err != ErrRoomAmbiguous {
			t.Errorf("%s: %v, want ErrRoomAmbiguous", c.name, err)
		}
	}
}

func TestKeepOrSetKeepsWhatAnEmptyCellLeaves(t *testing.T) {
	for _, c := range []struct {
		stored, cell, want string
		changed            bool
	}{
		{"汉族", "", "汉族", false},
		{"汉族", "汉族", "汉族", false},
		{"汉族", "回族", "回族", true},
		{"", "回族", "回族", true},
		{"", "", "", false},
	} {
		v := c.stored
		if changed := KeepOrSet(&v, c.cell); v != c.want || changed != c.changed {
			t.Errorf("KeepOrSet(%q, %q) = %q, %v; want %q, %v", c.stored, c.cell, v, changed, c.want, c.changed)
		}
	}
}
