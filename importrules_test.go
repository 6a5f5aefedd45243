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

// TestUnsafeRuneFindsControlsAndBidiOverrides: C0, DEL, C1 and the
// bidirectional controls are found, with the first one; Chinese, spaces,
// punctuation and the middle dot of minority names (·) are text.
func TestUnsafeRuneFindsControlsAndBidiOverrides(t *testing.T) {
	for _, c := range []struct {
		s    string
		want rune
	}{
		{"王建国", 0},
		{"阿依古丽·买买提", 0},
		{"=HYPERLINK(\"http://evil.example\")", 0},
		{"1号楼 2单元（东）", 0},
		{"王\x00建国", 0x00},
		{"王\t建国", '\t'},
		{"王\n建国", '\n'},
		{"a\x1fb", 0x1F},
		{"a\x7fb", 0x7F},
		{"a\u0085b", 0x85},
		{"a\u009fb", 0x9F},
		{"abc\u202edcba", 0x202E},
		{"\u202aa", 0x202A},
		{"a\u2066b\u2069", 0x2066},
		{"a\u200fb", 0x200F},
		{"a\u061cb", 0x061C},
		{"\x01\u202e", 0x01},
	} {
		r, bad := UnsafeRune(c.s)
		if bad != (c.want != 0 || c.s == "王\x00建国") || r != c.want {
			t.Errorf("%q: %U %v, want %U", c.s, r, bad, c.want)
		}
	}
}
