// Package e2e holds the end-to-end tests: they build the confide binary and
// run it as a newsroom would, against real PostgreSQL, headless Chromium with
// JavaScript disabled, the stock age CLI and real tor. It has no code of its
// own outside tests.
package e2e
