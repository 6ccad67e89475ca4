package lang

import (
	"testing"
	"unicode"
)

func TestDetect(t *testing.T) {
	cases := []struct{ text, want string }{
		{"Протокол заседания комиссии. Присутствовали все члены, кроме Сидорова, который был в отпуске.", Russian},
		{"The committee met on Tuesday and it was agreed that the report would be published in March.", English},
		{"Der Ausschuss hat am Dienstag getagt und beschlossen, den Bericht im März zu veröffentlichen.", Other},
		{"Комісія зібралася у вівторок і вирішила опублікувати звіт у березні, їхнє рішення є остаточним.", Other},
		{"委員会は火曜日に開かれ、報告書を三月に公表することが決まった。", Other},
		// Mixed: a Russian letter quoting an English phrase is Russian; an
		// English report quoting one Russian word is English.
		{"Он написал мне по-английски: \"see you soon\", и больше ничего не добавил к этому письму.", Russian},
		{"The file was labelled \"секретно\" and it was stored in the archive of the ministry for years.", English},
		{"ok 12", Unknown},
		{"", Unknown},
	}
	for _, c := range cases {
		if got := Detect(c.text); got.Code != c.want {
			t.Errorf("Detect(%q) = %+v, want %q", c.text, got, c.want)
		}
	}
	mixed := Detect("Привет мир hello")
	if mixed.Cyrillic <= mixed.Latin || mixed.Cyrillic+mixed.Latin != 1 {
		t.Errorf("shares of a mixed page: %+v", mixed)
	}
}

// FuzzDetect checks the guess is one of the codes, the shares are shares,
// and the guess follows the dominant script.
func FuzzDetect(f *testing.F) {
	f.Add("Протокол заседания комиссии и так далее")
	f.Add("the report of the committee is here")
	f.Add("\xff\xfe mixed текст text")
	f.Fuzz(func(t *testing.T, s string) {
		r := Detect(s)
		switch r.Code {
		case Unknown, Russian, English, Other:
		default:
			t.Fatalf("code %q", r.Code)
		}
		if r.Cyrillic < 0 || r.Latin < 0 || r.Cyrillic+r.Latin > 1.0000001 {
			t.Fatalf("shares %+v", r)
		}
		if r.Code == Russian && r.Cyrillic < r.Latin || r.Code == English && r.Latin <= r.Cyrillic {
			t.Fatalf("guess %+v does not follow the dominant script", r)
		}
		letters := 0
		for _, c := range s {
			if unicode.IsLetter(c) {
				letters++
			}
		}
		if (letters >= minLetters) != (r.Code != Unknown) {
			t.Fatalf("%d letters gave %+v", letters, r)
		}
	})
}
