package analysis

import (
	"strings"
	"unicode/utf8"
)

// Russian endings of nouns, adjectives, short forms and the past tense; a
// query word is rebuilt with each of them to find the stems its own
// inflections take. Present-tense verb endings are left out: they turn nouns
// into verbs that do not exist and would only add noise.
var ruEndings = []string{
	"", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь",
	"ом", "ем", "ой", "ей", "ою", "ею", "ам", "ям", "ами", "ями", "ах", "ях", "ов", "ев",
	"ый", "ий", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ым", "им",
	"ую", "юю", "ых", "их", "ыми", "ими",
	"л", "ла", "ло", "ли", "ть",
}

// QueryStems returns the stems a bare query word must match: its own stem
// first, then, for Russian, the stems of its inflections that are consistent
// with it. Snowball cuts "архив" to "арх" but "архивы" to "архив", and
// "письмо" to "письм" but its genitive plural "писем" to "пис"; matching only
// the query word's own stem would miss most forms of such words.
//
// A candidate stem is kept when it is a prefix of the word itself, or of the
// word with its fleeting vowel moved (письм ↔ писем, окн ↔ окон). That keeps
// the expansion to at most a few stems that all look like the word, never a
// different word that merely shares letters with it.
func QueryStems(word string) []string {
	w := Fold(word)
	if !strings.ContainsFunc(w, isWordRune) {
		return nil
	}
	s0 := Stem(w)
	out := []string{s0}
	if ScriptOf(w) != ScriptCyrillic {
		return out
	}
	minLen := min(3, utf8.RuneCountInString(s0))
	add := func(s string) {
		if utf8.RuneCountInString(s) < minLen {
			return
		}
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	var st stemmer
	expand := func(base, within string) {
		for _, e := range ruEndings {
			s := st.stem(base + e)
			if strings.HasPrefix(within, s) {
				add(s)
			}
		}
	}
	for _, base := range []string{w, s0} {
		expand(base, w)
		for _, v := range fleeting(base) {
			expand(v, v)
		}
	}
	return out
}

const ruVowels = "аеиоуыэюяё"

func isRuVowel(r rune) bool { return strings.ContainsRune(ruVowels, r) }

func isRuConsonant(r rune) bool {
	return r >= 'а' && r <= 'я' && !isRuVowel(r) && r != 'ь' && r != 'ъ' && r != 'й'
}

// fleeting returns base with a fleeting vowel inserted before its last
// consonant (письм → писем, окн → окон, девушк → девушек) or removed from
// between its last two consonants (писем → письм, писм; окон → окн).
func fleeting(base string) []string {
	r := []rune(base)
	n := len(r)
	var out []string
	if n >= 3 && isRuConsonant(r[n-1]) {
		prev := r[n-2]
		if isRuConsonant(prev) {
			head := string(r[:n-1])
			out = append(out, head+"е"+string(r[n-1]), head+"о"+string(r[n-1]))
		} else if (prev == 'ь' || prev == 'й') && n >= 4 && !isRuVowel(r[n-3]) {
			head := string(r[:n-2])
			out = append(out, head+"е"+string(r[n-1]))
		}
		if (prev == 'е' || prev == 'о') && n >= 4 && !isRuVowel(r[n-3]) {
			head := string(r[:n-2])
			tail := string(r[n-1])
			out = append(out, head+tail, head+"ь"+tail)
		}
	}
	return out
}
