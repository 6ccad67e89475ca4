package newsroom

import (
	"net/http"
	"time"

	"confide/internal/seal"
	"confide/internal/store"
	"confide/internal/web"
)

type itemView struct {
	store.Item
	N      int
	Day    time.Time
	Seen   bool
	Author string
	// Demo holds what the demo shortcut decrypted: a message's text, or a
	// file's original name.
	Demo *demoView
}

type demoView struct {
	Text string
	Cut  bool
	Name string
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
	// NewsroomURL and KeyFile fill the copy-paste commands for reading on
	// the journalist's own computer.
	NewsroomURL string
	KeyFile     string
	// Sent says a reply from this page was just sealed and stored.
	Sent bool
	// DemoReads turns on the labelled demo-only shortcut (see demoReads).
	DemoReads bool
}

// loadSource finds the source named in the path, or renders a 404.
func (s *Server) loadSource(w http.ResponseWriter, r *http.Request) (store.Source, bool) {
	src, err := s.cfg.Store.SourceByID(r.Context(), r.PathValue("id"))
	return src, s.found(w, r, err)
}

// loadItem finds the source and the item named in the path, or renders a
// 404; another source's item is as unknown as none.
func (s *Server) loadItem(w http.ResponseWriter, r *http.Request) (store.Source, store.Item, bool) {
	src, ok := s.loadSource(w, r)
	if !ok {
		return src, store.Item{}, false
	}
	it, err := s.cfg.Store.ItemByID(r.Context(), r.PathValue("item"))
	if err == nil && it.SourceID != src.ID {
		err = store.ErrNotFound
	}
	return src, it, s.found(w, r, err)
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
	d := sourceData{Me: j, Source: src, Journalists: js, NewsroomURL: web.Origin(s.cfg.URL, r), KeyFile: "your-key.txt"}
	if s.cfg.Demo && s.cfg.DemoKeyFile != "" {
		d.KeyFile = s.cfg.DemoKeyFile
	}
	d.Sent = r.URL.Query().Get("sent") == "1"
	d.DemoReads = s.demoReads(j)
	for i, it := range items {
		v := itemView{Item: it, N: i + 1, Day: it.Created.Time(), Seen: seen[it.ID], Author: names[it.Author]}
		if d.DemoReads {
			v.Demo = s.demoView(it)
		}
		d.Items = append(d.Items, v)
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

// demoView decrypts an item for the demo shortcut. A failure costs only the
// shortcut for that item (logged): the page and the downloads still work.
func (s *Server) demoView(it store.Item) *demoView {
	if it.Kind == store.KindFile {
		m, err := seal.OpenManifest(it.Manifest, s.cfg.DemoIdentity)
		if err != nil {
			s.cfg.Log.Error("newsroom: demo manifest", "err", err)
			return nil
		}
		return &demoView{Name: m.Name}
	}
	text, cut, err := s.demoText(it)
	if err != nil {
		s.cfg.Log.Error("newsroom: demo decrypt", "err", err)
		return nil
	}
	return &demoView{Text: text, Cut: cut}
}
