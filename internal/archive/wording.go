package archive

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"confide/internal/web"
)

// english is a catalogue message in English, for the words the archive
// stores (a job's reason, a translation run's message): the audit and the
// database keep English, whatever language a page is read in, and reword
// reads them back. A counted key (one with plural forms) takes its count
// first, as web.Catalog.N does.
func english(key string, args ...any) string {
	cat, err := catalog()
	if err != nil {
		return key
	}
	if n, ok := countOf(cat, key, args); ok {
		return cat.N(web.DefaultLang, key, n, args[1:]...)
	}
	return cat.T(web.DefaultLang, key, args...)
}

// countOf is a counted key's count, the first of args.
func countOf(cat *web.Catalog, key string, args []any) (int, bool) {
	if !cat.HasKey(web.DefaultLang, key+".other") || len(args) == 0 {
		return 0, false
	}
	n, ok := args[0].(int)
	return n, ok
}

// reword says in lang what english stored: stored is read as sentences
// of keys (each in any of its English plural forms) joined by "; ", each
// said again in lang with the values it held (%d a count, %s a word); from
// the first part that is none of them, the rest is kept as it is (a
// library's detail, or words an older archive wrote).
func reword(cat *web.Catalog, lang string, keys []string, stored string) string {
	var out []string
	rest := stored
parts:
	for rest != "" {
		for _, key := range keys {
			forms := []string{""}
			if cat.HasKey(web.DefaultLang, key+".other") {
				forms = []string{".one", ".other"}
			}
			for _, form := range forms {
				msg := cat.T(web.DefaultLang, key+form)
				m := sentence(msg).FindStringSubmatch(rest)
				if m == nil {
					continue
				}
				vs := verbs.FindAllString(msg, -1)
				args := make([]any, len(m)-1)
				for i, v := range m[1:] {
					args[i] = v
					if vs[i] == "%d" {
						args[i], _ = strconv.Atoi(v)
					}
				}
				if form != "" {
					out = append(out, cat.N(lang, key, args[0].(int), args[1:]...))
				} else {
					out = append(out, cat.T(lang, key, args...))
				}
				rest = rest[len(m[0]):]
				continue parts
			}
		}
		out = append(out, rest)
		break
	}
	return strings.Join(out, "; ")
}

// verbs are the fmt verbs english's messages hold.
var verbs = regexp.MustCompile(`%[sd]`)

// sentences are the patterns of sentence, made once for each message: a
// page of the collection or a job rewords on every view.
var sentences sync.Map // message → *regexp.Regexp

// sentence matches an English message at the start of a text, up to the
// "; " that joins it to the next or the end. A count is a number as the
// archive writes one (no leading zero, at most 18 digits), so what it
// matches is said again exactly.
func sentence(msg string) *regexp.Regexp {
	if re, ok := sentences.Load(msg); ok {
		return re.(*regexp.Regexp)
	}
	pattern := verbs.ReplaceAllStringFunc(regexp.QuoteMeta(msg), func(v string) string {
		if v == "%d" {
			return `(0|[1-9][0-9]{0,17})`
		}
		return `(.+?)`
	})
	re := regexp.MustCompile(`^` + pattern + `(?:; |$)`)
	sentences.Store(msg, re)
	return re
}

// ingestKeys are the catalogue's keys under prefix of the sentences ingest
// writes: its failures' reasons (archive.reason.*) and its documents'
// warnings (archive.warning.*). Their English is the very sentence
// ingest writes; the archive stores it as written, and a page says it in
// its reader's language (ingestWords). The most specific come first,
// since one sentence's words can be another's value: "the file expands
// to %s" is also "%s expands to %s".
func ingestKeys(cat *web.Catalog, prefix string) []string {
	keys := cat.Keys(prefix)
	literal := func(key string) int { return len(verbs.ReplaceAllString(cat.T(web.DefaultLang, key), "")) }
	slices.SortStableFunc(keys, func(a, b string) int { return literal(b) - literal(a) })
	return keys
}

// ingestWords says in lang what ingest wrote, by keys (ingestKeys); words
// of the archive's own, or ones an older version worded otherwise, are
// kept as they are.
func (s *Server) ingestWords(lang string, keys []string, stored string) string {
	if lang == web.DefaultLang || stored == "" {
		return stored
	}
	return reword(s.render.Cat, lang, keys, stored)
}
