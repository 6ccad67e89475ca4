// Package newsroom is the journalists' zone: sign-in with a passphrase and a
// second factor, the inbox of sources, conversations, replies, deletion,
// administration, the audit log, retention, the daily digest, and the signed
// JSON API that `confide workstation` uses.
//
// Security contract:
//
//   - The newsroom never holds a key that opens a submission. It shows
//     contents' sizes and coarse days, and hands out ciphertext; journalists
//     decrypt on their own machines. A reply typed into the web form exists
//     in plaintext only in that request's memory, on its way into age.
//     The one exception is the demo (Config.Demo, whose journalist's key is
//     on the server anyway): with Config.DemoIdentity, which New refuses
//     outside demo mode, it decrypts for that journalist only, labelled as a
//     demo shortcut, streaming plaintext to the browser and writing none.
//   - Sign-in is internal/auth's (its contract holds here): the passphrase
//     (Argon2id) and a TOTP code used once, or a security key; lock-outs per
//     name and per client that never refuse the right secrets and answer an
//     unknown name alike; a global limiter. The newsroom keeps the handlers
//     and adapts its journalists and sessions to auth.Store (auth.go).
//   - Served at an https:// Config.URL, every cookie is Secure and HSTS is
//     sent.
//   - Sessions are random tokens; only their SHA-256 is stored. They expire
//     when idle, and logout deletes them. API tokens are sessions of their
//     own kind with a fixed lifetime. The newsroom shares no cookie,
//     session or listener with the dropbox or the site.
//   - Every API response is signed (Ed25519, in a header that reverse
//     proxies keep) over the client's nonce, the request, the SHA-256 of the
//     request body as received and the SHA-256 of the answer, so a
//     workstation detects a tampering or replaying proxy. Downloads are
//     signed over their ciphertext's SHA-256, which the signed sync lists
//     too; JSON answers are buffered (bounded) to be hashed first. The
//     signing seed is in the database, or with Config.SigningKeyFile only in
//     that file (the database then keeps the public key).
//   - The audit log records journalists' actions and holds nothing that
//     identifies a source.
package newsroom
