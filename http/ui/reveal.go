package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// revealReasons are the usual reasons to see a full ID number or phone,
// offered as choices; "other" needs words of its own.
var revealReasons = []string{"verify", "service", "contact", "correct", "other"}

type revealView struct {
	Person   *wangge.Person // masked on the form, full after a reveal
	Revealed bool
	Reasons  []string
	Reason   string
	Detail   string
	Back     string
	Limit    int
	Error    string
}

// handleRevealForm asks why the viewer needs the full values.
func (s *reveals) handleRevealForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	p, err := s.store.Person(r.Context(), whttp.UserFrom(r.Context()).Scope(), id)
	if err != nil {
		return err
	}
	// No reason is chosen for the user: a preselected one would be the
	// reason of every reveal.
	s.renderReveal(w, r, http.StatusOK, &revealView{Person: p, Reasons: revealReasons})
	return nil
}

// handleReveal shows the full ID number and phone once, after a reason;
// the store records the reveal and enforces the hourly limit.
func (s *reveals) handleReveal(w http.ResponseWriter, r *http.Request) error {
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	scope := whttp.UserFrom(ctx).Scope()
	reason, detail := r.PostFormValue("reason"), strings.TrimSpace(r.PostFormValue("detail"))
	known := false
	for _, x := range revealReasons {
		known = known || reason == x
	}
	if !known || reason == "other" && detail == "" {
		p, err := s.store.Person(ctx, scope, id)
		if err != nil {
			return err
		}
		v := &revealView{Person: p, Reasons: revealReasons, Reason: reason, Detail: detail}
		s.renderRevealError(w, r, v, wangge.Invalid("reason", "error.reveal.reason"))
		return nil
	}
	text := s.core.TLang(whttp.LangZh, "reveal.reason."+reason)
	if detail != "" {
		text += "：" + detail
	}
	p, err := s.store.RevealPerson(ctx, scope, id, text)
	if err != nil {
		if wangge.ErrorCode(err) == wangge.EInvalid {
			masked, merr := s.store.Person(ctx, scope, id)
			if merr != nil {
				return merr
			}
			s.renderRevealError(w, r, &revealView{Person: masked, Reasons: revealReasons, Reason: reason, Detail: detail}, err)
			return nil
		}
		return err
	}
	s.renderReveal(w, r, http.StatusOK, &revealView{Person: p, Revealed: true, Reason: reason, Detail: detail})
	return nil
}

func (s *reveals) renderRevealError(w http.ResponseWriter, r *http.Request, v *revealView, err error) {
	l := whttp.LangOf(r)
	msg := wangge.ErrorZh(err)
	if l == whttp.LangEn {
		msg = wangge.ErrorMessage(err)
	}
	s.renderRevealMsg(w, r, whttp.Status(err), v, msg)
}

func (s *reveals) renderReveal(w http.ResponseWriter, r *http.Request, status int, v *revealView) {
	s.renderRevealMsg(w, r, status, v, "")
}

func (s *reveals) renderRevealMsg(w http.ResponseWriter, r *http.Request, status int, v *revealView, msg string) {
	v.Back = "/households/" + strconv.FormatInt(v.Person.HouseholdID, 10)
	v.Limit = wangge.RevealsPerHour
	v.Error = msg
	title := s.core.T(r, "reveal.title")
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "reveal.back"), URL: v.Back}, {Name: v.Person.Name}}
	s.core.Render(w, r, status, "reveal", &whttp.View{Title: title, Crumbs: crumbs, Data: v})
}

// callView is the page a call button leads to: one big tel: link.
type callView struct {
	Person *wangge.Person // Phone in full
	Back   string
}

// handleCall lets the viewer phone a person: pressing "拨打" is itself a
// reveal of the phone (reason 电话联系), audited and counted against the
// hourly limit like any other, within the caller's scope only. The answer
// is a page whose big button is a tel: link, which phones follow; a
// redirect to tel: would leave a desktop browser on a blank page.
func (s *reveals) handleCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	scope := whttp.UserFrom(ctx).Scope()
	masked, err := s.store.Person(ctx, scope, id)
	if err != nil {
		return err
	}
	if masked.Phone == "" {
		return wangge.Invalid("phone", "error.person.no_phone")
	}
	p, err := s.store.RevealPerson(ctx, scope, id, s.core.TLang(whttp.LangZh, "call.reason"))
	if err != nil {
		return err
	}
	v := &callView{Person: &wangge.Person{ID: p.ID, HouseholdID: p.HouseholdID, Name: p.Name, Phone: p.Phone}, Back: "/households/" + strconv.FormatInt(p.HouseholdID, 10)}
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "reveal.back"), URL: v.Back}, {Name: p.Name}}
	s.core.Render(w, r, http.StatusOK, "call", &whttp.View{Title: s.core.T(r, "call.title", "Name", p.Name), Crumbs: crumbs, Data: v})
	return nil
}
