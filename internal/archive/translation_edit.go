package archive

import (
	"net/http"
	"strconv"

	"confide/internal/translate"
)

type editorData struct {
	User User
	Doc  *Document
	Page int
	Lang string
	// Base is the version the edit starts from (0: none), carried by the
	// form so that a save after someone else's is caught.
	Base int
	From *TranslationVersion // the version the boxes were filled from
	Rows []editorRow
	// Conflict is the version saved while this edit was open; the boxes
	// then hold the user's own text.
	Conflict *TranslationVersion
	Error    string
}

type editorRow struct {
	N              int
	Original, Text string
}

// translationEdit is the translation editor of a page: the original's
// paragraphs, each beside a box holding the latest version's paragraph
// (a machine draft is taken as the start), or empty boxes for a new
// translation.
func (s *Server) translationEdit(w http.ResponseWriter, r *http.Request, u User) {
	d, n, ok := s.readPage(w, r, u)
	if !ok {
		return
	}
	lang := translate.Canon(r.URL.Query().Get("lang"))
	if err := checkLang(lang); err != nil {
		s.notice(w, r, u, http.StatusBadRequest, "archive.notice.lang", "archive.notice.lang.msg", "/documents/"+d.ID+"?page="+strconv.Itoa(n), err.(*InputError).Msg)
		return
	}
	ed := editorData{User: u, Doc: d, Page: n, Lang: lang}
	text := ""
	if vs := d.Translations[lang][n]; len(vs) > 0 {
		v := vs[len(vs)-1]
		ed.Base, ed.From, text = v.Version, &v, v.Text
	}
	ed.Rows = editorRows(d.Pages[n-1].Text, translate.Split(text))
	p := s.page(w, r, "archive.editor.pagetitle", ed, d.Path)
	// The language switch goes to the document: here ?lang= is the
	// translation's.
	p.Path = "/documents/" + d.ID
	s.render.Render(w, http.StatusOK, "translation", p)
}

// editorRows pairs the original's paragraphs with the boxes' texts, one
// box per paragraph of the longer side.
func editorRows(original string, texts []string) []editorRow {
	rows := translate.Align(translate.Split(original), texts)
	out := make([]editorRow, len(rows))
	for i, r := range rows {
		out[i] = editorRow{N: r.N, Original: r.Original, Text: r.Translation}
	}
	return out
}
