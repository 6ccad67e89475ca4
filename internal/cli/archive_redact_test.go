package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confide/internal/archive"
	"confide/internal/redact"
)

// A copy that fails verification is reported and not written: the real
// tools pass every redaction they make, so redact.Redact is replaced by
// one that leaves a copy whose report has a failed check, as a term that
// survived would give.
func TestRedactFailedVerificationWritesNothing(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "arc")
	src := filepath.Join(dir, "trove", "memo.pdf")
	if err := os.MkdirAll(filepath.Dir(src), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, pdfOf([]string{"Agent Smithson met the courier"}), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"archive", "ingest", "--data", data, "--collection", "memos", "--no-ocr", src}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("ingest: %d\n%s%s", code, out.String(), errOut.String())
	}
	id := archive.DocID("memos", "memo.pdf")
	var left string
	saved := redactRun
	t.Cleanup(func() { redactRun = saved })
	redactRun = func(ctx context.Context, req redact.Request) (redact.Result, error) {
		if !strings.HasPrefix(req.Dir, data+string(filepath.Separator)) {
			t.Errorf("temporary files go to %s, outside the data folder", req.Dir)
		}
		left = filepath.Join(req.Dir, "redacted-stub.pdf")
		if err := os.WriteFile(left, []byte("%PDF-1.4 stub"), 0o600); err != nil {
			t.Fatal(err)
		}
		return redact.Result{Path: left, Pages: 1, Report: redact.Report{Checks: []redact.Check{
			{Name: "structure", Pass: true, Detail: "one revision"},
			{Name: "text layer", Pass: false, Detail: `"Smithson" survives on page 1`},
		}}}, nil
	}
	dst := filepath.Join(dir, "memo-redacted.pdf")
	out.Reset()
	errOut.Reset()
	code := Main([]string{"archive", "redact", "--data", data, "--term", "Smithson", "--out", dst, id}, strings.NewReader(""), &out, &errOut)
	if code == 0 {
		t.Fatalf("exit 0 for a copy that failed verification\n%s", out.String())
	}
	if !strings.Contains(out.String(), "FAIL text layer: \"Smithson\" survives on page 1\n") || !strings.Contains(out.String(), "PASS structure: one revision\n") {
		t.Errorf("the report is not printed whole:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "failed verification") || !strings.Contains(errOut.String(), "nothing was written") {
		t.Errorf("stderr: %s", errOut.String())
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Errorf("%s was written: %v", dst, err)
	}
	if left == "" {
		t.Fatal("redact was not run")
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the failed copy was left at %s", left)
	}
	out.Reset()
	if code := Main([]string{"archive", "custody", "--data", data, id}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatal(errOut.String())
	}
	if strings.Contains(out.String(), "redacted copy") {
		t.Errorf("custody records a copy that was not written:\n%s", out.String())
	}
}
