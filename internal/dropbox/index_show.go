package dropbox

import "net/http"

type indexData struct{ Accepting bool }

func (s *Server) indexShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "index", s.page(w, r, "dropbox.index.title", indexData{Accepting: s.accepting(r.Context())}))
}
