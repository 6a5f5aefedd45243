package ident

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// today is the fixed "today" of the tests: 1 May 2026 in Beijing.
var today = time.Date(2026, time.May, 1, 0, 30, 0, 0, chinaTime)

func TestParseIDAccepts(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// The two worked examples of GB 11643-1999.
		{"11010519491231002X", "11010519491231002X"},
		{"440524188001010014", "440524188001010014"},
		{"11010519491231002x", "11010519491231002X"},
		{"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"},
		{"１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
		{" \t\u300011010519491231002X\u3000\n", "11010519491231002X"},
		// As people type them into a spreadsheet: spaces, ideographic spaces,
		// tabs or hyphens between the groups.
		{"110105 19491231 002X", "11010519491231002X"},
		{"110105\u300019491231\u3000002x", "11010519491231002X"},
		{"110105\t19491231\t002X", "11010519491231002X"},
		{"110105-19491231-002X", "11010519491231002X"},
		{"１１０１０５－１９４９１２３１－００２Ｘ", "11010519491231002X"},
		{"1101 0519 4912 3100 2X", "11010519491231002X"},
		// The 1989 15-digit form of the GB 11643-1999 example: the century
		// is inserted and the check character appended.
		{"110105491231002", "11010519491231002X"},
		{"110105 491231 002", "11010519491231002X"},
		{string(MakeID("140402", date(2000, 2, 29), 12, SexMale)), string(MakeID("140402", date(2000, 2, 29), 12, SexMale))},
		// Born today, in Beijing: it is still 30 April in UTC.
		{string(MakeID("810000", date(2026, 5, 1), 0, SexFemale)), string(MakeID("810000", date(2026, 5, 1), 0, SexFemale))},
		{string(MakeID("830000", date(1870, 1, 1), 99, SexMale)), string(MakeID("830000", date(1870, 1, 1), 99, SexMale))},
	}
	for _, tt := range tests {
		id, err := ParseIDAt(tt.in, today)
		if err != nil || string(id) != tt.want {
			t.Errorf("ParseIDAt(%q) = %q, %v; want %q", tt.in, id, err, tt.want)
		}
	}
	if _, err := ParseID("11010519491231002X"); err != nil {
		t.Errorf("ParseID: %v", err)
	}
}

func TestParseIDRejects(t *testing.T) {
	tests := []struct {
		in     string
		reason string
		want   []string // substrings of the message
	}{
		{"", ReasonEmpty, nil},
		{" \u3000 ", ReasonEmpty, nil},
		{"11010549123100A", ReasonLegacy, []string{"15-digit", "15 位"}},
		{"110105491331002", ReasonBirthDate, []string{"1949-13-31"}},
		{"910105491231002", ReasonRegion, []string{"91"}},
		{"1101051949123100", ReasonLength, []string{"got 16"}},
		{"11010519491231002X1", ReasonLength, []string{"got 19"}},
		{"11010519491231002XX", ReasonLength, []string{"got 19"}},
		{"身份证", ReasonLength, []string{"got 3"}},
		{"1101051949123100AX", ReasonCharset, []string{"character 17", "'A'", "第 17 位"}},
		{"11010519491231002Y", ReasonCharset, []string{"character 18", "'Y'"}},
		{"110105 19491231002", ReasonLength, []string{"got 17"}},
		{"110105_19491231002X", ReasonLength, []string{"got 19"}},
		{"11010519491231002张", ReasonCharset, []string{"character 18", "'张'"}},
		{"X10105194912310020", ReasonCharset, []string{"character 1"}},
		{"910105194912310021", ReasonRegion, []string{"91"}},
		{"000105194912310021", ReasonRegion, []string{"00"}},
		{"840105194912310021", ReasonRegion, []string{"84"}},
		{"110105194902290021", ReasonBirthDate, []string{"1949-02-29"}}, // not a leap year
		{"110105190002290021", ReasonBirthDate, []string{"1900-02-29"}}, // nor is 1900
		{"110105194913010021", ReasonBirthDate, []string{"1949-13-01"}},
		{"110105194900010021", ReasonBirthDate, []string{"1949-00-01"}},
		{"110105194904310021", ReasonBirthDate, []string{"1949-04-31"}},
		{"110105194912000021", ReasonBirthDate, []string{"1949-12-00"}},
		{"110105186912310021", ReasonBirthDate, []string{"1869-12-31", "1870-01-01"}},
		{"110105000101010021", ReasonBirthDate, []string{"0001-01-01"}},
		{"110105202605020021", ReasonFutureBirth, []string{"2026-05-02", "2026-05-01"}},
		{"110105999912310021", ReasonFutureBirth, []string{"9999-12-31"}},
		{"110105194912310025", ReasonCheckDigit, []string{"expected X, got 5", "应为 X，实为 5"}},
		{"440524188001010015", ReasonCheckDigit, []string{"expected 4, got 5"}},
		{"44052418800101001X", ReasonCheckDigit, []string{"expected 4, got X"}},
	}
	for _, tt := range tests {
		_, err := ParseIDAt(tt.in, today)
		checkErr(t, tt.in, err, FieldID, tt.reason, tt.want...)
	}
}

