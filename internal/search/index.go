package search

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"confide/internal/search/analysis"
	"confide/internal/search/segment"
)

// DefaultFlushDocs and FlushBytes bound the documents an index buffers in
// memory before it writes them out as a segment (not yet committed).
const (
	DefaultFlushDocs = 50_000
	FlushBytes       = 128 << 20
)

const manifestName = "manifest"

// manifest is the commit point: the segments of the index and the deletion
// file of each. It is replaced by an atomic rename, never edited.
type manifest struct {
	Generation uint64        `json:"generation"`
	NextFile   uint64        `json:"next_file"`
	Segments   []manifestSeg `json:"segments"`
}

type manifestSeg struct {
	Name    string `json:"name"`
	Docs    uint32 `json:"docs"`
	Deletes string `json:"deletes,omitempty"`
}

// segFile is an open segment file, shared by the snapshots that hold it;
// the last one to let go closes it, and removes it if no manifest names it
// any more.
type segFile struct {
	name    string
	dir     string
	r       *segment.Reader
	ids     segIDs
	refs    atomic.Int32
	dropped atomic.Bool
}

func (f *segFile) release() {
	if f.refs.Add(-1) == 0 {
		f.r.Close()
		if f.dropped.Load() {
			os.Remove(filepath.Join(f.dir, f.name))
		}
	}
}

// segRef is a segment as one commit sees it: the file and its deletions.
// It is never modified once a snapshot holds it.
type segRef struct {
	f       *segFile
	r       *segment.Reader
	deleted []uint64 // nil when nothing is deleted
	delName string
	live    int
}

func (s *segRef) isDeleted(d uint32) bool {
	return s.deleted != nil && s.deleted[d/64]&(1<<(d%64)) != 0
}

// snapshot is one commit as searches see it.
type snapshot struct {
	segs  []*segRef
	docs  int // all documents, deleted ones included, for idf
	total uint64
	refs  atomic.Int32
}

func newSnapshot(segs []*segRef) *snapshot {
	s := &snapshot{segs: segs}
	for _, g := range segs {
		g.f.refs.Add(1)
		s.docs += int(g.r.NumDocs())
		s.total += g.r.TotalLen()
	}
	s.refs.Store(1)
	return s
}

func (s *snapshot) release() {
	if s.refs.Add(-1) == 0 {
		for _, g := range s.segs {
			g.f.release()
		}
	}
}

func (s *snapshot) avgdl() float64 {
	if s.docs == 0 || s.total == 0 {
		return 1
	}
	return float64(s.total) / float64(s.docs)
}

// pending is a segment written since the last commit: on disk, not yet in
// the manifest, so a crash forgets it. It is written in the background:
// r and err are set when done is closed.
type pending struct {
	name    string
	n       uint32 // documents
	done    chan struct{}
	r       *segment.Reader
	err     error
	deleted []uint64 // under wmu
}

type pendDoc struct {
	p   *pending
	doc uint32
}

// Index is the folder index. Its methods are safe for concurrent use;
// writes are serialised, searches run beside them on the last commit.
type Index struct {
	dir  string
	lock *os.File // holds the folder's flock

	wmu      sync.Mutex // writers: Add, Delete, Commit, merges' swaps
	b        *segment.Builder
	bIDs     map[string]uint32 // ID → document in b
	bDeleted map[uint32]bool
	pend     []*pending
	pendIDs  map[string]pendDoc // ID → where it is in a pending segment
	failed   error              // of a pending segment's write, until Commit reports it
	dict     []byte             // stored text dictionary for new builders
	deletes  map[string]bool    // IDs to delete from committed segments
	man      manifest
	closed   bool

	smu  sync.Mutex // the current snapshot
	snap *snapshot

	analyzers sync.Pool // of *segment.Analyzer, which keep their word caches

	mergeWG sync.WaitGroup
	merging bool // under wmu
	// FlushDocs is the number of documents buffered before they are
	// written as a segment; Open sets DefaultFlushDocs.
	FlushDocs int
	// MergeAt is the number of small segments from which a commit starts
	// a background merge of them; 0 disables merging.
	MergeAt int
}

