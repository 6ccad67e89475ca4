package analysis

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// foldReference is Fold as first written, rune by rune through
// unicode.ToLower, against which the fast paths are checked.
func foldReference(word string) string {
	var b strings.Builder
	for _, r := range word {
		switch {
		case r == '\u0301' || r == '\u0300':
			continue
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case r == '’':
			r = '\''
		default:
			r = unicode.ToLower(r)
		}
		if b.Len()+utf8.RuneLen(r) > MaxWordBytes {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestFastPathsAgree checks the ASCII and Russian fast paths of word
// segmentation and folding against the Unicode tables, for every rune.
func TestFastPathsAgree(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if isWordRune(r) != want {
			t.Fatalf("isWordRune(%U) = %v", r, !want)
		}
		s := string(r)
		if got, want := Fold(s), foldReference(s); got != want {
			t.Fatalf("Fold(%U) = %q, want %q", r, got, want)
		}
	}
	long := strings.Repeat("Ая", 40) + "Z"
	if Fold(long) != foldReference(long) || Fold("ÀÉ\xffЖ") != foldReference("ÀÉ\xffЖ") {
		t.Error("Fold differs on a long or invalid word")
	}
}

// mixedText is text of the snowball vocabularies and of hard cases: both
// scripts, ё, stress marks, apostrophes, digits, invalid bytes.
func mixedText(t *testing.T, rng *rand.Rand, n int) string {
	t.Helper()
	var voc []string
	for _, lang := range []string{"russian", "english"} {
		voc = append(voc, readLines(t, filepath.Join(snowballData, lang, "voc.txt"))...)
	}
	hard := []string{"Ёлка", "сто́л", "don't", "КГБ's", "’tis", "1987г.", "\xff", "x'", "ÀÉ", "Μόσχα", "日本語", "a\u0301", "\u0301",
		strings.Repeat("я", 80)}
	seps := []string{" ", ", ", "; ", "\n", " — ", "«", "»", "'", "’"}
	var b strings.Builder
	for range n {
		w := voc[rng.IntN(len(voc))]
		if rng.IntN(10) == 0 {
			w = hard[rng.IntN(len(hard))]
		}
		if rng.IntN(7) == 0 {
			w = strings.ToUpper(w)
		}
		b.WriteString(w)
		b.WriteString(seps[rng.IntN(len(seps))])
	}
	return b.String()
}

// TestCacheTokenize checks Cache.Tokenize gives exactly Tokenize's tokens,
// across the cache forgetting its words, and that a form number names one
// word within a generation.
func TestCacheTokenize(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c := NewCache(500) // small, so it forgets many times
	gens := 0
	for range 40 {
		text := mixedText(t, rng, 2000)
		var want []Token
		last := Tokenize(text, 7, func(tok Token) { want = append(want, tok) })
		var got []Token
		byForm := map[int32]string{}
		gen := c.Generation()
		n := c.Tokenize(text, 7, func(tok Token, form int32) {
			if c.Generation() != gen {
				gen, byForm = c.Generation(), map[int32]string{}
				gens++
			}
			if w, ok := byForm[form]; ok && w != tok.Word {
				t.Fatalf("form %d is %q and %q", form, w, tok.Word)
			}
			byForm[form] = tok.Word
			if c.Exact(form) != ExactPrefix+tok.Word {
				t.Fatalf("Exact(%d) = %q for %q", form, c.Exact(form), tok.Word)
			}
			got = append(got, tok)
		})
		if n != last || len(got) != len(want) {
			t.Fatalf("%d tokens up to %d, want %d up to %d", len(got), n, len(want), last)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("token %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	}
	if gens == 0 {
		t.Error("the cache never forgot its words: the test does not cross generations")
	}
}

// FuzzCacheTokenize checks the cached tokenizer equals the plain one on any
// input.
func FuzzCacheTokenize(f *testing.F) {
	f.Add("Архивы КГБ: письмо Горбачёву, don't сто́л 1987г.")
	f.Add("x' \xff ’tis Ёж")
	// Where the one-pass scanner of ASCII and Russian words hands over to
	// the general one, and the cut at MaxWordBytes.
	f.Add("ЁЖ—ёж«Слово» ab’c x'y x' сто\u0301л word日本 Москва2026")
	f.Add(strings.Repeat("a", 63) + "яb " + strings.Repeat("Я", 33) + "x")
	c := NewCache(64)
	f.Fuzz(func(t *testing.T, text string) {
		var want []Token
		Tokenize(text, 0, func(tok Token) { want = append(want, tok) })
		i := 0
		c.Tokenize(text, 0, func(tok Token, _ int32) {
			if i >= len(want) || tok != want[i] {
				t.Fatalf("token %d: %+v", i, tok)
			}
			i++
		})
		if i != len(want) {
			t.Fatalf("%d tokens, want %d", i, len(want))
		}
	})
}

func BenchmarkTokenize(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	text := mixedText(&testing.T{}, rng, 400)
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			Tokenize(text, 0, func(Token) {})
		}
	})
	b.Run("cache", func(b *testing.B) {
		c := NewCache(0)
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			c.Tokenize(text, 0, func(Token, int32) {})
		}
	})
}
