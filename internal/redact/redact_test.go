package redact

import (
	"bytes"
	"context"
	"crypto/sha256"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// russianPage has the name twice (once hyphenated across lines) and
// another form of it, Горбачева, that must stay.
var russianPage = []string{
	"Михаил Горбачёв встретился",
	"с семьёй Горбачева в Москве.",
	"Письмо подписал М. С. Горба-",
	"чёв и отправил его в Париж.",
}

func needAll(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "convert", "mat2")
}

func sum(t *testing.T, p string) [32]byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// found reports whether the term is in s as a whole word, normalised as
// the verifier does.
func found(s, term string) bool {
	return len(find(tokenize(textWords(s)), termPattern(term))) > 0
}

func ocrText(t *testing.T, pdf, dir string) string {
	t.Helper()
	base := filepath.Join(dir, "check")
	if out, err := exec.Command("pdftoppm", "-png", "-r", "200", "-singlefile", pdf, base).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	out, err := exec.Command("tesseract", base+".png", "stdout", "-l", "rus+eng", "--dpi", "200").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return string(out)
}

func TestRedactRussianName(t *testing.T) {
	needAll(t)
	src := t.TempDir()
	img := render(t, src, "page.png", russianPage...)
	jpg := filepath.Join(src, "photo.jpg")
	if out, err := exec.Command("convert", img, "-quality", "90", jpg).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
	for _, orig := range []string{img, jpg, tesseractPDF(t, img)} {
		t.Run(filepath.Ext(orig), func(t *testing.T) {
			// The original says what the redaction must remove.
			if filepath.Ext(orig) == ".pdf" && !found(pdftotext(t, orig), "Горбачёв") {
				t.Fatalf("the original's text layer lacks the name:\n%s", pdftotext(t, orig))
			}
			before := sum(t, orig)
			dir := t.TempDir()
			start := time.Now()
			res, err := Redact(context.Background(), Request{Src: orig, Terms: []string{"Горбачёв"}, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d page(s) in %v", filepath.Base(orig), res.Pages, time.Since(start))
			if !res.Report.OK() || res.Path == "" {
				t.Fatalf("redaction failed verification:\n%s", res.Report)
			}
			if res.Burned < 3 {
				t.Errorf("%d boxes burned, want at least the 3 pieces of the name", res.Burned)
			}
			if c, _ := check(res.Report, "marks"); !strings.Contains(c.Detail, `"Горбачёв" ×2 by OCR`) {
				t.Errorf("the marks check does not count the 2 occurrences: %s", c.Detail)
			}
			if sum(t, orig) != before {
				t.Error("the original changed")
			}
			text := pdftotext(t, res.Path)
			if found(text, "Горбачёв") {
				t.Errorf("pdftotext still finds the name:\n%s", text)
			}
			if !found(text, "Горбачева") || !found(text, "Москве") {
				t.Errorf("the rest of the page is gone from the new text layer:\n%s", text)
			}
			seen := ocrText(t, res.Path, t.TempDir())
			if found(seen, "Горбачёв") || strings.Contains(strings.ToLower(seen), "горбачёв ") {
				t.Errorf("OCR still reads the name:\n%s", seen)
			}
			if !found(seen, "Горбачева") {
				t.Errorf("OCR no longer reads the other form, so the check proves little:\n%s", seen)
			}
			b, _ := os.ReadFile(res.Path)
			for _, m := range []string{"/Info", "CreationDate", "Tesseract", "/Metadata"} {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("the copy holds %s", m)
				}
			}
			// Nothing but the copy is left in the caller's folder.
			left, _ := os.ReadDir(dir)
			if len(left) != 1 || filepath.Join(dir, left[0].Name()) != res.Path {
				t.Errorf("left in the folder: %v", left)
			}
		})
	}
}

// A box given by hand that misses the word: the copy looks redacted (a
// black box on the page) but both the OCR and the fresh text layer still
// read the name, so verification fails.
func TestVerifyFailsWhenABoxMissesTheWord(t *testing.T) {
	needAll(t)
	src := t.TempDir()
	img := render(t, src, "page.png", russianPage...)
	dir := t.TempDir()
	// The first line's baseline is at y=120 px; this box is below the page's text.
	res, err := Redact(context.Background(), Request{Src: img, Boxes: []Box{{Page: 1, X0: 80, Y0: 480, X1: 600, Y1: 530}}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path == "" || res.Burned != 1 {
		t.Fatalf("a box-only redaction gave path %q, %d boxes:\n%s", res.Path, res.Burned, res.Report)
	}
	r, err := Verify(context.Background(), res.Path, []string{"Горбачёв"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() {
		t.Fatalf("a box that missed the name passed:\n%s", r)
	}
	wantChecks(t, r, false, "OCR", "text layer")
	wantChecks(t, r, true, structural...)
}

// A given box that covers the word is enough without a term.
func TestRedactBoxCoversTheWord(t *testing.T) {
	needAll(t)
	src := t.TempDir()
	img := render(t, src, "page.png", "Report by Ivan Petrov today")
	dir := t.TempDir()
	// Find the words as the package does, then give their box by hand.
	var boxes []pixBox
	toks, _, err := ocrTokens(context.Background(), img, dir, 200, &boxes)
	if err != nil {
		t.Fatal(err)
	}
	hits := find(toks, termPattern("Ivan Petrov"))
	if len(hits) != 1 {
		t.Fatalf("the test image does not read as expected: %+v", toks)
	}
	var given []Box
	for _, i := range hits[0] {
		b := boxes[toks[i].boxes[0]]
		given = append(given, Box{Page: 1, X0: float64(b.X0), Y0: float64(b.Y0), X1: float64(b.X1), Y1: float64(b.Y1)})
	}
	res, err := Redact(context.Background(), Request{Src: img, Boxes: given, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Verify(context.Background(), res.Path, []string{"Ivan Petrov", "Ivan", "Petrov"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("boxes over the name did not hide it:\n%s", r)
	}
	if !found(pdftotext(t, res.Path), "Report") {
		t.Error("the rest of the line is gone")
	}
	// The words under the boxes are reported, and only those.
	if got := res.Boxed[1]; !slices.Contains(got, "ivan") || !slices.Contains(got, "petrov") || slices.Contains(got, "report") || slices.Contains(got, "today") {
		t.Errorf("words under the boxes: %q", got)
	}
}

func TestRedactRefuses(t *testing.T) {
	dir := t.TempDir()
	txt := writeFile(t, dir, "a.txt", []byte("Горбачёв"))
	if _, err := Redact(context.Background(), Request{Src: txt, Terms: []string{"Горбачёв"}, Dir: dir}); err != ErrFormat {
		t.Errorf("a text file: err = %v, want ErrFormat", err)
	}
	if _, err := Redact(context.Background(), Request{Src: txt, Dir: dir}); err == nil || !strings.Contains(err.Error(), "nothing to redact") {
		t.Errorf("no marks: err = %v", err)
	}
	if _, err := Redact(context.Background(), Request{Src: txt, Terms: []string{"x"}, Dir: dir, DPI: 72}); err == nil {
		t.Error("72 dpi accepted")
	}
}

// With the painting broken, the copy fails verification, is deleted and
// is not returned.
func TestRedactReturnsNoUnverifiedCopy(t *testing.T) {
	needAll(t)
	img := render(t, t.TempDir(), "page.png", russianPage...)
	saved := painter
	painter = func(*image.RGBA, []pixBox) {}
	defer func() { painter = saved }()
	dir := t.TempDir()
	res, err := Redact(context.Background(), Request{Src: img, Terms: []string{"Горбачёв"}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != "" || res.Report.OK() {
		t.Fatalf("an unpainted copy came back as %q:\n%s", res.Path, res.Report)
	}
	wantChecks(t, res.Report, false, "text layer", "OCR")
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left in the folder: %v", left)
	}
}

// Several pages, from a multi-page TIFF and a multi-page PDF: the name on
// page 2 only, a box on page 1.
func TestRedactSeveralPages(t *testing.T) {
	needAll(t)
	need(t, "pdfunite")
	src := t.TempDir()
	p1 := render(t, src, "p1.png", "Report by Ivan Petrov today", "Secret line here")
	p2 := render(t, src, "p2.png", russianPage...)
	tiff := filepath.Join(src, "scan.tiff")
	if out, err := exec.Command("convert", p1, p2, tiff).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
	pdf := filepath.Join(src, "two.pdf")
	if out, err := exec.Command("pdfunite", tesseractPDF(t, p1), tesseractPDF(t, p2), pdf).CombinedOutput(); err != nil {
		t.Fatalf("pdfunite: %v: %s", err, out)
	}
	for _, c := range []struct {
		orig string
		box  Box
	}{
		// "Secret line here" is the second line: baseline 220 px; in points at 200 dpi, ×0.36.
		{tiff, Box{Page: 1, X0: 60, Y0: 170, X1: 800, Y1: 240}},
		{pdf, Box{Page: 1, X0: 60 * 0.36, Y0: 170 * 0.36, X1: 800 * 0.36, Y1: 240 * 0.36}},
	} {
		t.Run(filepath.Ext(c.orig), func(t *testing.T) {
			dir := t.TempDir()
			start := time.Now()
			res, err := Redact(context.Background(), Request{Src: c.orig, Terms: []string{"Горбачёв"}, Boxes: []Box{c.box}, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d pages in %v", filepath.Base(c.orig), res.Pages, time.Since(start))
			if res.Pages != 2 || res.Path == "" {
				t.Fatalf("%d pages, path %q:\n%s", res.Pages, res.Path, res.Report)
			}
			pages := strings.Split(pdftotext(t, res.Path), "\f")
			if len(pages) < 2 {
				t.Fatalf("the copy has %d pages of text", len(pages))
			}
			if found(pages[0], "Secret") || !found(pages[0], "Ivan Petrov") {
				t.Errorf("page 1: the box's line should be gone and the rest kept:\n%s", pages[0])
			}
			if found(pages[1], "Горбачёв") || !found(pages[1], "Горбачева") {
				t.Errorf("page 2: the name should be gone and its other form kept:\n%s", pages[1])
			}
			if got := res.Boxed; !slices.Contains(got[1], "secret") || slices.Contains(got[1], "petrov") || len(got[2]) != 0 {
				t.Errorf("words under the box: %v", got)
			}
		})
	}
	if _, err := Redact(context.Background(), Request{Src: pdf, Boxes: []Box{{Page: 3, X1: 1, Y1: 1}}, Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "page 3") {
		t.Errorf("a box on page 3 of 2: err = %v", err)
	}
}

// BenchmarkRedactPage measures one page of a text-layer PDF: rendering,
// finding the terms, burning, OCR for the new text layer, and Verify.
func BenchmarkRedactPage(b *testing.B) {
	need(b, "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "convert", "mat2")
	src := b.TempDir()
	pdf := tesseractPDF(b, render(b, src, "page.png", russianPage...))
	start := time.Now()
	for b.Loop() {
		res, err := Redact(context.Background(), Request{Src: pdf, Terms: []string{"Горбачёв"}, Dir: b.TempDir()})
		if err != nil || res.Path == "" {
			b.Fatalf("%v:\n%s", err, res.Report)
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/page")
}