func TestIDAccessors(t *testing.T) {
	tests := []struct {
		id     IDNumber
		birth  time.Time
		sex    Sex
		region string
	}{
		{"11010519491231002X", date(1949, 12, 31), SexFemale, "110105"},
		{"440524188001010014", date(1880, 1, 1), SexMale, "440524"},
		{"", time.Time{}, SexUnknown, ""},
		{"110105", time.Time{}, SexUnknown, "110105"},
		{"11010519490230002X", time.Time{}, SexFemale, "110105"},
		{"1101051949123100AX", date(1949, 12, 31), SexUnknown, "110105"},
	}
	for _, tt := range tests {
		if got := tt.id.BirthDate(); !got.Equal(tt.birth) || got.Location() != time.UTC {
			t.Errorf("%q.BirthDate() = %v, want %v", tt.id, got, tt.birth)
		}
		if got := tt.id.Sex(); got != tt.sex {
			t.Errorf("%q.Sex() = %v, want %v", tt.id, got, tt.sex)
		}
		if got := tt.id.Region(); got != tt.region {
			t.Errorf("%q.Region() = %q, want %q", tt.id, got, tt.region)
		}
		if got := tt.id.String(); got != string(tt.id) {
			t.Errorf("%q.String() = %q", tt.id, got)
		}
	}
}

func TestSex(t *testing.T) {
	tests := []struct {
		s      Sex
		str, z string
	}{
		{SexUnknown, "", "未知"},
		{SexMale, "M", "男"},
		{SexFemale, "F", "女"},
		{Sex(9), "", "未知"},
	}
	for _, tt := range tests {
		if tt.s.String() != tt.str || tt.s.Zh() != tt.z {
			t.Errorf("Sex(%d): got %q %q, want %q %q", tt.s, tt.s.String(), tt.s.Zh(), tt.str, tt.z)
		}
	}
}

func TestAge(t *testing.T) {
	tests := []struct {
		birth, at time.Time
		want      int
	}{
		{date(1949, 12, 31), date(1949, 12, 31), 0},
		{date(1949, 12, 31), date(2025, 12, 30), 75},
		{date(1949, 12, 31), date(2025, 12, 31), 76},
		{date(2000, 2, 29), date(2001, 2, 28), 0},
		{date(2000, 2, 29), date(2001, 3, 1), 1},
		{date(2000, 2, 29), date(2004, 2, 29), 4},
		{date(2000, 6, 15), date(1999, 1, 1), 0},
		// 15 June 08:00 in Beijing is 15 June 00:00 UTC; the calendar date
		// in Beijing counts.
		{date(2000, 6, 15), time.Date(2018, 6, 15, 0, 30, 0, 0, chinaTime), 18},
		{date(2000, 6, 15), time.Date(2018, 6, 14, 23, 30, 0, 0, chinaTime), 17},
	}
	for _, tt := range tests {
		if got := Age(tt.birth, tt.at); got != tt.want {
			t.Errorf("Age(%v, %v) = %d, want %d", tt.birth, tt.at, got, tt.want)
		}
	}
}

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'},
		{"44052418800101001", '4'},
		{"00000000000000000", '1'},
	}
	for _, tt := range tests {
		if got := CheckDigit(tt.first17); got != tt.want {
			t.Errorf("CheckDigit(%q) = %c, want %c", tt.first17, got, tt.want)
		}
	}
	for _, bad := range []string{"", "1101051949123100", "110105194912310021", "1101051949123100A"} {
		mustPanic(t, "CheckDigit("+bad+")", func() { CheckDigit(bad) })
	}
}

func TestMakeID(t *testing.T) {
	if got, want := MakeID("110105", date(1949, 12, 31), 0, SexFemale), IDNumber("11010519491231002X"); got != want {
		t.Errorf("MakeID = %q, want %q", got, want)
	}
	if got, want := MakeID("440524", date(1880, 1, 1), 0, SexMale), IDNumber("440524188001010014"); got != want {
		t.Errorf("MakeID = %q, want %q", got, want)
	}
	// The calendar date of birth in its own location counts.
	if got := MakeID("110105", time.Date(1990, 1, 2, 1, 0, 0, 0, chinaTime), 5, SexMale).BirthDate(); !got.Equal(date(1990, 1, 2)) {
		t.Errorf("MakeID with a Beijing time: birth date %v", got)
	}
	bad := []struct {
		name   string
		region string
		birth  time.Time
		seq    int
		sex    Sex
	}{
		{"short region", "11010", date(1990, 1, 1), 0, SexMale},
		{"letter region", "11010A", date(1990, 1, 1), 0, SexMale},
		{"bad province", "910105", date(1990, 1, 1), 0, SexMale},
		{"early birth", "110105", date(1869, 12, 31), 0, SexMale},
		{"late birth", "110105", date(10000, 1, 1), 0, SexMale},
		{"negative seq", "110105", date(1990, 1, 1), -1, SexMale},
		{"large seq", "110105", date(1990, 1, 1), 100, SexMale},
		{"unknown sex", "110105", date(1990, 1, 1), 0, SexUnknown},
	}
	for _, tt := range bad {
		mustPanic(t, tt.name, func() { MakeID(tt.region, tt.birth, tt.seq, tt.sex) })
	}
}

