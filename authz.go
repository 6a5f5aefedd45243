package wangge

// Permission is something a role may do. What a role may do is fixed here,
// in one table; where it may do it is the user's Scope.
type Permission string

const (
	PermLogin         Permission = "login"         // any logged-in user: area pages with counts
	PermViewPeople    Permission = "people.view"   // households, persons, visits, building heads
	PermEditPeople    Permission = "people.edit"   // change them
	PermReveal        Permission = "people.reveal" // see a full ID number or phone, with a reason
	PermExport        Permission = "people.export" // export personal data
	PermViewGroups    Permission = "groups.view"   // key-group lists (department viewers: their line only)
	PermViewSensitive Permission = "groups.sensitive"
	PermViewAudit     Permission = "audit.view"
	PermManageUsers   Permission = "users.manage" // accounts and password resets within the scope
	PermManageAreas   Permission = "areas.manage" // propose and accept a community's grids (网格划分) within the scope
	// Cases (issue 12). What a role may do to one case is the case
	// engine's decision (casework.Engine.Apply) and which cases it sees
	// casework.Actor.Sees; these only open the pages.
	PermCases          Permission = "cases"           // the case board, a case's page, reporting one
	PermSuperviseCases Permission = "cases.supervise" // the supervision view of overdue and supervised cases (督办)
	PermManageCalendar Permission = "calendar.manage" // the work calendar, working hours and the case time limits
)

// RevealsPerHour is how many full ID numbers or phones one user may reveal
// in an hour. Real work needs a few a day; a scraper needs thousands.
const RevealsPerHour = 30

// PersonalExportsPerHour is how many exports of personal data (the
// residents', units' and key groups' ledgers) one user may make in an hour
// on the web. Each holds a whole area's full ID numbers, so the limit is
// far below the reveals'; the operator's CLI is not limited.
const PersonalExportsPerHour = 10

// ExportReasonMin and ExportReasonMax bound the typed reason of a personal
// export, in characters.
const (
	ExportReasonMin = 4
	ExportReasonMax = 200
)

// rolePerms is the authorization table. The auditor reads the audit log and
// nothing about residents; a building head reports problems and sees the
// counts of the areas above; a department sees the key groups of its line.
// Grids are set by the staff over them (district, sub-district, community),
// never by the assistant working in one.
var rolePerms = map[Role][]Permission{
	RoleDistrictAdmin:    {PermLogin, PermViewPeople, PermEditPeople, PermReveal, PermExport, PermViewGroups, PermViewSensitive, PermManageUsers, PermManageAreas, PermCases, PermSuperviseCases, PermManageCalendar},
	RoleSubdistrictStaff: {PermLogin, PermViewPeople, PermEditPeople, PermReveal, PermExport, PermViewGroups, PermViewSensitive, PermManageUsers, PermManageAreas, PermCases, PermSuperviseCases},
	RoleCommunityStaff:   {PermLogin, PermViewPeople, PermEditPeople, PermReveal, PermExport, PermViewGroups, PermViewSensitive, PermManageAreas, PermCases},
	RoleAssistant:        {PermLogin, PermViewPeople, PermEditPeople, PermReveal, PermViewGroups, PermViewSensitive, PermCases},
	RoleBuildingHead:     {PermLogin, PermCases},
	RoleDepartment:       {PermLogin, PermViewGroups, PermCases},
	RoleAuditor:          {PermLogin, PermViewAudit},
	RoleSystem:           {PermLogin, PermViewPeople, PermEditPeople, PermReveal, PermExport, PermViewGroups, PermViewSensitive, PermViewAudit, PermManageUsers, PermManageAreas, PermCases, PermSuperviseCases, PermManageCalendar},
}

// Can reports whether the role has the permission.
func (r Role) Can(p Permission) bool {
	for _, x := range rolePerms[r] {
		if x == p {
			return true
		}
	}
	return false
}
