package webtest

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"

	"confide/internal/web"
)

// Catalogued fails t for every text of a zone's templates (the files
// matching glob in fsys) that would not be in the page's language: words
// written into the page or into a visible attribute (alt, title,
// placeholder, aria-label) instead of coming from the catalogue, a string
// with words that an action prints, and a key given to t, n or tc that a
// language lacks (English and Russian: every plural form Russian uses).
// Only words of two Latin letters or more count, so numbers, punctuation
// and the names in allow (a tool's, a format's) may stay. What a reader
// types or reads as it is (pre, code, kbd, samp: a command, a path) is not
// text to translate.
func Catalogued(t testing.TB, fsys fs.FS, glob string, allow ...string) {
	t.Helper()
	cat, err := web.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(fsys, glob)
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates %s (%v)", glob, err)
	}
	funcs := map[string]any{}
	for name, f := range cat.Funcs() {
		funcs[name] = f
	}
	c := checker{t: t, cat: cat, allow: map[string]bool{}}
	for _, a := range allow {
		c.allow[a] = true
	}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		trees, err := parse.Parse(name, string(b), "{{", "}}", funcs, builtins)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trees {
			if tr.Root == nil {
				continue
			}
			var html strings.Builder
			c.file = name
			c.walk(tr.Root, &html)
			c.text(html.String())
		}
	}
}

// builtins are text/template's own functions, which parse needs named.
var builtins = map[string]any{"and": 0, "or": 0, "not": 0, "len": 0, "index": 0, "slice": 0, "print": 0, "printf": 0, "println": 0,
	"eq": 0, "ne": 0, "lt": 0, "le": 0, "gt": 0, "ge": 0, "html": 0, "js": 0, "urlquery": 0, "call": 0}

type checker struct {
	t     testing.TB
	cat   *web.Catalog
	file  string
	allow map[string]bool
}

var (
	latinWord = regexp.MustCompile(`[A-Za-z]{2,}`)
	// visibleAttr is an attribute a reader sees or hears.
	visibleAttr = regexp.MustCompile(`\s(?:alt|title|placeholder|aria-label)="([^"]*)"`)
	tag         = regexp.MustCompile(`<[^>]*>`)
	literal     = regexp.MustCompile(`(?s)<pre\b[^>]*>.*?</pre>|<code\b[^>]*>.*?</code>|<kbd\b[^>]*>.*?</kbd>|<samp\b[^>]*>.*?</samp>`)
	entity      = regexp.MustCompile(`&[a-z]+;|&#[0-9]+;`)
	verb        = regexp.MustCompile(`%[-+# 0-9.]*[a-z]`)
	// keyFormat is a printf that builds a catalogue key from a value
	// ("archive.role.%s"), for t to look up.
	keyFormat = regexp.MustCompile(`^[a-z]+(\.[a-z]+)*\.%s$`)
)

// walk writes the tree's literal HTML to html, an action as a space, and
// checks the actions' strings.
func (c *checker) walk(n parse.Node, html *strings.Builder) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, m := range n.Nodes {
			c.walk(m, html)
		}
	case *parse.TextNode:
		html.Write(n.Text)
	case *parse.ActionNode:
		html.WriteString(" ")
		c.pipe(n.Pipe)
	case *parse.IfNode:
		c.branch(&n.BranchNode, html)
	case *parse.RangeNode:
		c.branch(&n.BranchNode, html)
	case *parse.WithNode:
		c.branch(&n.BranchNode, html)
	case *parse.TemplateNode:
		html.WriteString(" ")
		c.pipe(n.Pipe)
	}
}

func (c *checker) branch(b *parse.BranchNode, html *strings.Builder) {
	c.pipe(b.Pipe)
	c.walk(b.List, html)
	c.walk(b.ElseList, html)
}

// pipe checks a pipeline's commands: the keys given to t, n and tc exist,
// and no other string with words is printed. Strings compared (eq, ne) and
// printf formats without words are values, not text.
func (c *checker) pipe(p *parse.PipeNode) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		fn := ""
		if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
			fn = id.Ident
		}
		for i, a := range cmd.Args {
			switch a := a.(type) {
			case *parse.PipeNode:
				c.pipe(a)
				continue
			case *parse.StringNode:
				switch {
				case (fn == "t" || fn == "tc" || fn == "n") && i == 2:
					c.key(fn, a.Text)
				case fn == "eq" || fn == "ne":
				case fn == "dict" && i%2 == 1: // a key of the map, not text
				case fn == "printf" && i == 1 && (keyFormat.MatchString(a.Text) || !latinWord.MatchString(verb.ReplaceAllString(a.Text, ""))):
				default:
					c.words("a string printed by an action", a.Text)
				}
			}
		}
	}
}

// key checks that every language has key (for n, every plural form).
func (c *checker) key(fn, key string) {
	forms := map[string][]string{"en": {""}, "ru": {""}}
	if fn == "n" {
		forms = map[string][]string{"en": {".one", ".other"}, "ru": {".one", ".few", ".many"}}
	}
	for lang, sfx := range forms {
		for _, s := range sfx {
			if !c.cat.HasKey(lang, key+s) {
				c.t.Errorf("%s: the key %q has no %s text", c.file, key+s, lang)
			}
		}
	}
}

// text checks a tree's HTML: its visible attributes and its text.
func (c *checker) text(html string) {
	for _, m := range visibleAttr.FindAllStringSubmatch(html, -1) {
		c.words("an attribute", m[1])
	}
	html = literal.ReplaceAllString(html, " ")
	c.words("the page's text", entity.ReplaceAllString(tag.ReplaceAllString(html, " "), " "))
}

func (c *checker) words(where, s string) {
	var bad []string
	for _, w := range latinWord.FindAllString(s, -1) {
		if !c.allow[w] {
			bad = append(bad, w)
		}
	}
	if len(bad) > 0 {
		c.t.Errorf("%s: English in %s, not from the catalogue: %s (in %q)", c.file, where, strings.Join(bad, " "), shorten(strings.Join(strings.Fields(s), " ")))
	}
}

func shorten(s string) string {
	if len(s) > 160 {
		return fmt.Sprintf("%.160s…", s)
	}
	return s
}
