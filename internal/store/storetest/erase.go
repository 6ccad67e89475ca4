package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"confide/internal/store"
)

// RunErasure creates two sources with a submission each, deletes one, and
// asks find, which reads the backend's own files as a seizure would, where
// each of the deleted source's values still is: its login hash, recipient,
// designation and ID, and its item's blob name. Before the deletion find
// must see them all (or it reads the wrong files); soon after it, none.
func RunErasure(t *testing.T, s *store.DB, find func(t *testing.T, needle []byte) []string) {
	t.Helper()
	ctx := context.Background()
	gone := store.Source{ID: store.NewID(), LoginHash: []byte("LOGIN-HASH-OF-THE-DELETED-SOURCE"),
		Recipient: "age1deletedsourcerecipientmarker", Designation: "vanished heron", Created: store.Today(), Active: store.Today()}
	kept := store.Source{ID: store.NewID(), LoginHash: []byte("LOGIN-HASH-OF-THE-KEPT-SOURCE"),
		Recipient: "age1keptsourcerecipientmarker", Designation: "staying crane", Created: store.Today(), Active: store.Today()}
	for _, src := range []store.Source{gone, kept} {
		if err := s.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if err := s.AddSubmission(ctx, src.ID, store.NewID(), []store.Item{{Kind: store.KindMessage, Blob: "blob-of-" + src.Designation, Manifest: []byte("m")}}); err != nil {
			t.Fatal(err)
		}
		// Updates rewrite the row: the old copies must go too.
		s.SetStarred(ctx, src.ID, true)
		s.SetAssignee(ctx, src.ID, "investigations")
		s.TouchSource(ctx, src.ID)
	}
	needles := [][]byte{gone.LoginHash, []byte(gone.Recipient), []byte(gone.Designation), []byte(gone.ID), []byte("blob-of-" + gone.Designation)}
	for _, nd := range needles {
		if len(find(t, nd)) == 0 {
			t.Fatalf("before the deletion, %q is nowhere: the scan reads the wrong files", nd)
		}
	}
	if _, err := s.DeleteSource(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	// The store erases in the background, a second after a deletion and
	// again ten seconds later (PostgreSQL keeps a deleted row that an older
	// snapshot, any backend's, may still see; the second erase drops it).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var left []string
		for _, nd := range needles {
			if where := find(t, nd); len(where) > 0 {
				left = append(left, fmt.Sprintf("%q in %v", nd, where))
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the deletion: %v", left)
		}
	}
	if got, err := s.SourceByID(ctx, kept.ID); err != nil || got.Designation != kept.Designation {
		t.Fatalf("the other source: %+v %v", got, err)
	}
	if len(find(t, []byte(kept.Designation))) == 0 {
		t.Fatal("the kept source is not in the files")
	}
	if tombs, err := s.TombstonesSince(ctx, 0); err != nil || len(tombs) != 1 {
		t.Fatalf("tombstones %+v %v", tombs, err)
	}
}
