package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// newTest makes an extractor whose temporary folder is checked to be
// empty when the test ends, with TMPDIR pointed at a folder that does not
// exist: whatever tried to write to os.TempDir() would fail.
func newTest(t *testing.T, o Options) *Extractor {
	t.Helper()
	if o.TmpDir == "" {
		o.TmpDir = t.TempDir()
	}
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "no-such-folder"))
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		left, _ := os.ReadDir(o.TmpDir)
		for _, l := range left {
			t.Errorf("left behind in the temporary folder: %s", l.Name())
		}
	})
	return e
}

// extract runs e on the bytes and returns every document yielded.
func extract(t *testing.T, e *Extractor, name string, b []byte) ([]*Document, error) {
	t.Helper()
	var docs []*Document
	err := e.Extract(context.Background(), Input{Name: name, R: bytes.NewReader(b), Size: int64(len(b))}, func(d *Document) error {
		for k := range d.Fields {
			if !slices.Contains(FieldNames, k) {
				t.Errorf("%s: the field %q is not in FieldNames, so no page can label it", d.Path, k)
			}
		}
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

// one extracts a file that has no children and fails on any error.
func one(t *testing.T, e *Extractor, name string, b []byte) *Document {
	t.Helper()
	docs, err := extract(t, e, name, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("%d documents from %s, want 1", len(docs), name)
	}
	if docs[0].Err != nil {
		t.Fatalf("%s: %v", name, docs[0].Err)
	}
	return docs[0]
}

func allText(d *Document) string {
	var s []string
	for _, p := range d.Pages {
		s = append(s, p.Text)
	}
	return strings.Join(s, "\f")
}

func byPath(docs []*Document) map[string]*Document {
	m := map[string]*Document{}
	for _, d := range docs {
		m[d.Path] = d
	}
	return m
}

func hasStep(d *Document, tool string) bool {
	for _, s := range d.Steps {
		if s.Tool == tool && s.Version != "" {
			return true
		}
	}
	return false
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantFailure(t *testing.T, d *Document, kind Kind, reason string) {
	t.Helper()
	if d.Err == nil {
		t.Fatalf("%s: no failure, want %s %q", d.Path, kind, reason)
	}
	if d.Err.Kind != kind || !strings.Contains(d.Err.Reason, reason) {
		t.Fatalf("%s: failure %s %q, want %s %q", d.Path, d.Err.Kind, d.Err.Reason, kind, reason)
	}
}
