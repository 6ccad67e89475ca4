package segment

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"syscall"
)

// ErrCorrupt is wrapped by every error about a malformed segment.
var ErrCorrupt = errors.New("segment: corrupt")

// NoMore is the document number of an exhausted postings iterator.
const NoMore = math.MaxUint32

// maxStored bounds the decompressed size of one document's stored fields, so
// a hostile file cannot make a reader inflate it without limit.
const maxStored = 256 << 20

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// Reader reads one segment file, memory-mapped. It is safe for concurrent
// use; iterators it returns are not.
type Reader struct {
	data       []byte
	mapped     bool
	stored     []byte
	chunks     []byte // start of each stored record, then the end
	storedDict []byte
	post       []byte
	dict       []byte
	dictIdx    []byte
	docs       []byte
	numDocs    uint32
	nTerms     uint32
	total      uint64
	values     [3][]string
}

// Open maps and checks a segment file.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("segment: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("segment: %w", err)
	}
	if st.Size() < int64(len(header)+footerSize) || st.Size() > math.MaxInt {
		return nil, corrupt("%s: size %d", path, st.Size())
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("segment: mmap %s: %w", path, err)
	}
	// The checksum is computed from read(2), not through the mapping:
	// reading a whole segment through it would make every page resident
	// in this process, gigabytes of RSS for an index that queries touch
	// a little of.
	if err := checkFile(f, data); err != nil {
		syscall.Munmap(data)
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	r, err := parse(data, false)
	if err != nil {
		syscall.Munmap(data)
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	r.mapped = true
	return r, nil
}

// checkFile compares the CRC of f's content with its footer's.
func checkFile(f *os.File, data []byte) error {
	n := int64(len(data) - 12)
	h := crc32.New(crcTable)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, n)); err != nil {
		return fmt.Errorf("segment: %w", err)
	}
	if len(data) < len(header)+footerSize || h.Sum32() != binary.LittleEndian.Uint32(data[n:]) {
		return corrupt("checksum mismatch")
	}
	return nil
}

// Parse reads a segment held in memory, checking its CRC.
func Parse(data []byte) (*Reader, error) { return parse(data, true) }

// Close unmaps the file; the reader and its iterators must not be used after.
func (r *Reader) Close() error {
	if r.mapped {
		r.mapped = false
		return syscall.Munmap(r.data)
	}
	return nil
}

func parse(data []byte, verify bool) (*Reader, error) {
	if len(data) < len(header)+footerSize || !bytes.Equal(data[:len(header)], header) {
		return nil, corrupt("not a segment")
	}
	foot := data[len(data)-footerSize:]
	if !bytes.Equal(foot[footerSize-8:], footerMark) {
		return nil, corrupt("no footer")
	}
	if verify {
		want := binary.LittleEndian.Uint32(foot[footerSize-12:])
		if crc32.Checksum(data[:len(data)-12], crcTable) != want {
			return nil, corrupt("checksum mismatch")
		}
	}
	var offs [8]uint64
	for i := range 7 {
		offs[i] = binary.LittleEndian.Uint64(foot[i*8:])
	}
	offs[7] = uint64(len(data) - footerSize)
	prev := uint64(len(header))
	for i, o := range offs {
		if o < prev || o > offs[7] {
			return nil, corrupt("section %d at %d", i, o)
		}
		prev = o
	}
	if offs[0] != uint64(len(header)) {
		return nil, corrupt("stored text at %d", offs[0])
	}
	r := &Reader{
		data:    data,
		stored:  data[offs[0]:offs[1]],
		chunks:  data[offs[1]:offs[2]],
		post:    data[offs[2]:offs[3]],
		dict:    data[offs[3]:offs[4]],
		dictIdx: data[offs[4]:offs[5]],
		docs:    data[offs[5]:offs[6]],
		numDocs: binary.LittleEndian.Uint32(foot[56:]),
		nTerms:  binary.LittleEndian.Uint32(foot[60:]),
		total:   binary.LittleEndian.Uint64(foot[64:]),
	}
	if r.numDocs > math.MaxInt32 || uint64(len(r.docs)) != uint64(r.numDocs)*20 {
		return nil, corrupt("%d documents in %d bytes", r.numDocs, len(r.docs))
	}
	// The stored section is the compression dictionary, then one record
	// per document; the table holds each record's start, then the end.
	if uint64(len(r.chunks)) != (uint64(r.numDocs)+1)*8 {
		return nil, corrupt("stored table")
	}
	last := uint64(0)
	for i := range uint64(r.numDocs) + 1 {
		o := binary.LittleEndian.Uint64(r.chunks[i*8:])
		if o < last || o > uint64(len(r.stored)) || (i == 0 && o > maxDict) || (i == uint64(r.numDocs) && o != uint64(len(r.stored))) {
			return nil, corrupt("stored record %d at %d", i, o)
		}
		last = o
	}
	r.storedDict = r.stored[:binary.LittleEndian.Uint64(r.chunks)]
	nGroups := (uint64(r.nTerms) + DictGroup - 1) / DictGroup
	if uint64(len(r.dictIdx)) != nGroups*8 {
		return nil, corrupt("dictionary index")
	}
	last = 0
	for i := range nGroups {
		o := binary.LittleEndian.Uint64(r.dictIdx[i*8:])
		if (i > 0 && o <= last) || o >= uint64(len(r.dict)) || (i == 0 && o != 0) {
			return nil, corrupt("dictionary group %d at %d", i, o)
		}
		last = o
	}
	d := decoder{b: data[offs[6]:offs[7]]}
	for i := range r.values {
		n := d.uvarint()
		if n > uint64(len(d.b)) {
			return nil, corrupt("value list %d", i)
		}
		r.values[i] = make([]string, 0, n)
		for range n {
			r.values[i] = append(r.values[i], d.str())
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, corrupt("value lists")
	}
	var sum uint64
	for doc := range r.numDocs {
		rec := r.docs[doc*20:]
		sum += uint64(binary.LittleEndian.Uint32(rec))
		for i := range r.values {
			if binary.LittleEndian.Uint32(rec[4+4*i:]) >= uint32(len(r.values[i])) {
				return nil, corrupt("document %d: value %d", doc, i)
			}
		}
	}
	if sum != r.total {
		return nil, corrupt("total length %d, documents sum to %d", r.total, sum)
	}
	return r, nil
}

// decoder reads varints and strings, remembering the first error instead
// of panicking on short input.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = corrupt("bad varint")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = corrupt("length %d past end", n)
		d.b = nil
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) str() string { return string(d.bytes(d.uvarint())) }

