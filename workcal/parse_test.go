package workcal

import (
	"errors"
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

const goodYear = `# a new year, as an administrator loads it
year 2027
notice 国办发明电〔2026〕9号 国务院办公厅关于2027年部分节假日安排的通知
holiday 2027-01-01..2027-01-03 元旦
workday 2027-01-09 元旦补班
`

func TestParseYearReadsAYearFile(t *testing.T) {
	y, err := ParseYear(strings.NewReader("\uFEFF" + strings.ReplaceAll(goodYear, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if y.Year != 2027 || len(y.Notices) != 1 || y.Notices[0].Number != "国办发明电〔2026〕9号" || y.Holidays() != 3 || y.Workdays() != 1 {
		t.Fatalf("read %+v", y)
	}
	if y.Days[0] != (Day{Date: date(t, "2027-01-01"), Off: true, Name: "元旦"}) || y.Days[3].Name != "元旦补班" || y.Days[3].Off {
		t.Errorf("days %+v", y.Days)
	}
}

// TestParseYearRefusesWithTheLine: an administrator's file is refused
// with the catalogue key and the line at fault.
func TestParseYearRefusesWithTheLine(t *testing.T) {
	const head = "year 2027\nnotice - 国务院办公厅关于2027年部分节假日安排的通知\n"
	cases := []struct {
		name, file, key string
		line            int
	}{
		{"unknown word", head + "holdiay 2027-01-01 元旦\n", "error.workcal.syntax", 3},
		{"no year", "notice - 通知\nholiday 2027-01-01 元旦\n", "error.workcal.no_year", 0},
		{"year twice", head + "year 2027\n", "error.workcal.year", 3},
		{"year not a number", "year 二〇二七\n", "error.workcal.year", 1},
		{"no notice", "year 2027\nholiday 2027-01-01 元旦\n", "error.workcal.no_notice", 0},
		{"notice without title", "year 2027\nnotice 国办发明电〔2026〕9号\n", "error.workcal.notice", 2},
		{"bad date", head + "holiday 2027-02-30 春节\n", "error.workcal.date", 3},
		{"range backwards", head + "holiday 2027-02-12..2027-02-06 春节\n", "error.workcal.date", 3},
		{"range too long", head + "holiday 2027-01-01..2027-03-01 春节\n", "error.workcal.date", 3},
		{"no name", head + "holiday 2027-01-01\n", "error.workcal.name", 3},
		{"outside the year", head + "holiday 2028-10-01 国庆节\n", "error.workcal.outside", 3},
		{"date twice", head + "holiday 2027-01-01..2027-01-03 元旦\nworkday 2027-01-02 元旦补班\n", "error.workcal.twice", 4},
		{"make-up day on a weekday", head + "workday 2027-01-04 元旦补班\n", "error.workcal.weekday", 3},
		{"make-up days as a range", head + "workday 2027-01-09..2027-01-10 元旦补班\n", "error.workcal.workday_range", 3},
		{"too long", head + strings.Repeat("# padding\n", maxLines), "error.workcal.long", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseYear(strings.NewReader(tc.file))
			var e *wangge.Error
			if !errors.As(err, &e) || e.Key != tc.key || e.Code != wangge.EInvalid {
				t.Fatalf("got %v, want %s", err, tc.key)
			}
			if line, _ := e.Params["Line"].(int); line != tc.line {
				t.Errorf("line %v, want %d", e.Params["Line"], tc.line)
			}
		})
	}
}

// TestLoadedYearsJoinTheEmbeddedOnes: a loaded year adds a year or
// replaces an embedded one, and two years that disagree are refused.
func TestLoadedYearsJoinTheEmbeddedOnes(t *testing.T) {
	parse := func(s string) *Year {
		y, err := ParseYear(strings.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		return y
	}
	c, err := New(Options{Years: []*Year{parse(goodYear)}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Covers(2027) || c.Workday(date(t, "2027-01-01")) || c.Name(date(t, "2027-01-01")) != "元旦" || !c.Workday(date(t, "2027-01-09")) {
		t.Error("the loaded 2027 is not in the calendar")
	}
	if c.Workday(date(t, "2026-10-01")) {
		t.Error("loading 2027 lost 2026")
	}

	corrected := parse("year 2026\nnotice - 更正\nholiday 2026-12-01 测试假日\n")
	c, err = New(Options{Years: []*Year{corrected}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Workday(date(t, "2026-12-01")) || !c.Workday(date(t, "2026-10-01")) || c.Name(date(t, "2026-10-01")) != "" {
		t.Error("a loaded 2026 does not replace the embedded one")
	}

	clash := parse("year 2022\nnotice - 更正\nworkday 2022-12-31 元旦补班\n")
	if _, err := New(Options{Years: []*Year{clash}}); wangge.ErrorCode(err) != wangge.EInvalid {
		t.Errorf("a 2022 that disagrees with 2023 about 2022-12-31: %v", err)
	}
}
