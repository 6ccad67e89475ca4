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
//
// Documents: the site receives only what a journalist exported from the
// archive as a bundle and published by an explicit step (Published.Publish,
// behind confide document publish); it never reaches the archive. A bundle
// is checked whole (internal/bundle) before anything of it is stored, and
// the site serves only the files a published document's rows name, by
// SHA-256, with their checked type and nosniff.
package site
