package redact

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // originals may be JPEG
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"confide/internal/ingest/tool"
)

// Box is a rectangle to burn out of page Page (counted from 1), in the
// page's own units: points (1/72 inch) from the top-left corner for a
// PDF, pixels from the top-left corner for an image.
type Box struct {
	Page           int
	X0, Y0, X1, Y1 float64
}

// Request is one redaction.
type Request struct {
	Src   string   // the original, only ever read
	Terms []string // burned out wherever the text layer or OCR finds them
	Boxes []Box    // burned out as given
	// Dir is the caller's folder: temporary files are made in a folder
	// inside it and removed; the verified copy is left in it.
	Dir      string
	DPI      int // rasterisation, 200 if 0; 200 to 300
	MaxPages int // pages accepted, 500 if 0
}

// Result is a redaction and its proof.
type Result struct {
	Report Report
	// Path is the verified copy in Request.Dir, set only when every check
	// of Report passed; a copy that failed is deleted.
	Path   string
	Pages  int
	Burned int // boxes burned in, found and given
	// Boxed lists, by page, the words (folded as terms are) that the text
	// layer or OCR of the original places under a given box: what the
	// caller must not publish in a page's text beside the copy.
	Boxed map[int][]string
}

// MaxPixels bounds one page image (decoded in memory to burn boxes in).
const MaxPixels = 60 << 20

// ErrFormat means the original is not a PDF, PNG, JPEG or TIFF.
var ErrFormat = errors.New("redact: not a PDF, PNG, JPEG or TIFF file")

// Redact makes a redacted copy of req.Src as a PDF: every page rasterised
// at req.DPI, the boxes of req.Boxes and of every occurrence of req.Terms
// (found by the original's text layer and by OCR) painted solid black with
// a margin, a text layer from OCR of the painted page, no metadata; then
// Verify runs on it. The error is for a redaction that could not run.
func Redact(ctx context.Context, req Request) (Result, error) {
	var res Result
	if req.DPI == 0 {
		req.DPI = 200
	}
	if req.DPI < 200 || req.DPI > 300 {
		return res, fmt.Errorf("redact: resolution %d dpi is outside 200–300", req.DPI)
	}
	if req.MaxPages <= 0 {
		req.MaxPages = 500
	}
	if req.Dir == "" {
		return res, errors.New("redact: no folder given for temporary files")
	}
	patterns, err := patternsOf(req.Terms)
	if err != nil {
		return res, err
	}
	if len(patterns) == 0 && len(req.Boxes) == 0 {
		return res, errors.New("redact: nothing to redact: give a term or a box")
	}
	// The tools run inside the work folder, where a relative path would
	// name another file.
	if req.Src, err = filepath.Abs(req.Src); err != nil {
		return res, fmt.Errorf("redact: %w", err)
	}
	if req.Dir, err = filepath.Abs(req.Dir); err != nil {
		return res, fmt.Errorf("redact: %w", err)
	}
	kind, err := sniff(req.Src)
	if err != nil {
		return res, err
	}
	work, err := os.MkdirTemp(req.Dir, "redact-")
	if err != nil {
		return res, fmt.Errorf("redact: %w", err)
	}
	defer os.RemoveAll(work)

	pages, err := rasterise(ctx, kind, req, work)
	if err != nil {
		return res, err
	}
	res.Pages = len(pages)
	for _, b := range req.Boxes {
		if b.Page < 1 || b.Page > len(pages) {
			return res, fmt.Errorf("redact: a box is on page %d of a %d-page document", b.Page, len(pages))
		}
	}
	total := hits{map[string]int{}, map[string]int{}}
	var list strings.Builder
	for i, pg := range pages {
		page := hits{map[string]int{}, map[string]int{}}
		n, boxed, err := burnPage(ctx, req, work, i+1, pg, patterns, page)
		if err != nil {
			return res, err
		}
		if len(boxed) > 0 {
			if res.Boxed == nil {
				res.Boxed = map[int][]string{}
			}
			res.Boxed[i+1] = boxed
		}
		for t := range patterns {
			total.ocr[t] += page.ocr[t]
			total.layer[t] += page.layer[t]
		}
		res.Burned += n
		list.WriteString(pg.png + "\n")
	}
	listPath := filepath.Join(work, "pages.txt")
	if err := os.WriteFile(listPath, []byte(list.String()), 0o600); err != nil {
		return res, fmt.Errorf("redact: %w", err)
	}
	base := filepath.Join(work, "ocr")
	err = tool.Run(ctx, tool.Cmd{Name: "tesseract", Args: []string{listPath, base, "-l", "rus+eng", "--dpi", strconv.Itoa(req.DPI), "pdf"}, TmpDir: work})
	if err != nil {
		return res, fmt.Errorf("redact: the text layer: %w", err)
	}
	raw, err := os.ReadFile(base + ".pdf")
	if err != nil {
		return res, fmt.Errorf("redact: %w", err)
	}
	clean, err := writeClean(raw)
	if err != nil {
		return res, err
	}
	out, err := os.CreateTemp(req.Dir, "redacted-*.pdf")
	if err != nil {
		return res, fmt.Errorf("redact: %w", err)
	}
	_, err = out.Write(clean)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return res, fmt.Errorf("redact: %w", err)
	}
	res.Report, err = Verify(ctx, out.Name(), req.Terms, work)
	if err != nil || !res.Report.OK() {
		os.Remove(out.Name())
		return res, err
	}
	var counts []string
	for _, t := range sortedTerms(patterns) {
		counts = append(counts, fmt.Sprintf("%q ×%d by OCR, ×%d by the text layer", t, total.ocr[t], total.layer[t]))
	}
	detail := fmt.Sprintf("%d boxes burned on %d pages", res.Burned, res.Pages)
	if len(counts) > 0 {
		detail += "; occurrences found in the original: " + strings.Join(counts, ", ")
	}
	res.Report.Checks = append([]Check{{Name: "marks", Pass: true, Detail: detail}}, res.Report.Checks...)
	res.Path = out.Name()
	return res, nil
}

