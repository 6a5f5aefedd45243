package http

import (
	"github.com/wangge/wangge/http/internal/pagekit"
)

// The page helpers live in pagekit, which the pages moved to http/ui
// share with those still here; these names keep the core's remaining
// pages (imports) as they were until they move too. The area, map,
// building, household, key-group and audit pages and the ledgers have
// moved to http/ui.
type pager = pagekit.Pager

var (
	pageOfSize   = pagekit.PageOfSize
	newPagerSize = pagekit.NewPagerSize
	attachment   = pagekit.Attachment
)