// Open opens the index in dir, creating it if the folder is empty or
// missing. Files that the manifest does not name are removed: they are
// what a crash left between writing a segment and committing it.
//
// One process at a time may open a folder: Open takes an exclusive lock on
// its "lock" file (flock), since a second writer would remove the first's
// uncommitted segments as leftovers.
func Open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("search: %s is open in another process", dir)
		}
		return nil, fmt.Errorf("search: lock %s: %w", dir, err)
	}
	ix, err := open(dir)
	if err != nil {
		lock.Close()
		return nil, err
	}
	ix.lock = lock
	return ix, nil
}

func open(dir string) (*Index, error) {
	ix := &Index{dir: dir, MergeAt: 10, FlushDocs: DefaultFlushDocs}
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("search: %w", err)
	default:
		if err := json.Unmarshal(raw, &ix.man); err != nil {
			return nil, fmt.Errorf("search: manifest of %s: %w", dir, err)
		}
	}
	keep := map[string]bool{manifestName: true}
	var segs []*segRef
	for _, ms := range ix.man.Segments {
		keep[ms.Name] = true
		r, err := segment.Open(filepath.Join(dir, ms.Name))
		if err != nil {
			for _, s := range segs {
				s.r.Close()
			}
			return nil, fmt.Errorf("search: %w", err)
		}
		if r.NumDocs() != ms.Docs {
			r.Close()
			return nil, fmt.Errorf("search: %s has %d documents, the manifest says %d", ms.Name, r.NumDocs(), ms.Docs)
		}
		s := &segRef{f: &segFile{name: ms.Name, dir: dir, r: r}, r: r, live: int(r.NumDocs())}
		if ms.Deletes != "" {
			keep[ms.Deletes] = true
			s.delName = ms.Deletes
			if s.deleted, err = readDeletes(filepath.Join(dir, ms.Deletes), r.NumDocs()); err != nil {
				r.Close()
				return nil, err
			}
			s.live -= popcount(s.deleted)
		}
		segs = append(segs, s)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for _, e := range entries {
		if !keep[e.Name()] && (strings.HasPrefix(e.Name(), "seg-") || strings.HasSuffix(e.Name(), ".tmp")) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	ix.snap = newSnapshot(segs)
	if len(segs) > 0 {
		ix.dict = bytes.Clone(segs[len(segs)-1].r.Dict())
	}
	return ix, nil
}

func popcount(bits []uint64) int {
	n := 0
	for _, w := range bits {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// Deletion files: the bitmap as little-endian words, then its CRC-32C.
var delTable = crc32.MakeTable(crc32.Castagnoli)

func readDeletes(path string, n uint32) ([]uint64, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	words := (int(n) + 63) / 64
	if len(raw) != words*8+4 || crc32.Checksum(raw[:words*8], delTable) != binary.LittleEndian.Uint32(raw[words*8:]) {
		return nil, fmt.Errorf("search: %s is corrupt", path)
	}
	bits := make([]uint64, words)
	for i := range bits {
		bits[i] = binary.LittleEndian.Uint64(raw[i*8:])
	}
	return bits, nil
}

func encodeDeletes(bits []uint64) []byte {
	out := make([]byte, 0, len(bits)*8+4)
	for _, w := range bits {
		out = binary.LittleEndian.AppendUint64(out, w)
	}
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, delTable))
}

// writeFile writes a file durably: temporary name, fsync, rename, and the
// caller fsyncs the folder once for all files of a commit.
func (ix *Index) writeFile(name string, write func(f *os.File) error) error {
	tmp := filepath.Join(ix.dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(ix.dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("search: write %s: %w", name, err)
	}
	return nil
}

func (ix *Index) syncDir() error {
	d, err := os.Open(ix.dir)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("search: fsync %s: %w", ix.dir, err)
	}
	return nil
}

func (ix *Index) newName(kind string) string {
	ix.man.NextFile++
	return fmt.Sprintf("seg-%06d%s", ix.man.NextFile, kind)
}

// prepare checks a document and turns it into the segment's form.
func prepare(d Doc) (segment.Document, error) {
	if d.ID == "" {
		return segment.Document{}, errors.New("search: a document needs an ID")
	}
	if len(d.Pages) == 0 {
		d.Pages = []string{""}
	}
	if d.Lang == "" {
		d.Lang = analysis.DetectLanguage(d.Pages...)
	}
	return segment.Document{ID: d.ID, Collection: d.Collection, Lang: d.Lang, Type: d.Type,
		Day: dayOf(d.Date), Tags: d.Tags, Pages: d.Pages}, nil
}

// Add adds a document, replacing any document with the same ID once
// committed.
func (ix *Index) Add(d Doc) error {
	sd, err := prepare(d)
	if err != nil {
		return err
	}
	an := ix.analyzer()
	an.Add(sd)
	batch := an.Batch()
	ix.putAnalyzer(an)
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	return ix.addBatchLocked([]string{sd.ID}, batch)
}

// batchDocs bounds the documents one worker of AddBatch analyses into one
// segment.Batch: its memory, and how far a flushed segment may run past
// FlushDocs.
const batchDocs = 512

// AddBatch adds documents as Add does, in order, analysing them on every
// core first: analysis is most of the cost of indexing, and adding an
// analysed batch to the segment being built costs a dictionary lookup per
// distinct term of the batch. A bulk import may call it from several
// goroutines, so that one batch is analysed while another is added;
// batches then interleave, so the same ID should not be in two batches
// that run at once.
func (ix *Index) AddBatch(docs []Doc) error {
	ids := make([]string, len(docs))
	for i, d := range docs {
		if d.ID == "" {
			return errors.New("search: a document needs an ID")
		}
		ids[i] = d.ID
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(docs)))
	size := max(1, min(batchDocs, (len(docs)+workers-1)/workers))
	batches := make([]*segment.Batch, (len(docs)+size-1)/size)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(batches)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			an := ix.analyzer()
			defer ix.putAnalyzer(an)
			for k := int(next.Add(1) - 1); k < len(batches); k = int(next.Add(1) - 1) {
				for _, d := range docs[k*size : min(len(docs), (k+1)*size)] {
					sd, _ := prepare(d) // IDs checked above, nothing else fails
					an.Add(sd)
				}
				batches[k] = an.Batch()
			}
		}()
	}
	wg.Wait()
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	for k, b := range batches {
		if err := ix.addBatchLocked(ids[k*size:min(len(docs), (k+1)*size)], b); err != nil {
			return err
		}
	}
	return nil
}

