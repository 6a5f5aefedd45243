package http

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge/wangge"
	"github.com/wangge/wangge/casework"
)

// The authorization matrix's case: one every role that works cases sees
// (in grid A, of the civil line, reported by the matrix's building head),
// with a contact to reveal and a photo to fetch. Its routes' targets read
// it when the request is made, so a transition's form carries the version
// as it is then.
var matrixCase struct {
	store      casework.Store
	reporter   casework.Actor // who registered it; numbers repeat across districts, so the case is read as him
	number     string
	attachment int64
}

// outsideCase is a number no case has: a case out of sight reads the same.
const outsideCase = "2026-999999"

// plantMatrixCase registers the matrix's case as m.louyuanzhang.
func plantMatrixCase(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	cs, ok := f.store.(casework.Store)
	if !ok {
		t.Fatal("the fixture's store keeps no cases")
	}
	head, err := f.store.UserByUsername(ctx, "m.louyuanzhang")
	if err != nil {
		t.Fatal(err)
	}
	var cat casework.Category
	for _, c := range casework.ProblemTypes {
		if c.Line == wangge.LineCivil {
			cat = c
		}
	}
	c, err := cs.CreateCase(ctx, casework.ActorOf(head), casework.Draft{Source: casework.SourceVisit, Category: cat,
		Mechanism: casework.Coordination, Location: casework.Location{GridCode: gridA}, Description: "权限矩阵案件",
		Reporter: casework.Reporter{Name: "矩阵", Contact: "13800001234"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	at, err := cs.AttachToCase(ctx, casework.ActorOf(head), c.Number, "matrix.png", []byte(matrixPNG))
	if err != nil {
		t.Fatal(err)
	}
	matrixCase.store, matrixCase.reporter, matrixCase.number, matrixCase.attachment = cs, casework.ActorOf(head), c.Number, at.ID
}

// matrixPNG is a small photo to upload.
var matrixPNG = func() string {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		panic(err)
	}
	return b.String()
}()

// casePath fills {case} with the matrix's case and {attachment} with its
// photo.
func casePath(path string) string {
	return strings.NewReplacer("{case}", matrixCase.number, "{attachment}", strconv.FormatInt(matrixCase.attachment, 10)).Replace(path)
}

func caseGet(path string) target {
	return func(o objects) (string, string, url.Values) { return "GET", o.expand(casePath(path)), nil }
}

func casePost(path string, form url.Values) target {
	return func(o objects) (string, string, url.Values) { return "POST", o.expand(casePath(path)), form }
}

// caseUpload posts a photo to a case's path.
func caseUpload(path string) target {
	up := upload(path, nil, "file", "photo.png", matrixPNG)
	return func(o objects) (string, string, url.Values) {
		m, p, f := up(o)
		return m, casePath(p), f
	}
}

// caseTransition posts an action at the version the case has now.
func caseTransition(path string, form url.Values) target {
	return func(o objects) (string, string, url.Values) {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if c, err := matrixCase.store.Case(context.Background(), matrixCase.reporter, matrixCase.number); err == nil {
			f.Set("version", strconv.Itoa(c.Version))
		}
		return "POST", o.expand(casePath(path)), f
	}
}

// caseRoles are the matrix users whose roles work cases.
const caseRoles = "admin m.jiedao dongyuan m.xieliyuan m.louyuanzhang m.minzheng"

// caseReporters are those who may register a case: the sub-district and
// the district supervise and decide, they do not register.
const caseReporters = "dongyuan m.xieliyuan m.louyuanzhang m.minzheng"

// The case pages' entries, added to the matrix.
func init() {
	for pattern, m := range map[string]matrixRoute{
		"GET /cases/new": {allow: caseReporters, in: get("/cases/new")},
		// A coordination case of the civil line: everyone may raise it
		// but the staff above the community (the engine's refusal is a
		// 403). Out of scope: a grid outside is not found for anyone, so
		// it has no out target here (the page's tests pin it).
		"POST /cases/new": {allow: caseReporters, in: post("/cases/new", url.Values{"token": {strings.Repeat("5", 32)}, "grid": {gridA},
			"category": {"P12"}, "description": {"权限矩阵登记"}, "source": {"phone"}, "priority": {"normal"}})},
		"GET /cases/{number}": {allow: caseRoles, in: caseGet("/cases/{case}"), out: caseGet("/cases/" + outsideCase)},
		// The action here is a supervision, which only the sub-district and
		// the district take (anyone else is refused by the engine: 403);
		// which actions each role sees is the page's tests' business.
		"POST /cases/{number}/actions": {allow: "admin m.jiedao",
			in: caseTransition("/cases/{case}/actions", url.Values{"action": {"supervise"}, "note": {"权限矩阵督办"}})},
		"POST /cases/{number}/attachments": {allow: caseRoles,
			in: caseUpload("/cases/{case}/attachments"), out: caseUpload("/cases/" + outsideCase + "/attachments")},
		"GET /cases/{number}/attachments/{id}": {allow: caseRoles, in: caseGet("/cases/{case}/attachments/{attachment}"),
			out: caseGet("/cases/" + outsideCase + "/attachments/1")},
		"POST /cases/{number}/reveal": {allow: caseRoles, in: casePost("/cases/{case}/reveal", url.Values{"reason": {"contact"}}),
			out: casePost("/cases/"+outsideCase+"/reveal", url.Values{"reason": {"contact"}})},
	} {
		authzMatrix[pattern] = m
	}
}
