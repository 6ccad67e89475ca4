package archive

import (
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"confide/internal/ingest"
	"confide/internal/web"
)

type documentData struct {
	User    User
	Doc     *Document
	Custody *Custody
	Page    *Page // the page shown, nil for a document without pages
	Image   string
	Pages   []pageLink
	Prev    string
	Next    string
	// Parent is the document this one is inside, for the tree.
	Parent *Child
	// Fields are the document's metadata as the page labels them.
	Fields  []field
	Exports bool
	// Text is the page's text with its notes' words marked.
	Text template.HTML
	// Tr is the translation shown beside the original, if any.
	Tr *trView
	// Langs are the languages the document has translations into.
	Langs []langLink
	// Notes are the page's notes, for the margin.
	Notes []Note
	Tags  []string
}

// trView is a page's translation as the reader shows it.
type trView struct {
	Lang    string
	Shown   *TranslationVersion // nil: the page has none in Lang yet
	Latest  int
	Label   string // machine draft, human draft, reviewed by X on DAY
	Maker   string
	History []versionLink
	Rows    []readerRow
	// Review is set when the user may mark the shown version reviewed;
	// NoReview says why not otherwise (a catalogue key).
	Review   bool
	NoReview string
	Edit     string // the editor's URL
}

type langLink struct {
	Lang, URL string
	Current   bool
}

type versionLink struct {
	V       TranslationVersion
	URL     string
	Label   string
	Current bool
}

// documentShow is a document: the page image beside the page's text, one
// page at a time (?page=N), with its OCR confidence; the page's
// translation into a chosen language (?lang=xx, ?v=N for an older version;
// the first language it has by default, ?lang=none for none) beside the
// original, paragraph by paragraph, with its state and history; the
// page's notes in the margin, their words marked; the document's tags;
// its metadata, the document tree around it, its custody trail and the
// download of its original (not for translators). Each view is audited.
func (s *Server) documentShow(w http.ResponseWriter, r *http.Request, u User) {
	d, err := s.a.Show(r.Context(), r.PathValue("id"))
	if !s.found(w, r, err) {
		return
	}
	if !u.Reads(d.Collection) {
		s.notFound(w, r)
		return
	}
	c, err := s.a.Custody(r.Context(), d.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	data := documentData{User: u, Doc: d, Custody: c, Exports: u.Exports()}
	if d.Parent != "" {
		if p, err := s.a.doc(r.Context(), d.Parent); err == nil {
			data.Parent = &Child{ID: p.ID, Path: p.Path, Type: p.Type}
		}
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = min(max(n, 1), max(len(d.Pages), 1))
	if len(d.Pages) > 0 {
		data.Page = &d.Pages[n-1]
		base := "/documents/" + d.ID + "?page="
		for i := range d.Pages {
			data.Pages = append(data.Pages, pageLink{Number: i + 1, URL: base + strconv.Itoa(i+1), Current: i+1 == n})
		}
		if n > 1 {
			data.Prev = base + strconv.Itoa(n-1)
		}
		if n < len(d.Pages) {
			data.Next = base + strconv.Itoa(n+1)
		}
		if err := s.reader(r, u, d, n, &data); err != nil {
			s.internal(w, r, err)
			return
		}
		if d.Type == ingest.TypePDF || (n == 1 && (d.Type == ingest.TypePNG || d.Type == ingest.TypeJPEG)) {
			if f, err := s.a.stored(d); err == nil {
				f.Close()
				data.Image = "/documents/" + d.ID + "/pages/" + strconv.Itoa(n) + "/image"
			}
		}
	}
	s.audit(r.Context(), u.Name, "view document", d.Collection+"/"+d.Path)
	// The page holds data by reference: what its language decides below
	// is filled in after.
	p := s.page(w, r, "archive.doc.title", &data, d.Path)
	data.Fields = s.fields(p.Lang, d.Fields)
	d.Failure = s.ingestWords(p.Lang, s.reasons, d.Failure)
	for i, warning := range d.Warnings {
		d.Warnings[i] = s.ingestWords(p.Lang, s.warnings, warning)
	}
	s.render.Render(w, http.StatusOK, "document", p)
}

// reader fills in the page's translation, notes and tags.
func (s *Server) reader(r *http.Request, u User, d *Document, n int, data *documentData) error {
	ctx := r.Context()
	notes, err := s.a.Notes(ctx, d.ID)
	if err != nil {
		return err
	}
	for _, nt := range notes {
		if nt.Page == n {
			data.Notes = append(data.Notes, nt)
		}
	}
	if data.Tags, err = s.a.Tags(ctx, d.ID); err != nil {
		return err
	}
	text := data.Page.Text
	data.Text = marked(text, pageMarks(notes, n))
	langs := slices.Sorted(maps.Keys(d.Translations))
	lang := ""
	if s.translationQuery(r) {
		lang = r.URL.Query().Get("lang")
	}
	if lang == "" && len(langs) > 0 {
		lang = langs[0]
	}
	base := "/documents/" + d.ID + "?page=" + strconv.Itoa(n)
	for _, l := range langs {
		data.Langs = append(data.Langs, langLink{Lang: l, URL: base + "&lang=" + l + "#translation", Current: l == lang})
	}
	if lang == "none" || lang == "" {
		return nil
	}
	tv := &trView{Lang: lang, Edit: "/documents/" + d.ID + "/pages/" + strconv.Itoa(n) + "/translation?lang=" + lang}
	data.Tr = tv
	vs := d.Translations[lang][n]
	if len(vs) == 0 {
		tv.Rows = sideBySide(text, "", notes, n)
		return nil
	}
	latest := vs[len(vs)-1]
	tv.Latest = latest.Version
	shown := latest
	if v, err := strconv.Atoi(r.URL.Query().Get("v")); err == nil && v >= 1 && v <= len(vs) {
		shown = vs[v-1]
	}
	cat, ui := s.render.Cat, s.lang(r)
	tv.Shown, tv.Label, tv.Maker = &shown, stateLabel(cat, ui, shown), maker(shown)
	for i := len(vs) - 1; i >= 0; i-- {
		tv.History = append(tv.History, versionLink{V: vs[i], Label: stateLabel(cat, ui, vs[i]),
			URL: base + "&lang=" + lang + "&v=" + strconv.Itoa(vs[i].Version) + "#translation", Current: vs[i].Version == shown.Version})
	}
	tv.Rows = sideBySide(text, shown.Text, notes, n)
	switch {
	case shown.Version != latest.Version:
		tv.NoReview = "archive.tr.noreview.older"
	case shown.State == Reviewed:
	case shown.By == "user: "+u.Name:
		tv.NoReview = "archive.tr.noreview.own"
	default:
		tv.Review = true
	}
	return nil
}

// field is a metadata field as a page labels it.
type field struct{ Label, Value string }

// fields are a document's metadata in the order of ingest.FieldNames,
// each labelled in lang; a name the catalogue lacks (one an older version
// wrote) keeps its own, after the others.
func (s *Server) fields(lang string, m map[string]string) []field {
	names := slices.Sorted(maps.Keys(m))
	rank := func(n string) int {
		if i := slices.Index(ingest.FieldNames, n); i >= 0 {
			return i
		}
		return len(ingest.FieldNames)
	}
	slices.SortStableFunc(names, func(a, b string) int { return rank(a) - rank(b) })
	out := make([]field, len(names))
	for i, n := range names {
		out[i] = field{n, m[n]}
		if key := "archive.field." + n; s.render.Cat.HasKey(web.DefaultLang, key) {
			out[i].Label = s.render.Cat.T(lang, key)
		}
	}
	return out
}
