// Package dropbox is the source-facing zone: the pages a source uses over Tor
// with JavaScript disabled, and the JSON API behind `confide source`.
//
// Security contract:
//
//   - A codename exists only inside the request that carries it. It is never
//     put in a cookie, a log, the session table or the database. The web flow
//     derives keys from it on the server (with a bounded number of Argon2id
//     derivations at once); the command-line client derives them on the
//     source's own machine and sends only the login key.
//   - A source session lives in memory only. Its cookie holds a random token
//     and a key; the server holds the token's hash and the source's reply
//     identity sealed under that key. Neither side alone can open a reply.
//   - Every message and file is streamed through age encryption to all current
//     journalists' recipients as it arrives. Plaintext never reaches disk, not
//     even a temp file: uploads are read with MultipartReader or a raw body,
//     never ParseMultipartForm.
//   - No IP address, user agent or per-request log is kept. Manifests (name,
//     size, type, day) are sealed like the files, and every item and
//     manifest is padded inside its encryption (seal.PaddedLen) before it is
//     stored: the disk and items.size show coarse sizes only.
//   - An unknown codename and a wrong one get the same answer after the same
//     work.
//   - What a submission delivered is told in its own response, from what the
//     handler saw stream past, and kept nowhere (no redirect URL carries it).
//     A refused submission's message is held in memory, bounded, only to be
//     given back in that response.
//   - Nothing a source sends can exhaust the process: Argon2id runs, parts of
//     a submission, open files (web and API share one budget, the API only
//     part of it) and uploads per source are capped, idle uploads expire,
//     and past a cap the source gets a clear page or error, not a reset.
package dropbox
