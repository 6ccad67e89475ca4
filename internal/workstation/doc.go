// Package workstation runs on a journalist's own computer: it signs in to
// the newsroom's API, pulls ciphertext, decrypts it locally with the
// journalist's age identity, and encrypts replies before they leave.
//
// Security contract: plaintext exists only on this machine. The newsroom's
// Ed25519 key is checked (against --server-key, or the key pinned in the
// state folder at first use) before the passphrase and code are sent, and a
// changed key is refused. Every API response is verified against that key,
// the client's nonce and the hash of the request body before anything in it
// is used, so a tampering or replaying proxy is caught; a download must
// match the SHA-256 the signed sync listed before it is decrypted. Files
// are written under the output folder only, with names reduced to a safe
// base name, never overwriting, and never inside a git checkout (where
// they would be untracked plaintext). The local web UI answers only requests
// that carry its per-launch token (in the printed URL, then a cookie). It
// imports no server package: the wire types are internal/api's.
package workstation
