// Package open311 is Open311 GeoReport v2 under /open311/v2, so that
// existing 311 clients and city systems report into the grid system and
// follow what they reported: discovery, the services (the problem types
// and the hundred services) with their definitions, service requests
// (POST one, GET a list or one, a token for a request that waits to be
// placed), and mySociety's extension that FixMyStreet uses to sync,
// servicerequestupdates (GET the updates since a time, POST a resident's
// update). Every path answers .json or .xml as its extension says, and
// every error is the specification's error array in that format with the
// HTTP status, never an HTML page: unknown paths, wrong methods and
// panics included (the core renders this package's errors through
// ErrorsUnder).
//
// What a client may read is what the public may: only cases that came in
// through a public channel in a public category (casework.IsPublic),
// descriptions masked, reporters never named. A POST needs an API key
// (issued with `wangge apikey add`); each request that carries a key is
// limited to the key's hourly figure and audited with the key's name.
package open311

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/msg"
)

// Prefix is where the API lives.
const Prefix = "/open311/v2/"

// KeyStore finds the key a client sends.
type KeyStore interface {
	APIKeyByKey(ctx context.Context, key string) (*wangge.APIKey, error)
}

// CatalogueStore reads what the services list is made of and the
// district's code (the jurisdiction).
type CatalogueStore interface {
	ListServices(ctx context.Context, line wangge.Line, activeOnly bool) ([]wangge.Service, error)
	ListAreas(ctx context.Context, f wangge.AreaFilter) ([]wangge.Area, int, error)
}

// Auditor appends the audit entry of a keyed request.
type Auditor interface {
	Audit(ctx context.Context, e *wangge.AuditEntry) error
}

// handlers are the API's handlers and what they use.
type handlers struct {
	core    *whttp.Server
	keys    KeyStore
	cat     CatalogueStore
	audit   Auditor
	reports ReportStore
	held    holder // nil: requests whose address names no one building are refused
	limit   *limiter
}

// Routes is Open311's part of the server (a whttp.Provider). The store
// must keep API keys and cases (Routes panics otherwise, as the case API
// does: a server composed without them is a mistake to catch at once).
func Routes(core *whttp.Server, store wangge.Store) []whttp.Route {
	keys, ok := store.(KeyStore)
	if !ok {
		panic("open311: the store keeps no API keys (it implements no open311.KeyStore)")
	}
	reports, ok := store.(ReportStore)
	if !ok {
		panic("open311: the store keeps no public cases (it implements no open311.ReportStore)")
	}
	h := &handlers{core: core, keys: keys, cat: store, audit: store, reports: reports, limit: newLimiter()}
	if newHolder != nil {
		h.held = newHolder(store)
	}
	core.ErrorsUnder("/open311/", h.renderError)
	return []whttp.Route{
		core.Public("GET "+Prefix+"{file}", h.serve(h.handleGet)),
		core.Public("POST "+Prefix+"{file}", h.serve(h.handlePost)),
		core.Public("GET "+Prefix+"services/{file}", h.serve(h.handleDefinition)),
		core.Public("GET "+Prefix+"requests/{file}", h.serve(h.handleRequest)),
		core.Public("GET "+Prefix+"tokens/{file}", h.serve(h.handleToken)),
		// Everything else under /open311/ — a path no resource has, a
		// method a resource does not take, a CORS preflight — is answered
		// here in the spec's error form, not by the core's page.
		core.Public("/open311/", h.serve(h.handleRest)),
	}
}

// call is what every handler knows of its request.
type call struct {
	format format
	name   string // the resource: the last segment without its extension
	lang   string // "zh" or "en"
	key    *wangge.APIKey
}

// resources are the paths under Prefix and the methods each takes; name
// is the last segment without the extension, "*" any.
var resources = []struct {
	dir, name string
	methods   []string
}{
	{"", "discovery", []string{"GET"}},
	{"", "services", []string{"GET"}},
	{"", "requests", []string{"GET", "POST"}},
	{"", "servicerequestupdates", []string{"GET", "POST"}},
	{"services", "*", []string{"GET"}},
	{"requests", "*", []string{"GET"}},
	{"tokens", "*", []string{"GET"}},
}

