package search

import (
	"fmt"

	"confide/internal/search/analysis"
	"confide/internal/search/query"
	"confide/internal/search/segment"
)

// Boosts: the exact form typed scores on top of its stem; a quoted phrase
// counts double; two query words close together earn half their score again.
const (
	exactBoost     = 1.0
	phraseBoost    = 2.0
	proximityBoost = 0.5
	proximitySlop  = 3 // words at most this far apart, in either order
)

// A plan is a query resolved against a snapshot: terms with their global
// idf, ready to be turned into scorers segment by segment.
type plan interface{}

type planTerm struct {
	term string
	w    float64 // idf × boost
}

type planWord struct{ terms []planTerm }

type planPhrase struct {
	words []planWord
	boost float64
	slop  uint32
}

type planAnd struct{ must, not, should []plan }

type planOr struct{ kids []plan }

type planFilter struct{ term string }

type planDate struct{ from, to int32 }

type planPrefix struct {
	prefix string
	w      float64
}

type planNone struct{}

type compiler struct {
	snap *snapshot
	df   map[string]int
}

func compile(n query.Node, snap *snapshot) (plan, error) {
	c := &compiler{snap: snap, df: map[string]int{}}
	return c.node(n)
}

func (c *compiler) docFreq(term string) (int, error) {
	if df, ok := c.df[term]; ok {
		return df, nil
	}
	df := 0
	for _, s := range c.snap.segs {
		ti, ok, err := s.r.Lookup(term)
		if err != nil {
			return 0, err
		}
		if ok {
			df += int(ti.DF)
		}
	}
	c.df[term] = df
	return df, nil
}

func (c *compiler) term(term string, boost float64) (planTerm, bool, error) {
	df, err := c.docFreq(term)
	if err != nil || df == 0 {
		return planTerm{}, false, err
	}
	return planTerm{term: term, w: idf(df, c.snap.docs) * boost}, true, nil
}

// word resolves a bare word: its stems, its inflections' stems and its
// exact form.
func (c *compiler) word(text string, withExact bool) (planWord, error) {
	var w planWord
	for _, s := range analysis.QueryStems(text) {
		t, ok, err := c.term(s, 1)
		if err != nil {
			return w, err
		}
		if ok {
			w.terms = append(w.terms, t)
		}
	}
	if withExact {
		exact := analysis.Fold(text)
		t, ok, err := c.term(analysis.ExactPrefix+exact, exactBoost)
		if err != nil {
			return w, err
		}
		if ok {
			w.terms = append(w.terms, t)
		}
	}
	return w, nil
}

func (c *compiler) node(n query.Node) (plan, error) {
	switch n := n.(type) {
	case query.Word:
		folded := analysis.Fold(n.Text)
		switch {
		case n.Exact:
			t, ok, err := c.term(analysis.ExactPrefix+folded, 1)
			if err != nil || !ok {
				return planNone{}, err
			}
			return planWord{terms: []planTerm{t}}, nil
		case n.Prefix:
			return c.prefix(folded)
		}
		w, err := c.word(n.Text, true)
		if err != nil || len(w.terms) == 0 {
			return planNone{}, err
		}
		return w, nil
	case query.Phrase:
		if len(n.Words) == 1 {
			return c.node(query.Word{Text: n.Words[0]})
		}
		return c.phrase(n.Words, phraseBoost, 0)
	case query.And:
		var a planAnd
		var plain []string
		for _, k := range n.Nodes {
			if not, ok := k.(query.Not); ok {
				p, err := c.node(not.Node)
				if err != nil {
					return nil, err
				}
				if _, none := p.(planNone); !none {
					a.not = append(a.not, p)
				}
				continue
			}
			p, err := c.node(k)
			if err != nil {
				return nil, err
			}
			if _, none := p.(planNone); none {
				return planNone{}, nil
			}
			a.must = append(a.must, p)
			if w, ok := k.(query.Word); ok && !w.Exact && !w.Prefix {
				plain = append(plain, w.Text)
			} else {
				plain = append(plain, "")
			}
		}
		for i := 0; i+1 < len(plain); i++ {
			if plain[i] == "" || plain[i+1] == "" {
				continue
			}
			p, err := c.phrase(plain[i:i+2], proximityBoost, proximitySlop)
			if err != nil {
				return nil, err
			}
			if _, none := p.(planNone); !none {
				a.should = append(a.should, p)
			}
		}
		return a, nil
	case query.Or:
		var o planOr
		for _, k := range n.Nodes {
			p, err := c.node(k)
			if err != nil {
				return nil, err
			}
			if _, none := p.(planNone); !none {
				o.kids = append(o.kids, p)
			}
		}
		if len(o.kids) == 0 {
			return planNone{}, nil
		}
		return o, nil
	case query.Field:
		key := map[string]string{"collection": segment.KeyCollection, "lang": segment.KeyLang,
			"type": segment.KeyType, "tag": segment.KeyTag}[n.Name]
		if key == "" {
			return nil, &query.Error{Msg: fmt.Sprintf("unknown filter %q", n.Name), Pos: -1}
		}
		return planFilter{term: key + n.Value}, nil
	case query.DateRange:
		d := planDate{from: -1 << 31, to: 1<<31 - 1}
		if !n.From.IsZero() {
			d.from = dayOf(n.From)
		}
		if !n.To.IsZero() {
			d.to = dayOf(n.To)
		}
		return d, nil
	case query.Not:
		return nil, &query.Error{Msg: "an exclusion (-word) needs something to match beside it", Pos: -1}
	}
	return nil, fmt.Errorf("search: unknown query node %T", n)
}

