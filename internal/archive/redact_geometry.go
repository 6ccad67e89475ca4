package archive

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // JPEG originals' sizes
	_ "image/png"  // PNG originals' sizes
	"math"
	"strings"

	"confide/internal/ingest"
	"confide/internal/redact"
)

// maxCanvas is the widest a page image is shown on the redaction page, in
// CSS pixels; a PDF page is shown at its 100 dpi rendering.
const maxCanvas = 1000

// canvas is how a page image is shown on the redaction page: its size in
// CSS pixels, fixed by the page so that a click's x, y (which the browser
// gives in those pixels) maps to the page's own units by Scale.
type canvas struct {
	W, H  int
	Scale float64 // page units (points for a PDF, pixels for an image) per CSS pixel
	// UW, UH are the page's size in its own units, which bound a box.
	UW, UH float64
}

// canvasSizes are the widths, widest first, a page image is offered at on
// the redaction page, each an image button of its own name: with no
// script the server cannot know the window's width, so the style sheet
// shows the one that fits (.redact-canvas.view-NAME) and the name of the
// button clicked says which size the click's pixels are in.
var canvasSizes = []struct {
	Name string
	Max  int
}{{"at", maxCanvas}, {"atm", 680}, {"ats", 320}}

// canvasView is the page image at one of the canvasSizes, with what is
// drawn over it in its own pixels.
type canvasView struct {
	Name   string
	W, H   int
	FX, FY float64 // canvas pixels per pixel of this view
	Boxes  []shownBox
	Corner *shownBox
}

// views is the canvas at each of the canvasSizes (the widest is the
// canvas itself, so its clicks map exactly as the canvas says).
func (c canvas) views() []canvasView {
	var out []canvasView
	for _, z := range canvasSizes {
		w := min(c.W, z.Max)
		h := max(int(math.Round(float64(c.H)*float64(w)/float64(c.W))), 1)
		if w == c.W {
			h = c.H
		}
		out = append(out, canvasView{Name: z.Name, W: w, H: h, FX: float64(c.W) / float64(w), FY: float64(c.H) / float64(h)})
	}
	return out
}

// click maps a click at x, y in view v's pixels to the page's own units,
// within the page, to a hundredth of a unit (no false precision).
func (c canvas) click(v canvasView, x, y int) (float64, float64) {
	x, y = min(max(x, 0), v.W), min(max(y, 0), v.H)
	return min(math.Round(float64(x)*v.FX*c.Scale*100)/100, c.UW), min(math.Round(float64(y)*v.FY*c.Scale*100)/100, c.UH)
}

// show is box b of the marks (index i) in view v's pixels.
func (c canvas) show(v canvasView, b redact.Box, i int) shownBox {
	sx, sy := c.Scale*v.FX, c.Scale*v.FY
	return shownBox{Index: i, Page: b.Page, X: int(b.X0 / sx), Y: int(b.Y0 / sy), W: max(int((b.X1-b.X0)/sx), 1), H: max(int((b.Y1-b.Y0)/sy), 1)}
}

// redactable reports whether the redaction library reads a document's type.
func redactable(d *Document) bool {
	switch d.Type {
	case ingest.TypePDF, ingest.TypePNG, ingest.TypeJPEG, ingest.TypeTIFF:
		return d.Parent == ""
	}
	return false
}

// pageCanvas measures page n of a document for the redaction page: pdfinfo
// gives a PDF page's size in points, an image's header its pixels.
func (a *Archive) pageCanvas(ctx context.Context, d *Document, n int) (canvas, error) {
	f, err := a.stored(d)
	if err != nil {
		return canvas{}, err
	}
	defer f.Close()
	if d.Type == ingest.TypePDF {
		sizes, err := redact.PageSizes(ctx, f.Name(), a.tmp)
		if err != nil {
			return canvas{}, fmt.Errorf("archive: the size of page %d: %w", n, err)
		}
		if n < 1 || n > len(sizes) {
			return canvas{}, ErrNoImage
		}
		// PageImage renders at 100 dpi: one CSS pixel is 0.72 points.
		w, h := sizes[n-1][0], sizes[n-1][1]
		return canvas{W: int(math.Round(w * 100 / 72)), H: int(math.Round(h * 100 / 72)), Scale: 0.72, UW: w, UH: h}, nil
	}
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return canvas{}, fmt.Errorf("archive: the image %s cannot be measured: %v", d.Path, err)
	}
	c := canvas{W: min(cfg.Width, maxCanvas), UW: float64(cfg.Width), UH: float64(cfg.Height)}
	c.Scale = float64(cfg.Width) / float64(c.W)
	c.H = int(math.Round(float64(cfg.Height) / c.Scale))
	return c, nil
}

// wordChoice is one word of a page's text offered as a checkbox.
type wordChoice struct {
	Key, Text string
}

// pageWords splits a page's text into lines of words, each keyed
// "line.word" for the form.
func pageWords(text string) [][]wordChoice {
	var out [][]wordChoice
	for l, line := range strings.Split(text, "\n") {
		var ws []wordChoice
		for w, f := range strings.Fields(line) {
			ws = append(ws, wordChoice{Key: fmt.Sprintf("%d.%d", l, w), Text: f})
		}
		if len(ws) > 0 {
			out = append(out, ws)
		}
	}
	return out
}

// chosenTerms turns the words checked on a page into terms: words next to
// each other on a line make one term ("Иван Петров"), since a name is
// burned as a whole.
func chosenTerms(text string, keys []string) []string {
	chosen := map[string]bool{}
	for _, k := range keys {
		chosen[k] = true
	}
	var terms []string
	for l, line := range strings.Split(text, "\n") {
		var run []string
		flush := func() {
			if len(run) > 0 {
				terms = append(terms, strings.Join(run, " "))
				run = nil
			}
		}
		for w, f := range strings.Fields(line) {
			if chosen[fmt.Sprintf("%d.%d", l, w)] {
				run = append(run, strings.Trim(f, ".,;:!?«»\"'()[]—–"))
				continue
			}
			flush()
		}
		flush()
	}
	return terms
}
