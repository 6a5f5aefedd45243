package geo

import (
	"fmt"
	"testing"
)

func TestParseGridCode(t *testing.T) {
	tests := []struct {
		in      string
		want    GridCode
		wantErr bool
	}{
		{"110105001002003", GridCode{"110105", "001", "002", "003"}, false},
		{"11010500100200", GridCode{}, true},
		{"1101050010020031", GridCode{}, true},
		{"11010500100200a", GridCode{}, true},
		{"", GridCode{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseGridCode(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseGridCode(%q) = %+v, %v", tt.in, got, err)
			}
			if err == nil && (got.String() != tt.in || got.CommunityCode() != tt.in[:12]) {
				t.Errorf("String/CommunityCode do not round-trip: %s %s", got, got.CommunityCode())
			}
		})
	}
}

func TestCJT349(t *testing.T) {
	// "100000" is only an example object code; deployments configure theirs.
	tests := []struct {
		grid, object, want string
		wantErr            bool
	}{
		{"110105001002003", "100000", "10000011010500100203", false},
		{"110105001002099", "100000", "10000011010500100299", false},
		{"440305012345001", "010100", "01010044030501234501", false},
		{"110105001002000", "100000", "", true}, // 000 is "undivided"
		{"110105001002100", "100000", "", true}, // does not fit two digits
		{"110105001002003", "10000", "", true},
		{"110105001002003", "10000x", "", true},
		{"11010500100200", "100000", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.grid+"/"+tt.object, func(t *testing.T) {
			got, err := ToCJT349(tt.grid, tt.object)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ToCJT349(%q, %q) = %q, %v; want %q", tt.grid, tt.object, got, err, tt.want)
			}
			if err != nil {
				return
			}
			g, o, err := FromCJT349(got)
			if err != nil || g != tt.grid || o != tt.object {
				t.Errorf("FromCJT349(%q) = %q, %q, %v", got, g, o, err)
			}
		})
	}
	for _, bad := range []string{"1000001101050010020", "10000011010500100200", "1000001101050010020x"} {
		if _, _, err := FromCJT349(bad); err == nil {
			t.Errorf("FromCJT349(%q) accepted", bad)
		}
	}
}

func TestCJT349RoundTripAll(t *testing.T) {
	for seq := 1; seq <= 99; seq++ {
		grid := fmt.Sprintf("320102004017%03d", seq)
		c, err := ToCJT349(grid, "123400")
		if err != nil {
			t.Fatal(err)
		}
		back, obj, err := FromCJT349(c)
		if err != nil || back != grid || obj != "123400" || len(c) != 20 {
			t.Fatalf("%s → %s → %s, %s, %v", grid, c, back, obj, err)
		}
	}
}

func TestBuildingCode(t *testing.T) {
	tests := []struct {
		grid    string
		seq     int
		want    string
		wantErr bool
	}{
		{"110105001002003", 1, "11010500100200300001", false},
		{"110105001002003", 99999, "11010500100200399999", false},
		{"110105001002003", 0, "", true},
		{"110105001002003", 100000, "", true},
		{"1101050010020", 1, "", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.grid, "/", tt.seq), func(t *testing.T) {
			got, err := BuildingCode(tt.grid, tt.seq)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("BuildingCode = %q, %v; want %q", got, err, tt.want)
			}
			if err != nil {
				return
			}
			g, s, err := ParseBuildingCode(got)
			if err != nil || g != tt.grid || s != tt.seq {
				t.Errorf("ParseBuildingCode(%q) = %q, %d, %v", got, g, s, err)
			}
		})
	}
	for _, bad := range []string{"11010500100200300000", "1101050010020030001", "1101050010020030000x"} {
		if _, _, err := ParseBuildingCode(bad); err == nil {
			t.Errorf("ParseBuildingCode(%q) accepted", bad)
		}
	}
}