type kind int

const (
	kindPDF kind = iota + 1
	kindImage
	kindTIFF
)

func sniff(path string) (kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("redact: %w", err)
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return kindPDF, nil
	case bytes.HasPrefix(head, []byte("\x89PNG")), bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return kindImage, nil
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return kindTIFF, nil
	}
	return 0, ErrFormat
}

// page is one rasterised page: its PNG in the work folder, the scale from
// page units to its pixels, and the original's text-layer words.
type page struct {
	png    string
	sx, sy float64
	words  []layoutWord
}

type layoutWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64
	line                   int
}

func rasterise(ctx context.Context, k kind, req Request, work string) ([]page, error) {
	switch k {
	case kindPDF:
		sizes, err := PageSizes(ctx, req.Src, work)
		if err != nil {
			return nil, fmt.Errorf("redact: the PDF cannot be read: %w", err)
		}
		if len(sizes) > req.MaxPages {
			return nil, fmt.Errorf("redact: %d pages, more than the %d accepted", len(sizes), req.MaxPages)
		}
		pages := make([]page, len(sizes))
		for i := range pages {
			if err := checkRenderable(sizes[i], req.DPI); err != nil {
				return nil, fmt.Errorf("redact: page %d: %w", i+1, err)
			}
			png, err := renderPage(ctx, req.Src, work, i+1, req.DPI)
			if err != nil {
				return nil, fmt.Errorf("redact: rendering page %d: %w", i+1, err)
			}
			w, h, words, err := layout(ctx, req.Src, work, i+1)
			if err != nil {
				return nil, err
			}
			iw, ih, err := pngSize(png)
			if err != nil {
				return nil, err
			}
			pages[i] = page{png: png, sx: float64(iw) / w, sy: float64(ih) / h, words: words}
		}
		return pages, nil
	case kindTIFF:
		// Go has no TIFF decoder in the standard library; ImageMagick
		// writes each page (frame) as a PNG.
		pat := filepath.Join(work, "tiff-%04d.png")
		if err := tool.Run(ctx, tool.Cmd{Name: "convert", Args: []string{req.Src + "[0-" + strconv.Itoa(req.MaxPages) + "]", pat}, TmpDir: work}); err != nil {
			return nil, fmt.Errorf("redact: the TIFF cannot be read: %w", err)
		}
		files, _ := filepath.Glob(filepath.Join(work, "tiff-*.png"))
		sort.Strings(files)
		if len(files) == 0 || len(files) > req.MaxPages {
			return nil, fmt.Errorf("redact: the TIFF gave %d pages (1 to %d accepted)", len(files), req.MaxPages)
		}
		pages := make([]page, len(files))
		for i, f := range files {
			pages[i] = page{png: f, sx: 1, sy: 1}
		}
		return pages, nil
	}
	// PNG or JPEG: one page, decoded once here and written as PNG, which
	// also drops whatever metadata the original carried.
	img, err := decode(req.Src)
	if err != nil {
		return nil, err
	}
	// On white, as a printed page: transparent pixels would read as black.
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	p := filepath.Join(work, "image.png")
	if err := writePNG(p, flat); err != nil {
		return nil, err
	}
	return []page{{png: p, sx: 1, sy: 1}}, nil
}

