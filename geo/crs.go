package geo

import "math"

// GCJ-02 ("Mars coordinates", 火星坐标) is the obfuscated datum that
// Chinese map apps (AMap/Gaode, Tencent, Google China) use. The forward
// transform below is the widely published one (Krasovsky 1940 ellipsoid
// parameters and the transformLat/transformLng polynomials); the inverse is
// computed exactly by fixed-point iteration.

const (
	krasovskyA  = 6378245.0              // semi-major axis (m)
	krasovskyEE = 0.00669342162296594323 // first eccentricity squared
	gcjMaxIter  = 30                     // FromGCJ02 iteration cap
	gcjEps      = 1e-9                   // FromGCJ02 convergence (degrees)
	chinaMinLng = 72.004                 // rough mainland-China box used by
	chinaMaxLng = 137.8347               // every published implementation:
	chinaMinLat = 0.8293                 // outside it GCJ-02 == WGS-84.
	chinaMaxLat = 55.8271                //
)

// OutOfChina reports whether (lng, lat) lies outside the rough bounding box
// within which the GCJ-02 offset is applied.
func OutOfChina(lng, lat float64) bool {
	return lng < chinaMinLng || lng > chinaMaxLng || lat < chinaMinLat || lat > chinaMaxLat
}

func transformLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320.0*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func transformLng(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// gcjDelta returns the GCJ-02 offset (dLng, dLat) in degrees at a WGS-84 point.
func gcjDelta(lng, lat float64) (float64, float64) {
	dLat := transformLat(lng-105.0, lat-35.0)
	dLng := transformLng(lng-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - krasovskyEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * math.Pi)
	dLng = (dLng * 180.0) / (krasovskyA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLng, dLat
}

// ToGCJ02 converts a WGS-84 coordinate to GCJ-02. Points outside mainland
// China (see OutOfChina) are returned unchanged.
func ToGCJ02(lng, lat float64) (float64, float64) {
	if OutOfChina(lng, lat) {
		return lng, lat
	}
	dLng, dLat := gcjDelta(lng, lat)
	return lng + dLng, lat + dLat
}

// FromGCJ02 converts a GCJ-02 coordinate to WGS-84: the exact inverse of
// ToGCJ02, found by fixed-point iteration until ToGCJ02 of the answer is
// within 1e-9 degrees of the input (at most 30 iterations; it normally
// converges in fewer than 10). Points outside mainland China are returned
// unchanged.
func FromGCJ02(lng, lat float64) (float64, float64) {
	if OutOfChina(lng, lat) {
		return lng, lat
	}
	wLng, wLat := lng, lat
	for range gcjMaxIter {
		gLng, gLat := ToGCJ02(wLng, wLat)
		eLng, eLat := gLng-lng, gLat-lat
		if math.Abs(eLng) < gcjEps && math.Abs(eLat) < gcjEps {
			break
		}
		wLng -= eLng
		wLat -= eLat
	}
	return wLng, wLat
}
