package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Published reference pairs (WGS-84 → GCJ-02). Sources:
//   - googollee/eviltransform python test table (Shanghai, Shenzhen, Beijing);
//   - wandergis/coordtransform README/test output for (116.404, 39.915);
//   - gcoord documentation example [123, 45] → [123.00607541, 45.00197815].
func TestToGCJ02Reference(t *testing.T) {
	tests := []struct {
		name       string
		wLng, wLat float64
		gLng, gLat float64
		tol        float64
	}{
		{"shanghai/eviltransform", 121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, 1e-9},
		{"shenzhen/eviltransform", 113.912316, 22.543847, 113.9171764808363, 22.540796131694766, 1e-9},
		{"beijing/eviltransform", 116.377817, 39.911954, 116.38404722455657, 39.91334545536069, 1e-9},
		{"beijing/coordtransform", 116.404, 39.915, 116.41024449916938, 39.91640428150164, 1e-9},
		{"gcoord-doc", 123, 45, 123.00607541, 45.00197815, 5e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lng, lat := ToGCJ02(tt.wLng, tt.wLat)
			if math.Abs(lng-tt.gLng) > tt.tol || math.Abs(lat-tt.gLat) > tt.tol {
				t.Errorf("ToGCJ02(%v, %v) = (%.12f, %.12f), want (%.12f, %.12f) ±%g",
					tt.wLng, tt.wLat, lng, lat, tt.gLng, tt.gLat, tt.tol)
			}
			bLng, bLat := FromGCJ02(tt.gLng, tt.gLat)
			if tt.tol < 1e-8 && (math.Abs(bLng-tt.wLng) > 1e-8 || math.Abs(bLat-tt.wLat) > 1e-8) {
				t.Errorf("FromGCJ02(%v, %v) = (%.12f, %.12f), want (%v, %v)",
					tt.gLng, tt.gLat, bLng, bLat, tt.wLng, tt.wLat)
			}
		})
	}
}

func TestGCJ02OutsideChinaUnchanged(t *testing.T) {
	tests := []struct {
		name     string
		lng, lat float64
	}{
		{"null island", 0, 0},
		{"london", -0.1276, 51.5072},
		{"tokyo east of box", 139.6917, 35.6895},
		{"north of box", 100, 56},
		{"west of box", 70, 40},
		{"sydney", 151.2093, -33.8688},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if lng, lat := ToGCJ02(tt.lng, tt.lat); lng != tt.lng || lat != tt.lat {
				t.Errorf("ToGCJ02 moved an outside point to (%v, %v)", lng, lat)
			}
			if lng, lat := FromGCJ02(tt.lng, tt.lat); lng != tt.lng || lat != tt.lat {
				t.Errorf("FromGCJ02 moved an outside point to (%v, %v)", lng, lat)
			}
		})
	}
}

func TestGCJ02RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var worst float64
	for range 10000 {
		lng := 73.5 + r.Float64()*(135.0-73.5)
		lat := 18.0 + r.Float64()*(53.5-18.0)
		gLng, gLat := ToGCJ02(lng, lat)
		if d := math.Hypot(gLng-lng, gLat-lat); d < 1e-4 || d > 0.02 {
			t.Fatalf("offset at (%v, %v) is %v degrees; expected a few hundred metres", lng, lat, d)
		}
		bLng, bLat := FromGCJ02(gLng, gLat)
		e := math.Max(math.Abs(bLng-lng), math.Abs(bLat-lat))
		worst = math.Max(worst, e)
		if e > 1e-7 {
			t.Fatalf("round trip of (%v, %v) off by %g degrees", lng, lat, e)
		}
	}
	t.Logf("worst round-trip error %.3g degrees", worst)
}
