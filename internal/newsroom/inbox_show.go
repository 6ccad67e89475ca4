package newsroom

import (
	"net/http"
	"strconv"

	"confide/internal/store"
)

// pageSize is how many sources the inbox shows at once.
const pageSize = 50

type inboxData struct {
	Me      store.Journalist
	Rows    []store.SourceSummary
	Filter  string
	Page    int
	HasNext bool
	Filters []string
}

var filters = []string{"all", "unread", "starred", "mine", "hidden"}

func (s *Server) inboxShow(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	q := store.SourceQuery{JournalistID: j.ID, Limit: pageSize + 1}
	filter := r.URL.Query().Get("filter")
	switch filter {
	case "unread":
		q.Unread = true
	case "starred":
		q.Starred = true
	case "mine":
		q.Assignee = j.Name
	case "hidden":
		q.Hidden = true
	default:
		filter = "all"
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 0)
	q.Offset = page * pageSize
	rows, err := s.cfg.Store.ListSources(r.Context(), q)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := inboxData{Me: j, Filter: filter, Page: page, Filters: filters}
	if len(rows) > pageSize {
		rows, d.HasNext = rows[:pageSize], true
	}
	d.Rows = rows
	s.render.Render(w, http.StatusOK, "inbox", s.page(w, r, "newsroom.inbox.title", d))
}
