package redact

import (
	"context"
	"strings"
	"testing"
)

var structural = []string{"structure", "left-over data", "incremental updates", "metadata", "hidden layers", "attachments", "annotations", "javascript and actions", "encryption", "pdfinfo", "mat2"}

func TestVerifyPassesAPlainFile(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "mat2")
	dir := t.TempDir()
	p := writeFile(t, dir, "plain.pdf", tinyPDF(plainText, "", ""))
	r, err := Verify(context.Background(), p, []string{"Ivan Petrov"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("a file with nothing to hide failed:\n%s", r)
	}
	wantChecks(t, r, true, append(structural, "text layer", "OCR")...)
	// The OCR check really read the page: the words it counted are there.
	if c, _ := check(r, "OCR"); strings.Contains(c.Detail, " 0 words") {
		t.Errorf("OCR read nothing: %s", c.Detail)
	}
}

// The classic failed redaction: a black rectangle drawn over text that
// stays in the file. The page looks redacted; pdftotext still reads it.
func TestVerifyFailsWhenTheTextLayerIsLeft(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "mat2")
	dir := t.TempDir()
	content := "BT /F1 28 Tf 30 120 Td (Report by Ivan Petrov) Tj ET 0 0 0 rg 150 105 260 45 re f"
	p := writeFile(t, dir, "boxed.pdf", tinyPDF(content, "", ""))
	r, err := Verify(context.Background(), p, []string{"Ivan Petrov"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() {
		t.Fatalf("text under a black box passed:\n%s", r)
	}
	wantChecks(t, r, false, "text layer")
	wantChecks(t, r, true, "OCR") // the box does hide it from the eye
	// …and OCR read the rest of the line beside the box.
	if c, _ := check(r, "OCR"); strings.Contains(c.Detail, " 0 words") {
		t.Errorf("OCR read nothing beside the box: %s", c.Detail)
	}
	if c, _ := check(r, "text layer"); !strings.Contains(c.Detail, `"Ivan Petrov"`) {
		t.Errorf("the failure does not name the term: %s", c.Detail)
	}
}

func TestVerifyFailsOnHiddenParts(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "mat2")
	plain := tinyPDF(plainText, "", "")
	cases := []struct {
		name  string
		pdf   []byte
		fails []string
	}{
		{"incremental update", appendUpdate(plain), []string{"incremental updates"}},
		{"metadata", tinyPDF(plainText, "", "/Info 5 0 R ", "<< /Producer (x) /Author (Jane Doe) /CreationDate (D:20261201091800Z) >>"), []string{"metadata", "pdfinfo", "mat2"}},
		{"xmp", tinyPDF(plainText, "/Metadata 5 0 R ", "", "<< /Type /Metadata /Subtype /XML /Length 20 >>\nstream\n<?xpacket begin?>  \nendstream"), []string{"metadata", "pdfinfo"}},
		{"attachment", tinyPDF(plainText, "/Names << /EmbeddedFiles << /Names [(notes.txt) 5 0 R] >> >> ", "",
			"<< /Type /Filespec /F (notes.txt) /EF << /F 6 0 R >> >>", "<< /Type /EmbeddedFile /Length 11 >>\nstream\nIvan Petrov\nendstream"), []string{"attachments", "pdfinfo"}},
		{"orphan object", tinyPDF(plainText, "", "", "<< /Length 44 >>\nstream\nBT /F1 28 Tf 30 120 Td (Ivan Petrov) Tj ET\nendstream"), []string{"left-over data"}},
		{"comment", []byte(strings.Replace(string(tinyPDF(plainText, "", "")), "endobj", "endobj\n%Ivan Petrov", 1)), []string{"left-over data"}},
		{"data between objects", []byte(strings.Replace(string(tinyPDF(plainText, "", "")), "endobj", "endobj\n(Ivan Petrov)", 1)), []string{"left-over data"}},
		{"annotation", tinyPDF(plainText, "", "", "<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (Ivan Petrov) >>"), []string{"annotations"}},
		{"hidden layer", tinyPDF(plainText, "/OCProperties << /OCGs [5 0 R] /D << /OFF [5 0 R] >> >> ", "", "<< /Type /OCG /Name (draft) >>"), []string{"hidden layers"}},
		{"javascript action", tinyPDF(plainText, "/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ", ""), []string{"javascript and actions"}},
		{"javascript names", tinyPDF(plainText, "/Names << /JavaScript << /Names [(a) 5 0 R] >> >> ", "", "<< /S /JavaScript /JS (app.alert(1)) >>"), []string{"javascript and actions", "pdfinfo"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, dir, "f.pdf", c.pdf)
			r, err := Verify(context.Background(), p, []string{"Ivan Petrov"}, dir)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK() {
				t.Fatalf("passed:\n%s", r)
			}
			wantChecks(t, r, false, c.fails...)
		})
	}
}

func TestVerifyRefusesBadTerms(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "plain.pdf", tinyPDF(plainText, "", ""))
	if _, err := Verify(context.Background(), p, []string{"..."}, dir); err == nil {
		t.Error("a term with no letters was accepted")
	}
}

// A box that covers the start of the line but misses the name beside it
// on the same line (a black box there can make tesseract drop the whole
// line; TestVerifyFailsWhenTheTextLayerIsLeft shows the masked reading
// that catches it).
func TestVerifyFailsWhenABoxMissesTheWordBesideIt(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "convert")
	img := render(t, t.TempDir(), "page.png", "Report by Ivan Petrov today")
	dir := t.TempDir()
	// "Report by" is at x 80–330, baseline 120 px; the box is a tall one.
	res, err := Redact(context.Background(), Request{Src: img, Boxes: []Box{{Page: 1, X0: 70, Y0: 30, X1: 330, Y1: 200}}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path == "" {
		t.Fatalf("a box-only redaction failed:\n%s", res.Report)
	}
	r, err := Verify(context.Background(), res.Path, []string{"Petrov"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() {
		t.Fatalf("the name beside the box passed:\n%s", r)
	}
	wantChecks(t, r, false, "OCR")
}

// A page too large to render within MaxPixels is refused before pdftoppm
// spends on it.
func TestHugePageRefused(t *testing.T) {
	need(t, "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "mat2")
	dir := t.TempDir()
	huge := strings.Replace(string(tinyPDF(plainText, "", "")), "/MediaBox [0 0 420 200]", "/MediaBox [0 0 14400 14400]", 1)
	p := writeFile(t, dir, "huge.pdf", []byte(huge))
	r, err := Verify(context.Background(), p, []string{"Ivan"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	wantChecks(t, r, false, "pages")
	if _, err := Redact(context.Background(), Request{Src: p, Terms: []string{"Ivan"}, Dir: dir}); err == nil || !strings.Contains(err.Error(), "pixels") {
		t.Errorf("Redact of a huge page: err = %v", err)
	}
}
