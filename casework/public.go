package casework

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wangge/wangge"
)

// What the public paths (the resident's tracking page, the map of open
// reports, Open311) may know of a case: only cases that came in through a
// public channel in a public category, and of those only public facts —
// never a reporter, a contact or an internal note.

// Public reports whether s is one of the public intakes: the kiosk, the
// resident page and Open311 clients.
func (s Source) Public() bool {
	return s == SourceKiosk || s == SourceResidentPage || s == SourceOpen311
}

// Public reports whether cases of the category may be shown publicly: a
// problem type that is about a place, not a person.
func (c Category) Public() bool { return c.Kind == KindProblem && !c.Confidential }

// IsPublic reports whether the case may appear on a public path: it came
// in through a public intake, in a public category. A case from a visit,
// the phone or the office never does, whatever it is about.
func IsPublic(c *Case) bool { return c != nil && c.Source.Public() && c.Category.Public() }

// IntakeMechanism is the mechanism a public report of the category opens
// with: an emergency category's reports are emergencies, everything else is
// taken to the community (coordination) — the general mechanism is handled
// on the spot by someone there, and an application needs its materials
// collected in person.
func IntakeMechanism(cat Category) Mechanism {
	if cat.Mechanism == Emergency {
		return Emergency
	}
	return Coordination
}

// Attribute datatypes, as Open311 service definitions name them.
const (
	AttrString          = "string"
	AttrNumber          = "number"
	AttrDatetime        = "datetime"
	AttrText            = "text"
	AttrSingleValueList = "singlevaluelist"
	AttrMultiValueList  = "multivaluelist"
)

// Attribute is one question a category asks a public report beyond the
// description (an Open311 service definition's attribute).
type Attribute struct {
	Code          string
	Name, NameEn  string
	Datatype      string
	Required      bool
	Order         int
	Description   string
	DescriptionEn string
	Values        []AttributeValue
}

// AttributeValue is one answer of a list attribute.
type AttributeValue struct {
	Key          string
	Name, NameEn string
}

// Bounds of attribute answers.
const (
	attrStringMax = 200
	attrValuesMax = 20
)

