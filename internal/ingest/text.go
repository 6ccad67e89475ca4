package ingest

import (
	"bufio"
	"bytes"
	"io"
	"regexp"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	xhtml "golang.org/x/net/html"

	"confide/internal/ingest/charset"
)

// stepText is this package's own reader of plain text, HTML and Markdown.
var (
	stepText     = Step{Tool: "confide ingest/text", Version: "v1"}
	stepHTML     = Step{Tool: "confide ingest/html", Version: "v1"}
	stepMarkdown = Step{Tool: "confide ingest/markdown", Version: "v1"}
)

// decodeStream detects the charset of a stream from its first bytes and
// returns it decoded, recording the guess.
func decodeStream(d *Document, r io.Reader, head []byte) io.Reader {
	cs, conf := charset.Detect(head)
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		cs, conf = charset.UTF8, 1
	}
	d.Fields["charset"] = string(cs)
	if cs != charset.UTF8 && conf < 0.5 {
		d.warn("the character set is a guess (%s); some letters may be wrong", cs)
	}
	return charset.NewReader(r, cs)
}

// sample is what the charset is guessed from: more than the sniffed head,
// so that a long ASCII preamble does not hide the Cyrillic after it.
func sample(src *source) []byte {
	b, _ := src.r.(*bufio.Reader).Peek(64 << 10)
	return b
}

// readCapped reads at most max bytes of text, cut at a rune boundary, and
// says in d's warnings when there was more.
func readCapped(d *Document, r io.Reader, max int64, size int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > max {
		// A rune cut in two at the limit is dropped, not mangled.
		b = bytes.ToValidUTF8(b[:max], nil)
		if size > 0 {
			d.warn("the text is cut at %s (the limit); the file has %s", human(max), human(size))
		} else {
			d.warn("the text is cut at %s (the limit)", human(max))
		}
	}
	return strings.TrimPrefix(string(b), "\ufeff"), nil
}

// text reads plain text; form feeds separate pages.
func (w *walk) text(d *Document, src *source, head []byte) error {
	d.Steps = append(d.Steps, stepText)
	s, err := readCapped(d, decodeStream(d, src.r, sample(src)), w.lim.MaxText, src.size)
	if err != nil {
		return err
	}
	for i, p := range strings.Split(s, "\f") {
		d.Pages = append(d.Pages, Page{Number: i + 1, Text: p})
	}
	return nil
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?([a-z0-9_-]+)`)

// html reads the text of an HTML page: the title as a field, the body's
// text with blocks on their own lines, never scripts or styles.
func (w *walk) html(d *Document, src *source, head []byte) error {
	d.Steps = append(d.Steps, stepHTML)
	var r io.Reader
	if m := metaCharset.FindSubmatch(head); m != nil {
		if enc, ok := charset.Lookup(string(m[1])); ok {
			d.Fields["charset"] = strings.ToLower(string(m[1]))
			r = enc.NewDecoder().Reader(src.r)
		}
	}
	if r == nil {
		r = decodeStream(d, src.r, sample(src))
	}
	title, body, err := htmlText(r, w.lim.MaxText)
	if err != nil {
		return err
	}
	if title != "" {
		d.Fields["title"] = title
	}
	if body.cut {
		d.warn("the text is cut at %s (the limit)", human(w.lim.MaxText))
	}
	d.Pages = []Page{{Number: 1, Text: body.String()}}
	return nil
}

var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "section": true, "article": true,
	"table": true, "ul": true, "ol": true, "hr": true, "header": true, "footer": true, "dd": true, "dt": true,
}

var skipTags = map[string]bool{"script": true, "style": true, "noscript": true, "template": true, "head": true, "svg": true, "iframe": true, "object": true}

func htmlText(r io.Reader, maxText int64) (string, *textOut, error) {
	z := xhtml.NewTokenizer(r)
	z.SetMaxBuf(1 << 20)
	out := &textOut{max: maxText}
	var title strings.Builder
	skip, inTitle := 0, false
	line := false  // something written on the current line
	space := false // whitespace seen since the last word
	for {
		switch tt := z.Next(); tt {
		case xhtml.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return "", nil, err
			}
			return strings.Join(strings.Fields(title.String()), " "), out, nil
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "title" {
				inTitle = true
			} else if skipTags[tag] && tt != xhtml.SelfClosingTagToken {
				skip++
			}
			if blockTags[tag] && line {
				out.add("\n")
				line, space = false, false
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "title" {
				inTitle = false
			} else if skipTags[tag] && skip > 0 {
				skip--
			}
			if blockTags[tag] && line {
				out.add("\n")
				line, space = false, false
			}
		case xhtml.TextToken:
			// Valid already when it came through a decoder; not when a
			// caller hands raw bytes.
			t := strings.ToValidUTF8(string(z.Text()), "\uFFFD")
			if inTitle && title.Len() < 4096 {
				title.WriteString(t)
				continue
			}
			if skip > 0 || out.cut {
				continue
			}
			words := strings.Fields(t)
			if len(words) == 0 {
				space = space || t != ""
				continue
			}
			if line && (space || unicode.IsSpace(rune(t[0]))) {
				out.add(" ")
			}
			out.add(strings.Join(words, " "))
			line = true
			space = unicode.IsSpace(rune(t[len(t)-1]))
		}
	}
}

// markdown reads Markdown as its text, without the markup; the first
// heading is the title.
func (w *walk) markdown(d *Document, src *source, head []byte) error {
	d.Steps = append(d.Steps, stepMarkdown)
	s, err := readCapped(d, decodeStream(d, src.r, sample(src)), w.lim.MaxText, src.size)
	if err != nil {
		return err
	}
	source := []byte(s)
	doc := goldmark.DefaultParser().Parse(text.NewReader(source))
	var out strings.Builder
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Heading:
			if entering && d.Fields["title"] == "" {
				d.Fields["title"] = plain(n, source)
			}
		case *ast.Text:
			if entering {
				out.Write(n.Segment.Value(source))
				if n.SoftLineBreak() || n.HardLineBreak() {
					out.WriteString("\n")
				}
			}
		case *ast.String:
			if entering {
				out.Write(n.Value)
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock:
			if entering {
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					out.Write(seg.Value(source))
				}
			}
		case *ast.AutoLink:
			if entering {
				out.Write(n.URL(source))
			}
		}
		if !entering && n.Type() == ast.TypeBlock && n.Kind() != ast.KindDocument && n.Parent() != nil && n.Parent().Kind() == ast.KindDocument {
			out.WriteString("\n\n")
		} else if !entering && n.Kind() == ast.KindListItem {
			out.WriteString("\n")
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return err
	}
	d.Pages = []Page{{Number: 1, Text: strings.TrimSpace(out.String())}}
	return nil
}

// plain is the text of a Markdown node's inline children.
func plain(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(source))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
