package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

var loginTests = []test{
	{"LoginFailuresAreCountedPerUsernameAndPerAddress", testLoginFailuresCounted},
	{"LoginFailuresAreSharedByEveryOpenerOfTheDatabase", testLoginFailuresShared},
	{"ClearLoginFailuresForgetsOnlyThatAccountsFailures", testClearLoginFailures},
	{"PurgeLoginAttemptsDeletesOnlyOldRowsAndKeepsKnownDevicesLonger", testPurgeLoginAttempts},
	{"LoginAttemptsOfAPairOrAUsernameComeNewestFirstWithBothOutcomes", testLoginAttempts},
	{"KnownLoginDeviceNeedsASuccessOfThatUsernameFromTheDevice", testKnownLoginDevice},
	{"UnlockLoginForgetsTheAccountsFailuresAndIsAudited", testUnlockLogin},
	{"SetPasswordEndsTheOtherSessionsAndIsAudited", testSetPassword},
	{"ResetPasswordIsTemporaryClearsFailuresAndEndsEverySession", testResetPassword},
	{"DeleteUserSessionsKeepsOnlyTheOneAskedFor", testDeleteUserSessions},
	{"TOTPSecretIsSealedAtRestAndFollowsSetupEnableDisable", testTOTPSecret},
	{"UseTOTPStepRefusesTheSameOrAnEarlierStep", testTOTPStep},
}

// loginBase is a time with microseconds, as both stores keep them.
var loginBase = time.Date(2026, 3, 1, 2, 0, 0, 123456000, time.UTC)

func (e *env) attempt(username, addr string, at time.Time, good bool) {
	e.t.Helper()
	ok(e.t, e.db.RecordLoginAttempt(e.ctx, &wangge.LoginAttempt{Username: username, Addr: addr, At: at, OK: good}), "RecordLoginAttempt")
}

func testLoginFailuresCounted(t *testing.T, e *env) {
	ctx := e.ctx
	at := func(min int) time.Time { return loginBase.Add(time.Duration(min) * time.Minute) }
	e.attempt("admin", "192.0.2.1", at(0), false)
	e.attempt("Admin", "192.0.2.1", at(1), false) // usernames count without case
	e.attempt("admin", "192.0.2.2", at(2), true)  // a success is recorded, not counted
	e.attempt("admin", "192.0.2.2", at(3), false)
	e.attempt("nobody", "192.0.2.1", at(4), false) // unknown names count the same
	e.attempt("other", "2001:db8::/64", at(5), false)

	got, err := e.db.LoginFailures(ctx, wangge.LoginByUsername, "admin", at(0), 10)
	ok(t, err, "LoginFailures by username")
	want := []time.Time{at(3), at(1), at(0)}
	if len(got) != len(want) {
		t.Fatalf("admin's failures %v, want %v", got, want)
	}
	for i := range want {
		wantTime(t, "failure", got[i], want[i])
	}
	// since is inclusive; limit keeps the newest.
	if got, err := e.db.LoginFailures(ctx, wangge.LoginByUsername, "ADMIN", at(1), 10); err != nil || len(got) != 2 {
		t.Errorf("failures since the second: %v, %v; want 2", got, err)
	}
	if got, err := e.db.LoginFailures(ctx, wangge.LoginByUsername, "admin", at(0), 1); err != nil || len(got) != 1 || !got[0].Equal(at(3)) {
		t.Errorf("newest failure: %v, %v; want [%v]", got, err, at(3))
	}
	got, err = e.db.LoginFailures(ctx, wangge.LoginByAddr, "192.0.2.1", at(0), 10)
	ok(t, err, "LoginFailures by address")
	if len(got) != 3 || !got[0].Equal(at(4)) {
		t.Errorf("192.0.2.1's failures %v, want 3, newest %v", got, at(4))
	}
	for _, c := range []struct {
		by    wangge.LoginKey
		key   string
		since time.Time
		want  int
	}{
		{wangge.LoginByUsername, "admin", at(0), 3},
		{wangge.LoginByUsername, "admin", at(2), 1},
		{wangge.LoginByUsername, "nobody", at(0), 1},
		{wangge.LoginByUsername, "never-tried", at(0), 0},
		{wangge.LoginByAddr, "192.0.2.1", at(0), 3},
		{wangge.LoginByAddr, "192.0.2.2", at(0), 1},
		{wangge.LoginByAddr, "2001:db8::/64", at(0), 1},
		{wangge.LoginByAddr, "192.0.2.1", at(5), 0},
	} {
		n, err := e.db.CountLoginFailures(ctx, c.by, c.key, c.since)
		ok(t, err, "CountLoginFailures")
		if n != c.want {
			t.Errorf("CountLoginFailures(%v, %q, %v) = %d, want %d", c.by, c.key, c.since, n, c.want)
		}
	}
	if _, err := e.db.CountLoginFailures(ctx, wangge.LoginKey(9), "x", at(0)); err == nil {
		t.Error("an unknown login key was accepted")
	}
}

