package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/passwd"
)

// TestErrorPagesSpeakOneLanguage: the error pages a user meets (403, 404,
// 400) say its message in the page's language only.
func TestErrorPagesSpeakOneLanguage(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	h := f.server(t).Handler()
	head := login(t, h, "louzhang")
	section := regexp.MustCompile(`(?s)<section class="error".*?</section>`)
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	han := regexp.MustCompile(`\p{Han}`)
	for _, c := range []struct {
		name, path string
		cookie     *http.Cookie
		status     int
	}{
		{"forbidden", "/audit", head, 403},
		{"not found", "/buildings/999999", head, 404},
		{"bad page", "/areas/" + gridA + "?page=x", head, 400},
	} {
		for _, l := range []string{"zh", "en"} {
			r := httptest.NewRequest("GET", c.path, nil)
			r.Header.Set("Accept", "text/html")
			if c.cookie != nil {
				r.AddCookie(c.cookie)
			}
			r.AddCookie(&http.Cookie{Name: "lang", Value: l})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != c.status {
				t.Errorf("%s (%s): status %d, want %d", c.name, l, w.Code, c.status)
				continue
			}
			body := section.FindString(w.Body.String())
			if body == "" {
				t.Errorf("%s (%s): no error page\n%.300s", c.name, l, w.Body)
				continue
			}
			text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
			if l == "zh" && latin.MatchString(text) {
				t.Errorf("%s: the Chinese page has English: %q", c.name, strings.Join(strings.Fields(text), " "))
			}
			if l == "en" && han.MatchString(text) {
				t.Errorf("%s: the English page has Chinese: %q", c.name, strings.Join(strings.Fields(text), " "))
			}
		}
	}
}

// TestHeaderNamesTheRoleOnce: a user whose display name is the role's name
// (the demo's 区管理员) is shown by username and role, not the role twice.
func TestHeaderNamesTheRoleOnce(t *testing.T) {
	f := newFixture(t)
	u := wangge.User{Username: "quguan", DisplayName: "区管理员", Role: wangge.RoleDistrictAdmin, ScopeCode: district,
		PasswordHash: passwd.Hash(password, passwd.Params{Memory: 1024, Time: 1, Threads: 1})}
	if err := f.store.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	h := f.server(t).Handler()
	for user, want := range map[string]string{"quguan": "quguan 区管理员", "admin": "区管理员甲 区管理员", "dongyuan": "东苑社区工作人员 社区工作人员"} {
		body := getAs(t, h, login(t, h, user), "/areas/"+district).Body.String()
		m := regexp.MustCompile(`<span class="who">(.*?)</span></span>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no header", user)
		}
		got := strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1]+"</span>", " ")), " ")
		if got != want {
			t.Errorf("%s: header %q, want %q", user, got, want)
		}
	}
}
