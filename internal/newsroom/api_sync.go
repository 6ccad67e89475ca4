package newsroom

import (
	"confide/internal/api"
	"confide/internal/web"
	"crypto/sha256"
	"net/http"
	"strconv"

	"confide/internal/store"
)

// syncPage bounds items per response, and so the signed answer buffered in
// memory; the client asks again while More.
const syncPage = 2000

// syncHashBudget bounds the ciphertext one sync page reads to hash items
// that have no hash yet: past it the page ends early, with More set. A
// variable for tests.
var syncHashBudget int64 = 256 << 20

// apiSync returns every source, the items after items_after and the
// deletions after tombs_after.
func (s *Server) apiSync(w http.ResponseWriter, r *http.Request, j store.Journalist) {
	itemsAfter, _ := strconv.ParseInt(r.URL.Query().Get("items_after"), 10, 64)
	tombsAfter, _ := strconv.ParseInt(r.URL.Query().Get("tombs_after"), 10, 64)
	ctx := r.Context()
	fail := func(err error) { s.apiFail(w, http.StatusInternalServerError, "the newsroom could not sync", err) }
	// Continuation pages (sources=0) skip the source list the first page
	// already carried.
	var srcs, hidden []store.SourceSummary
	var err error
	if r.URL.Query().Get("sources") != "0" {
		if srcs, err = s.cfg.Store.ListSources(ctx, store.SourceQuery{JournalistID: j.ID}); err != nil {
			fail(err)
			return
		}
		if hidden, err = s.cfg.Store.ListSources(ctx, store.SourceQuery{JournalistID: j.ID, Hidden: true}); err != nil {
			fail(err)
			return
		}
	}
	items, err := s.cfg.Store.ItemsSince(ctx, itemsAfter, syncPage+1)
	if err != nil {
		fail(err)
		return
	}
	tombs, err := s.cfg.Store.TombstonesSince(ctx, tombsAfter)
	if err != nil {
		fail(err)
		return
	}
	js, err := s.cfg.Store.Journalists(ctx)
	if err != nil {
		fail(err)
		return
	}
	resp := api.SyncResponse{Sources: []api.SyncSource{}, Items: []api.SyncItem{}, Deleted: []string{}, ItemsCursor: itemsAfter, TombsCursor: tombsAfter}
	for _, x := range append(srcs, hidden...) {
		resp.Sources = append(resp.Sources, api.SyncSource{ID: x.ID, Designation: x.Designation, Recipient: x.Recipient, Starred: x.Starred,
			Hidden: x.Hidden, Assignee: x.Assignee, Unread: x.Unread, Active: x.Active.Time().Format("2006-01-02")})
	}
	if len(items) > syncPage {
		items, resp.More = items[:syncPage], true
	}
	var hashed int64
	for _, it := range items {
		if hashed > syncHashBudget {
			resp.More = true
			break
		}
		if len(it.SHA256) != sha256.Size {
			hashed += it.Size
		}
		// An unreadable blob must not stop every sync: the item goes out
		// without a hash, and the workstation refuses that one item.
		sum, err := s.itemSHA256(ctx, it)
		if err != nil {
			s.cfg.Log.Error("newsroom: api sync hash", "item", it.ID, "err", err)
		}
		resp.Items = append(resp.Items, api.SyncItem{ID: it.ID, SourceID: it.SourceID, SubmissionID: it.SubmissionID, Kind: it.Kind, Size: it.Size,
			Day: it.Created.Time().Format("2006-01-02"), Seq: it.Seq, Manifest: it.Manifest, SHA256: sum})
		resp.ItemsCursor = it.Seq
	}
	for _, t := range tombs {
		resp.Deleted = append(resp.Deleted, t.ItemID)
		resp.TombsCursor = t.Seq
	}
	for _, x := range js {
		resp.Recipients = append(resp.Recipients, x.Recipient)
	}
	web.WriteJSON(w, http.StatusOK, resp)
}
