// Package workstation runs on a journalist's own computer: it signs in to
// the newsroom's API, pulls ciphertext, decrypts it locally with the
// journalist's age identity, and encrypts replies before they leave.
//
// Security contract: plaintext exists only on this machine. Every API
// response is verified against the newsroom's Ed25519 key (pinned at first
// login, or given with --server-key) and the client's nonce before anything
// in it is used, so a tampering proxy is caught. Files are written under
// the output folder only, with names reduced to a safe base name, never
// overwriting.
package workstation
