package passwd

import (
	"strings"
	"unicode"
)

// NIST SP 800-63B (5.1.1.2) asks that a new password be checked against
// the passwords most commonly used, expected or compromised, and against
// words of the context (the service, the user's name and login). A
// password passes the character classes easily with a common word and a
// digit or two ("Password1234", "Admin@123"), so the check looks at what is
// left when the decorations people add are taken off: the case, the
// digits, years and symbols before and after, and the usual substitutions
// (0 for o, @ for a, $ for s…).

// commonWords are words and names that the most common passwords are made
// of, in the published lists of leaked passwords and in Chinese users'
// habits (pinyin words and phrases, the service's own words). Each is
// refused as the core of a password.
var commonWords = words(`
password passwd passw0rd pass admin administrator root user guest test
login welcome letmein master secret default changeme access system
qwerty qwertyuiop asdf asdfgh asdfghjkl zxcv zxcvbn zxcvbnm qazwsx
qweasd qweasdzxc qwer qwert abc abcd abcde abcdef abcdefg abcdefgh
iloveyou love lover loveyou monkey dragon baseball football soccer
basketball superman batman princess sunshine shadow michael charlie
jordan hunter buster tigger killer freedom whatever trustno starwars
computer internet hello hellokitty flower angel jesus cheese summer
winter spring autumn happy lucky ginger pepper cookie banana orange
apple samsung google yahoo facebook linux windows microsoft
woaini woaini1314 aini zhangwei wangwei liwei wangfang lina
zhangmin lijing wangjing liuwei wangli zhangli wangyan liuyang
zhongguo china beijing shanghai huawei xiaomi tencent baidu taobao
qq weixin wechat mima  yonghu guanli guanliyuan ceshi
wangge grid gridadmin shequ jiedao xieliyuan wanggeyuan zhengfu
changzhi shanxi
`)

// sequences are runs of keys or letters people type as passwords.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyz",
	"qwertyuiopasdfghjklzxcvbnm",
	"1234567890",
	"1qaz2wsx3edc4rfv5tgb",
	"qazwsxedcrfvtgbyhnujmikolp",
}

var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// core strips what people add around a guessable word: digits and symbols
// before and after, then the case and the common substitutions.
func core(p string) string {
	p = strings.ToLower(p)
	p = strings.TrimFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })
	return leet.Replace(p)
}

// guessable reports whether password is built from a common word, a run of
// keys, one repeated character or short pattern, or one of the context's
// words (the login, the name), once decorated.
func guessable(password string, context []string) bool {
	raw := strings.ToLower(password)
	c := core(password)
	// No letters at all: digits and symbols only, such as 12345678!.
	if c == "" {
		c = raw
	}
	if commonWords[c] {
		return true
	}
	if repeated(c) || repeated(raw) || inSequence(c) || inSequence(raw) {
		return true
	}
	for _, w := range context {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if cw := core(w); cw != "" && c == cw {
			return true
		}
		// A name in Chinese characters is guessable from two; a login or
		// a name in letters from four (shorter ones are in many words).
		long := len([]rune(w)) >= 4 || len([]rune(w)) >= 2 && strings.ContainsFunc(w, func(r rune) bool { return unicode.Is(unicode.Han, r) })
		if long && (strings.Contains(raw, w) || strings.Contains(c, core(w))) {
			return true
		}
	}
	return false
}

// repeated reports whether s is one short unit (up to 4 runes) over and
// over: aaaaaaaa, abcabcabc, 12121212.
func repeated(s string) bool {
	r := []rune(s)
	for n := 1; n <= 4 && n < len(r); n++ {
		if len(r)%n != 0 && len(r) < 3*n {
			continue
		}
		ok := true
		for i := n; i < len(r); i++ {
			if r[i] != r[i-n] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// inSequence reports whether s (4 runes or more) is a run of one of the
// sequences, forwards or backwards.
func inSequence(s string) bool {
	if len(s) < 4 {
		return false
	}
	rev := []rune(s)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	for _, q := range sequences {
		if strings.Contains(q, s) || strings.Contains(q, string(rev)) {
			return true
		}
	}
	return false
}
