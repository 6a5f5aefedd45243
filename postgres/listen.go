package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// boundaryChannel is the channel the triggers of migration 00005 notify
// when outlines or areas change.
const boundaryChannel = "wangge_boundaries"

// listen follows NOTIFY on channel over a connection of its own, sending a
// value (without blocking, at most one waiting) for every notice and after
// every reconnection, when a notice may have been missed. The channel is
// closed when ctx is done.
func listen(ctx context.Context, dsn, channel string) <-chan struct{} {
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(out)
		backoff := time.Second
		for first := true; ctx.Err() == nil; first = false {
			err := func() error {
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					return err
				}
				defer conn.Close(context.Background())
				if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
					return err
				}
				backoff = time.Second
				if !first {
					signal() // changes while we were away
				}
				for {
					if _, err := conn.WaitForNotification(ctx); err != nil {
						return err
					}
					signal()
				}
			}()
			if ctx.Err() != nil {
				return
			}
			slog.Warn("listening for outline changes", "channel", channel, "err", err, "retry", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 30*time.Second)
		}
	}()
	return out
}
