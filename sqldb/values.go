package sqldb

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// timeValue scans a timestamp or date from either database: PostgreSQL
// returns time.Time, SQLite the text it stored.
type timeValue struct{ time.Time }

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	time.DateOnly,
}

func (t *timeValue) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		t.Time = v.UTC()
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	case nil:
		t.Time = time.Time{}
		return nil
	}
	return fmt.Errorf("sqldb: cannot scan %T as a time", src)
}

func (t *timeValue) parse(s string) error {
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("sqldb: cannot parse time %q", s)
}

// Value lets a timeValue be passed back as an argument.
func (t timeValue) Value() (driver.Value, error) { return t.Time, nil }

// jsonDetail encodes an audit detail. Callers never put personal data in it.
func jsonDetail(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
