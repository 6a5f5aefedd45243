package http

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wangge/wangge"
)

// The authorization matrix's meetings: one of grid A, inside every role's
// scope, and one of the neighbouring district's grid, outside them all.
// The record's target reads the meeting's version when the request is
// made, as a page would have shown it.
var matrixMeeting struct {
	store   meetingKeeper
	in, out int64
}

type meetingKeeper interface {
	CreateMeeting(ctx context.Context, s wangge.Scope, m *wangge.Meeting) error
	Meeting(ctx context.Context, s wangge.Scope, id int64) (*wangge.Meeting, error)
}

// plantMatrixMeetings schedules the matrix's two meetings.
func plantMatrixMeetings(t *testing.T, f *fixture) {
	t.Helper()
	mk, ok := f.store.(meetingKeeper)
	if !ok {
		t.Fatal("the fixture's store keeps no meetings")
	}
	ctx := context.Background()
	var ids []int64
	for _, m := range []*wangge.Meeting{
		{AreaCode: gridA, At: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), Title: "权限矩阵例会"},
		{AreaCode: "140498001001001", At: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), Title: "邻区例会"},
	} {
		if err := mk.CreateMeeting(ctx, wangge.ScopeAll(), m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	matrixMeeting.store, matrixMeeting.in, matrixMeeting.out = mk, ids[0], ids[1]
}

// meetingPath puts the matrix's meeting in (or out of scope) into path.
func meetingPath(path string, outside bool) string {
	id := matrixMeeting.in
	if outside {
		id = matrixMeeting.out
	}
	return strings.ReplaceAll(path, "{meeting}", strconv.FormatInt(id, 10))
}

func meetingGet(path string, outside bool) target {
	return func(o objects) (string, string, url.Values) { return "GET", meetingPath(path, outside), nil }
}

func meetingPost(path string, form url.Values, outside bool) target {
	return func(o objects) (string, string, url.Values) {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if m, err := matrixMeeting.store.Meeting(context.Background(), wangge.ScopeAll(), map[bool]int64{false: matrixMeeting.in, true: matrixMeeting.out}[outside]); err == nil {
			f.Set("version", strconv.Itoa(m.Version))
		}
		return "POST", meetingPath(path, outside), f
	}
}

// meetingKeepers are the matrix users whose roles keep meetings; the
// assistant reads them.
const meetingKeepers = "admin m.jiedao dongyuan"

// The meeting pages' entries, added to the matrix.
func init() {
	record := url.Values{"at": {"2026-03-02T15:00"}, "title": {"权限矩阵例会"}, "minutes": {"权限矩阵记录"}}
	// A decision following up the matrix's case (in grid A, seen by every
	// keeper); the same token each time, so a repeat is the same decision.
	decide := url.Values{"text": {"权限矩阵决定"}, "case": {"{case}"}, "token": {strings.Repeat("7", 32)}}
	decideTarget := func(outside bool) target {
		return func(o objects) (string, string, url.Values) {
			f := url.Values{}
			for k, v := range decide {
				f[k] = v
			}
			f.Set("case", matrixCase.number)
			return "POST", meetingPath("/meetings/{meeting}/decisions", outside), f
		}
	}
	for pattern, m := range map[string]matrixRoute{
		"GET /meetings": {allow: peopleRoles, in: get("/meetings")},
		// Out of scope, an area is a field the form refuses (400), which the
		// pages' tests pin; it has no out target here.
		"POST /meetings":                {allow: meetingKeepers, in: post("/meetings", url.Values{"area": {gridA}, "at": {"2026-03-09T15:00"}, "title": {"权限矩阵安排"}})},
		"GET /meetings/{id}":            {allow: peopleRoles, in: meetingGet("/meetings/{meeting}", false), out: meetingGet("/meetings/{meeting}", true)},
		"GET /meetings/{id}/print":      {allow: peopleRoles, in: meetingGet("/meetings/{meeting}/print", false), out: meetingGet("/meetings/{meeting}/print", true)},
		"POST /meetings/{id}":           {allow: meetingKeepers, in: meetingPost("/meetings/{meeting}", record, false), out: meetingPost("/meetings/{meeting}", record, true)},
		"POST /meetings/{id}/decisions": {allow: meetingKeepers, in: decideTarget(false), out: decideTarget(true)},
		"POST /meetings/{id}/next":      {allow: meetingKeepers, in: meetingPost("/meetings/{meeting}/next", nil, false), out: meetingPost("/meetings/{meeting}/next", nil, true)},
	} {
		authzMatrix[pattern] = m
	}
}
