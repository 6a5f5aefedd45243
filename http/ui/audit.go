package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
)

// AuditStore is what the auditor's search reads: the log and the check of
// its chain, and the objects its entries name (in the region the auditor
// works in); the search itself is written to the log.
type AuditStore interface {
	ListAudit(ctx context.Context, f wangge.AuditFilter) ([]wangge.AuditEntry, int, error)
	VerifyAudit(ctx context.Context) (badSeq int64, checked int64, err error)
	Audit(ctx context.Context, e *wangge.AuditEntry) error
	Area(ctx context.Context, code string) (*wangge.Area, error)
	Building(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Building, error)
	Household(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Household, error)
	Person(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Person, error)
	Unit(ctx context.Context, scope wangge.Scope, id int64) (*wangge.Unit, error)
}

// audits are the audit log's handlers.
type audits struct {
	core  *whttp.Server
	store AuditStore
}

type auditView struct {
	Filter  auditForm
	Entries []auditRow
	Pager   *pagekit.Pager
	// Verified is set when the auditor asked for the chain to be checked.
	Verified        bool
	BadSeq, Checked int64
	VerifyURL       string
	// Objects and Actions are the choices of the filters, in words.
	Objects, Actions []auditChoice
}

type auditChoice struct{ Code, Label string }

// auditObjects and auditActions are what the filters offer; the catalogue
// names each (audit.obj.*, audit.act.*).
var (
	auditObjects = []string{"person", "household", "building", "unit", "membership", "visit", "import", "area", "assistant", "service", "user", "audit"}
	auditActions = []string{"login.", "person.", "household.", "building.", "unit.", "keygroup.", "import.", "person.import", "person.reveal", "household.view",
		"ledger.export", "report.export", "user.", "audit.search"}
)

type auditForm struct {
	Username, Action, Object, ObjectID, Since, Until string
}

// handleAudit is the auditor's search of the audit log, newest first. The
// search itself is audited: reading who looked at whom is a sensitive view.
func (s *audits) handleAudit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	form := auditForm{
		Username: strings.TrimSpace(q.Get("username")), Action: strings.TrimSpace(q.Get("action")),
		Object: strings.TrimSpace(q.Get("object")), ObjectID: strings.TrimSpace(q.Get("object_id")),
		Since: q.Get("since"), Until: q.Get("until"),
	}
	pg, n, err := pagekit.PageOf(r)
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
	v := &auditView{Filter: form, Entries: s.auditRows(r, entries), Pager: pagekit.NewPager(r, n, total)}
	l := whttp.LangOf(r)
	for _, o := range auditObjects {
		v.Objects = append(v.Objects, auditChoice{o, s.core.TLang(l, "audit.obj."+o)})
	}
	for _, a := range auditActions {
		label := msgOr(l, "audit.act."+a)
		if p, ok := strings.CutSuffix(a, "."); ok { // a prefix: every action on the object
			if label = msgOr(l, "audit.prefix."+p); label == "" {
				label = msgOr(l, "audit.obj."+p)
			}
		}
		if label == "" {
			label = a
		}
		v.Actions = append(v.Actions, auditChoice{a, label})
	}
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
	s.core.Render(w, r, http.StatusOK, "audit", &whttp.View{Title: s.core.T(r, "audit.title"), Data: v})
	return nil
}

// dayOf parses a YYYY-MM-DD form field as the start of that day in China
// time, plus addDays; empty means no bound.
func dayOf(field, v string, addDays int) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, whttp.ChinaTime)
	if err != nil {
		return time.Time{}, wangge.Invalid(field, "error.date.format")
	}
	return d.AddDate(0, 0, addDays), nil
}

// auditRow is an entry as the page shows it: the action and the object in
// words, the detail as a list.
type auditRow struct {
	wangge.AuditEntry
	ActionLabel string
	ObjectKind  string // 住户, 居民, 导入…
	ObjectName  string // 东苑1号楼 1单元101室, or #id when it cannot be named
	ObjectURL   string // its page, when the viewer may open it
	ObjectAudit string // every entry about the object
	Detail      []auditKV
}

// auditKV is one key of an entry's detail.
type auditKV struct {
	Key, Value string
	URL        string
}

