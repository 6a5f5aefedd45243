package http

import (
	"net/http"
	"sort"

	"github.com/wangge/wangge"
)

type groupView struct {
	Area    *wangge.Area
	Def     *wangge.GroupDef
	Members []wangge.Membership
	Pager   *pager
}

// handleGroup lists the current members of one key group in an area, with
// the attributes the group's departments need: a department's list without
// a separate survey. The store keeps it to the groups the role may see.
func (s *Server) handleGroup(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	def := wangge.GroupDefOf(wangge.KeyGroup(r.PathValue("group")))
	scope := UserFrom(ctx).Scope()
	if !wangge.ValidRegionCode(code) || def == nil || !scope.Narrow(code).GroupVisible(def.Group) {
		return wangge.ErrNotFound
	}
	if _, err := s.store.AreaSummary(ctx, scope, code); err != nil {
		return err
	}
	pg, n, err := pageOf(r)
	if err != nil {
		return err
	}
	area, err := s.store.Area(ctx, code)
	if err != nil {
		return err
	}
	ms, total, err := s.store.ListMemberships(ctx, scope, wangge.MembershipFilter{GridCode: code, Group: def.Group, Current: true, Page: pg})
	if err != nil {
		return err
	}
	crumbs, err := s.areaCrumbs(ctx, code)
	if err != nil {
		return err
	}
	l := LangOf(r)
	crumbs = append(crumbs, Crumb{Name: s.msgs.T(l, "group."+string(def.Group))})
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].GridCode < ms[j].GridCode })
	v := &groupView{Area: area, Def: def, Members: ms, Pager: newPager(r, n, total)}
	s.Render(w, r, http.StatusOK, "group", &View{Title: area.Name + " · " + s.msgs.T(l, "group."+string(def.Group)), Crumbs: crumbs, Data: v})
	return nil
}
