package webtest

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// recorder keeps what a check reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// The checker reports English written into a page or a visible attribute
// and keys a language lacks, and passes catalogue text, allowed names and
// what a reader types as it is (a command in code or pre).
func TestCatalogued(t *testing.T) {
	for _, c := range []struct {
		name, page string
		allow      []string
		want       []string // words each report must name, one report each
	}{
		{"catalogue", `<h1>{{t .Lang "lang.choose"}}</h1>`, nil, nil},
		{"text", `<p>Hello {{t .Lang "lang.choose"}} world</p>`, nil, []string{"Hello world"}},
		{"attribute", `<nav aria-label="main"><a href="/x">{{t .Lang "lang.choose"}}</a></nav>`, nil, []string{"an attribute", "main"}},
		{"placeholder", `<input placeholder="YYYY-MM-DD">`, nil, []string{"YYYY MM DD"}},
		{"missing key", `<p>{{t .Lang "no.such.key"}}</p>`, nil, []string{`"no.such.key" has no en`, `"no.such.key" has no ru`}},
		{"printed string", `<p>{{printf "%s items" .N}}</p>`, nil, []string{"items"}},
		{"allowed name", `<p>{{t .Lang "lang.choose"}} PDF</p>`, []string{"PDF"}, nil},
		{"command", "<pre><code>confide workstation serve --identity {{.Key}}\ngo install ./cmd/confide</code></pre>", nil, nil},
		{"inline code", `<p>Run <code>confide demo</code> <kbd>Ctrl</kbd> <samp>done</samp> now</p>`, nil, []string{"Run now"}},
		{"not a code tag", `<p><codex>words</codex></p>`, nil, []string{"words"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{TB: t}
			fsys := fstest.MapFS{"templates/p.html": {Data: []byte(`{{define "content"}}` + c.page + `{{end}}`)}}
			Catalogued(r, fsys, "templates/*.html", c.allow...)
			if c.want == nil {
				if len(r.errs) > 0 {
					t.Fatalf("reported %q, want nothing", r.errs)
				}
				return
			}
			got := strings.Join(r.errs, "\n")
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("reports %q, want one naming %q", r.errs, w)
				}
			}
		})
	}
}
