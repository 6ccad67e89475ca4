package blob

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPut(t *testing.T) {
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("0f", 16)
	if n, err := d.Put(name, strings.NewReader("cipher")); err != nil || n != 6 {
		t.Fatalf("put: %d %v", n, err)
	}
	var buf bytes.Buffer
	if _, err := d.Copy(&buf, name); err != nil || buf.String() != "cipher" {
		t.Fatalf("read back %q %v", buf.String(), err)
	}
	if _, err := d.Put(name, strings.NewReader("other")); err == nil {
		t.Fatal("put replaced an existing blob")
	}
	buf.Reset()
	d.Copy(&buf, name)
	if buf.String() != "cipher" {
		t.Fatalf("the blob changed to %q", buf.String())
	}
	for _, bad := range []string{"../../etc/passwd", strings.Repeat("0F", 16), "short"} {
		if _, err := d.Put(bad, strings.NewReader("x")); err == nil {
			t.Fatalf("put accepted the name %q", bad)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(root, "tmp")); len(left) != 0 {
		t.Fatalf("put left %d files in tmp/", len(left))
	}
	// Existing touches nothing: a write in progress survives it.
	p, _ := d.Create()
	Existing(root)
	if _, err := os.Stat(p.f.Name()); err != nil {
		t.Fatal("Existing removed a write in progress")
	}
	p.Abort()
}
