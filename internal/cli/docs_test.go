package cli

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the command reference in docs/USAGE.md")

const usageDoc = "../../docs/USAGE.md"

// TestUsageReference keeps docs/USAGE.md from drifting: its command
// reference must be exactly what every command prints for -h, and every
// command must answer -h with its own synopsis and at least one flag.
func TestUsageReference(t *testing.T) {
	doc, err := os.ReadFile(usageDoc)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- commands:begin -->\n", "<!-- commands:end -->"
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", usageDoc, begin, end)
	}
	var ref bytes.Buffer
	for _, name := range commandNames() {
		var out, errOut bytes.Buffer
		if code := Main(append(strings.Fields(name), "-h"), strings.NewReader(""), &out, &errOut); code != 0 || errOut.Len() > 0 {
			t.Errorf("confide %s -h: exit %d, stderr %q", name, code, errOut.String())
			continue
		}
		if !strings.HasPrefix(out.String(), "Usage: confide "+name) || !strings.Contains(out.String(), "\n  --") {
			t.Errorf("confide %s -h printed no synopsis or no flags:\n%s", name, out.String())
		}
		if !strings.Contains(usage, "confide "+name) && !strings.Contains(usage, "confide "+strings.Fields(name)[0]+" ") {
			t.Errorf("the top-level usage never mentions confide %s", name)
		}
		ref.WriteString("### confide " + name + "\n\n```\n" + out.String() + "```\n\n")
	}
	want := slices.Concat(doc[:i+len(begin)], ref.Bytes(), doc[j:])
	if bytes.Equal(doc, want) {
		return
	}
	if *update {
		if err := os.WriteFile(usageDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's command reference is out of date: run go test ./internal/cli -run TestUsageReference -update", usageDoc)
}

// TestEveryCommandHasHelp makes a command listed in the top-level usage
// without an entry in examples fail, so it cannot escape the reference.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, line := range strings.Split(usage, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "confide" {
			continue
		}
		name := f[1]
		if len(f) > 2 && f[2] != "" && f[2][0] >= 'a' && f[2][0] <= 'z' {
			name += " " + f[2]
		}
		if _, ok := examples[name]; !ok {
			t.Errorf("confide %s is in the usage but has no examples entry (its -h and the docs reference)", name)
		}
	}
}

func commandNames() []string {
	names := make([]string, 0, len(examples))
	for name := range examples {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
