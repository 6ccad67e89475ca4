package newsroom

import (
	"net/http"
	"time"

	"confide/internal/store"
)

type itemView struct {
	store.Item
	N      int
	Day    time.Time
	Seen   bool
	Author string
}

type sourceData struct {
	Me          store.Journalist
	Source      store.Source
	Items       []itemView
	Journalists []store.Journalist
	Files       int
	Messages    int
	Replies     int
	Total       int64
}

// loadSource finds the source named in the path, or renders a 404.
func (s *Server) loadSource(w http.ResponseWriter, r *http.Request) (store.Source, bool) {
	src, err := s.cfg.Store.SourceByID(r.Context(), r.PathValue("id"))
	return src, s.found(w, r, err)
}

// sourceShow is the conversation: every item in order with its size and
// day. Contents stay encrypted; they are downloaded and opened elsewhere.
func (s *Server) sourceShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	src, ok := s.loadSource(w, r)
	if !ok {
		return
	}
	items, err := s.cfg.Store.Items(r.Context(), src.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	seen, err := s.cfg.Store.Seen(r.Context(), j.ID, src.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	js, err := s.cfg.Store.Journalists(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	names := map[string]string{}
	for _, x := range js {
		names[x.ID] = x.Name
	}
	d := sourceData{Me: j, Source: src, Journalists: js}
	for i, it := range items {
		d.Items = append(d.Items, itemView{Item: it, N: i + 1, Day: it.Created.Time(), Seen: seen[it.ID], Author: names[it.Author]})
		d.Total += it.Size
		switch it.Kind {
		case store.KindFile:
			d.Files++
		case store.KindMessage:
			d.Messages++
		default:
			d.Replies++
		}
	}
	s.render.Render(w, http.StatusOK, "source", s.page(w, r, "newsroom.source.title", d))
}
