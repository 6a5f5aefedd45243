package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/ident"
)

// birthplaces are the regions ID numbers are issued in: all with the
// prefecture number 98 or 99, which no province uses, so the numbers are
// valid yet belong to nobody. Index 0 is the local one.
var birthplaces = []struct {
	prefix, province string
	counties         int
	floating         int // weight among floating households
}{
	{"1499", "山西省", 30, 0},
	{"1498", "山西省", 20, 35},
	{"4199", "河南省", 20, 20},
	{"1399", "河北省", 20, 12},
	{"3799", "山东省", 20, 8},
	{"6199", "陕西省", 20, 7},
	{"1599", "内蒙古自治区", 20, 6},
	{"5199", "四川省", 20, 5},
	{"3499", "安徽省", 20, 4},
	{"6299", "甘肃省", 20, 3},
}

// regionCodes[i][k] is birthplace i's county k+1 as a 6-digit code.
var regionCodes = func() [][]string {
	out := make([][]string, len(birthplaces))
	for i, b := range birthplaces {
		for k := 1; k <= b.counties; k++ {
			out[i] = append(out[i], b.prefix+string([]byte{byte('0' + k/10), byte('0' + k%10)}))
		}
	}
	return out
}()

var floatingWeightTotal = func() int {
	t := 0
	for _, b := range birthplaces {
		t += b.floating
	}
	return t
}()

func floatingBirthplace(r *rand.Rand) int {
	x := r.IntN(floatingWeightTotal)
	for i, b := range birthplaces {
		if x < b.floating {
			return i
		}
		x -= b.floating
	}
	return 1
}

// localBirthplace draws the birthplace of a registered resident: mostly the
// district's own prefecture, some from elsewhere in Shanxi or beyond.
func localBirthplace(r *rand.Rand) int {
	switch x := r.IntN(100); {
	case x < 90:
		return 0
	case x < 97:
		return 1
	}
	return floatingBirthplace(r)
}

// Household structures. Their weights (per mille) shape household size and
// the age pyramid; they were tuned so that the district has ~2.75 persons a
// household, ~20% aged 60+ and ~15% under 15.
const (
	stSingleElder  = iota // 独居老人
	stSingleAdult         // one adult under 60
	stElderCouple         // 空巢 couple, both 60+
	stCouple              // couple without children at home
	stCouple1             // couple and one child
	stCouple2             // couple and two (or three) children
	stThreeGenMid         // head, spouse, head's parents, children
	stThreeGenOld         // elderly head, child and child's spouse, grandchildren
	stSingleParent        // one parent and children
	stWithParent          // adult head living with an elderly parent
	stFloatShare          // floating workers sharing a flat
	stFloatFamily         // floating couple with children
	stFloatSingle         // single floating worker
	nStructures
)

var structWeights = [nStructures]int{
	stSingleElder:  55,
	stSingleAdult:  88,
	stElderCouple:  72,
	stCouple:       88,
	stCouple1:      213,
	stCouple2:      65,
	stThreeGenMid:  72,
	stThreeGenOld:  62,
	stSingleParent: 35,
	stWithParent:   70,
	stFloatShare:   38,
	stFloatFamily:  52,
	stFloatSingle:  22,
}

var structCum = func() (c [nStructures]int) {
	t := 0
	for i, w := range structWeights {
		t += w
		c[i] = t
	}
	return c
}()

// comp is a household's composition, drawn from the grid's composition
// stream alone so that the number of persons can be known in advance.
type comp struct {
	st     uint8
	absent bool
	spouse bool
	kids   uint8 // children, or grandchildren for stThreeGenOld
	olds   uint8 // the head's parents
	others uint8 // flatmates
}

