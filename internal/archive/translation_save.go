package archive

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"confide/internal/translate"
)

// maxTranslationForm bounds a translation editor's form.
const maxTranslationForm = 1 << 20

// translationSave stores the editor's boxes as a new version of the
// page's translation (a human draft), indexes it and goes back to the
// page. A save after someone else's (the form's base is not the latest)
// stores nothing and shows the editor again with the user's text and the
// newer version, to merge by hand.
func (s *Server) translationSave(w http.ResponseWriter, r *http.Request, u User) {
	d, n, ok := s.readPage(w, r, u)
	if !ok {
		return
	}
	back := "/documents/" + d.ID + "?page=" + strconv.Itoa(n)
	if !s.posted(w, r, u, maxTranslationForm, back) {
		return
	}
	lang := translate.Canon(r.PostForm.Get("lang"))
	if err := checkLang(lang); err != nil {
		s.notice(w, r, u, http.StatusBadRequest, "archive.notice.lang", "archive.notice.input.plain", back, err.(*InputError).Msg)
		return
	}
	base, _ := strconv.Atoi(r.PostForm.Get("base"))
	boxes := r.PostForm["p"]
	ed := editorData{User: u, Doc: d, Page: n, Lang: lang, Base: base, Rows: editorRows(d.Pages[n-1].Text, boxes)}
	_, err := s.a.SaveTranslation(r.Context(), d.ID, n, lang, boxText(boxes), u.Name, base)
	var stale *StaleError
	var in *InputError
	switch {
	case errors.As(err, &stale):
		ed.Conflict, ed.Base = &stale.Latest, stale.Latest.Version
		p := s.page(w, r, "archive.editor.pagetitle", nil, d.Path)
		ed.Error = s.render.Cat.T(p.Lang, "archive.editor.stale", stale.Latest.Version, stale.Latest.By, stale.Latest.At)
		p.Data = ed
		s.render.Render(w, http.StatusConflict, "translation", p)
		return
	case errors.As(err, &in):
		ed.Error = in.Msg
		s.render.Render(w, http.StatusBadRequest, "translation", s.page(w, r, "archive.editor.pagetitle", ed, d.Path))
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	if err := s.a.IndexTranslations(r.Context(), []string{d.ID}, lang); err != nil {
		s.internal(w, r, err)
		return
	}
	s.audit(r.Context(), u.Name, "translate page", d.Collection+"/"+d.Path+" page "+strconv.Itoa(n)+" into "+lang)
	http.Redirect(w, r, back+"&lang="+lang+"#translation", http.StatusSeeOther)
}

// boxText is the editor's boxes as one translation, a paragraph per box.
// Empty boxes at the end are dropped; one between two others keeps its
// place as "…", so that the paragraphs after it stay beside their
// originals.
func boxText(boxes []string) string {
	var ps []string
	for _, b := range boxes {
		ps = append(ps, strings.Join(strings.Fields(b), " "))
	}
	for len(ps) > 0 && ps[len(ps)-1] == "" {
		ps = ps[:len(ps)-1]
	}
	for i, p := range ps {
		if p == "" {
			ps[i] = "…"
		}
	}
	return translate.Join(ps)
}
