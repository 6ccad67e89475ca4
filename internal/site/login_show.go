package site

import "net/http"

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	s.render.Render(w, http.StatusOK, "login", s.page(w, r, "site.login.title", s.currentReader(r), formData{Token: localPath(r.URL.Query().Get("next"))}))
}

// localPath keeps a redirect target on this site.
func localPath(p string) string {
	if len(p) == 0 || p[0] != '/' || len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	return p
}
