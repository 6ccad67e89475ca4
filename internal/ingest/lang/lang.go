// Package lang guesses the language of a page of text: Russian, English
// or other.
//
// Contract: Detect is a pure function of its input, linear in its length,
// and never allocates more than the words it splits; it looks at letters'
// scripts first and at stopwords second, so it needs no model files. Text
// with too few letters gets Unknown rather than a guess.
package lang

import (
	"strings"
	"unicode"
)

// The codes Detect returns (ISO 639-1 where there is one).
const (
	Unknown = ""
	Russian = "ru"
	English = "en"
	Other   = "other"
)

// minLetters is how many letters a guess needs.
const minLetters = 12

var enStop = set("the and of to in is that it for was on with as be by at this are from or an have not but which his her they you we he she has were had")

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Result is a guess with the share of the text's letters in each script.
type Result struct {
	Code     string  // Russian, English, Other or Unknown
	Cyrillic float64 // share of letters that are Cyrillic
	Latin    float64 // share of letters that are Latin
}

// Detect guesses the dominant language of text. Mixed pages get the
// language of the script most of their letters are in.
func Detect(text string) Result {
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
	switch {
	case other > cyr && other > lat:
		res.Code = Other
	case cyr >= lat:
		res.Code = Russian
		// Ukrainian, Belarusian and the like share the script; their own
		// letters, which Russian never uses, give them away.
		if ownLetters(text, "іїєґў") > cyr/50 {
			res.Code = Other
		}
	default:
		res.Code = English
		if stopShare(text, enStop) < 0.05 {
			res.Code = Other
		}
	}
	return res
}

func ownLetters(text, letters string) int {
	n := 0
	for _, r := range strings.ToLower(text) {
		if strings.ContainsRune(letters, r) {
			n++
		}
	}
	return n
}

// stopShare is the share of words of text's dominant script found in stop.
func stopShare(text string, stop map[string]bool) float64 {
	words, hits := 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		words++
		if stop[w] {
			hits++
		}
	}
	if words == 0 {
		return 0
	}
	return float64(hits) / float64(words)
}
