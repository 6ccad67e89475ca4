package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"

	"confide/internal/bundle"
	"confide/internal/store"
	"confide/internal/story"
	"confide/internal/web"
)

// citeView is what a citation in a story shows.
type citeView struct {
	Lang    string // the page's language, for its labels
	Kind    string
	Slug    string
	Missing bool // the document is not (or no longer) published
	M       bundle.Manifest
	Tr      *bundle.Translation // the excerpt's page's translation, for its label
}

// Citations renders the shortcodes of a story's body as the public story
// page shows them; the newsroom's preview uses the same, so a journalist
// sees what readers will, the "not published" note included.
type Citations struct{ t *template.Template }

// NewCitations parses the citation templates with the catalog's functions.
func NewCitations(cat *web.Catalog) (*Citations, error) {
	t, err := template.New("cite").Funcs(cat.Funcs()).ParseFS(templates, "templates/cite.tmpl", "templates/_provenance.html")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	return &Citations{t}, nil
}

// Render renders body with its citations in lang, looking each cited
// document up once in st.
func (cs *Citations) Render(ctx context.Context, st store.Site, body, lang string) (template.HTML, error) {
	docs := map[string]*citeView{}
	var failed error
	html := story.RenderArticleCiting(body, func(c story.Cite) template.HTML {
		v, ok := docs[c.Slug]
		if !ok {
			v = &citeView{Lang: lang, Slug: c.Slug}
			d, err := st.DocumentBySlug(ctx, c.Slug)
			switch {
			case errors.Is(err, store.ErrNotFound):
				v.Missing = true
			case err != nil:
				failed = err
			default:
				if v.M, err = story.CitedManifest(d); err != nil {
					failed = err
				}
			}
			docs[c.Slug] = v
		}
		view := *v
		view.Kind = c.Kind
		if c.Kind == story.CiteExcerpt && !v.Missing && v.M.Excerpt == nil {
			view.Kind = story.CiteDocument // published again without its excerpt: cite the document
		}
		if view.Kind == story.CiteExcerpt && !v.Missing {
			if p, ok := v.M.Page(v.M.Excerpt.Page); ok {
				view.Tr = p.Translation
			}
		}
		var buf bytes.Buffer
		if err := cs.t.ExecuteTemplate(&buf, "citation", view); err != nil {
			failed = err
		}
		return template.HTML(buf.String())
	})
	return html, failed
}
