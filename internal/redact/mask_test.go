package redact

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

func TestMaskSolid(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	black := image.NewUniform(color.Black)
	draw.Draw(img, image.Rect(10, 10, 90, 60), black, image.Point{}, draw.Src)   // a redaction box
	draw.Draw(img, image.Rect(120, 10, 128, 90), black, image.Point{}, draw.Src) // a stroke, 8 px thick
	draw.Draw(img, image.Rect(130, 50, 190, 58), black, image.Point{}, draw.Src) // a rule
	m, ok := maskSolid(img)
	if !ok {
		t.Fatal("the box was not found")
	}
	dark := func(x, y int) bool { return m.RGBAAt(x, y).R < 64 }
	for _, p := range []image.Point{{10, 10}, {89, 59}, {50, 35}} {
		if dark(p.X, p.Y) {
			t.Errorf("box pixel %v left black", p)
		}
	}
	for _, p := range []image.Point{{120, 10}, {127, 89}, {150, 54}} {
		if !dark(p.X, p.Y) {
			t.Errorf("print pixel %v masked", p)
		}
	}
	if _, ok := maskSolid(image.NewRGBA(image.Rect(0, 0, 10, 10))); ok {
		t.Error("a tiny blank image has a box")
	}
}
