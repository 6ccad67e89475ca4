package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"confide/internal/archive"
	"confide/internal/redact"

	"github.com/rogpeppe/go-internal/testscript"
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
	// The failed copy is recorded, and archive export refuses it.
	rid := regexp.MustCompile(`\(redaction ([0-9a-f]+)\)`).FindStringSubmatch(errOut.String())
	if rid == nil {
		t.Fatalf("no redaction ID in %q", errOut.String())
	}
	bundlePath := filepath.Join(dir, "memo.bundle")
	errOut.Reset()
	if code := Main([]string{"archive", "export", "--data", data, "--redaction", rid[1], "--out", bundlePath, id}, strings.NewReader(""), &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "did not pass verification") || !strings.Contains(errOut.String(), "nothing was written") {
		t.Errorf("export of a failed copy: exit %d, %s", code, errOut.String())
	}
	if _, err := os.Stat(bundlePath); !os.IsNotExist(err) {
		t.Errorf("a bundle of the failed copy was written: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".confide-*")); len(left) > 0 {
		t.Errorf("left beside the bundle: %v", left)
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
	if strings.Contains(out.String(), "redacted copy") || !strings.Contains(out.String(), "copy "+rid[1]+"  ") || !strings.Contains(out.String(), "not verified: failed") {
		t.Errorf("custody records a copy that was not written, or not the failed one:\n%s", out.String())
	}
}

// redactionID is "redactionid VAR": the redaction ID the last archive
// redact printed, into VAR.
func redactionID(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: redactionid VAR")
	}
	m := regexp.MustCompile(`(?m)^redaction ([0-9a-f]+) `).FindStringSubmatch(ts.ReadFile("stdout"))
	if m == nil {
		ts.Fatalf("no redaction ID in stdout")
	}
	ts.Setenv(args[0], m[1])
}
