package segment

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"slices"
)

// BlockSize is the number of documents in one postings block.
const BlockSize = 128

// DictDocs is the number of first documents whose text becomes the
// segment's compression dictionary (its last 32 KiB): each document is then
// compressed on its own, so a snippet inflates 2 KB, not a block of many.
const DictDocs = 64

const maxDict = 32 << 10 // flate's window

// DictGroup is the number of dictionary entries between restart points.
const DictGroup = 32

// NoDay marks a document without a date.
const NoDay = math.MinInt32

// Keyword term prefixes. They start with a control byte, which no analysed
// word contains, so a field value can never collide with a word.
const (
	KeyID         = "\x01i:"
	KeyCollection = "\x01c:"
	KeyLang       = "\x01l:"
	KeyType       = "\x01t:"
	KeyTag        = "\x01g:"
)

// Term flags in the dictionary.
const flagPositions = 1

var (
	header     = []byte("CFSEG\x00\x00\x01")
	footerMark = []byte("CFSEGEND")
	crcTable   = crc32.MakeTable(crc32.Castagnoli)
)

// footerSize is 7 offsets, numDocs, numTerms, total length, CRC and mark.
const footerSize = 7*8 + 4 + 4 + 8 + 4 + 8

// Document is what a segment stores and indexes about one document.
type Document struct {
	ID         string
	Collection string
	Lang       string // detected by the caller when the source does not say
	Type       string
	Day        int32 // days since 1970-01-01, or NoDay
	Tags       []string
	Pages      []string // a document without pages has exactly one
}

// plist accumulates one term's postings while documents are added.
type plist struct {
	docs    []byte // uv delta<<1|tf==1, [uv tf]
	pos     []byte // uv position deltas, per document
	last    uint32 // doc+1 of the last document written
	df      uint32
	withPos bool
}

// Builder collects documents in memory and writes them as one segment. Its
// memory is about the size of the finished segment; the index bounds it by
// flushing a builder every so many documents.
type Builder struct {
	terms  map[string]*plist
	lens   []uint32
	cols   [3][]uint32
	values [3]valueDict
	days   []int32
	total  uint64

	waiting [][]byte     // the first records' text, until the dictionary is chosen
	dict    []byte       // nil until chosen
	stored  bytes.Buffer // compressed records
	offsets []uint64     // of each record in stored

	an *Analyzer // for Add, made on first use
}

type valueDict struct {
	ords map[string]uint32
	list []string
}

func (v *valueDict) ord(s string) uint32 {
	if o, ok := v.ords[s]; ok {
		return o
	}
	if v.ords == nil {
		v.ords = map[string]uint32{}
	}
	o := uint32(len(v.list))
	v.ords[s] = o
	v.list = append(v.list, s)
	return o
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{terms: map[string]*plist{}}
}

// NumDocs is the number of documents added so far.
func (b *Builder) NumDocs() int { return len(b.lens) }

// SizeHint estimates the bytes the builder holds, to decide when to flush.
func (b *Builder) SizeHint() int {
	return b.stored.Len() + len(b.waiting)*2048 + len(b.terms)*96 + int(b.total)*3
}

// Add analyses and adds one document; documents are numbered in the order
// they are added, from 0. Adding many documents is faster through an
// Analyzer's batches and AddBatch.
func (b *Builder) Add(d Document) error {
	if b.an == nil {
		b.an = NewAnalyzer()
	}
	b.an.Add(d)
	return b.AddBatch(b.an.Batch())
}

