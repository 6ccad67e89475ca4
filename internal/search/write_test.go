package search

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"confide/internal/search/query"
)

func count(t *testing.T, ix *Index, q string) int {
	t.Helper()
	return mustSearch(t, ix, q, Request{Facets: true, Limit: 1}).Total
}

// TestMergeKeepsDocuments commits many small batches with deletes between
// them so merges run, including deletes that land while a merge runs, and
// checks every document is found exactly as often as it should be, before
// and after reopening, and that merged-away files are gone.
func TestMergeKeepsDocuments(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix.MergeAt = 4
	for g := range 16 {
		for i := range 50 {
			ix.Add(Doc{ID: fmt.Sprintf("%d-%d", g, i), Pages: []string{fmt.Sprintf("партия%d документ%d общий", g, i%5)}})
		}
		if g >= 2 {
			for i := 0; i < 50; i += 2 {
				ix.Delete(fmt.Sprintf("%d-%d", g-2, i))
			}
		}
		if err := ix.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	ix.mergeWG.Wait()
	check := func(ix *Index) {
		t.Helper()
		for g := range 16 {
			want := 50
			if g < 14 {
				want = 25
			}
			if n := count(t, ix, fmt.Sprintf("=партия%d", g)); n != want {
				t.Errorf("generation %d: %d documents, want %d", g, n, want)
			}
		}
		if n := count(t, ix, "общий"); n != 14*25+100 {
			t.Errorf("%d documents in all", n)
		}
	}
	check(ix)
	if n := len(ix.snap.segs); n >= 12 {
		t.Errorf("%d segments after merging", n)
	}
	ix.Close()
	files, _ := os.ReadDir(dir)
	var segs int
	for _, f := range files {
		if !strings.Contains(f.Name(), ".") && strings.HasPrefix(f.Name(), "seg-") {
			segs++
		}
	}
	if segs != len(ix.man.Segments) {
		t.Errorf("%d segment files for %d segments in the manifest", segs, len(ix.man.Segments))
	}
	ix, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	check(ix)
}

// TestSearchDuringWrites runs searches while batches are added, deleted,
// committed and merged: every search must succeed and see whole commits.
func TestSearchDuringWrites(t *testing.T) {
	ix, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ix.MergeAt = 3
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, _ := query.Parse("пакет")
			last := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := ix.Search(context.Background(), Request{Query: n, Facets: true, Highlights: true})
				if err != nil {
					errs <- err
					return
				}
				// Each commit adds 40 and deletes 20 of the previous
				// batch: a search sees 20×k+20 or nothing, never a
				// half-applied commit.
				if res.Total != 0 && (res.Total-20)%20 != 0 || res.Total < last {
					errs <- fmt.Errorf("saw %d documents after %d", res.Total, last)
					return
				}
				last = res.Total
			}
		}()
	}
	for b := range 25 {
		for i := range 40 {
			ix.Add(Doc{ID: fmt.Sprintf("%d-%d", b, i), Pages: []string{"пакет документов номер " + strconv.Itoa(b)}})
		}
		if b > 0 {
			for i := range 20 {
				ix.Delete(fmt.Sprintf("%d-%d", b-1, i))
			}
		}
		if err := ix.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ix.mergeWG.Wait()
	if n := count(t, ix, "пакет"); n != 24*20+40 {
		t.Errorf("%d documents at the end", n)
	}
}

// crashChild is the writer that TestCrash kills: it commits generations of
// 200 documents and says so on stdout after each commit returns.
func crashChild(dir string, gen int) {
	ix, err := Open(dir)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	ix.MergeAt = 3
	for g := gen; ; g++ {
		for i := range 200 {
			ix.Add(Doc{ID: fmt.Sprintf("%d-%d", g, i), Pages: []string{fmt.Sprintf("поколение%d документ архив %d", g, i)}})
		}
		if g >= 2 {
			for i := 0; i < 200; i += 2 {
				ix.Delete(fmt.Sprintf("%d-%d", g-2, i))
			}
		}
		if err := ix.Commit(); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("committed", g)
	}
}

func TestMain(m *testing.M) {
	if dir := os.Getenv("CONFIDE_SEARCH_CRASH_DIR"); dir != "" {
		gen, _ := strconv.Atoi(os.Getenv("CONFIDE_SEARCH_CRASH_GEN"))
		crashChild(dir, gen)
	}
	os.Exit(m.Run())
}

