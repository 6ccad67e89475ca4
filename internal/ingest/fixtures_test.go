package ingest

import (
	"strings"
	"testing"
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
