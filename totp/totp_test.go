package totp

import (
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA1 seed of RFC 6238 Appendix B (and RFC 4226 Appendix D).
var rfcSecret = []byte("12345678901234567890")

// TestRFC6238AppendixBSHA1 checks the SHA1 rows of RFC 6238's test vectors
// (8 digits, 30-second step, T0 = 0).
func TestRFC6238AppendixBSHA1(t *testing.T) {
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		tm := time.Unix(v.unix, 0)
		if got := HOTP(rfcSecret, uint64(Step(tm)), 8); got != v.code {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.code)
		}
		// The 6-digit code is the last six digits of the 8-digit one.
		if got := Code(rfcSecret, tm); got != v.code[2:] {
			t.Errorf("T=%d: 6-digit code %s, want %s", v.unix, got, v.code[2:])
		}
		if step, ok := Validate(rfcSecret, v.code[2:], tm); !ok || step != Step(tm) {
			t.Errorf("T=%d: Validate(%s) = %d, %v", v.unix, v.code[2:], step, ok)
		}
	}
}

// TestRFC4226AppendixD checks the HOTP values the TOTP codes are built on.
func TestRFC4226AppendixD(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for i, w := range want {
		if got := HOTP(rfcSecret, uint64(i), 6); got != w {
			t.Errorf("counter %d: %s, want %s", i, got, w)
		}
	}
}

func TestValidateAcceptsOneStepEitherSide(t *testing.T) {
	now := time.Unix(1111111111, 0)
	for d, want := range map[int]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		code := Code(rfcSecret, now.Add(time.Duration(d)*Period))
		step, ok := Validate(rfcSecret, code, now)
		if ok != want {
			t.Errorf("code of step %+d: ok %v, want %v", d, ok, want)
		}
		if ok && step != Step(now)+int64(d) {
			t.Errorf("code of step %+d: matched step %d, want %d", d, step, Step(now)+int64(d))
		}
	}
}

func TestValidateRefusesWrongCodes(t *testing.T) {
	now := time.Unix(1234567890, 0)
	good := Code(rfcSecret, now)
	wrong := []string{"", "12345", "1234567", "abcdef", "-12345", "89005９", "000000"}
	// A code off by one digit.
	b := []byte(good)
	b[5] = '0' + (b[5]-'0'+1)%10
	wrong = append(wrong, string(b))
	for _, c := range wrong {
		if c == good {
			continue
		}
		if _, ok := Validate(rfcSecret, c, now); ok {
			t.Errorf("Validate(%q) accepted a wrong code", c)
		}
	}
	if _, ok := Validate([]byte("another secret 0123"), good, now); ok {
		t.Error("a code is accepted under another secret")
	}
	if _, ok := Validate(rfcSecret, good[:3]+" "+good[3:], now); !ok {
		t.Error("a code typed with a space in the middle is refused")
	}
}

func TestSecretRoundTripsThroughBase32(t *testing.T) {
	s := NewSecret()
	if len(s) != SecretLen {
		t.Fatalf("secret of %d bytes", len(s))
	}
	enc := Encode(s)
	if strings.ContainsAny(enc, "=") || len(enc) != 32 {
		t.Errorf("encoded %q: want 32 base32 characters without padding", enc)
	}
	for _, in := range []string{enc, strings.ToLower(enc), enc[:4] + " " + enc[4:8] + "-" + enc[8:]} {
		got, err := Decode(in)
		if err != nil || string(got) != string(s) {
			t.Errorf("Decode(%q) = %x, %v; want %x", in, got, err, s)
		}
	}
	for _, bad := range []string{"", "ABC", "!!!!", Encode(make([]byte, 10))} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted a malformed or short secret", bad)
		}
	}
	if Encode(NewSecret()) == enc {
		t.Error("two new secrets are equal")
	}
}

func TestURI(t *testing.T) {
	got := URI("网格化服务管理", "admin", rfcSecret)
	for _, want := range []string{"otpauth://totp/", ":admin?", "secret=" + Encode(rfcSecret), "algorithm=SHA1", "digits=6", "period=30", "issuer="} {
		if !strings.Contains(got, want) {
			t.Errorf("URI %q lacks %q", got, want)
		}
	}
}
