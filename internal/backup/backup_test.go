package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"confide/internal/blob"
	"confide/internal/store"
	"confide/internal/store/postgres"
	"confide/internal/store/sqlite"
	"confide/internal/store/storetest"

	"filippo.io/age"
)

// live is a filled store with its data folder: blobs and onion keys.
type live struct {
	st    *store.DB
	data  string
	f     storetest.Filled
	blobs map[string][]byte
}

func newLive(t *testing.T, b storetest.Backend) *live {
	t.Helper()
	st, _ := b.Open(t)
	l := &live{st: st, data: t.TempDir(), f: storetest.Fill(t, st), blobs: map[string][]byte{}}
	d, err := blob.Open(filepath.Join(l.data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range l.f.Blobs {
		body := make([]byte, 70000)
		rand.Read(body)
		if _, err := d.Put(name, bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		l.blobs[name] = body
	}
	// An orphan (a blob written after the snapshot looks the same).
	if _, err := d.Put(strings.Repeat("ab", 16), strings.NewReader("orphan")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(l.data, "tor", "dropbox", "hs_ed25519_secret_key"), "secret key")
	write(t, filepath.Join(l.data, "tor", "dropbox", "hostname"), "abc.onion\n")
	write(t, filepath.Join(l.data, "tor", "state", "cached-consensus"), "tor state")
	write(t, filepath.Join(l.data, "outbox", "mail.eml"), "a reader's mail")
	write(t, filepath.Join(l.data, "published", "5e", strings.Repeat("5e", 32)), "a published page")
	write(t, filepath.Join(l.data, "published", "tmp", "incoming-1"), "a publish in progress")
	return l
}

func write(t *testing.T, p, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o700)
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// target is an empty restore target on a backend.
type target struct {
	Target
	dsn string
}

func newTarget(t *testing.T, backend string) target {
	t.Helper()
	tg := target{Target: Target{Data: filepath.Join(t.TempDir(), "restored")}}
	if backend == "postgres" {
		tg.dsn = storetest.PostgresDSN(t)
		tg.Open = func(ctx context.Context, _ string) (*store.DB, error) { return postgres.Open(ctx, tg.dsn) }
	} else {
		tg.Open = func(ctx context.Context, dir string) (*store.DB, error) {
			return sqlite.Open(ctx, filepath.Join(dir, "confide.db"))
		}
	}
	return tg
}

// open opens the restored store (from its place, for SQLite).
func (tg target) open(t *testing.T) *store.DB {
	t.Helper()
	var st *store.DB
	var err error
	if tg.dsn != "" {
		st, err = postgres.Open(context.Background(), tg.dsn)
	} else {
		st, err = sqlite.Open(context.Background(), filepath.Join(tg.Data, "confide.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// untouched checks a refused restore left nothing: no folder, no temp
// folder beside it, no row.
func (tg target) untouched(t *testing.T) {
	t.Helper()
	if entries, _ := os.ReadDir(tg.Data); len(entries) > 0 {
		t.Errorf("the target folder has %d entries", len(entries))
	}
	tg.untouched2(t)
	if tg.dsn != "" {
		st := tg.open(t)
		for name, rows := range storetest.Dump(t, st) {
			if len(rows) > 0 {
				t.Errorf("table %s has %d rows after a refused restore", name, len(rows))
			}
		}
	}
}

func key(t *testing.T) *age.X25519Identity {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func backup(t *testing.T, l *live, id *age.X25519Identity) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "snapshot.age")
	if _, err := WriteFile(context.Background(), file, Source{Store: l.st, Data: l.data}, []age.Recipient{id.Recipient()}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file + ".tmp"); err == nil {
		t.Fatal("the .tmp file was left")
	}
	return file
}

func restore(t *testing.T, file string, id age.Identity, tg target) (Manifest, error) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Restore(context.Background(), f, []age.Identity{id}, tg.Target)
}

// TestRoundTrip backs up each backend and restores it on the other.
func TestRoundTrip(t *testing.T) {
	for _, pair := range [][2]int{{0, 1}, {1, 0}} {
		from, to := storetest.Backends()[pair[0]], storetest.Backends()[pair[1]]
		t.Run(from.Name+"_to_"+to.Name, func(t *testing.T) {
			l := newLive(t, from)
			id := key(t)
			file := backup(t, l, id)
			checkArchive(t, file, id, l)
			tg := newTarget(t, to.Name)
			m, err := restore(t, file, id, tg)
			if err != nil {
				t.Fatal(err)
			}
			if m.Backend != from.Name || m.Blobs != len(l.f.Blobs) || m.Files != 3 || m.Rows("items") != 4 {
				t.Fatalf("manifest %+v", m)
			}
			st := tg.open(t)
			if got, want := storetest.Dump(t, st), storetest.Dump(t, l.st); !reflect.DeepEqual(got, want) {
				t.Fatalf("restored rows differ:\n got %v\nwant %v", got, want)
			}
			d := blob.Existing(filepath.Join(tg.Data, "blobs"))
			for name, body := range l.blobs {
				var buf bytes.Buffer
				if _, err := d.Copy(&buf, name); err != nil || !bytes.Equal(buf.Bytes(), body) {
					t.Fatalf("blob %s: %v", name, err)
				}
			}
			if _, err := d.Open(strings.Repeat("ab", 16)); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("an unreferenced blob was restored: %v", err)
			}
			if b, _ := os.ReadFile(filepath.Join(tg.Data, "tor", "dropbox", "hs_ed25519_secret_key")); string(b) != "secret key" {
				t.Fatalf("onion key %q", b)
			}
			// A published document's file comes back (its row does); a staged one does not.
			if b, _ := os.ReadFile(filepath.Join(tg.Data, "published", "5e", strings.Repeat("5e", 32))); string(b) != "a published page" {
				t.Fatalf("published file %q", b)
			}
			for _, gone := range []string{"tor/state", "outbox", "published/tmp/incoming-1"} {
				if _, err := os.Stat(filepath.Join(tg.Data, gone)); err == nil {
					t.Errorf("%s was restored", gone)
				}
			}
			if info, err := os.Stat(filepath.Join(tg.Data, "tor", "dropbox", "hs_ed25519_secret_key")); err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("onion key mode %v %v", info, err)
			}
			tg.untouched2(t)
		})
	}
}

// untouched2 checks the restore left no temp folder beside or in its target.
func (tg target) untouched2(t *testing.T) {
	t.Helper()
	beside, _ := filepath.Glob(filepath.Join(filepath.Dir(tg.Data), ".restored.restore-*"))
	inside, _ := filepath.Glob(filepath.Join(tg.Data, ".restore-*"))
	if left := append(beside, inside...); len(left) > 0 {
		t.Errorf("a restore folder was left: %v", left)
	}
}

// TestRestoreIntoEmptyFolder: an existing folder with only lost+found (a
// mount point) is filled in place, and left as it was if the restore fails.
func TestRestoreIntoEmptyFolder(t *testing.T) {
	l := newLive(t, storetest.Backends()[0])
	id := key(t)
	file := backup(t, l, id)
	tg := newTarget(t, "sqlite")
	os.MkdirAll(filepath.Join(tg.Data, "lost+found"), 0o700)
	if _, err := restore(t, file, key(t), tg); err == nil {
		t.Fatal("a wrong key restored")
	}
	if entries, _ := os.ReadDir(tg.Data); len(entries) != 1 {
		t.Fatalf("a failed restore left %d entries", len(entries))
	}
	if _, err := restore(t, file, id, tg); err != nil {
		t.Fatal(err)
	}
	tg.untouched2(t)
	for _, p := range []string{"lost+found", "confide.db", "blobs", "tor/dropbox/hostname"} {
		if _, err := os.Stat(filepath.Join(tg.Data, p)); err != nil {
			t.Errorf("after restoring in place: %v", err)
		}
	}
	if got, want := storetest.Dump(t, tg.open(t)), storetest.Dump(t, l.st); !reflect.DeepEqual(got, want) {
		t.Fatal("the rows restored in place differ")
	}
}

// checkArchive decrypts a snapshot with the age library and reads it as a
// plain tar: manifest first, every entry dated to the day, in the order
// db, blobs, files.
func checkArchive(t *testing.T, file string, id age.Identity, l *live) {
	t.Helper()
	names := eachEntry(t, file, id, func(hdr *tar.Header, r io.Reader) {
		if hdr.Name == "manifest.json" {
			var m Manifest
			if err := json.NewDecoder(r).Decode(&m); err != nil || m.Format != Format || m.Day != time.Now().UTC().Format("2006-01-02") {
				t.Fatalf("manifest %+v %v", m, err)
			}
		}
	})
	if len(names) == 0 || names[0] != "manifest.json" {
		t.Fatalf("entries %v", names)
	}
	rank := func(n string) int {
		switch {
		case strings.HasPrefix(n, "db/"):
			return 1
		case strings.HasPrefix(n, "blobs/"):
			return 2
		case strings.HasPrefix(n, "files/"):
			return 3
		}
		return 0
	}
	for i := 1; i < len(names); i++ {
		if rank(names[i]) < rank(names[i-1]) || rank(names[i]) == 0 {
			t.Fatalf("entries out of order: %v", names)
		}
	}
	if n := strings.Count(strings.Join(names, "\n"), "blobs/"); n != len(l.f.Blobs) {
		t.Fatalf("%d blobs in the archive, want %d: %v", n, len(l.f.Blobs), names)
	}
}

// eachEntry reads a snapshot as a plain tar, checks that every entry is
// dated to the day with no owner, calls fn with each and returns their
// names.
func eachEntry(t *testing.T, file string, id age.Identity, fn func(*tar.Header, io.Reader)) []string {
	t.Helper()
	tr := tar.NewReader(decrypt(t, file, id))
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if !hdr.ModTime.Equal(store.Today().Time()) || hdr.ModTime.Unix()%86400 != 0 {
			t.Errorf("%s is dated %v, not the day", hdr.Name, hdr.ModTime)
		}
		if hdr.Uname != "" || hdr.Uid != 0 || hdr.Mode != 0o600 {
			t.Errorf("%s has owner %q/%d mode %o", hdr.Name, hdr.Uname, hdr.Uid, hdr.Mode)
		}
		fn(hdr, tr)
	}
}

// TestDeletionRacesBackup: an item deleted (row, then file) between the
// snapshot and the copy of its blob makes the backup start again, so the
// snapshot neither misses a blob nor brings the item back.
func TestDeletionRacesBackup(t *testing.T) {
	ctx := context.Background()
	l := newLive(t, storetest.Backends()[0])
	runs := 0
	afterSnapshot = func() {
		runs++
		if runs == 1 {
			it, err := l.st.DeleteItem(ctx, l.f.Source.ID, firstItem(t, l).ID, "")
			if err != nil {
				t.Fatal(err)
			}
			blob.Existing(filepath.Join(l.data, "blobs")).Remove(it.Blob)
		}
	}
	defer func() { afterSnapshot = nil }()
	id := key(t)
	file := backup(t, l, id)
	if runs != 2 {
		t.Fatalf("the backup ran %d times, want 2", runs)
	}
	tg := newTarget(t, "sqlite")
	m, err := restore(t, file, id, tg)
	if err != nil || m.Blobs != len(l.f.Blobs)-1 || m.Rows("items") != 3 {
		t.Fatalf("%+v %v", m, err)
	}

	// A blob missing while its row stays is damage, not a race.
	afterSnapshot = func() { blob.Existing(filepath.Join(l.data, "blobs")).Remove(firstItem(t, l).Blob) }
	out := filepath.Join(t.TempDir(), "s.age")
	_, err = WriteFile(ctx, out, Source{Store: l.st, Data: l.data}, []age.Recipient{id.Recipient()})
	if err == nil || !strings.Contains(err.Error(), "missing from the data folder") {
		t.Fatalf("a missing blob: %v", err)
	}
	if _, err := os.Stat(out + ".tmp"); err == nil {
		t.Fatal("a failed backup left its .tmp file")
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a failed backup left a snapshot")
	}
}

func firstItem(t *testing.T, l *live) store.Item {
	items, err := l.st.Items(context.Background(), l.f.Source.ID)
	if err != nil || len(items) == 0 {
		t.Fatal(err)
	}
	return items[0]
}

// decrypt opens a snapshot with the age library, for reading as a plain tar.
func decrypt(t *testing.T, file string, id age.Identity) io.Reader {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := age.Decrypt(f, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rewrite decrypts a snapshot, lets edit change its entries, and encrypts
// it again to the same key: a snapshot forged by someone holding the key,
// or made by another version.
func rewrite(t *testing.T, file string, id *age.X25519Identity, edit func(name string, body []byte) (string, []byte)) string {
	t.Helper()
	r := decrypt(t, file, id)
	out := filepath.Join(t.TempDir(), "forged.age")
	o, _ := os.Create(out)
	defer o.Close()
	w, _ := age.Encrypt(o, id.Recipient())
	tr, tw := tar.NewReader(r), tar.NewWriter(w)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		body, _ := io.ReadAll(tr)
		name, body := edit(hdr.Name, body)
		if name == "" {
			continue
		}
		hdr.Name, hdr.Size = name, int64(len(body))
		tw.WriteHeader(hdr)
		tw.Write(body)
	}
	tw.Close()
	w.Close()
	return out
}

func editManifest(fn func(*Manifest)) func(string, []byte) (string, []byte) {
	return func(name string, body []byte) (string, []byte) {
		if name != "manifest.json" {
			return name, body
		}
		var m Manifest
		json.Unmarshal(body, &m)
		fn(&m)
		b, _ := json.Marshal(m)
		return name, b
	}
}

// badSnapshot is a snapshot file a restore must refuse with want.
type badSnapshot struct {
	name, file string
	id         age.Identity
	want       string
}

// variant writes a variant of a snapshot's bytes.
func variant(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	os.WriteFile(p, b, 0o600)
	return p
}

// damaged are the variants of a good snapshot that any restore refuses:
// cut, altered, for another key, not age, of a newer schema.
func damaged(t *testing.T, file string, id *age.X25519Identity) []badSnapshot {
	raw, _ := os.ReadFile(file)
	flipped := bytes.Clone(raw)
	flipped[len(flipped)/2] ^= 1
	return []badSnapshot{
		{"truncated", variant(t, "cut", raw[:len(raw)/2]), id, "backup: the snapshot is damaged"},
		{"truncated at the end", variant(t, "cut-end", raw[:len(raw)-10]), id, "backup: the snapshot is damaged"},
		{"tampered", variant(t, "flipped", flipped), id, "backup: the snapshot is damaged"},
		{"wrong identity", file, key(t), "another key"},
		{"not age", variant(t, "plain", []byte("hello")), id, "not an age-encrypted snapshot"},
		{"newer schema", rewrite(t, file, id, editManifest(func(m *Manifest) { m.Schema++ })), id, "newer than this binary"},
	}
}

// TestBadInput: each bad snapshot or target is a clear error and leaves
// nothing behind, on both backends.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		l := newLive(t, b)
		// Rows enough to span several age chunks, so that damage can fall
		// inside them and not only in the blobs.
		for i := range 1500 {
			l.st.SetSetting(context.Background(), fmt.Sprintf("filler-%d", i), strings.Repeat("x", 100))
		}
		id := key(t)
		file := backup(t, l, id)
		raw, _ := os.ReadFile(file)
		// The payload follows the header's "--- MAC" line and a 16-byte
		// nonce; chunks are 64 KiB of plaintext plus a 16-byte tag.
		payload := bytes.Index(raw, []byte("\n--- "))
		payload += bytes.IndexByte(raw[payload+1:], '\n') + 2 + 16
		inRows := bytes.Clone(raw)
		inRows[payload+65536+16+100] ^= 1
		firstBlob, renamed := "", false
		cases := append(damaged(t, file, id), []badSnapshot{
			{"tampered in the rows", variant(t, "flipped-rows", inRows), id, "backup: the snapshot is damaged"},
			{"newer format", rewrite(t, file, id, editManifest(func(m *Manifest) { m.Format++ })), id, "format 2 is newer"},
			{"blob missing", rewrite(t, file, id, func(name string, body []byte) (string, []byte) {
				if strings.HasPrefix(name, "blobs/") && firstBlob == "" {
					firstBlob = name
					return "", nil
				}
				return name, body
			}), id, "1 missing"},
			{"blob extra", rewrite(t, file, id, func(name string, body []byte) (string, []byte) {
				if strings.HasPrefix(name, "blobs/") && !renamed {
					renamed = true
					return "blobs/cd/" + strings.Repeat("cd", 16) + ".age", body
				}
				return name, body
			}), id, "not referenced"},
			{"row missing", rewrite(t, file, id, func(name string, body []byte) (string, []byte) {
				if strings.HasPrefix(name, "db/comments.") {
					return name, nil
				}
				return name, body
			}), id, "the snapshot said"},
			{"path escape", rewrite(t, file, id, func(name string, body []byte) (string, []byte) {
				if strings.HasSuffix(name, "/hostname") {
					return "files/tor/dropbox/../../../escaped", body
				}
				return name, body
			}), id, "unexpected entry"},
		}...)
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				tg := newTarget(t, b.Name)
				_, err := restore(t, c.file, c.id, tg)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("got %v, want an error with %q", err, c.want)
				}
				tg.untouched(t)
			})
		}
		t.Run("folder not empty", func(t *testing.T) {
			tg := newTarget(t, b.Name)
			refusesNonEmptyFolder(t, tg.Data, func() error { _, err := restore(t, file, id, tg); return err })
		})
		if b.Name == "postgres" {
			t.Run("database not empty", func(t *testing.T) {
				tg := newTarget(t, b.Name)
				st := tg.open(t)
				st.SetSetting(context.Background(), "mine", "1")
				if _, err := restore(t, file, id, tg); err == nil || !strings.Contains(err.Error(), "not empty") {
					t.Fatalf("non-empty database: %v", err)
				}
				if v, _ := st.Setting(context.Background(), "mine"); v != "1" {
					t.Fatal("the database's row was touched")
				}
				if _, err := os.Stat(tg.Data); err == nil {
					t.Fatal("a data folder was made")
				}
			})
		}
	})
}

