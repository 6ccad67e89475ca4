// Package search is Confide's archive search engine: Russian and English
// full-text search, ranked, over an index that lives in one folder.
//
// Contract:
//   - Analysis is package analysis: every word is indexed as its Snowball
//     stem (with positions) and as its exact folded form, at one position.
//     A bare query word matches its stem and the stems of its own
//     inflections (the "архив"/"архивы" trap), plus its exact form, which
//     scores on top: a document with the very form typed ranks higher.
//   - Ranking is BM25 (k1 1.2, b 0.75) over the index's whole statistics,
//     with phrase matches boosted, and for a query of several words a bonus
//     when they stand side by side. Top-k never scores every hit: postings
//     come in blocks carrying their largest frequency and shortest
//     document, and whole blocks whose bound cannot beat the k-th score are
//     skipped (block-max pruning over the query tree, as Lucene's impacts).
//     Result.Total is then a lower bound ("at least"), which
//     Result.TotalExact says; asking for facets counts every hit exactly.
//   - Writes: Add (which replaces a document with the same ID), Delete and
//     Commit may run while searches do; a search sees the last commit. A
//     commit writes new immutable segment and deletion files, fsyncs them,
//     then atomically renames a new manifest into place and fsyncs the
//     folder: after Commit returns its documents survive a crash (SIGKILL or
//     power loss), and a crash at any moment leaves the previous or the new
//     commit, never an index that fails to open. Files no manifest names
//     are leftovers of a crash and are removed on Open.
//   - Indexing: Add and AddBatch analyse documents into segment.Batches
//     outside the write lock (AddBatch on every core, a word cache per
//     worker), then add whole batches in order, so the documents of a
//     segment, and its bytes, are those of adding them one at a time. A
//     segment is flushed once it holds FlushDocs documents (or FlushBytes),
//     at a batch's end, and written in the background while adding goes
//     on, one at a time; a failed write is reported by the next Add that
//     flushes and fails the next Commit, which then commits nothing (add
//     again what was added since the last commit).
//   - Small segments (from small commits) and mostly deleted ones are
//     merged in the background, re-analysing their live documents; a merge
//     rewrites at most MaxMergeDocs documents, which bounds its memory.
//   - Every cost of a query is bounded: the parser bounds its size, a
//     prefix expands to at most MaxPrefixTerms forms, a page to MaxLimit
//     hits starting before MaxDepth, and snippets are built only for the
//     page of results returned.
//   - The index holds the archive's plaintext: it belongs on the archive's
//     machine, never on an internet-facing one.
package search
