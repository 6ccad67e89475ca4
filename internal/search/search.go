package search

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"time"

	"confide/internal/search/query"
)

// ErrNotFound is returned for an operation on a document the index lacks.
var ErrNotFound = errors.New("search: not found")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("search: index closed")

// MaxPrefixTerms bounds the forms one word* may expand to.
const MaxPrefixTerms = 2000

// MaxLimit bounds the hits of one page, and MaxDepth how deep a page may
// start: the collector holds Offset+Limit hits. A million is past the end of
// any archive this engine is for, so paging has no practical cap.
const (
	MaxLimit = 1000
	MaxDepth = 1_000_000
)

// Doc is one document of the archive.
type Doc struct {
	ID         string
	Collection string
	Lang       string // detected from the text when empty
	Type       string
	Date       time.Time // only the day is kept; zero for none
	Tags       []string
	Pages      []string // text of each page; a document without pages has one
}

// Request is one search.
type Request struct {
	Query      query.Node
	Offset     int  // hits to skip: deep paging has no cap
	Limit      int  // hits to return; 0 means 20
	Highlights bool // build snippets for the returned hits
	Facets     bool // count hits by collection, language, type and year
}

// Result is the answer to a Request.
type Result struct {
	Total      int  // matching documents; a lower bound unless TotalExact
	TotalExact bool //
	Hits       []Hit
	Facets     *Facets // nil unless asked for
}

// Hit is one matching document.
type Hit struct {
	ID         string
	Score      float64
	Collection string
	Lang       string
	Type       string
	Date       time.Time // zero for none
	Snippets   []Snippet
}

// Snippet is a piece of a matching document with the matching words marked
// <mark>…</mark>; the rest is HTML-escaped.
type Snippet struct {
	Page int // from 1; 0 when the document has a single page
	HTML template.HTML
}

// Facets counts every hit by field value.
type Facets struct {
	Collection map[string]int
	Lang       map[string]int
	Type       map[string]int
	Year       map[int]int
}

// Searcher runs searches. The folder index (Index) and the PostgreSQL one
// satisfy it, so the archive zone does not care which it has.
type Searcher interface {
	Search(ctx context.Context, req Request) (*Result, error)
}

// Engine is a Searcher that can also be written to.
type Engine interface {
	Searcher
	Add(d Doc) error
	Delete(id string) error
	Commit() error
	Close() error
}

// Check rejects a page that is negative, too long or too deep.
func (r Request) Check() error {
	switch {
	case r.Offset < 0 || r.Limit < 0:
		return errors.New("search: negative offset or limit")
	case r.Limit > MaxLimit:
		return fmt.Errorf("search: at most %d hits a page", MaxLimit)
	case r.Offset+r.limit() > MaxDepth:
		return fmt.Errorf("search: pages end at hit %d", MaxDepth)
	}
	return nil
}

func (r Request) limit() int {
	if r.Limit <= 0 {
		return 20
	}
	return r.Limit
}

// dayOf converts a date to the days since 1970 that segments store.
func dayOf(t time.Time) int32 {
	if t.IsZero() {
		return noDay
	}
	u := t.Unix()
	d := u / 86400
	if u%86400 < 0 {
		d-- // floor, for days before 1970
	}
	return int32(d)
}

func dateOf(day int32) time.Time {
	if day == noDay {
		return time.Time{}
	}
	return time.Unix(int64(day)*86400, 0).UTC()
}
