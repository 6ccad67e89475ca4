package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func officeZip(t *testing.T, parts map[string]string, order ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(parts[name]))
	}
	zw.Close()
	return buf.Bytes()
}

func docxXML(paras ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="` + nsW + `"><w:body>`)
	for _, p := range paras {
		b.WriteString("<w:p><w:pPr><w:jc w:val=\"left\"/></w:pPr>")
		for i, run := range strings.Split(p, "|") {
			if i > 0 {
				b.WriteString("<w:r><w:tab/></w:r>")
			}
			fmt.Fprintf(&b, `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, html.EscapeString(run))
		}
		b.WriteString("</w:p>")
	}
	b.WriteString(`<w:sectPr/></w:body></w:document>`)
	return b.String()
}

func TestDOCX(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	body := docxXML("Протокол № 5", "Присутствовали:|Сидоров", "Повестка <дня> & прочее")
	body = strings.Replace(body, "</w:body>", `<w:p><w:r><w:br w:type="page"/><w:t>Вторая страница</w:t></w:r></w:p></w:body>`, 1)
	core := `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Протокол</dc:title><dc:creator>Кузнецова</dc:creator><dcterms:created>1989-03-12T10:00:00Z</dcterms:created></cp:coreProperties>`
	b := officeZip(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": body, "docProps/core.xml": core}, "[Content_Types].xml", "word/document.xml", "docProps/core.xml")
	d := one(t, e, "minutes.docx", b)
	if d.Type != TypeDOCX || d.Fields["title"] != "Протокол" || d.Fields["author"] != "Кузнецова" || d.Fields["created"] != "1989-03-12T10:00:00Z" {
		t.Errorf("type %s fields %v", d.Type, d.Fields)
	}
	if len(d.Pages) != 2 || d.Pages[0].Text != "Протокол № 5\nПрисутствовали:\tСидоров\nПовестка <дня> & прочее\n" || d.Pages[1].Text != "Вторая страница" {
		t.Errorf("pages %q", allText(d))
	}
	// A .docx named otherwise is still found by its content.
	if d := one(t, e, "attachment.bin", b); d.Type != TypeDOCX {
		t.Errorf("sniffed as %s", d.Type)
	}
	// A zip that only looks like one is read as a zip: nothing is lost.
	docs, err := extract(t, e, "fake.docx", officeZip(t, map[string]string{"word/notes.txt": "заметки"}, "word/notes.txt"))
	if err != nil || len(docs) != 2 || docs[0].Type != TypeZip || len(docs[0].Warnings) != 1 || allText(docs[1]) != "заметки" {
		t.Errorf("fake DOCX: %v, %d documents", err, len(docs))
	}
}

func TestODT(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	content := `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="` + nsText + `"><office:body><office:text>` +
		`<text:h text:outline-level="1">Заголовок</text:h><text:p>Первый<text:s text:c="3"/>абзац<text:tab/>с табуляцией</text:p>` +
		`<text:p>Второй <text:span>абзац</text:span><text:line-break/>с переносом</text:p><text:list><text:list-item><text:p>пункт</text:p></text:list-item></text:list>` +
		`</office:text></office:body></office:document-content>`
	meta := `<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>Отчёт</dc:title><meta:initial-creator>Петров</meta:initial-creator></office:meta></office:document-meta>`
	b := officeZip(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content, "meta.xml": meta}, "mimetype", "content.xml", "meta.xml")
	d := one(t, e, "report.odt", b)
	if d.Type != TypeODT || d.Fields["title"] != "Отчёт" || d.Fields["author"] != "Петров" {
		t.Errorf("type %s fields %v", d.Type, d.Fields)
	}
	if got, want := allText(d), "Заголовок\nПервый   абзац\tс табуляцией\nВторой абзац\nс переносом\nпункт"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
}

// FuzzDocxText checks that paragraphs written as DOCX XML read back as
// themselves, one line each, and that any bytes give valid UTF-8 within
// the limit or an error.
func FuzzDocxText(f *testing.F) {
	f.Add("Протокол", "второй|абзац", []byte(docxXML("a")))
	f.Add("", "<>&\"'", []byte("<w:document><w:body><w:p><w:t>x"))
	f.Fuzz(func(t *testing.T, p1, p2 string, raw []byte) {
		const limit = 1 << 12
		if s, _, err := DocxText(bytes.NewReader(raw), limit); err == nil && (!utf8.ValidString(s) || len(s) > limit) {
			t.Fatalf("%d bytes, valid %v", len(s), utf8.ValidString(s))
		}
		for _, p := range []string{p1, p2} {
			if !utf8.ValidString(p) || strings.ContainsAny(p, "\r\n\t\f") || strings.ContainsFunc(p, isXMLUnsafe) || strings.TrimSpace(p) != p {
				return
			}
		}
		s, cut, err := DocxText(strings.NewReader(docxXML(p1, p2)), 1<<20)
		want := strings.ReplaceAll(p1, "|", "\t") + "\n" + strings.ReplaceAll(p2, "|", "\t")
		if err != nil || cut || s != strings.TrimRight(want, "\n") {
			t.Fatalf("read %q (%v), want %q", s, err, want)
		}
	})
}

// FuzzODTText checks the same of ODT: paragraphs round trip, spaces kept.
func FuzzODTText(f *testing.F) {
	f.Add("Первый абзац", "второй", []byte("<text:p>x</text:p>"))
	f.Fuzz(func(t *testing.T, p1, p2 string, raw []byte) {
		const limit = 1 << 12
		if s, _, err := ODTText(bytes.NewReader(raw), limit); err == nil && (!utf8.ValidString(s) || len(s) > limit) {
			t.Fatalf("%d bytes, valid %v", len(s), utf8.ValidString(s))
		}
		for _, p := range []string{p1, p2} {
			if p == "" || !utf8.ValidString(p) || strings.ContainsAny(p, "\r\n\t\f") || strings.ContainsFunc(p, isXMLUnsafe) || strings.TrimSpace(p) != p {
				return
			}
		}
		doc := `<office:document-content xmlns:office="o" xmlns:text="` + nsText + `"><text:p>` + html.EscapeString(p1) + `</text:p><text:p>` + html.EscapeString(p2) + `</text:p></office:document-content>`
		s, cut, err := ODTText(strings.NewReader(doc), 1<<20)
		if err != nil || cut || s != p1+"\n"+p2 {
			t.Fatalf("read %q (%v), want %q", s, err, p1+"\n"+p2)
		}
	})
}

// isXMLUnsafe are runes XML 1.0 cannot carry.
func isXMLUnsafe(r rune) bool {
	return r < 0x20 || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError || (r >= 0xD800 && r <= 0xDFFF)
}
