package analysis

import (
	"bytes"
	"hash/maphash"
	"unicode/utf8"
)

// Cache tokenizes many texts for one goroutine, remembering every word it
// has folded and stemmed: prose repeats its words (Zipf), so most words of
// a text are found in the cache instead of being stemmed again, and a word
// seen before costs no allocation. A Cache is not safe for concurrent use.
//
// It remembers at most a limit of words; past that it forgets them all and
// starts again (Generation tells), which bounds its memory.
type Cache struct {
	// table is an open-addressing hash table of the words: each slot is
	// 0 (empty) or a 16-bit tag of the word's hash and its form+1. Words
	// are kept in keys in the order they were first seen, so the common
	// words, seen first, share a few cache lines: a lookup is usually one
	// miss (the slot), not the several of a map of strings.
	table []uint32
	keys  []byte   // the words' bytes, ExactPrefix+folded, one after the other
	ends  []uint32 // end of each form's word in keys
	list  []cachedForm
	seed  maphash.Seed
	buf   []byte
	st    stemmer
	limit int
	gen   uint32
}

type cachedForm struct {
	exact string // ExactPrefix + the folded word
	stem  string
}

// DefaultCacheWords is the number of words a cache from NewCache(0) holds:
// about 5 MiB, and more than the distinct common words of a language.
const DefaultCacheWords = 1<<16 - 1

// NewCache returns an empty cache of at most limit words (at most
// DefaultCacheWords, the default when limit is 0).
func NewCache(limit int) *Cache {
	if limit <= 0 || limit > DefaultCacheWords {
		limit = DefaultCacheWords
	}
	size := 16
	for size < 2*limit {
		size *= 2
	}
	return &Cache{table: make([]uint32, size), seed: maphash.MakeSeed(), limit: limit}
}

// Generation changes whenever the cache forgets its words, and with it the
// meaning of a form number.
func (c *Cache) Generation() uint32 { return c.gen }

// Exact is the index term of a form's exact word: ExactPrefix+Token.Word,
// without building the string again.
func (c *Cache) Exact(form int32) string { return c.list[form].exact }

// Tokenize is the package's Tokenize through the cache. fn also gets the
// word's form number: equal numbers are equal words until the cache's
// Generation changes, so a caller may keep its own data per form.
// Token.Word and Token.Stem are shared strings that may outlive the cache.
func (c *Cache) Tokenize(text string, first int, fn func(t Token, form int32)) int {
	pos := first
	for i := 0; ; {
		start := i
		// Most words of the archive's texts are plain ASCII or Russian
		// letters, ended by ASCII punctuation or a space: those are
		// found and folded in one pass over their bytes. A word with
		// anything else (an apostrophe, a stress mark, another script)
		// is read again from its start by the general scanner.
		for start < len(text) && text[start] < utf8.RuneSelf && !asciiWord[text[start]] {
			start++
		}
		buf, end, ok := foldSimple(append(c.buf[:0], ExactPrefix...), text, start)
		if !ok {
			if start, end, ok = nextWord(text, start); !ok {
				return pos
			}
			buf = AppendFold(append(buf[:0], ExactPrefix...), text[start:end])
		}
		c.buf, i = buf, end
		if len(c.buf) == len(ExactPrefix) {
			continue
		}
		f := c.form()
		e := &c.list[f]
		fn(Token{Pos: pos, Start: start, End: end, Word: e.exact[len(ExactPrefix):], Stem: e.stem}, f)
		pos++
	}
}

// form finds the word in buf, adding it if new.
func (c *Cache) form() int32 {
	h := maphash.Bytes(c.seed, c.buf)
	tag := uint32(h>>48) << 16
	mask := uint32(len(c.table) - 1)
	for i := uint32(h) & mask; ; i = (i + 1) & mask {
		s := c.table[i]
		if s == 0 {
			if len(c.list) >= c.limit {
				c.forget()
				return c.form()
			}
			f := int32(len(c.list))
			c.table[i] = tag | uint32(f+1)
			c.add()
			return f
		}
		if s&0xffff0000 == tag {
			f := int32(s&0xffff) - 1
			start := uint32(0)
			if f > 0 {
				start = c.ends[f-1]
			}
			if bytes.Equal(c.keys[start:c.ends[f]], c.buf) {
				return f
			}
		}
	}
}

// forget empties the cache.
func (c *Cache) forget() {
	clear(c.table)
	clear(c.list) // drop the strings for the collector
	c.list, c.keys, c.ends = c.list[:0], c.keys[:0], c.ends[:0]
	c.gen++
}

// add remembers the word in buf as the next form.
func (c *Cache) add() {
	exact := string(c.buf)
	c.keys = append(c.keys, c.buf...)
	c.ends = append(c.ends, uint32(len(c.keys)))
	c.list = append(c.list, cachedForm{exact: exact, stem: c.st.stem(exact[len(ExactPrefix):])})
}

// foldSimple folds the word at text[start:] onto dst, as nextWord and
// AppendFold would, when it is made of ASCII letters and digits and the
// Russian alphabet only, and ends at the text's end or at a character
// that is neither a word's nor an apostrophe. Otherwise (and at the
// text's end, or at a character that starts no such word) ok is false,
// and dst is to be thrown away.
func foldSimple(dst []byte, text string, start int) (_ []byte, end int, ok bool) {
	n := 0 // folded bytes of the word
	i := start
scan:
	for i < len(text) {
		b := text[i]
		if b < utf8.RuneSelf {
			if !asciiWord[b] {
				break
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			if n < MaxWordBytes {
				dst = append(dst, b)
				n++
			}
			i++
			continue
		}
		if i+1 >= len(text) {
			return dst, 0, false
		}
		b1, b2 := b, text[i+1]
		switch {
		case b1 == 0xd0 && 0x90 <= b2 && b2 <= 0x9f: // А–П
			b2 += 0x20
		case b1 == 0xd0 && 0xa0 <= b2 && b2 <= 0xaf: // Р–Я
			b1, b2 = 0xd1, b2-0x20
		case b1 == 0xd0 && 0xb0 <= b2 && b2 <= 0xbf, b1 == 0xd1 && 0x80 <= b2 && b2 <= 0x8f: // а–я
		case b1 == 0xd0 && b2 == 0x81, b1 == 0xd1 && b2 == 0x91: // Ё, ё
			b1, b2 = 0xd0, 0xb5
		default:
			// Another letter or mark is the general scanner's; any
			// other character ends the word.
			if r, _ := utf8.DecodeRuneInString(text[i:]); isWordRune(r) || isApostrophe(r) {
				return dst, 0, false
			}
			break scan
		}
		if n+2 <= MaxWordBytes {
			dst = append(dst, b1, b2)
			n += 2
		} else {
			n = MaxWordBytes // AppendFold keeps no later letter either
		}
		i += 2
	}
	if i == start || i < len(text) && text[i] == '\'' {
		return dst, 0, false
	}
	return dst, i, true
}
