package http

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/wangge/wangge"
)

// Errors of the web layer itself; everything else comes from the domain.
var (
	errBadLogin      = wangge.E(wangge.EUnauthorized, "error.login.bad")
	errDisabled      = wangge.E(wangge.EForbidden, "error.login.disabled")
	errLoginRequired = wangge.E(wangge.EUnauthorized, "error.login.required")
	errCrossOrigin   = wangge.E(wangge.EForbidden, "error.cross_origin")
	// ErrForbidden refuses a user whose role may not do what they ask;
	// Page routes answer it, and a handler package returns it for checks
	// finer than a route's permission (which report a department makes).
	ErrForbidden = wangge.E(wangge.EForbidden, "error.forbidden.role")
	// errMethod answers a known path asked with a method it does not take;
	// the caller sets the Allow header.
	errMethod = wangge.E(eMethodNotAllowed, "error.method")
)

// eMethodNotAllowed is a code of the web layer only: the domain never
// sees HTTP methods.
const eMethodNotAllowed = "method_not_allowed"

// EMethodNotAllowed is that code for a handler package that refuses a
// method itself (Open311's catch-all): Status maps it to 405.
const EMethodNotAllowed = eMethodNotAllowed

// Status is the one place a domain error becomes an HTTP status: Error
// renders with it, and a handler that shows an error in its own page (a
// form asked again) answers with it.
func Status(err error) int {
	switch wangge.ErrorCode(err) {
	case wangge.EInvalid:
		return http.StatusBadRequest
	case wangge.ENotFound:
		return http.StatusNotFound
	case wangge.EConflict:
		return http.StatusConflict
	case wangge.EUnauthorized:
		return http.StatusUnauthorized
	case wangge.EForbidden:
		return http.StatusForbidden
	case wangge.ELocked:
		return http.StatusLocked
	case wangge.ERateLimited:
		return http.StatusTooManyRequests
	case eMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// errorView is what the error page shows: the message in the page's
// language only, so a Chinese page carries no English line.
type errorView struct {
	Status  int
	Message string // the domain's text; internal errors have a generic one
}

// Error is the one error renderer: the JSON error object for the API
// (paths under /api/) and for requests that prefer JSON, the error page
// otherwise, each with the status the one mapping above gives err.
// Internal errors are logged and shown only as "internal error".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	for _, e := range s.errorsUnder {
		if strings.HasPrefix(r.URL.Path, e.prefix) {
			e.render(w, r, status, err)
			return
		}
	}
	if wantsJSON(r) {
		WriteJSON(w, status, apiErrorOf(err))
		return
	}
	l := LangOf(r)
	ev := errorView{Status: status, Message: wangge.ErrorMessage(err)}
	if l != LangEn {
		// An error without a Chinese text would put English on a Chinese
		// page; the catalogue's generic line stands in for it.
		var e *wangge.Error
		if ev.Message = wangge.ErrorZh(err); errors.As(err, &e) && e.Zh == "" && e.Key == "" {
			ev.Message = s.msgs.T(l, "error.no_detail")
		}
	}
	title := s.msgs.T(l, "error."+strconv.Itoa(status))
	s.Render(w, r, status, "error", &View{Title: title, Data: ev})
}

// apiError is the JSON API's one error shape.
type apiError struct {
	Error struct {
		Code    string               `json:"code"`
		Message string               `json:"message"`
		Zh      string               `json:"message_zh,omitempty"`
		Details []wangge.ErrorDetail `json:"details"`
	} `json:"error"`
}

// apiErrorOf is err as the API's error object. Details are the error's
// own when it has them; an error about one field names that field.
func apiErrorOf(err error) apiError {
	var e apiError
	e.Error.Code = wangge.ErrorCode(err)
	e.Error.Message = wangge.ErrorMessage(err)
	e.Error.Zh = wangge.ErrorZh(err)
	e.Error.Details = []wangge.ErrorDetail{}
	var de *wangge.Error
	if errors.As(err, &de) {
		switch {
		case de.Details != nil:
			e.Error.Details = de.Details
		case de.Field != "":
			e.Error.Details = []wangge.ErrorDetail{{Field: de.Field, Message: wangge.ErrorMessage(de), Zh: wangge.ErrorZh(de)}}
		}
	}
	return e
}

// isAPI tells whether the request is to the JSON API.
func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

// wantsJSON tells whether r gets its errors as JSON: every API request,
// and any other whose Accept header prefers application/json to text/html
// (a page's script asking for data). Browsers asking for pages prefer
// text/html; "*/*" alone is a tie, which the page wins.
func wantsJSON(r *http.Request) bool {
	if isAPI(r) {
		return true
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return false
	}
	jq, js := acceptQ(accept, "application", "json")
	hq, hs := acceptQ(accept, "text", "html")
	return jq > hq || jq == hq && jq > 0 && js > hs
}

// acceptQ returns the quality the Accept header gives type/sub, from the
// most specific range that matches it, and that range's specificity
// (2 type/sub, 1 type/*, 0 */*; -1 and q 0 when none matches).
func acceptQ(accept, typ, sub string) (q float64, spec int) {
	spec = -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		t, st, _ := strings.Cut(mt, "/")
		var sp int
		switch {
		case t == typ && st == sub:
			sp = 2
		case t == typ && st == "*":
			sp = 1
		case t == "*" && st == "*":
			sp = 0
		default:
			continue
		}
		if sp <= spec {
			continue
		}
		pq := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				pq = f
			}
		}
		q, spec = pq, sp
	}
	return q, spec
}

// allowedMethods are the methods mux routes path to, for the Allow header
// of a 405; none when no route takes the path at all.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return allow
}
