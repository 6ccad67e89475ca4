package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
		return fail(KindTimeout, p, err, "the PDF took too long to read (%s)", tt.Error())
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
// without usable text are rendered at 300 dpi and OCRed.
func (w *walk) pdf(d *Document, src *source) error {
	f, _, err := w.file(src)
	if err != nil {
		return err
	}
	var info bytes.Buffer
	infoCmd := tool.Cmd{Name: "pdfinfo", Args: []string{"-enc", "UTF-8", "-isodates", "-f", "1", "-l", strconv.Itoa(w.lim.MaxPages), f.Name()}, Stdout: &info, TmpDir: w.o.TmpDir}
	if err := w.run(infoCmd); err != nil {
		return pdfFailure(d.Path, err)
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
		return fail(KindCorrupt, d.Path, err, "the PDF is damaged: its page count cannot be read")
	}
	if pages > w.lim.MaxPages {
		return fail(KindTooLarge, d.Path, nil, "the PDF has %d pages, past the limit of %d", pages, w.lim.MaxPages)
	}
	// One pdftotext run for all pages; it ends each page with a form feed.
	pw := &pageWriter{max: w.lim.MaxText}
	c := tool.Cmd{Name: "pdftotext", Args: []string{"-layout", "-enc", "UTF-8", "-f", "1", "-l", strconv.Itoa(max(pages, 1)), f.Name(), "-"}, Stdout: pw, TmpDir: w.o.TmpDir}
	if err := w.run(c); err != nil {
		return pdfFailure(d.Path, err)
	}
	d.Steps = append(d.Steps, popplerStep("pdftotext", "text layer (-layout)"))
	texts := pw.pages()
	if pw.cut {
		d.Warnings = append(d.Warnings, "the text is cut at "+human(w.lim.MaxText)+" (the limit)")
	}
	var firstErr error
	ocred, unread := 0, 0
	for n := 1; n <= pages; n++ {
		pg := Page{Number: n}
		if n <= len(texts) {
			pg.Text = strings.TrimRight(texts[n-1], " \n")
		}
		if !usable(pg.Text, w.o.MinLetters) && w.o.NoOCR {
			unread++
		}
		if !usable(pg.Text, w.o.MinLetters) && !w.o.NoOCR && !pw.cut {
			sz := sizes[n]
			px := (sz[0] / 72 * 300) * (sz[1] / 72 * 300)
			switch {
			case sz[0] <= 0 || sz[1] <= 0:
			case px > float64(w.lim.MaxPixels) || math.IsInf(px, 0):
				if firstErr == nil {
					firstErr = fail(KindTooLarge, d.Path, nil, "page %d would render to %.0f million pixels, past the limit of %d million", n, px/1e6, w.lim.MaxPixels/1_000_000)
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
		d.Warnings = append(d.Warnings, fmt.Sprintf("%d pages have no usable text layer and OCR is off", unread))
	}
	if ocred > 0 {
		d.Steps = append(d.Steps, popplerStep("pdftoppm", "render pages without text at 300 dpi"), ocrStep(w.o.OCR, fmt.Sprintf("OCR of %d pages", ocred)))
	}
	return firstErr
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
// bytes in all.
type pageWriter struct {
	done []string
	cur  bytes.Buffer
	n    int64
	max  int64
	cut  bool
}

func (p *pageWriter) Write(b []byte) (int, error) {
	total := len(b)
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
	if p.cur.Len() > 0 {
		p.done = append(p.done, strings.ToValidUTF8(p.cur.String(), ""))
		p.cur.Reset()
	}
	return p.done
}

// usable says whether a text layer is worth keeping: enough letters, and
// not mostly the replacement characters and controls that fonts without a
// Unicode map give.
func usable(s string, minLetters int) bool {
	letters, junk := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == unicode.ReplacementChar || unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r':
			junk++
		}
	}
	return letters >= minLetters && junk*4 < letters
}