// decode reads an image after checking its size from the header.
func decode(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("redact: the image cannot be read: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, fmt.Errorf("redact: the image is %d×%d pixels, more than the %d accepted", cfg.Width, cfg.Height, MaxPixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("redact: the image cannot be read: %w", err)
	}
	return img, nil
}

func pngSize(path string) (int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("redact: %w", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return 0, 0, fmt.Errorf("redact: a rendered page: %w", err)
	}
	return cfg.Width, cfg.Height, nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("redact: %w", err)
	}
	err = png.Encode(f, img)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("redact: %w", err)
	}
	return nil
}

// layout reads page n's text-layer words and page size (points) with
// pdftotext -bbox-layout.
func layout(ctx context.Context, src, work string, n int) (float64, float64, []layoutWord, error) {
	var out bytes.Buffer
	p := strconv.Itoa(n)
	err := tool.Run(ctx, tool.Cmd{Name: "pdftotext", Args: []string{"-bbox-layout", "-enc", "UTF-8", "-f", p, "-l", p, src, "-"}, Stdout: &limited{w: &out, n: 64 << 20}, TmpDir: work})
	if err != nil {
		return 0, 0, nil, fmt.Errorf("redact: the text layer of page %d: %w", n, err)
	}
	var doc struct {
		Pages []struct {
			W     float64 `xml:"width,attr"`
			H     float64 `xml:"height,attr"`
			Lines []struct {
				Words []struct {
					XMin float64 `xml:"xMin,attr"`
					YMin float64 `xml:"yMin,attr"`
					XMax float64 `xml:"xMax,attr"`
					YMax float64 `xml:"yMax,attr"`
					Text string  `xml:",chardata"`
				} `xml:"word"`
			} `xml:"flow>block>line"`
		} `xml:"body>doc>page"`
	}
	d := xml.NewDecoder(&out)
	d.Strict = false
	d.Entity = xml.HTMLEntity
	if err := d.Decode(&doc); err != nil || len(doc.Pages) != 1 || doc.Pages[0].W <= 0 || doc.Pages[0].H <= 0 {
		return 0, 0, nil, fmt.Errorf("redact: pdftotext's layout of page %d cannot be read: %v", n, err)
	}
	pg := doc.Pages[0]
	var words []layoutWord
	for li, l := range pg.Lines {
		for _, w := range l.Words {
			words = append(words, layoutWord{text: w.Text, xMin: w.XMin, yMin: w.YMin, xMax: w.XMax, yMax: w.YMax, line: li})
		}
	}
	return pg.W, pg.H, words, nil
}

// hits counts a term's occurrences by how they were found.
type hits struct{ ocr, layer map[string]int }