// NumDocs is the number of documents in the segment, deleted ones included.
func (r *Reader) NumDocs() uint32 { return r.numDocs }

// Dict is the compression dictionary of the stored text (for
// NewBuilderDict); it is part of the mapping, valid until Close.
func (r *Reader) Dict() []byte { return r.storedDict }

// NumTerms is the number of distinct terms.
func (r *Reader) NumTerms() uint32 { return r.nTerms }

// TotalLen is the sum of all documents' lengths in words.
func (r *Reader) TotalLen() uint64 { return r.total }

// Size is the size of the file in bytes.
func (r *Reader) Size() int { return len(r.data) }

// Columns are a document's per-document values.
type Columns struct {
	Len        uint32
	Collection string
	Lang       string
	Type       string
	Day        int32
}

// DocLen is the length of a document in words; doc must be < NumDocs.
func (r *Reader) DocLen(doc uint32) uint32 {
	return binary.LittleEndian.Uint32(r.docs[doc*20:])
}

// Day is a document's day, or NoDay.
func (r *Reader) Day(doc uint32) int32 {
	return int32(binary.LittleEndian.Uint32(r.docs[doc*20+16:]))
}

// ColumnOrd is a document's ordinal in value list i (0 collection, 1 lang,
// 2 type), for counting facets without building strings.
func (r *Reader) ColumnOrd(doc uint32, i int) uint32 {
	return binary.LittleEndian.Uint32(r.docs[doc*20+4+4*uint32(i):])
}

// Values is value list i (0 collection, 1 lang, 2 type).
func (r *Reader) Values(i int) []string { return r.values[i] }

// Columns returns a document's per-document values.
func (r *Reader) Columns(doc uint32) Columns {
	return Columns{
		Len:        r.DocLen(doc),
		Collection: r.values[0][r.ColumnOrd(doc, 0)],
		Lang:       r.values[1][r.ColumnOrd(doc, 1)],
		Type:       r.values[2][r.ColumnOrd(doc, 2)],
		Day:        r.Day(doc),
	}
}

// TermInfo locates one term's postings.
type TermInfo struct {
	DF        uint32
	Positions bool
	off, n    uint64
}

type entry struct {
	term string
	ti   TermInfo
}

