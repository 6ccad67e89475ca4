package redact

import (
	"bytes"
	"confide/internal/pdftest"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// need skips a test whose external programs are missing (scripts/test.sh
// installs them all, and fails on any skip).
func need(t testing.TB, progs ...string) {
	t.Helper()
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
}

// tinyPDF builds a one-page PDF by hand: content is the page's content
// stream, extra more objects (numbered from 5), catalogExtra and
// trailerExtra go into the catalog and the trailer. The cross-reference
// table is computed, so the file is valid unless the caller breaks it.
func tinyPDF(content string, catalogExtra, trailerExtra string, extra ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R " + catalogExtra + ">>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	objs = append(objs, extra...)
	return pdftest.File(objs, strings.TrimSpace(trailerExtra))
}

// plainText is a page with two lines of Helvetica text, no term on it.
const plainText = "BT /F1 28 Tf 30 120 Td (Report of the day) Tj 0 -50 Td (nothing to hide) Tj ET"

// appendUpdate adds an incremental update to a PDF: one changed object, a
// new cross-reference section and a trailer pointing at the old one.
func appendUpdate(b []byte) []byte {
	var u bytes.Buffer
	u.Write(b)
	off := u.Len()
	u.WriteString("\n5 0 obj\n<< /Title (a draft) >>\nendobj\n")
	x := u.Len()
	fmt.Fprintf(&u, "xref\n5 1\n%010d 00000 n \ntrailer\n<< /Size 6 /Root 1 0 R /Prev 0 >>\nstartxref\n%d\n%%%%EOF\n", off+1, x)
	return u.Bytes()
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// render draws lines of text into a PNG with ImageMagick, DejaVu Sans at
// a size tesseract reads reliably at 200 dpi.
func render(t testing.TB, dir, name string, lines ...string) string {
	t.Helper()
	need(t, "convert")
	p := filepath.Join(dir, name)
	args := []string{"-size", "1600x" + fmt.Sprint(140+100*len(lines)), "xc:white", "-font", "DejaVu-Sans", "-pointsize", "44", "-fill", "black"}
	for i, l := range lines {
		args = append(args, "-annotate", fmt.Sprintf("+80+%d", 120+100*i), l)
	}
	args = append(args, "-density", "200", "-units", "PixelsPerInch", p)
	if out, err := exec.Command("convert", args...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
	return p
}

// tesseractPDF makes a PDF with a text layer from an image, as a scanner
// with OCR would.
func tesseractPDF(t testing.TB, img string) string {
	t.Helper()
	need(t, "tesseract")
	base := strings.TrimSuffix(img, filepath.Ext(img)) + "-ocr"
	if out, err := exec.Command("tesseract", img, base, "-l", "rus+eng", "--dpi", "200", "pdf").CombinedOutput(); err != nil {
		t.Fatalf("tesseract: %v: %s", err, out)
	}
	return base + ".pdf"
}

func pdftotext(t testing.TB, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func check(r Report, name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// wantChecks fails unless each named check is present with the given
// outcome.
func wantChecks(t *testing.T, r Report, pass bool, names ...string) {
	t.Helper()
	for _, n := range names {
		c, ok := check(r, n)
		if !ok {
			t.Errorf("no check %q in report:\n%s", n, r)
			continue
		}
		if c.Pass != pass {
			t.Errorf("check %q pass=%v, want %v:\n%s", n, c.Pass, pass, r)
		}
	}
}
