package ident

import (
	"errors"
	"strings"
	"testing"

	"github.com/wangge/wangge/msg"
)

// checkErr fails the test unless err is an *Error for field with the given
// reason whose messages contain every string in want (in En or Zh).
func checkErr(t *testing.T, input string, err error, field, reason string, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%q: got no error, want %s", input, reason)
		return
	}
	e, ok := err.(*Error) // callers use a plain type assertion
	if !ok {
		t.Errorf("%q: error %T is not *Error", input, err)
		return
	}
	if e.Field != field || e.Reason != reason {
		t.Errorf("%q: got %s/%s (%s), want %s/%s", input, e.Field, e.Reason, e.En(), field, reason)
	}
	if !msg.Has(e.Key) || e.Zh() == e.Key || e.En() == e.Key || e.Error() != e.En() {
		t.Errorf("%q: the error's text is not in the message catalogue: %#v", input, e)
	}
	for _, w := range want {
		if !strings.Contains(e.En(), w) && !strings.Contains(e.Zh(), w) {
			t.Errorf("%q: error %q / %q does not mention %q", input, e.En(), e.Zh(), w)
		}
	}
}

func TestErrorAs(t *testing.T) {
	_, err := ParseCreditCode("x")
	var e *Error
	if !errors.As(err, &e) || e.Field != FieldCreditCode || err.Error() != e.En() {
		t.Fatalf("errors.As(%v) failed", err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  abc\t", "ABC"},
		{"\u3000１２３ｘ\u3000", "123X"},
		{"＋８６－１３８", "+86-138"},
		{"张三", "张三"},
		{"\xff", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
