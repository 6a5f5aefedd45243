package http

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/peterstace/simplefeatures/geom"

	"github.com/wangge/wangge"
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
	Moves     []string // the adjustments, as BUILDING:GRID
	Pic       *picture
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
			return opt, wangge.FieldError("households", fmt.Sprintf("每个网格的户数应为 1 至 %d 之间的整数。", proposal.MaxHouseholds),
				fmt.Sprintf("The households per grid must be a whole number from 1 to %d.", proposal.MaxHouseholds))
		}
		opt.Households = n
	}
	moves, err := proposal.ParseMoves(v["move"])
	opt.Moves = moves
	return opt, err
}

// handlePropose shows the proposal for a community in the user's scope.
func (s *Server) handlePropose(w http.ResponseWriter, r *http.Request) error {
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
func (s *Server) handleAccept(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return wangge.FieldError("form", "表单无法读取。", "The form cannot be read.")
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
	validFrom, err := time.ParseInLocation(time.DateOnly, from, chinaTime)
	if err != nil {
		err = wangge.FieldError("valid_from", "请填写生效日期（年-月-日）。", "Give the date the new grids take effect (YYYY-MM-DD).")
	} else {
		_, err = p.Accept(ctx, s.store, userFrom(ctx).Scope(), r.PostFormValue("digest"), validFrom, reason)
	}
	switch wangge.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/areas/"+url.PathEscape(p.Code)+"?redrawn=1", http.StatusSeeOther)
		return nil
	case wangge.EInvalid, wangge.EConflict:
		s.renderPropose(w, r, httpStatus(err), p, opt, from, reason, err)
		return nil
	}
	return err
}

// propose makes the proposal for the path's community, in the user's scope.
func (s *Server) propose(r *http.Request, opt proposal.Options) (*proposal.Proposal, error) {
	code := r.PathValue("code")
	if wangge.LevelOf(code) != wangge.LevelCommunity {
		return nil, wangge.ErrNotFound
	}
	return proposal.Make(r.Context(), s.store, userFrom(r.Context()).Scope(), code, opt)
}

func (s *Server) renderPropose(w http.ResponseWriter, r *http.Request, status int, p *proposal.Proposal, opt proposal.Options, from, reason string, err error) {
	l := langOf(r)
	v := &proposeView{P: p, N: p.Target, Action: "/areas/" + p.Code + "/propose", ValidFrom: from, Reason: reason}
	v.Reset = v.Action + "?n=" + strconv.Itoa(p.Target)
	if v.ValidFrom == "" {
		v.ValidFrom = s.now().In(chinaTime).Format(time.DateOnly)
	}
	if err != nil {
		v.Error = wangge.ErrorZh(err)
		if l == langEn {
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
	v.Pic = newPicture(p)
	crumbs, cerr := s.areaCrumbs(r.Context(), p.Code)
	if cerr != nil {
		s.error(w, r, cerr)
		return
	}
	crumbs = append(crumbs, crumb{Name: s.msgs.T(l, "propose.title")})
	s.render(w, r, status, "propose", &view{Title: p.Community.Name + " · " + s.msgs.T(l, "propose.title"), Crumbs: crumbs, Data: v})
}

// picture is the proposal drawn in metres on a local projection, north up.
type picture struct {
	ViewBox  string
	Outline  string
	Current  []string // current grids' outlines (dashed)
	Grids    []picGrid
	Dots     []picDot
	Font     string // label size, in picture units
	Small    string // household counts and the scale's size
	DotR     string
	Scale    string // a scale bar: its length in metres, its path and where its label goes
	ScaleBar string
	ScaleX   string
	ScaleY   string
}

type picGrid struct {
	Number, Households, Colour int
	D                          string
	X, Y, Y2                   string // label position
	Code                       string
	Contiguous                 bool
}

type picDot struct {
	X, Y  string
	Title string
	Moved bool
}

func newPicture(p *proposal.Proposal) *picture {
	env := p.Outline.Envelope()
	lo, _ := env.Min().XY()
	hi, _ := env.Max().XY()
	lat0 := (lo.Y + hi.Y) / 2
	const r = 6371008.8 * math.Pi / 180
	kx := r * math.Cos(lat0*math.Pi/180)
	pt := func(lng, lat float64) (float64, float64) { return (lng - lo.X) * kx, (hi.Y - lat) * r }
	w, h := (hi.X-lo.X)*kx, (hi.Y-lo.Y)*r
	pad := 0.03 * max(w, h)
	num := func(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
	path := func(g geom.Geometry) string {
		var b strings.Builder
		for _, part := range g.Dump() {
			poly, ok := part.AsPolygon()
			if !ok {
				continue
			}
			for _, ring := range poly.DumpRings() {
				seq := ring.Coordinates()
				for i := range seq.Length() {
					xy := seq.GetXY(i)
					x, y := pt(xy.X, xy.Y)
					if i == 0 {
						b.WriteString("M")
					} else {
						b.WriteString(" L")
					}
					b.WriteString(num(x) + " " + num(y))
				}
				b.WriteString(" Z ")
			}
		}
		return strings.TrimSpace(b.String())
	}
	size := max(w, h)
	pic := &picture{
		ViewBox: num(-pad) + " " + num(-pad) + " " + num(w+2*pad) + " " + num(h+2*pad),
		Outline: path(p.Outline),
		Font:    num(size / 28),
		Small:   num(size / 48),
		DotR:    num(size / 160),
	}
	for _, c := range p.Current {
		if !c.Geom.IsEmpty() {
			pic.Current = append(pic.Current, path(c.Geom))
		}
	}
	for _, g := range p.Grids {
		if g.Geom.IsEmpty() {
			continue
		}
		x, y := pt(g.LabelLng, g.LabelLat)
		pic.Grids = append(pic.Grids, picGrid{Number: g.Number, Households: g.Households, Colour: g.Colour, D: path(g.Geom),
			X: num(x), Y: num(y), Y2: num(y + size/40), Code: g.Code, Contiguous: g.Contiguous})
	}
	for _, b := range p.Buildings {
		if !b.Located {
			continue
		}
		x, y := pt(b.Lng, b.Lat)
		pic.Dots = append(pic.Dots, picDot{X: num(x), Y: num(y), Title: fmt.Sprintf("%s · %d", b.Name, b.Households), Moved: b.Group != b.Proposed})
	}
	// A scale bar of a round length about a fifth of the width.
	bar := 1.0
	for _, m := range []float64{10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000} {
		if m <= w/5 {
			bar = m
		}
	}
	pic.Scale = strconv.FormatFloat(bar, 'f', -1, 64)
	by := h + pad/2
	pic.ScaleBar = "M0 " + num(by) + " L" + num(bar) + " " + num(by)
	pic.ScaleX, pic.ScaleY = num(bar+size/80), num(by+size/150)
	return pic
}
