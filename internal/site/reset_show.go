package site

import "net/http"

func (s *Server) resetShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "reset", s.page(w, r, "site.reset.title", nil, formData{}))
}

func (s *Server) resetConfirmShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "reset_confirm", s.page(w, r, "site.reset.title", nil, formData{Token: r.URL.Query().Get("token")}))
}
