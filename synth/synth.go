// Package synth generates a deterministic synthetic district for the demo,
// tests and benchmarks: areas, buildings, households, persons, resident
// units, assistants, key groups, visits and accounts.
//
// Nothing in it is real personal data. The district is invented: its code
// 140499 uses Changzhi's prefix 1404 with the county number 99, which no real
// county has, and it is called 示范城区. Birthplaces in ID numbers are counties
// of prefectures that do not exist (1499xx for locals, 1498xx for other
// Shanxi, xx99xx for other provinces), so every ID number is valid under
// GB 11643 (real dates, correct check digit) yet clearly belongs to nobody.
// Mobile numbers are random numbers with the prefix 199; landlines use
// Changzhi's area code 0355 with random local numbers. Names are random
// combinations of common surnames and given-name characters.
//
// The same Config always yields the same calls in the same order: every part
// draws from its own PCG stream seeded from Config.Seed, and no map is
// iterated.
package synth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/wangge/wangge"
)

// Config selects the district to generate.
type Config struct {
	Seed int64
	// Scale 1 is the full district of 50 communities in 6 sub-districts;
	// the number of communities is max(1, round(50*Scale)) and everything
	// else follows from it (0.02 gives one community of 6–10 grids).
	Scale float64
	// Now is "today" for ages, dates and the year of visits. The zero value
	// means the current date (UTC); tests pass a fixed value.
	Now time.Time
}

// Result counts what Generate wrote and lists the accounts it created.
type Result struct {
	Subdistricts, Communities, Grids, Buildings, Households, Persons int
	Units, Assistants, Memberships, Visits, Users                    int

	// Accounts are the logins created, with their passwords.
	Accounts []Account

	// cases is what GenerateCases draws the year's cases from: the
	// visits, residents and actors of every grid.
	cases *caseSources
}

// Account is a login created by Generate, with its password in clear so that
// the demo can print it.
type Account struct {
	// ID is the user's id as Generate wrote it (ids start at 1).
	ID                 int64
	Username, Password string
	Role               wangge.Role
	ScopeCode          string
	Line               wangge.Line
}

// Generate streams the district into b, grid by grid, assigning ids from 1 in
// each table. It does not call b.Commit or b.Rollback: the caller does.
//
// hash hashes passwords for User.PasswordHash. adminPassword is the password
// of the account "admin"; when it is empty a random one is drawn from
// crypto/rand (so pass one when byte-identical output matters). The other
// accounts' passwords are drawn from the seed. progress, when not nil, is
// called now and then with the number of persons written and the total.
func Generate(cfg Config, b wangge.Bulk, adminPassword string, hash func(string) string, progress func(done, total int)) (*Result, error) {
	if b == nil || hash == nil {
		return nil, errors.New("synth: Generate needs a Bulk and a hash function")
	}
	g := newGenerator(cfg, b)
	if err := g.run(adminPassword, hash, progress); err != nil {
		return nil, err
	}
	return &g.res, nil
}

// generator holds the state of one Generate call.
type generator struct {
	cfg   Config
	plan  *plan
	b     wangge.Bulk
	res   Result
	today time.Time
	// Days since 1970-01-01 of today, and of the earliest birth date.
	nowDay, minDay int
	// setup is when the system was set up: areas were created then.
	setup time.Time

	// idSlots counts ID numbers issued per (birthplace, birth day, sex); see
	// idNumber.
	idSlots []uint16

	// ids holds the last id used in each table.
	ids struct {
		building, household, person, unit, assistant, assignment, head, membership, visit, user int64
	}

	detailSrc, compSrc rand.PCG
	r, comp            *rand.Rand

	// Scratch for the grid being generated; the rows themselves are fresh
	// allocations because a Bulk may keep the pointers until Commit.
	buildings  []*wangge.Building
	bstats     []buildingStat
	households []*wangge.Household
	hinfo      []householdInfo
	persons    []*wangge.Person
	heads      []*wangge.BuildingHead
	members    []*wangge.Membership
	units      []*wangge.Unit
	visits     []*wangge.Visit
	unitNames  map[string]bool
	creditSeen map[string]bool

	firstGridAssistant     int64
	firstGridAssistantName string
	firstGridHeadName      string
	lastAssistantName      string
}