func testLoginFailuresShared(t *testing.T, e *env) {
	other := e.reopen(t)
	for i := range 3 {
		ok(t, other.RecordLoginAttempt(e.ctx, &wangge.LoginAttempt{Username: "admin", Addr: "192.0.2.9", At: loginBase.Add(time.Duration(i) * time.Second)}))
	}
	e.attempt("admin", "192.0.2.9", loginBase.Add(time.Minute), false)
	n, err := e.db.CountLoginFailures(e.ctx, wangge.LoginByUsername, "admin", loginBase)
	ok(t, err)
	m, err := other.CountLoginFailures(e.ctx, wangge.LoginByAddr, "192.0.2.9", loginBase)
	ok(t, err)
	if n != 4 || m != 4 {
		t.Errorf("one store counts %d, the other %d; want 4 and 4", n, m)
	}
}

func testClearLoginFailures(t *testing.T, e *env) {
	ctx := e.ctx
	e.attempt("admin", "192.0.2.1", loginBase, false)
	e.attempt("admin", "192.0.2.1", loginBase.Add(time.Second), false)
	e.attempt("admin", "192.0.2.1", loginBase.Add(2*time.Second), true)
	e.attempt("other", "192.0.2.1", loginBase, false)
	n, err := e.db.ClearLoginFailures(ctx, "ADMIN")
	ok(t, err, "ClearLoginFailures")
	if n != 2 {
		t.Errorf("ClearLoginFailures cleared %d, want 2", n)
	}
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByUsername, "admin", loginBase); n != 0 {
		t.Errorf("admin has %d failures after the clear", n)
	}
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByUsername, "other", loginBase); n != 1 {
		t.Errorf("other has %d failures after admin's clear, want 1", n)
	}
}

func testPurgeLoginAttempts(t *testing.T, e *env) {
	ctx := e.ctx
	device := wangge.LoginDevicePrefix + "ab12"
	e.attempt("a", "192.0.2.1", loginBase.Add(-25*time.Hour), false)
	e.attempt("a", "192.0.2.1", loginBase.Add(-25*time.Hour), true)
	e.attempt("a", "192.0.2.1", loginBase, false)
	e.attempt("a", device, loginBase.Add(-25*time.Hour), true)  // a known device: kept
	e.attempt("a", device, loginBase.Add(-25*time.Hour), false) // a failure from it: not
	e.attempt("a", device, loginBase.Add(-91*24*time.Hour), true)
	n, err := e.db.PurgeLoginAttempts(ctx, loginBase.Add(-wangge.LoginAttemptsKept), loginBase.Add(-wangge.LoginDevicesKept))
	ok(t, err, "PurgeLoginAttempts")
	if n != 4 {
		t.Errorf("purged %d, want 4", n)
	}
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByUsername, "a", time.Time{}); n != 1 {
		t.Errorf("%d failures left, want 1", n)
	}
	as, err := e.db.LoginAttempts(ctx, "a", device, time.Time{}, 10)
	ok(t, err, "LoginAttempts")
	if len(as) != 1 || !as[0].OK {
		t.Errorf("the device's attempts after the purge: %+v, want its success of 25 hours ago", as)
	}
}

