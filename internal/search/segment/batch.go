package segment

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"confide/internal/search/analysis"
)

// Batch is a run of documents analysed together, in order, for
// Builder.AddBatch: their postings already encoded per term, their stored
// text already compressed. Building a batch is nearly all the cost of
// indexing and needs no builder, so batches are built on several
// goroutines and added in order on one; adding costs one dictionary lookup
// per distinct term of the batch instead of one per term of every document.
//
// A batch adds to a builder exactly what adding its documents one by one
// would: the segment's bytes do not depend on how documents were batched.
type Batch struct {
	stamp   uint64 // tells an Analyzer's term slots of this batch from stale ones
	index   map[string]int32
	terms   []bterm
	touched []int32 // terms of the document being added
	lens    []uint32
	days    []int32
	cols    [3][]uint32 // ordinals in values
	values  [3]valueDict
	total   uint64
	raw     []byte // stored records, uncompressed, one after the other
	rawEnd  []int  // end of each record in raw
	z       bytes.Buffer
	zEnd    []int // end of each compressed record in z
}

// bterm is one term's postings within a batch, in the builder's encoding
// with documents numbered from the batch's first.
type bterm struct {
	term    string
	withPos bool
	docs    []byte
	pos     []byte
	cur     []uint32 // positions in the document being added
	curDoc  uint32   // doc+1 that cur belongs to
	last    uint32   // doc+1 of the last document encoded
	df      uint32
}

var (
	batchPool  = sync.Pool{New: func() any { return &Batch{index: map[string]int32{}} }}
	batchStamp atomic.Uint64
)

func newBatch() *Batch {
	b := batchPool.Get().(*Batch)
	b.stamp = batchStamp.Add(1)
	return b
}

// Len is the number of documents in the batch.
func (b *Batch) Len() int { return len(b.lens) }

// release empties the batch, keeping its buffers, for the next one.
func (b *Batch) release() {
	if cap(b.raw) > 64<<20 || len(b.terms) > 1<<20 {
		return // a batch that held huge documents is not worth keeping
	}
	clear(b.index)
	for i := range b.terms {
		t := &b.terms[i]
		t.term, t.docs, t.pos, t.cur = "", t.docs[:0], t.pos[:0], t.cur[:0]
		t.curDoc, t.last, t.df = 0, 0, 0
	}
	b.terms = b.terms[:0]
	b.touched, b.lens, b.days = b.touched[:0], b.lens[:0], b.days[:0]
	for i := range b.cols {
		b.cols[i] = b.cols[i][:0]
		clear(b.values[i].ords)
		b.values[i].list = b.values[i].list[:0]
	}
	b.total = 0
	b.raw, b.rawEnd, b.zEnd = b.raw[:0], b.rawEnd[:0], b.zEnd[:0]
	b.z.Reset()
	batchPool.Put(b)
}

// termIndex returns the number of term in the batch, adding it if new.
func (b *Batch) termIndex(term string, withPos bool) int32 {
	if i, ok := b.index[term]; ok {
		return i
	}
	i := int32(len(b.terms))
	if len(b.terms) < cap(b.terms) {
		b.terms = b.terms[:i+1] // reuse the buffers of a released batch
	} else {
		b.terms = append(b.terms, bterm{})
	}
	t := &b.terms[i]
	t.term, t.withPos = term, withPos
	b.index[term] = i
	return i
}

// occur records an occurrence of term i in document doc at position p.
func (b *Batch) occur(i int32, doc, p uint32) {
	t := &b.terms[i]
	if t.curDoc != doc+1 {
		t.curDoc = doc + 1
		t.cur = t.cur[:0]
		b.touched = append(b.touched, i)
	}
	t.cur = append(t.cur, p)
}

// encode appends document doc to the postings of every term it holds, in
// the encoding of plist.
func (b *Batch) encode(doc uint32) {
	for _, i := range b.touched {
		t := &b.terms[i]
		tf := uint32(len(t.cur))
		delta := doc + 1 - t.last
		if tf == 1 {
			t.docs = binary.AppendUvarint(t.docs, uint64(delta)<<1|1)
		} else {
			t.docs = binary.AppendUvarint(t.docs, uint64(delta)<<1)
			t.docs = binary.AppendUvarint(t.docs, uint64(tf))
		}
		if t.withPos {
			prev := uint32(0)
			for _, p := range t.cur {
				t.pos = binary.AppendUvarint(t.pos, uint64(p-prev))
				prev = p
			}
		}
		t.last = doc + 1
		t.df++
	}
	b.touched = b.touched[:0]
}