// buildingStat tracks a building's households and its head candidate.
type buildingStat struct {
	rooms      []room
	candidates int
	head       *wangge.Person
	anyAdult   *wangge.Person
}

type room struct{ entrance, room string }

// householdInfo is what visits need to know about a household.
type householdInfo struct {
	id                            int64
	alone, special, aid, floating bool
	absent, disabled, elderly     bool
}

func newGenerator(cfg Config, b wangge.Bulk) *generator {
	g := &generator{cfg: cfg, b: b}
	g.today = today(cfg)
	g.nowDay = int(g.today.Unix() / 86400)
	g.minDay = g.nowDay - 106*366
	g.setup = g.today.AddDate(-3, 0, 0).Add(time.Hour) // 09:00 in Beijing
	g.plan = newPlan(cfg)
	g.res.cases = &caseSources{seed: cfg.Seed, today: g.today, plan: g.plan}
	g.r = rand.New(&g.detailSrc)
	g.comp = rand.New(&g.compSrc)
	g.idSlots = make([]uint16, len(birthplaces)*(g.nowDay-g.minDay+1)*2)
	g.unitNames = map[string]bool{}
	g.creditSeen = map[string]bool{}
	return g
}

func (g *generator) run(adminPassword string, hash func(string) string, progress func(done, total int)) error {
	if err := g.areas(); err != nil {
		return err
	}
	total := 0
	if progress != nil {
		for i := range g.plan.grids {
			total += g.plannedPersons(&g.plan.grids[i])
		}
		progress(0, total)
	}
	for i := range g.plan.grids {
		if err := g.grid(&g.plan.grids[i]); err != nil {
			return err
		}
		if progress != nil {
			progress(g.res.Persons, total)
		}
	}
	return g.users(adminPassword, hash)
}

// plannedPersons replays a grid's composition stream to count its persons.
func (g *generator) plannedPersons(gp *gridPlan) int {
	g.seedGrid(gp)
	n := 0
	for range gp.households {
		n += drawComp(g.comp).size()
	}
	return n
}

func (g *generator) seedGrid(gp *gridPlan) {
	g.compSrc.Seed(mix(gp.seed, streamComposition), mix(gp.seed, streamComposition<<8))
	g.detailSrc.Seed(mix(gp.seed, streamDetail), mix(gp.seed, streamDetail<<8))
}

func wrap(what string, id any, err error) error {
	return fmt.Errorf("synth: %s %v: %w", what, id, err)
}

// areas writes the district, sub-districts, communities and grids, parents
// before children.
func (g *generator) areas() error {
	r := newRand(g.cfg.Seed, streamLayout, 1)
	area := func(code, name string, level wangge.Level, rect Rect, address, phone, service string) error {
		a := &wangge.Area{
			Code: code, Name: name, Level: level, ParentCode: wangge.ParentCode(code),
			Address: address, Phone: phone, ServiceArea: service,
			Version: 1, CreatedAt: g.setup, UpdatedAt: g.setup,
		}
		if err := g.b.Area(a); err != nil {
			return wrap("area", code, err)
		}
		b := &wangge.Boundary{AreaCode: code, Version: 1, GeoJSON: rect.GeoJSON(), ValidFrom: g.setup, CreatedAt: g.setup}
		if err := g.b.Boundary(b); err != nil {
			return wrap("boundary", code, err)
		}
		return nil
	}
	if err := area(DistrictCode, DistrictName, wangge.LevelDistrict, districtBox, DistrictName+"政务服务中心（和平街1号）", landline(r), ""); err != nil {
		return err
	}
	for _, s := range g.plan.subdistricts {
		if err := area(s.code, s.name, wangge.LevelSubdistrict, s.rect, address(r), landline(r), ""); err != nil {
			return err
		}
		g.res.Subdistricts++
	}
	for _, c := range g.plan.communities {
		if err := area(c.code, c.name, wangge.LevelCommunity, c.rect, address(r)+c.name+"党群服务中心", landline(r), ""); err != nil {
			return err
		}
		g.res.Communities++
	}
	for _, gp := range g.plan.grids {
		service := "东至" + gp.streets[0] + "，西至" + gp.streets[1] + "，南至" + gp.streets[2] + "，北至" + gp.streets[3] +
			"；辖" + strconv.Itoa(gp.buildings) + "个楼院，约" + strconv.Itoa(gp.households) + "户"
		if err := area(gp.code, gp.name, wangge.LevelGrid, gp.rect, "", "", service); err != nil {
			return err
		}
		g.res.Grids++
	}
	return nil
}

