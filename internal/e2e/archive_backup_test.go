package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"confide/internal/store/storetest"
)

// TestArchiveBackupBesideIngest backs up an archive with the binary while
// an ingest process works through a trove (on PostgreSQL, while archive
// serve runs too; on SQLite the ingest holds the folder's lock), restores
// it on the other backend, and runs the same ingest on the restored
// archive: it finishes the trove from the snapshot's instant, and every
// file is found once, none twice.
func TestArchiveBackupBesideIngest(t *testing.T) {
	storetest.AcrossBackends(t, func(t *testing.T, from, to string) {
		flags := func(backend string) []string {
			if backend == "postgres" {
				return []string{"--db", storetest.PostgresDSN(t)}
			}
			return nil
		}
		db, restoredDB := flags(from), flags(to)
		data := filepath.Join(t.TempDir(), "archive")
		root := filepath.Join(t.TempDir(), "many")
		// Enough files, one worker and the backup begun at the first files
		// reported, so that the ingest, which stores and reports files many
		// at a time, is still running at the backup's instant.
		const n = 1000
		for i := range n {
			writeFile(t, filepath.Join(root, "d"+strconv.Itoa(i%10), "f"+strconv.Itoa(i)+".txt"), []byte("Уникальная запись номер "+strconv.Itoa(i)+" из архивов.\n"))
		}
		ingest := func(data string, db []string) []string {
			return slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "many", "--no-ocr", "--workers", "1"}, db, []string{root})
		}
		if from == "postgres" {
			// Served while it is ingested and backed up.
			run(t, slices.Concat([]string{"archive", "status", "--data", data}, db)...)
			startArchive(t, data, db)
		}
		admin := filepath.Join(t.TempDir(), "admin.txt")
		run(t, "keygen", "-o", admin)
		pub, _ := exec.Command("age-keygen", "-y", admin).Output()
		cmd := exec.Command(binary, ingest(data, db)...)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		for done := 0; done < 1 && sc.Scan(); {
			if strings.HasPrefix(sc.Text(), "done ") {
				done++
			}
		}
		snap := filepath.Join(t.TempDir(), "archive.age")
		wrote := run(t, slices.Concat([]string{"archive", "backup", "--data", data, "--recipient", strings.TrimSpace(string(pub)), "--out", snap}, db)...)
		for sc.Scan() {
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("the ingest beside the backup: %v", err)
		}
		t.Log(strings.TrimSpace(wrote))
		m := regexp.MustCompile(`^wrote .*: 1 collections, (\d+) files ingested, (\d+) documents`).FindStringSubmatch(wrote)
		if m == nil {
			t.Fatalf("backup said %q", wrote)
		}

		restored := filepath.Join(t.TempDir(), "restored")
		said := run(t, slices.Concat([]string{"archive", "restore", "--in", snap, "--identity", admin, "--data", restored}, restoredDB)...)
		if !strings.Contains(said, "search index rebuilt: "+m[2]+" documents") {
			t.Fatalf("restore said %q", said)
		}
		var st []struct {
			Queued, Running, Done int
			Docs                  int `json:"documents"`
		}
		if err := json.Unmarshal([]byte(run(t, slices.Concat([]string{"archive", "status", "--data", restored, "--json"}, restoredDB)...)), &st); err != nil {
			t.Fatal(err)
		}
		if len(st) != 1 || st[0].Done < 10 || st[0].Done >= n {
			t.Fatalf("the snapshot was not taken while the ingest ran: %+v", st)
		}
		// Search finds every document of the snapshot's instant, those of
		// the files being processed at it too.
		if h := archiveSearch(t, restored, restoredDB, "уникальная"); strconv.Itoa(h.Total) != m[2] || h.Total < st[0].Docs {
			t.Fatalf("search finds %d documents; the snapshot holds %s, %d of them of files done", h.Total, m[2], st[0].Docs)
		}
		// The same ingest on the restored archive finishes the trove.
		out, errs, code := archiveRun(t, ingest(restored, restoredDB)...)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("many: %d files done, 0 failed; %d documents, %d pages", n, n, n)) {
			t.Fatalf("the ingest on the restored archive: exit %d\n%s\n%s", code, out, errs)
		}
		paths := hitPaths(archiveSearch(t, restored, restoredDB, "уникальная"))
		if len(paths) != n || len(slices.Compact(paths)) != n {
			t.Fatalf("%d hits, %d distinct, want %d", len(paths), len(slices.Compact(slices.Clone(paths))), n)
		}
	})
}
