package wangge

import (
	"context"
	"reflect"
	"strconv"
	"testing"
)

func TestParseAddressReadsTheCommonForms(t *testing.T) {
	txt := func(s string) AddressTerm { return AddressTerm{Text: s} }
	num := func(n int, u NumberUnit) AddressTerm { return AddressTerm{Number: n, Unit: u, IsNum: true} }
	for _, c := range []struct {
		in   string
		norm string
		want []AddressTerm
	}{
		{"杏花街 49号", "杏花街49号", []AddressTerm{txt("杏花街"), num(49, UnitDoor)}},
		{"杏花街49号", "杏花街49号", []AddressTerm{txt("杏花街"), num(49, UnitDoor)}},
		{"杏花街49号1栋", "杏花街49号1栋", []AddressTerm{txt("杏花街"), num(49, UnitDoor), num(1, UnitBuilding)}},
		{"1号楼1单元", "1号楼1单元", []AddressTerm{num(1, UnitBuilding), num(1, UnitEntrance)}},
		{"1号楼", "1号楼", []AddressTerm{num(1, UnitBuilding)}},
		{"１号楼　２单元", "1号楼2单元", []AddressTerm{num(1, UnitBuilding), num(2, UnitEntrance)}},
		{"3幢", "3幢", []AddressTerm{num(3, UnitBuilding)}},
		{"三号楼二单元", "3号楼2单元", []AddressTerm{num(3, UnitBuilding), num(2, UnitEntrance)}},
		{"十二栋", "12栋", []AddressTerm{num(12, UnitBuilding)}},
		{"二十五号院", "25号院", []AddressTerm{num(25, UnitCourt)}},
		{"东苑第一网格", "东苑第一网格", []AddressTerm{txt("东苑第一网格")}},
		{"一心社区", "一心社区", []AddressTerm{txt("一心社区")}},
		{"松岭巷12号院", "松岭巷12号院", []AddressTerm{txt("松岭巷"), num(12, UnitCourt)}},
		{" 东苑社区 ", "东苑社区", []AddressTerm{txt("东苑社区")}},
		{"东苑社区第1网格", "东苑社区第1网格", []AddressTerm{txt("东苑社区第"), num(1, UnitNone), txt("网格")}},
		{"2单元301室", "2单元301室", []AddressTerm{num(2, UnitEntrance), num(301, UnitRoom)}},
		{"", "", nil},
		{"   ", "", nil},
	} {
		got := ParseAddress(c.in)
		if got.Normalized != c.norm || !reflect.DeepEqual(got.Terms, c.want) {
			t.Errorf("ParseAddress(%q) = %q %+v, want %q %+v", c.in, got.Normalized, got.Terms, c.norm, c.want)
		}
	}
}

func TestAddressMatchesWholeNumbers(t *testing.T) {
	b1 := AddressCandidate{Name: "1号楼", Address: "杏花街49号1号楼", Entrances: 3, GridName: "松园社区第2网格", CommunityName: "松园社区"}
	b11 := AddressCandidate{Name: "11号楼", Address: "杏花街49号11号楼", Entrances: 2, GridName: "松园社区第2网格", CommunityName: "松园社区"}
	b149 := AddressCandidate{Name: "2号楼", Address: "杏花街149号2号楼", Entrances: 2}
	court := AddressCandidate{Name: "松岭巷12号院", Address: "松岭巷12号院"}
	fixture := AddressCandidate{Name: "东苑2号楼", Address: "示范路 东苑2号楼", Entrances: 2}
	for _, c := range []struct {
		q    string
		b    AddressCandidate
		want bool
	}{
		{"1号楼", b1, true},
		{"1号楼", b11, false},
		{"一号楼", b1, true},
		{"十一号楼", b11, true},
		{"十一号楼", b1, false},
		{"11号楼", b11, true},
		{"11号楼", b1, false},
		{"杏花街 49号", b1, true},
		{"杏花街49号", b11, true},
		{"杏花街49号", b149, false},
		{"杏花街149号", b149, true},
		{"杏花街49号1栋", b1, true},
		{"杏花街49号1栋", b11, false},
		{"杏花街1号", b1, false}, // 1 is the building, not the door on 杏花街
		{"1号楼1单元", b1, true},
		{"1号楼3单元", b1, true},
		{"1号楼4单元", b1, false},
		{"1单元", court, false},
		{"松园", b1, true},
		{"松园社区 1号楼", b1, true},
		{"松园社区 1号楼", b11, false},
		{"12号院", court, true},
		{"2号院", court, false},
		{"东苑2号", fixture, true},
		{"东苑1号", fixture, false},
		{"2单元301室", b1, false}, // flats are not public
		{"", b1, false},
	} {
		if got := ParseAddress(c.q).MatchesBuilding(c.b); got != c.want {
			t.Errorf("%q matches %s: %v, want %v", c.q, c.b.Address, got, c.want)
		}
	}
}

// listSource is an AddressSource over slices, to test the search's limit
// and order without a database (the stores' SQL is tested in storetest).
type listSource struct {
	buildings []AddressCandidate
	grids     [][3]string
}

func (s listSource) AddressCandidates(_ context.Context, _ []string, fn func(AddressCandidate) bool) error {
	for _, b := range s.buildings {
		if !fn(b) {
			break
		}
	}
	return nil
}

func (s listSource) GridNames(_ context.Context, fn func(string, string, string) bool) error {
	for _, g := range s.grids {
		if !fn(g[0], g[1], g[2]) {
			break
		}
	}
	return nil
}

func TestSearchAddressSaysWhenThereAreMore(t *testing.T) {
	src := listSource{grids: [][3]string{{"140499001001001", "松园社区第1网格", "松园社区"}, {"140499001002001", "杏林社区第1网格", "杏林社区"}}}
	for i := 1; i <= 30; i++ {
		src.buildings = append(src.buildings, AddressCandidate{Name: "1号楼", Address: "杏花街" + strconv.Itoa(i) + "号1号楼", GridCode: "140499001001001"})
	}
	hits, more, err := SearchAddress(context.Background(), src, "1号楼", 20)
	if err != nil || len(hits) != 20 || !more {
		t.Fatalf("1号楼: %d hits, more %v, %v", len(hits), more, err)
	}
	hits, more, _ = SearchAddress(context.Background(), src, "杏花街 7号", 20)
	if len(hits) != 1 || more || hits[0].Address != "杏花街7号1号楼" {
		t.Fatalf("杏花街 7号: %+v more %v", hits, more)
	}
	hits, more, _ = SearchAddress(context.Background(), src, "杏林社区", 20)
	if len(hits) != 1 || more || hits[0].GridName != "杏林社区第1网格" || hits[0].Building != "" {
		t.Fatalf("杏林社区: %+v more %v", hits, more)
	}
}

func TestFourBoundsReadsTheServiceArea(t *testing.T) {
	for in, want := range map[string][4]string{
		"东至杏花街，西至建设路，南至和平街，北至文化街；辖8个楼院，约300户": {"杏花街", "建设路", "和平街", "文化街"},
		"北至长兴街, 东至 东苑社区第2网格":                  {"东苑社区第2网格", "", "", "长兴街"},
		"辖8个楼院": {},
		"":      {},
	} {
		if got := FourBounds(in); got != want {
			t.Errorf("FourBounds(%q) = %q, want %q", in, got, want)
		}
	}
}
