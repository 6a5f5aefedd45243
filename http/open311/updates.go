package open311

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// mySociety's servicerequestupdates, the extension FixMyStreet syncs with
// (its Open311.pm): GET lists what happened to public requests in a time
// range, oldest first; POST adds a resident's update to one.

// updateStatus is how an update's status reads to FixMyStreet, which
// maps OPEN, INVESTIGATING, IN_PROGRESS, ACTION_SCHEDULED, FIXED, CLOSED
// and DUPLICATE onto its states: a dispatched case has its action
// scheduled, an accepted or handled one is in progress, a closed one is
// fixed (the engine closes a case once its handling is verified), a merged
// one a duplicate; anything else reads by the case's status then.
func updateStatus(u casework.PublicUpdate) string {
	switch u.Kind {
	case casework.UpdateReceived, casework.UpdateReopened:
		return "OPEN"
	case casework.UpdateDispatched:
		return "ACTION_SCHEDULED"
	case casework.UpdateAccepted, casework.UpdateHandled, casework.UpdateDelayed:
		return "IN_PROGRESS"
	case casework.UpdateClosed:
		return "FIXED"
	case casework.UpdateMerged:
		return "DUPLICATE"
	}
	if u.Status == casework.StatusClosed {
		return "CLOSED"
	}
	return "OPEN"
}

// handleUpdates answers GET servicerequestupdates: the updates of public
// requests from start_date to end_date (the last day by default, at most
// 90 days), oldest first, at most 1000.
func (h *handlers) handleUpdates(w http.ResponseWriter, r *http.Request, c *call) error {
	from, to, err := dateRange(r, h.core.Now(), updatesWindow)
	if err != nil {
		return err
	}
	ups, err := h.reports.PublicUpdates(r.Context(), from, to, listMax)
	if err != nil {
		return err
	}
	out := list{item: "request_update"}
	for _, u := range ups {
		out.v = append(out.v, c.update(u))
	}
	write(w, c.format, http.StatusOK, "service_request_updates", out)
	return nil
}

// update is a public update as the extension writes it; an update with
// no words of its own says what happened, from the catalogue.
func (c *call) update(u casework.PublicUpdate) obj {
	desc := strings.TrimSpace(u.Text)
	if desc == "" {
		desc = c.text("open311.update." + string(u.Kind))
	}
	return obj{
		{"update_id", strconv.FormatInt(u.ID, 10)},
		{"service_request_id", u.Number},
		{"status", updateStatus(u)},
		{"updated_datetime", w3c(u.At)},
		{"description", desc},
		{"media_url", orNull(u.MediaURL)},
	}
}

// updateStatuses are the statuses a client may send with its update. The
// client's word does not change the case — only staff move it — so it is
// checked and otherwise left.
var updateStatuses = map[string]bool{"OPEN": true, "CLOSED": true, "FIXED": true, "IN_PROGRESS": true, "ACTION_SCHEDULED": true,
	"INVESTIGATING": true, "DUPLICATE": true, "NOT_COUNCILS_RESPONSIBILITY": true, "NO_FURTHER_ACTION": true, "INTERNAL_REFERRAL": true,
	"FOR_TRIAGE": true, "CANCELLED": true, "REOPEN": true}

// handlePostUpdate answers POST servicerequestupdates: a resident's update
// the client passes on, on a public request; the answer is its update_id.
// Names, e-mail and phone are accepted and not kept: an update is shown
// publicly, and who wrote it is not the public's business.
func (h *handlers) handlePostUpdate(w http.ResponseWriter, r *http.Request, c *call) error {
	number := strings.TrimSpace(r.FormValue("service_request_id"))
	if number == "" {
		return wangge.Invalid("service_request_id", "open311.error.request_id")
	}
	if st := strings.ToUpper(strings.TrimSpace(r.FormValue("status"))); st != "" && !updateStatuses[st] {
		return wangge.Invalid("status", "open311.error.update_status")
	}
	if v := strings.TrimSpace(r.FormValue("updated_datetime")); v != "" {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return wangge.Invalid("updated_datetime", "open311.error.date")
		}
	}
	media := strings.TrimSpace(r.FormValue("media_url"))
	if err := checkURL("media_url", media); err != nil {
		return err
	}
	u, err := h.reports.AddPublicUpdate(r.Context(), number, casework.ResidentUpdate{
		APIKeyID: c.key.ID, Text: r.FormValue("description"), MediaURL: media,
		Limits: []casework.IntakeLimit{{Kind: wangge.IntakeKey, Value: strconv.FormatInt(c.key.ID, 10)}}, // as a request's: by the key
	})
	if err != nil {
		return err
	}
	write(w, c.format, http.StatusOK, "service_request_updates", list{item: "request_update", v: []any{obj{
		{"update_id", strconv.FormatInt(u.ID, 10)},
	}}})
	return nil
}