// grid writes one grid: its assistants, buildings, households, persons,
// building heads, key-group memberships, units and visits, in that order.
func (g *generator) grid(gp *gridPlan) error {
	g.seedGrid(gp)
	cp := &g.plan.communities[gp.comm]
	assistant, err := g.assistants(gp)
	if err != nil {
		return err
	}
	if g.firstGridAssistant == 0 {
		g.firstGridAssistant, g.firstGridAssistantName = assistant, g.lastAssistantName
	}
	g.layBuildings(gp, cp)
	g.households, g.hinfo, g.persons, g.heads, g.members = g.households[:0], g.hinfo[:0], g.persons[:0], g.heads[:0], g.members[:0]
	// The grid's households were entered on one day within the
	// first two years, from 09:00 Beijing time on.
	created := g.setup.AddDate(0, 0, g.r.IntN(700))
	seq := 0
	for bi, b := range g.buildings {
		st := &g.bstats[bi]
		for _, rm := range st.rooms {
			seq++
			g.household(gp, b, st, rm, seq, created.Add(time.Duration(seq)*83*time.Second))
		}
	}
	g.chooseHeads(gp)
	g.layUnits(gp, cp, created)
	g.layVisits(gp, assistant)
	g.keepCaseSources(gp)

	for _, b := range g.buildings {
		if err := g.b.Building(b); err != nil {
			return wrap("building", b.ID, err)
		}
	}
	for _, h := range g.households {
		if err := g.b.Household(h); err != nil {
			return wrap("household", h.ID, err)
		}
	}
	for _, p := range g.persons {
		if err := g.b.Person(p); err != nil {
			return wrap("person", p.ID, err)
		}
	}
	for _, h := range g.heads {
		if err := g.b.BuildingHead(h); err != nil {
			return wrap("building head", h.ID, err)
		}
	}
	for _, m := range g.members {
		if err := g.b.Membership(m); err != nil {
			return wrap("membership", m.ID, err)
		}
	}
	for _, u := range g.units {
		if err := g.b.Unit(u); err != nil {
			return wrap("unit", u.ID, err)
		}
	}
	for _, v := range g.visits {
		if err := g.b.Visit(v); err != nil {
			return wrap("visit", v.ID, err)
		}
	}
	g.res.Buildings += len(g.buildings)
	g.res.Households += len(g.households)
	g.res.Persons += len(g.persons)
	g.res.Memberships += len(g.members)
	g.res.Units += len(g.units)
	g.res.Visits += len(g.visits)
	// Let the rows go: the Bulk owns them now.
	clear(g.buildings)
	clear(g.households)
	clear(g.persons)
	clear(g.heads)
	clear(g.members)
	clear(g.units)
	clear(g.visits)
	return nil
}

// assistants writes the grid's current assistant and, for about one grid in
// ten, the previous one, with their terms. It returns the current one's id.
func (g *generator) assistants(gp *gridPlan) (int64, error) {
	r := g.r
	from := g.today.AddDate(0, 0, -(366 + r.IntN(4*365))).Add(time.Hour) // 09:00 in Beijing
	if r.IntN(10) == 0 {
		prevFrom := from.AddDate(0, 0, -(365 + r.IntN(3*365)))
		to := from
		id, err := g.assistant(gp, false, prevFrom)
		if err != nil {
			return 0, err
		}
		if err := g.assignment(id, gp.code, prevFrom, &to, "调任其他岗位"); err != nil {
			return 0, err
		}
	}
	id, err := g.assistant(gp, true, from)
	if err != nil {
		return 0, err
	}
	return id, g.assignment(id, gp.code, from, nil, "")
}

