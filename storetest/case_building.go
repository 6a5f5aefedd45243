package storetest

import (
	"slices"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

var caseBuildingTests = []test{
	{"BuildingHeadSeesHisBuildingsOpenCasesPublicFactsOnly", testBuildingOpenCases},
}

// testBuildingOpenCases pins the building head's narrow read: the
// buildings his account heads now (by his name in his grid), and of the
// open cases located there only the public facts, whoever reported them;
// nothing of another building, another grid, a closed case, or of a
// building whose head he no longer is.
func testBuildingOpenCases(t *testing.T, e *env) {
	f := e.fixture()
	head, other := caseActors["head_a1"], caseActors["head_a1b"]
	third := e.building(GridA1, "东苑3号楼")
	ok(t, e.db.SetBuildingHead(e.ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: head.Name, Phone: "13900002222"}))
	ok(t, e.db.SetBuildingHead(e.ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: third.ID, Name: other.Name}))
	// The same name heading a building of another grid is another person.
	ok(t, e.db.SetBuildingHead(e.ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA2.ID, Name: head.Name}))

	at := func(d casework.Draft, b *wangge.Building) casework.Draft {
		d.Location = casework.Location{GridCode: b.GridCode, BuildingID: b.ID}
		return d
	}
	byAssistant := e.newCase(t, "assistant_a1", at(caseDraft(GridA1, casework.Coordination, "P02", "the stair rail of 101 is loose"), f.BA1))
	headDraft := at(caseDraft(GridA1, casework.Coordination, "P01", "rubbish at the gate"), f.BA1)
	headDraft.Source = casework.SourcePhone
	byHead := e.newCase(t, "head_a1", headDraft)
	closed := e.newCase(t, "assistant_a1", at(caseDraft(GridA1, casework.General, "P14", "a bulb changed"), f.BA1))
	closed = e.step(t, "assistant_a1", closed, casework.Action{Name: casework.ActFeedback, Channel: casework.ChannelPhone, Note: "done"})
	e.step(t, "assistant_a1", closed, casework.Action{Name: casework.ActClose})
	inThird := e.newCase(t, "assistant_a1", at(caseDraft(GridA1, casework.Coordination, "P10", "noise at night"), third))
	inOtherGrid := e.newCase(t, "assistant_a2", at(caseDraft(GridA2, casework.Coordination, "P02", "a broken door"), f.BA2))
	e.newCase(t, "assistant_a1", caseDraft(GridA1, casework.Coordination, "P01", "no building named"))

	numbers := func(cs []casework.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Number)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		who       string
		buildings []int64
		cases     []string
	}{
		{"head_a1", []int64{f.BA1.ID}, []string{byAssistant.Number, byHead.Number}},
		{"head_a1b", []int64{third.ID}, []string{inThird.Number}},
		// The read is the building head's: other roles have their own.
		{"assistant_a1", nil, nil},
		{"community_a", nil, nil},
		{"district", nil, nil},
	} {
		a := caseActors[tc.who]
		bs, err := e.db.HeadedBuildings(e.ctx, a)
		ok(t, err, tc.who, " HeadedBuildings")
		var ids []int64
		for _, b := range bs {
			ids = append(ids, b.ID)
		}
		if !slices.Equal(ids, tc.buildings) {
			t.Errorf("%s heads %v, want %v", tc.who, ids, tc.buildings)
		}
		cs, err := e.db.BuildingOpenCases(e.ctx, a)
		ok(t, err, tc.who, " BuildingOpenCases")
		want := slices.Clone(tc.cases)
		slices.Sort(want)
		if got := numbers(cs); !slices.Equal(got, want) {
			t.Errorf("%s sees %v, want %v (not %s of another grid)", tc.who, got, want, inOtherGrid.Number)
		}
		for _, c := range cs {
			if c.Description != "" || c.Reporter != (casework.Reporter{}) || len(c.Events) > 0 || c.Receiver != nil || len(c.Feedback) > 0 {
				t.Errorf("%s: case %s carries more than its public facts: %+v", tc.who, c.Number, c)
			}
			if c.State == "" || c.Category.Code == "" || c.Location.BuildingID == 0 || c.CreatedAt.IsZero() || c.Version == 0 {
				t.Errorf("%s: case %s lacks a public fact: %+v", tc.who, c.Number, c)
			}
			if c.Running() == nil || c.Running().Due.IsZero() {
				t.Errorf("%s: case %s (%s) has no running deadline", tc.who, c.Number, c.State)
			}
		}
	}

	// A new head's term ends his sight of the building, at once.
	ok(t, e.db.SetBuildingHead(e.ctx, wangge.ScopeAll(), &wangge.BuildingHead{BuildingID: f.BA1.ID, Name: "新楼长"}))
	cs, err := e.db.BuildingOpenCases(e.ctx, head)
	ok(t, err)
	if len(cs) != 0 {
		t.Errorf("a former head still sees %v", numbers(cs))
	}
	bs, err := e.db.HeadedBuildings(e.ctx, head)
	ok(t, err)
	if len(bs) != 0 {
		t.Errorf("a former head still heads %d buildings", len(bs))
	}
	// An account without a name or out of a grid links to nothing.
	for _, a := range []casework.Actor{
		{UserID: head.UserID, Role: wangge.RoleBuildingHead, ScopeCode: GridA1},
		{UserID: head.UserID, Name: other.Name, Role: wangge.RoleBuildingHead, ScopeCode: CommunityA},
	} {
		if cs, err := e.db.BuildingOpenCases(e.ctx, a); err != nil || len(cs) != 0 {
			t.Errorf("%+v sees %v (%v)", a, numbers(cs), err)
		}
	}
}
