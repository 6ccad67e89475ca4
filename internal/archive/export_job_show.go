package archive

import (
	"net/http"
)

type exportJobData struct {
	User   User
	Doc    *Document
	Job    *ExportJob
	Reason string // the job's reason in the page's language
}

// exportJobShow is an export job's page: waiting or building (it reloads
// itself every 3 seconds, no script), then the bundle to download with its
// SHA-256, or why nothing was exported and the way to ask again.
func (s *Server) exportJobShow(w http.ResponseWriter, r *http.Request, u User) {
	j, d, ok := s.exportJob(w, r, u)
	if !ok {
		return
	}
	if j.Pending() {
		w.Header().Set("Refresh", "3")
	}
	s.audit(r.Context(), u.Name, "view export", d.Collection+"/"+d.Path+": job "+j.ID)
	p := s.page(w, r, "archive.job.title", nil, d.Path)
	p.Data = exportJobData{User: u, Doc: d, Job: j, Reason: reword(s.render.Cat, p.Lang, jobReasons, j.Reason)}
	s.render.Render(w, http.StatusOK, "export_job", p)
}

// exportJob finds an export job and its document for u: u's own (or any,
// for an admin), its collection granted (else 404) and u not a translator.
func (s *Server) exportJob(w http.ResponseWriter, r *http.Request, u User) (*ExportJob, *Document, bool) {
	j, err := s.a.ExportJob(r.Context(), r.PathValue("jid"))
	if !s.found(w, r, err) {
		return nil, nil, false
	}
	if j.UserID != u.ID && u.Role != RoleAdmin {
		s.notFound(w, r)
		return nil, nil, false
	}
	r.SetPathValue("id", j.DocID)
	d, ok := s.redactable(w, r, u, "export refused")
	return j, d, ok
}
