package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"confide/internal/search/query"
)

func mustSearch(t *testing.T, ix *Index, q string, req Request) *Result {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	req.Query = n
	res, err := ix.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

// zipfCorpus writes docs whose words follow a Zipf law, committing in
// batches so the index has several segments.
func zipfCorpus(t *testing.T, ix *Index, n int) {
	rng := rand.New(rand.NewPCG(7, 8))
	vocab := []string{"архив", "архивы", "документ", "документов", "комитет", "комитета", "письмо", "писем",
		"секретно", "москва", "report", "archive", "letter", "committee", "the", "of", "and", "soviet"}
	z := rand.NewZipf(rng, 1.1, 1, 5000)
	for i := range n {
		var b strings.Builder
		for range 20 + rng.IntN(300) {
			k := z.Uint64()
			if k < uint64(len(vocab)) {
				b.WriteString(vocab[k])
			} else {
				fmt.Fprintf(&b, "слово%d", k)
			}
			b.WriteByte(' ')
		}
		if err := ix.Add(Doc{ID: fmt.Sprint(i), Collection: fmt.Sprint("c", i%3), Pages: []string{b.String()}}); err != nil {
			t.Fatal(err)
		}
		if i%1500 == 1499 {
			if err := ix.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := ix.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestPruningIsExact compares top-k with block-max pruning against the same
// query scored exhaustively (asking for facets turns pruning off): the hits
// and their scores must be identical, and pruning must actually skip.
func TestPruningIsExact(t *testing.T) {
	ix, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	zipfCorpus(t, ix, 6000)
	if n := len(ix.snap.segs); n < 3 {
		t.Fatalf("%d segments", n)
	}
	skipped := 0
	for _, q := range []string{`архив`, `архив документ`, `the of`, `архив OR report OR слово40`, `комитет -москва`,
		`"архив документ"`, `слово100 OR слово200`, `archive*`, `секретно collection:c1`, `письмо the`} {
		for _, k := range []int{1, 10, 100} {
			fast := mustSearch(t, ix, q, Request{Limit: k})
			slow := mustSearch(t, ix, q, Request{Limit: k, Facets: true})
			if !slow.TotalExact || fast.Total > slow.Total {
				t.Fatalf("%s: totals %d (exact %v) and %d", q, fast.Total, fast.TotalExact, slow.Total)
			}
			if len(fast.Hits) != len(slow.Hits) {
				t.Fatalf("%s k=%d: %d hits, exhaustive %d", q, k, len(fast.Hits), len(slow.Hits))
			}
			for i := range fast.Hits {
				if fast.Hits[i].ID != slow.Hits[i].ID || fast.Hits[i].Score != slow.Hits[i].Score {
					t.Fatalf("%s k=%d hit %d: %s %v, exhaustive %s %v", q, k, i,
						fast.Hits[i].ID, fast.Hits[i].Score, slow.Hits[i].ID, slow.Hits[i].Score)
				}
			}
			if !fast.TotalExact {
				skipped++
			}
		}
	}
	if skipped == 0 {
		t.Error("pruning never skipped a block")
	}
}

// TestBM25 checks a score against the formula computed by hand.
func TestBM25(t *testing.T) {
	ix, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for i, text := range []string{"kgb kgb report", "report of the day", "kgb"} {
		ix.Add(Doc{ID: fmt.Sprint(i), Pages: []string{text}})
	}
	ix.Commit()
	res := mustSearch(t, ix, `=kgb`, Request{})
	// N 3, df 2, doc 0: tf 2, length 3, average length 8/3.
	idf := math.Log(1 + (3-2+0.5)/(2+0.5))
	want := idf * 2 * (k1 + 1) / (2 + k1*(1-bParam+bParam*3/(8.0/3)))
	// Doc 2, "kgb" alone, is shorter and ranks first.
	if len(res.Hits) != 2 || res.Hits[1].ID != "0" || math.Abs(res.Hits[1].Score-want) > 1e-5 || res.Hits[0].ID != "2" {
		t.Errorf("hits %+v, want doc 0 scoring %v second", res.Hits, want)
	}
}
