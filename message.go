package wangge

import "time"

// Messages to reporters (issue 14): when a case is received, dispatched,
// delayed and closed, a reporter who left a mobile number hears of it in a
// short message. The store queues one per recipient in the same transaction
// as the change (its outbox), a sender delivers it to a gateway outside
// this machine; what is queued is only the kind, the case's number and the
// language, so the text comes from the catalogue when it is sent.

// MessageKind is what a message tells its recipient.
type MessageKind string

const (
	MessageReceived   MessageKind = "received"   // 已受理: the case was opened
	MessageDispatched MessageKind = "dispatched" // 已派遣: it went to whoever does the work
	MessageDelayed    MessageKind = "delayed"    // 已延期: the level above granted more time
	MessageClosed     MessageKind = "closed"     // 已办结
)

// MessageKinds lists the kinds in the order a case meets them.
var MessageKinds = []MessageKind{MessageReceived, MessageDispatched, MessageDelayed, MessageClosed}

// Valid reports whether k is a known kind.
func (k MessageKind) Valid() bool {
	for _, v := range MessageKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Message is one queued message as a sender gets it.
type Message struct {
	// ID is the outbox row; MessageID the stable id a receiver drops a
	// repeat by (a sender may deliver a message again when it did not hear
	// the first delivery's answer).
	ID        int64
	MessageID string
	Kind      MessageKind
	Case      string // the case's number, the one the recipient was given
	To        string // the recipient's phone in clear: only the sender sees it
	Lang      string // "zh" or "en"
	CreatedAt time.Time
	Attempts  int // deliveries tried before this one
}

// MessageAttemptsMax is how many deliveries are tried before a message is
// kept as failed: with Backoff's cap that is about a day of retrying, time
// enough for a gateway to come back, short enough that "received" never
// arrives after "closed" a week later.
const MessageAttemptsMax = 16

// OutboxCounts are the outbox's messages by where they stand (/metrics).
type OutboxCounts struct {
	Queued int // waiting for a first delivery or a retry
	Sent   int
	Failed int // given up after MessageAttemptsMax attempts
}