func drawComp(r *rand.Rand) comp {
	x := r.IntN(structCum[nStructures-1])
	c := comp{}
	for c.st = 0; int(c.st) < nStructures-1 && x >= structCum[c.st]; c.st++ {
	}
	switch c.st {
	case stSingleAdult, stCouple, stCouple1:
		c.absent = r.IntN(100) < 7
	}
	switch c.st {
	case stCouple1:
		c.kids = 1
	case stCouple2:
		c.kids = 2
		if r.IntN(10) == 0 {
			c.kids = 3
		}
	case stThreeGenMid:
		c.spouse = r.IntN(10) < 9
		c.olds = uint8(1 + r.IntN(2))
		c.kids = 1
		if r.IntN(10) < 3 {
			c.kids = 2
		}
	case stThreeGenOld:
		c.spouse = r.IntN(10) < 7
		c.kids = 1
		if r.IntN(10) < 3 {
			c.kids = 2
		}
	case stSingleParent:
		c.kids = 1
		if r.IntN(6) == 0 {
			c.kids = 2
		}
	case stWithParent:
		c.spouse = r.IntN(2) == 0
		c.olds = 1
		if r.IntN(10) < 3 {
			c.kids = 1
		}
	case stFloatShare:
		c.others = uint8(1 + r.IntN(3))
	case stFloatFamily:
		c.kids = uint8(r.IntN(3))
	}
	return c
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c comp) size() int {
	switch c.st {
	case stSingleElder, stSingleAdult, stFloatSingle:
		return 1
	case stElderCouple, stCouple:
		return 2
	case stCouple1, stCouple2, stFloatFamily:
		return 2 + int(c.kids)
	case stThreeGenMid, stWithParent:
		return 1 + b2i(c.spouse) + int(c.olds) + int(c.kids)
	case stThreeGenOld:
		return 3 + b2i(c.spouse) + int(c.kids)
	case stSingleParent:
		return 1 + int(c.kids)
	case stFloatShare:
		return 1 + int(c.others)
	}
	return 1
}

func (c comp) floating() bool {
	return c.st == stFloatShare || c.st == stFloatFamily || c.st == stFloatSingle
}

// Marital states, as the childbearing group records them.
const (
	unmarried = iota
	married
	divorced
	widowed
)

var maritalZh = [...]string{"未婚", "已婚", "离异", "丧偶"}

// member is one person of a household before it becomes a Person.
type member struct {
	age     int
	sex     ident.Sex
	rel     wangge.Relation
	surname string
	marital uint8
	kids    uint8 // children, for mothers (the childbearing group)
}

const (
	maleIdx   = 0
	femaleIdx = 1
)

func sexIdx(s ident.Sex) int {
	if s == ident.SexFemale {
		return femaleIdx
	}
	return maleIdx
}

func surname(r *rand.Rand) string { return surnames[r.IntN(len(surnames))] }

// elderAge draws an age of 60 or more: about 60% in their sixties, 28% in
// their seventies, 12% older.
func elderAge(r *rand.Rand) int {
	a := 60 + int(r.ExpFloat64()*10.5)
	if a > 99 {
		a = 60 + r.IntN(40)
	}
	return a
}

// childAge returns the age of a child of parents whose younger member is y:
// 20 to 35 years younger, and at least 0.
func childAge(r *rand.Rand, y int) int {
	hi := min(35, y)
	if hi < 20 {
		return max(y-20, 0)
	}
	return y - (20 + r.IntN(hi-19))
}

// couple fills m[0] (head) and m[1] (spouse): the wife is w years old and the
// husband 1 year younger to 4 years older. The head is the husband with
// probability pMale. It returns the husband's surname.
func couple(r *rand.Rand, m *[8]member, w int, pMale int) string {
	h := min(w+r.IntN(6)-1, 100)
	h = max(h, 18)
	hs, ws := surname(r), surname(r)
	husband := member{age: h, sex: ident.SexMale, surname: hs, marital: married}
	wife := member{age: w, sex: ident.SexFemale, surname: ws, marital: married}
	if r.IntN(100) < pMale {
		husband.rel, wife.rel = wangge.RelHead, wangge.RelSpouse
		m[0], m[1] = husband, wife
	} else {
		wife.rel, husband.rel = wangge.RelHead, wangge.RelSpouse
		m[0], m[1] = wife, husband
	}
	return hs
}

// addKids appends k children of parents whose younger member is y.
func addKids(r *rand.Rand, m *[8]member, n, k, y int, rel wangge.Relation, family string) int {
	for range k {
		m[n] = member{age: childAge(r, y), sex: ident.Sex(1 + r.IntN(2)), rel: rel, surname: family}
		n++
	}
	return n
}

