// Package seal is Confide's cryptography: codenames, the keys derived from
// them, and streaming age encryption of everything a source sends.
//
// Contract:
//
//   - Everything sealed is a standard age file (X25519 recipients only), so a
//     journalist can open it with the stock age CLI and nothing else.
//   - Everything a seized server could measure is padded inside the
//     encryption (PaddedLen: PADMÉ, 4 KiB at least): files and messages by
//     their writers (Pad), manifests and replies here. The exact size lives
//     only in the sealed manifest; readers cut at it (OpenReply for replies).
//   - Encryption is streaming: memory is bounded by age's 64 KiB chunk, never by
//     the size of the input, and plaintext is never written anywhere by this
//     package.
//   - A codename is seven words from the EFF large word list (7 × log2(7776)
//     ≈ 90.5 bits) or eight from the 4,096-word Russian noun list (8 × 12 = 96
//     bits); the lists are disjoint, a codename never mixes them, and
//     normalising folds case, white space and ё to е. English codenames
//     normalise exactly as they always did, so their keys never change.
//     Argon2id (RFC 9106, 64 MiB, t=3, p=4) with a per-instance salt turns it
//     into a login key and the source's own age identity. Only the SHA-256 of
//     the login key and the identity's public recipient are meant to be stored;
//     neither opens a reply.
//   - Nothing here logs, and no function returns a codename inside an error.
package seal
