package http

// The phone workbench's pages, added to the matrix: the two pages are
// shells over the JSON API, for everyone who reads households; the
// service worker's script is public (it holds no data, and the browser
// fetches it again whether or not the session still holds).
func init() {
	for pattern, m := range map[string]matrixRoute{
		"GET /workbench":       {allow: peopleRoles, in: get("/workbench")},
		"GET /workbench/visit": {allow: peopleRoles, in: get("/workbench/visit?household={household}")},
		"GET /workbench/sw.js": {public: true, in: get("/workbench/sw.js")},
	} {
		authzMatrix[pattern] = m
	}
}