func testLoginAttempts(t *testing.T, e *env) {
	ctx := e.ctx
	at := func(min int) time.Time { return loginBase.Add(time.Duration(min) * time.Minute) }
	e.attempt("admin", "192.0.2.1", at(0), false)
	e.attempt("Admin", "192.0.2.1", at(1), true)
	e.attempt("admin", "192.0.2.2", at(2), false)
	e.attempt("admin", "192.0.2.1", at(3), false)
	e.attempt("other", "192.0.2.1", at(4), false)
	got, err := e.db.LoginAttempts(ctx, "ADMIN", "192.0.2.1", at(0), 10)
	ok(t, err, "LoginAttempts of a pair")
	pa := func(at time.Time, good bool) wangge.LoginAttempt {
		return wangge.LoginAttempt{Username: "admin", Addr: "192.0.2.1", At: at, OK: good}
	}
	want := []wangge.LoginAttempt{pa(at(3), false), pa(at(1), true), pa(at(0), false)}
	if len(got) != len(want) {
		t.Fatalf("the pair's attempts %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Username != want[i].Username || got[i].Addr != want[i].Addr || got[i].OK != want[i].OK {
			t.Errorf("attempt %d: %+v, want %+v", i, got[i], want[i])
		}
		wantTime(t, "attempt", got[i].At, want[i].At)
	}
	got, err = e.db.LoginAttempts(ctx, "admin", "", at(1), 2)
	ok(t, err, "LoginAttempts of a username")
	if len(got) != 2 || got[0].Addr != "192.0.2.1" || got[1].Addr != "192.0.2.2" {
		t.Errorf("admin's newest two attempts since the second: %+v", got)
	}
	if got, err := e.db.LoginAttempts(ctx, "nobody", "", at(0), 10); err != nil || len(got) != 0 {
		t.Errorf("attempts of a name never tried: %+v, %v", got, err)
	}
}

func testKnownLoginDevice(t *testing.T, e *env) {
	ctx := e.ctx
	d := wangge.LoginDevicePrefix + "cafe"
	e.attempt("admin", d, loginBase, true)
	e.attempt("other", d, loginBase, false) // a failure makes no device known
	for _, c := range []struct {
		username, device string
		since            time.Time
		want             bool
	}{
		{"admin", d, loginBase, true},
		{"ADMIN", d, loginBase.Add(-time.Hour), true},
		{"admin", d, loginBase.Add(time.Second), false},
		{"other", d, loginBase, false},
		{"admin", wangge.LoginDevicePrefix + "beef", loginBase, false},
	} {
		got, err := e.db.KnownLoginDevice(ctx, c.username, c.device, c.since)
		ok(t, err, "KnownLoginDevice")
		if got != c.want {
			t.Errorf("KnownLoginDevice(%q, %q, %v) = %v, want %v", c.username, c.device, c.since, got, c.want)
		}
	}
}

func testUnlockLogin(t *testing.T, e *env) {
	ctx := e.ctx
	u := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	e.attempt("staff", "192.0.2.1", loginBase, false)
	e.attempt("staff", wangge.LoginDevicePrefix+"cafe", loginBase, false)
	e.attempt("staff", wangge.LoginDevicePrefix+"cafe", loginBase.Add(-time.Hour), true)
	e.attempt("other", "192.0.2.1", loginBase, false)
	n, err := e.db.UnlockLogin(ctx, u.ID)
	ok(t, err, "UnlockLogin")
	if n != 2 {
		t.Errorf("UnlockLogin forgot %d failures, want 2", n)
	}
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByUsername, "staff", time.Time{}); n != 0 {
		t.Errorf("%d failures left after the unlock", n)
	}
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByUsername, "other", time.Time{}); n != 1 {
		t.Errorf("another account has %d failures after the unlock, want 1", n)
	}
	if known, _ := e.db.KnownLoginDevice(ctx, "staff", wangge.LoginDevicePrefix+"cafe", time.Time{}); !known {
		t.Error("the unlock forgot the account's known device")
	}
	a := e.lastAudit()
	if a.Action != "user.unlock" || a.ObjectID != itoa(u.ID) || a.GridCode != CommunityA || !bytes.Contains([]byte(a.Detail), []byte(`"failures":2`)) {
		t.Errorf("audit %+v", a)
	}
	wantCode(t, func() error { _, err := e.db.UnlockLogin(ctx, 999999); return err }(), wangge.ENotFound, "UnlockLogin of no one")
	e.verifyAudit()
}

// sessions creates n sessions for the user, returning their token hashes.
func (e *env) sessions(u *wangge.User, n int) [][]byte {
	e.t.Helper()
	var out [][]byte
	for i := range n {
		h := bytes.Repeat([]byte{byte(u.ID), byte(i + 1)}, 16)
		ok(e.t, e.db.CreateSession(e.ctx, &wangge.Session{TokenHash: h, UserID: u.ID, CreatedAt: loginBase, ExpiresAt: loginBase.Add(time.Hour)}))
		out = append(out, h)
	}
	return out
}

