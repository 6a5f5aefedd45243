package http

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
)

// Lang is a language of the interface. Chinese is the default; English is
// one click away on every page.
type Lang string

const (
	LangZh Lang = "zh"
	LangEn Lang = "en"
)

// langCookie remembers the reader's choice of language.
const langCookie = "lang"

// htmlLang returns the value of <html lang>.
func (l Lang) htmlLang() string {
	if l == LangEn {
		return "en"
	}
	return "zh-CN"
}

// other returns the language the switch offers.
func (l Lang) other() Lang {
	if l == LangEn {
		return LangZh
	}
	return LangEn
}

// LangOf returns the reader's language: the cookie's when set, else Chinese.
func LangOf(r *http.Request) Lang {
	if c, err := r.Cookie(langCookie); err == nil && c.Value == string(LangEn) {
		return LangEn
	}
	return LangZh
}

// catalogue is the interface's view of the one message catalogue (package
// msg): the pages' strings and the domain's errors, in Chinese and English.
type catalogue struct {
	log *slog.Logger
}

// catalogueLangs are the interface's languages.
var catalogueLangs = map[Lang]bool{LangZh: true, LangEn: true}

func newCatalogue(log *slog.Logger) (*catalogue, error) {
	if err := msg.Check(); err != nil {
		return nil, fmt.Errorf("message catalogue: %w", err)
	}
	return &catalogue{log: log}, nil
}

// T returns the message id in language l. args are name/value pairs for the
// message's template ({{.Name}}). A missing message is logged and shown as
// its id, so a gap is visible rather than fatal.
func (c *catalogue) T(l Lang, id string, args ...any) string {
	if !msg.Has(id) {
		c.log.Warn("message catalogue", "lang", string(l), "id", id, "err", "no such message")
		return id
	}
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	return msg.Text(string(l), id, data)
}

// handleLang sets the language cookie and goes back to the page the switch
// was clicked on.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	l := Lang(r.PathValue("lang"))
	if !catalogueLangs[l] {
		s.Error(w, r, wangge.ErrNotFound)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// langSwitchURL returns the link that switches r's page to the other language.
func langSwitchURL(r *http.Request, l Lang) string {
	return "/lang/" + string(l.other()) + "?next=" + url.QueryEscape(r.URL.RequestURI())
}
