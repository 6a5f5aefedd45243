package http

import (
	"context"
	"net/url"
	"sync"

	"github.com/wangge/wangge"
)

// Open311's routes are public: a client is no session's user, and what it
// may do is its API key's (a POST without one is the spec's 403, which
// the package's own suite pins). The matrix's POST carries a key made on
// the matrix's store, so it reaches the handler.
var matrixAPIKey struct {
	sync.Mutex
	store any
	key   string
}

// open311Key returns a key on the matrix's store, made once per store.
func open311Key() string {
	matrixAPIKey.Lock()
	defer matrixAPIKey.Unlock()
	ks, ok := matrixCase.store.(interface {
		AddAPIKey(ctx context.Context, name string) (string, *wangge.APIKey, error)
	})
	if !ok {
		return ""
	}
	if matrixAPIKey.store != matrixCase.store {
		key, _, err := ks.AddAPIKey(context.Background(), "matrix")
		if err != nil {
			return ""
		}
		matrixAPIKey.store, matrixAPIKey.key = matrixCase.store, key
	}
	return matrixAPIKey.key
}

func init() {
	for pattern, m := range map[string]matrixRoute{
		"GET /open311/v2/{file}": {public: true, in: get("/open311/v2/services.json")},
		"POST /open311/v2/{file}": {public: true, in: func(o objects) (string, string, url.Values) {
			return "POST", "/open311/v2/requests.json", url.Values{"api_key": {open311Key()}, "service_code": {"P02"},
				"address_string": {"东苑1号楼"}, "attribute[facility]": {"bench"}, "description": {"权限矩阵"}}
		}},
		"GET /open311/v2/services/{file}": {public: true, in: get("/open311/v2/services/P02.xml")},
		"GET /open311/v2/requests/{file}": {public: true, in: get("/open311/v2/requests/" + outsideCase + ".json")},
		"GET /open311/v2/tokens/{file}":   {public: true, in: get("/open311/v2/tokens/none.json")},
		"/open311/":                       {public: true, in: get("/open311/v2/nothing.json")},
	} {
		authzMatrix[pattern] = m
	}
}
