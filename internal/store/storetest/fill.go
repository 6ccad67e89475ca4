package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"confide/internal/store"
)

// Filled names what Fill made, for tests that check a copy of the store.
type Filled struct {
	Source     store.Source
	Journalist store.Journalist
	// Blobs are the blob names the items reference.
	Blobs []string
	// Deleted is the item Fill deleted, leaving a tombstone.
	Deleted store.Item
}

// Fill puts at least one row in every table through the Store interface, as
// the zones would. A test that copies a store checks each table has rows
// after Fill, so a new migration's table fails it until Fill covers it.
func Fill(t testing.TB, s *store.DB) Filled {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var f Filled
	_, err := s.Salt(ctx)
	must(err)
	must(s.SetSetting(ctx, "digest_seq", "7"))
	f.Journalist = store.Journalist{ID: store.NewID(), Name: "ann", Recipient: "age1recipient", Admin: true, Created: store.Today(),
		PassHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", TOTPSecret: "JBSWY3DPEHPK3PXP", TOTPConfirmed: true}
	must(s.AddJournalist(ctx, f.Journalist))
	must(s.LoginFailed(ctx, f.Journalist.ID, 1234))
	f.Source = store.Source{ID: store.NewID(), LoginHash: []byte{0, 1, 2, 0xff, 0xfe}, Recipient: "age1source", Designation: "quiet heron", Created: store.Today() - 3, Active: store.Today() - 3}
	must(s.CreateSource(ctx, f.Source))
	for i := range 3 {
		name := fmt.Sprintf("%032x", i+1)
		f.Blobs = append(f.Blobs, name)
		must(s.AddSubmission(ctx, f.Source.ID, store.NewID(), []store.Item{{Kind: store.KindMessage, Blob: name, Size: int64(100 + i), Manifest: []byte{byte(i), 0, 0xff}}}))
	}
	items, err := s.Items(ctx, f.Source.ID)
	must(err)
	reply := store.Item{ID: store.NewID(), SourceID: f.Source.ID, Blob: fmt.Sprintf("%032x", 99), Size: 42, Manifest: []byte("sealed"), Author: f.Journalist.ID}
	must(s.AddReply(ctx, reply))
	// A zero-length value, which must come back as such, not as NULL.
	must(s.AddReply(ctx, store.Item{SourceID: f.Source.ID, Blob: fmt.Sprintf("%032x", 98), Size: 43, Manifest: []byte{}, Author: f.Journalist.ID}))
	f.Blobs = append(f.Blobs, reply.Blob, fmt.Sprintf("%032x", 98))
	must(s.MarkSeen(ctx, f.Journalist.ID, items[0].ID))
	must(s.SetStarred(ctx, f.Source.ID, true))
	must(s.SetAssignee(ctx, f.Source.ID, "desk"))
	// The newest item is deleted: its number must never come back.
	all, err := s.Items(ctx, f.Source.ID)
	must(err)
	f.Deleted, err = s.DeleteItem(ctx, f.Source.ID, all[len(all)-1].ID, "")
	must(err)
	f.Blobs = slices.DeleteFunc(f.Blobs, func(b string) bool { return b == f.Deleted.Blob })
	slices.Sort(f.Blobs)
	must(s.Audit(ctx, "ann", "reply", "a reply"))
	must(s.CreateSession(ctx, store.Session{TokenHash: []byte("session-hash-0123456789abcdef0123"), JournalistID: f.Journalist.ID, Kind: "api", Expires: time.Now().Add(time.Hour)}))
	must(s.AddSecurityKey(ctx, f.Journalist.ID, "cred-1", `{"id":"cred-1"}`))
	_, err = s.SaveDocument(ctx, store.Document{Slug: "ledger", Title: "Ledger", Manifest: []byte(`{"slug":"ledger"}`),
		Files: []store.DocumentFile{{Name: "page-1.txt", SHA256: "ab", Size: 5}}})
	must(err)
	st, err := s.SaveStory(ctx, store.Story{Slug: "river", Title: "The river", Standfirst: "S", Body: "# Протокол\n", PullQuotes: []string{"q1", "q2"}, Cites: []string{"ledger"},
		Author: store.Author{Slug: "ann", Name: "Ann", Bio: "Ann writes."}, Tags: []string{"water"}, State: store.StoryPublished, Published: time.Now().Add(-time.Hour).Truncate(time.Second)})
	must(err)
	r := store.Reader{ID: store.NewID(), Email: "r@example.org", Name: "Reader", PassHash: "h", Created: time.Now().Truncate(time.Second)}
	must(s.CreateReader(ctx, r))
	must(s.CreateReaderToken(ctx, []byte("reader-token-hash"), r.ID, "session", time.Now().Add(time.Hour)))
	must(s.AddComment(ctx, store.Comment{ID: store.NewID(), StoryID: st.ID, ReaderID: r.ID, Body: "First", State: store.CommentApproved, Created: time.Now().Truncate(time.Second)}))
	return f
}

// Dump reads every table of s through a snapshot, each row as JSON, rows
// sorted: two stores with the same rows give the same map.
func Dump(t testing.TB, s *store.DB) map[string][]string {
	t.Helper()
	return DumpSchema(t, s.Schema())
}

// DumpSchema is Dump for any schema a dump reads (the archive's too).
func DumpSchema(t testing.TB, sc store.Schema) map[string][]string {
	t.Helper()
	ctx := context.Background()
	sn, err := sc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	out := map[string][]string{}
	for _, tb := range sn.Tables {
		rows := []string{}
		err := sn.Rows(ctx, tb, func(row []any) error {
			// By column name: the backends may order columns differently.
			m := map[string]any{}
			for i, c := range tb.Columns {
				m[c.Name] = row[i]
			}
			b, err := json.Marshal(m)
			rows = append(rows, string(b))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(rows)
		out[tb.Name] = rows
	}
	return out
}

// Subset reports whether every row of a is in b, both sorted as Dump gives
// them: what a snapshot taken between two dumps must hold.
func Subset(a, b []string) bool {
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			return false
		}
	}
	return true
}
