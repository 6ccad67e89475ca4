// Package ingest turns the files of the archive zone into documents: text
// by page, metadata, and the files inside them (a zip's members, an
// email's attachments) as child documents, each with the chain of tools
// that produced it.
//
// Formats: plain text (UTF-8, Windows-1251, KOI8-R, CP866, detected),
// HTML, Markdown, RTF, DOCX, ODT, Word and Excel 97–2003 (through the
// optional LibreOffice), PDF (text layer by pdftotext; pages
// without one are rendered by pdftoppm at 300 dpi and OCRed), PNG, JPEG
// and TIFF (OCR by tesseract), email (.eml) and mbox, zip (legacy CP866
// and KOI8-R names decoded), tar, gzip and 7z (through the optional 7z
// program). Types are sniffed from the bytes, the name only breaking ties.
//
// Contract:
//
//   - Memory is bounded by the limits, not by the input: inputs are read as
//     streams; children are handed to the caller one at a time, as they are
//     reached, so a 100,000-member tar or mbox is never held whole (a zip's
//     or a 7z's table of contents is, up to Limits.MaxMembers entries). The
//     text kept per document is capped (Limits.MaxText); past it the text
//     is cut and the document's Warnings say so, but the rest is still read
//     (and dropped) so that Document.SHA256 stands for the whole file.
//   - Order: each document is yielded before its children, depth first. An
//     email is yielded once its text is read and before its first
//     attachment; a text part that comes after an attachment is a child.
//   - Every costly step is bounded: expanded bytes per file and per tree,
//     compression ratio, nesting depth, member count, image pixels (checked
//     from the header, before any decoding; for PDF pages, from the page
//     size before rendering), PDF and TIFF pages, and OCR time per page.
//     External programs (poppler, tesseract, 7z) run through package tool:
//     at most one per core in the whole process, whatever the number of
//     callers, and never while a child is being read.
//   - Bad input is never a crash and never silently lost: a document that
//     cannot be read is still yielded, with Err set to a *Failure whose
//     Reason is a human sentence ("PDF is encrypted", "OCR timed out on
//     page 12"); its siblings go on, and whatever was read before the
//     failure (the pages before a timeout) is kept. Only the tree-wide
//     limits, the context and the caller's own error stop a walk.
//   - Temporary files (a stream that a tool or a zip reader needs whole)
//     are created only in Options.TmpDir, never os.TempDir(), mode 0600,
//     named "ingest-*", and deleted as soon as the document that needed
//     them is done; RemoveLeftovers clears what a crash left. External
//     programs get that folder as TMPDIR and working directory; rendered
//     PDF pages go to tesseract through a pipe, not the disk. Nothing else
//     is written.
//   - Links inside archives are never followed; member paths are cleaned
//     so that no name climbs out of its parent.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"time"

	"confide/internal/ingest/ocr"
)

// Document is one file of a tree: the root input or a member of it.
type Document struct {
	Path   string // slash path from the root, e.g. "letters.zip/1989/note.txt"
	Parent string // Path of the containing document, "" for the root
	Depth  int    // 0 for the root
	Type   string // format, one of the Type* constants
	Size   int64  // bytes: as its container or the input declared, else as read
	// SHA256 is the hex SHA-256 of the file's bytes, for the chain of
	// custody; "" for a container streamed to its members (a tar or an
	// email inside another file), whose bytes are not all read before it
	// is yielded, and for a file that failed a size limit.
	SHA256   string
	Fields   map[string]string // metadata, by the names of FieldNames
	Pages    []Page
	Steps    []Step   // the chain of custody, in order
	Warnings []string // what was read only in part, and why
	Err      *Failure // why the document could not be read; nil if it was
}

// FieldNames is every name a Document's Fields may hold, for a reader
// that labels each in its own words: a PDF's, an office file's and an RTF
// file's metadata, an email's headers, a text's character set, an
// archive's count of members, an image's size.
var FieldNames = []string{"title", "author", "subject", "keywords", "description", "creator", "producer", "created", "modified", "modified by",
	"pages", "encrypted", "charset", "name charset", "members", "width", "height",
	"from", "to", "cc", "date", "message-id", "in-reply-to", "reply-to"}

// Page is a page of text, or the whole text of a file that has no pages.
type Page struct {
	Number        int // 1-based
	Text          string
	Lang          string     // "ru", "en", "other", or "" if too little text
	OCR           bool       // the text came from OCR
	Words         []ocr.Word // word boxes and confidences, OCR only
	Confidence    float64    // mean OCR word confidence (0–100); 0 if not OCRed
	LowConfidence bool       // OCR confidence under Options.OCR.LowConfidence
}

// Step is one processing step: which tool, which version, what it did.
type Step struct {
	Tool    string // "pdftotext", "tesseract", "confide ingest/zip"
	Version string // "22.12.0", "v1"
	Action  string // "text layer of pages 1–3"
}

// String is the tool and version, as "pdftotext 22.12.0".
func (s Step) String() string { return s.Tool + " " + s.Version }

// Input is a file to ingest.
type Input struct {
	Name string    // the file name (or a path); shown in paths, used for the type
	R    io.Reader // the bytes; an *os.File is read in place, not copied
	Size int64     // bytes, or -1 if unknown
}

