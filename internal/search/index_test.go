package search_test

import (
	"testing"

	"confide/internal/search"
	"confide/internal/search/searchtest"
)

func openTemp(t *testing.T) search.Engine {
	ix, err := search.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestContract(t *testing.T) { searchtest.Run(t, openTemp) }

// batchEngine adds through AddBatch, so the contract suite checks that
// parallel analysis gives the same index as Add.
type batchEngine struct {
	*search.Index
	buf []search.Doc
}

func (b *batchEngine) flush() error {
	err := b.Index.AddBatch(b.buf)
	b.buf = nil
	return err
}

func (b *batchEngine) Add(d search.Doc) error { b.buf = append(b.buf, d); return nil }

func (b *batchEngine) Delete(id string) error {
	if err := b.flush(); err != nil {
		return err
	}
	return b.Index.Delete(id)
}

func (b *batchEngine) Commit() error {
	if err := b.flush(); err != nil {
		return err
	}
	return b.Index.Commit()
}

func TestContractAddBatch(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Engine {
		return &batchEngine{Index: openTemp(t).(*search.Index)}
	})
}

// TestContractSmallSegments writes a segment every 3 documents, so adds,
// replaces and deletes cross pending segments before each commit, and
// merges run.
func TestContractSmallSegments(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Engine {
		ix := openTemp(t).(*search.Index)
		ix.FlushDocs, ix.MergeAt = 3, 4
		return ix
	})
}
