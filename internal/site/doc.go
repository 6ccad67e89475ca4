// Package site is the public zone: the news site readers visit, with a page
// on every screen linking to "Secure dropbox: Tell us in confidence".
//
// Security contract: the site shares no cookie, session or listener with the
// dropbox or the newsroom; it learns nothing about sources and links to the
// dropbox only by its published onion address. It loads nothing from a third
// party and needs no JavaScript.
package site
