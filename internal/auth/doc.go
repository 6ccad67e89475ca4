// Package auth is the sign-in machinery that every zone with accounts uses
// (the newsroom and the archive): passphrases, TOTP codes, security
// keys (WebAuthn), sessions and lock-outs. A zone provides an account Store
// and keeps its own HTTP handlers, which are thin calls into a Service.
//
// Security contract:
//
//   - What is stored: passphrases only as Argon2id PHC strings, sessions
//     only as the SHA-256 of their random token (web.NewToken), WebAuthn
//     credentials as go-webauthn's JSON (public keys and sign counts). No
//     token, passphrase or code is written anywhere, nor logged.
//   - Sign-in needs the passphrase and a second factor: a TOTP code or, on
//     the web, a security key. A TOTP code is accepted once only: the
//     time-step is consumed by a guarded update (Store.UseTOTPStep), so of
//     two requests with the same code exactly one wins. A security key's
//     answer is refused when its signature counter did not move past the
//     last one seen (a copy of the key has been used), and the count it
//     brings is stored before the session starts.
//   - Lock-outs: failures are counted per name (in the store) and per client
//     (in memory, as a keyed hash of the address, with some slack for
//     clients that several people share). Five for a name, or ten from a
//     client, lock it for a minute doubling to an hour (web.Lockout). A lock
//     never refuses the right passphrase with a right second factor, so
//     nobody can keep an account out by failing on purpose (a refused
//     security key counts as a wrong code, for the name and the client, and
//     the right key still gets in); while it lasts a
//     wrong code spends the codes of the moment, leaving one guess per
//     30-second step to someone who holds the passphrase. An unknown name
//     costs a real Argon2id check and is counted and locked in memory as a
//     real one is in the store, so answers (errors, lock times) do not tell
//     them apart. A global throttle caps attempts for all names together,
//     and Argon2id runs at most 2 at once with 16 waiting (seal.ErrBusy).
//   - Session kinds: KindSetup may only finish setting up the TOTP secret,
//     KindKey may only answer a security key's challenge, KindFull is a
//     signed-in session. A session expires when idle (Config.Idle) and
//     logging out deletes it on the server.
//   - Cookies: each zone names its own (Config.Cookie: newsroom_session,
//     archive_session), HttpOnly and SameSite=Strict, so no zone reads
//     another's. Served over https every cookie gets Secure from the zone's
//     web.HTTPSOnly. Each sign-in rotates the zone's CSRF token.
//   - Logged: through Config.Audit, failed sign-ins by account name ("right
//     passphrase, wrong code", "security key"); never addresses, unknown
//     names or secrets.
package auth
