package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"confide/internal/store"
	"confide/internal/store/storetest"
)

// copyStore streams a snapshot of src into dst, as a restore does.
func copyStore(t *testing.T, src, dst *store.DB) *store.Snapshot {
	t.Helper()
	ctx := context.Background()
	sn, err := src.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sn.Close() })
	l, err := dst.Load(ctx, sn.Version)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Rollback()
	for _, tb := range sn.Tables {
		if err := sn.Rows(ctx, tb, func(row []any) error { return l.Insert(ctx, tb, row) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Commit(ctx, sn.Tables); err != nil {
		t.Fatal(err)
	}
	return sn
}

// TestDumpLoad copies a store that has rows in every table from each
// backend to each, and checks the copy row for row.
func TestDumpLoad(t *testing.T) {
	ctx := context.Background()
	for _, from := range storetest.Backends() {
		for _, to := range storetest.Backends() {
			t.Run(from.Name+"_to_"+to.Name, func(t *testing.T) {
				src, _ := from.Open(t)
				f := storetest.Fill(t, src)
				want := storetest.Dump(t, src)
				// Every table of the schema is dumped and Fill covers it: a
				// new table fails here until Fill writes to it.
				for name, rows := range want {
					if len(rows) == 0 {
						t.Errorf("table %s has no rows after storetest.Fill: add it there", name)
					}
				}
				for _, name := range []string{"settings", "items", "sources", "comments", "webauthn_credentials"} {
					if _, ok := want[name]; !ok {
						t.Errorf("the dump has no table %s", name)
					}
				}
				if _, ok := want["schema_migrations"]; ok {
					t.Error("schema_migrations is dumped; the version stands for it")
				}
				dst, _ := to.Open(t)
				sn := copyStore(t, src, dst)
				if got := storetest.Dump(t, dst); !reflect.DeepEqual(got, want) {
					t.Fatalf("the copy differs:\n got %v\nwant %v", got, want)
				}
				if got, err := dst.SourceByLogin(ctx, f.Source.LoginHash); err != nil || got.Designation != f.Source.Designation {
					t.Fatalf("source by login after copy: %+v %v", got, err)
				}
				refs, err := sn.Refs(ctx)
				if err != nil || len(refs) != 1 || !reflect.DeepEqual(refs[0], f.Blobs) {
					t.Fatalf("snapshot refs %v %v, want the blobs %v", refs, err, f.Blobs)
				}
				// New rows are numbered past everything the old server
				// handed out, the deleted item's number and a gap included.
				var counter int64
				for _, tb := range sn.Tables {
					if tb.Name == "items" {
						counter = tb.Counter
					}
				}
				if counter < f.Deleted.Seq || f.Deleted.Seq <= maxSeq(t, src, f.Source.ID) {
					t.Fatalf("items counter %d is below the deleted item's %d", counter, f.Deleted.Seq)
				}
				if err := dst.AddReply(ctx, store.Item{SourceID: f.Source.ID, Blob: strings.Repeat("e", 32), Manifest: []byte("m")}); err != nil {
					t.Fatal(err)
				}
				items, _ := dst.Items(ctx, f.Source.ID, store.KindReply)
				if last := items[len(items)-1].Seq; last <= counter+store.CounterGap {
					t.Fatalf("a new item got seq %d; the snapshot's counter was %d", last, counter)
				}
				del, err := dst.DeleteItem(ctx, f.Source.ID, items[0].ID, "")
				if err != nil {
					t.Fatal(err)
				}
				tombs, _ := dst.TombstonesSince(ctx, store.CounterGap)
				if len(tombs) != 1 || tombs[0].ItemID != del.ID {
					t.Fatalf("a new tombstone is not past the gap: %+v", tombs)
				}
			})
		}
	}
}

func maxSeq(t *testing.T, s *store.DB, sourceID string) int64 {
	items, err := s.Items(context.Background(), sourceID)
	if err != nil || len(items) == 0 {
		t.Fatal(err)
	}
	return items[len(items)-1].Seq
}

// TestLoadRefuses: a database with rows, a newer or older schema, and a
// dump whose counts do not add up; each leaves the target as it was.
func TestLoadRefuses(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		src, _ := b.Open(t)
		storetest.Fill(t, src)
		v, _ := src.SchemaVersion(ctx)
		if _, err := src.Load(ctx, v); !errors.Is(err, store.ErrNotEmpty) {
			t.Fatalf("load into a filled store: %v", err)
		}
		dst, _ := b.Open(t)
		if _, err := dst.Load(ctx, v+1); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("newer schema: %v", err)
		}
		if _, err := dst.Load(ctx, v-1); err == nil || !strings.Contains(err.Error(), "but the database is at") {
			t.Fatalf("an older snapshot into a newer database: %v", err)
		}
		sn, err := src.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Close()
		l, err := dst.Load(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range sn.Tables {
			if err := sn.Rows(ctx, tb, func(row []any) error { return l.Insert(ctx, tb, row) }); err != nil {
				t.Fatal(err)
			}
		}
		short := append([]store.Table(nil), sn.Tables...)
		short[0].Rows++
		if err := l.Commit(ctx, short); err == nil || !strings.Contains(err.Error(), "the snapshot said") {
			t.Fatalf("a count mismatch committed: %v", err)
		}
		l.Rollback()
		for name, rows := range storetest.Dump(t, dst) {
			if len(rows) > 0 {
				t.Errorf("a refused load left %d rows in %s", len(rows), name)
			}
		}
		// A column the schema lacks is refused before any row is written.
		l, err = dst.Load(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Rollback()
		odd := sn.Tables[0]
		odd.Columns = append(append([]store.Column(nil), odd.Columns...), store.Column{Name: "extra", Kind: store.KindText})
		if err := l.Insert(ctx, odd, make([]any, len(odd.Columns))); err == nil || !strings.Contains(err.Error(), "differ") {
			t.Fatalf("an unknown column: %v", err)
		}
	})
}
