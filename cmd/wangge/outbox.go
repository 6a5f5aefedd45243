package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/wangge/wangge/outbox"
	"github.com/wangge/wangge/sqldb"
)

// outboxFlags are serve's flags of the messages to reporters.
type outboxFlags struct {
	url, secretFile *string
}

func addOutboxFlags(fs *flag.FlagSet) outboxFlags {
	return outboxFlags{
		url: fs.String("webhook-url", os.Getenv("WANGGE_WEBHOOK_URL"),
			"gateway URL the messages to reporters are POSTed to, signed (env WANGGE_WEBHOOK_URL; empty: they are written to the log)"),
		secretFile: fs.String("webhook-secret-file", os.Getenv("WANGGE_WEBHOOK_SECRET_FILE"),
			"file holding the webhook's HMAC secret, readable by its owner only (env WANGGE_WEBHOOK_SECRET_FILE)"),
	}
}

// sender is the sender the flags name: the signed webhook when a URL is
// given, the log otherwise. The secret file must be the owner's alone, as
// the field key's is: whoever reads it can send the gateway messages in the
// district's name.
func (f outboxFlags) sender(log *slog.Logger) (outbox.Sender, error) {
	url, path := strings.TrimSpace(*f.url), strings.TrimSpace(*f.secretFile)
	switch {
	case url == "" && path == "":
		return outbox.LogSender{Log: log}, nil
	case url == "":
		return nil, cliErr(nil, "cli.serve.webhook_url_missing", "Path", path)
	case path == "":
		return nil, cliErr(nil, "cli.serve.webhook_secret_missing")
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, cliErr(err, "cli.serve.webhook_secret_unreadable", "Path", path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, cliErr(nil, "cli.serve.webhook_secret_mode", "Path", path, "Mode", st.Mode().Perm().String())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, cliErr(err, "cli.serve.webhook_secret_unreadable", "Path", path)
	}
	s, err := outbox.NewWebhookSender(url, []byte(strings.TrimSpace(string(raw))))
	if err != nil {
		return nil, cliErr(err, "cli.serve.webhook_refused")
	}
	return s, nil
}

// startOutbox runs the outbox's worker over db until the returned stop is
// called; stop waits for it, so the store is not closed under a send.
func startOutbox(ctx context.Context, db *sqldb.DB, s outbox.Sender, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	w := &outbox.Worker{Store: db, Sender: s, Log: log, Wake: db.MessagesQueued()}
	var wg sync.WaitGroup
	wg.Go(func() { w.Run(ctx) })
	return func() { cancel(); wg.Wait() }
}
