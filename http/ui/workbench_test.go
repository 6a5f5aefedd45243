package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestWorkbenchPagesAreShellsWithoutPersonalData: the start page and the
// visit form are served to those who read households, load the
// workbench's script, and carry no one's ID number or phone (the data
// comes from the API and is kept on the phone masked); a visitor is sent
// to log in, a building head is refused.
func TestWorkbenchPagesAreShellsWithoutPersonalData(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	h := f.server(t).Handler()
	secrets := append(append([]string{}, f.ids...), f.phones...)
	for _, sc := range []scenario{
		{url: "/workbench", as: "xieliyuan", status: 200,
			contains: []string{`data-page="workbench"`, `data-user="xieliyuan"`, `/static/workbench.js?v=`, `data-wb-queue`, "待走访", "我的案件", "待反馈", "下次例会", "立即发送"},
			excludes: secrets},
		{url: fmt.Sprintf("/workbench/visit?household=%d", f.householdA1.ID), as: "xieliyuan", status: 200,
			contains: []string{`data-page="workbench-visit"`, "无新情况", "家庭情况", "人员类别", "区域设施", "隐患矛盾", "服务需求", "热点难点",
				"附上我的位置", "当场处理（一般）", "带回社区（协调）", "迁出", "迁入", "新电话", "出生", "死亡", "保存走访"},
			excludes: secrets},
		{url: "/workbench", as: "xieliyuan", lang: "en", status: 200, contains: []string{"Households due", "Send now"}},
		{url: "/workbench/visit", as: "xieliyuan", lang: "en", status: 200, contains: []string{"Nothing new", "Attach my location"}},
		{url: "/workbench", as: "dongyuan", status: 200},
		{url: "/workbench", status: 303, location: "/login?next=%2Fworkbench"},
		{url: "/workbench", as: "louzhang", status: 403},
	} {
		sc.run(t, h)
	}
}

// TestWorkbenchServiceWorkerCoversTheWorkbench: the worker's script is
// served as JavaScript with the header that lets it control /workbench
// itself, and is checked for a new version on every visit.
func TestWorkbenchServiceWorkerCoversTheWorkbench(t *testing.T) {
	f := newFixture(t)
	w := scenario{url: "/workbench/sw.js", status: 200, contains: []string{"wangge-workbench-", "'/workbench/visit'"}}.run(t, f.server(t).Handler())
	for name, want := range map[string]string{
		"Service-Worker-Allowed": "/workbench",
		"Content-Type":           "text/javascript; charset=utf-8",
		"Cache-Control":          "no-cache",
	} {
		if got := w.Header().Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestLoginSendsAssistantsToTheWorkbench: an assistant logging in from
// the login page lands on the workbench, a building head on his page,
// others on the start page, and a page someone asked for wins over any.
func TestLoginSendsAssistantsToTheWorkbench(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	h := f.server(t).Handler()
	for _, c := range []struct {
		user, next, want string
	}{
		{"xieliyuan", "", "/workbench"},
		{"xieliyuan", "/", "/workbench"},
		{"xieliyuan", "/cases", "/cases"},
		{"dongyuan", "", "/"},
		{"louzhang", "", "/my-building"},
	} {
		form := url.Values{"username": {c.user}, "password": {password}}
		if c.next != "" {
			form.Set("next", c.next)
		}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != c.want {
			t.Errorf("%s next=%q: %d to %q, want 303 to %q", c.user, c.next, w.Code, w.Header().Get("Location"), c.want)
		}
	}
}
