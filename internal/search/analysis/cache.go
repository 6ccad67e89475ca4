package analysis

// Cache tokenizes many texts for one goroutine, remembering every word it
// has folded and stemmed: prose repeats its words (Zipf), so most words of
// a text are found in the cache instead of being stemmed again, and a word
// seen before costs no allocation. A Cache is not safe for concurrent use.
//
// It remembers at most Limit words; past that it forgets them all and
// starts again (Generation tells), which bounds its memory.
type Cache struct {
	forms map[string]int32 // ExactPrefix+folded word → index in list
	list  []cachedForm
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
// about 6 MiB, and more than the distinct common words of a language.
const DefaultCacheWords = 1 << 16

// NewCache returns an empty cache of at most limit words, or
// DefaultCacheWords if limit is 0.
func NewCache(limit int) *Cache {
	if limit <= 0 {
		limit = DefaultCacheWords
	}
	return &Cache{forms: make(map[string]int32, min(limit, 1<<12)), limit: limit}
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
// Token.Word and Token.Stem are shared strings; they must not be modified
// (strings cannot be) and may outlive the cache.
func (c *Cache) Tokenize(text string, first int, fn func(t Token, form int32)) int {
	pos := first
	for i := 0; ; {
		start, end, ok := nextWord(text, i)
		if !ok {
			return pos
		}
		i = end
		c.buf = AppendFold(append(c.buf[:0], ExactPrefix...), text[start:end])
		if len(c.buf) == len(ExactPrefix) {
			continue
		}
		f, ok := c.forms[string(c.buf)]
		if !ok {
			f = c.add()
		}
		e := &c.list[f]
		fn(Token{Pos: pos, Start: start, End: end, Word: e.exact[len(ExactPrefix):], Stem: e.stem}, f)
		pos++
	}
}

// add remembers the word in buf and returns its form.
func (c *Cache) add() int32 {
	if len(c.list) >= c.limit {
		clear(c.forms)
		clear(c.list) // drop the strings for the collector
		c.list = c.list[:0]
		c.gen++
	}
	exact := string(c.buf)
	f := int32(len(c.list))
	c.list = append(c.list, cachedForm{exact: exact, stem: c.st.stem(exact[len(ExactPrefix):])})
	c.forms[exact] = f
	return f
}