func (g *generator) assistant(gp *gridPlan, active bool, from time.Time) (int64, error) {
	r := g.r
	sex := "F"
	s := femaleIdx
	if r.IntN(4) == 0 {
		sex, s = "M", maleIdx
	}
	g.ids.assistant++
	work := mobile(r)
	if r.IntN(3) == 0 {
		work = landline(r)
	}
	a := &wangge.Assistant{
		ID: g.ids.assistant, Name: personName(r, s, g.today.Year()-25-r.IntN(25), surnames[r.IntN(len(surnames))]),
		Sex: sex, WorkPhone: work, Phone: mobile(r), Active: active,
		Version: 1, CreatedAt: from, UpdatedAt: from,
	}
	if err := g.b.Assistant(a); err != nil {
		return 0, wrap("assistant", a.ID, err)
	}
	g.res.Assistants++
	g.lastAssistantName = a.Name
	return a.ID, nil
}

func (g *generator) assignment(assistant int64, grid string, from time.Time, to *time.Time, note string) error {
	g.ids.assignment++
	as := &wangge.Assignment{ID: g.ids.assignment, AssistantID: assistant, GridCode: grid, From: from, To: to, Note: note}
	if err := g.b.Assignment(as); err != nil {
		return wrap("assignment", as.ID, err)
	}
	return nil
}

// chooseHeads names one current head per building: a resident with a phone
// aged 35–75 where there is one, else any adult resident.
func (g *generator) chooseHeads(gp *gridPlan) {
	for bi, b := range g.buildings {
		st := &g.bstats[bi]
		p := st.head
		if p == nil {
			p = st.anyAdult
		}
		g.ids.head++
		h := &wangge.BuildingHead{
			ID: g.ids.head, BuildingID: b.ID, GridCode: gp.code,
			From:    g.today.AddDate(0, 0, -(30 + g.r.IntN(6*365))).Add(time.Hour),
			Version: 1,
		}
		if p != nil {
			id := p.ID
			h.PersonID, h.Name, h.Phone = &id, p.Name, p.Phone
		}
		if h.Name == "" {
			h.Name = personName(g.r, femaleIdx, 1965, surnames[g.r.IntN(len(surnames))])
		}
		if h.Phone == "" {
			h.Phone = mobile(g.r)
		}
		g.heads = append(g.heads, h)
		if g.firstGridHeadName == "" {
			g.firstGridHeadName = h.Name
		}
	}
}

// mobile returns a random mobile number with the prefix 199.
func mobile(r *rand.Rand) string {
	var b [11]byte
	b[0], b[1], b[2] = '1', '9', '9'
	x := r.Uint64()
	for i := 3; i < 11; i++ {
		b[i] = byte('0' + x%10)
		x /= 10
	}
	return string(b[:])
}

// landline returns a random Changzhi landline number, 0355-2xxxxxx.
func landline(r *rand.Rand) string {
	var b [12]byte
	copy(b[:], "0355-2")
	x := r.Uint64()
	for i := 6; i < 12; i++ {
		b[i] = byte('0' + x%10)
		x /= 10
	}
	return string(b[:])
}

// address returns an invented street address.
func address(r *rand.Rand) string {
	return streets[r.IntN(len(streets))] + strconv.Itoa(1+r.IntN(300)) + "号"
}

// dateString formats a day number (days since 1970-01-01) as YYYY-MM-DD.
func dateString(day int) string {
	y, m, d := dayTime(day).Date()
	var b [10]byte
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4] = '-'
	b[5], b[6] = byte('0'+int(m)/10), byte('0'+int(m)%10)
	b[7] = '-'
	b[8], b[9] = byte('0'+d/10), byte('0'+d%10)
	return string(b[:])
}

// dayTime returns midnight UTC of a day number.
func dayTime(day int) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }
