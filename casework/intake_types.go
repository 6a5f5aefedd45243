package casework

import "time"

// What the public intake's store methods take and give (issue 14): plain
// data, kept here beside the cases they make so that the handlers
// (http/ui's resident pages, http/open311) name them without importing a
// store package.

// IntakePhotosMax is how many photos one report may carry.
const IntakePhotosMax = 3

// PublicLimitMax bounds every public list.
const PublicLimitMax = 1000

// Tracker kinds.
const (
	TrackerReporter = "reporter"
	TrackerFollower = "follower"
)

// IntakeLimit is one abuse limit a public write counts against: an address
// (wangge.IntakeAddr), a phone (IntakePhone) or a client key (IntakeKey).
// The value is stored only as a keyed hash.
type IntakeLimit struct {
	Kind  string
	Value string
}

// Photo is a photo a public report carries; attach cleans it.
type Photo struct {
	Name string
	Data []byte
}

// PublicReport is a report from a public intake.
type PublicReport struct {
	Source      Source   // kiosk | resident_page | open311
	Category    Category // a reportable category (the caller looked it up)
	Description string
	Attributes  map[string][]string
	Location    Location // GridCode resolved by the caller; Point WGS-84
	// Address is the words the reporter gave for the place (Open311's
	// address_string): shown publicly.
	Address            string
	Name, Phone, Email string // optional; never shown publicly
	Lang               string // "zh" | "en": the messages' language
	Photos             []Photo
	MediaURL           string // Open311 media_url, kept as text, never fetched
	Limits             []IntakeLimit
	APIKeyID           int64 // the Open311 client, 0 otherwise
}

// Receipt is what a reporter or a follower gets back: the number, the
// token (shown once, never stored) and the case as a public path shows it.
type Receipt struct {
	Number, Token string
	Case          PublicCase
}

// PublicFollow is a "me too" on an open public case.
type PublicFollow struct {
	Phone, Lang string
	Limits      []IntakeLimit
}

// Tracker is what a token's holder may do on the case: the reporter rates
// a closed case and reopens it within the window; a follower hears the
// outcome.
type Tracker struct {
	Kind         string
	Solved       *bool
	Satisfaction Satisfaction
	MayRate      bool
	MayReopen    bool
}

// Rating is the reporter's answer after the close: solved and how
// satisfied, or not solved (with why), which reopens the case within the
// window.
type Rating struct {
	Solved       bool
	Satisfaction Satisfaction
	Note         string
}

// PublicFilter selects public cases, newest first.
type PublicFilter struct {
	Numbers, Categories []string
	From, To            time.Time
	Status              string // "" | "open" | "closed"
	Near                *Point
	RadiusM             float64
	Limit               int // ≤ PublicLimitMax; 0 means PublicLimitMax
	// WithUpdates reads each case's public timeline too (in one more
	// query for the whole list): Open311's list shows the latest reply.
	WithUpdates bool
}

// ResidentUpdate is an update from outside on a case: by a tracker's token
// or by an Open311 client's key.
type ResidentUpdate struct {
	Token    string
	APIKeyID int64
	Text     string
	MediaURL string
	Limits   []IntakeLimit
}

// HeldListMax bounds the staff list of held requests: a queue longer than
// this is a problem of its own, and the oldest waits at the end.
const HeldListMax = 200

// HeldReport is an Open311 request whose address_string matched no single
// building, as the client sent it (the category by its code: the store looks
// it up again when the request is placed).
type HeldReport struct {
	Source             Source
	CategoryCode       string
	Description        string
	Attributes         map[string][]string
	Address            string
	Name, Phone, Email string
	Lang, MediaURL     string
	APIKeyID           int64
	Limits             []IntakeLimit
}

// HeldRequest is a held request as staff see it: the words, the category and
// the contact masked.
type HeldRequest struct {
	ID                 int64
	Token              string
	Source             Source
	CategoryCode       string
	Description        string // ID numbers and phones in it masked
	Attributes         map[string][]string
	Address            string
	Name, Phone, Email string // masked
	Lang, MediaURL     string
	APIKeyID           int64
	State              HeldState
	CreatedAt          time.Time
}
