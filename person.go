package wangge

import (
	"time"

	"github.com/wangge/wangge/ident"
)

// Relation is a person's relation to the head of the household (与户主关系).
type Relation string

// Relations, after GB/T 4761 family relation codes, simplified.
const (
	RelHead        Relation = "head"        // 户主
	RelSpouse      Relation = "spouse"      // 配偶
	RelChild       Relation = "child"       // 子女
	RelParent      Relation = "parent"      // 父母
	RelGrandchild  Relation = "grandchild"  // 孙子女
	RelGrandparent Relation = "grandparent" // 祖父母
	RelSibling     Relation = "sibling"     // 兄弟姐妹
	RelInLaw       Relation = "in_law"      // 儿媳、女婿等
	RelOther       Relation = "other"       // 其他 (tenants, relatives)
)

// Relations lists every relation in display order.
var Relations = []Relation{RelHead, RelSpouse, RelChild, RelParent, RelGrandchild, RelGrandparent, RelSibling, RelInLaw, RelOther}

// Valid reports whether r is a known relation.
func (r Relation) Valid() bool {
	for _, x := range Relations {
		if r == x {
			return true
		}
	}
	return false
}

// Person is a resident. The ID number and phone are personal information:
// the stores keep them encrypted, find them through a keyed blind index, and
// return them masked unless revealed. Birth date and sex are derived from the
// ID number and never typed.
type Person struct {
	ID          int64
	HouseholdID int64
	GridCode    string
	Name        string
	IDNumber    string // masked on ordinary reads; full only when revealed
	Phone       string // masked on ordinary reads; full only when revealed
	Relation    Relation
	Kind        ResidenceKind
	Ethnicity   string // 民族, e.g. 汉族
	Party       bool   // member of the Communist Party (党员)
	Employment  string // 就业状态: employed, unemployed, retired, student, other
	Note        string

	// Derived from the ID number.
	BirthDate time.Time
	Sex       ident.Sex

	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Employment states.
const (
	EmployEmployed   = "employed"
	EmployUnemployed = "unemployed"
	EmployRetired    = "retired"
	EmployStudent    = "student"
	EmployOther      = "other"
)

// Age returns the person's age in completed years at t.
func (p *Person) Age(t time.Time) int { return ident.Age(p.BirthDate, t) }

// Elderly reports whether the person is 60 or older at t.
func (p *Person) Elderly(t time.Time) bool { return p.Age(t) >= 60 }

// AdvancedAge reports whether the person is 80 or older at t (高龄).
func (p *Person) AdvancedAge(t time.Time) bool { return p.Age(t) >= 80 }

// ChildbearingAge reports whether the person is a woman of 15 to 49 at t.
func (p *Person) ChildbearingAge(t time.Time) bool {
	a := p.Age(t)
	return p.Sex == ident.SexFemale && a >= 15 && a <= 49
}

// AgeTag is what a person's birth date and sex make them on a day:
// derived on every read, never stored, so it changes by itself.
type AgeTag string

const (
	TagElderly      AgeTag = "elderly"      // 老年人, 60+
	TagAdvancedAge  AgeTag = "advanced_age" // 高龄, 80+
	TagChildbearing AgeTag = "childbearing" // 育龄妇女, women of 15–49
)

// AgeTags returns the person's age tags at t, in that order.
func (p *Person) AgeTags(t time.Time) []AgeTag {
	var tags []AgeTag
	if p.Elderly(t) {
		tags = append(tags, TagElderly)
	}
	if p.AdvancedAge(t) {
		tags = append(tags, TagAdvancedAge)
	}
	if p.ChildbearingAge(t) {
		tags = append(tags, TagChildbearing)
	}
	return tags
}

// Normalize validates the person's fields, normalises the ID number and phone
// and derives birth date and sex from the ID number. Stores call it on every
// write, so derived fields can never disagree with the number.
func (p *Person) Normalize() error {
	if p.Name == "" || len([]rune(p.Name)) > 50 {
		return Invalid("name", "error.person.name")
	}
	if p.HouseholdID <= 0 {
		return Invalid("household_id", "error.person.household_id")
	}
	id, err := ident.ParseID(p.IDNumber)
	if err != nil {
		return identError("id_number", err)
	}
	p.IDNumber = string(id)
	p.BirthDate = id.BirthDate()
	p.Sex = id.Sex()
	if p.Phone != "" {
		ph, err := ident.ParsePhone(p.Phone)
		if err != nil {
			return identError("phone", err)
		}
		p.Phone = string(ph)
	}
	if p.Relation == "" {
		p.Relation = RelOther
	}
	if !p.Relation.Valid() {
		return Invalid("relation", "error.person.relation")
	}
	if p.Kind == "" {
		p.Kind = ResidentRegistered
	}
	if !p.Kind.Valid() {
		return Invalid("kind", "error.person.kind")
	}
	switch p.Employment {
	case "", EmployEmployed, EmployUnemployed, EmployRetired, EmployStudent, EmployOther:
	default:
		return Invalid("employment", "error.person.employment")
	}
	return nil
}

// identError turns an ident validation error into a domain error.
func identError(field string, err error) error {
	if e, ok := err.(*ident.Error); ok {
		return &Error{Code: EInvalid, Field: field, Key: e.Key, Params: e.Params}
	}
	return &Error{Code: EInvalid, Field: field, Zh: err.Error(), Message: err.Error()}
}

// PersonFilter selects persons within a scope.
type PersonFilter struct {
	GridCode    string
	HouseholdID int64
	Name        string // exact or prefix match of the name
	IDNumber    string // exact match through the blind index
	Phone       string // exact match through the blind index
	Page
}