// family fills m with the household's members, head first, and returns how
// many there are (always c.size()).
func family(r *rand.Rand, c comp, m *[8]member) int {
	n := 0
	switch c.st {
	case stSingleElder:
		s := ident.SexFemale
		if r.IntN(100) < 32 {
			s = ident.SexMale
		}
		m[0] = member{age: elderAge(r), sex: s, rel: wangge.RelHead, surname: surname(r), marital: widowed}
		if r.IntN(8) == 0 {
			m[0].marital = divorced
		}
		n = 1
	case stSingleAdult, stFloatSingle:
		a := 20 + r.IntN(40)
		if r.IntN(10) < 6 {
			a = 20 + r.IntN(16)
		}
		var ms uint8 = unmarried
		if a >= 30 {
			ms = [...]uint8{unmarried, unmarried, divorced, divorced, divorced, widowed, married}[r.IntN(7)]
		}
		m[0] = member{age: a, sex: ident.Sex(1 + r.IntN(2)), rel: wangge.RelHead, surname: surname(r), marital: ms}
		if ms != unmarried && m[0].sex == ident.SexFemale {
			m[0].kids = uint8(r.IntN(3))
		}
		n = 1
	case stElderCouple:
		w := elderAge(r)
		couple(r, m, min(w, 96), 80)
		if m[0].age < 60 {
			m[0].age = 60
		}
		if m[1].age < 60 {
			m[1].age = 60
		}
		n = 2
	case stCouple:
		w := 22 + r.IntN(13)
		old := r.IntN(2) == 0
		if old {
			w = 47 + r.IntN(18)
		}
		couple(r, m, w, 80)
		if old {
			wi := 1
			if m[0].sex == ident.SexFemale {
				wi = 0
			}
			m[wi].kids = uint8(1 + r.IntN(2)) // grown up and moved out
		}
		n = 2
	case stCouple1, stCouple2, stFloatFamily:
		var w int
		switch c.st {
		case stCouple1:
			w = 24 + r.IntN(32)
		case stCouple2:
			w = 27 + r.IntN(22)
		default:
			w = 21 + r.IntN(22)
		}
		fam := couple(r, m, w, 78)
		n = addKids(r, m, 2, int(c.kids), min(m[0].age, m[1].age), wangge.RelChild, fam)
		mother(m).kids = c.kids
	case stThreeGenMid:
		w := 28 + r.IntN(21)
		if c.spouse {
			fam := couple(r, m, w, 75)
			n = addKids(r, m, 2, int(c.kids), min(m[0].age, m[1].age), wangge.RelChild, fam)
			mother(m).kids = c.kids
		} else {
			m[0] = member{age: w, sex: ident.SexFemale, rel: wangge.RelHead, surname: surname(r), marital: [...]uint8{divorced, widowed}[r.IntN(2)]}
			m[0].kids = c.kids
			n = addKids(r, m, 1, int(c.kids), w, wangge.RelChild, surname(r))
		}
		n = addParents(r, m, n, int(c.olds), m[0])
	case stThreeGenOld:
		a := 60 + r.IntN(24)
		var fam string
		if c.spouse {
			fam = couple(r, m, a, 70)
			n = 2
		} else {
			s := ident.SexFemale
			if r.IntN(10) < 3 {
				s = ident.SexMale
			}
			m[0] = member{age: a, sex: s, rel: wangge.RelHead, surname: surname(r), marital: widowed}
			fam = m[0].surname
			if s == ident.SexFemale {
				fam = surname(r) // the late husband's
			}
			n = 1
		}
		y := m[0].age
		if c.spouse {
			y = min(m[0].age, m[1].age)
		}
		ca := max(childAge(r, y), 22)
		ia := max(ca+r.IntN(7)-3, 20)
		child := member{age: ca, rel: wangge.RelChild, marital: married}
		inlaw := member{age: ia, rel: wangge.RelInLaw, marital: married, surname: surname(r)}
		var grand string
		if r.IntN(10) < 8 { // a son and his wife
			child.sex, child.surname, inlaw.sex = ident.SexMale, fam, ident.SexFemale
			grand = fam
			inlaw.kids = c.kids
		} else { // a daughter and her husband
			child.sex, child.surname, inlaw.sex = ident.SexFemale, fam, ident.SexMale
			grand = inlaw.surname
			child.kids = c.kids
		}
		m[n], m[n+1] = child, inlaw
		n = addKids(r, m, n+2, int(c.kids), min(ca, ia), wangge.RelGrandchild, grand)
	case stSingleParent:
		a := 27 + r.IntN(29)
		s := ident.SexFemale
		if r.IntN(10) < 2 {
			s = ident.SexMale
		}
		ms := uint8(divorced)
		if r.IntN(10) < 3 {
			ms = widowed
		}
		fam := surname(r)
		m[0] = member{age: a, sex: s, rel: wangge.RelHead, surname: fam, marital: ms}
		if s == ident.SexFemale {
			m[0].kids = c.kids
			fam = surname(r)
		}
		n = addKids(r, m, 1, int(c.kids), a, wangge.RelChild, fam)
	case stWithParent:
		a := 35 + r.IntN(28)
		if c.spouse {
			fam := couple(r, m, a, 70)
			n = addKids(r, m, 2, int(c.kids), min(m[0].age, m[1].age), wangge.RelChild, fam)
			mother(m).kids = c.kids
		} else {
			s := ident.Sex(1 + r.IntN(2))
			m[0] = member{age: a, sex: s, rel: wangge.RelHead, surname: surname(r), marital: [...]uint8{unmarried, divorced, widowed}[r.IntN(3)]}
			fam := m[0].surname
			if s == ident.SexFemale {
				m[0].kids = c.kids
				fam = surname(r)
			}
			n = addKids(r, m, 1, int(c.kids), a, wangge.RelChild, fam)
		}
		n = addParents(r, m, n, int(c.olds), m[0])
	case stFloatShare:
		s := ident.SexMale
		if r.IntN(10) < 3 {
			s = ident.SexFemale
		}
		for i := range 1 + int(c.others) {
			a := 18 + r.IntN(28)
			ms := uint8(unmarried)
			if a >= 27 && r.IntN(10) < 6 {
				ms = married // the family stayed at home
			}
			p := member{age: a, sex: s, rel: wangge.RelOther, surname: surname(r), marital: ms}
			if i == 0 {
				p.rel = wangge.RelHead
			}
			if ms == married && s == ident.SexFemale {
				p.kids = uint8(1 + r.IntN(2))
			}
			m[i] = p
		}
		n = 1 + int(c.others)
	}
	return n
}

