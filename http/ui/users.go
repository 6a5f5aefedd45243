package ui

import (
	"net/http"
	"time"

	"github.com/wangge/wangge"
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/internal/pagekit"
	"github.com/wangge/wangge/passwd"
)

// userRow is one account on the administrator's list.
type userRow struct {
	wangge.User
	LockedUntil time.Time // until when its owner's login is delayed; zero when it is not
	CanReset    bool
}

type usersView struct {
	Users    []userRow
	Pager    *pagekit.Pager
	Unlocked bool // after an unlock
}

// accountAttemptsRead is how many of an account's newest attempts the list
// reads to tell whether its login is delayed: enough for its own count and
// the pairs of an attack from a few addresses.
const accountAttemptsRead = 200

// handleUsers lists the accounts within the administrator's scope, with
// whether the login of each is delayed, and the reset and unlock buttons
// where the administrator may manage it.
func (s *accounts) handleUsers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := whttp.UserFrom(ctx)
	pg, n, err := pagekit.PageOf(r)
	if err != nil {
		return err
	}
	users, total, err := s.store.ListUsers(ctx, me.Scope(), pg)
	if err != nil {
		return err
	}
	now := s.core.Now()
	v := &usersView{Pager: pagekit.NewPager(r, n, total), Unlocked: r.URL.Query().Get("unlocked") == "1"}
	for _, u := range users {
		row := userRow{User: u, CanReset: me.CanManage(&u) == nil}
		as, err := s.store.LoginAttempts(ctx, u.Username, "", wangge.LoginFailureSince(now), accountAttemptsRead)
		if err != nil {
			return err
		}
		row.LockedUntil, _ = wangge.AccountThrottle(as, now)
		row.PasswordHash = ""
		v.Users = append(v.Users, row)
	}
	s.core.Render(w, r, http.StatusOK, "admin_users", &whttp.View{Title: s.core.T(r, "users.title"), Data: v})
	return nil
}

// resetView is what the page after a reset shows: the temporary password,
// once.
type resetView struct {
	User         wangge.User
	Password     string
	TOTPDisabled bool
}

// handleUserReset gives the account a new random temporary password that
// meets the policy, shows it once, ends the account's sessions and clears
// its login delays (the store does both with the audit entry "user.reset"). The
// user must change it at the next login. An account outside the
// administrator's scope is not found; one of a higher role is refused.
// With disable_totp=1 it also turns the account's one-time codes off, for
// someone who lost their phone.
func (s *accounts) handleUserReset(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := whttp.UserFrom(ctx)
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	target, err := s.store.User(ctx, id)
	if err != nil {
		return err
	}
	if err := me.CanManage(target); err != nil {
		return err
	}
	temp := passwd.Temporary(target.Username)
	if err := s.store.SetPassword(ctx, target.ID, passwd.Hash(temp, passwd.Default), nil, true); err != nil {
		return err
	}
	v := &resetView{User: *target, Password: temp}
	v.User.PasswordHash = ""
	if r.PostFormValue("disable_totp") == "1" && target.TOTPEnabled {
		if err := s.store.SetUserTOTP(ctx, target.ID, "", false); err != nil {
			return err
		}
		v.TOTPDisabled = true
	}
	crumbs := []whttp.Crumb{{Name: s.core.T(r, "users.title"), URL: "/admin/users"}, {Name: target.Username}}
	s.core.Render(w, r, http.StatusOK, "user_reset", &whttp.View{Title: s.core.T(r, "users.reset.title"), Crumbs: crumbs, Data: v})
	return nil
}

// handleUserUnlock forgets the account's failed logins, so that every
// delay they built up ends at once (the store audits it as "user.unlock");
// the password stays. Scope and rank are the reset's: an account outside
// the administrator's scope is not found, one of a higher role refused.
func (s *accounts) handleUserUnlock(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	me := whttp.UserFrom(ctx)
	id, err := pagekit.IDOf(r)
	if err != nil {
		return err
	}
	target, err := s.store.User(ctx, id)
	if err != nil {
		return err
	}
	if err := me.CanManage(target); err != nil {
		return err
	}
	if _, err := s.store.UnlockLogin(ctx, target.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users?unlocked=1", http.StatusSeeOther)
	return nil
}
