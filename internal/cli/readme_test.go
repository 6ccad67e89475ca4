package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"regexp"
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

// The README names the address of every zone the demo starts, as the
// demo's own defaults say, and how to sign in to its archive.
func TestREADMENamesDemoAddresses(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	var he helpError
	if err := e.serve(context.Background(), []string{"-h"}, true); !errors.As(err, &he) {
		t.Fatalf("demo -h: %v", err)
	}
	for _, zone := range []string{"site", "dropbox", "newsroom", "archive"} {
		m := regexp.MustCompile(`--` + zone + ` string\n[^\n]*\(default "([^"]+)"\)`).FindStringSubmatch(he.text)
		if m == nil {
			t.Fatalf("no default for --%s in %s", zone, he.text)
		}
		if !strings.Contains(readme, "http://"+m[1]) {
			t.Errorf("the README does not name the %s's address http://%s", zone, m[1])
		}
	}
	for _, s := range []string{"`confide-data/archive/`", "Sign in as `demo` with the `archive passphrase:`", "search `архивы`", "never beside the dropbox"} {
		if !strings.Contains(readme, s) {
			t.Errorf("the README does not say %q", s)
		}
	}
}