// Limits bound what one tree may cost. Zero fields take the defaults.
type Limits struct {
	MaxTotal   int64 // expanded bytes of a whole tree (8 GiB)
	MaxFile    int64 // expanded bytes of one member (2 GiB)
	MaxText    int64 // text kept per document (16 MiB)
	MaxDepth   int   // nesting of containers (8)
	MaxRatio   int64 // expanded ÷ compressed bytes of a member (200)
	MaxMembers int   // members of a whole tree (1,000,000)
	MaxPixels  int64 // pixels of one image or rendered page (150 million)
	MaxPages   int   // pages of one PDF or TIFF (5,000)
}

// DefaultLimits are the limits of a zero Limits.
var DefaultLimits = Limits{
	MaxTotal:   8 << 30,
	MaxFile:    2 << 30,
	MaxText:    16 << 20,
	MaxDepth:   8,
	MaxRatio:   200,
	MaxMembers: 1_000_000,
	MaxPixels:  150_000_000,
	MaxPages:   5000,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	return Limits{
		MaxTotal:   orDefault(l.MaxTotal, d.MaxTotal),
		MaxFile:    orDefault(l.MaxFile, d.MaxFile),
		MaxText:    orDefault(l.MaxText, d.MaxText),
		MaxDepth:   orDefault(l.MaxDepth, d.MaxDepth),
		MaxRatio:   orDefault(l.MaxRatio, d.MaxRatio),
		MaxMembers: orDefault(l.MaxMembers, d.MaxMembers),
		MaxPixels:  orDefault(l.MaxPixels, d.MaxPixels),
		MaxPages:   orDefault(l.MaxPages, d.MaxPages),
	}
}

func orDefault[T int | int64](v, d T) T {
	if v > 0 {
		return v
	}
	return d
}

// Options configures an Extractor.
type Options struct {
	TmpDir string      // required: the only folder temporary files go to
	OCR    ocr.Options // languages (rus+eng), per-page timeout, low-confidence mark
	NoOCR  bool        // leave images and pages without text unread
	Limits Limits
	// MinLetters is how many letters a PDF page's text layer needs to be
	// used; pages with fewer go to OCR (16 if 0).
	MinLetters int
	// ToolTimeout bounds each run of pdfinfo, pdftotext, 7z and soffice
	// on one file (5 minutes if 0); OCR has its own, per page.
	ToolTimeout time.Duration
}

// Extractor reads inputs into documents. It is safe for concurrent use.
type Extractor struct {
	o Options
}

// New checks the options: the folder must exist, OCR languages must be
// installed.
func New(o Options) (*Extractor, error) {
	if o.TmpDir == "" {
		return nil, errors.New("ingest: a folder for temporary files is required")
	}
	abs, err := filepath.Abs(o.TmpDir)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("ingest: temporary folder %s is not a folder", o.TmpDir)
	}
	o.TmpDir = abs
	o.OCR.TmpDir = abs
	if o.OCR.Lang == "" {
		o.OCR.Lang = "rus+eng"
	}
	if o.OCR.Timeout <= 0 {
		o.OCR.Timeout = 2 * time.Minute
	}
	if o.OCR.LowConfidence <= 0 {
		o.OCR.LowConfidence = 60
	}
	if !o.NoOCR {
		if err := ocr.CheckLang(o.OCR.Lang); err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
	}
	if o.MinLetters <= 0 {
		o.MinLetters = 16
	}
	if o.ToolTimeout <= 0 {
		o.ToolTimeout = 5 * time.Minute
	}
	o.Limits = o.Limits.withDefaults()
	return &Extractor{o: o}, nil
}

// Extract reads in and calls yield with each document of its tree, the
// root first, each container before its members, depth first. A document
// must not be changed after yield returns. Extract stops at yield's first
// error and returns it; otherwise it returns nil, a tree-wide *Failure
// (too many bytes or members in all), or the context's error.
func (e *Extractor) Extract(ctx context.Context, in Input, yield func(*Document) error) error {
	w := &walk{e: e, o: e.o, lim: e.o.Limits, ctx: ctx}
	w.yield = func(d *Document) error {
		if err := yield(d); err != nil {
			w.callerErr = err
			return errYield
		}
		return nil
	}
	name := "input"
	if in.Name != "" {
		name = cleanName(filepath.ToSlash(in.Name))
	}
	src := &source{name: name, r: in.R, size: in.Size}
	if f, ok := in.R.(*os.File); ok {
		src.file = f
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			src.size = fi.Size()
		}
	}
	err := w.document(src, name, "", 0)
	var tree *treeStop
	switch {
	case errors.Is(err, errYield):
		return w.callerErr
	case errors.As(err, &tree):
		return tree.f
	}
	return err
}

// ExtractFile opens path and extracts it, named by its base name.
func (e *Extractor) ExtractFile(ctx context.Context, path string, yield func(*Document) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	return e.Extract(ctx, Input{Name: filepath.Base(path), R: f, Size: -1}, yield)
}

// All is Extract as an iterator: each document with a nil error, and at
// the end the error Extract returned, if any.
func (e *Extractor) All(ctx context.Context, in Input) iter.Seq2[*Document, error] {
	return func(yieldSeq func(*Document, error) bool) {
		stop := errors.New("stopped")
		err := e.Extract(ctx, in, func(d *Document) error {
			if !yieldSeq(d, nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			yieldSeq(nil, err)
		}
	}
}

// RemoveLeftovers deletes the temporary files an interrupted run left in
// dir. Call it at start, before any Extract on dir.
func RemoveLeftovers(dir string) error {
	m, err := filepath.Glob(filepath.Join(dir, "ingest-*"))
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	for _, p := range m {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	return nil
}
