package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
	"github.com/wangge/wangge/msg/msgtest"
)

func TestNoChineseInTheSource(t *testing.T) {
	msgtest.NoChinese(t, ".", 10, msgtest.Allow{})
}

func TestRenderBothLanguages(t *testing.T) {
	tests := []struct {
		kind       wangge.MessageKind
		lang       string
		want       []string
		wantAbsent string
	}{
		{wangge.MessageReceived, "zh", []string{"【网格】", "已受理", "2026-000123"}, "Wangge"},
		{wangge.MessageDispatched, "zh", []string{"已派至", "2026-000123"}, "Wangge"},
		{wangge.MessageDelayed, "zh", []string{"延期", "2026-000123"}, "Wangge"},
		{wangge.MessageClosed, "zh", []string{"已办结", "2026-000123"}, "Wangge"},
		{wangge.MessageReceived, "en", []string{"[Wangge]", "received", "2026-000123"}, "网格"},
		{wangge.MessageDispatched, "en", []string{"sent to", "2026-000123"}, "网格"},
		{wangge.MessageDelayed, "en", []string{"delay", "2026-000123"}, "网格"},
		{wangge.MessageClosed, "en", []string{"closed", "2026-000123"}, "网格"},
		{wangge.MessageClosed, "fr", []string{"已办结"}, "Wangge"}, // an unknown language reads Chinese
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.lang, func(t *testing.T) {
			got, err := Render(msg.Text, tt.kind, "2026-000123", tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			if strings.Contains(got, tt.wantAbsent) {
				t.Errorf("%q holds %q, the other language's", got, tt.wantAbsent)
			}
			// A short message: one SMS of 70 Chinese characters, or three
			// of 153 Latin ones at most.
			if n := len([]rune(got)); tt.lang == "zh" && n > 70 || n > 3*153 {
				t.Errorf("%q is %d characters long", got, n)
			}
		})
	}
	if _, err := Render(msg.Text, "reminded", "2026-000123", "zh"); err == nil {
		t.Error("an unknown kind was rendered")
	}
	empty := func(lang, key string, _ map[string]any) string { return key }
	if _, err := Render(empty, wangge.MessageClosed, "2026-000123", "zh"); err == nil {
		t.Error("a catalogue without the key gave no error")
	}
}

func TestBackoffGrowsWithJitterAndIsCapped(t *testing.T) {
	base, limit := time.Second, time.Minute
	b := Exponential(base, limit)
	tests := []struct {
		attempt int
		step    time.Duration // the attempt's full step: the wait is in [step/2, step]
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {6, 32 * time.Second},
		{7, time.Minute}, {8, time.Minute}, {100, time.Minute}, {0, time.Second},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := b(tt.attempt)
			if d < tt.step/2 || d > tt.step {
				t.Fatalf("attempt %d waits %v, want within [%v, %v]", tt.attempt, d, tt.step/2, tt.step)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: %d distinct waits in 200, want jitter", tt.attempt, len(seen))
		}
	}
	if d := Backoff(wangge.MessageAttemptsMax); d > BackoffCap {
		t.Errorf("Backoff's last wait %v is over its cap %v", d, BackoffCap)
	}
}

