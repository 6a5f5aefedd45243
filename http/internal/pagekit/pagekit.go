// Package pagekit holds what the pages share while they move from the core
// (package http) into http/ui (issue 10): the one pagination shape, the
// numeric {id} of a path, the breadcrumb of an area and the sending of a
// download. Both sides import it, so nothing is written twice; once every
// page lives in http/ui it folds into that package.
package pagekit

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/wangge/wangge"
)

// PageSize is the length of every paginated list but the printed ones.
const PageSize = wangge.DefaultPageLimit

// ErrBadPage refuses a page number that is not a positive integer.
var ErrBadPage = wangge.Invalid("page", "error.page.number")

// PageOf reads ?page=N (1 when absent) as the one pagination shape.
func PageOf(r *http.Request) (wangge.Page, int, error) { return PageOfSize(r, PageSize) }

// PageOfSize is PageOf for pages of size items.
func PageOfSize(r *http.Request, size int) (wangge.Page, int, error) {
	n, err := PageNumber(r, "page")
	if err != nil {
		return wangge.Page{}, 0, err
	}
	return wangge.Page{Offset: (n - 1) * size, Limit: size}, n, nil
}

// PageNumber reads the page number in the query parameter param: 1 when
// absent. A page with two lists pages each under its own parameter.
func PageNumber(r *http.Request, param string) (int, error) {
	n := 1
	if v := r.URL.Query().Get(param); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 1_000_000 {
			return 0, ErrBadPage
		}
	}
	return n, nil
}

// Pager is what a paginated list shows under it: "第 x 页 / 共 y 页" and
// links to the neighbouring pages.
type Pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

// NewPager is the pager of page (1-based) of a list of total items.
func NewPager(r *http.Request, page, total int) *Pager { return NewPagerSize(r, page, total, PageSize) }

// NewPagerSize is NewPager for pages of size items.
func NewPagerSize(r *http.Request, page, total, size int) *Pager {
	return NewPagerParam(r, "page", "", page, total, size)
}

// NewPagerParam is NewPagerSize for the list paged by param; the links
// end in fragment (the list's heading), if any.
func NewPagerParam(r *http.Request, param, fragment string, page, total, size int) *Pager {
	p := &Pager{Page: page, Pages: max(1, (total+size-1)/size), Total: total}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set(param, strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode() + fragment
	}
	if page > 1 {
		p.Prev = link(min(page-1, p.Pages))
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// IDOf reads the numeric {id} of the path; anything else is not found.
func IDOf(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, wangge.ErrNotFound
	}
	return id, nil
}

// Crumb is one step of a page's breadcrumb; the last has no URL.
type Crumb struct {
	Name string
	URL  string
}

// AreaReader reads one area by its code (a public fact).
type AreaReader interface {
	Area(ctx context.Context, code string) (*wangge.Area, error)
}

// AreaCrumbs returns the breadcrumb from the district down to the area
// code, each a link. Region names are public, and every ancestor of an
// area the user may see is one they may see.
func AreaCrumbs(ctx context.Context, areas AreaReader, code string) ([]Crumb, error) {
	var cs []Crumb
	for _, n := range []int{wangge.DistrictCodeLen, wangge.SubdistrictCodeLen, wangge.CommunityCodeLen, wangge.GridCodeLen} {
		if n > len(code) {
			break
		}
		a, err := areas.Area(ctx, code[:n])
		if err != nil {
			return nil, err
		}
		cs = append(cs, Crumb{Name: a.Name, URL: "/areas/" + a.Code})
	}
	return cs, nil
}

// AreaName returns the name of an area, or its code when it is not found
// (a list naming a moved household's old grid still shows something).
func AreaName(ctx context.Context, areas AreaReader, code string) string {
	if a, err := areas.Area(ctx, code); err == nil {
		return a.Name
	}
	return code
}

// XLSXType is the media type of an xlsx file.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Attachment is a Content-Disposition naming a download, with a Chinese
// name for browsers that take one.
func Attachment(ascii, name string) string {
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + strings.ReplaceAll(url.QueryEscape(name), "+", "%20")
}

// SendFile sends a written temporary file as a download. Once the body
// has begun an error can no longer be rendered, so a failed copy (the
// client gone) is logged as what; the error returned is one before it.
func SendFile(w http.ResponseWriter, f *os.File, ctype, disposition string, log *slog.Logger, what string) error {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, f); err != nil {
		log.Warn("sending a file", "what", what, "err", err)
	}
	return nil
}
