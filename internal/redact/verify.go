package redact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"confide/internal/ingest/ocr"
	"confide/internal/ingest/tool"
)

// Check is one verification step and its outcome.
type Check struct {
	Name   string
	Pass   bool
	Detail string
}

// Report lists every check run on a redacted file.
type Report struct {
	Checks []Check
}

// OK reports whether every check passed; a report with no checks is not OK.
func (r Report) OK() bool {
	if len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if !c.Pass {
			return false
		}
	}
	return true
}

// String is the report as lines of "PASS name: detail" or "FAIL …".
func (r Report) String() string {
	var b strings.Builder
	for _, c := range r.Checks {
		mark := "PASS"
		if !c.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", mark, c.Name, c.Detail)
	}
	return b.String()
}

// run runs a program for a check. A program that is not installed is an
// error (the verification cannot run); one that fails fails the check.
func (r *Report) run(ctx context.Context, check string, c tool.Cmd) (bool, error) {
	err := tool.Run(ctx, c)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, tool.ErrMissing):
		return false, fmt.Errorf("redact: %w", err)
	}
	r.add(check, false, err.Error())
	return false, nil
}

func (r *Report) add(name string, pass bool, detail string) {
	r.Checks = append(r.Checks, Check{Name: name, Pass: pass, Detail: detail})
}

// MaxFile bounds the PDF read into memory by the structure scan.
const MaxFile = 256 << 20

// VerifyDPI is the resolution pages are rendered at for OCR.
const VerifyDPI = 200

