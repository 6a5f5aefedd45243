package synth

import (
	crand "crypto/rand"
	"errors"
	"math/rand/v2"
	"strings"

	"github.com/wangge/wangge"
)

// passwordChars leaves out characters that are easily confused (0 O 1 l I).
const (
	upperChars    = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	lowerChars    = "abcdefghijkmnpqrstuvwxyz"
	digitChars    = "23456789"
	passwordChars = upperChars + lowerChars + digitChars
)

// Password returns a 16-character password drawn from r with at least one
// upper-case letter, one lower-case letter and one digit, so it meets the
// login policy (10 characters, three classes).
func password(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = passwordChars[r.IntN(len(passwordChars))]
	}
	pos := r.Perm(len(b))
	b[pos[0]] = upperChars[r.IntN(len(upperChars))]
	b[pos[1]] = lowerChars[r.IntN(len(lowerChars))]
	b[pos[2]] = digitChars[r.IntN(len(digitChars))]
	return string(b[:])
}

// demoUsernames are the demo's accounts, in the order their passwords are
// drawn from the seed.
var demoUsernames = []string{"admin", "jiedao", "shequ", "xieliyuan", "louyuanzhang", "minzheng", "shenji"}

// DemoUsernames returns the usernames of the accounts Generate creates.
func DemoUsernames() []string { return append([]string(nil), demoUsernames...) }

// Passwords returns the passwords Generate gives the demo's accounts for the
// seed, by username: all but admin's, whose password is the caller's. The
// demo prints them again on a database it filled before.
func Passwords(seed int64) map[string]string {
	r := newRand(seed, streamUsers, 0)
	out := make(map[string]string, len(demoUsernames)-1)
	for _, u := range demoUsernames[1:] {
		pw := password(r)
		for strings.Contains(strings.ToLower(pw), u) {
			pw = password(r)
		}
		out[u] = pw
	}
	return out
}

// users writes one account for each role.
func (g *generator) users(adminPassword string, hash func(string) string) error {
	passwords := Passwords(g.cfg.Seed)
	if adminPassword == "" {
		var seed [32]byte
		if _, err := crand.Read(seed[:]); err != nil {
			return err
		}
		adminPassword = password(rand.New(rand.NewChaCha8(seed)))
	}
	sub, comm, grid := g.plan.subdistricts[0], g.plan.communities[0], g.plan.grids[0]
	assistant := g.firstGridAssistant
	accounts := []struct {
		username, display string
		role              wangge.Role
		scope             string
		line              wangge.Line
		assistant         *int64
	}{
		{"admin", "区管理员", wangge.RoleDistrictAdmin, DistrictCode, "", nil},
		{"jiedao", sub.name + "工作人员", wangge.RoleSubdistrictStaff, sub.code, "", nil},
		{"shequ", comm.name + "工作人员", wangge.RoleCommunityStaff, comm.code, "", nil},
		{"xieliyuan", g.firstGridAssistantName, wangge.RoleAssistant, grid.code, "", &assistant},
		{"louyuanzhang", g.firstGridHeadName, wangge.RoleBuildingHead, grid.code, "", nil},
		{"minzheng", "区民政局", wangge.RoleDepartment, DistrictCode, wangge.LineCivil, nil},
		{"shenji", "审计员", wangge.RoleAuditor, DistrictCode, "", nil},
	}
	for _, a := range accounts {
		pw := adminPassword
		if a.username != "admin" {
			var ok bool
			if pw, ok = passwords[a.username]; !ok {
				return wrap("user", a.username, errors.New("not among the demo's usernames"))
			}
		}
		g.ids.user++
		u := &wangge.User{
			ID: g.ids.user, Username: a.username, DisplayName: a.display, Role: a.role,
			ScopeCode: a.scope, Line: a.line, PasswordHash: hash(pw), AssistantID: a.assistant,
			Version: 1, CreatedAt: g.setup, UpdatedAt: g.setup,
		}
		if err := g.b.User(u); err != nil {
			return wrap("user", a.username, err)
		}
		g.res.Users++
		g.res.Accounts = append(g.res.Accounts, Account{ID: u.ID, Username: a.username, Password: pw, Role: a.role, ScopeCode: a.scope, Line: a.line})
	}
	return nil
}
