package wangge

import "regexp"

// fourBounds matches the parts of a service area that name its four
// bounds (四至): 东至和平街，西至建设路，南至…，北至….
var fourBounds = regexp.MustCompile(`([东西南北])至\s*([^，,；;。、\s]+)`)

// FourBounds returns the names a grid's service area gives its east, west,
// south and north bounds, in that order; "" where it names none.
func FourBounds(serviceArea string) [4]string {
	var out [4]string
	for _, m := range fourBounds.FindAllStringSubmatch(serviceArea, -1) {
		i := map[string]int{"东": 0, "西": 1, "南": 2, "北": 3}[m[1]]
		if out[i] == "" {
			out[i] = m[2]
		}
	}
	return out
}
