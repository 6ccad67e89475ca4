// Package site is the public zone: the news site readers visit, with a page
// on every screen linking to "Secure dropbox: Tell us in confidence".
//
// Security contract: the site shares no cookie, session or listener with the
// dropbox or the newsroom; it learns nothing about sources and links to the
// dropbox only by its published onion address. It loads nothing from a third
// party and needs no JavaScript. At an https:// Config.BaseURL every cookie
// is Secure and HSTS is sent. Sign-in answers alike for an address with an
// account and one without; mailed links (live credentials) are written to
// the outbox file or sent, never logged; a story page shows only the
// site's own notices, never text from its URL.
package site
