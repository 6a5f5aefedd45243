package wangge

import (
	"slices"
	"strings"
	"time"
)

// Role is what a user account may do. A user's Scope names where.
type Role string

const (
	RoleDistrictAdmin    Role = "district_admin"    // 区管理员
	RoleSubdistrictStaff Role = "subdistrict_staff" // 街道工作人员
	RoleCommunityStaff   Role = "community_staff"   // 社区工作人员
	RoleAssistant        Role = "assistant"         // 网格协理员
	RoleBuildingHead     Role = "building_head"     // 楼院长
	RoleDepartment       Role = "department"        // 部门查看 (one business line)
	RoleAuditor          Role = "auditor"           // 审计员
	RoleSystem           Role = "system"            // the software itself, and the operator's CLI
	// RoleResident is a resident acting on their own case through its
	// tracking token (居民), as the store proves it: never an account, never
	// made from a session, with no permissions; not among Roles.
	RoleResident Role = "resident"
)

// Roles lists the roles accounts can have, in display order.
var Roles = []Role{RoleDistrictAdmin, RoleSubdistrictStaff, RoleCommunityStaff, RoleAssistant, RoleBuildingHead, RoleDepartment, RoleAuditor}

// Valid reports whether r is a role an account can have.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Zh returns the Chinese name of the role.
func (r Role) Zh() string {
	switch r {
	case RoleDistrictAdmin:
		return "区管理员"
	case RoleSubdistrictStaff:
		return "街道工作人员"
	case RoleCommunityStaff:
		return "社区工作人员"
	case RoleAssistant:
		return "网格协理员"
	case RoleBuildingHead:
		return "楼院长"
	case RoleDepartment:
		return "部门"
	case RoleAuditor:
		return "审计员"
	case RoleSystem:
		return "系统"
	case RoleResident:
		return "居民"
	}
	return string(r)
}

// User is a login account.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Role        Role
	// ScopeCode is the region code of the subtree the user works in.
	ScopeCode string
	// Line limits a department account to its business line.
	Line         Line
	PasswordHash string // argon2id, PHC string form
	Disabled     bool
	AssistantID  *int64
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// MustChangePassword is set by an administrator's reset: the password
	// is a temporary one, to be changed before anything else.
	MustChangePassword bool
	// TOTPEnabled tells that logging in needs a one-time code as well.
	TOTPEnabled bool
}

// Scope returns the scope the user's reads are limited to: the subtree of
// the account's region code, narrowed by what the role may see. The stores
// apply it to every read of people's data.
func (u *User) Scope() Scope {
	s := ScopeOf(u.ScopeCode)
	s.Sensitive = u.Role.Can(PermViewSensitive)
	s.noPeople = !u.Role.Can(PermViewPeople)
	s.export = u.Role.Can(PermExport)
	switch {
	case u.Role == RoleDepartment:
		s.Line = u.Line
	case !u.Role.Can(PermViewGroups):
		s.noGroups = true
	}
	return s
}

// Validate checks the fields an administrator sets.
func (u *User) Validate() error {
	if len(u.Username) < 2 || len(u.Username) > 64 {
		return Invalid("username", "error.user.username_length")
	}
	for _, c := range u.Username {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return Invalid("username", "error.user.username_charset")
		}
	}
	if !u.Role.Valid() {
		return Invalid("role", "error.user.role")
	}
	if !ValidRegionCode(u.ScopeCode) {
		return Invalid("scope_code", "error.user.scope_code")
	}
	if err := CheckRoleScope(u.Role, u.ScopeCode); err != nil {
		return err
	}
	if u.Role == RoleDepartment && !u.Line.Valid() {
		return Invalid("line", "error.user.line")
	}
	return nil
}

// ScopeLevels are the levels of the area an account of the role works in:
// an assistant and a building head a grid, community staff a community,
// sub-district staff a sub-district, a department the district or a
// sub-district's office of its line, the administrator and the auditor the
// district. A scope of another level would give the role more than its work
// (an "assistant" over the whole district) or less than it needs.
func (r Role) ScopeLevels() []Level {
	switch r {
	case RoleDistrictAdmin, RoleAuditor:
		return []Level{LevelDistrict}
	case RoleDepartment:
		return []Level{LevelDistrict, LevelSubdistrict}
	case RoleSubdistrictStaff:
		return []Level{LevelSubdistrict}
	case RoleCommunityStaff:
		return []Level{LevelCommunity}
	case RoleAssistant, RoleBuildingHead:
		return []Level{LevelGrid}
	}
	return nil
}

// CheckRoleScope refuses a scope whose level does not fit the role
// (ScopeLevels), wherever an account is made or changed.
func CheckRoleScope(r Role, scopeCode string) error {
	levels := r.ScopeLevels()
	if slices.Contains(levels, LevelOf(scopeCode)) {
		return nil
	}
	var zh, en []string
	for _, l := range levels {
		zh, en = append(zh, l.Zh()), append(en, l.String())
	}
	return Invalid("scope_code", "error.user.scope_level", "RoleZh", r.Zh(), "Role", strings.ReplaceAll(string(r), "_", " "),
		"LevelsZh", strings.Join(zh, "/"), "LevelsEn", strings.Join(en, " or "))
}

// Session is a login session, stored in the database so that several servers
// can share it. Only a hash of the token is stored.
type Session struct {
	TokenHash []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	Addr      string
	UserAgent string
}