// TestWebhookSignedAndReceiverVerifies: a receiver holding the secret
// accepts the delivery, one with another secret, a changed body, a changed
// timestamp or a stale one refuses it; the body holds what a gateway needs.
func TestWebhookSignedAndReceiverVerifies(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	type got struct {
		h    http.Header
		body []byte
	}
	deliveries := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		deliveries <- got{r.Header.Clone(), b}
		if err := VerifyRequest(secret, r.Header, b, now); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s, err := NewWebhookSender(srv.URL, secret)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return now }
	m := Message{ID: 7, MessageID: "140499-2026-000123-1-0", Kind: wangge.MessageReceived, Case: "2026-000123", To: "13900001111", Lang: "zh", CreatedAt: now.Add(-time.Minute)}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("a delivery the receiver verifies failed: %v", err)
	}
	d := <-deliveries
	if d.h.Get(HeaderMessageID) != m.MessageID || !strings.HasPrefix(d.h.Get(HeaderSignature), "sha256=") || d.h.Get(HeaderTimestamp) != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("headers %v", d.h)
	}
	var body map[string]any
	if err := json.Unmarshal(d.body, &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "kind", "case", "to", "text", "lang", "created_at"} {
		if _, ok := body[k]; !ok {
			t.Errorf("the body lacks %q: %s", k, d.body)
		}
	}
	if body["id"] != m.MessageID || body["to"] != m.To || body["case"] != m.Case || !strings.Contains(body["text"].(string), m.Case) {
		t.Errorf("body %s", d.body)
	}

	sig, stamp := d.h.Get(HeaderSignature), d.h.Get(HeaderTimestamp)
	refusals := []struct {
		name       string
		secret     []byte
		stamp, sig string
		body       []byte
		now        time.Time
		want       error
	}{
		{"another secret", []byte("another secret of 32 bytes......"), stamp, sig, d.body, now, ErrBadSignature},
		{"a changed body", secret, stamp, sig, bytes.Replace(d.body, []byte("13900001111"), []byte("13900002222"), 1), now, ErrBadSignature},
		{"a changed timestamp", secret, strconv.FormatInt(now.Unix()+1, 10), sig, d.body, now, ErrBadSignature},
		{"no signature", secret, stamp, "", d.body, now, ErrBadSignature},
		{"replayed an hour later", secret, stamp, sig, d.body, now.Add(time.Hour), ErrStale},
	}
	for _, r := range refusals {
		if err := Verify(r.secret, r.stamp, r.sig, r.body, r.now); !errors.Is(err, r.want) {
			t.Errorf("%s: %v, want %v", r.name, err, r.want)
		}
	}
	if err := Verify(secret, stamp, sig, d.body, now.Add(time.Minute)); err != nil {
		t.Errorf("the delivery a minute later: %v", err)
	}

	// The receiver's refusal is a failure to retry, with its answer.
	s.Secret = []byte("a secret the receiver does not hold")
	err = s.Send(context.Background(), m)
	<-deliveries
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a refused delivery: %v", err)
	}
}

func TestWebhookFailuresAreErrors(t *testing.T) {
	secret := []byte("0123456789abcdef")
	m := Message{MessageID: "x-1", Kind: wangge.MessageClosed, Case: "2026-000001", To: "13900001111", Lang: "en"}
	release := make(chan struct{}) // lets the slow handler go once its test is over
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusInternalServerError) }},
		{"a redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://elsewhere.example/", http.StatusFound)
		}},
		{"too slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			s, err := NewWebhookSender(srv.URL, secret)
			if err != nil {
				t.Fatal(err)
			}
			s.Timeout = 200 * time.Millisecond
			err = s.Send(context.Background(), m)
			if tt.name == "too slow" {
				close(release)
			}
			if err == nil {
				t.Error("no error")
			}
		})
	}
	for _, bad := range []struct{ url, secret string }{{"ftp://x", "0123456789abcdef"}, {"http://x", "short"}} {
		if _, err := NewWebhookSender(bad.url, []byte(bad.secret)); err == nil {
			t.Errorf("NewWebhookSender(%q, %q) accepted", bad.url, bad.secret)
		}
	}
}

func TestLogSenderMasksThePhone(t *testing.T) {
	var b bytes.Buffer
	s := LogSender{Log: slog.New(slog.NewTextHandler(&b, nil))}
	m := Message{MessageID: "140499-2026-000009-3-0", Kind: wangge.MessageDispatched, Case: "2026-000009", To: "13912345678", Lang: "zh"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "13912345678") || !strings.Contains(out, "139****5678") {
		t.Errorf("the log shows the phone unmasked or not at all: %s", out)
	}
	for _, w := range []string{m.MessageID, "dispatched", m.Case} {
		if !strings.Contains(out, w) {
			t.Errorf("the log lacks %q: %s", w, out)
		}
	}
}
