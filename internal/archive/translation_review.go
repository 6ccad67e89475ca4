package archive

import (
	"errors"
	"net/http"
	"strconv"

	"confide/internal/translate"
)

// translationReview marks the latest version of a page's translation
// reviewed by the user, who must not be the one who made it.
func (s *Server) translationReview(w http.ResponseWriter, r *http.Request, u User) {
	d, n, ok := s.readPage(w, r, u)
	if !ok {
		return
	}
	back := "/documents/" + d.ID + "?page=" + strconv.Itoa(n)
	if !s.posted(w, r, u, 16<<10, back) {
		return
	}
	lang := translate.Canon(r.PostForm.Get("lang"))
	back += "&lang=" + lang + "#translation"
	v, _ := strconv.Atoi(r.PostForm.Get("version"))
	err := s.a.ReviewTranslation(r.Context(), d.ID, n, lang, v, u.Name)
	var stale *StaleError
	switch {
	case errors.Is(err, ErrOwnReview):
		s.notice(w, r, u, http.StatusForbidden, "archive.notice.own", "archive.notice.own.msg", back)
		return
	case errors.As(err, &stale):
		s.notice(w, r, u, http.StatusConflict, "archive.notice.newer", "archive.notice.newer.msg", back, stale.Latest.Version, stale.Latest.By)
		return
	case !s.found(w, r, err):
		return
	}
	s.audit(r.Context(), u.Name, "review translation", d.Collection+"/"+d.Path+" page "+strconv.Itoa(n)+" "+lang+" version "+strconv.Itoa(v))
	http.Redirect(w, r, back, http.StatusSeeOther)
}