// burnPage finds the terms on one page, by its text layer and by OCR of
// its image, and paints those boxes and the page's given ones black.
func burnPage(ctx context.Context, req Request, work string, n int, pg page, patterns map[string]string, counts hits) (int, []string, error) {
	var boxes []pixBox
	var ws []word
	for _, w := range pg.words {
		ws = append(ws, word{text: w.text, box: len(boxes), line: w.line})
		boxes = append(boxes, pixBox{int(w.xMin * pg.sx), int(w.yMin * pg.sy), int(w.xMax*pg.sx + 1), int(w.yMax*pg.sy + 1)})
	}
	layer := tokenize(ws)
	readings, _, err := readPage(ctx, pg.png, work, req.DPI, &boxes)
	if err != nil {
		return 0, nil, fmt.Errorf("redact: OCR of page %d: %w", n, err)
	}
	// Each OCR reading finds the same occurrences; count the most any one
	// found. All readings' boxes are burned.
	burn := map[int]bool{}
	for r, toks := range append(readings, layer) {
		for t, p := range patterns {
			hits := find(toks, p)
			if r == len(readings) {
				counts.layer[t] += len(hits)
			} else {
				counts.ocr[t] = max(counts.ocr[t], len(hits))
			}
			for _, hit := range hits {
				for _, i := range hit {
					for _, b := range toks[i].boxes {
						burn[b] = true
					}
				}
			}
		}
	}
	var paint, given []pixBox
	for b := range burn {
		paint = append(paint, boxes[b])
	}
	for _, b := range req.Boxes {
		if b.Page == n {
			given = append(given, pixBox{int(b.X0 * pg.sx), int(b.Y0 * pg.sy), int(b.X1*pg.sx + 1), int(b.Y1*pg.sy + 1)})
		}
	}
	paint = append(paint, given...)
	boxed := under(append(append([][]token(nil), readings...), layer), boxes, given)
	img, err := decode(pg.png)
	if err != nil {
		return 0, nil, err
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	painter(rgba, paint)
	return len(paint), boxed, writePNG(pg.png, rgba)
}

// under lists the tokens, of any reading, a third of whose word box or
// more lies inside one of the given boxes, sorted and once each.
func under(readings [][]token, boxes, given []pixBox) []string {
	seen := map[string]bool{}
	var out []string
	for _, toks := range readings {
		for _, t := range toks {
			for _, b := range t.boxes {
				if b >= 0 && b < len(boxes) && !seen[t.text] && covered(boxes[b], given) {
					seen[t.text] = true
					out = append(out, t.text)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// covered reports whether a third of w's area or more is inside a box.
func covered(w pixBox, given []pixBox) bool {
	area := (w.X1 - w.X0) * (w.Y1 - w.Y0)
	if area <= 0 {
		return false
	}
	for _, g := range given {
		in := image.Rect(w.X0, w.Y0, w.X1, w.Y1).Intersect(image.Rect(g.X0, g.Y0, g.X1, g.Y1))
		if 3*in.Dx()*in.Dy() >= area {
			return true
		}
	}
	return false
}

// painter burns boxes into a page; a variable so that a test can break it
// and see verification refuse the copy.
var painter = func(img *image.RGBA, boxes []pixBox) {
	for _, b := range boxes {
		draw.Draw(img, withMargin(b).Intersect(img.Bounds()), image.NewUniform(color.Black), image.Point{}, draw.Src)
	}
}

// withMargin grows a box by a fifth of its height (at least 3 pixels) on
// every side: OCR and text-layer boxes are tight, and a sliver of an
// ascender or a descender left is enough to guess a short word.
func withMargin(b pixBox) image.Rectangle {
	if b.X1 < b.X0 {
		b.X0, b.X1 = b.X1, b.X0
	}
	if b.Y1 < b.Y0 {
		b.Y0, b.Y1 = b.Y1, b.Y0
	}
	m := max(3, (b.Y1-b.Y0)/5)
	return image.Rect(b.X0-m, b.Y0-m, b.X1+m, b.Y1+m)
}
