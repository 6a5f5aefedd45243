package ledger

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo"
	"github.com/wangge/wangge/ident"
)

// rowParser turns the cells of one row into a wangge.ImportRow, collecting
// every problem of the row (not just the first), each naming its column.
type rowParser struct {
	m    *HeaderMap
	row  *wangge.ImportRow
	cell []string
}

func (p *rowParser) get(key string) string { return p.m.Get(p.cell, key) }

// problem records a problem with column col, its text the catalogue's key
// with params (name/value pairs).
func (p *rowParser) problem(col, key string, params ...any) {
	p.row.Errors = append(p.row.Errors, wangge.Detail(col, key, params...))
}

// fail records a problem with a column given its two texts; only the key
// groups' rows still use it.
func (p *rowParser) fail(key, zh, en string) {
	p.row.Errors = append(p.row.Errors, wangge.ErrorDetail{Field: key, Zh: zh, Message: en})
}

// text returns a text cell, checked for length.
func (p *rowParser) text(key string, maxRunes int, required bool) string {
	v := p.get(key)
	if v == "" {
		if required {
			p.problem(key, "ledger.required")
		}
		return ""
	}
	if utf8.RuneCountInString(v) > maxRunes {
		p.problem(key, "ledger.too_long", "Max", maxRunes)
		return ""
	}
	if !p.safe(key, v) {
		return ""
	}
	return v
}

// safe records a problem when a text cell holds a character no text field
// may (wangge.UnsafeRune).
func (p *rowParser) safe(key, v string) bool {
	if r, bad := wangge.UnsafeRune(v); bad {
		p.problem(key, "ledger.control_char", "Code", fmt.Sprintf("U+%04X", r))
		return false
	}
	return true
}

// enum returns the domain value of an enumerated cell.
func (p *rowParser) enum(key string, vm ValueMap) string {
	v := p.get(key)
	d, ok := vm.Parse(v)
	if !ok {
		p.problem(key, "ledger.not_a_choice", "Value", v, "Q", strconv.Quote(v), "Choices", vm.Choices())
	}
	return d
}

// identFail records an ident error.
func (p *rowParser) identFail(key string, err error) {
	d := wangge.ErrorDetail{Field: key, Zh: err.Error(), Message: err.Error()}
	if e, ok := err.(*ident.Error); ok {
		// ident's texts are phrases; a row's problems are sentences.
		d.Zh, d.Message = e.Zh()+"。", e.En()+"."
	}
	p.row.Errors = append(p.row.Errors, d)
}

// idNumber returns the normalised ID number of the column.
func (p *rowParser) idNumber(key string) string {
	v := p.get(key)
	switch {
	case v == "":
		p.problem(key, "ledger.required")
		return ""
	case strings.ContainsAny(v, "*＊"):
		p.problem(key, "ledger.id_masked")
		return ""
	case looksNumeric(v):
		p.problem(key, "ledger.id_numeric")
		return ""
	}
	id, converted, err := ident.ParseIDConverted(v)
	if err != nil {
		p.identFail(key, err)
		return ""
	}
	if converted {
		p.row.Notes = append(p.row.Notes, wangge.Detail(key, "ledger.id_converted"))
	}
	return string(id)
}

// looksNumeric reports a number a spreadsheet made of a long digit string:
// "1.40101199001011E+17", or one ending ".0".
func looksNumeric(v string) bool {
	return strings.ContainsAny(v, "eE") && strings.ContainsAny(v, "+.") && v[0] >= '0' && v[0] <= '9' ||
		strings.HasSuffix(v, ".0") && len(v) > 12
}

// phone returns the normalised phone of the column; a masked phone (as an
// export for staff shows it) counts as empty, keeping the stored one.
func (p *rowParser) phone(key string) string {
	v := p.get(key)
	if v == "" || strings.ContainsAny(v, "*＊") {
		return ""
	}
	v = strings.TrimSuffix(v, ".0")
	ph, err := ident.ParsePhone(v)
	if err != nil {
		p.identFail(key, err)
		return ""
	}
	return string(ph)
}

// gridCode returns a 15-digit grid code.
func (p *rowParser) gridCode(key string) string {
	v := p.get(key)
	if v == "" {
		return ""
	}
	if _, err := geo.ParseGridCode(v); err != nil || !wangge.ValidRegionCode(v) || wangge.LevelOf(v) != wangge.LevelGrid {
		p.problem(key, "ledger.grid_code", "Value", v, "Q", strconv.Quote(v))
		return ""
	}
	return v
}

// buildingCode returns a 20-digit building code.
func (p *rowParser) buildingCode(key string) string {
	v := p.get(key)
	if v == "" {
		return ""
	}
	grid, _, err := geo.ParseBuildingCode(v)
	if err != nil || !wangge.ValidRegionCode(grid) || wangge.LevelOf(grid) != wangge.LevelGrid {
		p.problem(key, "ledger.building_code", "Value", v, "Q", strconv.Quote(v))
		return ""
	}
	return v
}

