// Package query parses the archive's search syntax into a tree the engines
// execute.
//
// Syntax: words are ANDed; OR between two parts makes them alternatives;
// -part excludes; "a phrase" matches adjacent words (any inflection);
// =word matches that exact form only; word* matches forms starting with
// word; (…) groups; collection:, lang:, type: and tag: filter on a field
// (quote values with spaces); date:1985, date:1985-03, date:1980..1985-06-30,
// date:..1990 and date:1991.. filter on the document's day.
//
// Contract: Parse never panics; it rejects malformed input (unbalanced
// parentheses or quotes, a dangling OR or -, an unknown field, a bad date, a
// query with nothing to match or only exclusions) with an *Error whose
// message is meant for the person who typed it. Parse bounds the input
// (MaxBytes) and the tree (MaxClauses, MaxDepth), so a query's cost is
// bounded before it runs. String prints a tree back in the same syntax, and
// Parse(n.String()) gives n again.
package query

import (
	"fmt"
	"strings"
	"time"
)

// Limits on one query.
const (
	MaxBytes   = 2000
	MaxClauses = 64
	MaxDepth   = 8
)

// Node is one part of a parsed query.
type Node interface {
	String() string
	node()
}

// Word matches a word in any of its inflections, or only the exact form
// (=word), or every form that starts with it (word*). Text is as typed; the
// engines analyse it.
type Word struct {
	Text   string
	Exact  bool
	Prefix bool
}

// Phrase matches its words at adjacent positions, each in any inflection.
type Phrase struct{ Words []string }

// And matches what all its parts match.
type And struct{ Nodes []Node }

// Or matches what any of its parts matches.
type Or struct{ Nodes []Node }

// Not excludes what its part matches; it appears only inside an And that
// also has a part that is not a Not.
type Not struct{ Node Node }

// Field filters on a document field: collection, lang, type or tag.
type Field struct{ Name, Value string }

// Fields that Field accepts.
var Fields = []string{"collection", "lang", "type", "tag"}

// DateRange filters on the document's day, both ends included; a zero end
// is open.
type DateRange struct{ From, To time.Time }

func (Word) node()      {}
func (Phrase) node()    {}
func (And) node()       {}
func (Or) node()        {}
func (Not) node()       {}
func (Field) node()     {}
func (DateRange) node() {}

// Error is a malformed query, described for the person who typed it.
type Error struct {
	Msg string
	Pos int // byte offset in the query, -1 when it is about the whole
}

func (e *Error) Error() string {
	if e.Pos < 0 {
		return "query: " + e.Msg
	}
	return fmt.Sprintf("query: %s (at character %d)", e.Msg, e.Pos+1)
}

func (w Word) String() string {
	s := w.Text
	if s == "OR" && !w.Exact && !w.Prefix {
		s = `"OR"`
	}
	if w.Exact {
		s = "=" + s
	}
	if w.Prefix {
		s += "*"
	}
	return s
}

func (p Phrase) String() string { return `"` + strings.Join(p.Words, " ") + `"` }

func (a And) String() string {
	parts := make([]string, len(a.Nodes))
	for i, n := range a.Nodes {
		parts[i] = n.String() // OR binds tighter: no parentheses
	}
	return strings.Join(parts, " ")
}

func (o Or) String() string {
	parts := make([]string, len(o.Nodes))
	for i, n := range o.Nodes {
		parts[i] = n.String()
		if _, ok := n.(And); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " OR ")
}

func (n Not) String() string {
	switch n.Node.(type) {
	case And, Or:
		return "-(" + n.Node.String() + ")"
	}
	return "-" + n.Node.String()
}

func (f Field) String() string { return f.Name + ":" + quoteIfNeeded(f.Value) }

const dayLayout = "2006-01-02"

func (d DateRange) String() string {
	var from, to string
	if !d.From.IsZero() {
		from = d.From.Format(dayLayout)
	}
	if !d.To.IsZero() {
		to = d.To.Format(dayLayout)
	}
	return "date:" + from + ".." + to
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\r\"()*=:-") || s == "OR" {
		return `"` + s + `"`
	}
	return s
}
