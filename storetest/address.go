package storetest

import (
	"context"
	"testing"

	"github.com/wangge/wangge"
)

var addressTests = []test{
	{"AddressSearchFindsBuildingsByWholeNumbers", testAddressSearch},
}

// testAddressSearch: the kiosk's search reads buildings by street, door
// and building number through the store's SQL, tolerates spaces and
// full-width digits, never takes 11号楼 for 1号楼, finds grids by their
// community's name and says when there are more than it shows.
func testAddressSearch(t *testing.T, e *env) {
	e.fixture()
	for _, b := range []*wangge.Building{
		{GridCode: GridA1, Name: "1号楼", Address: "杏花街49号1号楼", Kind: wangge.BuildingTower, Floors: 6, Entrances: 2, Lng: 113.1, Lat: 36.2},
		{GridCode: GridA1, Name: "11号楼", Address: "杏花街49号11号楼", Kind: wangge.BuildingTower, Floors: 6, Entrances: 2, Lng: 113.1, Lat: 36.2},
		{GridCode: GridA2, Name: "3号楼", Address: "杏花街149号3号楼", Kind: wangge.BuildingTower, Floors: 6, Entrances: 1, Lng: 113.1, Lat: 36.2},
	} {
		ok(t, e.db.CreateBuilding(e.ctx, wangge.ScopeAll(), b), "CreateBuilding ", b.Address)
	}
	search := func(q string, limit int) ([]string, bool) {
		t.Helper()
		hits, more, err := wangge.SearchAddress(context.Background(), e.db, q, limit)
		ok(t, err, "SearchAddress ", q)
		var out []string
		for _, h := range hits {
			if h.Building == "" {
				out = append(out, "grid:"+h.GridCode)
			} else {
				out = append(out, h.Address)
			}
		}
		return out, more
	}
	for q, want := range map[string][]string{
		"杏花街 49号":     {"杏花街49号1号楼", "杏花街49号11号楼"},
		"杏花街49号1栋":    {"杏花街49号1号楼"},
		"１号楼":         {"东苑1号楼地址", "杏花街49号1号楼", "西苑1号楼地址"},
		"杏花街 1号楼 2单元": {"杏花街49号1号楼"},
		"1号楼 3单元":     nil,
		"3号楼 2单元":     nil,
		"杏花街149号":     {"杏花街149号3号楼"},
		"西苑社区":        {"grid:" + GridB1},
		"东苑第二网格 3栋":   {"杏花街149号3号楼"},
		"不存在的街":       nil,
	} {
		got, more := search(q, 20)
		if !sameStrings(got, want) || more {
			t.Errorf("%q finds %q (more %v), want %q", q, got, more, want)
		}
	}
	if got, more := search("杏花街", 2); len(got) != 2 || !more {
		t.Errorf("杏花街 with a limit of 2: %q, more %v", got, more)
	}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
