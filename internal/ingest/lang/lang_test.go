package lang

import (
	"strings"
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

// enStop is the English stopwords, as isEnStop's switch has them.
var enStop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("the and of to in is that it for was on with as be by at this are from or an have not but which his her they you we he she has were had") {
		m[w] = true
	}
	return m
}()

// detectRef is Detect as first written, plainly: the faster Detect must
// give the same result for every input.
func detectRef(text string) Result {
	var cyr, lat, other int
	for _, r := range text {
		switch {
		case !unicode.IsLetter(r):
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		default:
			other++
		}
	}
	total := cyr + lat + other
	if total < minLetters {
		return Result{}
	}
	res := Result{Cyrillic: float64(cyr) / float64(total), Latin: float64(lat) / float64(total)}
	lower := strings.ToLower(text)
	switch {
	case other > cyr && other > lat:
		res.Code = Other
	case cyr >= lat:
		res.Code = Russian
		own := 0
		for _, r := range lower {
			if strings.ContainsRune("іїєґў", r) {
				own++
			}
		}
		if own > cyr/50 {
			res.Code = Other
		}
	default:
		res.Code = English
		words, hits := 0, 0
		for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if words == maxWords {
				break
			}
			words++
			if enStop[w] {
				hits++
			}
		}
		if words == 0 || float64(hits)/float64(words) < 0.05 {
			res.Code = Other
		}
	}
	return res
}

func TestStopwordsFitScan(t *testing.T) {
	n := 0
	for _, w := range []string{"", "th", "thee", "zebra", "The", "which", "wh"} {
		if isEnStop([]byte(w)) != enStop[w] {
			t.Errorf("isEnStop(%q) = %v", w, !enStop[w])
		}
	}
	for w := range enStop {
		if !isEnStop([]byte(w)) {
			t.Errorf("isEnStop(%q) is false: the switch and enStop differ", w)
		}
		n++
		if len(w) > maxStop {
			t.Errorf("stopword %q is longer than maxStop (%d): Detect would never find it", w, maxStop)
		}
	}
	if n != 35 {
		t.Errorf("%d stopwords: update isEnStop's switch with enStop", n)
	}
}

// FuzzDetectSame checks Detect against the plain reference.
func FuzzDetectSame(f *testing.F) {
	for _, s := range []string{
		"Протокол заседания комиссии. Присутствовали все члены, кроме Сидорова.",
		"The committee met on Tuesday and it was agreed that the report would be published.",
		"Комісія зібралася у вівторок і вирішила опублікувати звіт, ЇХНЄ РІШЕННЯ",
		"THE AND OF TO In Is ThAt which WHICHEVER theé ǅthe ﬁle the\u212A",
		"Der Ausschuss hat am Dienstag getagt und beschlossen, den Bericht im März zu veröffentlichen.",
		"\xff\xfethe and\xc0 of тест 委員会は火曜日",
		strings.Repeat("zebra quartz ", maxWords/2) + strings.Repeat("the and of ", 200),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Detect(s), detectRef(s); got != want {
			t.Fatalf("Detect(%q) = %+v, the reference says %+v", s, got, want)
		}
	})
}

// TestCyrillicBlock checks the shortcut Detect takes for the Cyrillic
// block: its letters are all of it but U+0482–U+0489.
func TestCyrillicBlock(t *testing.T) {
	for r := rune(0x0400); r <= 0x04ff; r++ {
		short := r < 0x0482 || r > 0x0489
		if short != (unicode.IsLetter(r) && unicode.Is(unicode.Cyrillic, r)) {
			t.Errorf("U+%04X: the shortcut says letter=%v", r, short)
		}
		if short && unicode.ToLower(r) < 0x80 {
			t.Errorf("U+%04X lowers to ASCII", r)
		}
	}
}
