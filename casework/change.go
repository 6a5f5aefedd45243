package casework

// Change is one committed change of a case, as the live pages hear of it:
// the action and the case as it stands now (without its timeline or the
// reporter's contact). Seq orders changes across every server of a
// cluster: it is the sequence number of the change's audit entry, which
// the audit chain gives out one at a time in commit order.
type Change struct {
	Seq    int64
	Action ActionName
	// ID is the case's row id, which names it across districts.
	ID   int64
	Case Case
}

// Kind is what a change means to someone watching a board.
type ChangeKind string

const (
	KindNewEmergency ChangeKind = "emergency" // an emergency was just reported
	KindEscalated    ChangeKind = "escalated" // a deadline ran out: up one level
	KindChanged      ChangeKind = "changed"   // anything else
)

// Kind classifies the change.
func (c Change) Kind() ChangeKind {
	switch {
	case c.Action == ActCreate && c.Case.Mechanism == Emergency:
		return KindNewEmergency
	case c.Action == ActEscalate:
		return KindEscalated
	}
	return KindChanged
}
