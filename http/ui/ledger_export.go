package ui

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/ledger"
)

// Ledger exports: the rows of a ledger page's filters, every page of them,
// as xlsx or CSV, written by package ledger's encoders. Exporting personal
// data (residents, units, key groups) needs PermExport, and the files carry
// ID numbers and personal phones in full, so such an export is asked for
// twice: GET shows a form with the number of rows the filters select and a
// reason to type; POST with the reason writes the file. The reason, the
// filters and the rows go into the audit log and into the file itself, and
// a user makes at most wangge.PersonalExportsPerHour of them an hour. The
// assistants' ledger is public facts: GET sends it at once.
//
// A file is written to a temporary file first, so that the export is
// audited (who, which ledger, which filters, how many rows) before a byte
// of it is sent, and not sent when the audit fails.

// LedgerExportStore is what the exports read and write: the rows of the
// ledgers (package ledger's reads, with the areas of the filters), the
// audit log that counts a user's personal exports in the hour, and the
// audit entries of the exports, a personal one counted against the limit
// in the same step.
type LedgerExportStore interface {
	ledger.ExportStore
	ListAudit(ctx context.Context, f wangge.AuditFilter) ([]wangge.AuditEntry, int, error)
	Audit(ctx context.Context, e *wangge.AuditEntry) error
	AuditPersonalExport(ctx context.Context, e *wangge.AuditEntry) error
}

// ledgerExports are the exports' handlers.
type ledgerExports struct {
	ledgerFilters
	store LedgerExportStore
}

// ledgerExportPerm is what exporting a ledger needs besides its page's
// permission: personal data needs PermExport; the assistants' ledger is
// public facts.
func ledgerExportPerm(kind string) wangge.Permission {
	if kind == ledgerAssistants {
		return wangge.PermLogin
	}
	return wangge.PermExport
}

// Export formats.
const (
	formatXLSX = ledger.FormatXLSX
	formatCSV  = ledger.FormatCSV
)

// exporterName is how a file and its notes name the user who exported it.
func exporterName(u *wangge.User) string {
	if u.DisplayName == "" || u.DisplayName == u.Username {
		return u.Username
	}
	return u.DisplayName + "（" + u.Username + "）"
}

// ledgerExportOf is the export of a ledger page's filters by the user.
func (s *ledgerExports) ledgerExportOf(r *http.Request, f *ledgerFilter, format string) *ledger.Export {
	u := whttp.UserFrom(r.Context())
	return &ledger.Export{Kind: ledger.ExportKind(f.Kind), Format: format, Area: f.Area, Scope: f.Scope, Query: f.Q,
		Group: f.Group, All: f.All, Terms: u.Scope(), Staff: u.Role.Can(wangge.PermViewPeople),
		CJT349Object: s.core.Options().CJT349Object, Exporter: exporterName(u), Now: s.core.Now().In(whttp.ChinaTime)}
}

type ledgerExportView struct {
	Kind    string
	Title   string
	Area    *wangge.Area
	Format  string
	Query   string
	Group   *wangge.GroupDef
	All     bool
	Rows    int
	Reason  string
	Action  string // the form's address: the export's, with the filters
	Back    string // the ledger page with the same filters
	Limit   int
	Min     int
	Max     int
	Error   string
	Refused bool // the hourly limit is reached
}

