package main

import (
	"context"
	"strings"

	"confide/bench/search/corpus"
	"confide/internal/search"
	"confide/internal/search/query"
)

type confideEngine struct {
	dir string
	ix  *search.Index
}

func newConfide(dir string) (engine, error) { return &confideEngine{dir: dir}, nil }

func (c *confideEngine) index(docs func(yield func(corpus.Doc) bool)) error {
	ix, err := search.Open(c.dir)
	if err != nil {
		return err
	}
	// Two feeders, so that one batch is analysed while the other is added.
	batches := make(chan []search.Doc, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			var err error
			for b := range batches {
				if err == nil {
					err = ix.AddBatch(b)
				}
			}
			errs <- err
		}()
	}
	var batch []search.Doc
	for d := range docs {
		batch = append(batch, search.Doc{ID: d.ID, Collection: d.Collection, Lang: d.Lang, Type: d.Type, Date: d.Date,
			Pages: []string{d.Text}})
		if len(batch) == 1000 {
			batches <- batch
			batch = nil
		}
	}
	batches <- batch
	close(batches)
	for range 2 {
		if err := <-errs; err != nil {
			return err
		}
	}
	if err := ix.Commit(); err != nil {
		return err
	}
	// Closing waits for background merges: they are part of indexing.
	if err := ix.Close(); err != nil {
		return err
	}
	c.ix, err = search.Open(c.dir)
	return err
}

func (c *confideEngine) search(q Query) (int, error) {
	n, err := query.Parse(q.Confide)
	if err != nil {
		return 0, err
	}
	res, err := c.ix.Search(context.Background(), search.Request{Query: n, Limit: 20, Highlights: true, Facets: q.Filter})
	if err != nil {
		return 0, err
	}
	for _, h := range res.Hits {
		if len(h.Snippets) == 0 || !strings.Contains(string(h.Snippets[0].HTML), "<mark>") && !q.Filter {
			return 0, errNoMark
		}
	}
	return res.Total, nil
}

func (c *confideEngine) size() int64  { return dirSize(c.dir) }
func (c *confideEngine) close() error { return c.ix.Close() }
func (c *confideEngine) note() string { return "total is a lower bound when pruned" }
