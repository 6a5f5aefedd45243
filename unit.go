package wangge

import (
	"time"

	"github.com/wangge/wangge/ident"
)

// UnitKind is the kind of a resident unit.
type UnitKind string

const (
	UnitEnterprise  UnitKind = "enterprise"   // 企业
	UnitGovernment  UnitKind = "government"   // 机关
	UnitInstitution UnitKind = "institution"  // 事业单位
	UnitSocialOrg   UnitKind = "social_org"   // 社会组织
	UnitIndividual  UnitKind = "individual"   // 个体工商户
	UnitProperty    UnitKind = "property_mgr" // 物业服务企业
)

// UnitKinds lists the kinds in display order.
var UnitKinds = []UnitKind{UnitEnterprise, UnitGovernment, UnitInstitution, UnitSocialOrg, UnitIndividual, UnitProperty}

// Unit is a resident unit (驻区单位): an enterprise, office, school or
// organisation located in a grid.
type Unit struct {
	ID         int64
	GridCode   string
	BuildingID *int64
	Name       string
	CreditCode string // GB 32100 unified social credit code; public, not masked
	Kind       UnitKind
	Headcount  int
	// Party organisation (党组织) and members: what 党群 asks for.
	PartyOrg     string // name of the party organisation, "" when none
	PartyMembers int
	Address      string
	ContactName  string
	ContactPhone string // personal information: encrypted at rest, masked on read
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Normalize validates the unit and normalises its credit code and phone.
func (u *Unit) Normalize() error {
	if LevelOf(u.GridCode) != LevelGrid || !ValidRegionCode(u.GridCode) {
		return Invalid("grid_code", "error.unit.grid_code")
	}
	if u.Name == "" || len([]rune(u.Name)) > 200 {
		return Invalid("name", "error.unit.name")
	}
	if u.CreditCode != "" {
		c, err := ident.ParseCreditCode(u.CreditCode)
		if err != nil {
			return identError("credit_code", err)
		}
		u.CreditCode = string(c)
	}
	if u.ContactPhone != "" {
		p, err := ident.ParsePhone(u.ContactPhone)
		if err != nil {
			return identError("contact_phone", err)
		}
		u.ContactPhone = string(p)
	}
	ok := false
	for _, k := range UnitKinds {
		ok = ok || u.Kind == k
	}
	if !ok {
		return Invalid("kind", "error.unit.kind")
	}
	if u.Headcount < 0 || u.PartyMembers < 0 || u.PartyMembers > u.Headcount && u.Headcount > 0 {
		return Invalid("party_members", "error.unit.party_members")
	}
	return nil
}

// UnitFilter selects units within a scope.
type UnitFilter struct {
	// Full asks EachUnit for contact phones in full, as HouseholdFilter.Full.
	Full     bool
	GridCode string
	Query    string // substring of the name, or the start of the credit code
	PartyOrg *bool  // with or without a party organisation
	Sort     Sort   // one of UnitSorts
	Page
}
