package segment

import (
	"bytes"
	"confide/internal/search/analysis"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"sync"
	"testing"
)

// largeDocs is a corpus of many postings blocks, with tags, several pages
// and more documents than DictDocs.
func largeDocs() []Document {
	docs := randomDocs(rand.New(rand.NewPCG(7, 8)), 700)
	for i := range docs {
		if i%5 == 0 {
			docs[i].Tags = []string{"secret", "t" + docs[i].ID[3:]}
		}
	}
	return docs
}

// largeGolden is the SHA-256 of largeDocs as the serial builder of format
// version 1 wrote it (one document at a time, compressing each record with
// the segment's dictionary), before documents were analysed in batches: a
// batched build must give the very same bytes.
const largeGolden = "776258a45a9442940315667c5c17b42a4553d38303acc1e76d87cd2e680895de"

func TestLargeGolden(t *testing.T) {
	sum := sha256.Sum256(build(t, largeDocs()))
	if got := hex.EncodeToString(sum[:]); got != largeGolden {
		t.Fatalf("segment of largeDocs has SHA-256 %s, want %s", got, largeGolden)
	}
}

// buildBatches builds docs in batches of size n from an analyzer with a
// small word cache, so that batches cross its generations.
func buildBatches(t *testing.T, docs []Document, n int) []byte {
	t.Helper()
	b := NewBuilder()
	a := NewAnalyzer()
	a.cache = smallCache()
	for i, d := range docs {
		a.Add(d)
		if a.Len() == n || i == len(docs)-1 {
			if err := b.AddBatch(a.Batch()); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBatchesMatchAdd checks that a segment's bytes do not depend on how
// its documents were batched.
func TestBatchesMatchAdd(t *testing.T) {
	docs := largeDocs()
	want := build(t, docs)
	for _, n := range []int{1, 2, 7, DictDocs, 129, 700} {
		if got := buildBatches(t, docs, n); !bytes.Equal(got, want) {
			t.Errorf("batches of %d: %d bytes differ from one at a time (%d)", n, len(got), len(want))
		}
	}
}

// TestParallelBatches analyses batches on several goroutines, each with its
// own Analyzer, and adds them in order on one, as the index does (run with
// -race): the segment is the serial one, byte for byte.
func TestParallelBatches(t *testing.T) {
	docs := largeDocs()
	want := build(t, docs)
	const size = 50
	batches := make([]chan *Batch, (len(docs)+size-1)/size)
	for i := range batches {
		batches[i] = make(chan *Batch, 1)
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := NewAnalyzer()
			for k := w; k < len(batches); k += 3 {
				for _, d := range docs[k*size : min(len(docs), (k+1)*size)] {
					a.Add(d)
				}
				batches[k] <- a.Batch()
			}
		}()
	}
	b := NewBuilder()
	for _, ch := range batches {
		if err := b.AddBatch(<-ch); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Error("segment built from parallel batches differs from the serial one")
	}
}

func smallCache() *analysis.Cache { return analysis.NewCache(20) }