// mother returns the wife of the couple in m[0] and m[1].
func mother(m *[8]member) *member {
	if m[0].sex == ident.SexFemale {
		return &m[0]
	}
	return &m[1]
}

// addParents appends k parents of the head (the father has the head's
// surname), 22–34 years older than the head and at least 60.
func addParents(r *rand.Rand, m *[8]member, n, k int, head member) int {
	ma := head.age + 22 + r.IntN(13)
	ma = min(max(ma, 60, head.age+20), 99)
	if k == 1 {
		s := ident.SexFemale
		sn := surname(r)
		if r.IntN(10) < 3 {
			s, sn = ident.SexMale, head.surname
		}
		m[n] = member{age: ma, sex: s, rel: wangge.RelParent, surname: sn, marital: widowed}
		return n + 1
	}
	fa := min(ma+r.IntN(5), 100, head.age+40)
	m[n] = member{age: fa, sex: ident.SexMale, rel: wangge.RelParent, surname: head.surname, marital: married}
	m[n+1] = member{age: ma, sex: ident.SexFemale, rel: wangge.RelParent, surname: surname(r), marital: married}
	return n + 2
}

// personName returns a synthetic name for someone of the sex index born in
// the year: the surname and a given name of the era.
func personName(r *rand.Rand, s, birthYear int, sn string) string {
	era := 0
	switch {
	case birthYear >= 1995:
		era = 2
	case birthYear >= 1965:
		era = 1
	}
	if era == 2 && r.IntN(2) == 0 {
		a, b := nameFirst[s][r.IntN(len(nameFirst[s]))], nameSecond[s][r.IntN(len(nameSecond[s]))]
		if a != b {
			return sn + a + b
		}
	}
	pool := givenNames[s][era]
	return sn + pool[r.IntN(len(pool))]
}

