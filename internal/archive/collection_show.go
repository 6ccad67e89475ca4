package archive

import (
	"net/http"
	"strconv"
)

type collectionData struct {
	User   User
	Status CollectionStatus
	// Batch is the running machine translation, or the last one.
	Batch *Batch
	// BatchMessage is its Message in the page's language.
	BatchMessage string
	// Engines are those a batch may use, for a journalist or an admin.
	Engines []engineChoice
	Notes   []Note
}

type engineChoice struct {
	Name    string
	Targets []string
}

// collectionShow is a collection's ingest status: its counts, every failure
// with its reason, and the OCRed pages to review; its machine translation
// (the form to start one, a running one's progress with a cancel button,
// or the last one's outcome) and every note on its documents. With
// ?refresh=N, or while a translation runs, it reloads itself (a meta
// refresh, no script), to follow progress live.
func (s *Server) collectionShow(w http.ResponseWriter, r *http.Request, u User) {
	name := r.PathValue("name")
	if !u.Reads(name) {
		// An ungranted collection is not told apart from a missing one.
		s.notFound(w, r)
		return
	}
	st, err := s.a.Status(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, c := range st {
		if c.Name == name {
			d := collectionData{User: u, Status: c}
			if d.Batch, err = s.batch.current(r.Context(), name); err != nil {
				s.internal(w, r, err)
				return
			}
			if d.Notes, err = s.a.CollectionNotes(r.Context(), name); err != nil {
				s.internal(w, r, err)
				return
			}
			if u.Exports() {
				for _, e := range s.batch.engines {
					d.Engines = append(d.Engines, engineChoice{Name: e.Name(), Targets: targets(e)})
				}
			}
			if n, err := strconv.Atoi(r.URL.Query().Get("refresh")); err == nil && n >= 5 && n <= 3600 {
				w.Header().Set("Refresh", strconv.Itoa(n))
			} else if d.Batch != nil && d.Batch.State == BatchRunning {
				w.Header().Set("Refresh", "5")
			}
			s.audit(r.Context(), u.Name, "view collection", name)
			p := s.page(w, r, "archive.collection.title", nil, name)
			for i, f := range d.Status.Failures {
				d.Status.Failures[i].Reason = s.ingestWords(p.Lang, s.reasons, f.Reason)
			}
			if d.Batch != nil {
				d.BatchMessage = reword(s.render.Cat, p.Lang, batchWords, d.Batch.Message)
			}
			p.Data = d
			s.render.Render(w, http.StatusOK, "collection", p)
			return
		}
	}
	s.notFound(w, r)
}
