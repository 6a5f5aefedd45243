package http

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"slices"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/msg"
	"github.com/wangge/wangge/web"
)

// readCatalogue returns every message of language l in the one catalogue
// (package msg), from all its files.
func readCatalogue(t *testing.T, l Lang) map[string]string {
	t.Helper()
	paths, err := fs.Glob(msg.Files, "*."+string(l)+".json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no %s message files: %v", l, err)
	}
	m := map[string]string{}
	for _, p := range paths {
		b, err := fs.ReadFile(msg.Files, p)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]string{}
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}

// TestCatalogueLanguagesMatch pins that both languages hold the same
// messages, so switching language never shows a message id.
func TestCatalogueLanguagesMatch(t *testing.T) {
	zh, en := readCatalogue(t, LangZh), readCatalogue(t, LangEn)
	for id := range zh {
		if _, ok := en[id]; !ok {
			t.Errorf("en lacks %q", id)
		}
	}
	for id := range en {
		if _, ok := zh[id]; !ok {
			t.Errorf("zh lacks %q", id)
		}
	}
}

// TestCatalogueCoversTemplates pins that every message a template asks for
// with a literal id exists.
func TestCatalogueCoversTemplates(t *testing.T) {
	zh := readCatalogue(t, LangZh)
	re := regexp.MustCompile(`\{\{-?\s*t "([^"]+)"|\(t "([^"]+)"`)
	files, _ := fs.Glob(web.FS, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(web.FS, f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			id := m[1] + m[2]
			if _, ok := zh[id]; !ok {
				t.Errorf("%s: message %q missing", f, id)
			}
		}
	}
}

// TestCatalogueCoversDomain pins that every role, level, relation, key
// group and kind the pages print by key has a message, and that the Chinese
// names agree with the domain's.
func TestCatalogueCoversDomain(t *testing.T) {
	zh, en := readCatalogue(t, LangZh), readCatalogue(t, LangEn)
	var ids []string
	for _, r := range append(slices.Clone(wangge.Roles), wangge.RoleSystem) {
		ids = append(ids, "role."+string(r))
		if zh["role."+string(r)] != r.Zh() {
			t.Errorf("role %s: catalogue %q, domain %q", r, zh["role."+string(r)], r.Zh())
		}
	}
	for l := wangge.LevelDistrict; l <= wangge.LevelGrid; l++ {
		ids = append(ids, "level."+l.String())
		if zh["level."+l.String()] != l.Zh() {
			t.Errorf("level %s: catalogue %q, domain %q", l, zh["level."+l.String()], l.Zh())
		}
	}
	for _, r := range wangge.Relations {
		ids = append(ids, "relation."+string(r))
	}
	for _, g := range wangge.KeyGroups {
		ids = append(ids, "group."+string(g.Group))
		if zh["group."+string(g.Group)] != g.Zh || en["group."+string(g.Group)] != g.En {
			t.Errorf("group %s: catalogue %q/%q, domain %q/%q", g.Group, zh["group."+string(g.Group)], en["group."+string(g.Group)], g.Zh, g.En)
		}
	}
	for _, k := range []wangge.ResidenceKind{wangge.ResidentRegistered, wangge.ResidentFloating, wangge.ResidentAbsent} {
		ids = append(ids, "residence."+string(k))
	}
	for _, k := range []wangge.BuildingKind{wangge.BuildingTower, wangge.BuildingCourtyard} {
		ids = append(ids, "building.kind."+string(k))
	}
	for s := 0; s <= 2; s++ {
		ids = append(ids, fmt.Sprintf("sex.%d", s))
	}
	for _, code := range []int{400, 401, 403, 404, 405, 409, 423, 429, 500} { // every status Status gives
		ids = append(ids, fmt.Sprintf("error.%d", code))
	}
	for _, l := range []wangge.Level{wangge.LevelDistrict, wangge.LevelSubdistrict, wangge.LevelCommunity} {
		ids = append(ids, "children."+l.String())
	}
	for _, id := range ids {
		if _, ok := zh[id]; !ok {
			t.Errorf("catalogue lacks %q", id)
		}
	}
}

func TestCatalogueTemplateData(t *testing.T) {
	c, err := newCatalogue(slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T(LangZh, "pager.page_of", "Page", 2, "Pages", 5); got != "第 2 页 / 共 5 页" {
		t.Errorf("zh: %q", got)
	}
	if got := c.T(LangEn, "pager.page_of", "Page", 2, "Pages", 5); got != "Page 2 of 5" {
		t.Errorf("en: %q", got)
	}
	if got := c.T(LangEn, "no.such.message"); got != "no.such.message" {
		t.Errorf("missing message: %q", got)
	}
}
