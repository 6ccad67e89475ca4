package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"confide/internal/store/storetest"

	"golang.org/x/text/encoding/charmap"
)

// archiveBackends gives each backend's extra flags: none for SQLite under
// --data, --db for a fresh PostgreSQL database.
func archiveBackends(t *testing.T, fn func(t *testing.T, db []string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, nil) })
	t.Run("postgres", func(t *testing.T) { fn(t, []string{"--db", storetest.PostgresDSN(t)}) })
}

// archiveRun runs the binary and returns its stdout, stderr and exit code.
func archiveRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func enc(t *testing.T, cm *charmap.Charmap, s string) []byte {
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// mixedTrove writes a small trove of every kind the archive reads: the
// ingest package's fixtures made by real tools (a scanned Russian page as
// PNG, JPEG and a two-page TIFF, a PDF with a Cyrillic text layer, DOCX,
// ODT, a zip with KOI8-R names, an encrypted PDF) and texts in Windows-1251
// and KOI8-R, an email with an attachment and a tar.gz, which mention the
// archive in other inflections than the query's.
func mixedTrove(t *testing.T) string {
	root := filepath.Join(t.TempDir(), "trove")
	for _, f := range []string{"ru.png", "ru.jpg", "pages.tif", "ru-text.pdf", "ru.docx", "ru.odt", "legacy-koi8r.zip", "encrypted.pdf"} {
		b, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, "fixtures", f), b)
	}
	writeFile(t, filepath.Join(root, "texts", "opis.txt"), enc(t, charmap.Windows1251, "Опись архива областного комитета за 1989 год."))
	writeFile(t, filepath.Join(root, "texts", "spravka.txt"), enc(t, charmap.KOI8R, "Справка: эти архивы были закрыты до 1991 года."))
	writeFile(t, filepath.Join(root, "mail", "letter.eml"), []byte("From: ann@example.org\r\nTo: bob@example.org\r\nSubject: =?UTF-8?B?"+
		"0J7Qv9C40YHRjA==?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Пересылаю тебе опись из архива.\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=fond.txt\r\n\r\n"+
		"Состав фонда: описи архивов номер 17.\r\n--b--\r\n"))
	var tgz bytes.Buffer
	gz := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(gz)
	note := []byte("# Архив\n\nЗаметка о передаче документов.\n")
	tw.WriteHeader(&tar.Header{Name: "inner/note.md", Mode: 0o600, Size: int64(len(note)), Typeflag: tar.TypeReg})
	tw.Write(note)
	tw.Close()
	gz.Close()
	writeFile(t, filepath.Join(root, "bundle.tar.gz"), tgz.Bytes())
	return root
}

type hits struct {
	Total int `json:"total"`
	Hits  []struct {
		ID, Collection, Path, Language string
		Page                           int
		Score                          float64
		Snippets                       []string
	} `json:"hits"`
}

func archiveSearch(t *testing.T, data string, db []string, q string) hits {
	t.Helper()
	out := run(t, slices.Concat([]string{"archive", "search", "--data", data, "--json", "--limit", "1000"}, db, []string{q})...)
	var h hits
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if h.Total != len(h.Hits) {
		t.Fatalf("total %d, %d hits", h.Total, len(h.Hits))
	}
	return h
}

func hitPaths(h hits) []string {
	var p []string
	for _, x := range h.Hits {
		p = append(p, x.Path)
	}
	slices.Sort(p)
	return p
}