// count returns a non-negative integer cell.
func (p *rowParser) count(key string) *int {
	v := p.get(key)
	if v == "" {
		return nil
	}
	n, ok := parseInt(v)
	if !ok || n < 0 || n > 10_000_000 {
		p.problem(key, "ledger.count", "Value", v, "Q", strconv.Quote(v))
		return nil
	}
	return &n
}

// parseInt reads an integer as people and spreadsheets write it: "12",
// "12.0", "1,200".
func parseInt(v string) (int, bool) {
	v = strings.ReplaceAll(v, ",", "")
	if n, err := strconv.Atoi(v); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e12 {
		return 0, false
	}
	return int(f), true
}

// date returns a date cell as midnight UTC.
func (p *rowParser) date(key string) *time.Time {
	v := p.get(key)
	if v == "" {
		return nil
	}
	t, ok := ParseDate(v)
	if !ok {
		p.problem(key, "ledger.date", "Value", v, "Q", strconv.Quote(v))
		return nil
	}
	return &t
}

var dateLayouts = []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102", "2006-01-02 15:04:05", "2006/1/2 15:04:05", "2006-01-02T15:04:05Z"}

// ParseDate reads a date as people and spreadsheets write it, an Excel
// serial number included, between 1900 and 2200.
func ParseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return plausible(t)
		}
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 120000 {
		// Excel's day 1 is 1900-01-01 and it counts a 29 February 1900
		// that never was: day 60 and later are one day too many.
		days := int(f)
		if days >= 60 {
			days--
		}
		return plausible(time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days))
	}
	return time.Time{}, false
}

func plausible(t time.Time) (time.Time, bool) {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), y >= 1900 && y <= 2200
}

// parsePerson parses a row of the persons sheet.
func parsePerson(p *rowParser) {
	r := &wangge.PersonRow{
		BuildingCode: p.buildingCode(ColBuildingCode),
		GridCode:     p.gridCode(ColGridCode),
		BuildingName: p.text(ColBuildingName, 100, false),
		Entrance:     p.text(ColEntrance, 20, false),
		Room:         p.text(ColRoom, 20, true),
		Number:       p.text(ColHouseNumber, 40, false),
		HouseKind:    wangge.ResidenceKind(p.enum(ColHouseKind, ResidenceKinds)),
		HousePhone:   p.phone(ColHousePhone),
		Name:         p.text(ColName, 50, true),
		IDNumber:     p.idNumber(ColIDNumber),
		Phone:        p.phone(ColPhone),
		Relation:     wangge.Relation(p.enum(ColRelation, Relations)),
		Kind:         wangge.ResidenceKind(p.enum(ColPersonKind, ResidenceKinds)),
		Ethnicity:    p.text(ColEthnicity, 20, false),
		Employment:   p.enum(ColEmployment, Employments),
		Note:         p.text(ColNote, 500, false),
	}
	if p.get(ColBuildingCode) == "" {
		switch grid, name := p.get(ColGridCode), p.get(ColBuildingName); {
		case grid == "" && name == "":
			p.problem(ColBuildingCode, "ledger.building_missing")
		case grid == "":
			p.problem(ColGridCode, "ledger.grid_missing")
		case name == "":
			p.problem(ColBuildingName, "ledger.building_name_missing")
		}
	}
	if party := p.enum(ColParty, YesNo); party != "" {
		b := party == "true"
		r.Party = &b
	}
	// A room written "301室" or "301号" is room 301.
	r.Room = strings.TrimRight(r.Room, "室号")
	if r.Room == "" && p.get(ColRoom) != "" {
		p.problem(ColRoom, "ledger.room")
	}
	r.Entrance = strings.TrimSuffix(r.Entrance, "单元")
	p.row.Person = r
}

// parseUnit parses a row of the units sheet.
func parseUnit(p *rowParser) {
	r := &wangge.UnitRow{
		Name:         p.text(ColUnitName, 200, true),
		GridCode:     p.gridCode(ColGridCode),
		BuildingCode: p.buildingCode(ColBuildingCode),
		Kind:         wangge.UnitKind(p.enum(ColUnitKind, UnitKinds)),
		Headcount:    p.count(ColHeadcount),
		PartyOrg:     p.text(ColPartyOrg, 200, false),
		PartyMembers: p.count(ColPartyMembers),
		Address:      p.text(ColAddress, 200, false),
		ContactName:  p.text(ColContactName, 50, false),
		ContactPhone: p.phone(ColPhone),
	}
	if v := p.get(ColCreditCode); v != "" {
		c, err := ident.ParseCreditCode(v)
		if err != nil {
			p.identFail(ColCreditCode, err)
		} else {
			r.CreditCode = string(c)
		}
	}
	if p.get(ColGridCode) == "" && p.get(ColBuildingCode) == "" {
		p.problem(ColGridCode, "ledger.unit_place_missing")
	}
	if r.GridCode != "" && r.BuildingCode != "" && r.BuildingCode[:wangge.GridCodeLen] != r.GridCode {
		p.problem(ColBuildingCode, "ledger.building_not_in_grid")
	}
	if r.Headcount != nil && r.PartyMembers != nil && *r.PartyMembers > *r.Headcount && *r.Headcount > 0 {
		p.problem(ColPartyMembers, "ledger.party_members")
	}
	p.row.Unit = r
}

