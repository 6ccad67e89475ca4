package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"confide/internal/store"
)

// Run runs the storage contract against a fresh store from open.
func Run(t *testing.T, open func(t testing.TB) (*store.DB, string)) {
	ctx := context.Background()
	t.Run("salt", func(t *testing.T) {
		s, _ := open(t)
		a, err := s.Salt(ctx)
		if err != nil || len(a) != 16 {
			t.Fatalf("salt %x %v", a, err)
		}
		b, _ := s.Salt(ctx)
		if !bytes.Equal(a, b) {
			t.Fatal("the salt changed between calls")
		}
		if _, err := s.Setting(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing setting: %v", err)
		}
		s.SetSetting(ctx, "k", "v1")
		s.SetSetting(ctx, "k", "v2")
		if v, _ := s.Setting(ctx, "k"); v != "v2" {
			t.Fatalf("setting %q", v)
		}
	})
	t.Run("migrations are idempotent", func(t *testing.T) {
		s, _ := open(t)
		v, err := s.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("version %d %v", v, err)
		}
	})
	t.Run("journalists", func(t *testing.T) {
		s, _ := open(t)
		if err := s.AddJournalist(ctx, store.Journalist{Name: "zoe", Recipient: "age1z", Admin: true}); err != nil {
			t.Fatal(err)
		}
		s.AddJournalist(ctx, store.Journalist{Name: "ann", Recipient: "age1a"})
		if err := s.AddJournalist(ctx, store.Journalist{Name: "ann", Recipient: "age1b"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate name: %v", err)
		}
		js, err := s.Journalists(ctx)
		if err != nil || len(js) != 2 || js[0].Name != "ann" || js[1].Name != "zoe" || !js[1].Admin || js[0].Admin {
			t.Fatalf("%+v %v", js, err)
		}
		if j, err := s.JournalistByName(ctx, "zoe"); err != nil || j.Recipient != "age1z" {
			t.Fatalf("%+v %v", j, err)
		}
		if err := s.RemoveJournalist(ctx, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveJournalist(ctx, "ann"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second remove: %v", err)
		}
		if _, err := s.JournalistByName(ctx, "ann"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removed journalist: %v", err)
		}
	})
	t.Run("sources and items", func(t *testing.T) {
		s, _ := open(t)
		src := store.Source{ID: store.NewID(), LoginHash: []byte{1, 2, 3}, Recipient: "age1s", Designation: "brave otter", Created: 100, Active: 100}
		if err := s.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		dup := src
		dup.ID = store.NewID()
		if err := s.CreateSource(ctx, dup); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate login hash: %v", err)
		}
		dup.LoginHash = []byte{9}
		if err := s.CreateSource(ctx, dup); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate designation: %v", err)
		}
		got, err := s.SourceByLogin(ctx, []byte{1, 2, 3})
		if err != nil || got.ID != src.ID || got.Designation != "brave otter" {
			t.Fatalf("%+v %v", got, err)
		}
		if _, err := s.SourceByLogin(ctx, []byte{7}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown login: %v", err)
		}
		items := []store.Item{
			{Kind: store.KindMessage, Blob: "b1", Size: 10, Manifest: []byte("m1")},
			{Kind: store.KindFile, Blob: "b2", Size: 20, Manifest: []byte("m2"), SHA256: bytes.Repeat([]byte{7}, 32)},
		}
		if err := s.AddSubmission(ctx, src.ID, store.NewID(), items); err != nil {
			t.Fatal(err)
		}
		if err := s.AddSubmission(ctx, "nobody", store.NewID(), nil); err == nil {
			t.Fatal("a submission for an unknown source was stored")
		}
		if err := s.AddReply(ctx, store.Item{SourceID: src.ID, Blob: "r1", Size: 5, Manifest: []byte("mr")}); err != nil {
			t.Fatal(err)
		}
		all, err := s.Items(ctx, src.ID)
		if err != nil || len(all) != 3 || all[0].Blob != "b1" || all[1].Blob != "b2" || all[2].Kind != store.KindReply {
			t.Fatalf("%+v %v", all, err)
		}
		if all[0].Seq >= all[1].Seq || all[1].Seq >= all[2].Seq || all[0].SubmissionID == "" || all[2].SubmissionID != "" {
			t.Fatalf("order or submission: %+v", all)
		}
		if !bytes.Equal(all[1].Manifest, []byte("m2")) || all[1].Size != 20 || !bytes.Equal(all[1].SHA256, bytes.Repeat([]byte{7}, 32)) || all[0].SHA256 != nil {
			t.Fatalf("item fields: %+v", all[1])
		}
		if s2, _ := s.SourceByID(ctx, src.ID); s2.Active != store.Today() {
			t.Fatalf("active day %d, want %d", s2.Active, store.Today())
		}
		replies, _ := s.Items(ctx, src.ID, store.KindReply)
		if len(replies) != 1 {
			t.Fatalf("replies %+v", replies)
		}
		if ok, _ := s.BlobReferenced(ctx, "r1"); !ok {
			t.Fatal("r1 not referenced")
		}
		if _, err := s.DeleteItem(ctx, src.ID, replies[0].ID, store.KindFile); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete with wrong kind: %v", err)
		}
		if _, err := s.DeleteItem(ctx, "other", replies[0].ID, store.KindReply); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete from another source: %v", err)
		}
		del, err := s.DeleteItem(ctx, src.ID, replies[0].ID, store.KindReply)
		if err != nil || del.Blob != "r1" {
			t.Fatalf("%+v %v", del, err)
		}
		if ok, _ := s.BlobReferenced(ctx, "r1"); ok {
			t.Fatal("r1 still referenced")
		}
	})
	t.Run("failed submission leaves nothing", func(t *testing.T) {
		s, _ := open(t)
		src := store.Source{ID: store.NewID(), LoginHash: []byte{4}, Recipient: "r", Designation: "d"}
		s.CreateSource(ctx, src)
		dupID := store.NewID()
		items := []store.Item{
			{ID: dupID, Kind: store.KindFile, Blob: "x1", Manifest: []byte("m")},
			{ID: dupID, Kind: store.KindFile, Blob: "x2", Manifest: []byte("m")},
		}
		if err := s.AddSubmission(ctx, src.ID, store.NewID(), items); err == nil {
			t.Fatal("duplicate item IDs stored")
		}
		if all, _ := s.Items(ctx, src.ID); len(all) != 0 {
			t.Fatalf("partial submission visible: %+v", all)
		}
	})
}
