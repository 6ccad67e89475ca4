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