func (e *env) live(h []byte) bool {
	e.t.Helper()
	_, _, err := e.db.SessionUser(e.ctx, h, loginBase)
	if err != nil && wangge.ErrorCode(err) != wangge.ENotFound {
		e.t.Fatal(err)
	}
	return err == nil
}

func testSetPassword(t *testing.T, e *env) {
	ctx := e.ctx
	u := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	other := e.user("other", wangge.RoleCommunityStaff, CommunityA)
	mine, theirs := e.sessions(u, 3), e.sessions(other, 1)
	e.attempt("staff", "192.0.2.1", loginBase, false)
	ok(t, e.db.SetPassword(ctx, u.ID, "$argon2id$new", mine[0], false), "SetPassword")
	if !e.live(mine[0]) || e.live(mine[1]) || e.live(mine[2]) {
		t.Errorf("after a change: sessions live %v %v %v, want only the one kept", e.live(mine[0]), e.live(mine[1]), e.live(mine[2]))
	}
	if !e.live(theirs[0]) {
		t.Error("another user's session ended")
	}
	got, err := e.db.User(ctx, u.ID)
	ok(t, err)
	if got.PasswordHash != "$argon2id$new" || got.MustChangePassword || got.Version != u.Version+1 {
		t.Errorf("after SetPassword: hash %q, must change %v, version %d (was %d)", got.PasswordHash, got.MustChangePassword, got.Version, u.Version)
	}
	// An edit of the account read before the change cannot write the old hash back.
	wantCode(t, e.db.UpdateUser(ctx, u), wangge.EConflict, "UpdateUser with the version before SetPassword")
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByUsername, "staff", loginBase); n != 1 {
		t.Errorf("a change by the user cleared the failures (%d left)", n)
	}
	a := e.lastAudit()
	if a.Action != "user.password" || a.ObjectID != itoa(u.ID) || a.GridCode != CommunityA || bytes.Contains([]byte(a.Detail), []byte("argon2")) {
		t.Errorf("audit %+v", a)
	}
	wantCode(t, e.db.SetPassword(ctx, 999999, "$argon2id$x", nil, false), wangge.ENotFound, "SetPassword of no one")
	wantField(t, e.db.SetPassword(ctx, u.ID, "", nil, false), "password", "SetPassword without a hash")
	e.verifyAudit()
}

func testResetPassword(t *testing.T, e *env) {
	ctx := e.ctx
	u := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	mine := e.sessions(u, 2)
	for i := range 5 {
		e.attempt("staff", "192.0.2.1", loginBase.Add(time.Duration(i)*time.Second), false)
	}
	e.attempt("staff", "192.0.2.1", loginBase.Add(time.Minute), true)
	ok(t, e.db.SetPassword(ctx, u.ID, "$argon2id$temp", nil, true), "reset")
	if e.live(mine[0]) || e.live(mine[1]) {
		t.Error("a reset left a session live")
	}
	got, err := e.db.User(ctx, u.ID)
	ok(t, err)
	if !got.MustChangePassword || got.PasswordHash != "$argon2id$temp" {
		t.Errorf("after a reset: must change %v, hash %q", got.MustChangePassword, got.PasswordHash)
	}
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByUsername, "staff", time.Time{}); n != 0 {
		t.Errorf("%d failures left after a reset", n)
	}
	if n, _ := e.db.CountLoginFailures(ctx, wangge.LoginByAddr, "192.0.2.1", time.Time{}); n != 0 {
		t.Errorf("the address still counts %d of the account's failures", n)
	}
	if a := e.lastAudit(); a.Action != "user.reset" || a.ObjectID != itoa(u.ID) {
		t.Errorf("audit %+v", a)
	}
	// The user's own change afterwards clears the mark.
	ok(t, e.db.SetPassword(ctx, u.ID, "$argon2id$mine", nil, false))
	got, _ = e.db.User(ctx, u.ID)
	if got.MustChangePassword {
		t.Error("the password is still temporary after the user changed it")
	}
	// SessionUser carries the mark too, for the pages to act on.
	ok(t, e.db.SetPassword(ctx, u.ID, "$argon2id$temp2", nil, true))
	s := e.sessions(u, 1)
	_, su, err := e.db.SessionUser(ctx, s[0], loginBase)
	ok(t, err)
	if !su.MustChangePassword {
		t.Error("SessionUser's user lacks MustChangePassword")
	}
	e.verifyAudit()
}

