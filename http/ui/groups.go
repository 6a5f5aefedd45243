package ui

import (
	"context"
	"net/http"
	"sort"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// KeyGroupStore is what a key group's list (重点群体) reads: the area and
// its counts, and the group's current members in scope.
type KeyGroupStore interface {
	Area(ctx context.Context, code string) (*wangge.Area, error)
	AreaSummary(ctx context.Context, scope wangge.Scope, code string) (*wangge.AreaSummary, error)
	ListMemberships(ctx context.Context, scope wangge.Scope, f wangge.MembershipFilter) ([]wangge.Membership, int, error)
}

// keyGroups are the key-group list's handlers.
type keyGroups struct {
	core  *whttp.Server
	store KeyGroupStore
}

type groupView struct {
	Area    *wangge.Area
	Def     *wangge.GroupDef
	Members []wangge.Membership
	Pager   *pagekit.Pager
}

// handleGroup lists the current members of one key group in an area, with
// the attributes the group's departments need: a department's list without
// a separate survey. The store keeps it to the groups the role may see.
func (s *keyGroups) handleGroup(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("code")
	def := wangge.GroupDefOf(wangge.KeyGroup(r.PathValue("group")))
	scope := whttp.UserFrom(ctx).Scope()
	if !wangge.ValidRegionCode(code) || def == nil || !scope.Narrow(code).GroupVisible(def.Group) {
		return wangge.ErrNotFound
	}
	if _, err := s.store.AreaSummary(ctx, scope, code); err != nil {
		return err
	}
	pg, n, err := pagekit.PageOf(r)
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
	crumbs, err := pagekit.AreaCrumbs(ctx, s.store, code)
	if err != nil {
		return err
	}
	l := whttp.LangOf(r)
	crumbs = append(crumbs, whttp.Crumb{Name: s.core.TLang(l, "group."+string(def.Group))})
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].GridCode < ms[j].GridCode })
	v := &groupView{Area: area, Def: def, Members: ms, Pager: pagekit.NewPager(r, n, total)}
	s.core.Render(w, r, http.StatusOK, "group", &whttp.View{Title: area.Name + " · " + s.core.TLang(l, "group."+string(def.Group)), Crumbs: crumbs, Data: v})
	return nil
}
