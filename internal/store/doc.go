// Package store is Confide's persistence: one interface, Store, with two
// backends that share every query, SQLite (embedded, the default) in
// store/sqlite and PostgreSQL in store/postgres.
//
// Contract:
//
//   - The store holds ciphertext and the minimum of metadata. Nothing in it
//     opens a submission or a reply: sources appear as the SHA-256 of a login
//     key, a public age recipient and a random designation; times a journalist
//     sees are whole days.
//   - No exact time the feature does not need: audit entries, readers and
//     security keys keep their day, session and reader-token expiries their
//     minute (expired ones are swept when a new one is made). What keeps a
//     finer time needs it: comments (public on the story page), stories'
//     publication and update times, a journalist's last TOTP time-step (the
//     replay guard: it tells the 30 seconds of their last sign-in) and
//     lock-out end.
//   - A deleted source is erased, not only unlinked: seconds after
//     DeleteSource (the erase is coalesced and runs in the background, and
//     Close finishes it) the database's own files hold none of its rows;
//     tombstones keep only item IDs. PostgreSQL's WAL is the exception
//     (docs/USAGE.md).
//   - No unique-key clash reaches the database as a violation (which
//     PostgreSQL logs with the key): inserts use ON CONFLICT DO NOTHING.
//   - No IP address, user agent or codename is ever a column.
//   - Not found is ErrNotFound, never a nil value with a nil error; a
//     uniqueness clash is ErrConflict. Errors are prefixed "store: ".
//   - Migrations are versioned and applied, in order and once, by Open.
package store
