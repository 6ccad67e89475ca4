package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A custody record is accepted only with an item and a 32-byte hex hash,
// and what is accepted reads back the same after a round trip.
func FuzzSidecar(f *testing.F) {
	f.Add([]byte(`{"item":"i1","ciphertext_sha256":"` + "ab" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd" + `"}`))
	f.Add([]byte(`{"item":"","ciphertext_sha256":""}`))
	f.Add([]byte(`{"item":"x","ciphertext_sha256":"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"item":"i","ciphertext_sha256":"` + strings.Repeat("0", 64) + `","file_sha256":"` + strings.Repeat("A", 64) + `"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseSidecar(b)
		if err != nil {
			return
		}
		if sum, err := hex.DecodeString(s.CiphertextSHA256); err != nil || len(sum) != 32 || s.Item == "" {
			t.Fatalf("accepted %+v", s)
		}
		if sum, err := hex.DecodeString(s.FileSHA256); s.FileSHA256 != "" && (err != nil || len(sum) != 32 || strings.ToLower(s.FileSHA256) != s.FileSHA256) {
			t.Fatalf("accepted a file_sha256 %q", s.FileSHA256)
		}
		again, _ := json.Marshal(s)
		s2, err := parseSidecar(again)
		if err != nil || s2 != s {
			t.Fatalf("round trip: %+v → %+v, %v", s, s2, err)
		}
	})
}

// TestWorkstationRecordsAgainstState: a custody record edited after the
// pull (another hash, another item than the workstation's state recorded)
// stops the collection with the reason; a file that is only named like a
// record, with no file beside it, is ingested like any file.
func TestWorkstationRecordsAgainstState(t *testing.T) {
	pull := filepath.Join(t.TempDir(), "pulled")
	real := strings.Repeat("ab", 32)
	write(t, pull, "otter/000001-a.txt", []byte("a"))
	write(t, pull, "otter/000002-notes.confide.json", []byte(`{"a source's own file":true}`))
	state := t.TempDir()
	write(t, state, "state.json", []byte(`{"user":"ann","pulled":{"i1":"otter/000001-a.txt","i2":"otter/000002-notes.confide.json"},"pulled_sha256":{"i1":"`+real+`"}}`))
	aSum := sha256.Sum256([]byte("a"))
	fileSum := hex.EncodeToString(aSum[:])
	record := func(item, sum, file string) {
		b, _ := json.Marshal(Sidecar{Item: item, CiphertextSHA256: sum, FileSHA256: file})
		write(t, pull, "otter/000001-a.txt"+SidecarSuffix, b)
	}
	record("i1", real, fileSum)
	items, err := CollectWorkstation(pull, state, func(p, why string) { t.Errorf("skipped %s: %s", p, why) })
	if err != nil || len(items) != 2 {
		t.Fatalf("honest records: %d items, %v", len(items), err)
	}
	for _, it := range items {
		if strings.HasSuffix(it.File, "notes.confide.json") && !strings.Contains(it.Origin, `"item":"i2"`) {
			t.Fatalf("the source's file named like a record: origin %s", it.Origin)
		}
		if strings.HasSuffix(it.File, "000001-a.txt") && it.SHA256 != fileSum {
			t.Fatalf("the record's file hash is not passed on to the queue: %q", it.SHA256)
		}
	}
	for _, c := range []struct{ item, sum, file, want string }{
		{"i1", strings.Repeat("cd", 32), fileSum, "the record was changed"},
		{"i9", real, fileSum, "the workstation's state says this file is item i1"},
		{"i1", real, strings.Repeat("0", 64), "the file was changed after the pull"},
	} {
		record(c.item, c.sum, c.file)
		if _, err := CollectWorkstation(pull, state, func(string, string) {}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("record %s %s… %s…: %v, want %q", c.item, c.sum[:8], c.file[:8], err, c.want)
		}
	}
}

// A file whose bytes changed between its custody check and its copy is
// not queued under a record that no longer describes it.
func TestEnqueueChecksTheRecordsHash(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ctx := context.Background()
		a.SetCollection(ctx, "inbox", "")
		f := write(t, t.TempDir(), "a.txt", []byte("edited"))
		_, err := a.Enqueue(ctx, "inbox", []Item{{File: f, Path: "pulled/a.txt", SHA256: strings.Repeat("0", 64)}}, func(QueueNote) {})
		if err == nil || !strings.Contains(err.Error(), "changed while it was being queued") {
			t.Fatalf("enqueue: %v", err)
		}
		sum := sha256.Sum256([]byte("edited"))
		if n, err := a.Enqueue(ctx, "inbox", []Item{{File: f, Path: "pulled/a.txt", SHA256: hex.EncodeToString(sum[:])}}, func(QueueNote) {}); err != nil || n != 1 {
			t.Fatalf("the same file with its true hash: %d %v", n, err)
		}
	})
}
