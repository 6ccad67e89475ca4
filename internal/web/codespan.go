package web

import (
	"html/template"
	"strings"
)

// TCode is T for help texts that name commands: the message is escaped as
// text, then each `pair of backticks` becomes a <code> span, so a
// catalogue can mark commands without being able to inject markup. A lone
// backtick is left as it is.
func (c *Catalog) TCode(lang, key string, args ...any) template.HTML {
	return CodeSpans(c.T(lang, key, args...))
}

// CodeSpans escapes s and turns `backticked` runs into <code> spans.
func CodeSpans(s string) template.HTML {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '`')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open+1:], '`')
		if end < 0 {
			break
		}
		b.WriteString(template.HTMLEscapeString(s[:open]))
		b.WriteString("<code>")
		b.WriteString(template.HTMLEscapeString(s[open+1 : open+1+end]))
		b.WriteString("</code>")
		s = s[open+1+end+1:]
	}
	b.WriteString(template.HTMLEscapeString(s))
	return template.HTML(b.String())
}
