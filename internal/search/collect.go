package search

import (
	"container/heap"
	"context"
	"fmt"
	"slices"

	"confide/internal/search/query"
)

type hitRef struct {
	seg   int
	doc   uint32
	score float32
}

// worse orders hits: lower score first, and on a tie the later document,
// so results are stable and the heap evicts the right one.
func worse(a, b hitRef) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	if a.seg != b.seg {
		return a.seg > b.seg
	}
	return a.doc > b.doc
}

type topK []hitRef

func (h topK) Len() int           { return len(h) }
func (h topK) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h topK) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(x any)        { *h = append(*h, x.(hitRef)) }
func (h *topK) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Search runs a query on the last commit.
func (ix *Index) Search(ctx context.Context, req Request) (*Result, error) {
	if req.Query == nil {
		return nil, &query.Error{Msg: "the query has no words to search for", Pos: -1}
	}
	if err := req.Check(); err != nil {
		return nil, err
	}
	ix.smu.Lock()
	if ix.snap == nil {
		ix.smu.Unlock()
		return nil, ErrClosed
	}
	snap := ix.snap
	snap.refs.Add(1)
	ix.smu.Unlock()
	defer snap.release()
	return searchSnapshot(ctx, snap, req)
}

func searchSnapshot(ctx context.Context, snap *snapshot, req Request) (*Result, error) {
	p, err := compile(req.Query, snap)
	if err != nil {
		return nil, err
	}
	var mk *marks
	if req.Highlights {
		mk = marksOf(req.Query)
	}
	k := req.Offset + req.limit()
	res := &Result{TotalExact: true}
	var facets *facetCounter
	if req.Facets {
		facets = newFacetCounter()
	}
	h := make(topK, 0, min(k, 1024))
	avgdl := snap.avgdl()
	var failed error
	for si, seg := range snap.segs {
		sc, err := seg.scorer(p, avgdl, &failed)
		if err != nil {
			return nil, fmt.Errorf("search: %s: %w", seg.f.name, err)
		}
		var fc *segFacets
		if facets != nil {
			fc = facets.segment(seg)
		}
		steps := 0
		d := sc.doc()
		for d != noMore {
			if steps++; steps&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			// Only with every hit counted (facets) is pruning off.
			if fc == nil && len(h) == k {
				upTo, bound := sc.blockMax(d)
				if bound < h[0].score || (bound == h[0].score && h[0].seg <= si) {
					res.TotalExact = false
					if upTo == noMore {
						break
					}
					d = sc.advance(upTo + 1)
					continue
				}
			}
			if !seg.isDeleted(d) {
				res.Total++
				if fc != nil {
					fc.add(d)
				}
				hr := hitRef{seg: si, doc: d, score: sc.score()}
				if len(h) < k {
					heap.Push(&h, hr)
				} else if worse(h[0], hr) {
					h[0] = hr
					heap.Fix(&h, 0)
				}
			}
			d = sc.next()
		}
		if failed != nil {
			return nil, fmt.Errorf("search: %s: %w", seg.f.name, failed)
		}
	}
	hits := []hitRef(h)
	slices.SortFunc(hits, func(a, b hitRef) int {
		if worse(a, b) {
			return 1
		}
		if worse(b, a) {
			return -1
		}
		return 0
	})
	if req.Offset < len(hits) {
		hits = hits[req.Offset:]
	} else {
		hits = nil
	}
	for _, hr := range hits {
		seg := snap.segs[hr.seg]
		cols := seg.r.Columns(hr.doc)
		hit := Hit{Score: float64(hr.score), Collection: cols.Collection, Lang: cols.Lang, Type: cols.Type, Date: dateOf(cols.Day)}
		st, err := seg.r.Stored(hr.doc)
		if err != nil {
			return nil, fmt.Errorf("search: %s: %w", seg.f.name, err)
		}
		hit.ID = st.ID
		if req.Highlights {
			hit.Snippets = mk.snippets(st.Pages)
		}
		res.Hits = append(res.Hits, hit)
	}
	if facets != nil {
		res.Facets = facets.result()
	}
	return res, nil
}

// facetCounter counts hits by column ordinal per segment, then by value.
type facetCounter struct{ segs []*segFacets }

type segFacets struct {
	seg  *segRef
	cols [3][]int
	year map[int]int
}

func newFacetCounter() *facetCounter { return &facetCounter{} }

func (f *facetCounter) segment(s *segRef) *segFacets {
	sf := &segFacets{seg: s, year: map[int]int{}}
	for i := range sf.cols {
		sf.cols[i] = make([]int, len(s.r.Values(i)))
	}
	f.segs = append(f.segs, sf)
	return sf
}

func (sf *segFacets) add(d uint32) {
	for i := range sf.cols {
		sf.cols[i][sf.seg.r.ColumnOrd(d, i)]++
	}
	if day := sf.seg.r.Day(d); day != noDay {
		sf.year[dateOf(day).Year()]++
	}
}

func (f *facetCounter) result() *Facets {
	out := &Facets{Collection: map[string]int{}, Lang: map[string]int{}, Type: map[string]int{}, Year: map[int]int{}}
	maps := [3]map[string]int{out.Collection, out.Lang, out.Type}
	for _, sf := range f.segs {
		for i, counts := range sf.cols {
			vals := sf.seg.r.Values(i)
			for o, n := range counts {
				if n > 0 && vals[o] != "" {
					maps[i][vals[o]] += n
				}
			}
		}
		for y, n := range sf.year {
			out.Year[y] += n
		}
	}
	return out
}
