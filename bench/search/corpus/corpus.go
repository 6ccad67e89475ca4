// Package corpus generates the benchmark's archive: 2 KB documents, half
// Russian and half English, made of real sentences from Debian's Russian
// and English documentation (man pages and message catalogues), plus a
// long tail of rare words drawn from a Zipf law. The same seed gives the
// same documents, so every engine indexes exactly the same text.
package corpus

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Doc is one generated document.
type Doc struct {
	ID         string
	Lang       string // "ru" or "en"
	Collection string
	Type       string
	Date       time.Time
	Text       string
}

// Sentences are the real sentences documents are made of.
type Sentences struct{ RU, EN []string }

var (
	roffEscape = regexp.MustCompile(`\\f[BIRP]|\\f\(..|\\\(..|\\[&|e^%]|\\-|\\s[-+]?\d`)
	sentenceRe = regexp.MustCompile(`[^.!?;]+[.!?;]`)
)

func stripRoff(src string) string {
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") || strings.HasPrefix(line, `\"`) {
			b.WriteByte('\n')
			continue
		}
		b.WriteString(roffEscape.ReplaceAllString(line, ""))
		b.WriteByte(' ')
	}
	return b.String()
}

// moStrings reads the msgid and msgstr strings of a GNU .mo catalogue.
func moStrings(data []byte) (ids, strs []string) {
	if len(data) < 28 {
		return nil, nil
	}
	bo := binary.ByteOrder(binary.LittleEndian)
	if bo.Uint32(data) != 0x950412de {
		bo = binary.BigEndian
	}
	n, oi, ot := bo.Uint32(data[8:]), bo.Uint32(data[12:]), bo.Uint32(data[16:])
	get := func(table, i uint32) string {
		at := table + 8*i
		if int(at)+8 > len(data) {
			return ""
		}
		l, o := bo.Uint32(data[at:]), bo.Uint32(data[at+4:])
		if int(o)+int(l) > len(data) {
			return ""
		}
		// Plural forms are separated by NUL.
		return strings.ReplaceAll(string(data[o:o+l]), "\x00", "\n")
	}
	for i := range n {
		ids, strs = append(ids, get(oi, i)), append(strs, get(ot, i))
	}
	return ids, strs
}

func sentences(text string, cyrillic bool) []string {
	var out []string
	for _, s := range sentenceRe.FindAllString(text, -1) {
		s = strings.Join(strings.Fields(s), " ")
		words := strings.Fields(s)
		if len(words) < 4 || len(words) > 40 || !utf8.ValidString(s) || strings.ContainsAny(s, "[]{}=<>%\\/_|@#$*`") {
			continue
		}
		long := 0
		for _, w := range words {
			if utf8.RuneCountInString(w) > 18 {
				long++
			}
		}
		if long > 0 {
			continue
		}
		cyr, lat := 0, 0
		for _, r := range s {
			switch {
			case unicode.Is(unicode.Cyrillic, r):
				cyr++
			case unicode.Is(unicode.Latin, r):
				lat++
			}
		}
		if cyrillic && cyr > 3*lat || !cyrillic && lat > 0 && cyr == 0 {
			out = append(out, s)
		}
	}
	return out
}

// Load reads the sentences from Debian's documentation folders.
func Load() (*Sentences, error) {
	var ru, en strings.Builder
	read := func(pattern string, b *strings.Builder, limit int) {
		files, _ := filepath.Glob(pattern)
		for i, f := range files {
			if i >= limit {
				break
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if strings.HasSuffix(f, ".gz") {
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				if err != nil {
					continue
				}
				raw, _ = io.ReadAll(io.LimitReader(zr, 4<<20))
			}
			b.WriteString(stripRoff(string(raw)))
			b.WriteByte('\n')
		}
	}
	read("/usr/share/man/ru/man*/*.gz", &ru, 1000)
	read("/usr/share/man/man1/*.gz", &en, 1500)
	mos, _ := filepath.Glob("/usr/share/locale/ru/LC_MESSAGES/*.mo")
	for _, f := range mos {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		ids, strs := moStrings(raw)
		for i := range ids {
			en.WriteString(ids[i] + "\n")
			ru.WriteString(strs[i] + "\n")
		}
	}
	s := &Sentences{RU: dedup(sentences(ru.String(), true)), EN: dedup(sentences(en.String(), false))}
	if len(s.RU) < 1000 || len(s.EN) < 1000 {
		return nil, fmt.Errorf("corpus: only %d Russian and %d English sentences (install manpages-ru?)", len(s.RU), len(s.EN))
	}
	return s, nil
}

func dedup(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

var (
	ruSyll = []string{"ба", "ве", "го", "да", "же", "зи", "ко", "ла", "ми", "но", "пе", "ро", "са", "ту", "фе", "ха", "цо", "че", "шу", "ще", "ор", "ан", "ев", "ин"}
	enSyll = []string{"ba", "ke", "lo", "mi", "nu", "pra", "sto", "vel", "quin", "dor", "tes", "ryn", "ax", "el", "om", "ut"}
	types  = []string{"letter", "report", "memo", "protocol", "order", "telegram"}
)

// RareWord is the k-th word of the long tail in a language.
func RareWord(lang string, k uint64) string {
	syll := enSyll
	if lang == "ru" {
		syll = ruSyll
	}
	var b strings.Builder
	for k > 0 || b.Len() == 0 {
		b.WriteString(syll[k%uint64(len(syll))])
		k /= uint64(len(syll))
	}
	return b.String()
}

// Generator yields documents.
type Generator struct {
	s    *Sentences
	rng  *rand.Rand
	rare *rand.Zipf
	coll *rand.Zipf
	n    int
}

// NewGenerator returns a generator of documents from s; seed fixes them.
func NewGenerator(s *Sentences, seed uint64) *Generator {
	rng := rand.New(rand.NewPCG(seed, 42))
	return &Generator{s: s, rng: rng, rare: rand.NewZipf(rng, 1.2, 1, 500_000), coll: rand.NewZipf(rng, 1.3, 1, 49)}
}

// Next returns the next document.
func (g *Generator) Next() Doc {
	i := g.n
	g.n++
	d := Doc{ID: fmt.Sprintf("doc%07d", i), Lang: "en", Collection: fmt.Sprintf("c%02d", g.coll.Uint64()),
		Type: types[g.rng.IntN(len(types))],
		Date: time.Date(1945, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(50*365))}
	pool := g.s.EN
	if i%2 == 0 {
		d.Lang, pool = "ru", g.s.RU
	}
	var b strings.Builder
	b.Grow(2200)
	for b.Len() < 2000 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(pool[g.rng.IntN(len(pool))])
		if g.rng.IntN(3) == 0 {
			b.WriteByte(' ')
			b.WriteString(RareWord(d.Lang, g.rare.Uint64()+1000))
		}
	}
	d.Text = b.String()
	return d
}
