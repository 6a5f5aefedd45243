package wangge

import (
	"sort"
	"time"
)

// The assistant's day (issue 13): the grid's households as the phone
// keeps them for offline work, and which of them are due for a visit.

// Key codes of a household on the visit list: who in it makes a visit
// more pressing, most pressing first.
const (
	KeyElderlyAlone = "elderly_alone" // an elderly member living alone (独居老人)
	KeyReleased     = "released"      // 安置帮教: a member released under assistance
	KeyDisabled     = "disabled"      // 残疾人
	KeyAid          = "aid"           // 救助对象
	KeySpecial      = "special"       // 编码服务: a special-service household
)

// VisitKeys lists the key codes in the order of their weight.
var VisitKeys = []string{KeyElderlyAlone, KeyReleased, KeyDisabled, KeyAid, KeySpecial}

// VisitKey is the key code a membership gives its household, "" for none.
func VisitKey(g KeyGroup, attrs map[string]string) string {
	switch g {
	case GroupElderly:
		if LivesAlone(attrs) {
			return KeyElderlyAlone
		}
	case GroupReleased:
		return KeyReleased
	case GroupDisabled:
		return KeyDisabled
	case GroupAid:
		return KeyAid
	case GroupSpecial:
		return KeySpecial
	}
	return ""
}

// GridHousehold is a household as the workbench keeps it: where it is,
// its head's name masked, how many live in it, its key codes and its last
// visit. No ID number, no phone.
type GridHousehold struct {
	ID         int64
	BuildingID int64
	Building   string
	Room       string
	HeadMasked string
	Members    int
	// Persons are the members by id with their names masked, so that a
	// visit's change (moved out, new phone, died) names the member it is
	// about; never an ID number or a phone.
	Persons   []GridPerson
	Keys      []string // in VisitKeys order
	LastVisit *time.Time
}

// GridPerson is a household member as the workbench lists it.
type GridPerson struct {
	ID         int64
	NameMasked string
}

// GridUnit is a resident unit of the grid as the workbench lists it: its
// name, never its contact.
type GridUnit struct {
	ID   int64
	Name string
}

// GridBuilding is a building of the grid as the workbench lists it.
type GridBuilding struct {
	ID   int64
	Name string
}

// GridDay is a grid's working data for its assistant's day.
type GridDay struct {
	GridCode       string
	GridName       string
	AssistantName  string
	AssistantPhone string // the public work phone
	Buildings      []GridBuilding
	Households     []GridHousehold
	// Units are the grid's resident units (驻区单位), which a visit may be
	// to instead of a household.
	Units []GridUnit
}

// DaysSince is the number of whole days from the household's last visit
// to now, and false when it was never visited.
func (h *GridHousehold) DaysSince(now time.Time) (int, bool) {
	if h.LastVisit == nil {
		return 0, false
	}
	d := int(now.Sub(*h.LastVisit) / (24 * time.Hour))
	if d < 0 {
		d = 0
	}
	return d, true
}

// DueForVisit returns the households not visited within the cycle (days;
// 0 for DefaultVisitCycle): those with key persons first, by the weight of
// their first key, then the rest; within each, the never visited and then
// the longest not visited first.
func DueForVisit(hh []GridHousehold, cycle int, now time.Time) []GridHousehold {
	if cycle <= 0 {
		cycle = DefaultVisitCycle
	}
	since := now.Add(-time.Duration(cycle) * 24 * time.Hour)
	var due []GridHousehold
	for _, h := range hh {
		if h.LastVisit == nil || h.LastVisit.Before(since) {
			due = append(due, h)
		}
	}
	weight := func(h GridHousehold) int {
		if len(h.Keys) == 0 {
			return len(VisitKeys)
		}
		for i, k := range VisitKeys {
			if h.Keys[0] == k {
				return i
			}
		}
		return len(VisitKeys)
	}
	sort.SliceStable(due, func(i, j int) bool {
		a, b := due[i], due[j]
		if wa, wb := weight(a), weight(b); wa != wb {
			return wa < wb
		}
		switch {
		case a.LastVisit == nil || b.LastVisit == nil:
			return a.LastVisit == nil && b.LastVisit != nil
		case !a.LastVisit.Equal(*b.LastVisit):
			return a.LastVisit.Before(*b.LastVisit)
		}
		return a.ID < b.ID
	})
	return due
}
