package search

import (
	"math"
	"math/bits"
	"slices"

	"confide/internal/search/segment"
)

const (
	noMore = segment.NoMore
	noDay  = segment.NoDay
	k1     = 1.2
	bParam = 0.75
)

// scorer is a node of a compiled query over one segment. Documents come in
// increasing order; blockMax bounds the score of every document from target
// to upTo without decoding them, which is what lets the collector skip.
type scorer interface {
	doc() uint32
	next() uint32
	advance(target uint32) uint32
	score() float32
	blockMax(target uint32) (upTo uint32, bound float32)
	cost() int
}

// positioned scorers can say where in the current document they match.
type positioned interface {
	scorer
	positions(buf []uint32) []uint32
}

// termScorer scores one term with BM25.
type termScorer struct {
	p      *segment.Postings
	r      *segment.Reader
	w      float32 // idf × boost × (k1+1)
	normA  float32 // k1 × (1−b)
	normB  float32 // k1 × b / avgdl
	failed *error
}

func newTermScorer(p *segment.Postings, r *segment.Reader, weight, avgdl float64, failed *error) *termScorer {
	return &termScorer{p: p, r: r, w: float32(weight * (k1 + 1)),
		normA: k1 * (1 - bParam), normB: float32(k1 * bParam / avgdl), failed: failed}
}

func (t *termScorer) bm25(tf, dl uint32) float32 {
	f := float32(tf)
	return t.w * f / (f + t.normA + t.normB*float32(dl))
}

func (t *termScorer) check(d uint32) uint32 {
	if d == noMore && t.p.Err() != nil && *t.failed == nil {
		*t.failed = t.p.Err()
	}
	return d
}

func (t *termScorer) doc() uint32                  { return t.p.Doc() }
func (t *termScorer) next() uint32                 { return t.check(t.p.Next()) }
func (t *termScorer) advance(target uint32) uint32 { return t.check(t.p.Advance(target)) }
func (t *termScorer) cost() int                    { return t.p.Cost() }
func (t *termScorer) score() float32 {
	if t.w == 0 {
		return 0
	}
	return t.bm25(t.p.Freq(), t.r.DocLen(t.p.Doc()))
}
func (t *termScorer) blockMax(target uint32) (uint32, float32) {
	last, maxTF, minLen, ok := t.p.Block(target)
	if !ok {
		return noMore, 0
	}
	if t.w == 0 {
		return last, 0
	}
	return last, t.bm25(maxTF, minLen)
}
func (t *termScorer) positions(buf []uint32) []uint32 { return t.p.Positions(buf) }

// unionScorer matches any child and sums the scores of those that match.
type unionScorer struct {
	kids []scorer
	d    uint32
}

func newUnion(kids []scorer) scorer {
	if len(kids) == 1 {
		return kids[0]
	}
	u := &unionScorer{kids: kids}
	u.d = u.minDoc()
	return u
}

func (u *unionScorer) minDoc() uint32 {
	d := uint32(noMore)
	for _, k := range u.kids {
		d = min(d, k.doc())
	}
	return d
}

func (u *unionScorer) doc() uint32 { return u.d }
func (u *unionScorer) next() uint32 {
	if u.d == noMore {
		return noMore
	}
	for _, k := range u.kids {
		if k.doc() == u.d {
			k.next()
		}
	}
	u.d = u.minDoc()
	return u.d
}
func (u *unionScorer) advance(target uint32) uint32 {
	if u.d >= target {
		return u.d
	}
	for _, k := range u.kids {
		if k.doc() < target {
			k.advance(target)
		}
	}
	u.d = u.minDoc()
	return u.d
}
func (u *unionScorer) score() float32 {
	var s float32
	for _, k := range u.kids {
		if k.doc() == u.d {
			s += k.score()
		}
	}
	return s
}
func (u *unionScorer) blockMax(target uint32) (uint32, float32) {
	return addBounds(u.kids, target, noMore, 0)
}

