package http

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/wangge/wangge"
)

type auditView struct {
	Filter  auditForm
	Entries []wangge.AuditEntry
	Pager   *pager
	// Verified is set when the auditor asked for the chain to be checked.
	Verified        bool
	BadSeq, Checked int64
	VerifyURL       string
}

type auditForm struct {
	Username, Action, Object, ObjectID, Since, Until string
}

// handleAudit is the auditor's search of the audit log, newest first. The
// search itself is audited: reading who looked at whom is a sensitive view.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	form := auditForm{
		Username: strings.TrimSpace(q.Get("username")), Action: strings.TrimSpace(q.Get("action")),
		Object: strings.TrimSpace(q.Get("object")), ObjectID: strings.TrimSpace(q.Get("object_id")),
		Since: q.Get("since"), Until: q.Get("until"),
	}
	pg, n, err := pageOf(r)
	if err != nil {
		return err
	}
	f := wangge.AuditFilter{Username: form.Username, Action: form.Action, Object: form.Object, ObjectID: form.ObjectID, Page: pg}
	if f.Since, err = dayOf("since", form.Since, 0); err != nil {
		return err
	}
	if f.Until, err = dayOf("until", form.Until, 1); err != nil {
		return err
	}
	entries, total, err := s.store.ListAudit(ctx, f)
	if err != nil {
		return err
	}
	v := &auditView{Filter: form, Entries: entries, Pager: newPager(r, n, total)}
	vq := r.URL.Query()
	vq.Set("verify", "1")
	v.VerifyURL = "/audit?" + vq.Encode()
	if q.Get("verify") == "1" {
		v.Verified = true
		if v.BadSeq, v.Checked, err = s.store.VerifyAudit(ctx); err != nil {
			return err
		}
	}
	detail, _ := json.Marshal(map[string]any{"filter": form, "page": n, "verify": v.Verified})
	if err := s.store.Audit(ctx, &wangge.AuditEntry{Action: "audit.search", Object: "audit", Detail: string(detail)}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "audit", &view{Title: s.msgs.T(langOf(r), "audit.title"), Data: v})
	return nil
}

// dayOf parses a YYYY-MM-DD form field as the start of that day in China
// time, plus addDays; empty means no bound.
func dayOf(field, v string, addDays int) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, chinaTime)
	if err != nil {
		return time.Time{}, wangge.FieldError(field, "日期格式应为 年-月-日，例如 2026-01-31。", "A date is written YYYY-MM-DD, e.g. 2026-01-31.")
	}
	return d.AddDate(0, 0, addDays), nil
}
