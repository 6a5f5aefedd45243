package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/geo/svg"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/proposal"
)

// The proposal page (网格划分方案): a community divided into grids of about
// N households, drawn as an inline SVG picture (no script), with a table of
// the proposed grids and their deviation from N, warnings, a per-building
// choice of grid submitted as ?move=BUILDING:GRID (so the page stays
// stateless and the same address always shows the same proposal) and an
// accept form that recomputes the very proposal shown and hands it to the
// store.

// proposeView is what the proposal page shows.
type proposeView struct {
	P         *proposal.Proposal
	N         int
	Moves     []string      // the adjustments, as BUILDING:GRID
	Pic       template.HTML // the proposal drawn
	Rows      []proposeRow
	Choices   []int // grid numbers a building may be put in (the last starts a new grid)
	CanAccept bool
	Action    string // the page's own path
	Reset     string // the address without adjustments
	ValidFrom string
	Reason    string
	Error     string
}

// proposeRow is one building of the adjustment table.
type proposeRow struct {
	proposal.Building
	Moved bool
}

// proposeOptions reads n and the adjustments from a query or form.
func proposeOptions(v url.Values) (proposal.Options, error) {
	var opt proposal.Options
	if s := strings.TrimSpace(v.Get("n")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > proposal.MaxHouseholds {
			return opt, wangge.Invalid("households", "error.proposal.households", "Max", proposal.MaxHouseholds)
		}
		opt.Households = n
	}
	moves, err := proposal.ParseMoves(v["move"])
	opt.Moves = moves
	return opt, err
}

// handlePropose shows the proposal for a community in the user's scope.
func (s *proposals) handlePropose(w http.ResponseWriter, r *http.Request) error {
	opt, err := proposeOptions(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := s.propose(r, opt)
	if err != nil {
		return err
	}
	s.renderPropose(w, r, http.StatusOK, p, opt, "", "", nil)
	return nil
}

// handleAccept accepts the proposal the form names (n, adjustments and the
// digest of what was shown) and sends the user to the community's page.
func (s *proposals) handleAccept(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return wangge.Invalid("form", "error.form.unreadable")
	}
	opt, err := proposeOptions(r.PostForm)
	if err != nil {
		return err
	}
	p, err := s.propose(r, opt)
	if err != nil {
		return err
	}
	from, reason := strings.TrimSpace(r.PostFormValue("valid_from")), strings.TrimSpace(r.PostFormValue("reason"))
	validFrom, err := time.ParseInLocation(time.DateOnly, from, whttp.ChinaTime)
	if err != nil {
		err = wangge.Invalid("valid_from", "error.proposal.valid_from")
	} else {
		_, err = p.Accept(ctx, s.store, whttp.UserFrom(ctx).Scope(), r.PostFormValue("digest"), validFrom, reason)
	}
	switch wangge.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/areas/"+url.PathEscape(p.Code)+"?redrawn=1", http.StatusSeeOther)
		return nil
	case wangge.EInvalid, wangge.EConflict:
		s.renderPropose(w, r, whttp.Status(err), p, opt, from, reason, err)
		return nil
	}
	return err
}

// propose makes the proposal for the path's community, in the user's scope.
func (s *proposals) propose(r *http.Request, opt proposal.Options) (*proposal.Proposal, error) {
	code := r.PathValue("code")
	if wangge.LevelOf(code) != wangge.LevelCommunity {
		return nil, wangge.ErrNotFound
	}
	return proposal.Make(r.Context(), s.store, whttp.UserFrom(r.Context()).Scope(), code, opt)
}

