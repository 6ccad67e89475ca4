package search

import (
	"html/template"
	"strings"
	"unicode/utf8"

	"confide/internal/search/analysis"
	"confide/internal/search/query"
)

// marks is what highlighting looks for in a document's words.
type marks struct {
	initials map[rune]bool // first letters of stems
	stems    map[string]bool
	exact    map[string]bool
	prefixes []string
}

// marksOf collects the words a query looks for, as the engines match them;
// excluded words are not marked.
func marksOf(n query.Node) *marks {
	m := &marks{initials: map[rune]bool{}, stems: map[string]bool{}, exact: map[string]bool{}}
	var walk func(n query.Node)
	word := func(text string) {
		for _, s := range analysis.QueryStems(text) {
			m.stems[s] = true
			r, _ := utf8.DecodeRuneInString(s)
			m.initials[r] = true
		}
	}
	walk = func(n query.Node) {
		switch n := n.(type) {
		case query.Word:
			switch {
			case n.Exact:
				m.exact[analysis.Fold(n.Text)] = true
			case n.Prefix:
				m.prefixes = append(m.prefixes, analysis.Fold(n.Text))
			default:
				word(n.Text)
			}
		case query.Phrase:
			for _, w := range n.Words {
				word(w)
			}
		case query.And:
			for _, k := range n.Nodes {
				walk(k)
			}
		case query.Or:
			for _, k := range n.Nodes {
				walk(k)
			}
		}
	}
	walk(n)
	return m
}

// Highlight builds the snippets of a document for a query exactly as
// Search does, for engines that store the text elsewhere (PostgreSQL).
func Highlight(pages []string, q query.Node) []Snippet { return marksOf(q).snippets(pages) }

// snippetWords is the length of a snippet in words.
const snippetWords = 30

func (m *marks) match(t analysis.Token) bool {
	if m.exact[t.Word] {
		return true
	}
	// A Snowball stem keeps the word's first letter: stem only the words
	// that could match, the costly step of building a snippet.
	if r, _ := utf8.DecodeRuneInString(t.Word); m.initials[r] && m.stems[analysis.Stem(t.Word)] {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(t.Word, p) {
			return true
		}
	}
	return false
}

// snippets returns the best window of the document: the page and run of
// snippetWords words with the most matching words.
func (m *marks) snippets(pages []string) []Snippet {
	bestPage, bestStart, bestCount := 0, 0, -1
	var bestToks []analysis.Token
	for pi, page := range pages {
		var toks []analysis.Token
		analysis.Words(page, 0, func(t analysis.Token) { toks = append(toks, t) })
		hit := make([]bool, len(toks))
		for i, t := range toks {
			hit[i] = m.match(t)
		}
		count := 0
		for i := range toks {
			if hit[i] {
				count++
			}
			if i >= snippetWords && hit[i-snippetWords] {
				count--
			}
			start := max(0, i-snippetWords+1)
			if count > bestCount && (count > 0 || bestCount < 0) {
				// Start the window at its first match, for context after it.
				s := start
				for s < i && !hit[s] {
					s++
				}
				bestPage, bestStart, bestCount, bestToks = pi, max(0, s-3), count, toks
			}
		}
	}
	if bestToks == nil {
		return nil
	}
	page := pages[bestPage]
	end := min(len(bestToks), bestStart+snippetWords)
	var b strings.Builder
	if bestStart > 0 {
		b.WriteString("… ")
	}
	from := bestToks[bestStart].Start
	for _, t := range bestToks[bestStart:end] {
		b.WriteString(template.HTMLEscapeString(page[from:t.Start]))
		word := template.HTMLEscapeString(page[t.Start:t.End])
		if m.match(t) {
			b.WriteString("<mark>" + word + "</mark>")
		} else {
			b.WriteString(word)
		}
		from = t.End
	}
	if end < len(bestToks) {
		b.WriteString(template.HTMLEscapeString(page[from:bestToks[end].Start]))
		b.WriteString("…")
	} else {
		b.WriteString(template.HTMLEscapeString(page[from:]))
	}
	sn := Snippet{HTML: template.HTML(b.String())}
	if len(pages) > 1 {
		sn.Page = bestPage + 1
	}
	return []Snippet{sn}
}
