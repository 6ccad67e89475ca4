// Package e2e holds the end-to-end tests: they build the confide binary and
// run it as a newsroom would, against real PostgreSQL, headless Chromium with
// JavaScript disabled, the stock age CLI and real tor. It has no code of its
// own outside tests. The crash tests stop the server at exact points by
// real means, never by a hook in the product: the test holds the database's
// write lock, or makes files immutable, and kills the process there.
package e2e
