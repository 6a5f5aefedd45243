package outbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The webhook's headers. The signature is over the timestamp, a dot and
// the body, so a receiver that checks the timestamp is recent refuses a
// captured request replayed later, and the id is signed through the body.
const (
	HeaderMessageID = "X-Wangge-Message-Id"
	HeaderTimestamp = "X-Wangge-Timestamp" // Unix seconds
	HeaderSignature = "X-Wangge-Signature" // "sha256=" and the HMAC's hex
)

// WebhookTimeout bounds one delivery when WebhookSender.Timeout is zero.
const WebhookTimeout = 10 * time.Second

// SignatureTolerance is how far a webhook's timestamp may be from the
// receiver's clock for Verify to accept it.
const SignatureTolerance = 5 * time.Minute

// WebhookBody is the JSON a webhook POSTs: what a gateway needs to send
// the message on, and nothing more.
type WebhookBody struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Case      string    `json:"case"`
	To        string    `json:"to"`
	Text      string    `json:"text"`
	Lang      string    `json:"lang"`
	CreatedAt time.Time `json:"created_at"`
}

// WebhookSender POSTs each message as JSON to a gateway's URL, signed with
// HMAC-SHA256 under Secret. A 2xx answer is a delivery; anything else, a
// timeout or a network error is a failure the worker retries (a receiver
// that got the message but whose answer was lost gets it again, with the
// same id).
type WebhookSender struct {
	URL    string
	Secret []byte
	// Timeout bounds one delivery (WebhookTimeout when zero).
	Timeout time.Duration
	// Client sends the requests (one of its own when nil; it follows no
	// redirect, since the URL is the operator's and a redirect would carry
	// the phone elsewhere).
	Client *http.Client
	// Now is the clock of the timestamp (time.Now when nil).
	Now func() time.Time
}

// NewWebhookSender checks the URL and the secret and returns the sender.
func NewWebhookSender(url string, secret []byte) (*WebhookSender, error) {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return nil, fmt.Errorf("outbox: webhook URL %q: want http:// or https://", url)
	}
	if _, err := http.NewRequest(http.MethodPost, url, nil); err != nil {
		return nil, fmt.Errorf("outbox: webhook URL: %w", err)
	}
	if len(secret) < 16 {
		return nil, errors.New("outbox: the webhook secret is shorter than 16 bytes")
	}
	return &WebhookSender{URL: url, Secret: secret}, nil
}

// defaultClient follows no redirects.
var defaultClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Send implements Sender.
func (s *WebhookSender) Send(ctx context.Context, m Message) error {
	txt, err := text(m)
	if err != nil {
		return err
	}
	body, err := json.Marshal(WebhookBody{ID: m.MessageID, Kind: string(m.Kind), Case: m.Case, To: m.To, Text: txt, Lang: m.Lang, CreatedAt: m.CreatedAt.UTC()})
	if err != nil {
		return err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	stamp := strconv.FormatInt(now().Unix(), 10)
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = WebhookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(HeaderMessageID, m.MessageID)
	req.Header.Set(HeaderTimestamp, stamp)
	req.Header.Set(HeaderSignature, Sign(s.Secret, stamp, body))
	client := s.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// A little of the answer for the outbox's last_error; the rest is
	// drained so the connection can be reused.
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s: %s", resp.Status, strings.TrimSpace(string(head)))
	}
	return nil
}

// Sign is the X-Wangge-Signature of a body sent at the timestamp (Unix
// seconds, as sent in X-Wangge-Timestamp).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("outbox: the signature does not match")
	ErrStale        = errors.New("outbox: the timestamp is too far from now")
)

// Verify is what a receiver checks of a delivery: that the signature is
// the body's and the timestamp's under the shared secret (compared in
// constant time) and that the timestamp is within SignatureTolerance of
// now.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if !hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature)) {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return ErrStale
	}
	return nil
}

// VerifyRequest is Verify of a request's headers and body, as read.
func VerifyRequest(secret []byte, h http.Header, body []byte, now time.Time) error {
	return Verify(secret, h.Get(HeaderTimestamp), h.Get(HeaderSignature), body, now)
}
