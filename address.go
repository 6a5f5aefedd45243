package wangge

import (
	"context"
	"strconv"
	"strings"
	"unicode"
)

// Address search is what a resident types at the kiosk: a street and door
// number (杏花街 49号), a building (1号楼, 1栋), a stairwell (1单元), a
// community or grid name, or a mix. It reads public facts only: buildings'
// names and addresses (on every door plate) and area names.

// NumberUnit is what a number in an address counts.
type NumberUnit int

const (
	UnitNone     NumberUnit = iota // a bare number: matches any whole number
	UnitDoor                       // 号: the door number on a street
	UnitBuilding                   // 号楼, 栋, 幢, 座: a building
	UnitCourt                      // 号院: a courtyard
	UnitEntrance                   // 单元: a stairwell of a building
	UnitRoom                       // 室, 户: a flat (never matched: flats are not public)
)

// AddressTerm is one part of a parsed query: a text fragment or a number
// with what it counts.
type AddressTerm struct {
	Text   string // when not a number
	Number int
	Unit   NumberUnit
	IsNum  bool
}

// AddressQuery is a parsed address search.
type AddressQuery struct {
	// Normalized is the query without spaces, with ASCII digits and
	// letters: what area names are matched against.
	Normalized string
	Terms      []AddressTerm
}

// unitWords maps the words after a number to what they count, longest
// first so that 号楼 wins over 号.
var unitWords = []struct {
	word string
	unit NumberUnit
}{
	{"号楼", UnitBuilding}, {"号院", UnitCourt}, {"单元", UnitEntrance},
	{"栋", UnitBuilding}, {"幢", UnitBuilding}, {"座", UnitBuilding}, {"楼", UnitBuilding},
	{"号", UnitDoor}, {"室", UnitRoom}, {"户", UnitRoom},
}

// NormalizeAddress removes spaces (ASCII and ideographic), turns
// full-width digits and letters into ASCII, and Chinese numerals before a
// unit into digits (三号楼 → 3号楼, 十二单元 → 12单元; 第一网格 stays).
func NormalizeAddress(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u3000':
			continue
		case r >= '！' && r <= '～': // full-width ASCII block
			r = r - '！' + '!'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	rs := []rune(b.String())
	var out []rune
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && j-i < 3 && strings.ContainsRune(chineseDigits, rs[j]) {
			j++
		}
		if n, ok := chineseNumber(rs[i:j]); ok && j > i && unitAt(rs[j:]) != UnitNone {
			out = append(out, []rune(strconv.Itoa(n))...)
			i = j
			continue
		}
		out = append(out, rs[i])
		i++
	}
	return string(out)
}

const chineseDigits = "零一二两三四五六七八九十"

// chineseNumber reads 1 to 99 written in Chinese numerals: 三, 十二, 二十, 二十五.
func chineseNumber(rs []rune) (int, bool) {
	digit := func(r rune) int {
		switch r {
		case '两':
			return 2
		case '零':
			return 0
		}
		return strings.IndexRune("零一二三四五六七八九", r) / len("一")
	}
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		return digit(rs[0]), digit(rs[0]) > 0
	case len(rs) == 2 && rs[0] == '十' && rs[1] != '十':
		return 10 + digit(rs[1]), true
	case len(rs) == 2 && rs[1] == '十' && rs[0] != '十':
		return digit(rs[0]) * 10, digit(rs[0]) > 0
	case len(rs) == 3 && rs[1] == '十' && rs[0] != '十' && rs[2] != '十':
		return digit(rs[0])*10 + digit(rs[2]), digit(rs[0]) > 0
	}
	return 0, false
}

