package wangge

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge/ident"
)

// TestAgeBandBirthDatesAgreeWithAge: the birth-date ranges the stores
// query give the ages ident.Age reckons, on every day of four years
// around leap days, for birth dates on and around 29 February.
func TestAgeBandBirthDatesAgreeWithAge(t *testing.T) {
	births := []time.Time{
		time.Date(1964, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1964, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(1964, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1965, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(1965, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1966, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1967, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1976, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1944, 2, 29, 0, 0, 0, 0, time.UTC), // 80 on a leap day
		time.Date(1945, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2008, 2, 29, 0, 0, 0, 0, time.UTC), // 15 in a common year
		time.Date(2012, 2, 29, 0, 0, 0, 0, time.UTC), // 16 on a leap day
	}
	bands := []AgeBand{BandElderly, BandAdvanced, BandChildbearing, BandWorking}
	for day := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2029; day = day.AddDate(0, 0, 1) {
		for _, b := range births {
			for _, sex := range []ident.Sex{ident.SexMale, ident.SexFemale} {
				for _, band := range bands {
					latest, earliest := band.Born(day)
					inRange := !b.After(latest) && (earliest.IsZero() || b.After(earliest)) && (!band.Women || sex == ident.SexFemale)
					if inRange != band.Contains(b, sex, day) {
						t.Fatalf("born %s, %v, on %s: the birth-date range says %v, the age %d says %v",
							b.Format(time.DateOnly), band, day.Format(time.DateOnly), inRange, ident.Age(b, day), !inRange)
					}
				}
			}
		}
	}
}

// TestReportColumnsHaveEnglish: an English page heads every column of the
// department reports, and names every chart and bar, in English (an
// attribute's option keeps its value as departments write it).
func TestReportColumnsHaveEnglish(t *testing.T) {
	han := regexp.MustCompile(`\p{Han}`)
	for _, lr := range LineReports {
		for _, c := range lr.Columns {
			en := c.En
			if i := strings.LastIndex(en, " · "); i >= 0 && strings.Contains(c.Key, "=") {
				en = en[:i] // the option's value
			}
			if c.En == "" || han.MatchString(en) {
				t.Errorf("%s: column %s has English heading %q", lr.Line, c.Key, c.En)
			}
			if (c.Chart == "") != (c.ChartEn == "") || (c.Label == "") != (c.LabelEn == "") {
				t.Errorf("%s: column %s charted as %q/%q, in English %q/%q", lr.Line, c.Key, c.Chart, c.Label, c.ChartEn, c.LabelEn)
			}
		}
	}
}
