package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"confide/internal/ingest/ocr"
	"confide/internal/ingest/tool"
)

func popplerStep(name, action string) Step {
	return Step{Tool: name, Version: tool.Version(name, "-v"), Action: action}
}

func ocrStep(o ocr.Options, action string) Step {
	return Step{Tool: "tesseract", Version: tool.Version("tesseract", "--version"), Action: fmt.Sprintf("%s (%s, %d dpi)", action, o.Lang, 300)}
}

// pdfInfoFields maps pdfinfo's keys to field names.
var pdfInfoFields = map[string]string{
	"Title": "title", "Author": "author", "Subject": "subject", "Keywords": "keywords", "Creator": "creator",
	"Producer": "producer", "CreationDate": "created", "ModDate": "modified", "Pages": "pages", "Encrypted": "encrypted",
}

var pageSizeRe = regexp.MustCompile(`^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts`)

// pdfFailure turns poppler's complaint into a human reason.
func pdfFailure(p string, err error) error {
	var tt *toolTimeout
	if errors.As(err, &tt) {
		return fail(KindTimeout, p, err, "the PDF took too long to read (%s did not finish in %s)", tt.name, tt.after)
	}
	var te *tool.Error
	if errors.As(err, &te) {
		switch s := te.Stderr; {
		case strings.Contains(s, "Incorrect password"), strings.Contains(s, "encrypted"):
			return fail(KindEncrypted, p, err, "PDF is encrypted")
		default:
			return fail(KindCorrupt, p, err, "the PDF is damaged and cannot be read")
		}
	}
	if errors.Is(err, tool.ErrMissing) {
		return fail(KindTool, p, err, "poppler-utils is not installed, so PDFs cannot be read")
	}
	return err
}

// pdf reads a PDF page by page: the text layer with pdftotext; pages
// without usable text are rendered at 300 dpi and OCRed. A PDF that says
// nothing of encryption is read by pdftotext alone (its -htmlmeta header
// gives the metadata, its form feeds the pages): pdfinfo costs as much
// again as pdftotext on a small file. pdfinfo runs when pdftotext cannot
// tell enough: for an encrypted PDF (what it allows), for page sizes before
// OCR, and for the page count of a PDF past the limit.
func (w *walk) pdf(d *Document, src *source) error {
	f, size, err := w.file(src)
	if err != nil {
		return err
	}
	encrypted, err := mentions(f, size, []byte("/Encrypt"))
	if err != nil {
		return err
	}
	var sizes map[int][2]float64
	var texts []string
	var cut bool
	pages := -1
	if !encrypted {
		pw := &pageWriter{max: w.lim.MaxText, html: true}
		// One page past the limit tells a PDF that has too many.
		c := tool.Cmd{Name: "pdftotext", Args: []string{"-layout", "-enc", "UTF-8", "-htmlmeta", "-f", "1", "-l", strconv.Itoa(w.lim.MaxPages + 1), f.Name(), "-"}, Stdout: pw, TmpDir: w.o.TmpDir}
		if err := w.run(c); err != nil {
			return pdfFailure(d.Path, err)
		}
		texts, cut = pw.pages(), pw.cut
		if pw.head == nil {
			// No header where pdftotext puts it (metadata past its
			// bound): read it the long way.
			encrypted = true
		} else {
			for k, v := range pw.meta() {
				if f := pdfInfoFields[k]; f != "" && v != "" {
					d.Fields[f] = v
				}
			}
			pages = len(texts)
			if pages > w.lim.MaxPages {
				if n, _, err := w.pdfInfo(d, f); err == nil {
					pages = n
				}
				return fail(KindTooLarge, d.Path, nil, "the PDF has %d pages, past the limit of %d", pages, w.lim.MaxPages)
			}
			d.Fields["pages"] = strconv.Itoa(pages)
			d.Fields["encrypted"] = "no"
			d.Steps = append(d.Steps, popplerStep("pdftotext", "metadata and text layer (-layout)"))
		}
	}
	if encrypted {
		if pages, sizes, err = w.pdfInfo(d, f); err != nil {
			return err
		}
		// One pdftotext run for all pages; it ends each page with a form feed.
		pw := &pageWriter{max: w.lim.MaxText}
		c := tool.Cmd{Name: "pdftotext", Args: []string{"-layout", "-enc", "UTF-8", "-f", "1", "-l", strconv.Itoa(max(pages, 1)), f.Name(), "-"}, Stdout: pw, TmpDir: w.o.TmpDir}
		if err := w.run(c); err != nil {
			return pdfFailure(d.Path, err)
		}
		texts, cut = pw.pages(), pw.cut
		d.Steps = append(d.Steps, popplerStep("pdftotext", "text layer (-layout)"))
	}
	if cut {
		d.warn("the text is cut at %s (the limit)", human(w.lim.MaxText))
	}
	var firstErr error
	ocred, unread := 0, 0
	for n := 1; n <= pages; n++ {
		pg := Page{Number: n}
		if n <= len(texts) {
			pg.Text = strings.TrimRight(texts[n-1], " \n")
		}
		ok := usable(pg.Text, w.o.MinLetters)
		if !ok && w.o.NoOCR {
			unread++
		}
		if !ok && !w.o.NoOCR && !cut {
			if sizes == nil {
				if _, sizes, err = w.pdfInfo(d, f); err != nil {
					return err
				}
			}
			sz := sizes[n]
			px := (sz[0] / 72 * 300) * (sz[1] / 72 * 300)
			switch {
			case sz[0] <= 0 || sz[1] <= 0:
			case px > float64(w.lim.MaxPixels) || math.IsInf(px, 0):
				if firstErr == nil {
					firstErr = fail(KindTooLarge, d.Path, nil, "page %d would render to %s million pixels, past the limit of %d million", n, strconv.FormatFloat(px/1e6, 'f', 0, 64), w.lim.MaxPixels/1_000_000)
				}
			default:
				res, err := w.ocrPDFPage(f, n)
				if err != nil {
					if w.ctx.Err() != nil {
						return w.ctx.Err()
					}
					if firstErr == nil {
						firstErr = ocrFailure(d.Path, n, err)
					}
				} else {
					ocred++
					// A page OCR finds nothing on keeps its few layer letters.
					if strings.TrimSpace(res.Text) != "" {
						pg.OCR, pg.Text, pg.Words, pg.Confidence, pg.LowConfidence = true, res.Text, res.Words, res.Confidence, res.Low
					}
				}
			}
		}
		d.Pages = append(d.Pages, pg)
	}
	if unread > 0 {
		d.warn("%d pages have no usable text layer and OCR is off", unread)
	}
	if ocred > 0 {
		d.Steps = append(d.Steps, popplerStep("pdftoppm", "render pages without text at 300 dpi"), ocrStep(w.o.OCR, fmt.Sprintf("OCR of %d pages", ocred)))
	}
	return firstErr
}