func (ix *Index) analyzer() *segment.Analyzer {
	if an, ok := ix.analyzers.Get().(*segment.Analyzer); ok {
		return an
	}
	return segment.NewAnalyzer()
}

// putAnalyzer keeps an analyzer, empty, for the next batch.
func (ix *Index) putAnalyzer(an *segment.Analyzer) {
	an.Reset()
	ix.analyzers.Put(an)
}

// addBatchLocked adds an analysed batch whose documents have these IDs.
// The segment being written is flushed once it reaches FlushDocs (or
// FlushBytes), so it may hold up to a batch more.
func (ix *Index) addBatchLocked(ids []string, batch *segment.Batch) error {
	if ix.closed {
		return ErrClosed
	}
	if ix.b == nil {
		b, err := segment.NewBuilderDict(ix.dict)
		if err != nil {
			return err
		}
		ix.b, ix.bIDs, ix.bDeleted = b, map[string]uint32{}, map[uint32]bool{}
	}
	base := uint32(ix.b.NumDocs())
	if err := ix.b.AddBatch(batch); err != nil {
		return err
	}
	for i, id := range ids {
		ix.deleteLocked(id) // an earlier document with the ID, this batch's included
		ix.bIDs[id] = base + uint32(i)
	}
	if ix.dict == nil && ix.b.Dict() != nil {
		ix.dict = ix.b.Dict() // later builders store it too
	}
	if ix.b.NumDocs() >= ix.FlushDocs || ix.b.SizeHint() >= FlushBytes {
		return ix.flushLocked()
	}
	return nil
}

// Delete deletes a document once committed; deleting an ID the index does
// not have is not an error, so a retried delete is harmless.
func (ix *Index) Delete(id string) error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	ix.deleteLocked(id)
	return nil
}