// TestCrash kills a writing process with SIGKILL at random moments, five
// times over the same folder: each time the index must open, hold every
// generation reported committed, and hold the one being written wholly or
// not at all.
func TestCrash(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	next := 0
	for round := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "CONFIDE_SEARCH_CRASH_DIR="+dir, "CONFIDE_SEARCH_CRASH_GEN="+strconv.Itoa(next))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var reported int
		wantCommits := 2 + round
		deadline := time.After(2 * time.Minute)
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("child exited")
				}
				if strings.HasPrefix(l, "error") {
					t.Fatal(l)
				}
				g, _ := strconv.Atoi(strings.TrimPrefix(l, "committed "))
				reported = g
				if reported-next+1 >= wantCommits {
					// Kill partway through the next generation.
					time.Sleep([]time.Duration{0, 3, 11, 25, 60}[round] * time.Millisecond)
					break read
				}
			case <-deadline:
				t.Fatal("child too slow")
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		// Commits reported while it slept count too; read them all
		// before Wait, which closes the pipe.
		for l := range lines {
			if g, err := strconv.Atoi(strings.TrimPrefix(l, "committed ")); err == nil {
				reported = g
			}
		}
		cmd.Wait()

		ix, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		last := reported
		switch n := count(t, ix, fmt.Sprintf("=поколение%d", reported+1)); n {
		case 0:
		case 200:
			last = reported + 1 // committed, killed before it said so
		default:
			t.Fatalf("round %d: generation %d half there: %d documents", round, reported+1, n)
		}
		for g := 0; g <= last; g++ {
			want := 200
			if g+2 <= last {
				want = 100
			}
			if n := count(t, ix, fmt.Sprintf("=поколение%d", g)); n != want {
				t.Errorf("round %d: generation %d has %d documents, want %d", round, g, n, want)
			}
		}
		ix.Close()
		next = last + 1
	}
}

func TestClosed(t *testing.T) {
	ix, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ix.Add(Doc{ID: "a", Pages: []string{"архив"}})
	ix.Commit()
	ix.Close()
	n, _ := query.Parse("архив")
	if _, err := ix.Search(context.Background(), Request{Query: n}); err != ErrClosed {
		t.Errorf("search after close: %v", err)
	}
	if err := ix.Add(Doc{ID: "b"}); err != ErrClosed {
		t.Errorf("add after close: %v", err)
	}
	if err := ix.Commit(); err != ErrClosed {
		t.Errorf("commit after close: %v", err)
	}
}

func TestIDFilter(t *testing.T) {
	f := newIDFilter(10000)
	for i := range 10000 {
		f.add(fmt.Sprint("id", i))
	}
	false_ := 0
	for i := range 10000 {
		if !f.mayHave(fmt.Sprint("id", i)) {
			t.Fatalf("id%d missing", i)
		}
		if f.mayHave(fmt.Sprint("other", i)) {
			false_++
		}
	}
	if false_ > 300 {
		t.Errorf("%d false positives in 10000", false_)
	}
}

// TestOneProcess checks a folder cannot be opened twice at once: the second
// opener would take the first's uncommitted segments for leftovers.
func TestOneProcess(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix.FlushDocs = 1
	ix.Add(Doc{ID: "a", Pages: []string{"архив"}}) // a pending segment
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("second open: %v", err)
	}
	if err := ix.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, ix, "архив"); n != 1 {
		t.Errorf("%d documents", n)
	}
	ix.Close()
	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	ix.Close()
}

