// Package web holds what the three zones' HTTP servers share: security
// headers, CSRF protection, panic recovery, the language catalogues, the page
// layout and the stylesheet.
//
// Security contract:
//
//   - Every response carries a strict CSP (default-src 'none', no script at
//     all), no-referrer, frame-ancestors 'none', nosniff and no-store. The
//     one exception is AllowOwnScript (KeyCSP): the security-key script
//     (KeyScript) from the zone's own origin, never inline or from elsewhere.
//   - Nothing here logs a client address, a user agent or a request line.
//     Panics are logged as their value only. Failures keeps sign-in
//     counts in memory under a keyed hash (random key, never stored), so
//     it holds no address or name in the clear.
//   - HTTPSOnly, for a zone configured at an https:// address, marks every
//     cookie Secure and sends HSTS; X-Forwarded-Proto is never trusted.
//   - What a visitor is shown (Error.Public, a catalogue key) is kept apart
//     from what is logged (Error.Err), so internal detail never reaches a
//     source or a reader.
//   - Pages need no JavaScript and load nothing from a third party; the
//     security-key script is progressive enhancement over the TOTP code.
package web
