package ingest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"confide/internal/ingest/charset"
)

func TestRTF(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	// Written the way Word 2003 writes Russian text: \ansicpg1251 and
	// \'xx escapes, a Unicode run with its fallback, groups that are not
	// text, and an \info block.
	hex := func(s string) string {
		b, _ := charset.Windows1251.Encoding().NewEncoder().Bytes([]byte(s))
		var out strings.Builder
		for _, c := range b {
			out.WriteString(`\'` + strings.ToLower(string("0123456789ABCDEF"[c>>4])+string("0123456789ABCDEF"[c&15])))
		}
		return out.String()
	}
	rtf := `{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\fnil\fcharset204 Times New Roman;}{\f1 Arial;}}` +
		`{\colortbl;\red0\green0\blue0;}{\stylesheet{\s0 Normal;}}` +
		`{\info{\title ` + hex("Протокол") + `}{\author Sidorov}}` +
		`{\*\generator Msftedit 5.41;}\viewkind4\uc1\pard\f0\fs24 ` + hex("Протокол заседания") + `\par` + "\r\n" +
		`\u1055?\u1088?\u1080?\u1074?\u1077?\u1090? \b ` + hex("мир") + `\b0\tab 12\{3\}\\\par` +
		`{\pict\wmetafile8 0a0b0c0d}{\*\unknowndest hidden}{\header head text}` +
		`{\field{\*\fldinst HYPERLINK "x"}{\fldrslt ` + hex("ссылка") + `}}\par` +
		`\uc2\u1040\'c0\'c0\u1041\'c1\'c1 ok\page ` + hex("Вторая") + `}`
	d := one(t, e, "letter.rtf", []byte(rtf))
	if d.Type != TypeRTF || d.Fields["title"] != "Протокол" || d.Fields["author"] != "Sidorov" {
		t.Errorf("type %s fields %v", d.Type, d.Fields)
	}
	want := "Протокол заседания\nПривет мир\t12{3}\\\nссылка\nАБ ok\fВторая"
	if got := allText(d); got != want {
		t.Errorf("text\n%q\nwant\n%q", got, want)
	}
	if len(d.Pages) != 2 || d.Pages[0].Lang != "ru" {
		t.Errorf("pages %+v", d.Pages)
	}
}

// FuzzRTF checks that any bytes give valid UTF-8 within the limit, and
// that plain text, escaped as RTF, reads back as itself.
func FuzzRTF(f *testing.F) {
	f.Add([]byte(`{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8\u1074?\par}`), "plain {text} \\ here")
	f.Add([]byte(`{\rtf1{\*\x{{{{`), "")
	f.Add([]byte(`{\rtf1\bin5 abcde}`), "a")
	f.Fuzz(func(t *testing.T, raw []byte, plain string) {
		const limit = 1 << 12
		s, fields, cut, err := RTFText(strings.NewReader(string(raw)), limit)
		if err == nil {
			if !utf8.ValidString(s) || len(s) > limit {
				t.Fatalf("%d bytes, valid %v", len(s), utf8.ValidString(s))
			}
			for _, v := range fields {
				if !utf8.ValidString(v) {
					t.Fatalf("field %q", v)
				}
			}
		}
		_ = cut
		// Printable ASCII without the delimiter space after a control word.
		for _, r := range plain {
			if r < 0x20 || r > 0x7e {
				return
			}
		}
		plain = strings.TrimSpace(plain)
		esc := strings.NewReplacer(`\`, `\\`, "{", `\{`, "}", `\}`).Replace(plain)
		got, _, _, err := RTFText(strings.NewReader(`{\rtf1\ansi `+esc+`}`), 1<<20)
		if err != nil || got != plain {
			t.Fatalf("read %q (%v), want %q", got, err, plain)
		}
		// The same text in cp1251 escapes reads back too.
		var hexed strings.Builder
		for _, c := range []byte(plain) {
			hexed.WriteString(`\'` + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]))
		}
		got, _, _, err = RTFText(strings.NewReader(`{\rtf1\ansi\ansicpg1251 `+hexed.String()+`}`), 1<<20)
		if err != nil || got != plain {
			t.Fatalf("hex-escaped: read %q (%v), want %q", got, err, plain)
		}
	})
}