// pdfInfo runs pdfinfo: the metadata into d's fields, the page count
// (refused past the limit) and each page's size in points.
func (w *walk) pdfInfo(d *Document, f *os.File) (int, map[int][2]float64, error) {
	var info bytes.Buffer
	infoCmd := tool.Cmd{Name: "pdfinfo", Args: []string{"-enc", "UTF-8", "-isodates", "-f", "1", "-l", strconv.Itoa(w.lim.MaxPages), f.Name()}, Stdout: &info, TmpDir: w.o.TmpDir}
	if err := w.run(infoCmd); err != nil {
		return 0, nil, pdfFailure(d.Path, err)
	}
	d.Steps = append(d.Steps, popplerStep("pdfinfo", "metadata and page sizes"))
	sizes := map[int][2]float64{}
	for _, line := range strings.Split(info.String(), "\n") {
		if m := pageSizeRe.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			pw, _ := strconv.ParseFloat(m[2], 64)
			ph, _ := strconv.ParseFloat(m[3], 64)
			sizes[n] = [2]float64{pw, ph}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if f := pdfInfoFields[k]; ok && f != "" && strings.TrimSpace(v) != "" {
			d.Fields[f] = strings.TrimSpace(v)
		}
	}
	pages, err := strconv.Atoi(d.Fields["pages"])
	if err != nil || pages < 0 {
		return 0, nil, fail(KindCorrupt, d.Path, err, "the PDF is damaged: its page count cannot be read")
	}
	if pages > w.lim.MaxPages {
		return 0, nil, fail(KindTooLarge, d.Path, nil, "the PDF has %d pages, past the limit of %d", pages, w.lim.MaxPages)
	}
	return pages, sizes, nil
}

// mentions reports whether the first size bytes of f hold word, read in
// chunks that overlap by its length.
func mentions(f *os.File, size int64, word []byte) (bool, error) {
	buf := make([]byte, 64<<10)
	keep := 0 // bytes carried over from the chunk before
	for off := int64(0); off < size; {
		n, err := f.ReadAt(buf[keep:], off)
		if n > 0 {
			off += int64(n)
			end := keep + n
			if bytes.Contains(buf[:end], word) {
				return true, nil
			}
			keep = min(len(word)-1, end)
			copy(buf, buf[end-keep:end])
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("ingest: %w", err)
		}
	}
	return false, nil
}

func ocrFailure(p string, page int, err error) error {
	if errors.Is(err, ocr.ErrTimeout) {
		return fail(KindTimeout, p, err, "OCR timed out on page %d", page)
	}
	if errors.Is(err, tool.ErrMissing) {
		return fail(KindTool, p, err, "tesseract is not installed, so page %d could not be OCRed", page)
	}
	return fail(KindTool, p, err, "OCR failed on page %d", page)
}