// CheckAttributes checks the answers given to the category's attributes
// (code → values, as Open311's attribute[code] arrives) and returns the
// lines a case appends to its description, in the attributes' order
// ("设施：路灯"). It refuses an unknown code, a missing required answer and a
// value a list does not hold, naming the field attribute[code].
func CheckAttributes(cat Category, given map[string][]string) ([]string, error) {
	codes := make([]string, 0, len(given))
	for code := range given {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if !slices.ContainsFunc(cat.Attributes, func(a Attribute) bool { return a.Code == code }) {
			return nil, wangge.Invalid(attrField(code), "error.intake.attribute_unknown", "Code", code)
		}
	}
	attrs := slices.Clone(cat.Attributes)
	sort.SliceStable(attrs, func(i, j int) bool { return attrs[i].Order < attrs[j].Order })
	var lines []string
	for _, a := range attrs {
		var vals []string
		for _, v := range given[a.Code] {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		field := attrField(a.Code)
		if len(vals) == 0 {
			if a.Required {
				return nil, wangge.Invalid(field, "error.intake.attribute_required", "Name", a.Name)
			}
			continue
		}
		if len(vals) > 1 && a.Datatype != AttrMultiValueList || len(vals) > attrValuesMax {
			return nil, wangge.Invalid(field, "error.intake.attribute_one", "Name", a.Name)
		}
		var answer string
		switch a.Datatype {
		case AttrSingleValueList, AttrMultiValueList:
			names := make([]string, 0, len(vals))
			for _, v := range vals {
				i := slices.IndexFunc(a.Values, func(x AttributeValue) bool { return x.Key == v })
				if i < 0 {
					return nil, wangge.Invalid(field, "error.intake.attribute_value", "Name", a.Name)
				}
				if n := a.Values[i].Name; !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
			answer = strings.Join(names, valueSep)
		case AttrNumber:
			if _, err := strconv.ParseFloat(vals[0], 64); err != nil || utf8.RuneCountInString(vals[0]) > 30 {
				return nil, wangge.Invalid(field, "error.intake.attribute_number", "Name", a.Name)
			}
			answer = vals[0]
		case AttrDatetime:
			t, err := time.Parse(time.RFC3339, vals[0])
			if err != nil {
				return nil, wangge.Invalid(field, "error.intake.attribute_datetime", "Name", a.Name)
			}
			answer = t.Format(time.RFC3339)
		default: // string, text
			max := attrStringMax
			if a.Datatype == AttrText {
				max = NoteMax
			}
			if utf8.RuneCountInString(vals[0]) > max {
				return nil, wangge.Invalid(field, "error.intake.attribute_length", "Name", a.Name, "Max", max)
			}
			answer = vals[0]
		}
		lines = append(lines, a.Name+attributeSep+answer)
	}
	return lines, nil
}

func attrField(code string) string { return "attribute[" + code + "]" }

// UpdateKind is what a public update tells.
type UpdateKind string

const (
	UpdateReceived   UpdateKind = "received"
	UpdateDispatched UpdateKind = "dispatched"
	UpdateAccepted   UpdateKind = "accepted"
	UpdateHandled    UpdateKind = "handled"
	UpdateDelayed    UpdateKind = "delayed"
	UpdateClosed     UpdateKind = "closed"
	UpdateReopened   UpdateKind = "reopened"
	// UpdateReply is the feedback said to this case's reporter: the one
	// staff text a public path shows, as it was said to the public.
	UpdateReply  UpdateKind = "reply"
	UpdateMerged UpdateKind = "merged"
	// UpdateResident is a resident's (by a tracking token) or a client's
	// (by an API key) update.
	UpdateResident UpdateKind = "resident"
)

// Public statuses (Open311's two).
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// PublicCase is a case as a public path shows it. Description is masked;
// Agency is the receiver's or the category's department, never a person.
type PublicCase struct {
	Number       string
	CategoryCode string
	CategoryName string
	// CategoryNameEn is the English name (a service has none: empty).
	CategoryNameEn string
	Status         string
	State          State
	Description    string
	Point          *Point
	GridCode       string
	GridName       string
	Address        string
	Agency         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Expected is when the work should be done, zero when no clock runs:
	// Engine.Public sets the engine's promise (Engine.Expected); Public,
	// with no engine, only the running deadline's due time.
	Expected   time.Time
	ClosedAt   time.Time
	MergedInto string
	Followers  int
	MediaURL   string
	Updates    []PublicUpdate
}

// PublicUpdate is one entry of a case's public timeline. ID is the store's
// (Open311's update_id); Text is masked.
type PublicUpdate struct {
	ID       int64
	Number   string
	At       time.Time
	Kind     UpdateKind
	Status   string
	Text     string
	MediaURL string
}

func statusOf(s State) string {
	if s.Open() {
		return StatusOpen
	}
	return StatusClosed
}

// PublicUpdateOf is the public update an event of the case makes, if any:
// the steps a reporter follows (received, dispatched, accepted, handled,
// a granted deferral, closed, reopened, merged) and the feedback said to
// this case's own reporter. Everything else — verification, rework,
// supervision, escalation, requests for time, notes — stays inside.
func PublicUpdateOf(c *Case, ev Event) (PublicUpdate, bool) {
	u := PublicUpdate{Number: c.Number, At: ev.At, Status: statusOf(ev.To)}
	switch ev.Action {
	case ActCreate:
		u.Kind = UpdateReceived
	case ActDispatch:
		u.Kind = UpdateDispatched
	case ActAccept, ActAcknowledge:
		u.Kind = UpdateAccepted
	case ActHandle:
		u.Kind = UpdateHandled
	case ActApproveDefer:
		u.Kind = UpdateDelayed
	case ActClose:
		u.Kind = UpdateClosed
	case ActReopen:
		u.Kind = UpdateReopened
	case ActMerge:
		if ev.To != Merged {
			return PublicUpdate{}, false // the case a duplicate joined: nothing changed for its reporter
		}
		u.Kind = UpdateMerged
	case ActFeedback:
		f := ev.Feedback
		if f == nil || f.NoContact || f.Number != c.Number {
			return PublicUpdate{}, false
		}
		u.Kind, u.Text = UpdateReply, f.Said
	default:
		return PublicUpdate{}, false
	}
	return u, true
}

// Public is the case as a public path shows it, its description passed
// through mask (ident.MaskText). The store adds what the case does not
// hold: the grid's name, the address given, the followers, the media URL
// and the updates.
// Public is the projection with the engine's promise of when the work
// should be done (Expected), as every public path shows it.
func (e *Engine) Public(c *Case, mask func(string) string) PublicCase {
	p := Public(c, mask)
	p.Expected = e.Expected(c)
	return p
}

func Public(c *Case, mask func(string) string) PublicCase {
	p := PublicCase{
		Number: c.Number, CategoryCode: c.Category.Code, CategoryName: c.Category.Name, CategoryNameEn: c.Category.NameEn,
		Status: statusOf(c.State), State: c.State, Description: mask(c.Description),
		GridCode: c.Location.GridCode, Agency: c.Category.Department,
		CreatedAt: c.CreatedAt, UpdatedAt: c.CreatedAt, ClosedAt: c.ClosedAt, MergedInto: c.MergedInto,
	}
	if pt := c.Location.Point; pt != nil {
		q := *pt
		p.Point = &q
	}
	if r := c.Receiver; r != nil && strings.TrimSpace(r.Name) != "" {
		p.Agency = r.Name
	}
	if n := len(c.Events); n > 0 {
		p.UpdatedAt = c.Events[n-1].At
	}
	if d := c.Running(); d != nil && c.State.Open() {
		p.Expected = d.Due
	}
	if c.State == Merged && p.ClosedAt.IsZero() && len(c.Events) > 0 {
		p.ClosedAt = c.Events[len(c.Events)-1].At
	}
	return p
}
