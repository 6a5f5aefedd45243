package http

import (
	"net/url"

	"github.com/wangge/wangge"
)

// roleHomes are the pages a role starts on, where its work is not the
// page of the area it works in: a building head (楼院长) reports problems
// in his building and follows them, which is all his phone page does; the
// phone workbench is the assistant's day. One entry per role, so each
// role's start page is a line of its own.
var roleHomes = map[wangge.Role]string{
	wangge.RoleBuildingHead: "/my-building",
	wangge.RoleAssistant:    "/workbench",
}

// Home is where the user starts: "/" (where logging in lands unless a
// page was asked for) sends them to the role's own page, or to the page
// of the area they work in.
func Home(u *wangge.User) string {
	if p, ok := roleHomes[u.Role]; ok {
		return p
	}
	return "/areas/" + url.PathEscape(u.ScopeCode)
}
