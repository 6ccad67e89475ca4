package translate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Split cuts a page's text into paragraphs: a blank line (or a form feed,
// pdftotext's page break) ends one. Inside a paragraph the lines are OCR's
// or a PDF's wraps, not the author's, so they are joined by one space; a
// word hyphenated at a line's end ("docu-" / "ment") is joined back
// ("document") when the next line goes on in lower case, and kept without
// a space before anything else ("Rosneft-" / "Gazprom"). The trade-off: a
// real hyphen that falls at a line's end before a lower-case word
// ("well-" / "known") loses its hyphen too; OCR cannot tell them apart.
// Every paragraph is trimmed, has no line break and is not empty.
func Split(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.NewReplacer("\r", "\n", "\f", "\n\n", "\v", "\n").Replace(text)
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.Join(strings.FieldsFunc(line, unicode.IsSpace), " ")
		if line == "" {
			flush()
			continue
		}
		if cur.Len() == 0 {
			cur.WriteString(line)
			continue
		}
		switch prev := cur.String(); hyphen(prev, line) {
		case hyphenBroken:
			cur.Reset()
			cur.WriteString(strings.TrimSuffix(strings.TrimSuffix(prev, "-"), "\u00ad"))
		case hyphenCompound:
		default:
			cur.WriteByte(' ')
		}
		cur.WriteString(line)
	}
	flush()
	return out
}

const (
	hyphenNone     = iota
	hyphenBroken   // "docu-" / "ment": one word, the hyphen goes
	hyphenCompound // "Rosneft-" / "Gazprom": the hyphen stays, no space
)

// hyphen tells how prev, ending in a hyphen (or a soft hyphen) after a
// letter, goes on with next.
func hyphen(prev, next string) int {
	cut, soft := strings.CutSuffix(prev, "\u00ad")
	if !soft {
		var ok bool
		if cut, ok = strings.CutSuffix(prev, "-"); !ok {
			return hyphenNone
		}
	}
	before, _ := utf8.DecodeLastRuneInString(cut)
	after, _ := utf8.DecodeRuneInString(next)
	switch {
	case !unicode.IsLetter(before):
		return hyphenNone
	case soft || unicode.IsLower(after):
		return hyphenBroken
	default:
		return hyphenCompound
	}
}

// Join puts paragraphs back into one text, a blank line apart; Split of
// the result gives them back when they came from Split.
func Join(paragraphs []string) string { return strings.Join(paragraphs, "\n\n") }

// Row is one line of a side-by-side view: a paragraph of the original and
// its translation. Either is "" where one side has fewer paragraphs (a
// human translation in progress).
type Row struct {
	N           int // 1-based paragraph number
	Original    string
	Translation string
}

// Align pairs the original's paragraphs with the translation's, in order,
// for side-by-side display; the longer side sets the number of rows.
func Align(original, translation []string) []Row {
	rows := make([]Row, max(len(original), len(translation)))
	for i := range rows {
		rows[i].N = i + 1
		if i < len(original) {
			rows[i].Original = original[i]
		}
		if i < len(translation) {
			rows[i].Translation = translation[i]
		}
	}
	return rows
}
