// Package newsroom is the journalists' zone, on its own listener.
//
// Security contract: the newsroom never holds a key that opens a submission;
// journalists decrypt on their own machines. It shares no cookie, session or
// listener with the dropbox or the public site. Journalist sign-in and the
// inbox are still to come (issue 3); today it serves a placeholder page.
package newsroom
