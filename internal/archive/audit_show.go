package archive

import (
	"net/http"
	"strconv"

	"confide/internal/web"
)

type auditData struct {
	User    User
	Entries []AuditEntry
	Next    string
	Prev    string
}

// auditShow lists who viewed, searched and exported what, newest first;
// admins only.
func (s *Server) auditShow(w http.ResponseWriter, r *http.Request, u User) {
	if u.Role != RoleAdmin {
		s.fail(w, r, web.Fail(http.StatusForbidden, "archive.forbidden", nil), "/")
		return
	}
	const n = 100
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	off = max(off, 0)
	es, err := s.a.AuditLog(r.Context(), off, n+1)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := auditData{User: u, Entries: es}
	if len(es) > n {
		d.Entries, d.Next = es[:n], "/audit?offset="+strconv.Itoa(off+n)
	}
	if off > 0 {
		d.Prev = "/audit?offset=" + strconv.Itoa(max(off-n, 0))
	}
	s.render.Render(w, http.StatusOK, "audit", s.page(w, r, "archive.audit.title", d))
}