// addBounds adds to upTo and bound the block bounds of scorers any of which
// may match: exhausted ones add nothing.
func addBounds(kids []scorer, target, upTo uint32, bound float32) (uint32, float32) {
	for _, k := range kids {
		if k.doc() == noMore {
			continue
		}
		up, b := k.blockMax(target)
		upTo, bound = min(upTo, up), bound+b
	}
	return upTo, bound
}
func (u *unionScorer) cost() int {
	c := 0
	for _, k := range u.kids {
		c += k.cost()
	}
	return c
}
func (u *unionScorer) positions(buf []uint32) []uint32 {
	start := len(buf)
	for _, k := range u.kids {
		if k.doc() == u.d {
			if p, ok := k.(positioned); ok {
				buf = p.positions(buf)
			}
		}
	}
	slices.Sort(buf[start:])
	return buf
}

// conjScorer matches documents every must child matches and no not child
// does; should children add their score where they match.
type conjScorer struct {
	must   []scorer // cheapest first
	not    []scorer
	should []scorer
	d      uint32
}

func newConj(must, not, should []scorer) scorer {
	if len(not) == 0 && len(should) == 0 && len(must) == 1 {
		return must[0]
	}
	slices.SortStableFunc(must, func(a, b scorer) int { return a.cost() - b.cost() })
	c := &conjScorer{must: must, not: not, should: should}
	c.d = c.align(0)
	return c
}

// align finds the first document ≥ target that all must children share and
// no not child has.
func (c *conjScorer) align(target uint32) uint32 {
	for {
		d := c.must[0].advance(target)
		if d == noMore {
			return noMore
		}
		ok := true
		for _, k := range c.must[1:] {
			if e := k.advance(d); e != d {
				target, ok = e, false
				break
			}
		}
		if !ok {
			if target == noMore {
				return noMore
			}
			continue
		}
		for _, k := range c.not {
			if k.advance(d) == d {
				target, ok = d+1, false
				break
			}
		}
		if ok {
			return d
		}
	}
}

func (c *conjScorer) doc() uint32 { return c.d }
func (c *conjScorer) next() uint32 {
	if c.d == noMore {
		return noMore
	}
	c.d = c.align(c.d + 1)
	return c.d
}
func (c *conjScorer) advance(target uint32) uint32 {
	if c.d >= target {
		return c.d
	}
	c.d = c.align(target)
	return c.d
}
func (c *conjScorer) score() float32 {
	var s float32
	for _, k := range c.must {
		s += k.score()
	}
	for _, k := range c.should {
		if k.advance(c.d) == c.d {
			s += k.score()
		}
	}
	return s
}
func (c *conjScorer) blockMax(target uint32) (uint32, float32) {
	upTo, bound := uint32(noMore), float32(0)
	for _, k := range c.must {
		up, b := k.blockMax(target)
		if up == noMore && b == 0 && k.doc() == noMore {
			return noMore, 0
		}
		upTo, bound = min(upTo, up), bound+b
	}
	return addBounds(c.should, target, upTo, bound)
}
func (c *conjScorer) cost() int { return c.must[0].cost() }

// phraseScorer matches its words at consecutive positions.
// With slop > 0 (two words only) they may stand in either order with up to
// slop-1 words between them: the proximity bonus of a plain query.
type phraseScorer struct {
	slop  uint32
	conj  *conjScorer
	words []positioned
	boost float32
	d     uint32
	bufs  [][]uint32
}

func newPhrase(words []positioned, boost float32, slop uint32) scorer {
	must := make([]scorer, len(words))
	for i, w := range words {
		must[i] = w
	}
	c := &conjScorer{must: slices.Clone(must)}
	slices.SortStableFunc(c.must, func(a, b scorer) int { return a.cost() - b.cost() })
	p := &phraseScorer{conj: c, words: words, boost: boost, slop: slop, bufs: make([][]uint32, len(words))}
	p.d = p.find(c.align(0))
	return p
}

func (p *phraseScorer) find(d uint32) uint32 {
	for d != noMore {
		if p.matches() {
			return d
		}
		d = p.conj.next()
	}
	return noMore
}

