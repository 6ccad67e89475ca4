package story

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"confide/internal/bundle"
	"confide/internal/store"
)

// Cite is a shortcode in a story's body: a paragraph of its own that cites
// a document published on the site,
//
//	{{< document SLUG >}}   the document: its title, collection and a link
//	{{< excerpt SLUG >}}    the excerpt its bundle carries: a block quote,
//	                        its translation below, a link to the document
//
// written at the start of a line outside code blocks.
type Cite struct {
	Kind string // "document" or "excerpt"
	Slug string
	Line int // in the body, from 1
}

// Shortcode kinds.
const (
	CiteDocument = "document"
	CiteExcerpt  = "excerpt"
)

var citeRe = regexp.MustCompile(`^\{\{<\s*(document|excerpt)\s+(\S+)\s*>\}\}\s*$`)

// scanCites walks the body's lines outside fenced code and calls fn with
// each line that starts a shortcode ("{{<"), parsed or not.
func scanCites(body string, fn func(i int, line string, c Cite, ok bool)) {
	fence := ""
	for i, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) <= 3 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
			mark := trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, trimmed[:1]))]
			switch {
			case fence == "":
				fence = mark
			case strings.HasPrefix(mark, fence) && strings.TrimSpace(trimmed[len(mark):]) == "":
				fence = ""
			}
			continue
		}
		if fence != "" || !strings.HasPrefix(line, "{{<") {
			continue
		}
		m := citeRe.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil || !bundle.ValidSlug(m[2]) {
			fn(i, line, Cite{Line: i + 1}, false)
			continue
		}
		fn(i, line, Cite{Kind: m[1], Slug: m[2], Line: i + 1}, true)
	}
}

// Cites lists the body's shortcodes in order; a line that starts like one
// but is not is an ErrFormat naming it.
func Cites(body string) ([]Cite, error) { return citesAt(body, 0, "line %d of the body") }

// citesAt is Cites, naming a line as where says (a format with the line
// number counted from offset).
func citesAt(body string, offset int, where string) ([]Cite, error) {
	var out []Cite
	var err error
	scanCites(body, func(_ int, line string, c Cite, ok bool) {
		if !ok && err == nil {
			err = formatErr(where+": %q is not a shortcode; write {{< document SLUG >}} or {{< excerpt SLUG >}} on a line of its own", c.Line+offset, line)
		}
		out = append(out, c)
	})
	return out, err
}

// citeSlugs is the documents a body cites, each once, in order.
func citeSlugs(cs []Cite) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		if !seen[c.Slug] {
			seen[c.Slug] = true
			out = append(out, c.Slug)
		}
	}
	return out
}

// CitedManifest decodes a published document's manifest.
func CitedManifest(d store.Document) (bundle.Manifest, error) {
	var m bundle.Manifest
	if err := json.Unmarshal(d.Manifest, &m); err != nil {
		return m, fmt.Errorf("story: document %s: %w", d.Slug, err)
	}
	return m, nil
}

// CheckCites refuses a story citing a document the site has not published,
// or an excerpt of one whose bundle has none: an ErrFormat naming the line,
// counted in the file when offset is the number of lines above the body.
func CheckCites(ctx context.Context, s store.Site, body string, offset int) error {
	cs, err := Cites(body)
	if err != nil {
		return err
	}
	for _, c := range cs {
		d, err := s.DocumentBySlug(ctx, c.Slug)
		if errors.Is(err, store.ErrNotFound) {
			return formatErr("line %d: no document %q is published (confide document publish puts one on the site)", c.Line+offset, c.Slug)
		}
		if err != nil {
			return err
		}
		m, err := CitedManifest(d)
		if err != nil {
			return err
		}
		if c.Kind == CiteExcerpt && m.Excerpt == nil {
			return formatErr("line %d: document %q was published without an excerpt; cite it with {{< document %s >}} or export an excerpt", c.Line+offset, c.Slug, c.Slug)
		}
	}
	return nil
}

// RenderArticleCiting renders md as RenderArticle does, each shortcode's
// paragraph replaced by what cite returns for it (already safe HTML; cite
// is called once per shortcode, in order). The shortcode line becomes a
// paragraph of its own holding a random token, and the token's paragraph
// in the sanitised output is then swapped for the citation, so Markdown
// around it is parsed as a whole and the citation never passes through
// the sanitiser, which would strip its markup.
func RenderArticleCiting(md string, cite func(Cite) template.HTML) template.HTML {
	var token [12]byte
	rand.Read(token[:])
	prefix := "CONFIDECITE" + hex.EncodeToString(token[:]) + "X"
	lines := strings.Split(md, "\n")
	var cs []Cite
	scanCites(md, func(i int, _ string, c Cite, ok bool) {
		if ok {
			lines[i] = "\n" + prefix + fmt.Sprint(len(cs)) + "\n"
			cs = append(cs, c)
		}
	})
	if len(cs) == 0 {
		return RenderArticle(md)
	}
	out := string(RenderArticle(strings.Join(lines, "\n")))
	for i, c := range cs {
		tok := prefix + fmt.Sprint(i)
		html := string(cite(c))
		if strings.Contains(out, "<p>"+tok+"</p>") {
			out = strings.Replace(out, "<p>"+tok+"</p>", html, 1)
		} else {
			out = strings.Replace(out, tok, "", 1)
		}
	}
	return template.HTML(out)
}
