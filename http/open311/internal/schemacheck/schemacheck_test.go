package schemacheck

import (
	"strings"
	"testing"
)

// TestCheckJSON: each keyword the Open311 schemas use accepts what it
// allows and refuses the rest, naming the place.
func TestCheckJSON(t *testing.T) {
	s, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, doc, wantErr string
	}{
		{"all good", `{"id":"a1","when":"2026-12-02T08:30:00+08:00","n":3,"ok":true,"state":"open","url":"https://x.example/p.jpg","tags":["a"],"other":{"x":1.5}}`, ""},
		{"nulls where allowed", `{"id":"a1","when":"2026-12-02T00:30:00Z","url":null}`, ""},
		{"a required field missing", `{"id":"a1"}`, `lacks the required "when"`},
		{"a wrong type", `{"id":1,"when":"2026-12-02T00:30:00Z"}`, "$.id: is number, want string"},
		{"too long", `{"id":"abcde","when":"2026-12-02T00:30:00Z"}`, "at most 4"},
		{"no offset", `{"id":"a","when":"2026-12-02T00:30:00"}`, "not a date-time"},
		{"not an integer", `{"id":"a","when":"2026-12-02T00:30:00Z","n":1.5}`, "want integer"},
		{"not in the enum", `{"id":"a","when":"2026-12-02T00:30:00Z","state":"OPEN"}`, "is not one of"},
		{"anyOf matched by none", `{"id":"a","when":"2026-12-02T00:30:00Z","url":"photo.jpg"}`, "matches none of anyOf"},
		{"an item of the wrong type", `{"id":"a","when":"2026-12-02T00:30:00Z","tags":["a",2]}`, "$.tags[1]"},
		{"a field not allowed", `{"id":"a","when":"2026-12-02T00:30:00Z","extra":1}`, `has "extra"`},
		{"through a ref", `{"id":"a","when":"2026-12-02T00:30:00Z","other":{}}`, `$.other: lacks the required "x"`},
		{"an array where an object is", `[]`, "is array, want object"},
	} {
		err := s.CheckJSON("thing.json", []byte(tc.doc))
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.wantErr)
		}
	}
}

// TestCheckXML: an XML document is read by the schema into the tree JSON
// would give — numbers, booleans, empty elements as null, repeated
// children as arrays — and checked by the same rules.
func TestCheckXML(t *testing.T) {
	s, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	list := Array("thing.json")
	for _, tc := range []struct {
		name, doc, wantErr string
	}{
		{"all good", `<?xml version="1.0" encoding="utf-8"?><things><thing><id>a1</id><when>2026-12-02T08:30:00+08:00</when><n>3</n><ok>true</ok><url/><tags><tag>a</tag><tag>b</tag></tags><other><x>2</x></other></thing></things>`, ""},
		{"an empty list", `<things></things>`, ""},
		{"not a number", `<things><thing><id>a1</id><when>2026-12-02T08:30:00+08:00</when><n>three</n></thing></things>`, "want integer"},
		{"not a boolean", `<things><thing><id>a1</id><when>2026-12-02T08:30:00+08:00</when><ok>yes</ok></thing></things>`, "want boolean"},
		{"a required element missing", `<things><thing><id>a1</id></thing></things>`, `lacks the required "when"`},
		{"an element not allowed", `<things><thing><id>a1</id><when>2026-12-02T08:30:00+08:00</when><zip>1</zip></thing></things>`, `has "zip"`},
		{"an empty required string is a string", `<things><thing><id></id><when>2026-12-02T08:30:00+08:00</when></thing></things>`, ""},
		{"not XML", `<things><thing>`, "not XML"},
	} {
		root, err := s.CheckXML(list, []byte(tc.doc))
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.wantErr)
		case err == nil && root != "things":
			t.Errorf("%s: root %q", tc.name, root)
		}
	}
}