// Verify checks the PDF at path: no term survives in its text layer
// (pdftotext) or in what OCR reads from its rendered pages (as they are,
// and with solid black areas masked white, since a black box makes
// tesseract drop the words beside it), and it has no
// metadata, hidden layers, attachments, annotations, JavaScript,
// encryption or incremental updates. Temporary files (rendered pages) go
// to a folder made inside dir and removed before Verify returns. The error
// is for a verification that could not run (a missing tool, a bad term);
// a file that fails a check comes back as a Report that is not OK.
func Verify(ctx context.Context, path string, terms []string, dir string) (Report, error) {
	var r Report
	patterns, err := patternsOf(terms)
	if err != nil {
		return r, err
	}
	// The tools run inside the work folder, where a relative path would
	// name another file.
	if path, err = filepath.Abs(path); err != nil {
		return r, fmt.Errorf("redact: %w", err)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return r, fmt.Errorf("redact: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return r, fmt.Errorf("redact: %w", err)
	}
	if fi.Size() > MaxFile {
		r.add("structure", false, fmt.Sprintf("%d bytes, more than the %d this check reads", fi.Size(), MaxFile))
		return r, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("redact: %w", err)
	}
	checkStructure(&r, b)

	work, err := os.MkdirTemp(dir, "verify-")
	if err != nil {
		return r, fmt.Errorf("redact: %w", err)
	}
	defer os.RemoveAll(work)
	if err := checkPdfinfo(ctx, &r, path, work); err != nil {
		return r, err
	}
	if err := checkMat2(ctx, &r, path, work); err != nil {
		return r, err
	}
	sizes, err := PageSizes(ctx, path, work)
	if err != nil {
		r.add("pages", false, err.Error())
		return r, nil
	}
	for i, sz := range sizes {
		if err := checkRenderable(sz, VerifyDPI); err != nil {
			r.add("pages", false, fmt.Sprintf("page %d: %v", i+1, err))
			return r, nil
		}
	}
	pages := len(sizes)
	if err := checkTextLayer(ctx, &r, path, work, pages, patterns); err != nil {
		return r, err
	}
	if err := checkOCR(ctx, &r, path, work, pages, patterns); err != nil {
		return r, err
	}
	return r, nil
}

// patternsOf folds each term; a term with no letters or digits cannot be
// searched for and is refused rather than silently passing.
func patternsOf(terms []string) (map[string]string, error) {
	p := map[string]string{}
	for _, t := range terms {
		f := termPattern(t)
		if f == "" {
			return nil, fmt.Errorf("redact: the term %q has no letters or digits to look for", t)
		}
		p[t] = f
	}
	return p, nil
}

// flagged names, by check: each is a way to hide content from a reader
// of the page or to carry it beside the page.
var flagged = []struct {
	check string
	names []string
}{
	{"hidden layers", []string{"OCProperties", "OCG", "OCGs", "OCMD"}},
	{"attachments", []string{"EmbeddedFiles", "EmbeddedFile", "FileAttachment", "Filespec", "RichMedia", "AF"}},
	{"annotations", []string{"Annots", "Annot", "AcroForm", "Widget"}},
	{"javascript and actions", []string{"JavaScript", "JS", "AA", "OpenAction", "Launch", "SubmitForm", "ImportData"}},
	{"encryption", []string{"Encrypt"}},
}

func checkStructure(r *Report, b []byte) {
	s := ScanPDF(b)
	switch {
	case !bytes.HasPrefix(b, []byte("%PDF-")):
		r.add("structure", false, "no %PDF- header")
	case len(s.Damaged) > 0:
		r.add("structure", false, "damaged: "+strings.Join(s.Damaged, "; "))
	case len(s.Objects) == 0 || s.Root == [2]int{}:
		r.add("structure", false, "no objects or no catalog")
	default:
		r.add("structure", true, fmt.Sprintf("%d objects, catalog %d %d", len(s.Objects), s.Root[0], s.Root[1]))
	}
	var hidden []string
	if s.Stray > 0 {
		hidden = append(hidden, fmt.Sprintf("%d tokens outside any object", s.Stray))
	}
	if s.Comments > 0 {
		hidden = append(hidden, fmt.Sprintf("%d comments", s.Comments))
	}
	if len(s.Unreferenced) > 0 {
		hidden = append(hidden, fmt.Sprintf("unreferenced objects %v", s.Unreferenced))
	}
	if len(hidden) > 0 {
		r.add("left-over data", false, strings.Join(hidden, "; "))
	} else {
		r.add("left-over data", true, "no data outside the objects, no comments, every object referenced")
	}
	rev := fmt.Sprintf("%d %%%%EOF, %d startxref, %d xref sections, %d trailers, /Prev %v", s.EOFs, s.StartXrefs, s.Xrefs, s.Trailers, s.Prev)
	r.add("incremental updates", !s.Incremental() && s.EOFs == 1 && s.StartXrefs == 1 && s.Xrefs == 1, rev)
	extra := slices.DeleteFunc(slices.Clone(s.InfoKeys), func(k string) bool { return k == "Producer" })
	var meta []string
	if len(extra) > 0 {
		meta = append(meta, "information dictionary has "+strings.Join(extra, ", "))
	}
	if s.Names["Metadata"] || s.XMP {
		meta = append(meta, "XMP metadata")
	}
	if s.Names["PieceInfo"] {
		meta = append(meta, "application data (/PieceInfo)")
	}
	if len(meta) > 0 {
		r.add("metadata", false, strings.Join(meta, "; "))
	} else {
		r.add("metadata", true, fmt.Sprintf("information dictionary keys: %v", s.InfoKeys))
	}
	for _, f := range flagged {
		var seen []string
		for _, n := range f.names {
			if s.Names[n] {
				seen = append(seen, "/"+n)
			}
		}
		if len(seen) > 0 {
			r.add(f.check, false, "found "+strings.Join(seen, ", "))
		} else {
			r.add(f.check, true, "none of /"+strings.Join(f.names, ", /"))
		}
	}
}

// checkPdfinfo asks poppler, a real PDF reader, for a second opinion on
// metadata, JavaScript and attachments.
func checkPdfinfo(ctx context.Context, r *Report, path, work string) error {
	var out bytes.Buffer
	if ok, err := r.run(ctx, "pdfinfo", tool.Cmd{Name: "pdfinfo", Args: []string{path}, Stdout: &out, TmpDir: work}); !ok {
		return err
	}
	var bad []string
	for _, l := range strings.Split(out.String(), "\n") {
		k, v, ok := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		if !ok {
			continue
		}
		switch k {
		case "Title", "Subject", "Keywords", "Author", "Creator", "CreationDate", "ModDate":
			if v != "" {
				bad = append(bad, k)
			}
		case "Custom Metadata", "Metadata Stream", "JavaScript":
			if v != "no" {
				bad = append(bad, k+" "+v)
			}
		case "Form":
			if v != "none" {
				bad = append(bad, "Form "+v)
			}
		case "Encrypted":
			if v != "no" {
				bad = append(bad, "Encrypted")
			}
		}
	}
	out.Reset()
	if err := tool.Run(ctx, tool.Cmd{Name: "pdfdetach", Args: []string{"-list", path}, Stdout: &out, TmpDir: work}); err != nil {
		bad = append(bad, "pdfdetach: "+err.Error())
	} else if l, _, _ := strings.Cut(out.String(), "\n"); !strings.HasPrefix(l, "0 embedded files") {
		bad = append(bad, "pdfdetach: "+l)
	}
	if len(bad) > 0 {
		r.add("pdfinfo", false, strings.Join(bad, "; "))
	} else {
		r.add("pdfinfo", true, "poppler sees no metadata, form, JavaScript or attachment")
	}
	return nil
}

// checkMat2 asks mat2, the project's metadata cleaner, for a third
// opinion: it must show nothing but the format and unset dates.
func checkMat2(ctx context.Context, r *Report, path, work string) error {
	var out bytes.Buffer
	if ok, err := r.run(ctx, "mat2", tool.Cmd{Name: "mat2", Args: []string{"--show", path}, Stdout: &limited{w: &out, n: 1 << 20}, TmpDir: work}); !ok {
		return err
	}
	var bad []string
	for _, l := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(l, " ") {
			continue // the "[+] Metadata for" heading
		}
		k, v, _ := strings.Cut(strings.TrimSpace(l), ":")
		v = strings.TrimSpace(v)
		switch {
		case k == "format":
		case (k == "creation-date" || k == "mod-date") && v == "-1":
		default:
			bad = append(bad, k+": "+v)
		}
	}
	if len(bad) > 0 {
		r.add("mat2", false, "mat2 shows "+strings.Join(bad, "; "))
	} else {
		r.add("mat2", true, "mat2 shows no metadata")
	}
	return nil
}

