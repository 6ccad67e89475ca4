package query

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"confide/internal/search/analysis"
)

type parser struct {
	s       string
	i       int
	depth   int
	clauses int
}

func errAt(pos int, format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...), Pos: pos}
}

// Parse parses a query typed by a person.
func Parse(s string) (Node, error) {
	if len(s) > MaxBytes {
		return nil, &Error{Msg: fmt.Sprintf("the query is longer than %d characters", MaxBytes), Pos: -1}
	}
	if !utf8.ValidString(s) {
		return nil, &Error{Msg: "the query is not valid text (UTF-8)", Pos: -1}
	}
	p := &parser{s: s}
	n, err := p.and()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		if p.s[p.i] == ')' {
			return nil, errAt(p.i, "a closing parenthesis has no opening one")
		}
		return nil, errAt(p.i, "unexpected %q", p.s[p.i:p.i+1])
	}
	if n == nil {
		return nil, &Error{Msg: "the query has no words to search for", Pos: -1}
	}
	if err := checkNots(n, true); err != nil {
		return nil, err
	}
	return n, nil
}

// checkNots requires every Not to sit in an And beside a part that is not a
// Not: there is no "everything" for an exclusion to be taken from.
func checkNots(n Node, top bool) error {
	switch n := n.(type) {
	case Not:
		return &Error{Msg: "an exclusion (-word) needs something to match beside it", Pos: -1}
	case And:
		positive := false
		for _, c := range n.Nodes {
			if not, ok := c.(Not); ok {
				if err := checkNots(not.Node, false); err != nil {
					return err
				}
				continue
			}
			positive = true
			if err := checkNots(c, false); err != nil {
				return err
			}
		}
		if !positive {
			return &Error{Msg: "an exclusion (-word) needs something to match beside it", Pos: -1}
		}
	case Or:
		for _, c := range n.Nodes {
			if err := checkNots(c, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *parser) space() {
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if !unicode.IsSpace(r) {
			return
		}
		p.i += n
	}
}

func (p *parser) atEnd() bool { p.space(); return p.i >= len(p.s) }

// and parses parts up to the end or a closing parenthesis.
func (p *parser) and() (Node, error) {
	var nodes []Node
	for !p.atEnd() && p.s[p.i] != ')' {
		start := p.i
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if n == nil {
			if p.i == start {
				return nil, errAt(p.i, "unexpected %q", p.s[p.i:p.i+1])
			}
			continue
		}
		if a, ok := n.(And); ok {
			nodes = append(nodes, a.Nodes...)
		} else {
			nodes = append(nodes, n)
		}
	}
	switch len(nodes) {
	case 0:
		return nil, nil
	case 1:
		return nodes[0], nil
	}
	return And{Nodes: nodes}, nil
}

func (p *parser) isOR() bool {
	if !strings.HasPrefix(p.s[p.i:], "OR") {
		return false
	}
	rest := p.s[p.i+2:]
	return rest == "" || strings.ContainsAny(rest[:1], " \t\r\n(\"")
}

// or parses unary ("OR" unary)*; OR binds tighter than the implicit AND, so
// "a b OR c" is a AND (b OR c).
func (p *parser) or() (Node, error) {
	if p.isOR() {
		return nil, errAt(p.i, "OR needs a word before it")
	}
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	nodes := []Node{first}
	for {
		save := p.i
		if p.atEnd() || !p.isOR() {
			p.i = save
			break
		}
		orPos := p.i
		p.i += 2
		if p.atEnd() || p.s[p.i] == ')' || p.isOR() {
			return nil, errAt(orPos, "OR needs a word after it")
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	var flat []Node
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if o, ok := n.(Or); ok {
			flat = append(flat, o.Nodes...)
		} else {
			flat = append(flat, n)
		}
	}
	switch len(flat) {
	case 0:
		return nil, nil
	case 1:
		return flat[0], nil
	}
	return Or{Nodes: flat}, nil
}

func (p *parser) unary() (Node, error) {
	p.space()
	if p.s[p.i] == '-' {
		pos := p.i
		p.i++
		if p.i >= len(p.s) || strings.ContainsAny(p.s[p.i:p.i+1], " \t\r\n)") {
			return nil, nil // a dash between words, as in "Москва - Берлин"
		}
		if p.s[p.i] == '-' {
			return nil, errAt(pos, "two minuses in a row")
		}
		n, err := p.primary()
		if err != nil {
			return nil, err
		}
		if n == nil {
			return nil, nil
		}
		return Not{Node: n}, nil
	}
	return p.primary()
}

func (p *parser) clause(pos int) error {
	p.clauses++
	if p.clauses > MaxClauses {
		return errAt(pos, "the query has more than %d words and filters", MaxClauses)
	}
	return nil
}

func (p *parser) primary() (Node, error) {
	start := p.i
	switch p.s[p.i] {
	case '(':
		p.depth++
		if p.depth > MaxDepth {
			return nil, errAt(start, "parentheses nest deeper than %d", MaxDepth)
		}
		p.i++
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, errAt(start, "this parenthesis is never closed")
		}
		p.i++
		p.depth--
		return n, nil
	case ')':
		return nil, errAt(start, "a closing parenthesis has no opening one")
	case '"':
		text, err := p.quoted()
		if err != nil {
			return nil, err
		}
		ws := words(text)
		if len(ws) == 0 {
			return nil, errAt(start, "the quotes hold no words")
		}
		for range ws {
			if err := p.clause(start); err != nil {
				return nil, err
			}
		}
		return Phrase{Words: ws}, nil
	case '=':
		p.i++
		tok := p.bare()
		ws := words(tok)
		if len(ws) != 1 || strings.HasSuffix(tok, "*") {
			return nil, errAt(start, "=word takes exactly one word")
		}
		if err := p.clause(start); err != nil {
			return nil, err
		}
		return Word{Text: ws[0], Exact: true}, nil
	}
	tok := p.bare()
	if tok == "" {
		return nil, errAt(start, "unexpected %q", p.s[start:start+1])
	}
	if name, value, ok := strings.Cut(tok, ":"); ok && isFieldName(name) && !strings.HasPrefix(value, "//") {
		return p.field(start, strings.ToLower(name), value)
	}
	prefix := strings.HasSuffix(tok, "*")
	ws := words(strings.TrimRight(tok, "*"))
	switch {
	case len(ws) == 0 && prefix:
		return nil, errAt(start, "a * needs letters before it (word*)")
	case len(ws) == 0:
		return nil, nil // punctuation alone: nothing to match
	case prefix && len(ws) > 1:
		return nil, errAt(start, "word* takes exactly one word")
	case len(ws) > 1:
		for range ws {
			if err := p.clause(start); err != nil {
				return nil, err
			}
		}
		return Phrase{Words: ws}, nil
	}
	if err := p.clause(start); err != nil {
		return nil, err
	}
	return Word{Text: ws[0], Prefix: prefix}, nil
}

// isFieldName is true for a run of ASCII letters: "http://…" and "12:30"
// are words, "foo:bar" is a mistyped filter.
func isFieldName(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func (p *parser) field(start int, name, value string) (Node, error) {
	if value == "" && p.i < len(p.s) && p.s[p.i] == '"' {
		v, err := p.quoted()
		if err != nil {
			return nil, err
		}
		value = v
	}
	if err := p.clause(start); err != nil {
		return nil, err
	}
	if value == "" {
		return nil, errAt(start, "%s: needs a value", name)
	}
	if name == "date" {
		return parseDateRange(start, value)
	}
	if !slices.Contains(Fields, name) {
		return nil, errAt(start, "unknown filter %q; filters are collection:, lang:, type:, tag: and date:", name+":")
	}
	if strings.Contains(value, `"`) {
		return nil, errAt(start, "a filter value cannot contain quotes")
	}
	if name == "lang" {
		value = strings.ToLower(value)
	}
	return Field{Name: name, Value: value}, nil
}

// bare reads a token up to a space, a parenthesis or a quote.
func (p *parser) bare() string {
	start := p.i
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
			break
		}
		p.i += n
	}
	return p.s[start:p.i]
}

func (p *parser) quoted() (string, error) {
	start := p.i
	end := strings.IndexByte(p.s[p.i+1:], '"')
	if end < 0 {
		return "", errAt(start, "this quote is never closed")
	}
	p.i += end + 2
	return p.s[start+1 : start+1+end], nil
}

// words splits text the way the index does, keeping the words as typed.
func words(text string) []string {
	var out []string
	analysis.Tokenize(text, 0, func(t analysis.Token) {
		out = append(out, text[t.Start:t.End])
	})
	return out
}

func parseDateRange(start int, v string) (Node, error) {
	fromS, toS, isRange := strings.Cut(v, "..")
	if !isRange {
		toS = fromS
	}
	var d DateRange
	var err error
	if fromS != "" {
		if d.From, _, err = parseDay(fromS); err != nil {
			return nil, errAt(start, "date:%s: %v", v, err)
		}
	}
	if toS != "" {
		var end time.Time
		if _, end, err = parseDay(toS); err != nil {
			return nil, errAt(start, "date:%s: %v", v, err)
		}
		d.To = end
	}
	if d.From.IsZero() && d.To.IsZero() {
		return nil, errAt(start, "date: needs a year, a month (1985-03) or a day (1985-03-17)")
	}
	if !d.From.IsZero() && !d.To.IsZero() && d.To.Before(d.From) {
		return nil, errAt(start, "date:%s ends before it starts", v)
	}
	return d, nil
}

// parseDay reads a year, a month or a day and returns its first and last day.
func parseDay(s string) (first, last time.Time, err error) {
	for _, f := range []struct {
		layout string
		add    func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, -1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, -1) }},
		{"2006-01-02", func(t time.Time) time.Time { return t }},
	} {
		if len(s) != len(f.layout) {
			continue
		}
		t, err := time.Parse(f.layout, s)
		if err != nil {
			break
		}
		if t.Year() < 1 {
			break
		}
		return t, f.add(t), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("%q is not a year, a month (1985-03) or a day (1985-03-17)", s)
}
