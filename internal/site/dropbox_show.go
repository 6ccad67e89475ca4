package site

import "net/http"

type dropboxData struct {
	Onion string
	// Local is the demo's dropbox address, set only in demo mode while
	// there is no onion address: a real deployment publishes the onion.
	Local string
}

// dropboxShow explains how to reach the dropbox safely and shows its address.
func (s *Server) dropboxShow(w http.ResponseWriter, r *http.Request) {
	d := dropboxData{Onion: s.cfg.Onion()}
	if d.Onion == "" && s.cfg.Demo {
		d.Local = s.cfg.DropboxURL
	}
	s.render.Render(w, http.StatusOK, "dropbox", s.page(w, r, "site.dropbox.title", s.currentReader(r), d))
}
