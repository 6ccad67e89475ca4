package analysis

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/russian"
)

// ExactPrefix marks an exact (folded, unstemmed) term in the index; stems
// never start with it because it is not a letter.
const ExactPrefix = "="

// MaxWordBytes bounds one word: longer runs (base64, hex dumps) are cut so a
// hostile document cannot make one term as large as itself.
const MaxWordBytes = 64

// Token is one word of a text: where it is and what it indexes as.
type Token struct {
	Pos   int    // word number in the text, from 0
	Start int    // byte offset of the word in the text
	End   int    // byte offset just past the word
	Word  string // folded form
	Stem  string // Snowball stem of Word
}

// Script is the writing system of a word, which picks its stemmer.
type Script uint8

// The scripts the analyser tells apart.
const (
	ScriptNone Script = iota // no letters: digits, apostrophes
	ScriptOther
	ScriptLatin
	ScriptCyrillic
)

// Tokenize calls fn for every word of text in order, positions counted from
// first. It never allocates per word beyond the folded and stemmed strings.
func Tokenize(text string, first int, fn func(Token)) int {
	return tokenize(text, first, true, fn)
}

// Words is Tokenize without stemming (Token.Stem is empty), for callers
// that stem only the few words they need to.
func Words(text string, first int, fn func(Token)) int {
	return tokenize(text, first, false, fn)
}

func tokenize(text string, first int, stem bool, fn func(Token)) int {
	pos := first
	var st stemmer
	for i := 0; ; {
		start, end, ok := nextWord(text, i)
		if !ok {
			return pos
		}
		i = end
		word := Fold(text[start:end])
		if word == "" {
			continue
		}
		t := Token{Pos: pos, Start: start, End: end, Word: word}
		if stem {
			t.Stem = st.stem(word)
		}
		fn(t)
		pos++
	}
}

// nextWord finds the first word of text at or after byte i: text[start:end].
func nextWord(text string, i int) (start, end int, ok bool) {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			break
		}
		i += n
	}
	if i >= len(text) {
		return 0, 0, false
	}
	start, end = i, i
	for end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		if isWordRune(r) {
			end += n
			continue
		}
		if isApostrophe(r) && end > start {
			r2, _ := utf8.DecodeRuneInString(text[end+n:])
			if unicode.IsLetter(r2) {
				end += n
				continue
			}
		}
		break
	}
	return start, end, true
}

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

func isWordRune(r rune) bool {
	// Fast paths for the archive's two scripts: ASCII and the Russian
	// alphabet (А–я, Ё, ё) skip the Unicode range tables.
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	if 'А' <= r && r <= 'я' || r == 'Ё' || r == 'ё' {
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// Fold lower-cases a word, maps ё to е, drops combining marks that Russian
// uses only for stress, normalises apostrophes and cuts it to MaxWordBytes.
func Fold(word string) string {
	return string(AppendFold(make([]byte, 0, len(word)), word))
}

// AppendFold appends Fold(word) to dst, for callers that fold many words
// into one buffer.
func AppendFold(dst []byte, word string) []byte {
	n := 0
	for _, r := range word {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case r == '\u0301' || r == '\u0300':
			continue
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case r == '’':
			r = '\''
		case 'А' <= r && r <= 'Я':
			r += 'а' - 'А'
		case 'а' <= r && r <= 'я':
		default:
			r = unicode.ToLower(r)
		}
		if n+utf8.RuneLen(r) > MaxWordBytes {
			break
		}
		dst = utf8.AppendRune(dst, r)
		n += utf8.RuneLen(r)
	}
	return dst
}

// ScriptOf names the script of a folded word by its first letter.
func ScriptOf(word string) Script {
	for _, r := range word {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			return ScriptCyrillic
		case unicode.Is(unicode.Latin, r):
			return ScriptLatin
		case unicode.IsLetter(r):
			return ScriptOther
		}
	}
	return ScriptNone
}

// Stem returns the Snowball stem of a folded word, by its script; a word
// without letters goes through the English stemmer, as the Snowball
// reference vocabulary expects (it strips apostrophes, keeps digits).
func Stem(word string) string {
	var st stemmer
	return st.stem(word)
}

// stemmer reuses one Snowball environment across the words of a text.
type stemmer struct{ env *snowballstem.Env }

func (s *stemmer) stem(word string) string {
	sc := ScriptOf(word)
	if sc == ScriptOther {
		return word
	}
	if s.env == nil {
		s.env = snowballstem.NewEnv(word)
	} else {
		s.env.SetCurrent(word)
	}
	if sc == ScriptCyrillic {
		russian.Stem(s.env)
	} else {
		english.Stem(s.env)
	}
	return s.env.Current()
}

// Language codes DetectLanguage returns.
const (
	LangRussian = "ru"
	LangEnglish = "en"
	LangOther   = "other"
)

// DetectLanguage names the main language of a text, given whole or as its
// pages, by the script of most of its words: a Russian letter with an
// English quotation is "ru". It looks only at each word's first letter, so
// it costs a scan and no allocation.
func DetectLanguage(texts ...string) string {
	var cyr, lat int
	for _, text := range texts {
		c, l := countScripts(text)
		cyr, lat = cyr+c, lat+l
	}
	switch {
	case cyr == 0 && lat == 0:
		return LangOther
	case cyr >= lat:
		return LangRussian
	default:
		return LangEnglish
	}
}

// countScripts counts the words of text that start with a Cyrillic and
// with a Latin letter.
func countScripts(text string) (cyr, lat int) {
	inWord := false
	for _, r := range text {
		if !isWordRune(r) && !isApostrophe(r) {
			inWord = false
			continue
		}
		if inWord || !unicode.IsLetter(r) {
			inWord = inWord || isWordRune(r)
			continue
		}
		inWord = true
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	return cyr, lat
}