// PageSizes asks pdfinfo for every page's size in points (width, height),
// so that a page too large to render is refused before pdftoppm spends on
// it; work is the folder the tool runs in.
func PageSizes(ctx context.Context, path, work string) ([][2]float64, error) {
	var out bytes.Buffer
	if err := tool.Run(ctx, tool.Cmd{Name: "pdfinfo", Args: []string{"-f", "1", "-l", "1000000", path}, Stdout: &limited{w: &out, n: 16 << 20}, TmpDir: work}); err != nil {
		return nil, err
	}
	var sizes [][2]float64
	pages := -1
	for _, l := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("pdfinfo says %q pages", strings.TrimSpace(v))
			}
			pages = n
		}
		var n int
		var w, h float64
		if _, err := fmt.Sscanf(l, "Page %d size: %g x %g", &n, &w, &h); err == nil && n == len(sizes)+1 {
			sizes = append(sizes, [2]float64{w, h})
		}
	}
	if pages < 1 || len(sizes) != pages {
		return nil, fmt.Errorf("pdfinfo gives %d page sizes for %d pages", len(sizes), pages)
	}
	return sizes, nil
}

// checkRenderable refuses a page that would render to more than MaxPixels.
func checkRenderable(size [2]float64, dpi int) error {
	w, h := size[0]*float64(dpi)/72, size[1]*float64(dpi)/72
	if !(w >= 1 && h >= 1 && w*h <= MaxPixels) {
		return fmt.Errorf("a page of %.0f×%.0f points is more than %d pixels at %d dpi", size[0], size[1], MaxPixels, dpi)
	}
	return nil
}

// survivors lists "term (page N)" for each term found in a page's tokens.
func survivors(page int, toks []token, patterns map[string]string) []string {
	var found []string
	for _, t := range sortedTerms(patterns) {
		if n := len(find(toks, patterns[t])); n > 0 {
			found = append(found, fmt.Sprintf("%q ×%d on page %d", t, n, page))
		}
	}
	return found
}

