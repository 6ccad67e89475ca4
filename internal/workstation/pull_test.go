package workstation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"confide/internal/api"
)

// TestOnlyPadding: after the manifest's size, zeros (of any length, across
// reads) are padding; any other byte means the file is not what the
// manifest describes.
func TestOnlyPadding(t *testing.T) {
	zeros := make([]byte, 100<<10)
	if err := onlyPadding(bytes.NewReader(zeros)); err != nil {
		t.Fatalf("zeros refused: %v", err)
	}
	if err := onlyPadding(bytes.NewReader(nil)); err != nil {
		t.Fatalf("no padding refused: %v", err)
	}
	tail := append(bytes.Clone(zeros), 'x')
	if err := onlyPadding(bytes.NewReader(tail)); err == nil {
		t.Fatal("data after the padding passed")
	}
}

// TestPullWritesCustodyRecords: beside every file a pull writes lies its
// custody record, 0600, naming the item, its submission and source, and
// the SHA-256 of exactly the ciphertext the newsroom holds; a stray record
// where the next file would go is never overwritten.
func TestPullWritesCustodyRecords(t *testing.T) {
	n := startNewsroom(t)
	src := n.submit("brave otter", "a message", "a file")
	st, c := n.login(n.ts.URL)
	out := t.TempDir()
	res, err := Pull(context.Background(), c, st, n.id, out)
	if err != nil || len(res.Written) != 2 {
		t.Fatalf("pull: %+v %v", res, err)
	}
	items, err := n.st.Items(context.Background(), src.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("items: %v %v", items, err)
	}
	before := time.Now().UTC().Add(-time.Minute)
	for i, it := range items {
		rel := st.Pulled[it.ID]
		if rel != res.Written[i] {
			t.Fatalf("item %s written to %q, state says %q", it.ID, res.Written[i], rel)
		}
		path := filepath.Join(out, rel) + api.SidecarSuffix
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("custody record %s: %v %v", path, info, err)
		}
		b, _ := os.ReadFile(path)
		var sc api.Sidecar
		if err := json.Unmarshal(b, &sc); err != nil {
			t.Fatal(err)
		}
		var blob bytes.Buffer
		if _, err := n.blobs.Copy(&blob, it.Blob); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(blob.Bytes())
		plain, _ := os.ReadFile(filepath.Join(out, rel))
		fileSum := sha256.Sum256(plain)
		at, err := time.Parse(time.RFC3339, sc.PulledAt)
		want := api.Sidecar{Newsroom: c.base, Source: "brave otter", Item: it.ID, Submission: it.SubmissionID, Kind: it.Kind,
			CiphertextSHA256: hex.EncodeToString(sum[:]), FileSHA256: hex.EncodeToString(fileSum[:]), Day: it.Created.Time().Format("2006-01-02"), PulledBy: "ann", PulledAt: sc.PulledAt}
		if sc != want || it.SubmissionID == "" || len(plain) == 0 || err != nil || at.Before(before) || at.After(time.Now().Add(time.Minute)) {
			t.Fatalf("custody record\n%+v, want\n%+v (%v)", sc, want, err)
		}
		if st.PulledSHA256[it.ID] != sc.CiphertextSHA256 {
			t.Fatalf("state hash %q, record %q", st.PulledSHA256[it.ID], sc.CiphertextSHA256)
		}
	}
	// The next file would be 000004-doc.txt: a record already there (left
	// from an earlier pull, say) stays as it was, and the file goes aside.
	dir := filepath.Join(out, "brave-otter")
	stray := filepath.Join(dir, "000004-doc.txt"+api.SidecarSuffix)
	os.WriteFile(stray, []byte("keep me"), 0o600)
	n.submit("brave otter", "second message", "another file")
	res, err = Pull(context.Background(), c, st, n.id, out)
	if err != nil || len(res.Written) != 2 {
		t.Fatalf("second pull: %+v %v", res, err)
	}
	if b, _ := os.ReadFile(stray); string(b) != "keep me" {
		t.Fatalf("a custody record was overwritten: %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, res.Written[1]) + api.SidecarSuffix); err != nil || filepath.Base(res.Written[1]) != "000004-doc (2).txt" {
		t.Fatalf("second file %s and its record: %v", res.Written[1], err)
	}
}