// ocrPDFPage renders one page and OCRs it, the two programs in one slot,
// the image passing through a pipe, never the disk.
func (w *walk) ocrPDFPage(f *os.File, n int) (ocr.Page, error) {
	release, err := tool.Acquire(w.ctx)
	if err != nil {
		return ocr.Page{}, err
	}
	defer release()
	ctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	pr, pwr := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := tool.RunHeld(ctx, tool.Cmd{Name: "pdftoppm", Args: []string{"-png", "-gray", "-r", "300", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-singlefile", f.Name()}, Stdout: pwr, TmpDir: w.o.TmpDir})
		pwr.CloseWithError(err)
		done <- err
	}()
	res, err := ocr.Recognize(ctx, w.o.OCR, ocr.Image{R: pr, Held: true})
	pr.CloseWithError(errors.New("ingest: OCR finished"))
	cancel()
	if rerr := <-done; err == nil && rerr != nil && !errors.Is(rerr, context.Canceled) {
		err = rerr
	}
	if err != nil {
		return ocr.Page{}, err
	}
	if len(res) == 0 {
		return ocr.Page{Number: n}, nil
	}
	return res[0], nil
}

// pageWriter splits pdftotext's output on form feeds, keeping at most max
// bytes in all. With html, the output is pdftotext -htmlmeta's: a header
// of metadata (its values escaped) up to "<pre>", the text as ever (not
// escaped), and a footer after the last page's form feed.
type pageWriter struct {
	done []string
	cur  bytes.Buffer
	n    int64
	max  int64
	cut  bool

	html  bool
	hbuf  []byte // the header so far
	head  []byte // the whole header, once read
	hfull bool   // the header ran past maxPDFHeader
}

// maxPDFHeader bounds pdftotext's metadata header.
const maxPDFHeader = 1 << 20

var preTag = []byte("<pre>\n")

func (p *pageWriter) Write(b []byte) (int, error) {
	total := len(b)
	if p.html && p.head == nil {
		if p.hfull {
			return total, nil
		}
		start := max(len(p.hbuf)-len(preTag)+1, 0)
		p.hbuf = append(p.hbuf, b...)
		i := bytes.Index(p.hbuf[start:], preTag)
		if i < 0 {
			if len(p.hbuf) > maxPDFHeader {
				p.hfull, p.hbuf = true, nil
			}
			return total, nil
		}
		i += start
		p.head = p.hbuf[:i]
		b = p.hbuf[i+len(preTag):]
		p.hbuf = nil
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\f')
		chunk := b
		if i >= 0 {
			chunk = b[:i]
		}
		if room := p.max - p.n; int64(len(chunk)) > room {
			chunk = chunk[:max(room, 0)]
			p.cut = true
		}
		p.cur.Write(chunk)
		p.n += int64(len(chunk))
		if i < 0 {
			break
		}
		p.done = append(p.done, strings.ToValidUTF8(p.cur.String(), ""))
		p.cur.Reset()
		b = b[i+1:]
	}
	return total, nil
}

func (p *pageWriter) pages() []string {
	if p.cur.Len() > 0 && !p.html {
		p.done = append(p.done, strings.ToValidUTF8(p.cur.String(), ""))
	}
	// After -htmlmeta's last form feed comes only its footer.
	p.cur.Reset()
	return p.done
}

var (
	htmlTitleRe = regexp.MustCompile(`<title>([^<]*)</title>`)
	htmlMetaRe  = regexp.MustCompile(`<meta name="([^"<]*)" content="([^"<]*)"/>`)
)

// meta is the -htmlmeta header's metadata by pdfinfo's names (Title,
// Author, CreationDate…), unescaped.
func (p *pageWriter) meta() map[string]string {
	m := map[string]string{}
	head := strings.ToValidUTF8(string(p.head), "")
	if t := htmlTitleRe.FindStringSubmatch(head); t != nil {
		m["Title"] = strings.TrimSpace(html.UnescapeString(t[1]))
	}
	for _, kv := range htmlMetaRe.FindAllStringSubmatch(head, -1) {
		m[html.UnescapeString(kv[1])] = strings.TrimSpace(html.UnescapeString(kv[2]))
	}
	return m
}

// usable says whether a text layer is worth keeping: enough letters, and
// not mostly the replacement characters and controls that fonts without a
// Unicode map give.
func usable(s string, minLetters int) bool {
	letters, junk := 0, 0
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
			letters++ // most of a text layer: the tables after
		case ' ' <= r && r < 0x7f:
		case unicode.IsLetter(r):
			letters++
		case r == unicode.ReplacementChar || unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r':
			junk++
		}
	}
	return letters >= minLetters && junk*4 < letters
}
