package workcal

import "time"

// Loaded is a year an administrator loaded on top of the embedded ones, as
// the store keeps it: the file's text word for word, who and when.
type Loaded struct {
	Year     int
	Text     string
	LoadedBy string
	LoadedAt time.Time
}
