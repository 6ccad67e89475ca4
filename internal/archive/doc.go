// Package archive is the archive zone: collections of plaintext documents
// ingested from files, folders and archives, their originals, document
// trees, chain of custody, a work queue and the search index.
//
// Contract:
//   - The archive holds plaintext. It runs as its own process (confide
//     archive …) with its own data folder, database and listener; it never
//     shares a data folder or a database schema with the dropbox and
//     newsroom (Open refuses a folder holding confide.db, and every table
//     is prefixed archive_).
//   - Originals are immutable and content-addressed: DIR/originals/xx/SHA256,
//     written to a temporary file, made durable, then renamed, and the
//     rename made durable before the row naming it commits (a syncfs per
//     chunk for each step on Linux, else an fsync of each file and
//     folder), so a name there always stands for its whole bytes; the same
//     bytes at two paths are one original listed at both. Workers read originals, never
//     the paths they came from.
//   - Queueing and processing are resumable: an entry (collection, path) is
//     inserted once; processing an entry first deletes what an earlier run
//     left of it, and document IDs are derived from collection and path, so a
//     killed run started again (or a reprocess) loses and doubles nothing.
//     An entry is marked done only after the search index committed its
//     documents. Entries share that work: queueing inserts a chunk of
//     entries a transaction once their originals and folders are durable;
//     workers start on the first chunk; documents are written in batches
//     and finished entries wait (bounded in count, bytes and time, at most
//     10 s) for one index commit and one transaction, so a crash sends back
//     to the queue at most those not yet stored. Once a claim takes the last
//     entries queued (the queueing over), what finished is committed at
//     once and documents are written as they come, so that the run's end
//     waits for little more than its last file.
//   - Claims: PostgreSQL takes queued entries with FOR UPDATE SKIP LOCKED,
//     so several worker processes share one queue; SQLite claims inside an
//     IMMEDIATE transaction and has one process (the search folder's lock).
//     A worker claims a group of small entries at once (up to 32, each and
//     all bounded in size; a large one alone) and hands back those it has
//     not begun when it stops. A running entry holds a lease its worker
//     renews; an expired lease (a killed worker) makes it claimable again. On SQLite, Open sends every
//     running entry back to the queue, so claims and leases are committed
//     without an fsync of their own (the next commit's fsync takes them).
//   - Custody is exact: events carry the UTC time to the second, who ran
//     the command and where the file came from (its path, or the newsroom
//     item, submission and ciphertext SHA-256 of a workstation pull's
//     custody record, refused when it contradicts the workstation's state);
//     each document carries its tools and versions. This is the trusted archive,
//     not the internet-facing server, so exact times are kept here.
//   - Temporary files (an original being copied, a member a tool needs
//     whole) go only to this process's own DIR/tmp/p-*/, held by a flock;
//     Close removes it, and Open removes those of processes that are gone.
//   - Search: SQLite deployments use the embedded engine in DIR/index;
//     PostgreSQL ones use pgsearch in the same database. The index is
//     derived from the rows: a backup (DumpSchema: every archive_* table
//     but pgsearch's) leaves it out and a restore rebuilds it
//     (RebuildIndex) with the same documents. Backups and restores are
//     written to archive_audit too, with who and the keys that open them.
//   - The web zone (Server) signs users in through internal/auth (never a
//     copy), with its own cookies (archive_session, archive_csrf), the
//     shared security headers and CSRF on every form; no page needs
//     JavaScript. Security keys are the one use of script, progressive
//     over the TOTP code (which always works): only /account and the key
//     step run the shared web.KeyScript (web.KeyCSP); every other page keeps
//     the no-script policy. Keys are bound to ServerConfig.URL's origin, or
//     the request's; a refused key (wrong, another user's, or a copy whose
//     counter went back) counts and locks as a wrong code does. Every page
//     is in the web catalogue's languages (English, Russian: the switch's
//     ?lang=, then the cookie, then Accept-Language), but a document page's
//     ?lang= beside its page= and the editor's ?lang=, which name a
//     translation. What the archive records in words (an export job's
//     reason, a translation run's message) is stored in English, as the
//     audit keeps it, and said in the page's language; a library's detail
//     within it stays as it is. Every page
//     but sign-in needs a full session. A user reads
//     only granted collections (an admin all); an ungranted collection or
//     its documents answer 404, as missing ones do. Translators cannot
//     download originals. Views, searches, downloads and refused downloads
//     are written to archive_audit before the answer, with who and when.
//   - Page images are rendered into memory (pdftoppm at 100 dpi on the
//     stored original, in one of ingest/tool's slots, 30 s at most, 16 MiB
//     at most) or are the PNG/JPEG original itself: no file is written.

//   - Translations: every version of a page's translation is kept, with who
//     made it ("machine: ENGINE VERSION" or "user: NAME"), its state (draft
//     or reviewed) and its time. The latest version of each page is indexed
//     as a search document of its own per document and language (ID
//     "DOCID~LANG", analysed in that language); Search maps its hits back to
//     the original and says which text matched. A document that a re-run
//     no longer makes takes its translations and their search documents
//     with it; one that it makes again keeps them.
//   - In the web zone a page's translation is shown beside the original,
//     paragraph i beside paragraph i, every paragraph of both sides kept;
//     machine output is labelled as such wherever it shows. A human save
//     carries the version it started from and is refused (nothing stored,
//     the text shown back) when another was saved since; a version is
//     reviewed only by a user other than its maker, and only the latest.
//   - Notes keep their span twice: offsets into the page's text and the
//     quoted words with the text around them. When a re-OCR moves or
//     changes the text, a note is anchored again to the occurrence of its
//     words whose surroundings match best, or marked lost; it is never
//     dropped while its document exists. Notes (with replies) are indexed
//     as a search document per document ("DOCID#notes"); tags go into the
//     original's, translations' and notes' search documents alike.
//   - Machine translation from the web runs inside the server, one run per
//     collection and maxBatches over all, counted over every server on the
//     database; each page is stored as it comes back, so a cancelled,
//     crashed or stopped run loses no finished page. A run is held by one
//     server at a time: claimed in one transaction two servers cannot both
//     win, under a lease its server renews. A stopped server gives its runs
//     back and the next server (or another one already up) resumes them; a
//     dead one's are taken over once the lease runs out; either way past
//     the pages done. A server that finds its run taken writes no more to
//     it. Cancel works from any server.
//   - Redaction and export (journalists and admins, never translators):
//     a redacted copy is made from the original (only read) in this
//     process's temporary folder, a few at a time, one per user; a copy that
//     passed verification is stored as DIR/redacted/xx/SHA256, one that did
//     not keeps no file. Only a passed copy whose bytes still hash to its
//     recorded SHA-256 is opened for export (RedactedCopy), and the PDF an
//     export publishes is verified again before any byte of the bundle is
//     written. Bundles name no user; who redacted and exported what, and
//     when, is in archive_audit and the document's custody.
//   - Web exports are jobs (archive_export_jobs): checked in the request,
//     built in the background (maxExports at once, one per user,
//     maxExportWaiting waiting, then busy) into this process's temporary
//     folder, which alone keeps the bundle (one per user) until the
//     process stops; a bundle is served only while it hashes to the
//     SHA-256 recorded when built, and each download is audited. A job is
//     never left pending: a stopped server fails its own, and a new one
//     fails (or, ready, expires) those of processes whose temporary
//     folder's lock is free.
package archive
