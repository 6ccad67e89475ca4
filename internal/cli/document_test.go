package cli

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"confide/internal/bundle/bundletest"

	"github.com/rogpeppe/go-internal/testscript"
)

// mkBundle is "mkbundle OUT SLUG [pages=N] [version=TEXT] [tamper]": a
// sample bundle (bundletest) as the archive exports one; tamper changes a
// byte of a page's text after export.
func mkBundle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mkbundle OUT SLUG [pages=N] [version=TEXT] [tamper]")
	}
	o := bundletest.Options{Slug: args[1]}
	tamper := false
	for _, a := range args[2:] {
		switch k, v, _ := strings.Cut(a, "="); k {
		case "pages":
			n, err := strconv.Atoi(v)
			ts.Check(err)
			o.Pages = n
		case "version":
			o.TextVersion = " " + v
		case "tamper":
			tamper = true
		default:
			ts.Fatalf("mkbundle: unknown option %s", a)
		}
	}
	b, err := bundletest.Build(o)
	ts.Check(err)
	if tamper {
		i := bytes.LastIndex(b, []byte("bridge"))
		copy(b[i:], "BRIDGE")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o600))
}
