package site

import "net/http"

type dropboxData struct{ Onion string }

// dropboxShow explains how to reach the dropbox safely and shows its address.
func (s *Server) dropboxShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "dropbox", s.page(w, r, "site.dropbox.title", s.currentReader(r), dropboxData{Onion: s.cfg.Onion()}))
}