// A mixed trove is ingested with OCR (rus+eng), its one bad file named with
// its reason, and "архивы" finds the documents that say "архив" in any
// inflection, in every charset and container.
func TestArchiveMixedTrove(t *testing.T) {
	archiveBackends(t, func(t *testing.T, db []string) {
		data := filepath.Join(t.TempDir(), "archive")
		root := mixedTrove(t)
		out, stderr, code := archiveRun(t, slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "trove", "--ocr-lang", "rus+eng"}, db, []string{root})...)
		if code != 1 || !strings.Contains(out, "failed: trove/fixtures/encrypted.pdf: ") || strings.Count(out, "failed: ") != 1 {
			t.Fatalf("exit %d, want 1 with the encrypted PDF as the only failure:\n%s\n%s", code, out, stderr)
		}
		if !strings.Contains(out, "queued 12 of 12 files in trove") {
			t.Fatalf("queued: %s", out)
		}

		want := []string{
			"trove/bundle.tar.gz/bundle.tar/inner/note.md",
			"trove/mail/letter.eml",
			"trove/mail/letter.eml/fond.txt",
			"trove/texts/opis.txt",
			"trove/texts/spravka.txt",
		}
		h := archiveSearch(t, data, db, "архивы")
		if got := hitPaths(h); !slices.Equal(got, want) {
			t.Fatalf("архивы finds %q, want %q", got, want)
		}
		for _, x := range h.Hits {
			if x.Language != "ru" || x.Collection != "trove" || len(x.Snippets) == 0 || !strings.Contains(x.Snippets[0], "<mark>") {
				t.Fatalf("hit %+v", x)
			}
		}

		// OCR of the scans (and the text layer, DOCX, ODT) in another form.
		h = archiveSearch(t, data, db, "присутствовал")
		got := strings.Join(hitPaths(h), " ")
		for _, p := range []string{"fixtures/ru.png", "fixtures/ru.jpg", "fixtures/pages.tif", "fixtures/ru-text.pdf", "fixtures/ru.docx", "fixtures/ru.odt"} {
			if !strings.Contains(got, "trove/"+p) {
				t.Fatalf("присутствовал misses %s: %s", p, got)
			}
		}
		for _, x := range h.Hits {
			if x.Path == "trove/fixtures/pages.tif" && x.Page != 1 {
				t.Fatalf("the TIFF's match is on page %d, want 1", x.Page)
			}
		}
		// The English page of the TIFF, by its own language.
		h = archiveSearch(t, data, db, "committee")
		if got := hitPaths(h); !slices.Contains(got, "trove/fixtures/pages.tif") || !slices.ContainsFunc(h.Hits, func(x struct {
			ID, Collection, Path, Language string
			Page                           int
			Score                          float64
			Snippets                       []string
		}) bool {
			return x.Path == "trove/fixtures/pages.tif" && x.Page == 2
		}) {
			t.Fatalf("committee: %+v", h.Hits)
		}

		// A zip member named in KOI8-R is found by its text, under its
		// decoded name.
		h = archiveSearch(t, data, db, "ленинграда")
		if got := hitPaths(h); !slices.Equal(got, []string{"trove/fixtures/legacy-koi8r.zip/письма/письмо председателю.txt"}) {
			t.Fatalf("ленинграда finds %q", got)
		}

		// The OCR step and its version are in the custody trail.
		var png string
		for _, x := range archiveSearch(t, data, db, "присутствовал").Hits {
			if x.Path == "trove/fixtures/ru.png" {
				png = x.ID
			}
		}
		cu := run(t, slices.Concat([]string{"archive", "custody", "--data", data}, db, []string{png})...)
		if !strings.Contains(cu, "tesseract ") || !strings.Contains(cu, "processed (run 1, OCR rus+eng)") {
			t.Fatalf("custody of the scan:\n%s", cu)
		}
		show := run(t, slices.Concat([]string{"archive", "show", "--data", data}, db, []string{png})...)
		if !strings.Contains(show, "--- page 1 (ru, OCR ") {
			t.Fatalf("show of the scan:\n%s", show)
		}
		st := run(t, slices.Concat([]string{"archive", "status", "--data", data}, db)...)
		if !strings.Contains(st, "11 done, 1 failed") || !strings.Contains(st, "failed: trove/fixtures/encrypted.pdf: ") {
			t.Fatalf("status:\n%s", st)
		}
	})
}

// SIGKILL in the middle of an ingest, then the same command again: every
// file is there once, none twice, in the rows and in the index.
func TestArchiveIngestSurvivesSIGKILL(t *testing.T) {
	archiveBackends(t, func(t *testing.T, db []string) {
		data := filepath.Join(t.TempDir(), "archive")
		root := filepath.Join(t.TempDir(), "many")
		const n = 300
		for i := range n {
			writeFile(t, filepath.Join(root, "d"+string(rune('a'+i%10)), "f"+strconv.Itoa(i)+".txt"), []byte("Уникальная запись номер "+strconv.Itoa(i)+" из архивов.\n"))
		}
		args := slices.Concat([]string{"archive", "ingest", "--data", data, "--collection", "many", "--no-ocr", "--workers", "2"}, db, []string{root})
		cmd := exec.Command(binary, args...)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := 0
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "done ") {
				done++
			}
			if done == 5 {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		cmd.Wait()
		if done != 5 {
			t.Fatalf("the ingest ended after %d files, before it could be killed", done)
		}
		// The kill must land mid-way, or the second run proves nothing:
		// files left running, queued, or not yet queued (the first chunk
		// queued is small).
		var st []struct{ Queued, Running, Done int }
		if err := json.Unmarshal([]byte(run(t, slices.Concat([]string{"archive", "status", "--data", data, "--json"}, db)...)), &st); err != nil {
			t.Fatal(err)
		}
		if len(st) != 1 || st[0].Done >= n {
			t.Fatalf("the kill came after the work was done: %+v", st)
		}
		t.Logf("killed with %d done, %d running, %d queued", st[0].Done, st[0].Running, st[0].Queued)
		// Workers start on the first chunk queued, so the kill may land
		// while the rest was still being queued: the second run queues
		// exactly those.
		left := n - (st[0].Done + st[0].Running + st[0].Queued)
		out, errs, code := archiveRun(t, args...)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("queued %d of 300 files in many", left)) || !strings.Contains(out, "many: 300 files done, 0 failed; 300 documents, 300 pages") {
			t.Fatalf("the second run: exit %d\n%s\n%s", code, out, errs)
		}
		h := archiveSearch(t, data, db, "уникальная")
		paths := hitPaths(h)
		if len(paths) != n || len(slices.Compact(paths)) != n {
			t.Fatalf("%d hits, %d distinct, want %d", len(paths), len(slices.Compact(slices.Clone(paths))), n)
		}
	})
}