// split parses a path under Prefix into its directory and its last
// segment's name and format; ok is false for a path of no resource or an
// extension other than .json or .xml.
func split(path string) (dir, name string, f format, ok bool) {
	rest, found := strings.CutPrefix(path, Prefix)
	if !found {
		return "", "", formatJSON, false
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		dir, rest = rest[:i], rest[i+1:]
		if strings.Contains(rest, "/") {
			return "", "", formatOf(rest), false
		}
	}
	f = formatOf(rest)
	switch {
	case strings.HasSuffix(rest, ".json"):
		name = strings.TrimSuffix(rest, ".json")
	case strings.HasSuffix(rest, ".xml"):
		name = strings.TrimSuffix(rest, ".xml")
	default:
		return dir, "", f, false
	}
	return dir, name, f, name != ""
}

// formatOf is the format an answer to path is written in: XML for a path
// ending in .xml, JSON otherwise (a bad extension's error too).
func formatOf(path string) format {
	if strings.HasSuffix(path, ".xml") {
		return formatXML
	}
	return formatJSON
}

// methodsOf returns the methods the resource at path takes, none when no
// resource is there.
func methodsOf(path string) []string {
	dir, name, _, ok := split(path)
	if !ok {
		return nil
	}
	for _, r := range resources {
		if r.dir == dir && (r.name == name || r.name == "*") {
			return r.methods
		}
	}
	return nil
}

// serve wraps a handler: the format, the language, the jurisdiction, the
// API key and its limit, CORS for reads, and the audit entry of a keyed
// request once it is answered. Errors are rendered here rather than
// returned, so that the audit entry has the error's status.
func (h *handlers) serve(fn func(w http.ResponseWriter, r *http.Request, c *call) error) whttp.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sw := whttp.NewStatusWriter(w)
		c, err := h.prepare(sw, r)
		if err == nil {
			err = fn(sw, r, c)
		}
		if err != nil {
			h.core.Error(sw, r, err)
		}
		if c != nil && c.key != nil {
			h.auditRequest(r, c.key, sw.Status())
		}
		return nil
	}
}

// prepare reads what every handler needs and applies the checks before
// any: the body, the jurisdiction, the key and the limit.
func (h *handlers) prepare(w http.ResponseWriter, r *http.Request) (*call, error) {
	_, name, f, _ := split(r.URL.Path)
	c := &call{format: f, name: name, lang: langOf(r)}
	if r.Method != http.MethodOptions {
		// A path of no resource or a method it does not take is refused
		// before anything is read or counted.
		if err := known(r); err != nil {
			return c, err
		}
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		// Reads are public data: any site's script may fetch them, and
		// none is sent with credentials (no Allow-Credentials).
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, postMax)
		if err := parseForm(r); err != nil {
			return c, err
		}
	}
	if key := r.FormValue("api_key"); key != "" {
		k, err := h.keys.APIKeyByKey(r.Context(), key)
		if wangge.ErrorCode(err) == wangge.ENotFound {
			return c, errBadKey
		} else if err != nil {
			return c, err
		}
		c.key = k
	}
	if j := r.FormValue("jurisdiction_id"); j != "" {
		if err := h.checkJurisdiction(r.Context(), j); err != nil {
			return c, err
		}
	}
	if r.Method != http.MethodPost || c.key == nil {
		// Reads, keyed or not, count against the key or the client's
		// address in this server's memory; a keyed POST counts in the
		// store (its "key" limit), where every server sees it.
		who, per := "addr:"+h.core.ClientAddr(r), wangge.APIKeyPerHour
		if c.key != nil {
			who, per = "key:"+strconv.FormatInt(c.key.ID, 10), c.key.PerHour
		}
		if !h.limit.allow(who, per, h.core.Now()) {
			return c, errRate(per)
		}
	}
	return c, nil
}

// postMax bounds a POST's body: three photos of attach's largest and the
// fields around them.
const postMax = 3*(10<<20) + 1<<20

// parseForm reads a form-encoded or multipart body (FixMyStreet sends
// photos as multipart files photo1, photo2, …).
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errTooLarge(postMax)
	case err != nil:
		return errBody
	}
	return nil
}

// checkJurisdiction refuses a jurisdiction_id other than the district's.
func (h *handlers) checkJurisdiction(ctx context.Context, id string) error {
	areas, _, err := h.cat.ListAreas(ctx, wangge.AreaFilter{Level: wangge.LevelDistrict, Page: wangge.Page{Limit: 10}})
	if err != nil {
		return err
	}
	for _, a := range areas {
		if a.Code == id {
			return nil
		}
	}
	return errJurisdiction
}