// idNumber issues a unique ID number for someone born on the day (days since
// 1970) in the birthplace. Numbers are counted per birthplace, day and sex;
// the count picks the county and the sequence (digits 15–16) through a fixed
// bijection, so no two persons get the same number. It returns the number and
// the birth day actually used (the day before when a day is full, which
// never happens at realistic sizes).
func (g *generator) idNumber(bp, day int, sex ident.Sex) (string, int) {
	ns := birthplaces[bp].counties
	span := g.nowDay - g.minDay + 1
	for {
		i := ((bp*span+day-g.minDay)*2 + int(sex) - 1)
		c := int(g.idSlots[i])
		if c < ns*100 {
			g.idSlots[i]++
			h := int(mix(uint64(day), uint64(bp*2)+uint64(sex)) % uint64(ns*100))
			county := (c + h) % ns
			seq := (c/ns + h/ns) % 100
			return string(ident.MakeID(regionCodes[bp][county], dayTime(day), seq, sex)), day
		}
		day--
	}
}

// birthDay draws a birth day (days since 1970) for someone aged a today.
func (g *generator) birthDay(a int) int {
	k := 1 + g.r.IntN(364) // never today: no birthday falls on it
	return int(g.today.AddDate(-a, 0, -k).Unix() / 86400)
}

var ethnicities = [...]string{"汉族", "回族", "满族", "蒙古族"}

func ethnicity(r *rand.Rand) string {
	switch x := r.IntN(1000); {
	case x < 984:
		return ethnicities[0]
	case x < 992:
		return ethnicities[1]
	case x < 997:
		return ethnicities[2]
	}
	return ethnicities[3]
}

func employment(r *rand.Rand, age int, sex ident.Sex, floating bool) string {
	x := r.IntN(100)
	switch {
	case age < 6:
		return wangge.EmployOther
	case age < 18:
		return wangge.EmployStudent
	case age < 23:
		switch {
		case floating && x < 85 || !floating && x >= 65 && x < 93:
			return wangge.EmployEmployed
		case x < 65:
			return wangge.EmployStudent
		case x < 97:
			return wangge.EmployUnemployed
		}
		return wangge.EmployOther
	case age < 60:
		if sex == ident.SexFemale && age >= 50 && !floating && x < 55 {
			return wangge.EmployRetired
		}
		switch x = r.IntN(100); {
		case x < 4:
			return wangge.EmployUnemployed
		case x < 11:
			return wangge.EmployOther
		}
		return wangge.EmployEmployed
	}
	if x < 88 {
		return wangge.EmployRetired
	}
	return wangge.EmployOther
}

// household generates one household in building b with its persons and
// key-group memberships.
func (g *generator) household(gp *gridPlan, b *wangge.Building, st *buildingStat, rm room, seq int, created time.Time) {
	r := g.r
	c := drawComp(g.comp)
	var fam [8]member
	n := family(r, c, &fam)

	kind := wangge.ResidentRegistered
	switch {
	case c.floating():
		kind = wangge.ResidentFloating
	case c.absent:
		kind = wangge.ResidentAbsent
	}
	g.ids.household++
	h := &wangge.Household{
		ID: g.ids.household, BuildingID: b.ID, GridCode: gp.code,
		Entrance: rm.entrance, Room: rm.room, Number: householdNumber(gp.code, seq), Kind: kind,
		Version: 1, CreatedAt: created, UpdatedAt: created,
	}
	g.households = append(g.households, h)

	hc := hhContext{comp: c, n: n, created: created, allElderly: true}
	hc.bp = -1
	if c.floating() {
		hc.bp = floatingBirthplace(r)
		hc.arrived = g.nowDay - 1 - r.IntN(8*365)
	}
	for i := range n {
		if fam[i].age < 60 {
			hc.allElderly = false
		}
	}
	eth := ethnicity(r)
	info := householdInfo{id: h.ID, floating: c.floating(), absent: c.absent}
	info.alone = n == 1 && hc.allElderly
	var head *wangge.Person
	for i := range n {
		m := &fam[i]
		p := g.person(gp, h, m, &hc, eth, created)
		if i == 0 {
			head = p
		}
		if h.Phone == "" && p.Phone != "" {
			h.Phone = p.Phone
		}
		if m.age >= 60 {
			info.elderly = true
		}
		if m.age >= 18 {
			if st.anyAdult == nil {
				st.anyAdult = p
			}
			if p.Phone != "" && m.age >= 35 && m.age <= 75 && kind != wangge.ResidentAbsent {
				st.candidates++
				if r.IntN(st.candidates) == 0 {
					st.head = p
				}
			}
		}
		g.personGroups(gp, p, m, &hc, &info)
	}
	g.householdGroups(gp, head, &fam[0], &hc, &info)
	g.hinfo = append(g.hinfo, info)
}

