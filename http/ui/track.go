package ui

import (
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	whttp "github.com/wangge/wangge/http"
)

// The tracking page (/track/{number}?t=TOKEN): what became of a report,
// for whoever holds the token the report or a "me too" gave — the state
// in words, the date it is expected, the public updates in order and the
// outcome; once closed, "was it solved?" and a rating, and "not solved"
// within the reopen window reopens it. A wrong or missing token is the
// same 404 as an unknown number, so the page tells nobody which numbers
// exist. The token is in the address only: the request log records the
// path alone, and the page sends no referrer, so a link it holds (a
// photo, the map) never carries the token away.

// trackNoteMax bounds the note a rating carries.
const trackNoteMax = 500

// trackUpdate is one public update as the page shows it.
type trackUpdate struct {
	At   time.Time
	Kind casework.UpdateKind
	Text string
}

// trackView is what the tracking page shows.
type trackView struct {
	Case     *casework.PublicCase
	Tracker  *casework.Tracker
	Token    string
	Category string
	Open     bool
	Updates  []trackUpdate
	// Outcome is what the reporter was told (shown once closed).
	Outcome string
	// Just says what the visitor has just done: "received" (the report),
	// "rated", "reopened".
	Just string
	// Kiosk: the page on the kiosk, with the link as a QR code to take
	// along on a phone.
	Kiosk bool
	Link  string
	QR    template.HTML
	Error string
	// Solved is the tracker's answer ("yes", "no"; "" before one).
	Solved string
	// Satisfactions are the rating's choices.
	Satisfactions []casework.Satisfaction
}

func (s *intake) handleTrack(w http.ResponseWriter, r *http.Request) error {
	number, token := r.PathValue("number"), r.URL.Query().Get("t")
	v, err := s.trackView(r, number, token)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("just") {
	case "received", "rated", "reopened", "followed":
		v.Just = r.URL.Query().Get("just")
	}
	return s.renderTrack(w, r, http.StatusOK, v)
}

// trackView reads the case for the token; anything but the right token
// for a public case is not found.
func (s *intake) trackView(r *http.Request, number, token string) (*trackView, error) {
	if _, _, ok := casework.ParseNumber(number); !ok || token == "" || len(token) > 128 {
		return nil, wangge.ErrNotFound
	}
	// A wrong token counts against the client's address, so that tokens
	// cannot be guessed at speed.
	c, tr, err := s.store.TrackCase(r.Context(), number, token, s.limits(r, "")[0])
	if err != nil {
		return nil, err
	}
	l := whttp.LangOf(r)
	v := &trackView{Case: c, Tracker: tr, Token: token, Category: publicCategoryName(l, *c), Open: c.Status != "closed",
		Satisfactions: casework.Satisfactions}
	if tr != nil && tr.Solved != nil {
		v.Solved = map[bool]string{true: "yes", false: "no"}[*tr.Solved]
	}
	for _, u := range c.Updates {
		v.Updates = append(v.Updates, trackUpdate{At: u.At, Kind: u.Kind, Text: u.Text})
		// The outcome is what the reporter was told last (the feedback
		// before the close), or the close's own words.
		if (u.Kind == casework.UpdateReply || u.Kind == casework.UpdateClosed) && u.Text != "" {
			v.Outcome = u.Text
		}
	}
	if r.URL.Query().Get("via") == "kiosk" {
		v.Kiosk = true
		v.Link = (&plates{core: s.core}).kioskBase(r) + trackURL(c.Number, token, "")
		qr, err := qrSVG(v.Link, s.core.T(r, "track.qr"))
		if err != nil {
			return nil, err
		}
		v.QR = qr
	}
	return v, nil
}

func (s *intake) renderTrack(w http.ResponseWriter, r *http.Request, status int, v *trackView) error {
	// The address holds the token: no link followed from here may carry
	// it to another page or site.
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.core.Render(w, r, status, "track", &whttp.View{Title: s.core.T(r, "track.title", "Number", v.Case.Number), Data: v, Kiosk: v.Kiosk})
	return nil
}

// handleRate takes the reporter's answer once the case is closed: solved
// or not, and how satisfied. The token comes in the body, never the
// address; "not solved" within the reopen window reopens the case (the
// store, through the engine, as the resident).
func (s *intake) handleRate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errFormBroken
	}
	number, token := r.PathValue("number"), r.PostFormValue("t")
	via := ""
	if r.PostFormValue("via") == "kiosk" {
		via = "kiosk"
	}
	refuse := func(err error) error {
		v, verr := s.trackView(r, number, token)
		if verr != nil {
			return verr
		}
		v.Error = errText(r, err)
		return s.renderTrack(w, r, whttp.Status(err), v)
	}
	if _, _, ok := casework.ParseNumber(number); !ok || token == "" || len(token) > 128 {
		return wangge.ErrNotFound
	}
	var rt casework.Rating
	switch r.PostFormValue("solved") {
	case "yes":
		rt.Solved = true
	case "no":
	default:
		return refuse(wangge.Invalid("solved", "error.track.solved"))
	}
	sat, ok := parseSatisfaction(r.PostFormValue("satisfaction"))
	if !ok {
		return refuse(wangge.Invalid("satisfaction", "error.track.satisfaction"))
	}
	rt.Satisfaction = sat
	rt.Note = strings.TrimSpace(r.PostFormValue("note"))
	if utf8.RuneCountInString(rt.Note) > trackNoteMax {
		return refuse(wangge.Invalid("note", "error.report.too_long", "Max", trackNoteMax))
	}
	c, err := s.store.RateCase(r.Context(), number, token, rt)
	if err != nil {
		if code := wangge.ErrorCode(err); code == wangge.EInvalid || code == wangge.EConflict || code == wangge.EForbidden {
			return refuse(err)
		}
		return err
	}
	just := "rated"
	if c.Status != "closed" {
		just = "reopened"
	}
	http.Redirect(w, r, trackURL(c.Number, token, via)+"&just="+just, http.StatusSeeOther)
	return nil
}