func (ix *Index) deleteLocked(id string) {
	// Remember the ID for the commit only if a committed segment may hold
	// it: a bulk load of new documents then keeps no list of them all.
	// (Commits and merges swap the snapshot only under wmu, held here.)
	for _, s := range ix.snap.segs {
		f, err := s.f.ids.get(s.r)
		if err != nil || f.mayHave(id) {
			if ix.deletes == nil {
				ix.deletes = map[string]bool{}
			}
			ix.deletes[id] = true
			break
		}
	}
	if doc, ok := ix.bIDs[id]; ok {
		ix.bDeleted[doc] = true
		delete(ix.bIDs, id)
	}
	if pd, ok := ix.pendIDs[id]; ok {
		p := pd.p
		if p.deleted == nil {
			p.deleted = make([]uint64, (p.n+63)/64)
		}
		p.deleted[pd.doc/64] |= 1 << (pd.doc % 64)
		delete(ix.pendIDs, id)
	}
}

// docsOf returns the documents of r with the ID.
func docsOf(r *segment.Reader, id string) ([]uint32, error) {
	ti, ok, err := r.Lookup(segment.KeyID + id)
	if err != nil || !ok {
		return nil, err
	}
	post, err := r.Postings(ti)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for d := post.Doc(); d != noMore; d = post.Next() {
		out = append(out, d)
	}
	return out, post.Err()
}

// flushLocked starts writing the buffered documents as a pending segment,
// in the background so that adding goes on meanwhile. One segment is
// written at a time: a second would double the memory of builders. It
// returns the error of a failed earlier write, which Commit returns too.
func (ix *Index) flushLocked() error {
	if ix.b == nil || ix.b.NumDocs() == 0 {
		return ix.failed
	}
	ix.dropFailedLocked() // waits for the previous write
	name := ix.newName("")
	b, bDeleted, bIDs := ix.b, ix.bDeleted, ix.bIDs
	ix.b, ix.bIDs, ix.bDeleted = nil, nil, nil
	p := &pending{name: name, n: uint32(b.NumDocs()), done: make(chan struct{})}
	if len(bDeleted) > 0 {
		p.deleted = make([]uint64, (p.n+63)/64)
		for d := range bDeleted {
			p.deleted[d/64] |= 1 << (d % 64)
		}
	}
	ix.pend = append(ix.pend, p)
	if ix.pendIDs == nil {
		ix.pendIDs = map[string]pendDoc{}
	}
	for id, doc := range bIDs {
		ix.pendIDs[id] = pendDoc{p, doc}
	}
	go func() {
		defer close(p.done)
		if p.err = ix.writeFile(name, func(f *os.File) error { _, err := b.WriteTo(f); return err }); p.err != nil {
			return
		}
		if p.r, p.err = segment.Open(filepath.Join(ix.dir, name)); p.err != nil {
			p.err = fmt.Errorf("search: reopen %s: %w", name, p.err)
			os.Remove(filepath.Join(ix.dir, name))
		}
	}()
	return ix.failed
}

// wait waits for the segment to be written and returns the error, if any.
func (p *pending) wait() error {
	<-p.done
	return p.err
}

// dropFailedLocked waits for every pending segment and forgets those whose
// write failed, with the documents in them; the first error stays in
// failed until Commit reports it.
func (ix *Index) dropFailedLocked() {
	kept := ix.pend[:0]
	for _, p := range ix.pend {
		if err := p.wait(); err != nil {
			ix.failed = cmp.Or(ix.failed, err)
			for id, pd := range ix.pendIDs {
				if pd.p == p {
					delete(ix.pendIDs, id)
				}
			}
			continue
		}
		kept = append(kept, p)
	}
	clear(ix.pend[len(kept):])
	ix.pend = kept
}

