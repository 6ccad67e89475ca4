package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Found returns the terms that occur in text, matched as the verifier
// matches them (whole words, folded, hyphenation at line ends joined).
// A term with no letters or digits is refused, as by Redact.
func Found(text string, terms []string) ([]string, error) {
	patterns, err := patternsOf(terms)
	if err != nil {
		return nil, err
	}
	toks := tokenize(textWords(text))
	var out []string
	for _, t := range sortedTerms(patterns) {
		if len(find(toks, patterns[t])) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// Mask returns text with every word that is part of an occurrence of a
// term replaced by as many █ as it has letters (its punctuation too, so
// nothing of it is left to guess from), and how many occurrences there
// were. Line breaks and spacing are kept.
func Mask(text string, terms []string) (string, int, error) {
	patterns, err := patternsOf(terms)
	if err != nil {
		return "", 0, err
	}
	type span struct{ start, end int }
	var spans []span
	var ws []word
	line := 0
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			line++
			i += n
		case unicode.IsSpace(r):
			i += n
		default:
			j := i
			for j < len(text) {
				r, n := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(r) {
					break
				}
				j += n
			}
			ws = append(ws, word{text: text[i:j], box: len(spans), line: line})
			spans = append(spans, span{i, j})
			i = j
		}
	}
	toks := tokenize(ws)
	masked := map[int]bool{}
	count := 0
	for _, t := range sortedTerms(patterns) {
		for _, hit := range find(toks, patterns[t]) {
			count++
			for _, ti := range hit {
				for _, w := range toks[ti].boxes {
					masked[w] = true
				}
			}
		}
	}
	if count == 0 {
		return text, 0, nil
	}
	var b strings.Builder
	last := 0
	for i, s := range spans {
		if !masked[i] {
			continue
		}
		b.WriteString(text[last:s.start])
		b.WriteString(strings.Repeat("█", utf8.RuneCountInString(text[s.start:s.end])))
		last = s.end
	}
	b.WriteString(text[last:])
	return b.String(), count, nil
}