// handleLedgerExport returns the handler of a ledger's export in a format.
func (s *ledgerExports) handleLedgerExport(kind, format string) whttp.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := whttp.UserFrom(r.Context())
		if !u.Role.Can(ledgerPerm(kind)) || !u.Role.Can(ledgerExportPerm(kind)) {
			return whttp.ErrForbidden
		}
		if r.Method == http.MethodGet {
			// An ID number typed into the export's address goes on under a
			// search token, as on the ledger's page: the form's links and
			// the download do not repeat it.
			q := r.URL.Query()
			if hidden, err := s.hideIDSearch(r, q); err != nil {
				return err
			} else if hidden {
				http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusSeeOther)
				return nil
			}
		}
		f, err := s.filterOf(r, kind)
		if err != nil {
			return err
		}
		e := s.ledgerExportOf(r, f, format)
		if !e.Kind.Personal() {
			return s.sendLedgerExport(w, r, e)
		}
		v := &ledgerExportView{Kind: kind, Title: s.core.T(r, "ledger."+kind+".title"), Area: f.Area, Format: format,
			Query: f.Q, Group: f.Group, All: f.All, Action: r.URL.Path + "?" + f.query().Encode(),
			Back: "/ledgers/" + kind + "?" + f.query().Encode(), Limit: wangge.PersonalExportsPerHour,
			Min: wangge.ExportReasonMin, Max: wangge.ExportReasonMax}
		if r.Method == http.MethodGet {
			return s.renderExportForm(w, r, http.StatusOK, e, v, nil)
		}
		v.Reason = strings.TrimSpace(r.PostFormValue("reason"))
		if n := utf8.RuneCountInString(v.Reason); n < wangge.ExportReasonMin || n > wangge.ExportReasonMax {
			return s.renderExportForm(w, r, http.StatusBadRequest, e, v,
				wangge.Invalid("reason", "error.export.reason", "Min", wangge.ExportReasonMin, "Max", wangge.ExportReasonMax))
		}
		err = s.checkExportLimit(r)
		if err == nil {
			e.Reason = v.Reason
			err = s.sendLedgerExport(w, r, e)
		}
		if wangge.ErrorCode(err) == wangge.ERateLimited {
			// Refused before a byte of the file was sent.
			v.Refused = true
			return s.renderExportForm(w, r, http.StatusTooManyRequests, e, v, err)
		}
		return err
	}
}

// checkExportLimit refuses a user's personal export past the hourly limit
// before the file is written, counted from the audit log, which every
// instance shares: a user at the limit costs no export. It is only the
// early answer; two requests at the same moment may both pass it, and the
// store's AuditPersonalExport, which counts and records in one step, is
// what holds the limit.
func (s *ledgerExports) checkExportLimit(r *http.Request) error {
	ctx := r.Context()
	since := s.core.Now().Add(-time.Hour)
	n := 0
	for _, k := range wangge.PersonalExportLedgers {
		_, c, err := s.store.ListAudit(ctx, wangge.AuditFilter{Username: whttp.UserFrom(ctx).Username, Action: "ledger.export", Object: "ledger",
			ObjectID: k, Since: since, Page: wangge.Page{Limit: 1}})
		if err != nil {
			return err
		}
		n += c
	}
	return wangge.CheckExportRate(wangge.ActorFrom(ctx), n)
}

// renderExportForm shows the export form: the rows the export will hold
// and the reason to type, with err's message when there is one.
func (s *ledgerExports) renderExportForm(w http.ResponseWriter, r *http.Request, status int, e *ledger.Export, v *ledgerExportView, err error) error {
	n, cerr := e.Count(r.Context(), s.store)
	if cerr != nil {
		return cerr
	}
	v.Rows = n
	if err != nil {
		v.Error = wangge.ErrorZh(err)
		if whttp.LangOf(r) == whttp.LangEn {
			v.Error = wangge.ErrorMessage(err)
		}
	}
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "ledger.index.title"), URL: "/ledgers"}, {Name: v.Title, URL: v.Back}, {Name: s.core.T(r, "export.title")}}
	s.core.Render(w, r, status, "ledger_export", &whttp.View{Title: v.Title + " · " + s.core.T(r, "export.title"), Crumbs: crumbs, Data: v})
	return nil
}

// sendLedgerExport writes the export to a temporary file, audits it and
// sends it.
func (s *ledgerExports) sendLedgerExport(w http.ResponseWriter, r *http.Request, e *ledger.Export) error {
	ctx := r.Context()
	tmp, err := ledger.TempFile()
	if err != nil {
		return err
	}
	defer tmp.Close()
	if err := e.Write(ctx, s.store, tmp); err != nil {
		return err
	}
	audit := s.store.Audit
	if e.Kind.Personal() {
		audit = s.store.AuditPersonalExport
	}
	if err := audit(ctx, e.Audit()); err != nil {
		return err
	}
	ascii, name := e.FileName()
	ctype := "text/csv; charset=utf-8"
	if e.Format == formatXLSX {
		ctype = pagekit.XLSXType
	}
	return pagekit.SendFile(w, tmp, ctype, pagekit.Attachment(ascii, name), s.core.Logger(), string(e.Kind))
}
