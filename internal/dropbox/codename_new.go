package dropbox

import (
	"net/http"

	"confide/internal/seal"
	"confide/internal/web"
)

type codenameData struct{ Codename string }

// codenameNew shows a fresh codename once. Nothing is stored yet: the source
// is created only when the form is posted back, so a page view creates no
// state and the codename is never kept between requests.
func (s *Server) codenameNew(w http.ResponseWriter, r *http.Request) {
	if !s.accepting(r.Context()) {
		s.fail(w, r, web.Fail(http.StatusServiceUnavailable, "dropbox.closed", nil), "/")
		return
	}
	s.render.Render(w, http.StatusOK, "new", s.page(w, r, "dropbox.new.title", codenameData{Codename: seal.NewCodename()}))
}
