package web

import (
	"path/filepath"
	"strings"
	"unicode"
)

// SafeName reduces a name a source chose to one safe path element: no
// directories, no traversal, no control characters, no leading dot, not too
// long. What the source named it stays visible in spirit.
func SafeName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = filepath.Base("/" + name)
	if name == "/" {
		name = ""
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == 0 || unicode.IsControl(r):
			b.WriteRune('_')
		case unicode.Is(unicode.Bidi_Control, r) || r == '\u202e' || r == '\u200e' || r == '\u200f':
			// Right-to-left overrides disguise extensions ("cod.exe" shown as "exe.doc").
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if len(out) > 200 {
		ext := filepath.Ext(out)
		if len(ext) > 20 {
			ext = ""
		}
		out = strings.ToValidUTF8(out[:200-len(ext)], "") + ext
	}
	if out == "" || out == "." || out == ".." {
		out = "file"
	}
	return out
}