// hhContext is what a household's persons share.
type hhContext struct {
	comp       comp
	n          int
	created    time.Time
	allElderly bool
	bp         int // birthplace of a floating household, else -1
	arrived    int // day a floating household arrived
	severe     bool
}

func (g *generator) person(gp *gridPlan, h *wangge.Household, m *member, hc *hhContext, eth string, created time.Time) *wangge.Person {
	r := g.r
	bp := hc.bp
	if bp < 0 {
		bp = localBirthplace(r)
	}
	id, day := g.idNumber(bp, g.birthDay(m.age), m.sex)
	birth := dayTime(day)
	g.ids.person++
	p := &wangge.Person{
		ID: g.ids.person, HouseholdID: h.ID, GridCode: gp.code,
		Name:     personName(r, sexIdx(m.sex), birth.Year(), m.surname),
		IDNumber: id, Relation: m.rel, Kind: h.Kind, Ethnicity: eth,
		Employment: employment(r, m.age, m.sex, hc.comp.floating()),
		BirthDate:  birth, Sex: m.sex,
		Version: 1, CreatedAt: created, UpdatedAt: created,
	}
	if m.age >= 18 {
		pp := 87
		if m.age >= 80 {
			pp = 55
		}
		if r.IntN(100) < pp {
			p.Phone = mobile(r)
		}
		party := 5
		switch {
		case m.age >= 60:
			party = 10
		case m.age >= 30:
			party = 7
		}
		p.Party = r.IntN(100) < party
	}
	if j := birth.Add(10 * time.Hour); created.Before(j) {
		p.CreatedAt, p.UpdatedAt = j, j
	}
	g.persons = append(g.persons, p)
	return p
}

// householdNumber is the community's own household number: the grid code and
// a 4-digit sequence, unique in the district.
func householdNumber(grid string, seq int) string {
	var b [wangge.GridCodeLen + 4]byte
	copy(b[:], grid)
	for i := len(b) - 1; i >= wangge.GridCodeLen; i-- {
		b[i] = byte('0' + seq%10)
		seq /= 10
	}
	return string(b[:])
}

// Room labels, made once.
var (
	entranceLabels = func() (out [7]string) {
		for i := range out {
			out[i] = strconv.Itoa(i)
		}
		return out
	}()
	roomLabels = func() (out [19][5]string) {
		for f := 1; f < 19; f++ {
			for u := 1; u < 5; u++ {
				out[f][u] = strconv.Itoa(f*100 + u)
			}
		}
		return out
	}()
	courtyardLabels = func() (out []string) {
		dirs := [4]string{"东", "西", "南", "北"}
		for i := range 400 {
			out = append(out, dirs[i%4]+strconv.Itoa(i/4+1))
		}
		return out
	}()
)

