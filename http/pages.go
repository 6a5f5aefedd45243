package http

import (
	"net/http"
	"os"

	"github.com/wangge/wangge/http/internal/pagekit"
)

// The page helpers live in pagekit, which the pages moved to http/ui
// share with those still here; these names keep the core's remaining
// pages (the ledgers, imports) as they were until they move too. The
// area, map, building, household, key-group and audit pages have moved to
// http/ui.
type pager = pagekit.Pager

var (
	pageOf     = pagekit.PageOf
	newPager   = pagekit.NewPager
	attachment = pagekit.Attachment
)

// xlsxType is the media type of an xlsx file.
const xlsxType = pagekit.XLSXType

// sendFile sends a written temporary file as a download.
func (s *Server) sendFile(w http.ResponseWriter, f *os.File, ctype, disposition, what string) error {
	return pagekit.SendFile(w, f, ctype, disposition, s.log, what)
}
