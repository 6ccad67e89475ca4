package search

import (
	"hash/maphash"
	"strings"
	"sync"

	"confide/internal/search/segment"
)

// idFilter is a Bloom filter of a segment's document IDs: a commit checks
// every added ID against every segment (an add replaces), and almost all of
// them are new, so the dictionary lookup is skipped for nearly every one.
type idFilter struct {
	seed maphash.Seed
	bits []uint64
}

const idFilterHashes = 4

func newIDFilter(n int) *idFilter {
	words := max(1, (n*10+63)/64) // 10 bits an ID: about 1 % false positives
	return &idFilter{seed: maphash.MakeSeed(), bits: make([]uint64, words)}
}

func (f *idFilter) locs(id string) (h1, h2 uint64) {
	h := maphash.String(f.seed, id)
	return h, h>>32 | 1
}

func (f *idFilter) add(id string) {
	h1, h2 := f.locs(id)
	m := uint64(len(f.bits) * 64)
	for i := range uint64(idFilterHashes) {
		b := (h1 + i*h2) % m
		f.bits[b/64] |= 1 << (b % 64)
	}
}

func (f *idFilter) mayHave(id string) bool {
	h1, h2 := f.locs(id)
	m := uint64(len(f.bits) * 64)
	for i := range uint64(idFilterHashes) {
		b := (h1 + i*h2) % m
		if f.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// segIDs builds, once per open segment file, the filter of its IDs from the
// ID terms of its dictionary.
type segIDs struct {
	once   sync.Once
	filter *idFilter
	err    error
}

func (s *segIDs) get(r *segment.Reader) (*idFilter, error) {
	s.once.Do(func() {
		s.filter = newIDFilter(int(r.NumDocs()))
		s.err = r.Prefix(segment.KeyID, func(term string, _ segment.TermInfo) bool {
			s.filter.add(strings.TrimPrefix(term, segment.KeyID))
			return true
		})
	})
	return s.filter, s.err
}