func testDeleteUserSessions(t *testing.T, e *env) {
	u := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	s := e.sessions(u, 3)
	n, err := e.db.DeleteUserSessions(e.ctx, u.ID, s[1])
	ok(t, err)
	if n != 2 || e.live(s[0]) || !e.live(s[1]) || e.live(s[2]) {
		t.Errorf("DeleteUserSessions ended %d; live %v %v %v", n, e.live(s[0]), e.live(s[1]), e.live(s[2]))
	}
	n, err = e.db.DeleteUserSessions(e.ctx, u.ID, nil)
	ok(t, err)
	if n != 1 || e.live(s[1]) {
		t.Errorf("DeleteUserSessions(nil) ended %d, want 1", n)
	}
}

func testTOTPSecret(t *testing.T, e *env) {
	ctx := e.ctx
	u := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	wantCode(t, func() error { _, err := e.db.UserTOTP(ctx, u.ID); return err }(), wangge.ENotFound, "UserTOTP before setup")

	ok(t, e.db.SetUserTOTP(ctx, u.ID, secret, false), "setup")
	if a := e.lastAudit(); a.Action != "user.totp.setup" || bytes.Contains([]byte(a.Detail), []byte(secret)) {
		t.Errorf("audit %+v", a)
	}
	got, err := e.db.UserTOTP(ctx, u.ID)
	ok(t, err)
	if got.Secret != secret || got.Enabled {
		t.Errorf("pending: %+v", got)
	}
	if usr, _ := e.db.User(ctx, u.ID); usr.TOTPEnabled {
		t.Error("a pending secret shows as enabled")
	}
	raw := e.rawRow(`SELECT totp_secret FROM users WHERE id = ?`, u.ID)["totp_secret"]
	if len(raw) == 0 || bytes.Contains(raw, []byte(secret)) {
		t.Errorf("totp_secret at rest %q: want sealed", raw)
	}

	ok(t, e.db.SetUserTOTP(ctx, u.ID, secret, true), "enable")
	if a := e.lastAudit(); a.Action != "user.totp.enable" {
		t.Errorf("audit %+v", a)
	}
	if usr, _ := e.db.User(ctx, u.ID); !usr.TOTPEnabled {
		t.Error("User.TOTPEnabled false after enabling")
	}
	if usr, _ := e.db.UserByUsername(ctx, "staff"); !usr.TOTPEnabled {
		t.Error("UserByUsername's TOTPEnabled false after enabling")
	}
	ok(t, e.db.SetUserTOTP(ctx, u.ID, "", false), "disable")
	if a := e.lastAudit(); a.Action != "user.totp.disable" {
		t.Errorf("audit %+v", a)
	}
	wantCode(t, func() error { _, err := e.db.UserTOTP(ctx, u.ID); return err }(), wangge.ENotFound, "UserTOTP after disable")
	if usr, _ := e.db.User(ctx, u.ID); usr.TOTPEnabled {
		t.Error("User.TOTPEnabled true after disabling")
	}
	wantField(t, e.db.SetUserTOTP(ctx, u.ID, "", true), "otp", "enable without a secret")
	wantCode(t, e.db.SetUserTOTP(ctx, 999999, secret, false), wangge.ENotFound, "SetUserTOTP of no one")
	e.verifyAudit()
}

func testTOTPStep(t *testing.T, e *env) {
	ctx := e.ctx
	u := e.user("staff", wangge.RoleCommunityStaff, CommunityA)
	if used, err := e.db.UseTOTPStep(ctx, u.ID, 100); err != nil || used {
		t.Errorf("UseTOTPStep without a secret: %v, %v; want false", used, err)
	}
	ok(t, e.db.SetUserTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", true))
	for _, c := range []struct {
		step int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}, {103, true}, {102, false}} {
		used, err := e.db.UseTOTPStep(ctx, u.ID, c.step)
		ok(t, err)
		if used != c.want {
			t.Errorf("UseTOTPStep(%d) = %v, want %v", c.step, used, c.want)
		}
	}
	got, err := e.db.UserTOTP(ctx, u.ID)
	ok(t, err)
	if got.LastStep != 103 {
		t.Errorf("LastStep %d, want 103", got.LastStep)
	}
	// A new setup starts the steps afresh.
	ok(t, e.db.SetUserTOTP(ctx, u.ID, "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU", false))
	if got, _ := e.db.UserTOTP(ctx, u.ID); got.LastStep != 0 {
		t.Errorf("LastStep %d after a new setup, want 0", got.LastStep)
	}
}