func (s *proposals) renderPropose(w http.ResponseWriter, r *http.Request, status int, p *proposal.Proposal, opt proposal.Options, from, reason string, err error) {
	l := whttp.LangOf(r)
	v := &proposeView{P: p, N: p.Target, Action: "/areas/" + p.Code + "/propose", ValidFrom: from, Reason: reason}
	v.Reset = v.Action + "?n=" + strconv.Itoa(p.Target)
	if v.ValidFrom == "" {
		v.ValidFrom = s.core.Now().In(whttp.ChinaTime).Format(time.DateOnly)
	}
	if err != nil {
		v.Error = wangge.ErrorZh(err)
		if l == whttp.LangEn {
			v.Error = wangge.ErrorMessage(err)
		}
	}
	for _, m := range opt.Moves {
		v.Moves = append(v.Moves, fmt.Sprintf("%d:%d", m.Building, m.Group))
	}
	for _, b := range p.Buildings {
		v.Rows = append(v.Rows, proposeRow{Building: b, Moved: b.Group != b.Proposed})
	}
	for n := 1; n <= len(p.Grids)+1; n++ {
		v.Choices = append(v.Choices, n)
	}
	_, planErr := p.Plan()
	v.CanAccept = planErr == nil
	v.Pic = s.proposalPicture(l, p)
	crumbs, cerr := pagekit.AreaCrumbs(r.Context(), s.store, p.Code)
	if cerr != nil {
		s.core.Error(w, r, cerr)
		return
	}
	crumbs = append(crumbs, whttp.Crumb{Name: s.core.TLang(l, "propose.title")})
	s.core.Render(w, r, status, "propose", &whttp.View{Title: p.Community.Name + " · " + s.core.TLang(l, "propose.title"), Crumbs: crumbs, Data: v})
}

// proposalPicture draws the proposal (geo/svg): the proposed grids in
// their colours, the current grids' outlines dashed, the community's
// outline, the buildings (those moved by hand in red), each grid's number
// and households, and a scale bar.
func (s *proposals) proposalPicture(l whttp.Lang, p *proposal.Proposal) template.HTML {
	t := func(id string, args ...any) string { return s.core.TLang(l, id, args...) }
	pic := svg.Picture{Class: "propose-map", Title: t("propose.map_title"), Frame: p.Outline, FillClass: "pg",
		DotRadius: 1.0 / 160, ScaleClass: "pg-scale", ScaleLabel: func(m string) string { return t("propose.metres", "M", m) }}
	for _, g := range p.Grids {
		if g.Geom.IsEmpty() {
			continue
		}
		class := "pg"
		if !g.Contiguous {
			class += " pg-detached"
		}
		pic.Shapes = append(pic.Shapes, svg.Shape{Geom: g.Geom, Class: class, Colour: g.Colour,
			Data:  map[string]string{"grid": strconv.Itoa(g.Number)},
			Title: t("propose.grid_n", "N", g.Number) + " · " + t("propose.households_n", "N", g.Households)})
		pic.Labels = append(pic.Labels,
			svg.Label{Lng: g.LabelLng, Lat: g.LabelLat, Class: "pg-label", Text: strconv.Itoa(g.Number), Size: 1.0 / 28},
			svg.Label{Lng: g.LabelLng, Lat: g.LabelLat, Class: "pg-count", Text: t("propose.households_n", "N", g.Households), Size: 1.0 / 48, Down: 1.0 / 40})
	}
	for _, c := range p.Current {
		pic.Shapes = append(pic.Shapes, svg.Shape{Geom: c.Geom, Class: "pg-current", Colour: -1})
	}
	pic.Shapes = append(pic.Shapes, svg.Shape{Geom: p.Outline, Class: "pg-outline", Colour: -1})
	for _, b := range p.Buildings {
		if !b.Located {
			continue
		}
		class := "pg-dot"
		if b.Group != b.Proposed {
			class += " pg-dot-moved"
		}
		pic.Dots = append(pic.Dots, svg.Dot{Lng: b.Lng, Lat: b.Lat, Class: class, Title: fmt.Sprintf("%s · %d", b.Name, b.Households)})
	}
	// The SVG escapes every text and attribute it writes.
	return template.HTML(svg.Draw(pic))
}