// group decodes the entries of dictionary group g, calling fn until it
// returns false.
func (r *Reader) group(g uint64, fn func(e entry) bool) error {
	start := binary.LittleEndian.Uint64(r.dictIdx[g*8:])
	end := uint64(len(r.dict))
	if (g+1)*8 < uint64(len(r.dictIdx)) {
		end = binary.LittleEndian.Uint64(r.dictIdx[(g+1)*8:])
	}
	d := decoder{b: r.dict[start:end]}
	prev := ""
	for i := 0; len(d.b) > 0; i++ {
		shared := d.uvarint()
		suffix := d.bytes(d.uvarint())
		if shared > uint64(len(prev)) || (i == 0 && shared != 0) {
			return corrupt("dictionary entry shares %d bytes", shared)
		}
		var e entry
		e.term = prev[:shared] + string(suffix)
		e.ti.DF = uint32(d.uvarint())
		flags := d.uvarint()
		e.ti.Positions = flags&flagPositions != 0
		e.ti.off, e.ti.n = d.uvarint(), d.uvarint()
		if d.err != nil {
			return d.err
		}
		if i > 0 && e.term <= prev {
			return corrupt("dictionary out of order at %q", e.term)
		}
		if e.ti.DF == 0 || e.ti.DF > r.numDocs || e.ti.off > uint64(len(r.post)) || e.ti.n > uint64(len(r.post))-e.ti.off {
			return corrupt("dictionary entry %q", e.term)
		}
		prev = e.term
		if !fn(e) {
			return nil
		}
	}
	return nil
}

func (r *Reader) firstTerm(g uint64) (string, error) {
	var first string
	err := r.group(g, func(e entry) bool { first = e.term; return false })
	return first, err
}

// findGroup returns the last group whose first term is ≤ term.
func (r *Reader) findGroup(term string) (uint64, error) {
	lo, hi := uint64(0), uint64(len(r.dictIdx)/8)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		t, err := r.firstTerm(mid)
		if err != nil {
			return 0, err
		}
		if t <= term {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// Lookup finds a term; found is false when the segment does not have it.
func (r *Reader) Lookup(term string) (ti TermInfo, found bool, err error) {
	if r.nTerms == 0 {
		return TermInfo{}, false, nil
	}
	g, err := r.findGroup(term)
	if err != nil {
		return TermInfo{}, false, err
	}
	err = r.group(g, func(e entry) bool {
		if e.term == term {
			ti, found = e.ti, true
		}
		return e.term < term
	})
	return ti, found, err
}

// Prefix calls fn for every term that starts with prefix, in order, until fn
// returns false.
func (r *Reader) Prefix(prefix string, fn func(term string, ti TermInfo) bool) error {
	if r.nTerms == 0 {
		return nil
	}
	g, err := r.findGroup(prefix)
	if err != nil {
		return err
	}
	for ; g < uint64(len(r.dictIdx)/8); g++ {
		more := true
		err := r.group(g, func(e entry) bool {
			if e.term < prefix {
				return true
			}
			if !strings.HasPrefix(e.term, prefix) {
				more = false
				return false
			}
			more = fn(e.term, e.ti)
			return more
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// inflaters reuses flate readers, whose buffers are most of the cost of
// inflating one small record.
var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// Stored is a document's stored fields.
type Stored struct {
	ID    string
	Tags  []string
	Pages []string
}

// Stored decompresses the stored fields of a document.
func (r *Reader) Stored(doc uint32) (Stored, error) {
	if doc >= r.numDocs {
		return Stored{}, fmt.Errorf("segment: document %d of %d", doc, r.numDocs)
	}
	start := binary.LittleEndian.Uint64(r.chunks[doc*8:])
	end := binary.LittleEndian.Uint64(r.chunks[doc*8+8:])
	zr := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(zr)
	zr.(flate.Resetter).Reset(bytes.NewReader(r.stored[start:end]), r.storedDict)
	raw, err := io.ReadAll(io.LimitReader(zr, maxStored))
	if err != nil {
		return Stored{}, corrupt("stored document %d: %v", doc, err)
	}
	d := decoder{b: raw}
	var s Stored
	s.ID = d.str()
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return Stored{}, corrupt("document %d: %d tags", doc, n)
	}
	for range n {
		s.Tags = append(s.Tags, d.str())
	}
	n = d.uvarint()
	if n > uint64(len(d.b)) {
		return Stored{}, corrupt("document %d: %d pages", doc, n)
	}
	for range n {
		s.Pages = append(s.Pages, d.str())
	}
	if d.err != nil || len(d.b) != 0 {
		return Stored{}, corrupt("stored document %d", doc)
	}
	return s, nil
}