// AddBatch adds a batch's documents after those added so far, in the
// batch's order. The batch must not be used afterwards.
func (b *Builder) AddBatch(bt *Batch) error {
	defer bt.release()
	if len(b.lens)+bt.Len() > math.MaxInt32 {
		return errors.New("segment: too many documents")
	}
	base := uint32(len(b.lens))
	for i := range bt.terms {
		t := &bt.terms[i]
		pl := b.terms[t.term]
		if pl == nil {
			pl = &plist{withPos: t.withPos}
			b.terms[t.term] = pl
		}
		// The batch numbers its documents from 0: only the first delta,
		// from the term's previous document, changes.
		v, n := binary.Uvarint(t.docs)
		delta := base + uint32(v>>1) - pl.last
		pl.docs = binary.AppendUvarint(pl.docs, uint64(delta)<<1|v&1)
		pl.docs = append(pl.docs, t.docs[n:]...)
		pl.pos = append(pl.pos, t.pos...)
		pl.last = base + t.last
		pl.df += t.df
	}
	var ords [3][]uint32
	for c := range ords {
		ords[c] = make([]uint32, len(bt.values[c].list))
		for i, v := range bt.values[c].list {
			ords[c][i] = b.values[c].ord(v)
		}
	}
	for i := range bt.Len() {
		for c := range ords {
			b.cols[c] = append(b.cols[c], ords[c][bt.cols[c][i]])
		}
	}
	b.lens = append(b.lens, bt.lens...)
	b.days = append(b.days, bt.days...)
	b.total += bt.total

	z := bt.z.Bytes()
	rawStart, zStart := 0, 0
	for i := range bt.Len() {
		if b.dict == nil {
			b.waiting = append(b.waiting, bytes.Clone(bt.raw[rawStart:bt.rawEnd[i]]))
			if len(b.waiting) == DictDocs {
				b.chooseDict()
			}
		}
		b.offsets = append(b.offsets, uint64(b.stored.Len()))
		b.stored.Write(z[zStart:bt.zEnd[i]])
		rawStart, zStart = bt.rawEnd[i], bt.zEnd[i]
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendRecord appends the encoding of a document's stored fields.
func appendRecord(rec []byte, d Document) []byte {
	rec = appendString(rec, d.ID)
	rec = binary.AppendUvarint(rec, uint64(len(d.Tags)))
	for _, t := range d.Tags {
		rec = appendString(rec, t)
	}
	rec = binary.AppendUvarint(rec, uint64(len(d.Pages)))
	for _, p := range d.Pages {
		rec = appendString(rec, p)
	}
	return rec
}

// Dict is the builder's compression dictionary, nil until it has one.
func (b *Builder) Dict() []byte { return b.dict }

// NewBuilderDict returns an empty builder whose segment stores dict (the
// Dict of an earlier builder of the same archive) as its dictionary.
func NewBuilderDict(dict []byte) (*Builder, error) {
	b := NewBuilder()
	if len(dict) > 0 {
		b.dict = bytes.Clone(dict[max(0, len(dict)-maxDict):])
	}
	return b, nil
}

// chooseDict makes the dictionary of the waiting records' text.
func (b *Builder) chooseDict() {
	var all []byte
	for _, r := range b.waiting {
		all = append(all, r...)
	}
	b.dict = bytes.Clone(all[max(0, len(all)-maxDict):])
	b.waiting = nil
}

// countingWriter tracks the offset and the CRC of everything written.
type countingWriter struct {
	w   io.Writer
	n   uint64
	crc uint32
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.crc = crc32.Update(c.crc, crcTable, p[:n])
	c.n += uint64(n)
	c.err = err
	return n, err
}

// WriteTo writes the segment. The builder must not be used afterwards.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	if b.dict == nil {
		b.chooseDict()
	}
	// Terms are written one by one: buffer them into large writes.
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countingWriter{w: bw}
	var offs [7]uint64
	cw.Write(header)

	offs[0] = cw.n
	cw.Write(b.dict)
	cw.Write(b.stored.Bytes())
	offs[1] = cw.n
	var u8 [8]byte
	base := uint64(len(b.dict))
	for _, o := range append(b.offsets, uint64(b.stored.Len())) {
		binary.LittleEndian.PutUint64(u8[:], base+o)
		cw.Write(u8[:])
	}

	terms := make([]string, 0, len(b.terms))
	for t := range b.terms {
		terms = append(terms, t)
	}
	slices.Sort(terms)

	offs[2] = cw.n
	type loc struct{ off, n uint64 }
	locs := make([]loc, len(terms))
	var buf []byte
	for i, t := range terms {
		buf = b.encodePostings(buf[:0], b.terms[t])
		locs[i] = loc{cw.n - offs[2], uint64(len(buf))}
		cw.Write(buf)
	}

	offs[3] = cw.n
	var groups []uint64
	var dict []byte
	prev := ""
	for i, t := range terms {
		if i%DictGroup == 0 {
			groups = append(groups, uint64(len(dict)))
			prev = ""
		}
		shared := commonPrefix(prev, t)
		pl := b.terms[t]
		dict = binary.AppendUvarint(dict, uint64(shared))
		dict = appendString(dict, t[shared:])
		dict = binary.AppendUvarint(dict, uint64(pl.df))
		flags := uint64(0)
		if pl.withPos {
			flags |= flagPositions
		}
		dict = binary.AppendUvarint(dict, flags)
		dict = binary.AppendUvarint(dict, locs[i].off)
		dict = binary.AppendUvarint(dict, locs[i].n)
		prev = t
	}
	cw.Write(dict)
	offs[4] = cw.n
	for _, g := range groups {
		binary.LittleEndian.PutUint64(u8[:], g)
		cw.Write(u8[:])
	}

	offs[5] = cw.n
	rec := make([]byte, 20)
	for i, l := range b.lens {
		binary.LittleEndian.PutUint32(rec[0:], l)
		binary.LittleEndian.PutUint32(rec[4:], b.cols[0][i])
		binary.LittleEndian.PutUint32(rec[8:], b.cols[1][i])
		binary.LittleEndian.PutUint32(rec[12:], b.cols[2][i])
		binary.LittleEndian.PutUint32(rec[16:], uint32(b.days[i]))
		cw.Write(rec)
	}

	offs[6] = cw.n
	var vals []byte
	for _, v := range b.values {
		vals = binary.AppendUvarint(vals, uint64(len(v.list)))
		for _, s := range v.list {
			vals = appendString(vals, s)
		}
	}
	cw.Write(vals)

	var foot []byte
	for _, o := range offs {
		foot = binary.LittleEndian.AppendUint64(foot, o)
	}
	foot = binary.LittleEndian.AppendUint32(foot, uint32(len(b.lens)))
	foot = binary.LittleEndian.AppendUint32(foot, uint32(len(terms)))
	foot = binary.LittleEndian.AppendUint64(foot, b.total)
	cw.Write(foot)
	crc := binary.LittleEndian.AppendUint32(nil, cw.crc)
	cw.Write(crc)
	cw.Write(footerMark)
	if cw.err == nil {
		cw.err = bw.Flush()
	}
	return int64(cw.n), cw.err
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// encodePostings splits a term's postings into blocks with their impacts.
func (b *Builder) encodePostings(out []byte, pl *plist) []byte {
	type blk struct {
		last, docsStart, docsEnd, posStart, posEnd, maxTF, minLen uint32
	}
	var blocks []blk
	docs, pos := pl.docs, pl.pos
	di, pi := 0, 0
	doc := uint32(0) // doc+1
	for n := uint32(0); n < pl.df; n += BlockSize {
		bk := blk{docsStart: uint32(di), posStart: uint32(pi), minLen: math.MaxUint32}
		for k := n; k < min(n+BlockSize, pl.df); k++ {
			v, m := binary.Uvarint(docs[di:])
			di += m
			doc += uint32(v >> 1)
			tf := uint32(1)
			if v&1 == 0 {
				t, m := binary.Uvarint(docs[di:])
				di += m
				tf = uint32(t)
			}
			if pl.withPos {
				for range tf {
					_, m := binary.Uvarint(pos[pi:])
					pi += m
				}
			}
			bk.maxTF = max(bk.maxTF, tf)
			bk.minLen = min(bk.minLen, b.lens[doc-1])
		}
		bk.last, bk.docsEnd, bk.posEnd = doc-1, uint32(di), uint32(pi)
		blocks = append(blocks, bk)
	}
	out = binary.AppendUvarint(out, uint64(len(blocks)))
	prevLast := uint32(0)
	for i, bk := range blocks {
		d := bk.last - prevLast
		if i == 0 {
			d = bk.last
		}
		out = binary.AppendUvarint(out, uint64(d))
		out = binary.AppendUvarint(out, uint64(bk.docsEnd-bk.docsStart))
		out = binary.AppendUvarint(out, uint64(bk.posEnd-bk.posStart))
		out = binary.AppendUvarint(out, uint64(bk.maxTF))
		out = binary.AppendUvarint(out, uint64(bk.minLen))
		prevLast = bk.last
	}
	for _, bk := range blocks {
		// The first document of a block is stored as a delta from the
		// previous block's last, as in one stream: a reader seeking to a
		// block starts from that block's predecessor's last document.
		out = append(out, docs[bk.docsStart:bk.docsEnd]...)
		out = append(out, pos[bk.posStart:bk.posEnd]...)
	}
	return out
}