// Analyzer builds batches of documents on one goroutine, keeping what it
// learns across them: a cache of folded and stemmed words, and the
// compressor of stored text. It is not safe for concurrent use; use one per
// goroutine.
type Analyzer struct {
	cache *analysis.Cache
	slots []slot // per cache form: its two terms in the current batch
	gen   uint32 // the cache generation slots were filled in
	zw    *flate.Writer
	key   []byte
	b     *Batch
}

// slot holds the batch terms of one cached word form.
type slot struct {
	stamp       uint64 // the batch's stamp when filled
	stem, exact int32
}

// NewAnalyzer returns an analyzer with an empty batch.
func NewAnalyzer() *Analyzer {
	// Stored text is compressed at BestSpeed, where compress/flate uses
	// no preset dictionary: the segment's dictionary changes no byte, so
	// records are compressed without it, and at less than half the cost of
	// a writer that resets to one.
	zw, _ := flate.NewWriter(nil, flate.BestSpeed) // a valid level: no error
	return &Analyzer{cache: analysis.NewCache(0), zw: zw, b: newBatch()}
}

// Len is the number of documents in the batch being built.
func (a *Analyzer) Len() int { return a.b.Len() }

// Add analyses a document into the batch being built.
func (a *Analyzer) Add(d Document) {
	b := a.b
	doc := uint32(len(b.lens))
	if g := a.cache.Generation(); g != a.gen {
		a.gen = g
		clear(a.slots)
	}
	add := func(t analysis.Token, form int32) {
		if int(form) >= len(a.slots) {
			a.slots = append(a.slots, make([]slot, int(form)+1-len(a.slots))...)
		}
		if g := a.cache.Generation(); g != a.gen { // the cache forgot its words mid-text
			a.gen = g
			clear(a.slots)
		}
		s := &a.slots[form]
		if s.stamp != b.stamp {
			s.stamp = b.stamp
			s.stem = b.termIndex(t.Stem, true)
			s.exact = b.termIndex(a.cache.Exact(form), false)
		}
		p := uint32(t.Pos)
		b.occur(s.stem, doc, p)
		b.occur(s.exact, doc, p)
	}
	pos := 0
	for _, page := range d.Pages {
		pos = a.cache.Tokenize(page, pos, add)
	}
	a.keyword(doc, KeyID, d.ID)
	a.keyword(doc, KeyCollection, d.Collection)
	a.keyword(doc, KeyLang, d.Lang)
	a.keyword(doc, KeyType, d.Type)
	for _, tag := range d.Tags {
		a.keyword(doc, KeyTag, tag)
	}
	b.encode(doc)
	b.lens = append(b.lens, uint32(pos))
	b.total += uint64(pos)
	b.cols[0] = append(b.cols[0], b.values[0].ord(d.Collection))
	b.cols[1] = append(b.cols[1], b.values[1].ord(d.Lang))
	b.cols[2] = append(b.cols[2], b.values[2].ord(d.Type))
	b.days = append(b.days, d.Day)

	start := len(b.raw)
	b.raw = appendRecord(b.raw, d)
	b.rawEnd = append(b.rawEnd, len(b.raw))
	a.zw.Reset(&b.z)
	a.zw.Write(b.raw[start:]) // into a bytes.Buffer: no error
	a.zw.Close()
	b.zEnd = append(b.zEnd, b.z.Len())
}

// keyword records a field's keyword term without building its string when
// the batch has it already.
func (a *Analyzer) keyword(doc uint32, prefix, value string) {
	a.key = append(append(a.key[:0], prefix...), value...)
	i, ok := a.b.index[string(a.key)]
	if !ok {
		i = a.b.termIndex(string(a.key), false)
	}
	a.b.occur(i, doc, 0)
}

// Batch returns the documents added since the last call, and starts a new
// batch.
func (a *Analyzer) Batch() *Batch {
	b := a.b
	a.b = newBatch()
	return b
}

// Reset drops the documents of the batch being built.
func (a *Analyzer) Reset() {
	if a.b.Len() > 0 {
		a.b.release()
		a.b = newBatch()
	}
}
