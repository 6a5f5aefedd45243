package ledger

import (
	"testing"

	"github.com/wangge/wangge"
)

// TestSpecHeadersAreUnambiguous: no header or variant of one column may
// match another column of the same sheet.
func TestSpecHeadersAreUnambiguous(t *testing.T) {
	for _, s := range []*Spec{&Persons, &Units, &Memberships} {
		owner := map[string]string{}
		keys := map[string]bool{}
		for _, c := range s.Columns {
			if keys[c.Key] {
				t.Errorf("%s: key %s twice", s.Kind, c.Key)
			}
			keys[c.Key] = true
			for _, n := range append([]string{c.Zh, c.En}, c.Variants...) {
				k := NormalizeHeader(n)
				if o, ok := owner[k]; ok && o != c.Key {
					t.Errorf("%s: header %q matches both %s and %s", s.Kind, n, o, c.Key)
				}
				owner[k] = c.Key
			}
		}
	}
}

// TestValueMapsAreUnambiguousAndComplete: every domain value has a Chinese
// cell value, and no cell value means two things.
func TestValueMapsAreUnambiguousAndComplete(t *testing.T) {
	for name, vm := range map[string]ValueMap{"residence": ResidenceKinds, "relation": Relations, "yesno": YesNo,
		"employment": Employments, "unit": UnitKinds, "group": Groups} {
		seen := map[string]string{}
		for _, v := range vm {
			for _, x := range append([]string{v.Zh, v.Domain}, v.Variants...) {
				k := NormalizeHeader(x)
				if o, ok := seen[k]; ok && o != v.Domain {
					t.Errorf("%s: %q means %s and %s", name, x, o, v.Domain)
				}
				seen[k] = v.Domain
			}
			if got, ok := vm.Parse(v.Zh); !ok || got != v.Domain || vm.Zh(v.Domain) != v.Zh {
				t.Errorf("%s: %q does not round-trip", name, v.Zh)
			}
		}
	}
	for _, r := range wangge.Relations {
		if Relations.Zh(string(r)) == string(r) {
			t.Errorf("relation %s has no Chinese value", r)
		}
	}
	for _, k := range wangge.UnitKinds {
		if UnitKinds.Zh(string(k)) == string(k) {
			t.Errorf("unit kind %s has no Chinese value", k)
		}
	}
	for _, d := range wangge.KeyGroups {
		if g, ok := Groups.Parse(d.Zh); !ok || g != string(d.Group) {
			t.Errorf("group %s not parsed from %s", d.Group, d.Zh)
		}
	}
}

func TestMatchHeaderTolerance(t *testing.T) {
	header := []string{" 楼院编码 ", "房 号*", "姓名：", "身份证号码（18位）", "手机号", "性别", "ＩＤ", "联系电话【户】"}
	m, err := MatchHeader(&Persons, header)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int{ColBuildingCode: 0, ColRoom: 1, ColName: 2, ColIDNumber: 3, ColPhone: 4, ColSex: 5} {
		if got, ok := m.Index[key]; !ok || got != want {
			t.Errorf("%s at %d, want %d", key, got, want)
		}
	}
	if len(m.Unknown) != 1 || m.Unknown[0] != "ＩＤ" {
		t.Errorf("unknown = %q", m.Unknown)
	}
	if len(m.Duplicate) != 1 {
		t.Errorf("duplicate = %q", m.Duplicate)
	}
	if _, err := MatchHeader(&Persons, []string{"姓名", "房号", "身份证号"}); err == nil || wangge.ErrorZh(err) == "" {
		t.Fatal("a header without a building column was accepted")
	}
	if _, err := MatchHeader(&Persons, []string{"网格编码", "楼院名称", "房号", "姓名"}); err == nil {
		t.Fatal("a header without an ID number column was accepted")
	}
	m, err = MatchHeader(&Memberships, []string{"证件号码", "重点群体", "残疾类别", "老年人·居住状况", "失业人员-登记日期"})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{AttrKey(wangge.GroupDisabled, "type"), AttrKey(wangge.GroupElderly, "living"), AttrKey(wangge.GroupUnemployed, "registered_on")} {
		if !m.Has(key) {
			t.Errorf("no column %s", key)
		}
	}
}
