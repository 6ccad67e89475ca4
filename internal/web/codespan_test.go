package web

import "testing"

func TestCodeSpans(t *testing.T) {
	cases := map[string]string{
		"Open with `confide workstation` or `age -d`.": "Open with <code>confide workstation</code> or <code>age -d</code>.",
		"no code":           "no code",
		"<b>`<i>`</b>":      "&lt;b&gt;<code>&lt;i&gt;</code>&lt;/b&gt;",
		"a lone ` backtick": "a lone ` backtick",
		"`a` and ` b":       "<code>a</code> and ` b",
		"``":                "<code></code>",
	}
	for in, want := range cases {
		if got := string(CodeSpans(in)); got != want {
			t.Errorf("CodeSpans(%q) = %q, want %q", in, got, want)
		}
	}
}
