package site

import (
	"fmt"
	"io"
	"net/http"

	"confide/internal/bundle"
	"confide/internal/store"
	"confide/internal/story"
	"confide/internal/translate"
)

// maxShownPages bounds one document page; the PDF holds the rest.
const maxShownPages = 50

// docPage is one page of a document as its page shows it.
type docPage struct {
	N        int
	Image    string // the image's URL, "" if none
	Rows     []translate.Row
	Tr       *bundle.Translation
	Original string // language of the original
}

type documentData struct {
	Doc      store.Document
	M        bundle.Manifest
	Pages    []docPage
	More     int // pages not shown
	PageList string
	PDF      *docFile
	Stories  []store.Story
}

// docFile is a downloadable file of a document.
type docFile struct {
	URL, SHA256 string
	Size        int64
}

// fileURL is a published file's address: content-addressed, so it can be
// cached for ever and a republished document never serves a stale copy.
func fileURL(slug string, f store.DocumentFile) string {
	return "/documents/" + slug + "/files/" + f.SHA256 + "/" + f.Name
}

func docFiles(d store.Document) map[string]store.DocumentFile {
	m := map[string]store.DocumentFile{}
	for _, f := range d.Files {
		m[f.Name] = f
	}
	return m
}

// documentShow renders a published document: its citation, the PDF, each
// page's image beside its text and translation aligned by paragraph, and
// the stories citing it.
//
// Visitors who are not signed in get it from the page cache, as a story: a
// render reads up to 100 text files, so a crowd (or someone asking again
// and again) costs one render a second.
func (s *Server) documentShow(w http.ResponseWriter, r *http.Request) {
	reader := s.currentReader(r)
	now := s.cfg.Now()
	anonymous := reader == nil && r.URL.RawQuery == ""
	// Story slugs and document slugs may be the same: the key tells them apart.
	key := pageKey{"/documents/" + r.PathValue("slug"), s.render.Cat.Negotiate(w, r), s.baseURL(r)}
	if anonymous {
		if e := s.cache.get(key, now); e != nil {
			e.serve(w, r)
			return
		}
	}
	stored := false
	defer func() {
		if anonymous && !stored {
			s.cache.release(key)
		}
	}()
	d, ok := s.document(w, r)
	if !ok {
		return
	}
	m, err := story.CitedManifest(d)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if m.PDF != nil {
		// An older bundle's English sentence, read into fields.
		pdf := m.PDF.Upgraded()
		m.PDF = &pdf
	}
	files := docFiles(d)
	data := documentData{Doc: d, M: m, PageList: pageList(m.Pages)}
	if m.PDF != nil {
		f := files[m.PDF.File]
		data.PDF = &docFile{URL: fileURL(d.Slug, f), SHA256: f.SHA256, Size: f.Size}
	}
	for i, p := range m.Pages {
		if i == maxShownPages {
			data.More = len(m.Pages) - i
			break
		}
		dp := docPage{N: p.N, Tr: p.Translation, Original: m.Language}
		if p.Image != "" {
			dp.Image = fileURL(d.Slug, files[p.Image])
		}
		var orig, tr []string
		if p.Text != "" {
			text, err := s.readText(files[p.Text])
			if err != nil {
				s.internal(w, r, err)
				return
			}
			orig = translate.Split(text)
		}
		if p.Translation != nil {
			text, err := s.readText(files[p.Translation.File])
			if err != nil {
				s.internal(w, r, err)
				return
			}
			tr = translate.Split(text)
		}
		dp.Rows = translate.Align(orig, tr)
		data.Pages = append(data.Pages, dp)
	}
	if data.Stories, err = s.cfg.Store.Stories(r.Context(), store.StoryQuery{LiveAt: now, Cites: d.Slug}); err != nil {
		s.internal(w, r, err)
		return
	}
	p := s.page(w, r, "site.document.title", reader, data)
	p.TitleText = m.Title
	p.Canonical = s.baseURL(r) + "/documents/" + d.Slug
	stored = s.renderCached(w, r, anonymous, key, now, "document", p)
}

// document finds the published document the path names, or answers.
func (s *Server) document(w http.ResponseWriter, r *http.Request) (store.Document, bool) {
	if s.cfg.Published == nil {
		s.notFound(w, r)
		return store.Document{}, false
	}
	d, err := s.cfg.Store.DocumentBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.notFoundOr(w, r, err)
		return d, false
	}
	return d, true
}

// readText reads a published text file (bounded by the bundle's limit).
func (s *Server) readText(f store.DocumentFile) (string, error) {
	fh, err := s.cfg.Published.Open(f.SHA256)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, bundle.DefaultLimits.Text+1))
	return string(b), err
}

// pageList names the pages a bundle holds: "3", "3–5", "1, 4, 7–9".
func pageList(pages []bundle.Page) string {
	out := ""
	for i := 0; i < len(pages); {
		j := i
		for j+1 < len(pages) && pages[j+1].N == pages[j].N+1 {
			j++
		}
		if out != "" {
			out += ", "
		}
		if j == i {
			out += fmt.Sprint(pages[i].N)
		} else {
			out += fmt.Sprintf("%d–%d", pages[i].N, pages[j].N)
		}
		i = j + 1
	}
	return out
}

// documentFile serves one of a published document's files by its SHA-256
// and name: images and text inline, the PDF as a download.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request) {
	d, ok := s.document(w, r)
	if !ok {
		return
	}
	f, ok := docFiles(d)[r.PathValue("name")]
	if !ok || f.SHA256 != r.PathValue("sha256") {
		s.notFound(w, r)
		return
	}
	fh, err := s.cfg.Published.Open(f.SHA256)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer fh.Close()
	h := w.Header()
	typ := bundle.ContentType(f.Name)
	h.Set("Content-Type", typ)
	h.Set("X-Content-Type-Options", "nosniff")
	// The URL names the bytes: they never change under it.
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+f.SHA256+`"`)
	if typ == "application/pdf" {
		h.Set("Content-Disposition", `attachment; filename="`+d.Slug+`.pdf"`)
	}
	http.ServeContent(w, r, "", store.Day(0).Time(), fh)
}
