package segment

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"confide/internal/search/analysis"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.seg")

func build(t testing.TB, docs []Document) []byte {
	t.Helper()
	b := NewBuilder()
	for _, d := range docs {
		if err := b.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var goldenDocs = []Document{
	{ID: "a1", Collection: "kgb", Lang: "ru", Type: "letter", Day: 6000, Tags: []string{"secret"},
		Pages: []string{"Архивы КГБ: письмо Горбачёву.", "Второй лист архива."}},
	{ID: "b2", Collection: "kgb", Lang: "en", Type: "report", Day: NoDay,
		Pages: []string{"The archives of the KGB; a letter to Gorbachev, archived."}},
	{ID: "c3", Collection: "party", Lang: "ru", Type: "letter", Day: -400,
		Pages: []string{"архив архив архив"}},
}

// TestGolden pins the byte format: a change to it must be deliberate
// (go test -update) and is then visible in review.
func TestGolden(t *testing.T) {
	got := build(t, goldenDocs)
	path := filepath.Join("testdata", "golden.seg")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("segment bytes changed (%d bytes, golden %d); run go test -update if intended", len(got), len(want))
	}
	r, err := Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	ti, ok, err := r.Lookup("архив")
	if err != nil || !ok {
		t.Fatalf("архив: %v %v", ok, err)
	}
	p, _ := r.Postings(ti)
	var docs, freqs []uint32
	var pos [][]uint32
	for d := p.Doc(); d != NoMore; d = p.Next() {
		docs, freqs = append(docs, d), append(freqs, p.Freq())
		pos = append(pos, p.Positions(nil))
	}
	// "архивы" (pos 0) and "архива" (pos 6) stem to архив; bare "архив"
	// stems to арх, so document 2 is not here, and English "archives" is
	// "archiv".
	if !reflect.DeepEqual(docs, []uint32{0}) || !reflect.DeepEqual(pos, [][]uint32{{0, 6}}) || freqs[0] != 2 {
		t.Errorf("архив: docs %v freqs %v positions %v", docs, freqs, pos)
	}
	s, err := r.Stored(2)
	if err != nil || s.ID != "c3" || s.Pages[0] != "архив архив архив" {
		t.Errorf("stored %+v %v", s, err)
	}
	if c := r.Columns(0); c.Collection != "kgb" || c.Lang != "ru" || c.Type != "letter" || c.Day != 6000 || c.Len != 7 {
		t.Errorf("columns %+v", c)
	}
}

// model is what a segment should say about one term.
type model struct {
	docs []uint32
	pos  [][]uint32
}

var words = []string{"архив", "архивы", "письмо", "писем", "горбачёв", "комитет", "report", "reports",
	"archive", "letter", "the", "of", "секретно", "москва", "1987", "don't"}

func randomDocs(rng *rand.Rand, n int) []Document {
	docs := make([]Document, n)
	for i := range docs {
		var pages []string
		for range 1 + rng.IntN(3) {
			var b bytes.Buffer
			for range rng.IntN(300) {
				w := words[rng.IntN(len(words))]
				if rng.IntN(50) == 0 {
					w = fmt.Sprintf("rare%d", rng.IntN(1000))
				}
				b.WriteString(w)
				b.WriteString(" ,"[rng.IntN(2):][:1])
			}
			pages = append(pages, b.String())
		}
		docs[i] = Document{ID: fmt.Sprint("doc", i), Collection: fmt.Sprint("c", rng.IntN(3)),
			Lang: "ru", Type: "t", Day: int32(rng.IntN(20000)), Pages: pages}
	}
	return docs
}

// TestRoundTrip compares every term's postings, frequencies and positions
// with a model built straight from the analyser, over many blocks.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	docs := randomDocs(rng, 1000)
	want := map[string]*model{}
	for i, d := range docs {
		pos := 0
		for _, page := range d.Pages {
			pos = analysis.Tokenize(page, pos, func(tok analysis.Token) {
				for _, term := range []string{tok.Stem, analysis.ExactPrefix + tok.Word} {
					m := want[term]
					if m == nil {
						m = &model{}
						want[term] = m
					}
					if len(m.docs) == 0 || m.docs[len(m.docs)-1] != uint32(i) {
						m.docs = append(m.docs, uint32(i))
						m.pos = append(m.pos, nil)
					}
					m.pos[len(m.pos)-1] = append(m.pos[len(m.pos)-1], uint32(tok.Pos))
				}
			})
		}
	}
	data := build(t, docs)
	r, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if r.NumDocs() != 1000 {
		t.Fatalf("%d docs", r.NumDocs())
	}
	for term, m := range want {
		ti, ok, err := r.Lookup(term)
		if err != nil || !ok || int(ti.DF) != len(m.docs) {
			t.Fatalf("%q: %v %v %+v", term, ok, err, ti)
		}
		p, err := r.Postings(ti)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for d := p.Doc(); d != NoMore; d = p.Next() {
			if d != m.docs[k] || int(p.Freq()) != len(m.pos[k]) {
				t.Fatalf("%q: doc %d freq %d, want %d %d", term, d, p.Freq(), m.docs[k], len(m.pos[k]))
			}
			if ti.Positions {
				if got := p.Positions(nil); !slices.Equal(got, m.pos[k]) {
					t.Fatalf("%q doc %d: positions %v, want %v", term, d, got, m.pos[k])
				}
			}
			k++
		}
		if k != len(m.docs) || p.Err() != nil {
			t.Fatalf("%q: %d docs, want %d (%v)", term, k, len(m.docs), p.Err())
		}
		// Advance to random targets lands on the first doc ≥ target,
		// and Block's bounds hold for every document in the block.
		p, _ = r.Postings(ti)
		target := uint32(0)
		for {
			target += uint32(rng.IntN(200))
			last, maxTF, minLen, ok := p.Block(target)
			d := p.Advance(target)
			i, _ := slices.BinarySearch(m.docs, target)
			if i == len(m.docs) {
				if d != NoMore || ok {
					t.Fatalf("%q: Advance(%d) = %d, want end", term, target, d)
				}
				break
			}
			if d != m.docs[i] || !ok || d > last || p.Freq() > maxTF || r.DocLen(d) < minLen {
				t.Fatalf("%q: Advance(%d) = %d (block last %d maxTF %d minLen %d), want %d", term, target, d, last, maxTF, minLen, m.docs[i])
			}
		}
	}
	var prefixed []string
	r.Prefix("rare1", func(term string, ti TermInfo) bool { prefixed = append(prefixed, term); return true })
	var wantPrefixed []string
	for term := range want {
		if strings.HasPrefix(term, "rare1") {
			wantPrefixed = append(wantPrefixed, term)
		}
	}
	slices.Sort(wantPrefixed)
	if !slices.Equal(prefixed, wantPrefixed) || len(prefixed) == 0 {
		t.Errorf("Prefix: %d terms, want %d", len(prefixed), len(wantPrefixed))
	}
	for _, i := range []uint32{0, 15, 16, 999} {
		s, err := r.Stored(i)
		if err != nil || s.ID != docs[i].ID || !slices.Equal(s.Pages, docs[i].Pages) {
			t.Fatalf("stored %d: %v", i, err)
		}
	}
}