// layBuildings draws the grid's buildings and the rooms of their households.
func (g *generator) layBuildings(gp *gridPlan, cp *commPlan) {
	r := g.r
	nb, total := gp.buildings, gp.households
	pCourt := 8
	if cp.oldTown {
		pCourt = 30
	}
	g.buildings = g.buildings[:0]
	if cap(g.bstats) < nb {
		g.bstats = make([]buildingStat, nb)
	}
	g.bstats = g.bstats[:nb]
	var weights [16]float64
	var courts [16]bool
	sum := 0.0
	for i := range nb {
		courts[i] = r.IntN(100) < pCourt
		if courts[i] {
			weights[i] = 0.3 + 0.4*r.Float64()
		} else {
			weights[i] = 0.8 + 0.8*r.Float64()
		}
		sum += weights[i]
	}
	// Households per building, by largest remainder so they add up.
	var share [16]int
	left := total
	for i := range nb {
		share[i] = max(int(float64(total)*weights[i]/sum), 1)
		left -= share[i]
	}
	for i := 0; left > 0; i = (i + 1) % nb {
		share[i]++
		left--
	}
	for i := 0; left < 0; i = (i + 1) % nb {
		if share[i] > 1 {
			share[i]--
			left++
		}
	}

	cols := int(math.Ceil(math.Sqrt(float64(nb))))
	rows := (nb + cols - 1) / cols
	w := (gp.rect.MaxLng - gp.rect.MinLng) / float64(cols)
	hgt := (gp.rect.MaxLat - gp.rect.MinLat) / float64(rows)
	lane := lanes[r.IntN(len(lanes))]
	street := gp.addrStreets[r.IntN(len(gp.addrStreets))]
	number := 1 + r.IntN(60)
	towers := 0
	for i := range nb {
		g.ids.building++
		b := &wangge.Building{
			ID: g.ids.building, GridCode: gp.code, Seq: i + 1,
			Lng:     gp.rect.MinLng + w*(float64(i%cols)+0.15+0.7*r.Float64()),
			Lat:     gp.rect.MaxLat - hgt*(float64(i/cols)+0.15+0.7*r.Float64()),
			Version: 1, CreatedAt: g.setup, UpdatedAt: g.setup,
		}
		number += 1 + r.IntN(6)
		st := &g.bstats[i]
		*st = buildingStat{rooms: st.rooms[:0]}
		if courts[i] {
			b.Kind, b.Floors = wangge.BuildingCourtyard, 1
			b.Name = lane + strconv.Itoa(number) + "号院"
			b.Address = b.Name
			for k := range share[i] {
				st.rooms = append(st.rooms, room{room: courtyardLabels[k%len(courtyardLabels)]})
			}
		} else {
			towers++
			b.Kind = wangge.BuildingTower
			b.Name = strconv.Itoa(towers) + "号楼"
			b.Address = street + strconv.Itoa(number) + "号" + b.Name
			st.rooms = towerRooms(r, b, share[i], st.rooms)
		}
		g.buildings = append(g.buildings, b)
	}
}

// towerRooms sizes a tower for n households and picks their rooms: each
// stairwell serves two (sometimes three or four) flats a floor, and a few
// flats stand empty.
func towerRooms(r *rand.Rand, b *wangge.Building, n int, out []room) []room {
	per := 2
	switch x := r.IntN(10); {
	case x == 0:
		per = 4
	case x < 3:
		per = 3
	}
	floors := 5 + r.IntN(3)
	if n > 30 {
		if r.IntN(2) == 0 {
			floors = 6
		} else {
			floors = 5 + r.IntN(14)
		}
	}
	need := int(float64(n)*1.08) + 1 // room for empty flats
	ent := (need + floors*per - 1) / (floors * per)
	if ent > 6 {
		ent = 6
		floors = (need + ent*per - 1) / (ent * per)
		for floors > 18 && per < 4 {
			per++
			floors = (need + ent*per - 1) / (ent * per)
		}
		floors = min(floors, 18)
	}
	ent = max(ent, 1)
	b.Floors, b.Entrances = floors, ent
	capacity := floors * ent * per
	// Selection sampling: n of capacity rooms, in order.
	left := min(n, capacity)
	for e := 1; e <= ent; e++ {
		for f := 1; f <= floors; f++ {
			for u := 1; u <= per; u++ {
				if r.IntN(capacity) < left {
					out = append(out, room{entrance: entranceLabels[e], room: roomLabels[f][u]})
					left--
				}
				capacity--
			}
		}
	}
	return out
}
