package web

import (
	"strings"
	"testing"
)

func TestPluralForm(t *testing.T) {
	ns := []int{0, 1, 2, 5, 11, 21, 22, 25, 111, 121}
	want := map[string][]string{
		"en": {"other", "one", "other", "other", "other", "other", "other", "other", "other", "other"},
		"ru": {"many", "one", "few", "many", "many", "one", "few", "many", "many", "one"},
	}
	for lang, forms := range want {
		for i, n := range ns {
			if got := PluralForm(lang, n); got != forms[i] {
				t.Errorf("PluralForm(%s, %d) = %s, want %s", lang, n, got, forms[i])
			}
		}
	}
	// 12..14 are many in Russian although they end in 2..4.
	for _, n := range []int{12, 13, 14, 112} {
		if got := PluralForm("ru", n); got != "many" {
			t.Errorf("PluralForm(ru, %d) = %s, want many", n, got)
		}
	}
}

func TestCatalogN(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 files"}, {"en", 1, "1 file"}, {"en", 2, "2 files"}, {"en", 21, "21 files"},
		{"ru", 0, "0 файлов"}, {"ru", 1, "1 файл"}, {"ru", 2, "2 файла"}, {"ru", 5, "5 файлов"},
		{"ru", 11, "11 файлов"}, {"ru", 21, "21 файл"}, {"ru", 22, "22 файла"}, {"ru", 25, "25 файлов"},
		{"ru", 111, "111 файлов"}, {"ru", 121, "121 файл"},
		{"xx", 1, "1 file"},
	}
	for _, tc := range cases {
		if got := c.N(tc.lang, "newsroom.count.files", tc.n); got != tc.want {
			t.Errorf("N(%s, files, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	if got := c.N("en", "no.such", 3); got != "no.such" {
		t.Errorf("missing key: %q", got)
	}
}

// TestEveryCountedMessageHasItsForms checks each catalogue holds every
// plural form its language's rule can pick, for every counted key.
func TestEveryCountedMessageHasItsForms(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string][]string{"en": {"one", "other"}, "ru": {"one", "few", "many"}}
	for _, l := range c.Langs() {
		if _, ok := pluralRules[l]; !ok {
			t.Errorf("no plural rule for %s", l)
		}
	}
	for key := range c.msgs[DefaultLang] {
		base, ok := strings.CutSuffix(key, ".other")
		if !ok {
			continue
		}
		for lang, fs := range forms {
			for _, f := range fs {
				if _, ok := c.msgs[lang][base+"."+f]; !ok {
					t.Errorf("%s lacks %s.%s", lang, base, f)
				}
			}
		}
	}
}

// A redaction's counts read right in both languages, each noun in the
// form its number takes.
func TestBurned(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang                      string
		terms, occurrences, boxes int
		want                      string
	}{
		{"en", 1, 1, 0, "1 occurrence of 1 term burned"},
		{"en", 2, 3, 1, "3 occurrences of 2 terms and 1 box burned"},
		{"en", 1, 0, 2, "0 occurrences of 1 term and 2 boxes burned"},
		{"en", 0, 0, 1, "1 box burned"},
		{"en", 0, 0, 0, ""},
		{"ru", 1, 1, 0, "Вымарано 1 вхождение 1 термина"},
		{"ru", 2, 3, 1, "Вымарано 3 вхождения 2 терминов и 1 прямоугольник"},
		{"ru", 21, 5, 2, "Вымарано 5 вхождений 21 термина и 2 прямоугольника"},
		{"ru", 0, 0, 11, "Вымарано 11 прямоугольников"},
	} {
		if got := c.Burned(tc.lang, tc.terms, tc.occurrences, tc.boxes); got != tc.want {
			t.Errorf("%s %d/%d/%d: %q, want %q", tc.lang, tc.terms, tc.occurrences, tc.boxes, got, tc.want)
		}
	}
}

// A verification's checks are named in the page's language, each one the
// archive's redaction makes; a name the catalogue does not know stays as
// it is rather than showing a key.
func TestChecks(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"marks", "structure", "left-over data", "incremental updates", "metadata", "hidden layers", "attachments", "annotations",
		"javascript and actions", "encryption", "pdfinfo", "mat2", "text layer", "OCR", "pages"}
	for _, lang := range []string{"en", "ru"} {
		for _, n := range all {
			if got := c.Checks(lang, []string{n}); strings.Contains(got, "redact.check") || got == "" {
				t.Errorf("%s: the check %q reads %q", lang, n, got)
			}
		}
	}
	if got := c.Checks("en", []string{"structure", "text layer", "OCR"}); got != "structure, text layer, OCR" {
		t.Errorf("en: %q", got)
	}
	if got := c.Checks("ru", []string{"structure", "text layer", "OCR", "a new check"}); got != "структура файла, текстовый слой, распознавание (OCR), a new check" {
		t.Errorf("ru: %q", got)
	}
}