func (c *compiler) phrase(words []string, boost float64, slop uint32) (plan, error) {
	p := planPhrase{boost: boost, slop: slop}
	for _, text := range words {
		w, err := c.word(text, false)
		if err != nil {
			return nil, err
		}
		if len(w.terms) == 0 {
			return planNone{}, nil
		}
		p.words = append(p.words, w)
	}
	return p, nil
}

// prefix checks a word*'s expansion is bounded and scores it as one term
// whose document frequency is the sum of its forms'.
func (c *compiler) prefix(folded string) (plan, error) {
	seen := map[string]bool{}
	df := 0
	for _, s := range c.snap.segs {
		var tooMany bool
		err := s.r.Prefix(analysis.ExactPrefix+folded, func(term string, ti segment.TermInfo) bool {
			if !seen[term] {
				seen[term] = true
				if len(seen) > MaxPrefixTerms {
					tooMany = true
					return false
				}
			}
			df += int(ti.DF)
			return true
		})
		if err != nil {
			return nil, err
		}
		if tooMany {
			return nil, &query.Error{Msg: fmt.Sprintf("%s* matches more than %d different words; type more letters", folded, MaxPrefixTerms), Pos: -1}
		}
	}
	if df == 0 {
		return planNone{}, nil
	}
	return planPrefix{prefix: analysis.ExactPrefix + folded, w: idf(min(df, c.snap.docs), c.snap.docs)}, nil
}

// scorer builds the scorer of a plan over one segment.
func (s *segRef) scorer(p plan, avgdl float64, failed *error) (scorer, error) {
	switch p := p.(type) {
	case planTerm:
		ti, ok, err := s.r.Lookup(p.term)
		if err != nil || !ok {
			return emptyScorer{}, err
		}
		post, err := s.r.Postings(ti)
		if err != nil {
			return nil, err
		}
		return newTermScorer(post, s.r, p.w, avgdl, failed), nil
	case planWord:
		kids := make([]plan, len(p.terms))
		for i, t := range p.terms {
			kids[i] = t
		}
		return s.union(kids, avgdl, failed)
	case planPhrase:
		var words []positioned
		for _, w := range p.words {
			k, err := s.scorer(w, avgdl, failed)
			if err != nil {
				return nil, err
			}
			if _, empty := k.(emptyScorer); empty {
				return emptyScorer{}, nil
			}
			words = append(words, k.(positioned))
		}
		return newPhrase(words, float32(p.boost), p.slop), nil
	case planAnd:
		build := func(ps []plan) ([]scorer, error) {
			var out []scorer
			for _, q := range ps {
				k, err := s.scorer(q, avgdl, failed)
				if err != nil {
					return nil, err
				}
				out = append(out, k)
			}
			return out, nil
		}
		must, err := build(p.must)
		if err != nil {
			return nil, err
		}
		for _, k := range must {
			if _, empty := k.(emptyScorer); empty {
				return emptyScorer{}, nil
			}
		}
		not, err := build(p.not)
		if err != nil {
			return nil, err
		}
		should, err := build(p.should)
		if err != nil {
			return nil, err
		}
		return newConj(must, not, should), nil
	case planOr:
		return s.union(p.kids, avgdl, failed)
	case planFilter:
		return s.scorer(planTerm{term: p.term}, avgdl, failed)
	case planDate:
		return newDateScorer(s.r, p.from, p.to), nil
	case planPrefix:
		n := s.r.NumDocs()
		bits := make([]uint64, (n+63)/64)
		count := 0
		var perr error
		err := s.r.Prefix(p.prefix, func(term string, ti segment.TermInfo) bool {
			post, err := s.r.Postings(ti)
			if err != nil {
				perr = err
				return false
			}
			for d := post.Doc(); d != noMore; d = post.Next() {
				if bits[d/64]&(1<<(d%64)) == 0 {
					bits[d/64] |= 1 << (d % 64)
					count++
				}
			}
			if post.Err() != nil {
				perr = post.Err()
				return false
			}
			return true
		})
		if err == nil {
			err = perr
		}
		if err != nil {
			return nil, err
		}
		if count == 0 {
			return emptyScorer{}, nil
		}
		// A constant BM25 score of one occurrence in an average document.
		return newSetScorer(bits, n, float32(p.w*(k1+1)/(1+k1)), count), nil
	case planNone:
		return emptyScorer{}, nil
	}
	return nil, fmt.Errorf("search: unknown plan %T", p)
}

// union builds the scorer of any of plans, leaving out those the segment
// cannot match.
func (s *segRef) union(plans []plan, avgdl float64, failed *error) (scorer, error) {
	var kids []scorer
	for _, q := range plans {
		k, err := s.scorer(q, avgdl, failed)
		if err != nil {
			return nil, err
		}
		if _, empty := k.(emptyScorer); !empty {
			kids = append(kids, k)
		}
	}
	if len(kids) == 0 {
		return emptyScorer{}, nil
	}
	return newUnion(kids), nil
}
