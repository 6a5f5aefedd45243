package workcal

import (
	"io/fs"
	"strconv"
	"strings"
	"testing"
)

// The notices, as their text reads: the count of days off and of make-up
// workdays each gives, and dates it names (or, for an ordinary date, does
// not name).
var notices = []struct {
	year               int
	number             string
	holidays, workdays int
	dates              []known
}{
	{2020, "国办发明电〔2019〕16号", 30, 6, []known{
		{"2020-01-01", false, "元旦"},
		{"2020-01-19", true, "春节补班"},
		{"2020-01-24", false, "春节"},
		{"2020-01-31", false, "春节"}, // the extension (国办发明电〔2020〕1号)
		{"2020-02-01", false, "春节"}, // a make-up workday the extension dropped
		{"2020-02-02", false, "春节"},
		{"2020-02-03", true, ""},
		{"2020-06-28", true, "端午节补班"},
		{"2020-10-08", false, "国庆节、中秋节"},
		{"2020-10-10", true, "国庆节、中秋节补班"},
	}},
	{2021, "国办发明电〔2020〕27号", 31, 7, []known{
		{"2021-02-07", true, "春节补班"},
		{"2021-02-11", false, "春节"},
		{"2021-09-18", true, "中秋节补班"},
		{"2021-09-21", false, "中秋节"},
		{"2021-10-07", false, "国庆节"},
		{"2021-10-09", true, "国庆节补班"},
	}},
	{2022, "国办发明电〔2021〕11号", 31, 7, []known{
		{"2022-01-30", true, "春节补班"},
		{"2022-04-02", true, "清明节补班"},
		{"2022-04-30", false, "劳动节"},
		{"2022-10-08", true, "国庆节补班"},
		{"2022-10-09", true, "国庆节补班"},
		{"2022-10-10", true, ""},
	}},
	{2023, "国办发明电〔2022〕16号", 27, 7, []known{
		{"2022-12-31", false, "元旦"},
		{"2023-01-02", false, "元旦"},
		{"2023-04-05", false, "清明节"},
		{"2023-04-06", true, ""},
		{"2023-06-25", true, "端午节补班"},
		{"2023-09-29", false, "中秋节、国庆节"},
		{"2023-10-08", true, "中秋节、国庆节补班"},
	}},
	{2024, "国办发明电〔2023〕7号", 28, 8, []known{
		{"2024-01-01", false, "元旦"},
		{"2024-02-09", true, ""}, // New Year's Eve: the notice only encourages a day off
		{"2024-02-18", true, "春节补班"},
		{"2024-04-07", true, "清明节补班"},
		{"2024-06-10", false, "端午节"},
		{"2024-09-14", true, "中秋节补班"},
		{"2024-10-12", true, "国庆节补班"},
	}},
	{2025, "国办发明电〔2024〕12号", 28, 5, []known{
		{"2025-01-01", false, "元旦"},
		{"2025-01-26", true, "春节补班"},
		{"2025-02-04", false, "春节"},
		{"2025-05-31", false, "端午节"},
		{"2025-10-08", false, "国庆节、中秋节"},
		{"2025-10-11", true, "国庆节、中秋节补班"},
	}},
	{2026, "国办发明电〔2025〕7号", 33, 6, []known{
		{"2026-01-04", true, "元旦补班"},
		{"2026-02-14", true, "春节补班"},
		{"2026-02-23", false, "春节"},
		{"2026-02-28", true, "春节补班"},
		{"2026-05-09", true, "劳动节补班"},
		{"2026-09-20", true, "国庆节补班"},
		{"2026-09-25", false, "中秋节"},
		{"2026-10-01", false, "国庆节"},
		{"2026-10-10", true, "国庆节补班"},
		{"2026-12-01", true, ""},
		{"2026-12-05", false, ""},
	}},
}

type known struct {
	date    string
	workday bool
	name    string
}

// TestEveryYearMatchesItsNotice: the data is the notice. Each year names
// its notice, has the notice's number of days off and make-up workdays,
// and the dates the notice names are what it says they are.
func TestEveryYearMatchesItsNotice(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	years, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != len(notices) {
		t.Fatalf("%d embedded years, %d notices in this test", len(years), len(notices))
	}
	for _, n := range notices {
		y := c.Year(n.year)
		if y == nil {
			t.Errorf("%d: not loaded", n.year)
			continue
		}
		title := "国务院办公厅关于" + strconv.Itoa(n.year) + "年部分节假日安排的通知"
		if y.Notices[0].Title != title || y.Notices[0].Number != n.number {
			t.Errorf("%d: notice %+v, want %s %s", n.year, y.Notices[0], n.number, title)
		}
		if y.Holidays() != n.holidays || y.Workdays() != n.workdays {
			t.Errorf("%d: %d days off and %d make-up workdays, the notice gives %d and %d", n.year, y.Holidays(), y.Workdays(), n.holidays, n.workdays)
		}
		for _, k := range n.dates {
			d := date(t, k.date)
			if got, name := c.Workday(d), c.Name(d); got != k.workday || name != k.name {
				t.Errorf("%s: workday %v %q, want %v %q", k.date, got, name, k.workday, k.name)
			}
		}
	}
}

// TestEveryYearFileIsNamedForItsYear: 2026.txt holds the arrangement of
// 2026, so a file copied for a new year and not edited is caught.
func TestEveryYearFileIsNamedForItsYear(t *testing.T) {
	entries, err := fs.ReadDir(yearFiles, "years")
	if err != nil {
		t.Fatal(err)
	}
	years, _ := Embedded()
	if len(entries) != len(years) || len(entries) == 0 {
		t.Fatalf("%d files, %d years", len(entries), len(years))
	}
	for i, e := range entries {
		if want := strconv.Itoa(years[i].Year) + ".txt"; e.Name() != want {
			t.Errorf("file %s holds the year %d", e.Name(), years[i].Year)
		}
	}
}

// TestAYearWithoutANoticeCountsWeekendsOnly: 2027's notice was not found,
// and the calendar says so rather than guessing its holidays.
func TestAYearWithoutANoticeCountsWeekendsOnly(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for y := 2020; y <= 2026; y++ {
		if !c.Covers(y) {
			t.Errorf("%d not covered", y)
		}
	}
	if c.Covers(2027) || c.Name(date(t, "2027-01-01")) != "" {
		t.Error("2027 is covered, though no notice for it was found")
	}
	if c.Workday(date(t, "2027-01-02")) || !c.Workday(date(t, "2027-01-04")) {
		t.Error("2027's weekends are not told from its weekdays")
	}
}

func date(t *testing.T, s string) Date {
	t.Helper()
	d, ok := ParseDate(strings.TrimSpace(s))
	if !ok {
		t.Fatalf("bad date %q", s)
	}
	return d
}
