package wangge

// The rules an import applies to each row, decided here and table-tested;
// the store applies them to the rows it has read.

// Dwelling is where a household lives within its building, as an import row
// names it: entrance, room and the household number (户号) that tells apart
// several households of one room.
type Dwelling struct {
	Entrance, Room, Number string
}

// ErrRoomAmbiguous refuses a row that names a room several households share
// without the household number that tells them apart.
var ErrRoomAmbiguous = Invalid("house_number", "error.import.room_ambiguous")

// MatchHousehold decides which of a building's households an import row
// means: the one of the same entrance and room, and of the same number when
// the row gives one; a single household of that room without a number takes
// the row's. It returns the household's index in stored, -1 when the row
// makes a new household, or ErrRoomAmbiguous when several households share
// the room and the row gives no number.
func MatchHousehold(stored []Dwelling, row Dwelling) (int, error) {
	var cands []int
	for i, h := range stored {
		if h.Entrance == row.Entrance && h.Room == row.Room {
			cands = append(cands, i)
		}
	}
	switch {
	case row.Number != "":
		match := -1
		for _, i := range cands {
			if stored[i].Number == row.Number {
				match = i
			}
		}
		if match < 0 && len(cands) == 1 && stored[cands[0]].Number == "" {
			match = cands[0] // the household gets its number
		}
		return match, nil
	case len(cands) == 1:
		return cands[0], nil
	case len(cands) > 1:
		return -1, ErrRoomAmbiguous
	}
	return -1, nil
}

// KeepOrSet is the import's rule for one stored field: an empty cell keeps
// what is stored, any other value replaces it. It reports whether the
// stored value changed.
func KeepOrSet(stored *string, cell string) bool {
	if cell == "" || cell == *stored {
		return false
	}
	*stored = cell
	return true
}

// UnsafeRune returns the first character of a name or other text field
// that has no place in one: a C0 or C1 control character or DEL, which
// nobody types and which break the files and pages the text goes into,
// and the bidirectional controls (U+061C, U+200E–U+200F, U+202A–U+202E,
// U+2066–U+2069), which reorder what a reader sees so that a name can
// pass for another. ok is false when s has none.
func UnsafeRune(s string) (r rune, ok bool) {
	for _, r := range s {
		switch {
		case r < 0x20, r >= 0x7F && r <= 0x9F,
			r == 0x061C, r == 0x200E, r == 0x200F,
			r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
	}
	return 0, false
}
