package open311

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
)

// Open311's own refusals; the domain's (an unknown category, a bad
// attribute, a rate limit) come from the store and the engine.
var (
	errNoKey        = wangge.E(wangge.EForbidden, "open311.error.no_key")
	errBadKey       = wangge.E(wangge.EForbidden, "open311.error.bad_key")
	errNoResource   = wangge.E(wangge.ENotFound, "open311.error.no_resource")
	errJurisdiction = wangge.E(wangge.ENotFound, "open311.error.jurisdiction")
	errBody         = wangge.E(wangge.EInvalid, "open311.error.body")
)

func errRate(per int) error { return wangge.E(wangge.ERateLimited, "open311.error.rate", "N", per) }
func errTooLarge(max int) error {
	return wangge.E(wangge.EInvalid, "open311.error.too_large", "Max", max)
}

// methodError refuses a method the resource does not take (405), with
// the methods it takes for the Allow header.
type methodError struct {
	err   *wangge.Error // its code, which the core's Status maps to 405
	allow []string
}

func errMethod(allow []string) error {
	return methodError{err: wangge.E(whttp.EMethodNotAllowed, "open311.error.method_short"), allow: allow}
}

func (e methodError) Error() string { return e.err.Error() }
func (e methodError) Unwrap() error { return e.err }

// renderError writes err as the spec's error array, in the format the
// path names, with the status: [{"code":404,"description":"…"}], or
// <errors><error><code>404</code><description>…</description></error></errors>.
// The core calls it for every error under /open311/ (ErrorsUnder), its
// own refusals and panics too, so no error there is ever a page.
func (h *handlers) renderError(w http.ResponseWriter, r *http.Request, status int, err error) {
	c := &call{format: formatOf(r.URL.Path), lang: langOf(r)}
	var desc string
	var me methodError
	var de *wangge.Error
	switch {
	case errors.As(err, &me):
		status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", strings.Join(me.allow, ", "))
		desc = c.text("open311.error.method", "Method", r.Method, "Allow", strings.Join(me.allow, ", "))
	case status == http.StatusInternalServerError:
		desc = c.text("open311.error.internal")
	case errors.As(err, &de):
		desc = wangge.ErrorZh(err)
		if c.lang == "en" {
			desc = wangge.ErrorMessage(err)
		}
		if de.Field != "" {
			// Which parameter is at fault, in the client's own words.
			desc = de.Field + ": " + desc
		}
	default:
		desc = c.text("open311.error.internal")
	}
	write(w, c.format, status, "errors", list{item: "error", v: []any{obj{{"code", status}, {"description", desc}}}})
}
