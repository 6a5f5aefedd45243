package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
	"github.com/wangge/wangge/outbox"
)

func TestServeWebhookFlagsRefuseWhatCannotBeSigned(t *testing.T) {
	dir := t.TempDir()
	secret := func(name string, mode os.FileMode, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	good := secret("good", 0o600, "a secret of more than sixteen bytes\n")
	tests := []struct {
		name, url, file string
		want            string // a word of the refusal, "" for a sender
		log             bool
	}{
		{"neither: the log", "", "", "", true},
		{"the webhook", "http://127.0.0.1:9/messages", good, "", false},
		{"a URL unsigned", "http://127.0.0.1:9/messages", "", "WANGGE_WEBHOOK_SECRET_FILE", false},
		{"a secret without a URL", "", good, "WANGGE_WEBHOOK_URL", false},
		{"readable by the group", "http://127.0.0.1:9/messages", secret("group", 0o640, "a secret of more than sixteen bytes"), "chmod 600", false},
		{"readable by all", "http://127.0.0.1:9/messages", secret("all", 0o644, "a secret of more than sixteen bytes"), "chmod 600", false},
		{"no such file", "http://127.0.0.1:9/messages", filepath.Join(dir, "none"), "cannot read", false},
		{"a short secret", "http://127.0.0.1:9/messages", secret("short", 0o600, "short"), "16 bytes", false},
		{"not a web URL", "file:///etc/passwd", good, "http://", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, file := tt.url, tt.file
			s, err := outboxFlags{url: &url, secretFile: &file}.sender(nil)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %T, %v; want a refusal naming %q", s, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, isLog := s.(outbox.LogSender); isLog != tt.log {
				t.Errorf("sender %T", s)
			}
		})
	}
	// serve refuses before it opens anything.
	err := run(context.Background(), []string{"serve", "--db", filepath.Join(dir, "w.db"), "--webhook-url", "http://127.0.0.1:9/", "--webhook-secret-file", filepath.Join(dir, "all")})
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("serve with a secret readable by all: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "w.db")); err == nil {
		t.Error("serve made a database before refusing its flags")
	}
}

// TestServeSendsReportersMessagesThroughTheWebhook: `wangge serve` with a
// webhook delivers a case's "received" to the gateway, signed, and stops
// with the server.
func TestServeSendsReportersMessagesThroughTheWebhook(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "w.db")
	t.Setenv("WANGGE_SECRET_KEY_FILE", filepath.Join(dir, "w.key"))
	secret := []byte("the gateway's secret, long enough")
	secretFile := filepath.Join(dir, "webhook.secret")
	if err := os.WriteFile(secretFile, append(secret, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := wangge.WithActor(context.Background(), wangge.Actor{UserID: 1, Username: "tester", Role: wangge.RoleDistrictAdmin})
	db, err := createStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []wangge.Area{{Code: "140499", Name: "d"}, {Code: "140499001", Name: "s"}, {Code: "140499001001", Name: "c"}, {Code: "140499001001001", Name: "g"}} {
		if err := db.CreateArea(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	c, err := db.CreateCase(ctx, casework.Actor{UserID: 11, Name: "assistant", Role: wangge.RoleAssistant, ScopeCode: "140499001001001"}, casework.Draft{
		Source: casework.SourcePhone, Category: casework.ProblemTypes[0], Mechanism: casework.Coordination,
		Location: casework.Location{GridCode: "140499001001001"}, Reporter: casework.Reporter{Contact: "13900001111"}, Description: "a broken lamp",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	got := make(chan outbox.WebhookBody, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m outbox.WebhookBody
		if err := outbox.VerifyRequest(secret, r.Header, b, time.Now()); err != nil || json.Unmarshal(b, &m) != nil {
			http.Error(w, "refused", http.StatusUnauthorized)
			return
		}
		got <- m
	}))
	defer rcv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(sctx, []string{"serve", "--db", dsn, "--addr", addr, "--webhook-url", rcv.URL + "/sms", "--webhook-secret-file", secretFile})
	}()
	select {
	case m := <-got:
		if m.Case != c.Number || m.Kind != "received" || m.To != "13900001111" || !strings.Contains(m.Text, c.Number) || m.Lang != "zh" {
			t.Errorf("delivered %+v", m)
		}
	case err := <-done:
		t.Fatalf("serve ended before delivering: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("no delivery in a minute")
	}
	// The store marks it sent once the gateway's answer is in: a server
	// stopped before that sends it again at its next start.
	db, err = openStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		n, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == (wangge.OutboxCounts{Sent: 1}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox %+v a minute after the delivery", n)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}
