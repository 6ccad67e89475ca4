package ingest

import (
	"bytes"
	"compress/zlib"
	"confide/internal/pdftest"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"
)

// makePDF writes a PDF whose pages each hold either a line of text in
// Helvetica or a full-page grey image; its cross-reference table is real,
// so poppler reads it without repairs.
func makePDF(t *testing.T, pages ...any) []byte {
	t.Helper()
	return makePDFInfo(t, "/Title (Minutes of the committee) /Author (A. Sidorov)", pages...)
}

// makePDFInfo is makePDF with info as the entries of its Info dictionary.
func makePDFInfo(t *testing.T, info string, pages ...any) []byte {
	t.Helper()
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	add("<< /Type /Catalog /Pages 2 0 R >>")
	add("") // the page tree, written once the pages are known
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	var kids []string
	for _, p := range pages {
		var content, res string
		box := "0 0 612 792"
		switch p := p.(type) {
		case string:
			var s strings.Builder
			s.WriteString("BT /F1 14 Tf 72 720 Td 18 TL\n")
			for _, line := range strings.Split(p, "\n") {
				fmt.Fprintf(&s, "(%s) Tj T*\n", strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(line))
			}
			s.WriteString("ET")
			content = s.String()
			res = fmt.Sprintf("<< /Font << /F1 %d 0 R >> >>", font)
		case *image.Gray:
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(p.Pix)
			zw.Close()
			b := p.Bounds()
			img := add(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", b.Dx(), b.Dy(), z.Len(), z.Bytes()))
			// The image at 300 dpi: its pixels over 300 per inch, in points.
			wpt, hpt := float64(b.Dx())*72/300, float64(b.Dy())*72/300
			box = fmt.Sprintf("0 0 %.2f %.2f", wpt, hpt)
			content = fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q", wpt, hpt)
			res = fmt.Sprintf("<< /XObject << /Im1 %d 0 R >> >>", img)
		case [2]int: // an empty page of this size in points
			box = fmt.Sprintf("0 0 %d %d", p[0], p[1])
			res = "<< >>"
		}
		c := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
		pg := add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Contents %d 0 R /Resources %s >>", box, c, res))
		kids = append(kids, fmt.Sprintf("%d 0 R", pg))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	infoObj := add("<< " + info + " >>")
	return pdftest.File(objs, fmt.Sprintf("/Info %d 0 R", infoObj))
}

func grayFixture(t *testing.T, name string) *image.Gray {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readFixture(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

func TestPDFTextLayerAndScannedPage(t *testing.T) {
	e := newTest(t, Options{})
	pdf := makePDF(t, "The committee met on Tuesday and it was agreed\nthat the report would be published in March.", grayFixture(t, "ru.png"), "")
	d := one(t, e, "minutes.pdf", pdf)
	if d.Type != TypePDF || d.Fields["pages"] != "3" || d.Fields["title"] != "Minutes of the committee" || d.Fields["author"] != "A. Sidorov" {
		t.Fatalf("type %s fields %v", d.Type, d.Fields)
	}
	if len(d.Pages) != 3 {
		t.Fatalf("%d pages", len(d.Pages))
	}
	p1, p2, p3 := d.Pages[0], d.Pages[1], d.Pages[2]
	if p1.OCR || !strings.Contains(p1.Text, "committee met on Tuesday") || !strings.Contains(p1.Text, "published in March") || p1.Lang != "en" {
		t.Errorf("text-layer page: %+v", p1)
	}
	if !p2.OCR || !strings.Contains(p2.Text, "Протокол заседания") || p2.Lang != "ru" || p2.Confidence < 80 || len(p2.Words) < 10 {
		t.Errorf("scanned page: ocr=%v conf=%.0f lang=%s text=%q", p2.OCR, p2.Confidence, p2.Lang, p2.Text)
	}
	if p3.Text != "" || p3.Number != 3 {
		t.Errorf("blank page: %+v", p3)
	}
	for _, tool := range []string{"pdfinfo", "pdftotext", "pdftoppm", "tesseract"} {
		if !hasStep(d, tool) {
			t.Errorf("no %s step in %v", tool, d.Steps)
		}
	}
	if s := d.Steps[len(d.Steps)-1].String(); !strings.HasPrefix(s, "tesseract 5.") && !strings.HasPrefix(s, "tesseract 4.") {
		t.Errorf("last step %q", s)
	}
}

func TestPDFOCRLanguageIsApplied(t *testing.T) {
	pdf := makePDF(t, grayFixture(t, "ru.png"))
	ru := one(t, newTest(t, Options{}), "scan.pdf", pdf).Pages[0]
	en := one(t, newTest(t, Options{OCR: ocrOpts("eng")}), "scan.pdf", pdf).Pages[0]
	if ru.Text == en.Text || strings.Contains(en.Text, "Протокол") || !strings.Contains(ru.Text, "Протокол") {
		t.Errorf("rus+eng %q vs eng %q", ru.Text, en.Text)
	}
	if en.Lang == "ru" {
		t.Errorf("eng OCR of Russian detected as Russian: %q", en.Text)
	}
	// Latin look-alikes are guesses, and tesseract says so.
	if !en.LowConfidence || ru.LowConfidence || en.Confidence >= ru.Confidence {
		t.Errorf("confidence: rus+eng %.0f (low %v), eng %.0f (low %v)", ru.Confidence, ru.LowConfidence, en.Confidence, en.LowConfidence)
	}
}

func TestPDFFailures(t *testing.T) {
	e := newTest(t, Options{})
	docs, _ := extract(t, e, "locked.pdf", readFixture(t, "encrypted.pdf"))
	wantFailure(t, docs[0], KindEncrypted, "PDF is encrypted")

	docs, _ = extract(t, e, "broken.pdf", []byte("%PDF-1.4\nthis is no PDF at all\n"))
	wantFailure(t, docs[0], KindCorrupt, "PDF is damaged")

	good := makePDF(t, "some text on the page that is long enough")
	docs, _ = extract(t, e, "cut.pdf", good[:len(good)/3])
	if docs[0].Err == nil && strings.Contains(allText(docs[0]), "long enough") {
		t.Error("a third of a PDF read as if whole")
	}

	// A page of 40,000 × 40,000 points would render to 2.8e10 pixels at
	// 300 dpi: refused before pdftoppm runs.
	start := time.Now()
	docs, _ = extract(t, e, "huge.pdf", makePDF(t, [2]int{40000, 40000}))
	wantFailure(t, docs[0], KindTooLarge, "page 1 would render to")
	if time.Since(start) > 10*time.Second {
		t.Error("the huge page was rendered")
	}

	slow := newTest(t, Options{OCR: ocrTimeout(time.Millisecond)})
	docs, _ = extract(t, slow, "scan.pdf", makePDF(t, "a page with a text layer that needs no OCR at all", grayFixture(t, "ru.png")))
	wantFailure(t, docs[0], KindTimeout, "OCR timed out on page 2")
	if !strings.Contains(docs[0].Pages[0].Text, "needs no OCR") {
		t.Error("the page read before the timeout was lost")
	}
}

func TestToolTimeout(t *testing.T) {
	e := newTest(t, Options{NoOCR: true, ToolTimeout: time.Nanosecond})
	docs, _ := extract(t, e, "minutes.pdf", makePDF(t, "some text"))
	wantFailure(t, docs[0], KindTimeout, "took too long")
}

func TestPDFOwnerPasswordOnlyAndNoOCR(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	d := one(t, e, "owner-only.pdf", readFixture(t, "owner-only.pdf"))
	if !strings.HasPrefix(d.Fields["encrypted"], "yes") || !strings.Contains(allText(d), "committee met on Tuesday") {
		t.Errorf("fields %v text %q", d.Fields, allText(d))
	}
	d = one(t, e, "scan.pdf", makePDF(t, grayFixture(t, "ru.png"), "a page with a text layer long enough"))
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "1 pages have no usable text layer and OCR is off") || d.Pages[0].Text != "" {
		t.Errorf("warnings %q pages %q", d.Warnings, allText(d))
	}
}

// A PDF that says nothing of encryption is read by pdftotext alone (no
// pdfinfo run): the same fields as pdfinfo gives, unescaped, the pages
// counted by their form feeds, each page's text as plain pdftotext gives it.
func TestPDFTextLayerWithPdftotextAlone(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	title := "Отчёт <№ 5> & \"прочее\""
	var hex strings.Builder
	for _, u := range utf16.Encode([]rune(title)) {
		fmt.Fprintf(&hex, "%04X", u)
	}
	pdf := makePDFInfo(t, "/Title <FEFF"+hex.String()+"> /Author (A. Sidorov) /CreationDate (D:20200102030405Z)",
		"The committee met on Tuesday <and> & agreed", [2]int{300, 400}, "that the report would be published in March.")
	d := one(t, e, "minutes.pdf", pdf)
	if hasStep(d, "pdfinfo") || !hasStep(d, "pdftotext") {
		t.Errorf("steps %v", d.Steps)
	}
	file := filepath.Join(t.TempDir(), "minutes.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", "-enc", "UTF-8", "-isodates", file).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(info), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && pdfInfoFields[k] != "" {
			want[pdfInfoFields[k]] = strings.TrimSpace(v)
		}
	}
	if want["title"] != title || want["created"] == "" || want["pages"] != "3" || want["encrypted"] != "no" {
		t.Fatalf("pdfinfo says %v", want)
	}
	for k, v := range want {
		if d.Fields[k] != v {
			t.Errorf("field %s: %q, pdfinfo says %q", k, d.Fields[k], v)
		}
	}
	plain, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pp := strings.Split(strings.TrimSuffix(string(plain), "\f"), "\f")
	if len(d.Pages) != 3 || len(pp) != 3 {
		t.Fatalf("%d pages, pdftotext gives %d", len(d.Pages), len(pp))
	}
	for i, p := range d.Pages {
		if p.Text != strings.TrimRight(pp[i], " \n") {
			t.Errorf("page %d: %q, pdftotext gives %q", i+1, p.Text, pp[i])
		}
	}
	if !strings.Contains(d.Pages[0].Text, "<and> &") || d.Pages[1].Text != "" {
		t.Errorf("pages %q", allText(d))
	}
}

// Past the page limit, a PDF read by pdftotext alone is refused with its
// real page count; metadata past what the header may hold is read with
// pdfinfo instead.
func TestPDFPageLimitAndLongMetadata(t *testing.T) {
	e := newTest(t, Options{NoOCR: true, Limits: Limits{MaxPages: 2}})
	docs, _ := extract(t, e, "long.pdf", makePDF(t, "page one of three", "page two of three", "page three of three"))
	wantFailure(t, docs[0], KindTooLarge, "the PDF has 3 pages, past the limit of 2")

	long := strings.Repeat("Title words ", maxPDFHeader/10)
	d := one(t, newTest(t, Options{NoOCR: true}), "meta.pdf", makePDFInfo(t, "/Title ("+long+")", "a page with a text layer long enough"))
	if d.Fields["title"] != strings.TrimSpace(long) || !hasStep(d, "pdfinfo") || !strings.Contains(allText(d), "long enough") {
		t.Errorf("title of %d bytes, steps %v, text %q", len(d.Fields["title"]), d.Steps, allText(d))
	}
}

// mentions finds a word wherever it lies, across the chunks it reads in.
func TestMentions(t *testing.T) {
	word := []byte("/Encrypt")
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, r.IntN(200<<10))
		for i := range b {
			b[i] = "/Encryp t"[r.IntN(9)]
		}
		if r.IntN(2) == 0 && len(b) > len(word) {
			copy(b[r.IntN(len(b)-len(word)):], word)
		}
		f, err := os.CreateTemp(t.TempDir(), "m")
		if err != nil {
			t.Fatal(err)
		}
		f.Write(b)
		got, err := mentions(f, int64(len(b)), word)
		f.Close()
		if err != nil || got != bytes.Contains(b, word) {
			t.Fatalf("%d bytes: mentions %v (%v), contains %v", len(b), got, err, bytes.Contains(b, word))
		}
	}
}

// FuzzUsable checks usable's ASCII shortcut against the plain rule.
func FuzzUsable(f *testing.F) {
	f.Add("Report of the committee\x7f\x7f\x00 on the matter", 12)
	f.Add("Протокол \ufffd\ufffd заседания\tкомиссии", 5)
	f.Fuzz(func(t *testing.T, s string, min int) {
		letters, junk := 0, 0
		for _, r := range s {
			switch {
			case unicode.IsLetter(r):
				letters++
			case r == unicode.ReplacementChar || unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r':
				junk++
			}
		}
		if got, want := usable(s, min), letters >= min && junk*4 < letters; got != want {
			t.Fatalf("usable(%q, %d) = %v, the rule says %v", s, min, got, want)
		}
	})
}