// ParseAddress splits a query into text fragments and numbers with their
// units. Numbers are whole: "1号楼" is building 1, never a part of 11.
func ParseAddress(s string) AddressQuery {
	q := AddressQuery{Normalized: NormalizeAddress(s)}
	rs := []rune(q.Normalized)
	text := []rune{}
	flush := func() {
		if len(text) > 0 {
			q.Terms = append(q.Terms, AddressTerm{Text: string(text)})
			text = text[:0]
		}
	}
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			text = append(text, rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		n, err := strconv.Atoi(string(rs[i:j]))
		if err != nil { // too many digits to be a number on a door
			text = append(text, rs[i:j]...)
			i = j
			continue
		}
		flush()
		t := AddressTerm{Number: n, IsNum: true}
		rest := string(rs[j:])
		for _, u := range unitWords {
			if strings.HasPrefix(rest, u.word) {
				t.Unit = u.unit
				j += len([]rune(u.word))
				break
			}
		}
		q.Terms = append(q.Terms, t)
		i = j
	}
	flush()
	return q
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// Texts returns the query's text fragments.
func (q AddressQuery) Texts() []string {
	var out []string
	for _, t := range q.Terms {
		if !t.IsNum {
			out = append(out, t.Text)
		}
	}
	return out
}

// Numbers returns the query's numbers as digit strings, for a coarse
// prefilter (the exact test is MatchesBuilding).
func (q AddressQuery) Numbers() []string {
	var out []string
	for _, t := range q.Terms {
		if t.IsNum && t.Unit != UnitEntrance && t.Unit != UnitRoom {
			out = append(out, strconv.Itoa(t.Number))
		}
	}
	return out
}

// AddressCandidate is a building with the names of its grid and community,
// the public facts an address query is matched against.
type AddressCandidate struct {
	BuildingID    int64
	Name          string
	Address       string
	Entrances     int
	GridCode      string
	GridName      string
	CommunityName string
}

// MatchesBuilding reports whether every term of q holds for the building:
// each text fragment appears in its name, address, grid or community name,
// and each number appears there as a whole number with its unit (a
// stairwell number is at most the building's count of stairwells).
func (q AddressQuery) MatchesBuilding(c AddressCandidate) bool {
	if len(q.Terms) == 0 {
		return false
	}
	hay := NormalizeAddress(c.Name + " " + c.Address + " " + c.GridName + " " + c.CommunityName)
	plate := []rune(NormalizeAddress(c.Address + " " + c.Name))
	for i, t := range q.Terms {
		switch {
		case !t.IsNum:
			if !strings.Contains(hay, t.Text) {
				return false
			}
		case t.Unit == UnitEntrance:
			if t.Number < 1 || t.Number > c.Entrances {
				return false
			}
		case t.Unit == UnitRoom:
			return false
		default:
			// A door number right after a text in the query ("杏花街49号")
			// must follow that text on the plate too, when the text is
			// on the plate (not only in the area's name); a building
			// number may stand anywhere ("杏花街 1号楼").
			prefix := ""
			if t.Unit != UnitBuilding && i > 0 && !q.Terms[i-1].IsNum && strings.Contains(string(plate), q.Terms[i-1].Text) {
				prefix = q.Terms[i-1].Text
			}
			if !hasNumber(plate, t.Number, t.Unit, prefix) {
				return false
			}
		}
	}
	return true
}

// hasNumber reports whether s holds n as a whole number, right after
// prefix when one is given, followed by a word of a unit that fits.
func hasNumber(s []rune, n int, unit NumberUnit, prefix string) bool {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		v, err := strconv.Atoi(string(s[i:j]))
		if err == nil && v == n && unitFits(unit, unitAt(s[j:])) && strings.HasSuffix(string(s[:i]), prefix) {
			return true
		}
		i = j
	}
	return false
}

// unitFits reports whether a number typed with unit q matches one written
// with unit w: a bare number fits any, and "2号" is also 2号楼 or 2号院.
func unitFits(q, w NumberUnit) bool {
	switch q {
	case UnitNone:
		return true
	case UnitDoor:
		return w == UnitDoor || w == UnitBuilding || w == UnitCourt
	}
	return q == w
}

// unitAt returns the unit whose word starts s.
func unitAt(s []rune) NumberUnit {
	rest := string(s)
	for _, u := range unitWords {
		if strings.HasPrefix(rest, u.word) {
			return u.unit
		}
	}
	return UnitNone
}

// MatchesArea reports whether q names the area: the whole query, without
// its spaces, appears in the name.
func (q AddressQuery) MatchesArea(name string) bool {
	return q.Normalized != "" && strings.Contains(NormalizeAddress(name), q.Normalized)
}

// AddressSource gives what an address search reads. Both stream their
// rows to fn until it returns false, so a search reads no further than the
// results it shows.
type AddressSource interface {
	// AddressCandidates streams buildings whose name, address, grid or
	// community name holds every one of the fragments (a superset of the
	// matches).
	AddressCandidates(ctx context.Context, fragments []string, fn func(AddressCandidate) bool) error
	// GridNames streams every grid with its community's name.
	GridNames(ctx context.Context, fn func(gridCode, gridName, communityName string) bool) error
}

// AddressHit is one result of an address search: a building, or a grid
// found by its own or its community's name (Building empty).
type AddressHit struct {
	BuildingID    int64 // 0 for a grid
	Building      string
	Address       string
	GridCode      string
	GridName      string
	CommunityName string
}

// SearchAddress finds up to limit grids and buildings for a query, grids
// named by it first; more reports whether there were others.
func SearchAddress(ctx context.Context, src AddressSource, query string, limit int) (hits []AddressHit, more bool, err error) {
	q := ParseAddress(query)
	if len(q.Terms) == 0 {
		return nil, false, nil
	}
	add := func(h AddressHit) bool {
		if len(hits) == limit {
			more = true
			return false
		}
		hits = append(hits, h)
		return true
	}
	named := map[string]bool{} // grids the query names
	err = src.GridNames(ctx, func(code, grid, community string) bool {
		if q.MatchesArea(grid) || q.MatchesArea(community) {
			named[code] = true
			return add(AddressHit{GridCode: code, GridName: grid, CommunityName: community})
		}
		return true
	})
	if err != nil || more {
		return hits, more, err
	}
	var frags []string
	frags = append(frags, q.Texts()...)
	frags = append(frags, q.Numbers()...)
	onlyText := len(q.Texts()) == len(q.Terms)
	err = src.AddressCandidates(ctx, frags, func(c AddressCandidate) bool {
		// A building of a grid already shown for its name adds nothing.
		if onlyText && named[c.GridCode] {
			return true
		}
		if q.MatchesBuilding(c) {
			return add(AddressHit{BuildingID: c.BuildingID, Building: c.Name, Address: c.Address, GridCode: c.GridCode, GridName: c.GridName, CommunityName: c.CommunityName})
		}
		return true
	})
	return hits, more, err
}
