// Package webtest holds what the tests of the core (package http) and of
// the pages (http/ui) share: the synthetic test district, logging in, the
// table-driven request scenario with the checks every response must pass,
// and the headless browser. Only tests import it; it imports none of the
// web packages, so that package http's own tests may import it.
package webtest
