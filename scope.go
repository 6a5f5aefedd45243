package wangge

import "strings"

// Scope is the part of the region tree a caller may read: a subtree named by
// a region-code prefix (a district's 6 digits, a community's 12, a grid's 15).
// Every store method that reads people's data takes a Scope and returns
// nothing outside it.
//
// The zero Scope matches nothing, so a forgotten scope fails closed.
type Scope struct {
	prefix string
	all    bool
	// Sensitive allows reading the most sensitive key groups (安置帮教,
	// disability, aid). Roles that do not need them never get it.
	Sensitive bool
	// Line limits key-group reads to the groups of one business line, its
	// sensitive ones included: what a department needs and no more.
	Line Line
	// noPeople withholds households, persons, visits and building heads;
	// noGroups withholds key-group memberships. Both are set from the role
	// (User.Scope), so a role without the right reads nothing even where a
	// handler forgot to check.
	noPeople, noGroups bool
	// export allows reading ID numbers and phones in full for an export
	// (the role's PermExport, set by User.Scope), so a store never asks
	// the role itself.
	export bool
}

// MayExport reports whether reads for an export may return ID numbers and
// phones in full.
func (s Scope) MayExport() bool { return s.export && s.People() }

// People reports whether the scope may read households, persons, visits and
// building heads at all.
func (s Scope) People() bool { return !s.IsZero() && !s.noPeople }

// GroupVisible reports whether memberships of the group may be read.
func (s Scope) GroupVisible(g KeyGroup) bool {
	def := GroupDefOf(g)
	switch {
	case def == nil || s.IsZero() || s.noGroups:
		return false
	case s.Line != "":
		return def.Line == s.Line
	}
	return !def.Sensitive || s.Sensitive
}

// MayChange reports whether the scope may change people's data at the
// region code: households, persons, units, memberships, visits, buildings
// and their heads in that grid. Every store write checks it in the same
// transaction as the change, so a forgotten handler check cannot write
// outside the caller's part of the tree.
func (s Scope) MayChange(code string) bool { return s.People() && s.Contains(code) }

// PeopleRange is Range for reads of people's data: empty when the scope may
// not read them.
func (s Scope) PeopleRange() (lo, hi string) {
	if !s.People() {
		return "1", "0"
	}
	return s.Range()
}

// ScopeOf returns the scope of the subtree rooted at the region code.
// An invalid code yields the empty scope.
func ScopeOf(code string) Scope {
	if !ValidRegionCode(code) {
		return Scope{}
	}
	return Scope{prefix: code}
}

// ScopeAll is the whole database. Only the operator's CLI, which holds the
// encryption key anyway, and system jobs use it.
func ScopeAll() Scope { return Scope{all: true, Sensitive: true, export: true} }

// Prefix returns the region-code prefix of the scope ("" for ScopeAll and for
// the empty scope).
func (s Scope) Prefix() string { return s.prefix }

// IsAll reports whether s is ScopeAll.
func (s Scope) IsAll() bool { return s.all }

// IsZero reports whether s matches nothing.
func (s Scope) IsZero() bool { return !s.all && s.prefix == "" }

// Contains reports whether the region code lies within the scope.
func (s Scope) Contains(code string) bool {
	if s.all {
		return true
	}
	return s.prefix != "" && strings.HasPrefix(code, s.prefix)
}

// Range returns the inclusive bounds of region codes within the scope, for an
// indexed range condition (code BETWEEN lo AND hi). Codes are digit strings of
// at most 15 characters, so every descendant of prefix p lies in
// [p, p+"99…9"]. The empty scope yields lo > hi, which matches nothing.
func (s Scope) Range() (lo, hi string) {
	switch {
	case s.all:
		return "", "999999999999999"
	case s.prefix == "":
		return "1", "0"
	}
	return s.prefix, s.prefix + strings.Repeat("9", GridCodeLen-len(s.prefix))
}

// Narrow returns the intersection of s and the subtree of code: the subtree
// when it lies within s, the empty scope otherwise. It is how a filter by
// community or grid is combined with the caller's scope.
func (s Scope) Narrow(code string) Scope {
	if code == "" {
		return s
	}
	if !ValidRegionCode(code) {
		return Scope{}
	}
	switch {
	case s.Contains(code):
		n := s
		n.prefix, n.all = code, false
		return n
	case strings.HasPrefix(s.prefix, code):
		return s // filtering by an ancestor of the scope changes nothing
	}
	return Scope{}
}
