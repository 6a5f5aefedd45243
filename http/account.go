package http

import (
	"errors"
	"net/http"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
	"github.com/wangge/wangge/totp"
)

// accountPasswordPath is the page where users change their own password; a
// user with a temporary password is sent there before anything else.
const accountPasswordPath = "/account/password"

var (
	errMustChange = wangge.E(wangge.EForbidden, "error.password.must_change")
	errTOTPRole   = wangge.E(wangge.EForbidden, "error.totp.role")
)

// fieldErr is an EInvalid error about a form field, with both texts from
// the message catalogue.
func (s *Server) fieldErr(field, id string, args ...any) *wangge.Error {
	return wangge.Invalid(field, id, args...)
}

// errText is err's text in the reader's language.
func errText(r *http.Request, err error) string {
	if LangOf(r) == LangEn {
		return wangge.ErrorMessage(err)
	}
	return wangge.ErrorZh(err)
}

// passwordView is what the password page shows.
type passwordView struct {
	Must        bool // the password is a temporary one
	Changed     bool
	Error       string
	Field       string // the field the error is about
	MinLen      int
	TOTPAllowed bool
	TOTPEnabled bool
}

func (s *Server) renderPassword(w http.ResponseWriter, r *http.Request, status int, v *passwordView) {
	u := UserFrom(r.Context())
	v.Must, v.MinLen = u.MustChangePassword, passwd.MinLen
	v.TOTPAllowed, v.TOTPEnabled = u.Role.CanUseTOTP(), u.TOTPEnabled
	s.Render(w, r, status, "account_password", &View{Title: s.msgs.T(LangOf(r), "account.password.title"), Data: v})
}

// handlePasswordForm shows the form to change one's own password.
func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) error {
	s.renderPassword(w, r, http.StatusOK, &passwordView{Changed: r.URL.Query().Get("changed") == "1"})
	return nil
}

// handlePassword changes the user's own password: the current one, and the
// new one twice, which must meet the policy (passwd.CheckPolicy). A wrong
// current password counts as a failed login, so the form cannot be used to
// guess it. Every other session of the user ends.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := UserFrom(ctx)
	cur, nw, confirm := r.PostFormValue("current_password"), r.PostFormValue("new_password"), r.PostFormValue("confirm_password")
	refuse := func(err error) error {
		if Status(err) == http.StatusInternalServerError {
			return err
		}
		var we *wangge.Error
		field := ""
		if errors.As(err, &we) {
			field = we.Field
		}
		s.renderPassword(w, r, Status(err), &passwordView{Error: errText(r, err), Field: field})
		return nil
	}
	a, err := s.newAttempt(r, u.Username, u, "password", "password")
	if err != nil {
		return err
	}
	if refused, err := s.guard(ctx, a); err != nil {
		return err
	} else if refused != nil {
		return refuse(refused)
	}
	if !passwd.Check(cur, u.PasswordHash) {
		if err := s.fail(ctx, a); err != nil {
			return refuse(err)
		}
		return refuse(s.fieldErr("current_password", "account.password.wrong_current"))
	}
	if nw != confirm {
		return refuse(s.fieldErr("confirm_password", "account.password.mismatch"))
	}
	if nw == cur {
		return refuse(s.fieldErr("new_password", "account.password.same"))
	}
	if err := passwd.CheckPolicy(u.Username, nw, u.DisplayName); err != nil {
		return refuse(policyError(err))
	}
	if err := s.store.SetPassword(ctx, u.ID, passwd.Hash(nw, passwd.Default), sessionHash(r), false); err != nil {
		return err
	}
	http.Redirect(w, r, accountPasswordPath+"?changed=1", http.StatusSeeOther)
	return nil
}

// policyError turns the password policy's refusal into a form error.
func policyError(err error) error {
	var pe *passwd.PolicyError
	if errors.As(err, &pe) {
		return &wangge.Error{Code: wangge.EInvalid, Field: "new_password", Key: pe.Key, Params: pe.Params}
	}
	return err
}

// totpView is what the TOTP page shows.
type totpView struct {
	Enabled bool
	// Pending is set while a new secret awaits its first code.
	Pending bool
	Secret  string // base32, grouped for reading
	URI     string
	Done    string // "enabled" or "disabled" after a change
	Error   string
}