func (p *phraseScorer) matches() bool {
	for i, w := range p.words {
		p.bufs[i] = w.positions(p.bufs[i][:0])
	}
	if p.slop > 0 && len(p.words) == 2 {
		a, b := p.bufs[0], p.bufs[1]
		for i, j := 0, 0; i < len(a) && j < len(b); {
			if max(a[i], b[j])-min(a[i], b[j]) <= p.slop && a[i] != b[j] {
				return true
			}
			if a[i] < b[j] {
				i++
			} else {
				j++
			}
		}
		return false
	}
	for _, start := range p.bufs[0] {
		ok := true
		for i := 1; i < len(p.words) && ok; i++ {
			_, ok = slices.BinarySearch(p.bufs[i], start+uint32(i))
		}
		if ok {
			return true
		}
	}
	return false
}

func (p *phraseScorer) doc() uint32 { return p.d }
func (p *phraseScorer) next() uint32 {
	if p.d == noMore {
		return noMore
	}
	p.conj.d = p.conj.align(p.d + 1)
	p.d = p.find(p.conj.d)
	return p.d
}
func (p *phraseScorer) advance(target uint32) uint32 {
	if p.d >= target {
		return p.d
	}
	p.conj.d = p.conj.align(target)
	p.d = p.find(p.conj.d)
	return p.d
}
func (p *phraseScorer) score() float32 { return p.conj.score() * p.boost }
func (p *phraseScorer) blockMax(target uint32) (uint32, float32) {
	up, b := p.conj.blockMax(target)
	return up, b * p.boost
}
func (p *phraseScorer) cost() int { return p.conj.cost() }

// setScorer matches the documents of a bitmap with one constant score: a
// prefix's forms, whose separate frequencies would cost more than they say.
type setScorer struct {
	scanning
	bits []uint64
	n    uint32
	s    float32
	c    int
}

// scanning is the iteration of scorers that find their next document by a
// scan from a given one.
type scanning struct {
	d    uint32
	scan func(from uint32) uint32
}

func (s *scanning) doc() uint32 { return s.d }
func (s *scanning) next() uint32 {
	if s.d != noMore {
		s.d = s.scan(s.d + 1)
	}
	return s.d
}
func (s *scanning) advance(target uint32) uint32 {
	if s.d < target {
		s.d = s.scan(target)
	}
	return s.d
}

func newSetScorer(bits []uint64, n uint32, s float32, count int) *setScorer {
	ss := &setScorer{bits: bits, n: n, s: s, c: count}
	ss.scanning = scanning{scan: ss.from}
	ss.d = ss.from(0)
	return ss
}

func (s *setScorer) from(d uint32) uint32 {
	for d < s.n {
		w := s.bits[d/64] >> (d % 64)
		if w != 0 {
			d += uint32(bits.TrailingZeros64(w))
			if d < s.n {
				return d
			}
			return noMore
		}
		d = (d/64 + 1) * 64
	}
	return noMore
}

func (s *setScorer) score() float32                    { return s.s }
func (s *setScorer) blockMax(uint32) (uint32, float32) { return noMore, s.s }
func (s *setScorer) cost() int                         { return s.c }

// dateScorer matches documents whose day is in a range; it scores nothing.
type dateScorer struct {
	scanning
	r        *segment.Reader
	from, to int32
}

func newDateScorer(r *segment.Reader, from, to int32) *dateScorer {
	s := &dateScorer{r: r, from: from, to: to}
	s.scanning = scanning{scan: s.days}
	s.d = s.days(0)
	return s
}

func (s *dateScorer) days(d uint32) uint32 {
	for ; d < s.r.NumDocs(); d++ {
		if day := s.r.Day(d); day != noDay && day >= s.from && day <= s.to {
			return d
		}
	}
	return noMore
}
func (s *dateScorer) score() float32                    { return 0 }
func (s *dateScorer) blockMax(uint32) (uint32, float32) { return noMore, 0 }
func (s *dateScorer) cost() int                         { return int(s.r.NumDocs()) }

// emptyScorer matches nothing: a term the segment lacks.
type emptyScorer struct{}

func (emptyScorer) doc() uint32                       { return noMore }
func (emptyScorer) next() uint32                      { return noMore }
func (emptyScorer) advance(uint32) uint32             { return noMore }
func (emptyScorer) score() float32                    { return 0 }
func (emptyScorer) blockMax(uint32) (uint32, float32) { return noMore, 0 }
func (emptyScorer) cost() int                         { return 0 }
func (emptyScorer) positions(buf []uint32) []uint32   { return buf }

func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}
