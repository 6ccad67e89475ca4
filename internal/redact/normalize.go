package redact

import (
	"strings"
	"unicode"
)

// token is one normalised word piece of a page and the boxes it came from.
type token struct {
	text  string
	boxes []int
}

// confusable folds Latin letters that look like Cyrillic ones, so that OCR
// reading "Горбaчёв" with a Latin a still matches; applied only to words
// that hold Cyrillic letters.
var confusable = map[rune]rune{
	'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'x': 'х', 'y': 'у',
	'k': 'к', 'm': 'м', 't': 'т', 'h': 'н', 'b': 'в', 'i': 'і', '3': 'з', '0': 'о',
}

// fold lowercases, maps ё to е and й to и (OCR often drops the breve) and
// folds confusables in Cyrillic words.
func fold(w string) string {
	w = strings.ToLower(w)
	cyr := false
	for _, r := range w {
		cyr = cyr || unicode.Is(unicode.Cyrillic, r)
	}
	var b strings.Builder
	for _, r := range w {
		switch r {
		case 'ё':
			r = 'е'
		case 'й':
			r = 'и'
		}
		if cyr {
			if c, ok := confusable[r]; ok {
				r = c
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pieces splits a word into its runs of letters and digits, folded.
func pieces(w string) []string {
	f := strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) })
	for i := range f {
		f[i] = fold(f[i])
	}
	return f
}

// hyphenated reports a word that ends in a hyphen, soft hyphen or dash
// and so may continue on the next line.
func hyphenated(w string) bool {
	return strings.HasSuffix(w, "-") || strings.HasSuffix(w, "\u00ad") || strings.HasSuffix(w, "‐") || strings.HasSuffix(w, "‑")
}

// word is one word of a page as a tool saw it; box indexes the caller's
// boxes, line groups words that share a line.
type word struct {
	text string
	box  int
	line int
}

// tokenize turns a page's words into tokens, joining a word hyphenated at
// the end of its line with the first word of the next line.
func tokenize(words []word) []token {
	var out []token
	joinNext := false
	for i, w := range words {
		ps := pieces(w.text)
		for j, p := range ps {
			if j == 0 && joinNext && len(out) > 0 {
				last := &out[len(out)-1]
				last.text += p
				last.boxes = append(last.boxes, w.box)
				continue
			}
			out = append(out, token{text: p, boxes: []int{w.box}})
		}
		endOfLine := i+1 == len(words) || words[i+1].line != w.line
		joinNext = len(ps) > 0 && hyphenated(w.text) && endOfLine
	}
	return out
}

// textWords reads plain text (pdftotext's output) as words by line.
func textWords(s string) []word {
	var ws []word
	for n, l := range strings.Split(s, "\n") {
		for _, f := range strings.Fields(l) {
			ws = append(ws, word{text: f, box: -1, line: n})
		}
	}
	return ws
}

// termPattern is a term as the concatenation of its folded pieces.
func termPattern(term string) string {
	return strings.Join(pieces(term), "")
}

// find returns, for each occurrence of pattern in the tokens, the indexes
// of the tokens it covers. The tokens are concatenated without spaces and
// a match must begin and end on token boundaries: "Горба чёв" matches
// Горбачёв, "Горбачева" does not.
func find(toks []token, pattern string) [][]int {
	if pattern == "" {
		return nil
	}
	var all strings.Builder
	starts := map[int]int{} // byte offset -> token index
	ends := map[int]bool{}
	for i, t := range toks {
		starts[all.Len()] = i
		all.WriteString(t.text)
		ends[all.Len()] = true
	}
	s := all.String()
	var hits [][]int
	for off := 0; off <= len(s); {
		k := strings.Index(s[off:], pattern)
		if k < 0 {
			break
		}
		at := off + k
		first, ok := starts[at]
		if ok && ends[at+len(pattern)] {
			var idx []int
			for i, n := first, at; n < at+len(pattern); i++ {
				idx = append(idx, i)
				n += len(toks[i].text)
			}
			hits = append(hits, idx)
		}
		off = at + 1
	}
	return hits
}
