package wangge

import "testing"

func TestZeroScopeMatchesNothing(t *testing.T) {
	var s Scope
	if s.Contains("140499001001001") || !s.IsZero() {
		t.Fatal("the zero scope contains a grid")
	}
	lo, hi := s.Range()
	if lo <= hi {
		t.Fatalf("zero scope range [%q, %q] is not empty", lo, hi)
	}
	if ScopeOf("not a code").Contains("140499") {
		t.Fatal("an invalid code gave a scope that matches")
	}
}

func TestScopeRangeHoldsExactlyTheSubtree(t *testing.T) {
	s := ScopeOf("140499001001")
	lo, hi := s.Range()
	in := []string{"140499001001", "140499001001001", "140499001001999"}
	out := []string{"140499001", "140499001002", "140499001002001", "140499001000999", "140499"}
	for _, c := range in {
		if !(lo <= c && c <= hi) || !s.Contains(c) {
			t.Errorf("%s should be in scope %s", c, s.Prefix())
		}
	}
	for _, c := range out {
		if lo <= c && c <= hi || s.Contains(c) {
			t.Errorf("%s should be outside scope %s", c, s.Prefix())
		}
	}
}

func TestNarrowNeverWidens(t *testing.T) {
	community := ScopeOf("140499001001")
	if n := community.Narrow("140499001001002"); n.Prefix() != "140499001001002" {
		t.Errorf("narrowing to a grid inside gave %q", n.Prefix())
	}
	if n := community.Narrow("140499"); n.Prefix() != "140499001001" {
		t.Errorf("narrowing to an ancestor widened to %q", n.Prefix())
	}
	if n := community.Narrow("140499002001"); !n.IsZero() {
		t.Errorf("narrowing to another community gave %q", n.Prefix())
	}
	if n := community.Narrow("bad"); !n.IsZero() {
		t.Error("narrowing to an invalid code matched something")
	}
	if n := ScopeAll().Narrow("140499001"); n.Prefix() != "140499001" || n.IsAll() {
		t.Error("narrowing the whole database did not give the subtree")
	}
}

func TestRegionCodes(t *testing.T) {
	for code, want := range map[string]Level{"140499": LevelDistrict, "140499001": LevelSubdistrict, "140499001001": LevelCommunity, "140499001001001": LevelGrid} {
		if !ValidRegionCode(code) || LevelOf(code) != want {
			t.Errorf("%s: level %v, valid %v", code, LevelOf(code), ValidRegionCode(code))
		}
	}
	for _, bad := range []string{"", "1404", "140499000", "14049900100a", "140499001001000", "1404990010010011"} {
		if ValidRegionCode(bad) {
			t.Errorf("%q accepted as a region code", bad)
		}
	}
	if ParentCode("140499001001001") != "140499001001" || ParentCode("140499") != "" || ChildCode("140499", 7) != "140499007" {
		t.Error("parent or child code wrong")
	}
	b := Building{GridCode: "140499001001001", Seq: 42}
	if b.Code() != "14049900100100100042" {
		t.Errorf("building code %s", b.Code())
	}
}
