package api

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 document of every /api/v1 route, written by
// hand beside the handlers; TestOpenAPIDescribesEveryAPIRoute fails when a
// route and the document part ways.
//
//go:embed openapi.json
var openAPI []byte

// handleOpenAPI answers GET /api/v1/openapi.json. Public: it describes the
// API, not anyone's data.
func handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(openAPI) // a client gone mid-answer is nothing to report
	return nil
}
