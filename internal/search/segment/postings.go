package segment

import "encoding/binary"

type block struct {
	last   uint32
	n      uint32
	maxTF  uint32
	minLen uint32
	docs   []byte
	pos    []byte
}

// Postings iterates one term's documents in order. Doc is NoMore once it is
// exhausted or when the data is corrupt; Err tells which.
type Postings struct {
	blocks  []block
	withPos bool
	bi      int // loaded block, -1 before the first
	n, i    int
	docs    [BlockSize]uint32
	freqs   [BlockSize]uint32
	posAt   int // index of the document posCur points at
	posCur  []byte
	doc     uint32
	err     error
}

// Postings opens the postings of a term found by Lookup or Prefix, positioned
// on its first document.
func (r *Reader) Postings(ti TermInfo) (*Postings, error) {
	d := decoder{b: r.post[ti.off : ti.off+ti.n]}
	nb := d.uvarint()
	want := (uint64(ti.DF) + BlockSize - 1) / BlockSize
	if d.err != nil || nb != want {
		return nil, corrupt("postings: %d blocks for %d documents", nb, ti.DF)
	}
	p := &Postings{blocks: make([]block, nb), withPos: ti.Positions, bi: -1}
	lens := make([]uint64, 2*nb)
	last := uint64(0)
	for i := range p.blocks {
		delta := d.uvarint()
		if i > 0 && delta == 0 {
			return nil, corrupt("postings: empty block %d", i)
		}
		last += delta
		if last >= uint64(r.numDocs) {
			return nil, corrupt("postings: block %d ends at document %d of %d", i, last, r.numDocs)
		}
		lens[2*i], lens[2*i+1] = d.uvarint(), d.uvarint()
		p.blocks[i] = block{
			last:   uint32(last),
			n:      uint32(min(BlockSize, uint64(ti.DF)-uint64(i)*BlockSize)),
			maxTF:  uint32(d.uvarint()),
			minLen: uint32(d.uvarint()),
		}
	}
	for i := range p.blocks {
		p.blocks[i].docs = d.bytes(lens[2*i])
		p.blocks[i].pos = d.bytes(lens[2*i+1])
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, corrupt("postings: block data")
	}
	p.load(0)
	return p, nil
}

// Err is the corruption that stopped the iterator, if any.
func (p *Postings) Err() error { return p.err }

// Doc is the current document, or NoMore.
func (p *Postings) Doc() uint32 { return p.doc }

// Freq is the term's frequency in the current document.
func (p *Postings) Freq() uint32 { return p.freqs[p.i] }

// Cost is the number of documents the term is in.
func (p *Postings) Cost() int {
	if len(p.blocks) == 0 {
		return 0
	}
	return (len(p.blocks)-1)*BlockSize + int(p.blocks[len(p.blocks)-1].n)
}

func (p *Postings) fail(err error) {
	p.err = err
	p.doc = NoMore
	p.bi = len(p.blocks)
}

// load decodes block bi and positions the iterator on its first document.
func (p *Postings) load(bi int) {
	if bi >= len(p.blocks) {
		p.bi, p.doc = len(p.blocks), NoMore
		return
	}
	b := &p.blocks[bi]
	next := uint64(0) // doc+1 of the previous document
	if bi > 0 {
		next = uint64(p.blocks[bi-1].last) + 1
	}
	buf := b.docs
	for k := range b.n {
		v, m := binary.Uvarint(buf)
		if m <= 0 || v>>1 == 0 {
			p.fail(corrupt("postings: document delta"))
			return
		}
		buf = buf[m:]
		next += v >> 1
		tf := uint64(1)
		if v&1 == 0 {
			tf, m = binary.Uvarint(buf)
			if m <= 0 || tf < 2 || tf > 1<<31 {
				p.fail(corrupt("postings: frequency"))
				return
			}
			buf = buf[m:]
		}
		if next-1 > uint64(b.last) {
			p.fail(corrupt("postings: document past its block"))
			return
		}
		p.docs[k], p.freqs[k] = uint32(next-1), uint32(tf)
	}
	if len(buf) != 0 || p.docs[b.n-1] != b.last {
		p.fail(corrupt("postings: block %d does not end at %d", bi, b.last))
		return
	}
	p.bi, p.n, p.i = bi, int(b.n), 0
	p.posAt, p.posCur = 0, b.pos
	p.doc = p.docs[0]
}

// Next moves to the next document and returns it.
func (p *Postings) Next() uint32 {
	if p.doc == NoMore {
		return NoMore
	}
	p.i++
	if p.i >= p.n {
		p.load(p.bi + 1)
		return p.doc
	}
	p.doc = p.docs[p.i]
	return p.doc
}

// Advance moves to the first document ≥ target and returns it.
func (p *Postings) Advance(target uint32) uint32 {
	if p.doc >= target {
		return p.doc
	}
	if p.blocks[p.bi].last < target {
		bi := p.findBlock(target)
		p.load(bi)
		if p.doc == NoMore {
			return NoMore
		}
	}
	for p.docs[p.i] < target {
		p.i++
	}
	p.doc = p.docs[p.i]
	return p.doc
}

// findBlock returns the first block from the current one whose last
// document is ≥ target, or len(blocks).
func (p *Postings) findBlock(target uint32) int {
	lo, hi := max(p.bi, 0), len(p.blocks)
	for lo < hi {
		mid := (lo + hi) / 2
		if p.blocks[mid].last < target {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Block describes, without decoding it, the block holding the first
// document ≥ target: its last document, largest frequency and shortest
// document. ok is false past the last block.
func (p *Postings) Block(target uint32) (last, maxTF, minLen uint32, ok bool) {
	if p.doc == NoMore {
		return 0, 0, 0, false
	}
	bi := p.bi
	if p.blocks[bi].last < target {
		bi = p.findBlock(target)
		if bi == len(p.blocks) {
			return 0, 0, 0, false
		}
	}
	b := &p.blocks[bi]
	return b.last, b.maxTF, b.minLen, true
}

// MaxImpact is the largest frequency and shortest document over all blocks.
func (p *Postings) MaxImpact() (maxTF, minLen uint32) {
	minLen = ^uint32(0)
	for _, b := range p.blocks {
		maxTF, minLen = max(maxTF, b.maxTF), min(minLen, b.minLen)
	}
	return maxTF, minLen
}

// Positions appends the current document's positions to buf. It returns buf
// unchanged for a term indexed without positions.
func (p *Postings) Positions(buf []uint32) []uint32 {
	if !p.withPos || p.doc == NoMore {
		return buf
	}
	for p.posAt < p.i {
		for range p.freqs[p.posAt] {
			_, m := binary.Uvarint(p.posCur)
			if m <= 0 {
				p.fail(corrupt("postings: positions"))
				return buf
			}
			p.posCur = p.posCur[m:]
		}
		p.posAt++
	}
	pos := uint64(0)
	cur := p.posCur
	for k := range p.freqs[p.i] {
		v, m := binary.Uvarint(cur)
		if m <= 0 || (k > 0 && v == 0) || pos+v > 1<<32-1 {
			p.fail(corrupt("postings: positions"))
			return buf
		}
		cur = cur[m:]
		pos += v
		buf = append(buf, uint32(pos))
	}
	return buf
}
