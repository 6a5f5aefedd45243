package http

import (
	"encoding/json"
	"net/http"
)

// WriteJSON writes v as JSON with the status (HTML characters unescaped:
// the answers are data, never pasted into pages).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
