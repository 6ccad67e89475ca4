package ingest

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"confide/internal/ingest/charset"
)

// These files were made by the real tools named in testdata/gen.sh.

func TestPangoPDFWithCyrillicTextLayer(t *testing.T) {
	e := newTest(t, Options{})
	d := one(t, e, "ru-text.pdf", readFixture(t, "ru-text.pdf"))
	if len(d.Pages) != 1 || d.Pages[0].OCR {
		t.Fatalf("pages %+v", d.Pages)
	}
	p := d.Pages[0]
	if !strings.Contains(p.Text, "Протокол заседания комиссии") || !strings.Contains(p.Text, "кроме Сидорова.") || p.Lang != "ru" {
		t.Errorf("text layer %q (lang %s)", p.Text, p.Lang)
	}
	if hasStep(d, "tesseract") {
		t.Error("a page with a text layer was OCRed")
	}
}

func TestPandocDOCXAndODT(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	for _, name := range []string{"ru.docx", "ru.odt"} {
		d := one(t, e, name, readFixture(t, name))
		if d.Fields["title"] != "Протокол заседания" || d.Fields["author"] != "Кузнецова" {
			t.Errorf("%s: fields %v", name, d.Fields)
		}
		got := allText(d)
		// Title, heading, paragraph and table cells, in order.
		rest := got
		for _, want := range []string{"Повестка дня", "Присутствовали все члены комиссии, кроме Сидорова.", "Фамилия", "Голос", "Петров", "за"} {
			_, after, ok := strings.Cut(rest, want)
			if !ok {
				t.Errorf("%s: %q missing or out of order in %q", name, want, got)
			}
			rest = after
		}
		if d.Pages[0].Lang != "ru" {
			t.Errorf("%s: lang %s", name, d.Pages[0].Lang)
		}
	}
}

func TestInfoZIPLegacyNames(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	for cs, name := range map[string]string{"ibm866": "legacy-cp866.zip", "koi8-r": "legacy-koi8r.zip"} {
		docs, err := extract(t, e, name, readFixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		got := byPath(docs)
		if docs[0].Fields["name charset"] != cs {
			t.Errorf("%s: name charset %q", name, docs[0].Fields["name charset"])
		}
		d := got[name+"/письма/письмо председателю.txt"]
		if d == nil {
			t.Fatalf("%s: paths %v", name, keys(got))
		}
		if allText(d) != "Дорогой Иван Петрович! Пишу вам из Ленинграда.\n" || d.Fields["charset"] != cs {
			t.Errorf("%s: text %q in %s", name, allText(d), d.Fields["charset"])
		}
	}
}

// TestNestedFormats walks one upload holding most formats inside each
// other: a zip with a scanned PDF, a DOCX, a cp1251 text, and an email
// whose attachment is a tar.gz holding a TIFF.
func TestNestedFormats(t *testing.T) {
	e := newTest(t, Options{})
	scan := makePDF(t, grayFixture(t, "ru.png"))
	tgz := gzipOf(t, makeTarFiles(t, map[string][]byte{"scans/pages.tif": readFixture(t, "pages.tif")}))
	mail := "From: a@example.org\r\nSubject: scans\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nсканы во вложении\r\n" +
		"--b\r\nContent-Type: application/gzip\r\nContent-Disposition: attachment; filename=scans.tar.gz\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		wrap(base64.StdEncoding.EncodeToString(tgz)) + "\r\n--b--\r\n"
	z := makeZip(t,
		member{name: "scan.pdf", body: scan, utf8: true},
		member{name: "ru.docx", body: readFixture(t, "ru.docx"), utf8: true},
		member{name: "note.txt", body: []byte(enc(t, charset.Windows1251, letter)), utf8: true},
		member{name: "mail.eml", body: []byte(mail), utf8: true},
	)
	docs, err := extract(t, e, "upload.zip", z)
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(docs)
	checks := map[string]string{
		"upload.zip/scan.pdf": "Протокол заседания",
		"upload.zip/ru.docx":  "Присутствовали все члены комиссии",
		"upload.zip/note.txt": "Ленинграда",
		"upload.zip/mail.eml": "сканы во вложении",
		"upload.zip/mail.eml/scans.tar.gz/scans.tar/scans/pages.tif": "комиссии",
	}
	for p, want := range checks {
		d := got[p]
		if d == nil || d.Err != nil || !strings.Contains(allText(d), want) {
			t.Errorf("%s: %+v; paths %v", p, d, keys(got))
		}
	}
	if d := got["upload.zip/scan.pdf"]; d != nil && (!d.Pages[0].OCR || d.Steps[0].String() != "confide ingest/zip v1") {
		t.Errorf("scan.pdf: steps %v", d.Steps)
	}
	for _, d := range docs {
		if d.Err != nil {
			t.Errorf("%s: %v", d.Path, d.Err)
		}
	}
}

func makeTarFiles(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
		tw.Write(body)
	}
	tw.Close()
	return buf.Bytes()
}
