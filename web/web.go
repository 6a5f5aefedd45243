// Package web holds what the browser sees of wangge: the HTML templates, the
// style sheet and the message catalogue (zh and en), embedded in the binary
// so that one file is the whole server.
//
// The templates are html/template files. templates/layout.html defines the
// page frame ("layout"); every other file defines the "content" of one page.
// No page has inline scripts or styles: the Content-Security-Policy the
// server sends forbids them.
package web

import "embed"

// FS holds templates/*.html, static/* (served under /static/) and
// i18n/*.json (the go-i18n message files, one per language).
//
//go:embed templates static i18n
var FS embed.FS
