package wangge

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckAPIKeyName: a key's name is trimmed, and an empty, overlong or
// unprintable one is refused on the field "name".
func TestCheckAPIKeyName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"fixmystreet", "fixmystreet", true},
		{"  12345 热线 ", "12345 热线", true},
		{strings.Repeat("键", APIKeyNameMax), strings.Repeat("键", APIKeyNameMax), true},
		{"", "", false},
		{"   ", "", false},
		{strings.Repeat("k", APIKeyNameMax+1), "", false},
		{"line\nbreak", "", false},
		{"tab\there", "", false},
	} {
		got, err := CheckAPIKeyName(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("CheckAPIKeyName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		var e *Error
		if !tc.ok && (!errors.As(err, &e) || e.Field != "name" || e.Code != EInvalid) {
			t.Errorf("CheckAPIKeyName(%q) = %q, %v; want a refusal of the name", tc.in, got, err)
		}
	}
}
