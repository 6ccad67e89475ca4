package site

import (
	"bytes"
	"context"
	"errors"
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

// citeTemplates render citations into a story's body.
func citeTemplates(cat *web.Catalog) (*template.Template, error) {
	return template.New("cite").Funcs(cat.Funcs()).ParseFS(templates, "templates/cite.tmpl", "templates/_provenance.html")
}

// renderStory renders a story's body with its citations, looking each
// cited document up once.
func (s *Server) renderStory(ctx context.Context, st store.Story, lang string) (template.HTML, error) {
	docs := map[string]*citeView{}
	var failed error
	html := story.RenderArticleCiting(st.Body, func(c story.Cite) template.HTML {
		v, ok := docs[c.Slug]
		if !ok {
			v = &citeView{Lang: lang, Slug: c.Slug}
			d, err := s.cfg.Store.DocumentBySlug(ctx, c.Slug)
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
		if err := s.cite.ExecuteTemplate(&buf, "citation", view); err != nil {
			failed = err
		}
		return template.HTML(buf.String())
	})
	return html, failed
}