// TestMakeIDRoundTrip checks that ParseIDAt accepts whatever MakeID builds
// and that the accessors return what went in.
func TestMakeIDRoundTrip(t *testing.T) {
	provinces := []string{"11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81", "82", "83"}
	r := rand.New(rand.NewPCG(1, 2))
	first, last := earliestBirth.Unix()/86400, date(2026, 5, 1).Unix()/86400
	for range 20000 {
		region := fmt.Sprintf("%s%04d", provinces[r.IntN(len(provinces))], r.IntN(10000))
		birth := time.Unix((first+r.Int64N(last-first+1))*86400, 0).UTC()
		seq := r.IntN(100)
		sex := SexMale + Sex(r.IntN(2))
		made := MakeID(region, birth, seq, sex)
		id, err := ParseIDAt(string(made), today)
		if err != nil {
			t.Fatalf("MakeID(%s, %v, %d, %v) = %s: %v", region, birth, seq, sex, made, err)
		}
		if id != made || id.Region() != region || !id.BirthDate().Equal(birth) || id.Sex() != sex || string(id[14:16]) != fmt.Sprintf("%02d", seq) {
			t.Fatalf("MakeID(%s, %v, %d, %v) = %s: got %s %v %v", region, birth, seq, sex, made, id.Region(), id.BirthDate(), id.Sex())
		}
	}
}

// TestIDSingleErrors checks exhaustively, for a few valid ID numbers, that
// every single-character substitution and every transposition of adjacent
// digits among the first 17 is rejected: MOD 11-2 detects all of them.
func TestIDSingleErrors(t *testing.T) {
	ids := []string{
		"11010519491231002X",
		"440524188001010014",
		string(MakeID("140402", date(1990, 1, 1), 12, SexMale)),
		string(MakeID("650102", date(2012, 2, 29), 99, SexFemale)),
		string(MakeID("830000", date(1975, 10, 20), 0, SexFemale)),
	}
	for _, id := range ids {
		if _, err := ParseIDAt(id, today); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		n := 0
		for i := range 18 {
			chars := "0123456789"
			if i == 17 {
				chars += "X"
			}
			for _, c := range []byte(chars) {
				if c == id[i] {
					continue
				}
				s := id[:i] + string(c) + id[i+1:]
				if _, err := ParseIDAt(s, today); err == nil {
					t.Errorf("%s: substitution %s accepted", id, s)
				}
				if CheckDigit(s[:17]) == s[17] {
					t.Errorf("%s: substitution %s has a valid check digit", id, s)
				}
				n++
			}
		}
		for i := range 16 {
			if id[i] == id[i+1] {
				continue
			}
			s := id[:i] + id[i+1:i+2] + id[i:i+1] + id[i+2:]
			if CheckDigit(s[:17]) == s[17] {
				t.Errorf("%s: transposition %s has a valid check digit", id, s)
			}
		}
		if n != 17*9+10 {
			t.Errorf("%s: tried %d substitutions", id, n)
		}
	}
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", name)
		}
	}()
	f()
}

func TestParseIDConvertedReportsConversion(t *testing.T) {
	tests := []struct {
		in        string
		want      IDNumber
		converted bool
	}{
		{"110105491231002", "11010519491231002X", true},
		{"１１０１０５ ４９１２３１ ００２", "11010519491231002X", true},
		{"11010519491231002X", "11010519491231002X", false},
		{"110105 19491231 002X", "11010519491231002X", false},
	}
	for _, tt := range tests {
		id, converted, err := ParseIDConvertedAt(tt.in, today)
		if err != nil || id != tt.want || converted != tt.converted {
			t.Errorf("ParseIDConvertedAt(%q) = %q, %v, %v; want %q, %v", tt.in, id, converted, err, tt.want, tt.converted)
		}
	}
	if _, converted, err := ParseIDConvertedAt("110105491331002", today); err == nil || converted {
		t.Errorf("a 15-digit number with a bad date: converted %v, err %v", converted, err)
	}
}

func TestConvertLegacyIDEveryDate(t *testing.T) {
	// A converted number keeps the region, birth date (in the 1900s) and
	// sequence of the old one, and always passes the check.
	for d := date(1900, 1, 1); d.Year() < 2000; d = d.AddDate(0, 0, 97) {
		seq := d.YearDay() % 1000
		old := fmt.Sprintf("140402%02d%02d%02d%03d", d.Year()%100, d.Month(), d.Day(), seq)
		id, converted, err := ParseIDConvertedAt(old, today)
		if err != nil || !converted {
			t.Fatalf("ParseIDConvertedAt(%q): %q, %v, %v", old, id, converted, err)
		}
		if !id.BirthDate().Equal(d) || id.Region() != "140402" || string(id[14:17]) != old[12:] {
			t.Fatalf("%q converted to %q", old, id)
		}
	}
}
