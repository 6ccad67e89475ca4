package archive

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
