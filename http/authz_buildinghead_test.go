package http

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/wangge/wangge"
)

// plantBuildingHead makes the matrix's building head (an account without
// a display name, so known by its username) the head of building A1: his
// page's report is then allowed in scope, and a building outside not found.
func plantBuildingHead(t *testing.T, f *fixture) {
	t.Helper()
	if err := f.store.SetBuildingHead(context.Background(), wangge.ScopeAll(),
		&wangge.BuildingHead{BuildingID: f.buildingA1.ID, Name: "m.louyuanzhang"}); err != nil {
		t.Fatal(err)
	}
}

// The building head's page: his alone, whatever else a role may do with
// cases.
func init() {
	report := url.Values{"token": {strings.Repeat("7", 32)}, "building": {"{building}"}, "category": {"P02"}, "description": {"权限矩阵楼院问题"}}
	for pattern, m := range map[string]matrixRoute{
		"GET /my-building": {allow: "m.louyuanzhang", in: get("/my-building")},
		"POST /my-building/report": {allow: "m.louyuanzhang",
			in:  buildingUpload("/my-building/report", report),
			out: buildingUpload("/my-building/report", report)},
	} {
		authzMatrix[pattern] = m
	}
}

// buildingUpload posts the form with a photo, {building} filled in the
// form's values as well as the path.
func buildingUpload(path string, form url.Values) target {
	return func(o objects) (string, string, url.Values) {
		f := url.Values{}
		for k, vs := range form {
			for _, v := range vs {
				f.Add(k, o.expand(v))
			}
		}
		return upload(path, f, "photo", "photo.png", matrixPNG)(o)
	}
}
