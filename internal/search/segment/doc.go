// Package segment writes and reads one immutable segment of Confide's archive
// index: a single file holding the postings, the term dictionary, per-document
// columns and the stored text of a batch of documents.
//
// Contract:
//   - A segment is written once (Builder, then WriteTo a temporary file that
//     the caller fsyncs and renames) and never modified; deletions live
//     outside it, in the index's commit.
//   - Every term has postings in blocks of BlockSize documents. Each block
//     carries its last document, its largest term frequency and its shortest
//     document, so a searcher can bound the BM25 score of the whole block
//     without decoding it (block-max pruning).
//   - Stems carry positions (phrases); exact forms and keyword terms carry
//     only frequencies, which keeps the index near the size of the text.
//   - Stored text is flate-compressed (BestSpeed) one document at a time,
//     so showing a hit inflates that document only. The segment also
//     stores a dictionary (the text of the first DictDocs documents of
//     this segment or of an earlier one, NewBuilderDict) and readers
//     inflate with it; compress/flate uses no preset dictionary at
//     BestSpeed, so the builder compresses without one, to the same bytes.
//   - Documents are numbered in the order they are added. They may be
//     analysed in Batches on several goroutines (an Analyzer each) and
//     added in order with AddBatch: the segment's bytes are the same as
//     when adding them one by one, however they were batched.
//   - A file that is truncated, corrupted or hostile is an error from Open or
//     from the iterators' Err, never a panic or an out-of-range read: every
//     length and offset is checked, and a CRC-32C covers the whole file.
//
// Format (integers little-endian, "uv" an unsigned LEB128 varint):
//
//	header   "CFSEG\x00\x00\x01"
//	stored   the dictionary (≤ 32 KiB), then per document flate(record);
//	         record = uv-strings id, uv nTags, tags, uv nPages, pages
//	table    (numDocs+1) × u64: each record's start relative to stored
//	         (the first is the dictionary's end), then the end
//	postings per term: uv nBlocks, nBlocks × (uv lastDoc delta, uv docsLen,
//	         uv posLen, uv maxTF, uv minLen), then per block its docs bytes
//	         (uv delta<<1|tf==1, [uv tf]) and its position bytes (uv deltas)
//	dict     terms in order, front-coded in groups of DictGroup:
//	         uv shared, uv suffixLen, suffix, uv df, uv flags, uv off, uv len
//	dictIdx  nGroups × u64 group offsets relative to dict
//	docs     numDocs × (u32 len, u32 collection, u32 lang, u32 type, i32 day)
//	values   three lists (collection, lang, type): uv n, n uv-strings
//	footer   u64 offsets of the 7 sections above, u32 numDocs, u32 numTerms,
//	         u64 total length, u32 CRC-32C of everything before it,
//	         "CFSEGEND"
package segment
