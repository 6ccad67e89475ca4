package ingest

import (
	"context"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"confide/internal/ingest/charset"
)

const letter = "Дорогой Иван Петрович! Пишу вам из Ленинграда. Погода стоит холодная, но на работе всё по-прежнему."

func TestTextInEachCharset(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	for _, cs := range []charset.Charset{charset.UTF8, charset.Windows1251, charset.KOI8R, charset.CP866} {
		b := []byte(letter + "\nВторая строка письма.")
		if cs != charset.UTF8 {
			b, _ = cs.Encoding().NewEncoder().Bytes(b)
		}
		d := one(t, e, "note.txt", b)
		if d.Type != TypeText || d.Fields["charset"] != string(cs) {
			t.Errorf("%s: type %s charset %q", cs, d.Type, d.Fields["charset"])
		}
		if got := allText(d); got != letter+"\nВторая строка письма." {
			t.Errorf("%s: text %q", cs, got)
		}
		if d.Pages[0].Lang != "ru" || !hasStep(d, "confide ingest/text") {
			t.Errorf("%s: lang %q steps %v", cs, d.Pages[0].Lang, d.Steps)
		}
	}
}

func TestTextFormFeedsArePages(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	d := one(t, e, "print.txt", []byte("first page of the printout\fsecond page"))
	if len(d.Pages) != 2 || d.Pages[1].Number != 2 || d.Pages[1].Text != "second page" {
		t.Errorf("pages %+v", d.Pages)
	}
}

// endless is an unbounded text stream: only what is read of it exists.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "слово "[e.n%int64(len("слово "))]
		e.n++
	}
	return len(p), nil
}

func TestHugeTextIsCutAtTheLimit(t *testing.T) {
	e := newTest(t, Options{NoOCR: true, Limits: Limits{MaxText: 1 << 20}})
	src := &endless{}
	const size = 2 << 30 // a 2 GiB file, never made
	var docs []*Document
	err := e.Extract(context.Background(), Input{Name: "huge.txt", R: io.LimitReader(src, size), Size: size}, func(d *Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil || len(docs) != 1 {
		t.Fatal(err, len(docs))
	}
	d := docs[0]
	if n := len(allText(d)); n > 1<<20 || n < 1<<20-8 {
		t.Errorf("kept %d bytes, want 1 MiB", n)
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "cut at 1 MiB") || !strings.Contains(d.Warnings[0], "2 GiB") {
		t.Errorf("warnings %q", d.Warnings)
	}
	// The rest is read, in bounded memory, only to hash the whole file.
	if src.n != size || len(d.SHA256) != 64 || d.Size != size {
		t.Errorf("read %d bytes of %d, hash %q, size %d", src.n, int64(size), d.SHA256, d.Size)
	}
	// Cut at a rune boundary: nothing but whole letters of the stream.
	if s := allText(d); !strings.HasPrefix(s, "слово слово") || strings.Trim(s, "слов ") != "" {
		t.Errorf("text has more than the stream's words: %q…", s[:20])
	}
}

func TestHTML(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	page := `<!DOCTYPE html><html><head><meta charset="windows-1251"><title>Протокол  №5</title>
<style>p { color: red }</style><script>var secret = "не текст";</script></head>
<body><h1>Заседание</h1><p>Присутствовали: <b>Сидоров</b>, Кузнецова.</p><noscript>включите JS</noscript><ul><li>один</li><li>два</li></ul></body></html>`
	b, _ := charset.Windows1251.Encoding().NewEncoder().Bytes([]byte(page))
	d := one(t, e, "page.html", b)
	if d.Type != TypeHTML || d.Fields["title"] != "Протокол №5" || d.Fields["charset"] != "windows-1251" {
		t.Errorf("type %s fields %v", d.Type, d.Fields)
	}
	if got, want := allText(d), "Заседание\nПрисутствовали: Сидоров, Кузнецова.\nодин\nдва\n"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	// No charset named: the detector decides.
	b, _ = charset.KOI8R.Encoding().NewEncoder().Bytes([]byte("<html><body><p>" + letter + "</p></body></html>"))
	if d := one(t, e, "old.htm", b); !strings.Contains(allText(d), letter) || d.Fields["charset"] != "koi8-r" {
		t.Errorf("KOI8-R page without meta: %q %v", allText(d), d.Fields)
	}
}

func TestMarkdown(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	d := one(t, e, "notes.md", []byte("# Итоги *встречи*\n\nМы **договорились** о [публикации](https://example.org).\n\n- первое\n- второе\n\n```\nкод как есть\n```\n"))
	if d.Type != TypeMarkdown || d.Fields["title"] != "Итоги встречи" {
		t.Errorf("type %s title %q", d.Type, d.Fields["title"])
	}
	got := allText(d)
	for _, want := range []string{"Итоги встречи", "Мы договорились о публикации.", "первое\nвторое", "код как есть"} {
		if !strings.Contains(got, want) {
			t.Errorf("text %q lacks %q", got, want)
		}
	}
	if strings.ContainsAny(got, "*#[]`") || strings.Contains(got, "example.org") {
		t.Errorf("markup left in %q", got)
	}
}

// FuzzHTMLText checks that what is inside scripts and styles never
// reaches the text, that the text is valid UTF-8 within the limit, and
// that plain words in a paragraph come back.
func FuzzHTMLText(f *testing.F) {
	f.Add("<p>привет <b>мир</b></p>", "секрет", "слова")
	f.Add("<scr<script>ipt>", "x", "y")
	f.Fuzz(func(t *testing.T, page, secret, words string) {
		const limit = 1 << 12
		_, body, err := htmlText(strings.NewReader(page), limit)
		if err == nil && (!utf8.ValidString(body.String()) || body.Len() > limit) {
			t.Fatalf("text %q", body.String())
		}
		secret = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) {
				return r
			}
			return -1
		}, secret)
		words = strings.Join(strings.FieldsFunc(words, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
		if len(secret) < 3 || words == "" || strings.Contains(words, secret) {
			return
		}
		doc := "<html><head><title>t</title><style>." + secret + "{}</style></head><body><script>var " + secret + ";</script><p>" + words + "</p><noscript>" + secret + "</noscript></body></html>"
		_, body, err = htmlText(strings.NewReader(doc), 1<<20)
		if err != nil || strings.Contains(body.String(), secret) || strings.TrimSpace(body.String()) != words {
			t.Fatalf("text %q from %q (%v)", body.String(), doc, err)
		}
	})
}

func TestHTMLSelfClosingSkipTag(t *testing.T) {
	_, body, err := htmlText(strings.NewReader(`<p>before</p><svg/><p>after</p><script>hidden</script>`), 1<<20)
	if err != nil || body.String() != "before\nafter\n" {
		t.Errorf("text %q, %v", body.String(), err)
	}
}

func TestCharsetLooksPastALongASCIIStart(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	b := append([]byte(strings.Repeat("Report 1989, page header.\n", 400)), enc(t, charset.Windows1251, letter)...)
	d := one(t, e, "report.txt", b)
	if d.Fields["charset"] != "windows-1251" || !strings.HasSuffix(allText(d), letter) {
		t.Errorf("charset %s, text ends %q", d.Fields["charset"], allText(d)[len(allText(d))-40:])
	}
}
