package http_test

import (
	whttp "github.com/wangge/wangge/http"
	"github.com/wangge/wangge/http/api"
	"github.com/wangge/wangge/http/open311"
	"github.com/wangge/wangge/http/ui"
)

// The tests of package http run the server composed as cmd/wangge composes
// it; the core itself never imports its handler packages.
func init() {
	whttp.TestProviders = append(whttp.TestProviders, api.Routes, ui.Routes, open311.Routes)
}
