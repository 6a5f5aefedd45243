// Package outbox delivers the messages the store queues for reporters
// (issue 14): when a case is received, dispatched, delayed and closed, a
// reporter who left a mobile number hears of it. Real SMS and WeChat
// gateways are outside this machine, so a Sender hands a message on: the
// LogSender (the default) writes it to the log, the WebhookSender POSTs it,
// signed, to a gateway's URL. The Worker claims due messages from the store
// under a lease, sends each, and marks it sent or failed (retried with
// Backoff until wangge.MessageAttemptsMax). A message may reach a receiver
// twice — a delivery whose answer was lost is sent again — so each carries
// a stable id for the receiver to drop a repeat by.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
	"github.com/wangge/wangge/msg"
)

// Message is one queued message as the store hands it out.
type Message = wangge.Message

// Sender delivers one message. An error means "not delivered, try again
// later"; nil means the gateway took it.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Catalogue is where Render takes its words from: msg.Text, or a test's.
type Catalogue func(lang, key string, params map[string]any) string

// Render is the short text of a message of kind about the case number in
// lang ("zh", "en"; anything else is Chinese), from the catalogue's
// outbox.* keys.
func Render(text Catalogue, kind wangge.MessageKind, number, lang string) (string, error) {
	if !kind.Valid() {
		return "", fmt.Errorf("outbox: no text for message kind %q", kind)
	}
	if lang != "en" {
		lang = "zh"
	}
	key := "outbox." + string(kind)
	s := text(lang, key, map[string]any{"Number": number})
	if s == key || s == "" {
		return "", fmt.Errorf("outbox: the catalogue has no %s text of %s", lang, key)
	}
	return s, nil
}

// text is the message's text from the module's catalogue.
func text(m Message) (string, error) { return Render(msg.Text, m.Kind, m.Case, m.Lang) }

// LogSender writes each message to the log instead of sending it: the
// default when no gateway is configured, so the loop runs and the messages
// can be seen. It never logs the whole phone number, nor the text (which
// holds nothing the kind and the number do not say).
type LogSender struct {
	Log *slog.Logger // slog.Default() when nil
}

// Send implements Sender.
func (s LogSender) Send(ctx context.Context, m Message) error {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "message to a reporter", "message_id", m.MessageID, "kind", string(m.Kind), "case", m.Case,
		"to", ident.MaskPhone(m.To), "lang", m.Lang, "attempt", m.Attempts)
	return nil
}

// Backoff bounds: the first retry after about BackoffBase, doubling up to
// BackoffCap (with MessageAttemptsMax attempts, most of a day of trying).
const (
	BackoffBase = 15 * time.Second
	BackoffCap  = 2 * time.Hour
)

// Backoff is how long to wait after the attempt-th failed delivery (1 for
// the first): BackoffBase doubled per attempt, capped at BackoffCap, with
// "equal jitter" (half of it fixed, half random), so the servers and
// messages a gateway's outage failed together do not all come back at the
// same instant, and no retry comes sooner than half the step.
func Backoff(attempt int) time.Duration { return Exponential(BackoffBase, BackoffCap)(attempt) }

// Exponential is Backoff with other bounds (tests, a gateway's own terms).
func Exponential(base, max time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		d = min(d, max)
		half := d / 2
		return half + rand.N(d-half+1)
	}
}