// TestCorruptIsError flips bytes and truncates a segment: Parse must report
// ErrCorrupt every time (the checksum), and with the checksum skipped the
// structural checks must still keep every read in range.
func TestCorruptIsError(t *testing.T) {
	data := build(t, goldenDocs)
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x5a
		if _, err := Parse(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
		exercise(t, bad)
	}
	for n := range len(data) {
		if _, err := Parse(data[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
}

// exercise parses without the checksum and reads everything; the property
// checked is that whatever it returns is consistent, not only that it does
// not panic.
func exercise(t testing.TB, data []byte) {
	r, err := parse(data, false)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("parse error %v is not ErrCorrupt", err)
		}
		return
	}
	r.Prefix("", func(term string, ti TermInfo) bool {
		p, err := r.Postings(ti)
		if err != nil {
			return true
		}
		prev, n := int64(-1), 0
		for d := p.Doc(); d != NoMore; d = p.Next() {
			if int64(d) <= prev || d >= r.NumDocs() || p.Freq() == 0 {
				t.Fatalf("%q: doc %d after %d of %d, freq %d", term, d, prev, r.NumDocs(), p.Freq())
			}
			pos := p.Positions(nil)
			if ti.Positions && p.Err() == nil && len(pos) != int(p.Freq()) {
				t.Fatalf("%q: %d positions, freq %d", term, len(pos), p.Freq())
			}
			prev = int64(d)
			n++
		}
		if p.Err() == nil && n != int(ti.DF) {
			t.Fatalf("%q: %d docs, df %d", term, n, ti.DF)
		}
		return true
	})
	for d := range r.NumDocs() {
		r.Stored(d)
		r.Columns(d)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(build(f, goldenDocs))
	f.Add(build(f, randomDocs(rand.New(rand.NewPCG(3, 4)), 40)))
	f.Fuzz(func(t *testing.T, data []byte) {
		exercise(t, data)
	})
}

// TestOpenChecksFile checks Open verifies the checksum of the file itself.
func TestOpenChecksFile(t *testing.T) {
	data := build(t, goldenDocs)
	path := filepath.Join(t.TempDir(), "seg")
	os.WriteFile(path, data, 0o600)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	data[len(data)/2] ^= 1
	os.WriteFile(path, data, 0o600)
	if _, err := Open(path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("flipped bit: %v", err)
	}
}