// refusesNonEmptyFolder checks that a restore into a folder holding a file
// is refused and leaves the file as it was.
func refusesNonEmptyFolder(t *testing.T, data string, restore func() error) {
	t.Helper()
	write(t, filepath.Join(data, "keep.txt"), "mine")
	if err := restore(); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "keep.txt")); string(b) != "mine" {
		t.Fatal("the folder's file was touched")
	}
}

// TestOlderSnapshot: a snapshot taken at the previous schema is loaded into
// that schema on the other backend, then upgraded to this binary's.
func TestOlderSnapshot(t *testing.T) {
	ctx := context.Background()
	probe, _ := storetest.Backends()[0].Open(t)
	cur, err := probe.SchemaVersion(ctx)
	if err != nil || cur < 2 {
		t.Fatalf("schema %d %v", cur, err)
	}
	for _, pair := range [][2]string{{"sqlite", "postgres"}, {"postgres", "sqlite"}} {
		t.Run(pair[0]+"_to_"+pair[1], func(t *testing.T) {
			old := store.AtSchema(ctx, cur-1)
			var src *store.DB
			var err error
			if pair[0] == "sqlite" {
				src, err = sqlite.Open(old, filepath.Join(t.TempDir(), "confide.db"))
			} else {
				src, err = postgres.Open(old, storetest.PostgresDSN(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if v, _ := src.SchemaVersion(ctx); v != cur-1 {
				t.Fatalf("the old store is at schema %d, want %d", v, cur-1)
			}
			// Rows through SQL with the first schema's columns only: the Store
			// methods write this binary's columns, which the old schema may lack.
			s := store.Source{ID: store.NewID(), LoginHash: []byte("login"), Recipient: "age1src", Designation: "calm owl"}
			name, sub := strings.Repeat("12", 16), store.NewID()
			exec := func(query string, args ...any) {
				if pair[0] == "postgres" {
					for i := range args {
						query = strings.Replace(query, "?", fmt.Sprintf("$%d", i+1), 1)
					}
				}
				if _, err := src.SQL().ExecContext(ctx, query, args...); err != nil {
					t.Fatal(err)
				}
			}
			exec(`INSERT INTO journalists (id, name, recipient, admin, created) VALUES (?, ?, ?, ?, ?)`, store.NewID(), "ann", "age1ann", 1, int64(store.Today()))
			exec(`INSERT INTO sources (id, login_hash, recipient, designation, created_day, active_day) VALUES (?, ?, ?, ?, ?, ?)`,
				s.ID, s.LoginHash, s.Recipient, s.Designation, int64(store.Today()), int64(store.Today()))
			exec(`INSERT INTO submissions (id, source_id, created_day) VALUES (?, ?, ?)`, sub, s.ID, int64(store.Today()))
			exec(`INSERT INTO items (id, source_id, submission_id, kind, blob, size, manifest, created_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				store.NewID(), s.ID, sub, store.KindMessage, name, 6, []byte("m"), int64(store.Today()))
			data := t.TempDir()
			d, _ := blob.Open(filepath.Join(data, "blobs"))
			d.Put(name, strings.NewReader("cipher"))
			id := key(t)
			file := filepath.Join(t.TempDir(), "old.age")
			m, err := WriteFile(ctx, file, Source{Store: src, Data: data}, []age.Recipient{id.Recipient()})
			if err != nil || m.Schema != cur-1 {
				t.Fatalf("old snapshot: schema %d %v", m.Schema, err)
			}
			tg := newTarget(t, pair[1])
			if _, err := restore(t, file, id, tg); err != nil {
				t.Fatal(err)
			}
			st := tg.open(t)
			if v, _ := st.SchemaVersion(ctx); v != cur {
				t.Fatalf("restored at schema %d, want %d", v, cur)
			}
			got, err := st.SourceByLogin(ctx, s.LoginHash)
			items, _ := st.Items(ctx, s.ID)
			if err != nil || got.Designation != s.Designation || len(items) != 1 || items[0].Blob != name {
				t.Fatalf("restored source %+v %v, items %+v", got, err, items)
			}
			if _, err := st.JournalistByName(ctx, "ann"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestNewsroomKey: a key file kept outside the database (serve
// --newsroom-key) travels in the snapshot, and restore writes it only where
// it is told to, never over an existing file.
func TestNewsroomKey(t *testing.T) {
	ctx := context.Background()
	l := newLive(t, storetest.Backends()[0])
	keyFile := filepath.Join(t.TempDir(), "newsroom.key")
	write(t, keyFile, "00112233\n")
	id := key(t)
	file := filepath.Join(t.TempDir(), "s.age")
	m, err := WriteFile(ctx, file, Source{Store: l.st, Data: l.data, NewsroomKey: keyFile}, []age.Recipient{id.Recipient()})
	if err != nil || !m.NewsroomKey {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := WriteFile(ctx, file, Source{Store: l.st, Data: l.data, NewsroomKey: keyFile + ".missing"}, []age.Recipient{id.Recipient()}); err == nil {
		t.Fatal("a missing key file was backed up")
	}
	tg := newTarget(t, "sqlite")
	if _, err := restore(t, file, id, tg); err == nil || !strings.Contains(err.Error(), "say where it goes with --newsroom-key") {
		t.Fatalf("no key path: %v", err)
	}
	tg.untouched(t)
	tg.NewsroomKey = keyFile
	if _, err := restore(t, file, id, tg); err == nil || !strings.Contains(err.Error(), "never overwrites a key") {
		t.Fatalf("existing key file: %v", err)
	}
	tg.untouched(t)
	tg.NewsroomKey = filepath.Join(t.TempDir(), "restored.key")
	if _, err := restore(t, file, id, tg); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(tg.NewsroomKey)
	info, err := os.Stat(tg.NewsroomKey)
	if string(b) != "00112233\n" || err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("restored key %q %v", b, info)
	}
	// A snapshot without one refuses a key path rather than ignore it.
	plain := backup(t, l, id)
	tg2 := newTarget(t, "sqlite")
	tg2.NewsroomKey = filepath.Join(t.TempDir(), "k")
	if _, err := restore(t, plain, id, tg2); err == nil || !strings.Contains(err.Error(), "carries no newsroom key file") {
		t.Fatalf("key path for a snapshot without one: %v", err)
	}
	if _, err := os.Stat(tg2.NewsroomKey); err == nil {
		t.Fatal("a key file was written")
	}
	// A failed restore removes the key file it wrote.
	cut := rewrite(t, file, id, func(name string, body []byte) (string, []byte) {
		if strings.HasPrefix(name, "db/comments.") {
			return name, nil
		}
		return name, body
	})
	tg3 := newTarget(t, "sqlite")
	tg3.NewsroomKey = filepath.Join(t.TempDir(), "k3")
	if _, err := restore(t, cut, id, tg3); err == nil {
		t.Fatal("a snapshot short of rows restored")
	}
	if _, err := os.Stat(tg3.NewsroomKey); err == nil {
		t.Fatal("a failed restore left the key file")
	}
	tg3.untouched(t)
}
