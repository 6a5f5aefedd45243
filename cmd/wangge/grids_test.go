package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge/wangge/coverage"
)

type proposed struct {
	Households int `json:"households"`
	Target     int `json:"target_households"`
	Grids      []struct {
		Number     int     `json:"number"`
		Code       string  `json:"code"`
		Households int     `json:"households"`
		Buildings  int     `json:"buildings"`
		Deviation  int     `json:"deviation"`
		Pct        float64 `json:"deviation_pct"`
		Contiguous bool    `json:"contiguous"`
		Outline    struct {
			Type string `json:"type"`
		} `json:"outline"`
	} `json:"grids"`
	Buildings []struct {
		ID int64 `json:"id"`
	} `json:"buildings"`
	Retired  []string `json:"retired"`
	MaxPct   float64  `json:"max_deviation_pct"`
	Accepted []string `json:"accepted"`
}

// TestGridsProposeAndAccept proposes grids of 300 households for the demo
// community — round(H/300) contiguous grids holding every building, each
// count and deviation printed — then accepts a proposal of 250: afterwards
// the community is still seamlessly covered, every building lies in its own
// grid, and proposing again keeps every grid's code.
func TestGridsProposeAndAccept(t *testing.T) {
	t.Setenv("WANGGE_SECRET_KEY_FILE", "")
	db := filepath.Join(t.TempDir(), "w.db")
	capture(t, "demo", "--db", db, "--scale", "0.02", "--admin-password", "Demo-Test-2026")
	const community = "140499001001"

	var p proposed
	if err := json.Unmarshal([]byte(capture(t, "grids", "propose", "--db", db, "--community", community, "--json")), &p); err != nil {
		t.Fatal(err)
	}
	if want := int(math.Round(float64(p.Households) / 300)); p.Target != 300 || len(p.Grids) != want {
		t.Fatalf("%d grids for %d households (N %d), want %d", len(p.Grids), p.Households, p.Target, want)
	}
	buildings, households := 0, 0
	for _, g := range p.Grids {
		buildings += g.Buildings
		households += g.Households
		if !g.Contiguous || g.Outline.Type != "Polygon" || g.Deviation != g.Households-300 {
			t.Errorf("grid %+v", g)
		}
	}
	if buildings != len(p.Buildings) || households != p.Households || p.MaxPct > 20 {
		t.Errorf("%d of %d buildings, %d of %d households, max deviation %.1f%%", buildings, len(p.Buildings), households, p.Households, p.MaxPct)
	}

	text := capture(t, "grids", "propose", "--db", db, "--community", community, "--households", "250")
	if !strings.Contains(text, "每格约 250 户") || !strings.Contains(text, "偏差 deviation") {
		t.Errorf("text output:\n%s", text)
	}
	if _, err := runOut("grids", "propose", "--db", db, "--community", community, "--accept"); err == nil {
		t.Error("--accept without --reason was taken")
	}
	if _, err := runOut("grids", "propose", "--db", db, "--community", community, "--households", "0"); err == nil {
		t.Error("--households 0 was taken")
	}
	if _, err := runOut("grids", "propose", "--db", db, "--community", "140499001099"); err == nil {
		t.Error("a missing community was taken")
	}

	var acc proposed
	if err := json.Unmarshal([]byte(capture(t, "grids", "propose", "--db", db, "--community", community, "--households", "250",
		"--accept", "--reason", "按250户重新划分", "--json")), &acc); err != nil {
		t.Fatal(err)
	}
	if len(acc.Accepted) != len(acc.Grids) {
		t.Fatalf("accepted %v for %d grids", acc.Accepted, len(acc.Grids))
	}
	var rep coverage.Report
	if err := json.Unmarshal([]byte(capture(t, "coverage", "--db", db, "--community", community, "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Seamless || len(rep.BuildingsOutsideGrids)+len(rep.BuildingsInTwoGrids)+len(rep.BuildingsInAnotherGrid) > 0 {
		t.Errorf("after accepting: seamless %v, stray buildings %d/%d/%d", rep.Seamless,
			len(rep.BuildingsOutsideGrids), len(rep.BuildingsInTwoGrids), len(rep.BuildingsInAnotherGrid))
	}
	for _, pr := range rep.Parents {
		if pr.Code == community && pr.Children != len(acc.Grids) {
			t.Errorf("the community has %d grids after accepting, want %d", pr.Children, len(acc.Grids))
		}
	}
	var again proposed
	if err := json.Unmarshal([]byte(capture(t, "grids", "propose", "--db", db, "--community", community, "--households", "250", "--json")), &again); err != nil {
		t.Fatal(err)
	}
	for i, g := range again.Grids {
		if g.Code != acc.Accepted[i] {
			t.Errorf("proposing again: grid %d keeps %q, want %q", g.Number, g.Code, acc.Accepted[i])
		}
	}
	if len(again.Retired) != 0 {
		t.Errorf("proposing again would retire %v", again.Retired)
	}
	capture(t, "audit", "verify", "--db", db)
}
