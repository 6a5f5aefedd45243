package ui

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// countOf returns the figure of a page's stat (data-count="name"), or ""
// when the page shows none.
func countOf(body, name string) string {
	m := regexp.MustCompile(`data-count="` + name + `"><dt>[^<]*</dt><dd>([^<]*)</dd>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestBuildingHeadSeesHisBuildingsCountsNotItsPeople: a building head
// opening a building of his grid sees the same numbers of households and
// persons and the same head as the grid page and the staff, and no
// household, person or phone; a building outside his grid is not found.
func TestBuildingHeadSeesHisBuildingsCountsNotItsPeople(t *testing.T) {
	f := newFixture(t)
	ledgerUsers(t, f)
	h := f.server(t).Handler()
	head, staff := login(t, h, "louzhang"), login(t, h, "dongyuan")
	path := fmt.Sprintf("/buildings/%d", f.buildingA1.ID)

	asStaff := getAs(t, h, staff, path)
	asHead := getAs(t, h, head, path)
	if asStaff.Code != http.StatusOK || asHead.Code != http.StatusOK {
		t.Fatalf("status: staff %d, building head %d", asStaff.Code, asHead.Code)
	}
	sb, hb := asStaff.Body.String(), asHead.Body.String()
	for name, want := range map[string]string{"households": "2", "persons": "4"} {
		if got := countOf(sb, name); got != want {
			t.Errorf("staff see %s %q, want %s", name, got, want)
		}
		if got := countOf(hb, name); got != want {
			t.Errorf("the building head sees %s %q, want %s (as the staff)", name, got, want)
		}
	}
	if !strings.Contains(hb, `class="head-name">张建国<`) {
		t.Error("the building head's page does not name the building's head")
	}
	grid := getAs(t, h, head, "/areas/"+gridA).Body.String()
	if !regexp.MustCompile(`data-building="` + fmt.Sprint(f.buildingA1.ID) + `"[\s\S]*?<td class="num">2</td>\s*<td class="num">4</td>\s*<td>张建国</td>`).MatchString(grid) {
		t.Error("the grid page shows other numbers for the building than its own page")
	}
	for _, leak := range []string{"李秀英", "张伟", "data-household=", "/households/", "139****5678", f.ids[0][:6] + "*"} {
		if strings.Contains(hb, leak) {
			t.Errorf("the building head's page shows %q", leak)
		}
	}
	if !strings.Contains(hb, `data-withheld="households"`) {
		t.Error("the building head's page does not say why it lists no households")
	}
	if !strings.Contains(sb, "data-household=") || strings.Contains(sb, `data-withheld=`) {
		t.Error("the staff's page lacks the household list")
	}

	// A building outside his grid is not his to see at all.
	other := getAs(t, h, head, fmt.Sprintf("/buildings/%d", f.buildingB1.ID))
	if other.Code != http.StatusNotFound || strings.Contains(other.Body.String(), "西苑1号院") {
		t.Errorf("another grid's building: status %d", other.Code)
	}
}
