// Package redact burns text and boxes out of a PDF or a page image and
// proves it: Redact makes the copy, Verify checks any PDF against the
// terms that must not survive in it.
//
// Redaction contract: the original is only read. Every page is rendered
// at a fixed resolution (200 dpi by default, 200–300 allowed) with
// pdftoppm, or decoded from PNG or JPEG (TIFF through ImageMagick); the
// boxes given and the boxes of every occurrence of each term are painted
// solid black, with a margin of a fifth of the box's height (at least 3
// pixels), in Go. Occurrences are found twice, by the original's text
// layer (pdftotext -bbox-layout) and by OCR of the page image (tesseract
// TSV), and both are burned. The copy is a new PDF whose only text layer is
// tesseract's OCR of the painted pages; it carries no information
// dictionary and no XMP (tesseract's Producer and exact creation time are
// dropped by rewriting its flat file). Temporary files live in a folder
// made inside the caller's folder and are removed; the copy is left there
// only if Verify passes it, and deleted otherwise. While Redact runs, that
// folder holds rendered pages of the original (plaintext): the caller
// chooses where it lives (an encrypted or memory-backed file system), and
// sets the copy's file times as its own zone requires. Tesseract drops a
// line that holds a black box from its text, so the copy's text layer may
// lack words beside a box; that costs search, not secrecy.
//
// Matching: terms and page words are folded the same way (case, ё→е,
// й→и, Latin look-alikes in Cyrillic words, punctuation dropped, a word
// hyphenated at the end of a line joined with the next line's first) and
// must match whole words: a match may span several words ("Горба чёв"),
// but must start and end on word boundaries, so the term Горбачёв does not
// match Горбачева. Other inflected forms are other terms: the caller lists
// them. Found and Mask apply the same matching to plain text (an excerpt,
// a translation), Mask replacing each matched word with █.
//
// What Verify checks: no term survives in pdftotext's text of the file nor
// in tesseract's OCR of each page rendered at 200 dpi, read as it is and
// again with solid black areas (24 pixels square or more) masked white;
// a single revision
// (one %%EOF, one startxref, one cross-reference section, one trailer, no
// /Prev, a raw "/Prev" anywhere counts); no metadata (information
// dictionary keys other than Producer, XMP, /PieceInfo); no optional
// content (hidden layers), attachments, annotations or forms, JavaScript
// or other actions, encryption; no left-over data (tokens between
// objects, comments, objects nothing refers to, such as an old page); and
// poppler's pdfinfo and pdfdetach, and mat2 --show, agree. Pages that would
// render beyond MaxPixels are refused, as are files beyond MaxFile.
// The structure is read by a small tokenizer of objects and trailers (it
// decodes #xx in names and looks inside Flate object streams); a file it
// cannot read fails. Cross-reference offsets are not checked against the
// objects: every object in the bytes is checked, listed or not.
//
// What Verify does not check: pixels left around a box (a margin is
// burned, but the width of a black box still tells a word's length, and
// a box does not hide what a reader can infer from context); text that
// neither pdftotext nor OCR reads (tiny, faint or rotated print, images of
// text in a font OCR fails on); content hidden in page content streams
// that a reader draws but these tools do not extract; font fingerprinting
// of the original (the copy has no original fonts: it is images and
// tesseract's glyphless font). OCR is a second reader, not a proof:
// a term OCR misreads on the original is burned only if the text layer
// finds it, and a term OCR misreads on the copy passes.
package redact
