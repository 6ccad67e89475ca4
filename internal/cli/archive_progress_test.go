package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"confide/internal/archive"
)

// Off a terminal, a line per file, failures with their reasons; on one, a
// redrawn line with files, pages, rate, ETA and failures.
func TestArchiveProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newIngestMeter(&buf, 4)
	if p.tty {
		t.Fatal("a buffer taken for a terminal")
	}
	p.entry(archive.Progress{Path: "a.zip", State: archive.Done, Docs: 3, Pages: 2, Failed: 1, Failures: []archive.DocFailure{{Path: "a.zip/x.bin", Reason: "this kind of file is not read"}}})
	p.entry(archive.Progress{Path: "b.pdf", State: archive.Failed, Reason: "PDF is encrypted", Docs: 1, Failed: 1, Failures: []archive.DocFailure{{Path: "b.pdf", Reason: "PDF is encrypted"}}})
	p.end()
	want := "done a.zip: 3 documents, 2 pages\n  failed a.zip/x.bin: this kind of file is not read\nfailed b.pdf: PDF is encrypted\n"
	if buf.String() != want {
		t.Fatalf("plain lines:\n%s\nwant:\n%s", buf.String(), want)
	}

	buf.Reset()
	p = newIngestMeter(&buf, 4)
	p.tty = true
	p.start = time.Now().Add(-2 * time.Second)
	p.entry(archive.Progress{Path: "a.txt", State: archive.Done, Docs: 1, Pages: 5})
	p.last = time.Time{}
	p.entry(archive.Progress{Path: "b.txt", State: archive.Failed, Reason: "damaged"})
	line := buf.String()[strings.LastIndex(buf.String(), "\r"):]
	if !regexp.MustCompile(`^\r\x1b\[K2/4 files \(50%\), 5 pages, 1\.0 files/s, ETA 2s, 1 failed$`).MatchString(line) {
		t.Fatalf("terminal line %q", line)
	}
	p.end()
	if !strings.HasSuffix(buf.String(), "1 failed\n") {
		t.Fatalf("the last line is not ended: %q", buf.String())
	}
}
