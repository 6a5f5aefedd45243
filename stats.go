package wangge

// Stats counts what a scope holds. The JSON names are part of the stable
// contract of `wangge stats --json`.
type Stats struct {
	Subdistricts int            `json:"subdistricts"`
	Communities  int            `json:"communities"`
	Grids        int            `json:"grids"`
	Buildings    int            `json:"buildings"`
	Households   int            `json:"households"`
	Persons      int            `json:"persons"`
	Units        int            `json:"units"`
	Assistants   int            `json:"assistants"`
	Memberships  int            `json:"key_group_members"`
	Visits       int            `json:"visits"`
	Services     int            `json:"services"`
	Users        int            `json:"users"`
	Cases        map[string]int `json:"cases"`
}