func sortedTerms(p map[string]string) []string {
	ts := make([]string, 0, len(p))
	for t := range p {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}

func checkTextLayer(ctx context.Context, r *Report, path, work string, pages int, patterns map[string]string) error {
	var out bytes.Buffer
	if ok, err := r.run(ctx, "text layer", tool.Cmd{Name: "pdftotext", Args: []string{"-enc", "UTF-8", path, "-"}, Stdout: &limited{w: &out, n: 64 << 20}, TmpDir: work}); !ok {
		return err
	}
	var found []string
	chars := 0
	for i, p := range strings.Split(out.String(), "\f") {
		chars += len([]rune(strings.TrimSpace(p)))
		found = append(found, survivors(i+1, tokenize(textWords(p)), patterns)...)
	}
	if len(found) > 0 {
		r.add("text layer", false, "pdftotext finds "+strings.Join(found, ", "))
	} else {
		r.add("text layer", true, fmt.Sprintf("pdftotext finds none of %d terms in %d characters", len(patterns), chars))
	}
	return nil
}

func checkOCR(ctx context.Context, r *Report, path, work string, pages int, patterns map[string]string) error {
	var found []string
	words := 0
	for n := 1; n <= pages; n++ {
		png, err := renderPage(ctx, path, work, n, VerifyDPI)
		if err != nil {
			r.add("OCR", false, fmt.Sprintf("page %d: %v", n, err))
			return nil
		}
		readings, count, err := readPage(ctx, png, work, VerifyDPI, nil)
		os.Remove(png)
		os.Remove(strings.TrimSuffix(png, ".png") + "-masked.png")
		if err != nil {
			if errors.Is(err, tool.ErrMissing) {
				return fmt.Errorf("redact: %w", err)
			}
			r.add("OCR", false, fmt.Sprintf("page %d: %v", n, err))
			return nil
		}
		words += count
		for _, toks := range readings {
			found = append(found, survivors(n, toks, patterns)...)
		}
	}
	if len(found) > 0 {
		r.add("OCR", false, "tesseract reads "+strings.Join(found, ", "))
	} else {
		r.add("OCR", true, fmt.Sprintf("tesseract reads none of %d terms in %d words on %d pages", len(patterns), words, pages))
	}
	return nil
}

// renderPage writes page n of the PDF as a PNG at dpi into work.
func renderPage(ctx context.Context, path, work string, n, dpi int) (string, error) {
	base := filepath.Join(work, "page-"+strconv.Itoa(n))
	p := strconv.Itoa(n)
	err := tool.Run(ctx, tool.Cmd{Name: "pdftoppm", Args: []string{"-png", "-r", strconv.Itoa(dpi), "-f", p, "-l", p, "-singlefile", path, base}, TmpDir: work})
	if err != nil {
		return "", err
	}
	return base + ".png", nil
}

// ocrTokens reads an image's words and tokenises them. With boxes non-nil,
// each word's pixel box is appended to it and the tokens index it.
func ocrTokens(ctx context.Context, img, work string, dpi int, boxes *[]pixBox) ([]token, int, error) {
	pages, err := ocr.Recognize(ctx, ocr.Options{DPI: dpi, TmpDir: work}, ocr.Image{Path: img})
	if err != nil {
		return nil, 0, err
	}
	var ws []word
	line, last := 0, [4]int{-1}
	for _, p := range pages {
		for _, w := range p.Words {
			if k := [4]int{p.Number, w.Block, w.Par, w.Line}; k != last {
				line, last = line+1, k
			}
			b := -1
			if boxes != nil {
				b = len(*boxes)
				*boxes = append(*boxes, pixBox{w.Left, w.Top, w.Left + w.Width, w.Top + w.Height})
			}
			ws = append(ws, word{text: w.Text, box: b, line: line})
		}
	}
	return tokenize(ws), len(ws), nil
}

// pixBox is a rectangle in pixels of a rendered page: [X0,X1)×[Y0,Y1).
type pixBox struct{ X0, Y0, X1, Y1 int }

// limited writes at most n bytes to w and then fails, so a tool's output
// is bounded.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if len(p) > l.n {
		return 0, errors.New("redact: tool output beyond its limit")
	}
	l.n -= len(p)
	return l.w.Write(p)
}
