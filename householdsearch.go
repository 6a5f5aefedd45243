package wangge

import (
	"regexp"
	"strings"

	"github.com/wangge/wangge/ident"
)

// roomForms are the ways a dwelling is written, as the pages show it
// ("1单元101室", "5号", "Entrance 1, room 101", "No. 5") and as people
// type it ("101室", "1-101", "1单元101").
var roomForms = []struct {
	re             *regexp.Regexp
	entrance, room int // submatch indexes; 0 for none
}{
	{regexp.MustCompile(`^(\w+?)\s*单元\s*(\w+?)\s*[室号]?$`), 1, 2},
	{regexp.MustCompile(`^(\d+)\s*[-－—–]\s*(\d+)$`), 1, 2},
	{regexp.MustCompile(`(?i)^entrance\s*(\w+)\s*[,，]?\s*room\s*(\w+)$`), 1, 2},
	{regexp.MustCompile(`^(\w+?)\s*[室号]$`), 0, 1},
	{regexp.MustCompile(`(?i)^(?:room|no\.?)\s*(\w+)$`), 0, 1},
}

// ParseRoomQuery reads a search for a dwelling: the entrance ("" when the
// query names none) and the room. ok is false when q is not written as a
// dwelling.
func ParseRoomQuery(q string) (entrance, room string, ok bool) {
	q = strings.TrimSpace(strings.ReplaceAll(q, "\u3000", " "))
	for _, f := range roomForms {
		m := f.re.FindStringSubmatch(q)
		if m == nil {
			continue
		}
		if f.entrance > 0 {
			entrance = m[f.entrance]
		}
		return entrance, m[f.room], true
	}
	return "", "", false
}

// SearchIDNumber reports whether a search box query is a resident ID
// number (18 characters once spaces are stripped, with a valid check
// character), and returns it normalised. Such a search finds the person
// through the blind index and is audited as a search of personal data.
func SearchIDNumber(q string) (string, bool) {
	c := ident.CompactID(q)
	if len(c) != 18 {
		return "", false
	}
	id, err := ident.ParseID(c)
	if err != nil {
		return "", false
	}
	return string(id), true
}
