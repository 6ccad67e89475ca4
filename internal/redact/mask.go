package redact

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"strings"
)

// solid is the side, in pixels, of the smallest square of black that
// counts as a redaction box rather than print: at 200 dpi about 3 mm,
// thicker than the strokes of body text.
const solid = 24

// dark is a pixel that counts as part of a black box.
func dark(c color.Color) bool { return color.GrayModel.Convert(c).(color.Gray).Y < 64 }

// maskSolid returns img with every solid black area of at least
// solid×solid pixels painted white, and whether there was any. Tesseract
// drops a whole line when a black box sits in it, so a word left beside a
// box is read only once the box is gone.
func maskSolid(img image.Image) (*image.RGBA, bool) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < solid || h < solid {
		return nil, false
	}
	// sat[y][x] counts the dark pixels above and left of (x, y).
	sat := make([]int32, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		row := int32(0)
		for x := 0; x < w; x++ {
			if dark(img.At(b.Min.X+x, b.Min.Y+y)) {
				row++
			}
			sat[(y+1)*(w+1)+x+1] = sat[y*(w+1)+x+1] + row
		}
	}
	// diff marks, by a 2-D difference array, every full window.
	diff := make([]int32, (w+1)*(h+1))
	any := false
	for y := 0; y+solid <= h; y++ {
		for x := 0; x+solid <= w; x++ {
			n := sat[(y+solid)*(w+1)+x+solid] - sat[y*(w+1)+x+solid] - sat[(y+solid)*(w+1)+x] + sat[y*(w+1)+x]
			if n == solid*solid {
				any = true
				diff[y*(w+1)+x]++
				diff[y*(w+1)+x+solid]--
				diff[(y+solid)*(w+1)+x]--
				diff[(y+solid)*(w+1)+x+solid]++
			}
		}
	}
	if !any {
		return nil, false
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	// Prefix sums turn diff into coverage counts in place.
	for y := 0; y <= h; y++ {
		for x := 0; x <= w; x++ {
			i := y*(w+1) + x
			if x > 0 {
				diff[i] += diff[i-1]
			}
			if y > 0 {
				diff[i] += diff[i-(w+1)]
			}
			if x > 0 && y > 0 {
				diff[i] -= diff[i-(w+1)-1]
			}
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if diff[y*(w+1)+x] > 0 {
				out.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
	return out, true
}

// readPage OCRs a page image twice when it has black boxes, as it is and
// with the boxes masked white, and returns both readings' tokens (with
// boxes non-nil, their word boxes appended to it) and the words read.
func readPage(ctx context.Context, png, work string, dpi int, boxes *[]pixBox) ([][]token, int, error) {
	toks, n, err := ocrTokens(ctx, png, work, dpi, boxes)
	if err != nil {
		return nil, 0, err
	}
	img, err := decode(png)
	if err != nil {
		return nil, 0, err
	}
	masked, ok := maskSolid(img)
	if !ok {
		return [][]token{toks}, n, nil
	}
	mp := strings.TrimSuffix(png, ".png") + "-masked.png"
	if err := writePNG(mp, masked); err != nil {
		return nil, 0, err
	}
	more, m, err := ocrTokens(ctx, mp, work, dpi, boxes)
	if err != nil {
		return nil, 0, err
	}
	return [][]token{toks, more}, max(n, m), nil
}
