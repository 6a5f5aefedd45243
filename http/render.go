package http

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/web"
)

// ChinaTime is Beijing time, in which dates are shown and ages reckoned.
// China has kept UTC+8 without daylight saving since 1991, so a fixed zone
// is exact and needs no tzdata.
var ChinaTime = time.FixedZone("CST", 8*60*60)

// pageNames are the page templates, every file in templates/ but
// layout.html, which each is parsed with.
var pageNames = func() []string {
	var names []string
	files, err := fs.Glob(web.FS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		if name := strings.TrimSuffix(path.Base(f), ".html"); name != "layout" {
			names = append(names, name)
		}
	}
	return names
}()

// templates holds every page parsed once per language, with the catalogue's
// "t" bound to that language, so rendering never clones or re-parses.
type templates struct {
	pages map[Lang]map[string]*template.Template
}

func (s *Server) newTemplates() (*templates, error) {
	ts := &templates{pages: map[Lang]map[string]*template.Template{}}
	for l := range catalogueLangs {
		ts.pages[l] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(s.funcs(l)).ParseFS(web.FS, "templates/layout.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", name, err)
			}
			ts.pages[l][name] = t
		}
	}
	return ts, nil
}

// funcs are the template functions for language l.
func (s *Server) funcs(l Lang) template.FuncMap {
	return template.FuncMap{
		"t":      func(id string, args ...any) string { return s.msgs.T(l, id, args...) },
		"static": staticURL,
		"date":   func(t any) string { return formatTime(t, time.DateOnly) },
		"time":   func(t any) string { return formatTime(t, "2006-01-02 15:04") },
		"age":    func(birth time.Time) int { return ident.Age(birth, s.now().In(ChinaTime)) },
		// The store masks ID numbers and phones on every ordinary read;
		// masking again here keeps a page from ever showing a full one.
		"idNumber": func(v string) string { return maskOnce(v, ident.MaskID) },
		"phone":    func(v string) string { return maskOnce(v, ident.MaskPhone) },
		"tel":      telURL,
		// initial is the first character of a name, for the avatar drawn
		// where an assistant has no photo.
		"initial": func(name string) string {
			for _, r := range name {
				return string(r)
			}
			return ""
		},
		"can": func(u *wangge.User, p string) bool {
			return u != nil && u.Role.Can(wangge.Permission(p))
		},
	}
}

// maskOnce masks v unless it is masked already.
func maskOnce(v string, mask func(string) string) string {
	if v == "" || strings.Contains(v, "*") {
		return v
	}
	return mask(v)
}

// formatTime formats a time.Time or *time.Time in Beijing time; nil and the
// zero time show as a dash.
func formatTime(v any, layout string) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	}
	if t.IsZero() {
		return "—"
	}
	return t.In(ChinaTime).Format(layout)
}

// telURL returns a tel: link for a public phone number (an assistant's work
// phone), keeping only digits, + and -.
func telURL(phone string) template.URL {
	var b strings.Builder
	for _, c := range phone {
		if c >= '0' && c <= '9' || c == '+' || c == '-' {
			b.WriteRune(c)
		}
	}
	return template.URL("tel:" + b.String())
}

// View is what every page template receives: the frame's data and the
// page's own in Data.
type View struct {
	Title  string
	Crumbs []Crumb
	Data   any
	Kiosk  bool // the public touch screen: no header, resets when idle
	Map    bool // the page draws a map: load Leaflet and map.js
	Import bool // the page follows an import's progress: load import.js
	Case   bool // a case page or the register form: load case.js
	// Workbench is the assistant's phone workbench: load workbench.js,
	// which keeps the grid's data and the queue offline.
	Workbench bool

	// KioskHome is where an idle kiosk returns ("/kiosk" when empty).
	KioskHome string

	// Set by render.
	Lang     Lang
	HTMLLang string
	LangURL  string
	User     *wangge.User
}

// Crumb is one step of the breadcrumb; the last has no URL.
type Crumb = pagekit.Crumb

// Render writes the page with the status. It renders into a buffer first,
// so a template error becomes a clean 500 rather than half a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, name string, v *View) {
	l := LangOf(r)
	v.Lang, v.HTMLLang, v.LangURL = l, l.htmlLang(), langSwitchURL(r, l)
	v.User = UserFrom(r.Context())
	var buf bytes.Buffer
	if err := s.tmpl.pages[l][name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // pages show personal data
	w.WriteHeader(status)
	buf.WriteTo(w)
}