// TestCompressAhead adds batches after the index has a dictionary (and
// after reopening it), so their stored text is compressed by AddBatch's
// workers, and checks every document's text comes back whole.
func TestCompressAhead(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	text := func(i int) string {
		return fmt.Sprintf("документ номер %d метка%d, и ещё немного текста про архив комитета", i, i)
	}
	batch := func(from int) {
		var docs []Doc
		for i := from; i < from+100; i++ {
			docs = append(docs, Doc{ID: fmt.Sprint(i), Pages: []string{text(i)}})
		}
		if err := ix.AddBatch(docs); err != nil {
			t.Fatal(err)
		}
		if err := ix.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	batch(0)
	if ix.dict == nil {
		t.Fatal("no dictionary after 100 documents")
	}
	batch(100)
	ix.Close()
	if ix, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.dict == nil {
		t.Fatal("no dictionary after reopening")
	}
	batch(200)
	for _, i := range []int{0, 99, 100, 150, 199, 200, 299} {
		res := mustSearch(t, ix, fmt.Sprintf("=метка%d", i), Request{Highlights: true})
		if len(res.Hits) != 1 || !strings.Contains(string(res.Hits[0].Snippets[0].HTML), fmt.Sprintf("<mark>метка%d</mark>", i)) {
			t.Fatalf("document %d: %+v", i, res.Hits)
		}
	}
}

// TestAddBatchConcurrent feeds AddBatch from two goroutines, as a bulk
// import does, while flushing segments and searching.
func TestAddBatchConcurrent(t *testing.T) {
	ix, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ix.FlushDocs = 150
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range 5 {
				var docs []Doc
				for i := range 100 {
					docs = append(docs, Doc{ID: fmt.Sprintf("%d-%d-%d", g, b, i), Pages: []string{fmt.Sprintf("пакет%d строка архив", g)}})
				}
				if err := ix.AddBatch(docs); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := ix.Commit(); err != nil {
		t.Fatal(err)
	}
	if a, b, all := count(t, ix, "=пакет0"), count(t, ix, "=пакет1"), count(t, ix, "архив"); a != 500 || b != 500 || all != 1000 {
		t.Errorf("%d + %d documents, %d in all", a, b, all)
	}
}

// TestAddBatchSameFiles indexes the same documents with Add, one by one,
// and with AddBatch, analysed in parallel batches: the committed folders
// must be identical, byte for byte, segments and deletion files included
// (replaced IDs, within one batch and across batches, and a document with
// several pages and no language).
func TestAddBatchSameFiles(t *testing.T) {
	var docs []Doc
	words := []string{"архив", "архивы", "письмо", "писем", "Горбачёв", "комитет", "report", "reports", "the", "1987"}
	for i := range 1500 {
		var b strings.Builder
		for k := range 40 + i%90 {
			b.WriteString(words[(i*7+k*k)%len(words)])
			fmt.Fprintf(&b, " редкое%d ", (i*k)%997)
		}
		d := Doc{ID: fmt.Sprint("doc", i%1400), Collection: fmt.Sprint("c", i%3), Lang: "ru", Type: "letter",
			Date: time.Date(1950+i%40, 1, 1, 0, 0, 0, 0, time.UTC), Pages: []string{b.String()}}
		if i%11 == 0 {
			d.Lang, d.Tags = "", []string{"secret"}
			d.Pages = append(d.Pages, "second page, English")
		}
		docs = append(docs, d)
	}
	build := func(add func(*Index) error) map[string][]byte {
		dir := t.TempDir()
		ix, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		ix.MergeAt = 0
		if err := add(ix); err != nil {
			t.Fatal(err)
		}
		if err := ix.Commit(); err != nil {
			t.Fatal(err)
		}
		ix.Close()
		files := map[string][]byte{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = data
		}
		return files
	}
	want := build(func(ix *Index) error {
		for _, d := range docs {
			if err := ix.Add(d); err != nil {
				return err
			}
		}
		return nil
	})
	got := build(func(ix *Index) error {
		for i := 0; i < len(docs); i += 1000 {
			if err := ix.AddBatch(docs[i:min(len(docs), i+1000)]); err != nil {
				return err
			}
		}
		return nil
	})
	if len(want) < 4 { // lock, manifest, a segment, its deletions
		t.Fatalf("files %v", len(want))
	}
	for name, data := range want {
		if g, ok := got[name]; !ok || string(g) != string(data) {
			t.Errorf("%s differs (%d bytes, want %d)", name, len(g), len(data))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d files, want %d", len(got), len(want))
	}
}

// TestFailedWrite makes the background write of a pending segment fail:
// the next flushing Add and Commit must report it, Commit must commit
// nothing, the index must go on, and a later commit must hold what was
// written and what was added again.
func TestFailedWrite(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix.FlushDocs = 2
	add := func(ids ...string) {
		for _, id := range ids {
			if err := ix.Add(Doc{ID: id, Pages: []string{"архив " + id}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("a", "b") // written as a pending segment
	// The next segment's name is taken by a folder: its rename fails.
	block := filepath.Join(dir, fmt.Sprintf("seg-%06d", ix.man.NextFile+1))
	if err := os.MkdirAll(filepath.Join(block, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	add("c", "d") // its segment's write fails in the background
	ix.Add(Doc{ID: "e", Pages: []string{"архив e"}})
	if err := ix.Add(Doc{ID: "f", Pages: []string{"архив f"}}); err == nil {
		t.Fatal("the add that flushed after a failed write did not report it")
	}
	if err := ix.Commit(); err == nil {
		t.Fatal("commit after a failed write succeeded")
	}
	if n := count(t, ix, "архив"); n != 0 {
		t.Fatalf("%d documents visible after a failed commit", n)
	}
	os.RemoveAll(block)
	add("c", "d")
	if err := ix.Commit(); err != nil {
		t.Fatal(err)
	}
	// a, b and e, f were written; c, d again.
	if n := count(t, ix, "архив"); n != 6 {
		t.Errorf("%d documents, want 6", n)
	}
	ix.Close()
	if ix, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n := count(t, ix, "архив"); n != 6 {
		t.Errorf("%d documents after reopening, want 6", n)
	}
}
