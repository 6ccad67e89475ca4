package workstation

import (
	"bytes"
	"testing"
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
