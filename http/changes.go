package http

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wangge/wangge"
)

// changesPageSize is how many entries of the change record a household
// page shows at a time.
const changesPageSize = 20

// changesParam is the query parameter of the change record's page, apart
// from the visits' "page", so that each list pages on its own.
const changesParam = "changes"

// changeRow is one entry of a household's change record (变更记录) in
// words: who, when, what, about whom, and for an import the file.
type changeRow struct {
	Seq      int64
	At       time.Time
	By       string
	Action   string // the catalogue's name of the action, or its code
	Object   string // the person's name, or "this household"
	Fields   []string
	File     string
	AuditURL string // the import's summary entry, for those who may read the log
}

// householdChanges reads the change record of the household's file
// through the store, within the viewer's scope, and puts it in words.
// Persons are named from the page's own list: the record is only about
// the household and its present persons.
func (s *Server) householdChanges(ctx context.Context, r *http.Request, v *householdView) error {
	u := UserFrom(ctx)
	n, err := pageNumber(r, changesParam)
	if err != nil {
		return err
	}
	es, total, err := s.store.HouseholdChanges(ctx, u.Scope(), v.Household.ID, wangge.Page{Offset: (n - 1) * changesPageSize, Limit: changesPageSize})
	if err != nil {
		return err
	}
	l := LangOf(r)
	names := map[string]string{}
	for _, p := range v.Persons {
		names[strconv.FormatInt(p.ID, 10)] = p.Name
	}
	mayAudit := u.Role.Can(wangge.PermViewAudit)
	for _, e := range es {
		row := changeRow{Seq: e.Seq, At: e.At, By: e.Username, Action: s.msg(l, "audit.act."+e.Action)}
		if row.Action == "" {
			row.Action = e.Action
		}
		if e.Object == "person" {
			row.Object = names[e.ObjectID]
		} else {
			row.Object = s.msgs.T(l, "changes.this_household")
		}
		var d struct {
			Fields []string `json:"fields"`
			File   string   `json:"file"`
			Job    string   `json:"job"`
		}
		json.Unmarshal([]byte(e.Detail), &d)
		for _, f := range d.Fields {
			label := s.msg(l, "changes.field."+f)
			if label == "" {
				label = f
			}
			row.Fields = append(row.Fields, label)
		}
		row.File = d.File
		if mayAudit && d.Job != "" {
			row.AuditURL = "/audit?" + url.Values{"object": {"import"}, "object_id": {d.Job}}.Encode()
		}
		v.Changes = append(v.Changes, row)
	}
	v.ChangesPager = newPagerParam(r, changesParam, "#changes-h", n, total, changesPageSize)
	return nil
}
