package outbox

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Store is what the worker needs of the store (sqldb.DB).
type Store interface {
	ClaimMessages(ctx context.Context, n int, lease time.Duration) ([]Message, error)
	MessageSent(ctx context.Context, id int64) error
	MessageFailed(ctx context.Context, id int64, errText string, next time.Time) error
}

// Defaults of a Worker.
const (
	DefaultBatch = 10
	DefaultLease = 2 * time.Minute
	DefaultPoll  = 5 * time.Second
)

// leaseMargin is the part of a lease no send starts in: a send that might
// outlast the lease could run beside another server's of the same message.
const leaseMargin = 5 * time.Second

// Worker claims due messages, sends them one after another (a case's
// messages leave in the order they were queued) and marks each sent or
// failed. Several workers, in one server or in several, share an outbox:
// the store's lease keeps them off each other's messages.
type Worker struct {
	Store  Store
	Sender Sender
	Log    *slog.Logger // slog.Default() when nil
	// Batch is how many messages one claim takes (DefaultBatch when 0),
	// Lease how long they are this worker's (DefaultLease), Poll how often
	// it looks for due messages when none woke it (DefaultPoll).
	Batch int
	Lease time.Duration
	Poll  time.Duration
	// Backoff is the wait after a failed attempt (Backoff when nil).
	Backoff func(attempt int) time.Duration
	// Wake, when set, wakes the worker before its next poll (the store's
	// MessagesQueued: a message queued in this process leaves at once).
	Wake <-chan struct{}
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// RunOnce claims one batch and sends it. It returns how many messages it
// claimed, and how many of those were sent.
func (w *Worker) RunOnce(ctx context.Context) (claimed, sent int, err error) {
	batch, lease := w.Batch, w.Lease
	if batch <= 0 {
		batch = DefaultBatch
	}
	if lease <= 0 {
		lease = DefaultLease
	}
	backoff := w.Backoff
	if backoff == nil {
		backoff = Backoff
	}
	start := w.now()
	ms, err := w.Store.ClaimMessages(ctx, batch, lease)
	if err != nil {
		return 0, 0, err
	}
	// Every send ends before the lease does: past it another worker may
	// have the message. What is left unsent waits for the lease to run out.
	margin := min(leaseMargin, lease/4)
	end := start.Add(lease - margin)
	for _, m := range ms {
		if ctx.Err() != nil || !w.now().Before(end) {
			break
		}
		sctx, cancel := context.WithDeadline(ctx, end)
		serr := w.Sender.Send(sctx, m)
		cancel()
		if serr == nil {
			if err := w.Store.MessageSent(ctx, m.ID); err != nil {
				return len(ms), sent, err
			}
			sent++
			continue
		}
		if ctx.Err() != nil {
			break // stopping: the message is due again when the lease runs out
		}
		w.log().Warn("message not delivered", "message_id", m.MessageID, "attempt", m.Attempts, "err", serr)
		if err := w.Store.MessageFailed(ctx, m.ID, serr.Error(), w.now().Add(backoff(m.Attempts))); err != nil {
			return len(ms), sent, err
		}
	}
	return len(ms), sent, nil
}

// Run sends until ctx ends: a batch, and another at once while batches
// come back full; otherwise it waits for Poll or a wake. A store error is
// logged and retried at the next poll.
func (w *Worker) Run(ctx context.Context) error {
	poll := w.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	batch := w.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.Wake:
		}
		claimed, _, err := w.RunOnce(ctx)
		if err != nil && !errors.Is(err, context.Canceled) {
			w.log().Error("outbox", "err", err)
		}
		next := poll
		if err == nil && claimed >= batch {
			next = 0 // more may be due
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(next)
	}
}
