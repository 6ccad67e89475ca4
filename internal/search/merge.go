package search

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"confide/internal/search/segment"
)

// MaxMergeDocs bounds the live documents one merge rewrites, and so the
// builder it holds in memory.
const MaxMergeDocs = 100_000

// maybeMerge starts a background merge of the small segments when there are
// MergeAt or more and none is running. Called with wmu held.
func (ix *Index) maybeMerge() {
	if ix.MergeAt < 2 || ix.merging || ix.closed {
		return
	}
	snap := ix.current()
	// Only small segments (from small commits) and mostly deleted ones
	// are worth rewriting: a bulk load's full segments are left alone, so
	// indexing a large archive does not analyse every document twice.
	var order []*segRef
	for _, s := range snap.segs {
		if s.live < ix.FlushDocs/2 || 2*s.live < int(s.r.NumDocs()) {
			order = append(order, s)
		}
	}
	if len(order) < ix.MergeAt {
		snap.release()
		return
	}
	slices.SortStableFunc(order, func(a, b *segRef) int { return a.live - b.live })
	var srcs []*segRef
	total := 0
	for _, s := range order {
		if total+s.live > MaxMergeDocs {
			break
		}
		srcs = append(srcs, s)
		total += s.live
	}
	if len(srcs) < 2 {
		snap.release()
		return
	}
	ix.merging = true
	name := ix.newName("")
	ix.mergeWG.Add(1)
	go func() {
		defer ix.mergeWG.Done()
		defer snap.release()
		if err := ix.merge(srcs, name); err != nil {
			slog.Error("search: merge", "err", err)
		}
	}()
}

// merge rewrites the live documents of srcs into segment name, then swaps
// it in with a new commit. Documents deleted while it ran are deleted in the
// merged segment too.
func (ix *Index) merge(srcs []*segRef, name string) (err error) {
	path := filepath.Join(ix.dir, name)
	installed := false
	defer func() {
		ix.wmu.Lock()
		ix.merging = false
		ix.wmu.Unlock()
		if !installed {
			os.Remove(path)
		}
	}()
	b := segment.NewBuilder()
	an := ix.analyzer()
	defer ix.putAnalyzer(an)
	type origin struct {
		src int
		doc uint32
	}
	var origins []origin
	for si, s := range srcs {
		for d := range s.r.NumDocs() {
			if s.isDeleted(d) {
				continue
			}
			st, err := s.r.Stored(d)
			if err != nil {
				return err
			}
			c := s.r.Columns(d)
			an.Add(segment.Document{ID: st.ID, Collection: c.Collection, Lang: c.Lang, Type: c.Type,
				Day: c.Day, Tags: st.Tags, Pages: st.Pages})
			if an.Len() == batchDocs {
				if err := b.AddBatch(an.Batch()); err != nil {
					return err
				}
			}
			origins = append(origins, origin{si, d})
		}
	}
	if err := b.AddBatch(an.Batch()); err != nil {
		return err
	}
	if err := ix.writeFile(name, func(f *os.File) error { _, err := b.WriteTo(f); return err }); err != nil {
		return err
	}
	r, err := segment.Open(path)
	if err != nil {
		return err
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if ix.closed {
		r.Close()
		return nil
	}
	cur := ix.current()
	defer cur.release()
	// Find each source in the current commit: deletions may have grown.
	now := make([]*segRef, len(srcs))
	first := -1
	for i, s := range cur.segs {
		for j, src := range srcs {
			if s.f == src.f {
				now[j] = s
				if first < 0 {
					first = i
				}
			}
		}
	}
	merged := &segRef{f: &segFile{name: name, dir: ix.dir, r: r}, r: r, live: int(r.NumDocs())}
	for nd, o := range origins {
		if now[o.src] == nil || now[o.src].isDeleted(o.doc) {
			if merged.deleted == nil {
				merged.deleted = make([]uint64, (r.NumDocs()+63)/64)
			}
			merged.deleted[nd/64] |= 1 << (nd % 64)
		}
	}
	man := ix.man
	man.Generation++
	man.Segments = nil
	if merged.deleted != nil {
		merged.delName = ix.newName(".del")
		merged.live -= popcount(merged.deleted)
		data := encodeDeletes(merged.deleted)
		if err := ix.writeFile(merged.delName, func(f *os.File) error { _, err := f.Write(data); return err }); err != nil {
			r.Close()
			return err
		}
	}
	var segs []*segRef
	for i, s := range cur.segs {
		if i == first && merged.live > 0 {
			segs = append(segs, merged)
		}
		if !slices.Contains(now, s) {
			segs = append(segs, s)
		}
	}
	if first < 0 && merged.live > 0 {
		segs = append(segs, merged)
	}
	for _, s := range segs {
		man.Segments = append(man.Segments, manifestSeg{Name: s.f.name, Docs: s.r.NumDocs(), Deletes: s.delName})
	}
	if err := ix.writeManifest(man); err != nil {
		r.Close()
		if merged.delName != "" {
			os.Remove(filepath.Join(ix.dir, merged.delName))
		}
		return err
	}
	installed = merged.live > 0
	if !installed {
		r.Close()
		if merged.delName != "" {
			os.Remove(filepath.Join(ix.dir, merged.delName))
		}
	}
	man.NextFile = max(man.NextFile, ix.man.NextFile)
	ix.man = man
	for _, s := range now {
		if s != nil {
			s.f.dropped.Store(true)
			if s.delName != "" {
				os.Remove(filepath.Join(ix.dir, s.delName))
			}
		}
	}
	ix.install(segs)
	return nil
}
