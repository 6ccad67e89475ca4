package dropbox

import (
	"net/http"
	"slices"

	"confide/internal/seal"
	"confide/internal/web"
)

type codenameData struct {
	Codename string
	Words    string // the list it is drawn from: "en" or "ru"
	Other    string // the list the source may switch to
}

// codenameNew shows a fresh codename once. Nothing is stored yet: the source
// is created only when the form is posted back, so a page view creates no
// state and the codename is never kept between requests. The words come
// from the list the source picks (?words=ru|en), by default the page's
// language's; both lists give a codename of at least 90 bits.
func (s *Server) codenameNew(w http.ResponseWriter, r *http.Request) {
	if !s.accepting(r.Context()) {
		s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "dropbox.closed", nil), "/")
		return
	}
	p := s.page(w, r, "dropbox.new.title", nil)
	words := r.URL.Query().Get("words")
	if !slices.Contains(seal.CodenameLangs, words) {
		words = "en"
		if slices.Contains(seal.CodenameLangs, p.Lang) {
			words = p.Lang
		}
	}
	c, err := seal.NewCodenameLang(words)
	if err != nil {
		s.fail(w, r, web.Fail(http.StatusInternalServerError, "error.internal", err), "/")
		return
	}
	other := "ru"
	if words == "ru" {
		other = "en"
	}
	p.Data = codenameData{Codename: c, Words: words, Other: other}
	s.render.Render(w, http.StatusOK, "new", p)
}
