package cli

import (
	"os"
	"strings"
	"testing"
)

// The README promises a newcomer two commands: one runs the demo, one
// runs the tests. Everything else lives in docs/USAGE.md.
func TestREADMEHasTwoCommands(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	parts := strings.Split(string(b), "```")
	for i := 1; i < len(parts); i += 2 {
		blocks = append(blocks, strings.TrimSpace(strings.TrimPrefix(parts[i], "sh")))
	}
	if len(blocks) != 2 || blocks[0] != "go run ./cmd/confide demo" || blocks[1] != "./scripts/test.sh" {
		t.Fatalf("README command blocks: %q, want exactly the demo and the tests", blocks)
	}
	if !strings.Contains(string(b), "`go install ./cmd/confide`") {
		t.Fatal("README does not say how to put confide on the PATH")
	}
}