// auditRows puts the entries in words. Objects are named within the
// viewer's region, people's data included (an auditor reads who changed
// whom, not the files themselves); a link is given only where the viewer
// may open the page.
func (s *audits) auditRows(r *http.Request, es []wangge.AuditEntry) []auditRow {
	ctx, l := r.Context(), whttp.LangOf(r)
	u := whttp.UserFrom(ctx)
	names := wangge.ScopeAll()
	if us := u.Scope(); !us.IsAll() {
		names = wangge.ScopeOf(us.Prefix())
	}
	canPeople := u.Role.Can(wangge.PermViewPeople)
	n := &auditNamer{s: s, ctx: ctx, l: l, scope: names, viewer: u.Scope(), people: canPeople, memo: map[string]auditObject{}}
	out := make([]auditRow, len(es))
	for i, e := range es {
		row := auditRow{AuditEntry: e, ActionLabel: msgOr(l, "audit.act."+e.Action)}
		if row.ActionLabel == "" {
			row.ActionLabel = e.Action
		}
		var detail map[string]any
		json.Unmarshal([]byte(e.Detail), &detail)
		o := n.name(e.Object, e.ObjectID, detail)
		row.ObjectKind, row.ObjectName, row.ObjectURL = o.kind, o.name, o.url
		if e.Object != "" && e.ObjectID != "" {
			row.ObjectAudit = "/audit?" + url.Values{"object": {e.Object}, "object_id": {e.ObjectID}}.Encode()
		}
		row.Detail = s.auditDetail(l, detail)
		out[i] = row
	}
	return out
}

// auditDetail lists an entry's detail, keys in words, in a stable order.
func (s *audits) auditDetail(l whttp.Lang, d map[string]any) []auditKV {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []auditKV
	for _, k := range keys {
		kv := auditKV{Key: msgOr(l, "audit.key."+k), Value: auditValue(d[k])}
		if kv.Key == "" {
			kv.Key = k
		}
		if k == "job" && kv.Value != "" {
			kv.URL = "/audit?" + url.Values{"object": {"import"}, "object_id": {kv.Value}}.Encode()
		}
		out = append(out, kv)
	}
	return out
}

func auditValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "✓"
		}
		return "✗"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = auditValue(x)
		}
		return strings.Join(parts, ", ")
	case map[string]any: // e.g. a search's filter: the keys that are set
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if s := auditValue(v[k]); s != "" && s != "0" && s != "✗" {
				parts = append(parts, k+": "+s)
			}
		}
		return strings.Join(parts, "; ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

type auditObject struct{ kind, name, url string }

// auditNamer names the objects of one page of entries, each once.
type auditNamer struct {
	s      *audits
	ctx    context.Context
	l      whttp.Lang
	scope  wangge.Scope // to name objects by
	viewer wangge.Scope // to decide on links
	people bool         // the viewer may open people's pages
	memo   map[string]auditObject
}

func (n *auditNamer) name(object, id string, detail map[string]any) auditObject {
	key := object + "\x00" + id
	if o, ok := n.memo[key]; ok {
		return o
	}
	o := auditObject{kind: msgOr(n.l, "audit.obj."+object)}
	if o.kind == "" {
		o.kind = object
	}
	num, _ := strconv.ParseInt(id, 10, 64)
	st := n.s.store
	switch object {
	case "household":
		if h, err := st.Household(n.ctx, n.scope, num); err == nil {
			o.name = n.household(h)
			if n.people && n.viewer.Contains(h.GridCode) {
				o.url = "/households/" + id
			}
		}
	case "person":
		if p, err := st.Person(n.ctx, n.scope, num); err == nil {
			o.name = p.Name
			if h, err := st.Household(n.ctx, n.scope, p.HouseholdID); err == nil {
				o.name += "（" + n.household(h) + "）"
			}
			if n.people && n.viewer.Contains(p.GridCode) {
				o.url = "/households/" + strconv.FormatInt(p.HouseholdID, 10)
			}
		}
	case "building":
		if b, err := st.Building(n.ctx, n.scope, num); err == nil {
			o.name, o.url = b.Name, "/buildings/"+id
		}
	case "unit":
		if u, err := st.Unit(n.ctx, n.scope, num); err == nil {
			o.name = u.Name
		}
	case "area":
		if a, err := st.Area(n.ctx, id); err == nil {
			o.name, o.url = a.Name, "/areas/"+id
		}
	case "user":
		o.name = id
	case "import":
		if f, ok := detail["file"].(string); ok {
			o.name = f
		}
	}
	if o.name == "" && id != "" {
		o.name = "#" + id
	}
	n.memo[key] = o
	return o
}

// household names a household by its building and room.
func (n *auditNamer) household(h *wangge.Household) string {
	room := roomLabel(n.s.core, n.l, h)
	if b, err := n.s.store.Building(n.ctx, n.scope, h.BuildingID); err == nil {
		return fmt.Sprintf("%s %s", b.Name, room)
	}
	return room
}