// totpIssuer is the name an authenticator app shows beside the code.
const totpIssuer = "wangge"

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, v *totpView) error {
	ctx := r.Context()
	u := UserFrom(ctx)
	st, err := s.store.UserTOTP(ctx, u.ID)
	switch {
	case wangge.ErrorCode(err) == wangge.ENotFound:
	case err != nil:
		return err
	case st.Enabled:
		v.Enabled = true
	default:
		secret, err := totp.Decode(st.Secret)
		if err != nil {
			return err
		}
		v.Pending, v.Secret, v.URI = true, group4(st.Secret), totp.URI(totpIssuer, u.Username, secret)
	}
	s.Render(w, r, status, "account_totp", &View{Title: s.msgs.T(LangOf(r), "totp.title"), Data: v})
	return nil
}

// group4 writes a base32 secret in groups of four, as people copy it.
func group4(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if i > 0 && i%4 == 0 {
			b = append(b, ' ')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// handleTOTPPage shows whether one-time codes are on, and the secret of a
// setup in progress.
func (s *Server) handleTOTPPage(w http.ResponseWriter, r *http.Request) error {
	if !UserFrom(r.Context()).Role.CanUseTOTP() {
		return errTOTPRole
	}
	return s.renderTOTP(w, r, http.StatusOK, &totpView{Done: r.URL.Query().Get("done")})
}

// handleTOTP sets one-time codes up ("start": a new secret, shown as text
// and as an otpauth:// URI), turns them on once a code from the app
// confirms the secret ("confirm"), drops a setup ("cancel") or turns them
// off, which needs a current code ("disable"). A wrong code counts as a
// failed login. Each change is audited by the store.
func (s *Server) handleTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := UserFrom(ctx)
	if !u.Role.CanUseTOTP() {
		return errTOTPRole
	}
	refuse := func(err error) error {
		if Status(err) == http.StatusInternalServerError {
			return err
		}
		return s.renderTOTP(w, r, Status(err), &totpView{Error: errText(r, err)})
	}
	switch action := r.PostFormValue("action"); action {
	case "start":
		if u.TOTPEnabled {
			return refuse(wangge.E(wangge.EConflict, "totp.already_on"))
		}
		if err := s.store.SetUserTOTP(ctx, u.ID, totp.Encode(totp.NewSecret()), false); err != nil {
			return err
		}
		return s.renderTOTP(w, r, http.StatusOK, &totpView{})
	case "cancel":
		if u.TOTPEnabled {
			return refuse(wangge.E(wangge.EConflict, "totp.already_on"))
		}
		if err := s.store.SetUserTOTP(ctx, u.ID, "", false); err != nil {
			return err
		}
		http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
		return nil
	case "confirm", "disable":
		pending := action == "confirm"
		if pending == u.TOTPEnabled {
			http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			return nil
		}
		a, err := s.newAttempt(r, u.Username, u, "totp", "otp")
		if err != nil {
			return err
		}
		if refused, err := s.guard(ctx, a); err != nil {
			return err
		} else if refused != nil {
			return refuse(refused)
		}
		ok, err := s.checkTOTP(ctx, u, r.PostFormValue("otp"), pending)
		if err != nil {
			return err
		}
		if !ok {
			if err := s.fail(ctx, a); err != nil {
				return refuse(err)
			}
			return refuse(s.fieldErr("otp", "totp.wrong_code"))
		}
		if pending {
			st, err := s.store.UserTOTP(ctx, u.ID)
			if err != nil {
				return err
			}
			err = s.store.SetUserTOTP(ctx, u.ID, st.Secret, true)
			if err != nil {
				return err
			}
			http.Redirect(w, r, "/account/totp?done=enabled", http.StatusSeeOther)
			return nil
		}
		if err := s.store.SetUserTOTP(ctx, u.ID, "", false); err != nil {
			return err
		}
		http.Redirect(w, r, "/account/totp?done=disabled", http.StatusSeeOther)
		return nil
	}
	return s.fieldErr("action", "totp.bad_action")
}
