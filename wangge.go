// Package wangge holds the domain of community grid service and management
// (社区网格化服务管理): the region tree from district down to grid, the buildings,
// households and persons in each grid, resident units, assistants, key groups,
// the hundred-services catalogue and visits, together with the store interfaces
// that the sqlite and postgres packages implement.
//
// The package knows nothing of SQL or HTTP. Rules that need no I/O live here or
// in the pure packages ident, geo and casework.
package wangge

import (
	"context"
	"errors"
	"fmt"

	"github.com/wangge/wangge/msg"
)

// Error codes. One error type carries one of these; the HTTP layer maps each
// to a status in one place.
const (
	EConflict     = "conflict"     // optimistic-concurrency or uniqueness conflict
	EInternal     = "internal"     // a bug or an unexpected failure
	EInvalid      = "invalid"      // bad input
	ENotFound     = "not_found"    // no such object (or not in the caller's scope)
	EForbidden    = "forbidden"    // authenticated but not allowed
	EUnauthorized = "unauthorized" // not authenticated
	ELocked       = "locked"       // the account or address is temporarily locked
	ERateLimited  = "rate_limited" // too many of something in too short a time
)

// Error is the one error type of the domain. Message is English; Zh is the
// Chinese text shown first in the UI. Field names the offending input field
// where there is one.
type Error struct {
	Code string
	// Key names the error's text in the message catalogue (package msg),
	// with Params filling it in. Errors made before the catalogue carry
	// their texts in Message and Zh instead; Key wins when both are set.
	Key     string
	Params  map[string]any
	Message string
	Zh      string
	Field   string
	Details []ErrorDetail
}

// E returns an error of the code whose text is the catalogue's key;
// params are name/value pairs for the text's {{.Name}} fields.
func E(code, key string, params ...any) *Error {
	return &Error{Code: code, Key: key, Params: msg.Params(params...)}
}

// Invalid returns an EInvalid error about one input field, its text the
// catalogue's key.
func Invalid(field, key string, params ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Key: key, Params: msg.Params(params...)}
}

// text returns the error's text in lang ("zh" or "en").
func (e *Error) text(lang string) string {
	if e.Key != "" {
		return msg.Text(lang, e.Key, e.Params)
	}
	if lang == "zh" && e.Zh != "" {
		return e.Zh
	}
	return e.Message
}

// ErrorDetail describes one of several problems, such as one bad row of an
// import or one bad field of a form.
type ErrorDetail struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Zh      string `json:"zh,omitempty"`
}

// Detail returns one problem of several about field, its text the
// catalogue's key with params (name/value pairs) filled in. A detail holds
// its texts rather than the key because reports keep them (an import's
// rejected rows are stored and downloaded later).
func Detail(field, key string, params ...any) ErrorDetail {
	p := msg.Params(params...)
	return ErrorDetail{Field: field, Zh: msg.Text("zh", key, p), Message: msg.Text("en", key, p)}
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("wangge %s: %s: %s", e.Code, e.Field, e.text("en"))
	}
	return fmt.Sprintf("wangge %s: %s", e.Code, e.text("en"))
}

// ErrorCode returns the code of err, or EInternal when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the English message of err suitable for an end user.
// Internal errors are not exposed.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.text("en")
	}
	return msg.Text("en", "error.internal", nil)
}

// ErrorZh returns the Chinese message of err suitable for an end user.
func ErrorZh(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.text("zh")
	}
	return msg.Text("zh", "error.internal", nil)
}

// Common errors.
var (
	ErrNotFound = E(ENotFound, "error.not_found")
	ErrConflict = E(EConflict, "error.conflict")
)

// Actor is who performs an action: recorded in the audit log and on history rows.
type Actor struct {
	UserID   int64
	Username string
	Role     Role
	Addr     string // remote address, for the audit log
}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx. Without one it is the system itself.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Username: "system", Role: RoleSystem}
}
