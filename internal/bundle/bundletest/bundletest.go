// Package bundletest makes bundles for tests: a Russian letter of a few
// pages with page images, text and an English translation, a PDF and an
// excerpt, each part optional. It is used only by tests.
package bundletest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"

	"confide/internal/bundle"
	"confide/internal/pdftest"
)

// Options shape a sample bundle; the zero value (with a slug) is a
// one-page document with an image, text, a reviewed human translation, a
// PDF and an excerpt.
type Options struct {
	Slug         string
	Title        string // "Letter to the ministry" when empty
	Pages        int    // 1 when zero
	NoImage      bool
	NoTranslate  bool
	Machine      bool // the translation is a machine draft
	NoExcerpt    bool
	ExcerptNoTr  bool // the excerpt has no translation
	NoPDF        bool
	TextVersion  string // appended to each page's text: a republished version
	ExportedDay  string
	OriginalPath string
	// Verification, when set, is the English sentence a bundle written
	// before the PDF's Redaction and Checks carried in their place.
	Verification string
}

// Redaction is the ID of the sample PDF's redacted copy.
const Redaction = "3f9a0c2d7e514b86a1c0e2f4d6b8a0c1"

// Checks are the sample PDF's checks, as redact names them.
var Checks = []string{"structure", "metadata", "text layer", "OCR"}

// PageText is page n's text in the sample: two paragraphs, the second
// holding the excerpt on page 1.
func PageText(n int) string {
	if n == 1 {
		return "Начальнику управления.\n\nПрошу выделить средства на ремонт моста через реку."
	}
	return fmt.Sprintf("Страница %d.\n\nСредства переведены на счёт подрядчика.", n)
}

// PageTranslation is page n's translation, paragraph for paragraph.
func PageTranslation(n int) string {
	if n == 1 {
		return "To the head of the department.\n\nI ask you to allocate funds for repairing the bridge over the river."
	}
	return fmt.Sprintf("Page %d.\n\nThe funds were transferred to the contractor's account.", n)
}

// Excerpt and ExcerptTranslation are the sample's quoted passage.
const (
	Excerpt            = "Прошу выделить средства на ремонт моста через реку."
	ExcerptTranslation = "I ask you to allocate funds for repairing the bridge over the river."
)

// PageImage is a small PNG that looks like a typed page: dark bars of text
// on white, a different count per page.
func PageImage(n int) []byte {
	img := image.NewGray(image.Rect(0, 0, 240, 340))
	for i := range img.Pix {
		img.Pix[i] = 0xfb
	}
	for line := 0; line < 10+n; line++ {
		y := 30 + line*22
		w := 180 - (line*37)%60
		for dy := 0; dy < 7; dy++ {
			for x := 28; x < 28+w; x++ {
				img.SetGray(x, y+dy, color.Gray{0x30})
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// Sample returns a bundle's manifest and files.
func Sample(o Options) (bundle.Manifest, map[string][]byte) {
	if o.Pages == 0 {
		o.Pages = 1
	}
	if o.Title == "" {
		o.Title = "Letter to the ministry"
	}
	if o.ExportedDay == "" {
		o.ExportedDay = "2026-12-01"
	}
	if o.OriginalPath == "" {
		o.OriginalPath = "trove/letters/" + o.Slug + ".pdf"
	}
	files := map[string][]byte{}
	m := bundle.Manifest{Slug: o.Slug, Title: o.Title, Language: "ru", Collection: "river-trove", ExportedDay: o.ExportedDay,
		Original: bundle.Original{Path: o.OriginalPath, SHA256: strings.Repeat("5e", 32), Size: 48213}}
	for n := 1; n <= o.Pages; n++ {
		p := bundle.Page{N: n, Text: fmt.Sprintf("page-%d.txt", n)}
		files[p.Text] = []byte(PageText(n) + o.TextVersion)
		if !o.NoImage {
			p.Image = fmt.Sprintf("page-%d.png", n)
			files[p.Image] = PageImage(n)
		}
		if !o.NoTranslate {
			t := &bundle.Translation{Lang: "en", File: fmt.Sprintf("page-%d.en.txt", n), MadeBy: "user: tanya", State: bundle.Reviewed, ReviewedDay: "2026-11-30"}
			if o.Machine {
				t.Machine, t.MadeBy, t.State, t.ReviewedDay = true, "machine: apertium 3.8.3 (rus-eng)", bundle.Draft, ""
			}
			files[t.File] = []byte(PageTranslation(n))
			p.Translation = t
		}
		m.Pages = append(m.Pages, p)
	}
	if !o.NoPDF {
		m.PDF = &bundle.PDF{File: "document.pdf", Redacted: true, Verified: true, Redaction: Redaction, Checks: Checks,
			Burned: &bundle.Burned{Terms: 1, Occurrences: 2, Boxes: 1, Pages: o.Pages}}
		if o.Verification != "" {
			m.PDF.Redaction, m.PDF.Checks, m.PDF.Burned.Pages, m.PDF.Verification = "", nil, 0, o.Verification
		}
		files["document.pdf"] = pdftest.File([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}, "")
	}
	if !o.NoExcerpt {
		m.Excerpt = &bundle.Excerpt{Page: 1, Quote: Excerpt, Translation: ExcerptTranslation}
		if o.ExcerptNoTr {
			m.Excerpt.Translation = ""
		}
	}
	return m, files
}

// Write writes a bundle of m and files.
func Write(w io.Writer, m bundle.Manifest, files map[string][]byte) error {
	return bundle.Write(w, m, nil, func(f bundle.Member) (io.ReadCloser, int64, error) {
		b, ok := files[f.Name]
		if !ok {
			return nil, 0, fmt.Errorf("no file %s", f.Name)
		}
		return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
	})
}

// Build is a sample bundle's bytes.
func Build(o Options) ([]byte, error) {
	m, files := Sample(o)
	var buf bytes.Buffer
	err := Write(&buf, m, files)
	return buf.Bytes(), err
}

// Bytes is Build for a test, which fails if the sample does not build.
func Bytes(t testing.TB, o Options) []byte {
	t.Helper()
	b, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
