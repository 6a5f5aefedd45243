package http

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/web"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// cspWithTiles is the policy when map tiles come from origin: images from
// there too, and nothing else.
func cspWithTiles(origin string) string {
	if origin == "" {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "img-src 'self' data:;", "img-src 'self' data: "+origin+";", 1)
}

// TileOrigin checks a tile URL template (Options.TileURL) and returns its
// origin ("" for an empty template): http or https, a host, and the {z},
// {x} and {y} placeholders.
func TileOrigin(tmpl string) (string, error) {
	if tmpl == "" {
		return "", nil
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(tmpl))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		!strings.Contains(tmpl, "{z}") || !strings.Contains(tmpl, "{x}") || !strings.Contains(tmpl, "{y}") {
		return "", wangge.Invalid("tiles", "error.tiles")
	}
	if _, parent, ok := strings.Cut(u.Host, "."); ok && strings.HasPrefix(tmpl, u.Scheme+"://{s}.") {
		// {s}.tile.example.org: any host under the parent domain.
		return u.Scheme + "://*." + parent, nil
	}
	return u.Scheme + "://" + u.Host, nil
}

// securityHeaders sets the headers every response carries.
func securityHeaders(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// StatusWriter remembers the status a handler wrote: for the request log
// and the metrics here, and for a handler package that records what it
// answered (Open311's audit of a keyed request).
type StatusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// NewStatusWriter wraps w; a handler that writes nothing answered 200.
func NewStatusWriter(w http.ResponseWriter) *StatusWriter {
	return &StatusWriter{ResponseWriter: w, status: http.StatusOK}
}

// Status is the status written (200 until then).
func (w *StatusWriter) Status() int { return w.status }

func (w *StatusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs each request and counts it in the metrics. It logs the
// path only: query strings may carry names or numbers of people.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := NewStatusWriter(w)
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		s.metrics.observe(r.Method, sw.status, d)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Duration("duration", d))
	})
}

// recoverPanics turns a panic in a handler into a 500 page and a log entry.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if sw, ok := w.(*StatusWriter); ok && sw.wrote {
				return // too late for an error page
			}
			s.Error(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

// staticVersions maps each static file to a short hash of its content, so
// that its URL changes when it does and browsers may cache it for a year.
var staticVersions = func() map[string]string {
	m := map[string]string{}
	fs.WalkDir(web.FS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.FS, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[strings.TrimPrefix(path, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return m
}()

// staticURL returns the versioned URL of a static file.
func staticURL(name string) string {
	if v, ok := staticVersions[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

// staticHandler serves web/static under /static/, without directory listings.
func (s *Server) staticHandler() http.Handler {
	sub, err := fs.Sub(web.FS, "static")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path
		if _, ok := staticVersions[name]; !ok {
			s.Error(w, r, wangge.ErrNotFound)
			return
		}
		if r.URL.Query().Get("v") == staticVersions[name] {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	}))
}
