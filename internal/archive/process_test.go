package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/search"
)

// Every caller returns only after a commit that started after it was
// called, so its adds are in; concurrent callers share commits.
func TestGroupCommit(t *testing.T) {
	var g groupCommit
	var added, committed, commits atomic.Int64
	fn := func() error {
		committed.Store(added.Load())
		commits.Add(1)
		time.Sleep(2 * time.Millisecond)
		return nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				mine := added.Add(1)
				if err := g.commit(fn); err != nil {
					t.Error(err)
				}
				if committed.Load() < mine {
					t.Errorf("returned after a commit of %d adds, before its own add %d", committed.Load(), mine)
				}
			}
		}()
	}
	wg.Wait()
	if c := commits.Load(); c >= 400 {
		t.Fatalf("%d commits for 400 calls: none shared", c)
	}
}

// countingEngine counts the index commits of the engine it wraps.
type countingEngine struct {
	search.Engine
	commits atomic.Int64
}

func (e *countingEngine) Commit() error {
	e.commits.Add(1)
	return e.Engine.Commit()
}

// A trove of small files shares index commits and transactions instead of
// paying for them file by file, and every entry is reported only once it
// is stored for good: its rows in, the index committed, the entry marked.
func TestSmallFilesShareCommits(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		eng := &countingEngine{Engine: a.eng}
		a.eng = eng
		ctx := context.Background()
		if err := a.SetCollection(ctx, "kgb", ""); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		const n = 300
		var items []Item
		for i := range n {
			p := write(t, dir, fmt.Sprintf("f%03d.txt", i), []byte(fmt.Sprintf("Справка номер %d из архива.", i)))
			items = append(items, Item{File: p, Path: filepath.Base(p)})
		}
		if _, err := a.Enqueue(ctx, "kgb", items, func(QueueNote) {}); err != nil {
			t.Fatal(err)
		}
		reported := 0
		err := a.Work(ctx, WorkOptions{Collection: "kgb", Workers: 2, UntilEmpty: true, Progress: func(p Progress) {
			reported++
			var state string
			var docs int
			if err := a.db.sql.QueryRow(a.db.q(`SELECT state, docs FROM archive_entries WHERE path = ?`), p.Path).Scan(&state, &docs); err != nil {
				t.Error(err)
			}
			if state != p.State || docs != 1 || count(t, a, `SELECT COUNT(*) FROM archive_documents WHERE path = ?`, p.Path) != 1 {
				t.Errorf("%s reported %s before it was stored: state %q, %d documents", p.Path, p.State, state, docs)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if reported != n {
			t.Fatalf("%d entries reported, want %d", reported, n)
		}
		if got := eng.commits.Load(); got > n/10 {
			t.Errorf("%d index commits for %d small files", got, n)
		}
		for _, i := range []int{0, n / 2, n - 1} {
			if hits := searchPaths(t, a, fmt.Sprintf(`"номер %d"`, i), ""); !slices.Equal(hits, []string{fmt.Sprintf("f%03d.txt", i)}) {
				t.Errorf("file %d: found %v after the run", i, hits)
			}
		}
	})
}
