// Package api is the wire of Confide's two JSON APIs, the one place where
// a server and its client agree on what crosses between them: the
// journalist API (docs/journalist-api.md), served by internal/newsroom and
// called by internal/workstation, and the source API
// (docs/source-api.md), served by internal/dropbox and called by
// internal/source.
//
// Contract: this package imports nothing of Confide, so a client that
// imports it imports no server (TestClientsImportNoServer, in
// api_test.go, fails if internal/workstation or internal/source ever
// does). It holds the JSON shapes, the header names and the few rules both
// ends must apply alike (the signed message, the nonce and Upload-Offset
// syntax), and no other behaviour. Every field here is sent to a client
// that the server does not trust with content: only ciphertext, sealed
// manifests, random identifiers, public recipients and day-granular dates
// belong in it, never a time of day, an address or a plaintext size.
package api
