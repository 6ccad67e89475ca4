// Package lang guesses the language of a page of text: Russian, English
// or other.
//
// Contract: Detect is a pure function of its input, linear in its length,
// and allocates nothing; it looks at letters'
// scripts first and at stopwords second (in the first 1,000 words), so it
// needs no model files. Text
// with too few letters gets Unknown rather than a guess.
package lang

import "unicode"

// The codes Detect returns (ISO 639-1 where there is one).
const (
	Unknown = ""
	Russian = "ru"
	English = "en"
	Other   = "other"
)

// minLetters is how many letters a guess needs.
const minLetters = 12

// isEnStop reports whether w is an English stopword: a switch, where a
// map lookup per word was a third of Detect's time.
func isEnStop(w []byte) bool {
	switch string(w) {
	case "the", "and", "of", "to", "in", "is", "that", "it", "for", "was", "on", "with", "as", "be", "by", "at", "this",
		"are", "from", "or", "an", "have", "not", "but", "which", "his", "her", "they", "you", "we", "he", "she", "has",
		"were", "had":
		return true
	}
	return false
}

// Result is a guess with the share of the text's letters in each script.
type Result struct {
	Code     string  // Russian, English, Other or Unknown
	Cyrillic float64 // share of letters that are Cyrillic
	Latin    float64 // share of letters that are Latin
}

// Detect guesses the dominant language of text. Mixed pages get the
// language of the script most of their letters are in.
//
// It runs on every page an ingest reads, so it takes one pass over the
// text, with the scripts' common ranges tested before the tables, and
// looks up the English stopwords without copying the text (the words are
// lowered into a small buffer), in the first maxWords words only: their
// share is settled long before the end of a page.
func Detect(text string) Result {
	var cyr, lat, other, own int
	var sc wordScan
	for _, r := range text {
		switch {
		case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
			lat++
			sc.letter(r)
			continue
		case r < 0x80:
		case 0x0400 <= r && r <= 0x04ff && (r < 0x0482 || r > 0x0489):
			// The block's letters: all of it but a sign and the
			// combining marks. None lowers to ASCII.
			cyr++
			if isOwnLetter(r) {
				own++
			}
			sc.in, sc.miss = true, true
			continue
		case !unicode.IsLetter(r):
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
			sc.letter(r)
			continue
		case unicode.Is(unicode.Latin, r):
			lat++
			sc.letter(r)
			continue
		default:
			other++
			sc.letter(r)
			continue
		}
		sc.end()
	}
	sc.end()
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
		if own > cyr/50 {
			res.Code = Other
		}
	default:
		res.Code = English
		if sc.words == 0 || float64(sc.hits)/float64(sc.words) < 0.05 {
			res.Code = Other
		}
	}
	return res
}

// isOwnLetter reports the letters of Ukrainian and Belarusian that Russian
// never uses (іїєґў, either case).
func isOwnLetter(r rune) bool {
	switch r {
	case 'і', 'ї', 'є', 'ґ', 'ў', 'І', 'Ї', 'Є', 'Ґ', 'Ў':
		return true
	}
	return false
}

// wordScan counts the words (runs of letters) it is fed and those that
// are English stopwords, lowered. A word with a letter that does not lower
// to ASCII, or longer than any stopword, cannot be one.
type wordScan struct {
	buf         [maxStop]byte
	n           int
	in, miss    bool
	words, hits int
}

// maxStop is the length of the longest stopword.
const maxStop = 8

// maxWords is how many words the stopwords' share is taken over.
const maxWords = 1000

func (s *wordScan) letter(r rune) {
	s.in = true
	if s.miss || s.words == maxWords {
		return
	}
	if r >= 'A' && r <= 'Z' {
		r += 'a' - 'A'
	} else if r >= 0x80 {
		r = unicode.ToLower(r)
	}
	if r >= 0x80 || s.n == maxStop {
		s.miss = true
		return
	}
	s.buf[s.n] = byte(r)
	s.n++
}

func (s *wordScan) end() {
	if !s.in || s.words == maxWords {
		return
	}
	s.words++
	if !s.miss && isEnStop(s.buf[:s.n]) {
		s.hits++
	}
	s.n, s.in, s.miss = 0, false, false
}