// auditRequest records a keyed request under the key's name: method,
// path (never the query, which may carry a phone) and the status.
func (h *handlers) auditRequest(r *http.Request, k *wangge.APIKey, status int) {
	detail, _ := json.Marshal(map[string]any{"method": r.Method, "path": r.URL.Path, "status": status})
	e := &wangge.AuditEntry{Username: "apikey:" + k.Name, Addr: h.core.ClientAddr(r), Action: "open311.request",
		Object: "api_key", ObjectID: strconv.FormatInt(k.ID, 10), Detail: string(detail)}
	// The request's own context may be cancelled once the answer is out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := h.audit.Audit(ctx, e); err != nil {
		h.core.Logger().Error("open311: audit", "key", k.Name, "err", err)
	}
}

// langOf is the language a client asks for in Accept-Language: English
// when it prefers English to Chinese, Chinese otherwise.
func langOf(r *http.Request) string {
	type pref struct {
		lang string
		q    float64
	}
	var prefs []pref
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		tag = strings.ToLower(tag)
		switch {
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			prefs = append(prefs, pref{"en", q})
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			prefs = append(prefs, pref{"zh", q})
		}
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	if len(prefs) > 0 && prefs[0].lang == "en" && prefs[0].q > 0 {
		return "en"
	}
	return "zh"
}

// text is the catalogue's message in the call's language.
func (c *call) text(key string, params ...any) string {
	return msg.Text(c.lang, key, msg.Params(params...))
}

// handleGet answers the GET resources at the top: discovery, services,
// requests and servicerequestupdates.
func (h *handlers) handleGet(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := known(r); err != nil {
		return err
	}
	switch c.name {
	case "discovery":
		return h.handleDiscovery(w, r, c)
	case "services":
		return h.handleServices(w, r, c)
	case "requests":
		return h.handleRequests(w, r, c)
	case "servicerequestupdates":
		return h.handleUpdates(w, r, c)
	}
	return errNoResource
}

// handlePost answers the POST resources: requests and
// servicerequestupdates, both needing a key.
func (h *handlers) handlePost(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := known(r); err != nil {
		return err
	}
	if c.key == nil {
		return errNoKey
	}
	switch c.name {
	case "requests":
		return h.handlePostRequest(w, r, c)
	case "servicerequestupdates":
		return h.handlePostUpdate(w, r, c)
	}
	return errNoResource
}

// known refuses a path of no resource (404) or a method the resource
// does not take (405, with Allow).
func known(r *http.Request) error {
	methods := methodsOf(r.URL.Path)
	if methods == nil {
		return errNoResource
	}
	for _, m := range methods {
		if m == r.Method || m == "GET" && r.Method == http.MethodHead {
			return nil
		}
	}
	return errMethod(methods)
}

// handleRest answers what no other route took: a CORS preflight of a
// readable resource, a wrong method, or a path of no resource.
func (h *handlers) handleRest(w http.ResponseWriter, r *http.Request, c *call) error {
	methods := methodsOf(r.URL.Path)
	if methods != nil && r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET")
		w.Header().Set("Allow", strings.Join(append(methods, "OPTIONS"), ", "))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return known(r)
}

// limiter counts requests per client in hour-long windows, in memory: a
// figure per server, which is enough to keep one client from reading the
// public data in a loop (a POST's limit is the store's, shared).
type limiter struct {
	mu  sync.Mutex
	win map[string]*hourWindow
}

type hourWindow struct {
	start time.Time
	n     int
}

// limiterMax bounds how many clients the limiter remembers; past it, the
// windows that have run out are dropped.
const limiterMax = 10000

func newLimiter() *limiter { return &limiter{win: map[string]*hourWindow{}} }

// allow counts a request of who and reports whether it is within per an
// hour.
func (l *limiter) allow(who string, per int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.win[who]
	if w == nil || now.Sub(w.start) >= time.Hour || now.Before(w.start) {
		if len(l.win) >= limiterMax {
			for k, v := range l.win {
				if now.Sub(v.start) >= time.Hour {
					delete(l.win, k)
				}
			}
		}
		w = &hourWindow{start: now}
		l.win[who] = w
	}
	if w.n >= per {
		return false
	}
	w.n++
	return true
}
