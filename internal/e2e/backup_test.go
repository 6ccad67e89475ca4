package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/seal"
	"confide/internal/source"
	"confide/internal/store"
	"confide/internal/store/postgres"
	"confide/internal/store/sqlite"
	"confide/internal/store/storetest"
)

// TestBackupUnderLoad backs up a running server while a source keeps
// submitting, restores the snapshot on the other backend and serves it:
// the rows are those of one instant (nothing after, nothing half), the
// blobs are the same bytes, the onion address and the API key are the
// same, the source's codename still reads its reply, and workstations
// pull what they had not pulled, even one that synced past the snapshot.
func TestBackupUnderLoad(t *testing.T) {
	storetest.AcrossBackends(t, backupUnderLoad)
}

func backupUnderLoad(t *testing.T, from, to string) {
	ctx := context.Background()
	n := setup(t, from)
	dir := t.TempDir()
	// From SQLite the API signing key lives in a file (serve
	// --newsroom-key), which the backup carries; from PostgreSQL, in the
	// database.
	var keyFlag, restoredKey []string
	if from == "sqlite" {
		keyFlag, restoredKey = []string{"--newsroom-key", filepath.Join(dir, "newsroom.key")}, []string{"--newsroom-key", filepath.Join(dir, "restored.key")}
	}
	srv := n.start(t, append([]string{"--tor", "--tor-offline"}, keyFlag...)...)

	// A source with a message and large files, so the copy takes a while.
	codeFile := filepath.Join(dir, "codename")
	var files []string
	for i := range 8 {
		p := filepath.Join(dir, fmt.Sprintf("file%d.bin", i))
		b := make([]byte, 3<<20)
		rand.Read(b)
		os.WriteFile(p, b, 0o600)
		files = append(files, p)
	}
	os.WriteFile(filepath.Join(dir, "msg.txt"), []byte("Before the backup."), 0o600)
	runIn(t, "", append([]string{"source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-out", codeFile,
		"--message-file", filepath.Join(dir, "msg.txt")}, files...)...)

	// The journalist replies from a workstation; a copy of its state as it
	// is now is a second workstation that will not pull again before the
	// loss.
	webJournalist(t, srv.urls["newsroom"], n)
	state, early := filepath.Join(dir, "state"), filepath.Join(dir, "state-early")
	code, _ := seal.TOTPCode(n.totp, time.Now().Add(30*time.Second))
	runIn(t, n.pass+"\n"+code+"\n", "workstation", "login", "--newsroom", srv.urls["newsroom"], "--user", n.user, "--state", state)
	out, earlyOut := filepath.Join(dir, "pulled"), filepath.Join(dir, "pulled-early")
	runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
	ents, _ := os.ReadDir(out)
	if len(ents) != 1 {
		t.Fatalf("pulled %d source folders", len(ents))
	}
	designation := ents[0].Name()
	os.WriteFile(filepath.Join(dir, "reply.txt"), []byte("Reply kept across the restore."), 0o600)
	runIn(t, "", "workstation", "reply", "--identity", n.key, "--source", designation, "--message-file", filepath.Join(dir, "reply.txt"), "--state", state)
	runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
	copyDir(t, state, early)
	copyDir(t, out, earlyOut)

	// Load: another source submits without pause until told to stop.
	c, _ := source.New(srv.urls["dropbox"], "")
	p, err := c.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := source.Derive(seal.NewCodename(), p)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Register(ctx, keys); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var sent atomic.Int64
	var wg sync.WaitGroup
	var loadErr error
	loaded := make(chan struct{}) // closed when the load stops, loadErr set
	wg.Go(func() {
		defer close(loaded)
		for i := 0; !stop.Load(); i++ {
			msg := fmt.Sprintf("load message %d", i)
			id, err := c.Upload(ctx, "message", "", "text/plain", "", strings.NewReader(msg), int64(len(msg)), 4096)
			if err == nil {
				err = c.Submit(ctx, []string{id})
			}
			if err != nil {
				loadErr = err
				return
			}
			sent.Add(1)
		}
	})
	// A load that fails fails the test, instead of leaving it waiting.
	waitSent := func(n int64) {
		t.Helper()
		for sent.Load() < n {
			select {
			case <-loaded:
				t.Fatalf("the load stopped after %d submissions: %v", sent.Load(), loadErr)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	waitSent(3)
	orig := openStore(t, n.data, n.db)
	before := storetest.Dump(t, orig)
	admin := filepath.Join(dir, "admin.txt")
	run(t, "keygen", "-o", admin)
	pub, _ := exec.Command("age-keygen", "-y", admin).Output()
	snap := filepath.Join(dir, "snapshot.age")
	sentBefore := sent.Load()
	args := append([]string{"backup", "--data", n.data, "--recipient", strings.TrimSpace(string(pub)), "--out", snap}, keyFlag...)
	if n.db != "" {
		args = append(args, "--db", n.db)
	}
	msg := run(t, args...)
	sentDuring := sent.Load() - sentBefore
	after := storetest.Dump(t, orig)
	waitSent(sentBefore + sentDuring + 3)
	stop.Store(true)
	wg.Wait()
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	t.Logf("%s; %d submissions arrived while it ran", strings.TrimSpace(msg), sentDuring)
	if sentDuring == 0 {
		t.Fatal("no submission arrived while the backup ran: the test did not load the server")
	}
	// The second workstation syncs past the snapshot before the loss.
	runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
	oldOnion, oldKey := srv.urls["dropbox onion"], srv.urls["newsroom API key"]
	final := storetest.Dump(t, orig)
	srv.stop()

	// Restore on the other backend and serve it.
	r := &newsroom{name: to, data: filepath.Join(t.TempDir(), "restored"), user: n.user, pass: n.pass, totp: n.totp, key: n.key}
	rargs := append([]string{"restore", "--in", snap, "--identity", admin, "--data", r.data}, restoredKey...)
	if to == "postgres" {
		r.db = storetest.PostgresDSN(t)
		rargs = append(rargs, "--db", r.db)
	}
	said := run(t, rargs...)
	if !regexp.MustCompile(`restored into .*: 2 sources, \d+ items, 1 journalists, \d+ blobs, \d+ key files`).MatchString(said) {
		t.Fatalf("restore said %q", said)
	}
	restored := storetest.Dump(t, openStore(t, r.data, r.db))
	// Immutable rows: everything there before the backup began, nothing
	// made after it ended, and whole submissions only.
	for _, table := range []string{"items", "submissions"} {
		if !storetest.Subset(before[table], restored[table]) || !storetest.Subset(restored[table], after[table]) {
			t.Fatalf("%s: %d before, %d restored, %d after; the restored rows are not between", table, len(before[table]), len(restored[table]), len(after[table]))
		}
	}
	if len(restored["items"]) == len(final["items"]) {
		t.Fatal("the snapshot holds items made after it: it is not of one instant")
	}
	// Sources change (activity, counters), but who they are does not.
	who := func(dump map[string][]string) []string {
		var out []string
		for _, row := range dump["sources"] {
			var src struct {
				ID, Designation, Recipient string
				LoginHash                  []byte `json:"login_hash"`
			}
			json.Unmarshal([]byte(row), &src)
			out = append(out, fmt.Sprintf("%s %s %s %x", src.ID, src.Designation, src.Recipient, src.LoginHash))
		}
		slices.Sort(out)
		return out
	}
	if got, want := who(restored), who(final); len(got) != 2 || !slices.Equal(got, want) || strings.Contains(got[0]+got[1], "  ") {
		t.Fatalf("restored sources %v, want %v", got, want)
	}
	perSub := func(dump map[string][]string) map[string]int {
		m := map[string]int{}
		for _, row := range dump["items"] {
			var it struct {
				SubmissionID *string `json:"submission_id"`
			}
			json.Unmarshal([]byte(row), &it)
			if it.SubmissionID != nil {
				m[*it.SubmissionID]++
			}
		}
		return m
	}
	all := perSub(final)
	for sub, k := range perSub(restored) {
		if all[sub] != k {
			t.Fatalf("submission %s has %d of its %d items", sub, k, all[sub])
		}
	}
	origBlobs, newBlobs := blobs(t, n.data), blobs(t, r.data)
	if len(newBlobs) != len(restored["items"]) {
		t.Fatalf("%d blobs restored for %d items", len(newBlobs), len(restored["items"]))
	}
	for _, b := range newBlobs {
		rel, _ := filepath.Rel(r.data, b)
		want, err1 := os.ReadFile(filepath.Join(n.data, rel))
		got, err2 := os.ReadFile(b)
		if err1 != nil || err2 != nil || string(got) != string(want) {
			t.Fatalf("blob %s differs from the original (%v %v)", rel, err1, err2)
		}
	}
	if len(origBlobs) <= len(newBlobs) {
		t.Fatalf("the original has %d blobs, the restore %d: later blobs were copied", len(origBlobs), len(newBlobs))
	}

	rs := start(t, "serve", r.data, r.db, append([]string{"--tor", "--tor-offline"}, restoredKey...)...)
	if rs.urls["dropbox onion"] != oldOnion || rs.urls["newsroom API key"] != oldKey {
		t.Fatalf("onion %s / key %s after restore, were %s / %s", rs.urls["dropbox onion"], rs.urls["newsroom API key"], oldOnion, oldKey)
	}
	replies := runIn(t, "", "source", "replies", "--dropbox", rs.urls["dropbox"], "--codename-file", codeFile)
	if !strings.Contains(replies, "Reply kept across the restore.") {
		t.Fatalf("the source's replies after restore: %q", replies)
	}
	os.WriteFile(filepath.Join(dir, "msg2.txt"), []byte("After the restore."), 0o600)
	runIn(t, "", "source", "submit", "--dropbox", rs.urls["dropbox"], "--codename-file", codeFile, "--message-file", filepath.Join(dir, "msg2.txt"))

	// Both workstations keep their pinned key and token; only the address
	// changed.
	for _, st := range []string{state, early} {
		b, _ := os.ReadFile(filepath.Join(st, "state.json"))
		var m map[string]any
		json.Unmarshal(b, &m)
		m["newsroom"] = rs.urls["newsroom"]
		b, _ = json.Marshal(m)
		os.WriteFile(filepath.Join(st, "state.json"), b, 0o600)
	}
	// The early one gets every restored item it lacked, and the new one.
	earlyHad := 1 + len(files) + 1 // message, files, reply
	got := runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", earlyOut, "--state", early)
	if want := fmt.Sprintf("%d new item(s)", len(restored["items"])-earlyHad+1); !strings.Contains(got, want) || !strings.Contains(readAll(t, earlyOut), "After the restore.") {
		t.Fatalf("early workstation pull: %q, want %q", got, want)
	}
	// The late one had synced past the snapshot: it still sees the new item.
	got = runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
	if !strings.Contains(got, "1 new item(s)") || !strings.Contains(readAll(t, out), "After the restore.") {
		t.Fatalf("late workstation pull: %q", got)
	}
}

func openStore(t *testing.T, data, db string) *store.DB {
	t.Helper()
	var st *store.DB
	var err error
	if db != "" {
		st, err = postgres.Open(context.Background(), db)
	} else {
		st, err = sqlite.Open(context.Background(), filepath.Join(data, "confide.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// readAll concatenates every file under dir.
func readAll(t *testing.T, dir string) string {
	var sb strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			sb.Write(b)
		}
		return nil
	})
	return sb.String()
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}
