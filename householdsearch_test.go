package wangge

import "testing"

func TestParseRoomQuery(t *testing.T) {
	for _, c := range []struct {
		q, entrance, room string
		ok                bool
	}{
		{"1单元101室", "1", "101", true},
		{" 1 单元 101 室 ", "1", "101", true},
		{"1单元101", "1", "101", true},
		{"101室", "", "101", true},
		{"5号", "", "5", true},
		{"1-101", "1", "101", true},
		{"1－101", "1", "101", true},
		{"Entrance 1, room 101", "1", "101", true},
		{"No. 5", "", "5", true},
		{"101", "", "", false},
		{"东苑1号楼", "", "", false},
		{"张建国", "", "", false},
		{"1404990010010010001", "", "", false},
	} {
		e, r, ok := ParseRoomQuery(c.q)
		if e != c.entrance || r != c.room || ok != c.ok {
			t.Errorf("ParseRoomQuery(%q) = %q, %q, %v; want %q, %q, %v", c.q, e, r, ok, c.entrance, c.room, c.ok)
		}
	}
}

func TestSearchIDNumber(t *testing.T) {
	for _, c := range []struct {
		q, want string
		ok      bool
	}{
		{"11010519491231002X", "11010519491231002X", true},
		{"110105 19491231 002x", "11010519491231002X", true},
		{"110105\u300019491231\u3000002X", "11010519491231002X", true},
		{"110105194912310021", "", false}, // wrong check character
		{"110105491231002", "", false},    // 15 digits: a search needs the 18
		{"1404990010010010001", "", false},
		{"张建国", "", false},
	} {
		id, ok := SearchIDNumber(c.q)
		if id != c.want || ok != c.ok {
			t.Errorf("SearchIDNumber(%q) = %q, %v", c.q, id, ok)
		}
	}
}