// Commit makes every Add and Delete so far durable and visible to searches.
func (ix *Index) Commit() error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	ix.flushLocked()
	ix.dropFailedLocked()
	if err := ix.failed; err != nil {
		// What was added since the last commit must be added again.
		ix.failed = nil
		return err
	}
	old := ix.current()
	defer old.release()
	man := ix.man
	man.Generation++
	man.Segments = nil
	var segs []*segRef
	var written []string
	fail := func(err error) error {
		for _, name := range written {
			os.Remove(filepath.Join(ix.dir, name))
		}
		return err
	}
	writeDeletes := func(ns *segRef) error {
		ns.delName = ix.newName(".del")
		ns.live = int(ns.r.NumDocs()) - popcount(ns.deleted)
		data := encodeDeletes(ns.deleted)
		written = append(written, ns.delName)
		return ix.writeFile(ns.delName, func(f *os.File) error { _, err := f.Write(data); return err })
	}
	for _, s := range old.segs {
		ns := *s
		bits, changed, err := applyDeletes(s.f, s.deleted, ix.deletes)
		if err != nil {
			return fail(err)
		}
		if changed {
			ns.deleted = bits
			if err := writeDeletes(&ns); err != nil {
				return fail(err)
			}
		}
		segs = append(segs, &ns)
	}
	for _, p := range ix.pend {
		ns := &segRef{f: &segFile{name: p.name, dir: ix.dir, r: p.r}, r: p.r, deleted: p.deleted, live: int(p.r.NumDocs())}
		if p.deleted != nil {
			if err := writeDeletes(ns); err != nil {
				return fail(err)
			}
		}
		segs = append(segs, ns)
	}
	var live []*segRef
	for _, s := range segs {
		if s.live > 0 {
			live = append(live, s)
			man.Segments = append(man.Segments, manifestSeg{Name: s.f.name, Docs: s.r.NumDocs(), Deletes: s.delName})
		}
	}
	if err := ix.writeManifest(man); err != nil {
		return fail(err)
	}
	// Committed: retire what the new manifest no longer names.
	for i, s := range old.segs {
		if s.delName != "" && s.delName != segs[i].delName {
			os.Remove(filepath.Join(ix.dir, s.delName))
		}
		if segs[i].live == 0 {
			s.f.dropped.Store(true)
		}
	}
	for _, s := range segs[len(old.segs):] {
		if s.live == 0 {
			s.r.Close()
			os.Remove(filepath.Join(ix.dir, s.f.name))
			if s.delName != "" {
				os.Remove(filepath.Join(ix.dir, s.delName))
			}
		}
	}
	man.NextFile = max(man.NextFile, ix.man.NextFile)
	ix.man = man
	ix.pend, ix.pendIDs, ix.deletes = nil, nil, nil
	ix.install(live)
	ix.maybeMerge()
	return nil
}

// applyDeletes returns base with the documents of ids also deleted, copied
// if anything changed: base may be shared with running searches.
func applyDeletes(f *segFile, base []uint64, ids map[string]bool) ([]uint64, bool, error) {
	r := f.r
	bits, changed := base, false
	filter, err := f.ids.get(r)
	if err != nil {
		return nil, false, err
	}
	for id := range ids {
		if !filter.mayHave(id) {
			continue
		}
		docs, err := docsOf(r, id)
		if err != nil {
			return nil, false, err
		}
		for _, d := range docs {
			if bits != nil && bits[d/64]&(1<<(d%64)) != 0 {
				continue
			}
			if !changed {
				bits = make([]uint64, (r.NumDocs()+63)/64)
				copy(bits, base)
				changed = true
			}
			bits[d/64] |= 1 << (d % 64)
		}
	}
	return bits, changed, nil
}

// writeManifest commits man. Its file counter is the index's current one:
// names handed out while man was being built must not be handed out again.
func (ix *Index) writeManifest(man manifest) error {
	man.NextFile = max(man.NextFile, ix.man.NextFile)
	data, err := json.MarshalIndent(man, "", " ")
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := ix.writeFile(manifestName, func(f *os.File) error { _, err := f.Write(data); return err }); err != nil {
		return err
	}
	return ix.syncDir()
}

func (ix *Index) current() *snapshot {
	ix.smu.Lock()
	defer ix.smu.Unlock()
	ix.snap.refs.Add(1)
	return ix.snap
}

// install makes segs the snapshot new searches see.
func (ix *Index) install(segs []*segRef) {
	ix.smu.Lock()
	prev := ix.snap
	ix.snap = newSnapshot(segs)
	ix.smu.Unlock()
	prev.release()
}

// Close waits for a running merge and releases the index.
func (ix *Index) Close() error {
	ix.wmu.Lock()
	if ix.closed {
		ix.wmu.Unlock()
		return nil
	}
	ix.closed = true
	ix.wmu.Unlock()
	ix.mergeWG.Wait()
	ix.smu.Lock()
	snap := ix.snap
	ix.snap = nil // searches from now on get ErrClosed
	ix.smu.Unlock()
	snap.release()
	for _, p := range ix.pend {
		if p.wait() == nil {
			p.r.Close()
			os.Remove(filepath.Join(ix.dir, p.name))
		}
	}
	return ix.lock.Close() // releases the flock
}
