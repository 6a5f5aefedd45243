// Package web holds what the browser sees of wangge: the HTML templates and
// the style sheet and scripts, embedded in the binary so that one file is the
// whole server. Their words come from the one message catalogue, package msg.
//
// The templates are html/template files. templates/layout.html defines the
// page frame ("layout"); every other file defines the "content" of one page.
// No page has inline scripts or styles: the Content-Security-Policy the
// server sends forbids them.
package web

import "embed"

// FS holds templates/*.html and static/* (served under /static/).
//
//go:embed templates static
var FS embed.FS