// parseMembership parses a row of the memberships sheet.
func parseMembership(p *rowParser) {
	r := &wangge.MembershipRow{
		IDNumber: p.idNumber(ColIDNumber),
		Name:     p.text(ColName, 50, false),
		Joined:   p.date(ColJoined),
		Left:     p.date(ColLeft),
		Note:     p.text(ColNote, 500, false),
	}
	g := p.get(ColGroup)
	if g == "" {
		p.fail(ColGroup, "必填，不能为空。", "Required.")
	} else if d, ok := Groups.Parse(g); ok {
		r.Group = wangge.KeyGroup(d)
	} else {
		p.fail(ColGroup, fmt.Sprintf("“%s”不是重点群体；应为%s。", g, Groups.Choices()), fmt.Sprintf("%q is not a key group: %s.", g, Groups.Choices()))
	}
	if r.Joined != nil && r.Left != nil && r.Left.Before(*r.Joined) {
		p.fail(ColLeft, "退出日期不能早于纳入日期。", "Left cannot be before joined.")
	}
	for _, c := range p.m.Spec.Columns {
		if c.Group == "" || !p.m.Has(c.Key) {
			continue
		}
		v := p.get(c.Key)
		if v == "" {
			continue
		}
		def := wangge.GroupDefOf(c.Group)
		if r.Group == "" {
			continue // the group is wrong already
		}
		if c.Group != r.Group {
			p.fail(c.Key, fmt.Sprintf("“%s”是%s的属性，本行的重点群体是%s。", c.Zh, def.Zh, wangge.GroupDefOf(r.Group).Zh),
				fmt.Sprintf("%s belongs to %s, but the row's group is %s.", c.En, def.En, wangge.GroupDefOf(r.Group).En))
			continue
		}
		var a wangge.Attr
		for _, x := range def.Attrs {
			if x.Key == c.Attr {
				a = x
			}
		}
		if a.Secret && strings.ContainsAny(v, "*＊") {
			continue // masked: keeps the stored value
		}
		if !p.safe(c.Key, v) {
			continue
		}
		if norm, ok := attrValue(a, v); ok {
			if r.Attrs == nil {
				r.Attrs = map[string]string{}
			}
			r.Attrs[a.Key] = norm
		} else {
			zh, en := "", ""
			switch a.Kind {
			case wangge.AttrDate:
				zh, en = "应为日期 YYYY-MM-DD", "want a date YYYY-MM-DD"
			case wangge.AttrEnum:
				zh, en = "应为"+strings.Join(a.Options, "、"), "want one of "+strings.Join(a.Options, ", ")
			case wangge.AttrInt:
				zh, en = "应为整数", "want a whole number"
			case wangge.AttrBool:
				zh, en = "应为是或否", "want yes or no"
			default:
				zh, en = "不能超过 200 个字", "at most 200 characters"
			}
			p.fail(c.Key, fmt.Sprintf("“%s”无效：%s。", v, zh), fmt.Sprintf("%q is invalid: %s.", v, en))
		}
	}
	p.row.Membership = r
}

// attrValue normalises a key-group attribute value to what the domain
// keeps: dates as YYYY-MM-DD, yes/no as true/false, options as listed.
func attrValue(a wangge.Attr, v string) (string, bool) {
	switch a.Kind {
	case wangge.AttrDate:
		t, ok := ParseDate(v)
		return t.Format(time.DateOnly), ok
	case wangge.AttrBool:
		b, ok := YesNo.Parse(v)
		return b, ok
	case wangge.AttrInt:
		n, ok := parseInt(v)
		return strconv.Itoa(n), ok
	case wangge.AttrEnum:
		n := NormalizeHeader(v)
		for _, o := range a.Options {
			if n == NormalizeHeader(o) {
				return o, true
			}
		}
		return "", false
	}
	return v, utf8.RuneCountInString(v) <= 200
}

// ParseRow parses the cells of one data row by the header map.
func ParseRow(m *HeaderMap, line int, cells []string) wangge.ImportRow {
	row := wangge.ImportRow{Line: line, Cells: cells}
	p := &rowParser{m: m, row: &row, cell: cells}
	switch m.Spec.Kind {
	case KindPersons:
		parsePerson(p)
	case KindUnits:
		parseUnit(p)
	case KindMemberships:
		parseMembership(p)
	}
	return row
}
