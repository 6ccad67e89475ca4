package site

import "net/http"

type formData struct {
	Failed string
	Email  string
	Name   string
	Token  string
	Done   string
	// Until is when a sign-in lock ends, for the "locked" message.
	Until string
	// Outbox is the folder the mail was written to, said in demo mode only.
	Outbox string
}

func (s *Server) registerShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "register", s.page(w, r, "site.register.title", s.currentReader(r), formData{}))
}
