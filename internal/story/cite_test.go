package story

import (
	"errors"
	"html/template"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFindsCites(t *testing.T) {
	file := "---\ntitle: T\nauthor: {name: A}\n---\nIntro.\n\n{{< excerpt ministry-letter >}}\n\n{{<document  ledger>}}\n\n~~~\n{{< excerpt in-code >}}\n~~~\n\n{{< excerpt ministry-letter >}}\n"
	st, err := Parse(strings.NewReader(file), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ministry-letter", "ledger"}; !reflect.DeepEqual(st.Cites, want) {
		t.Errorf("cites %v, want %v", st.Cites, want)
	}
	cs, _ := Cites(st.Body)
	if len(cs) != 3 || cs[0] != (Cite{Kind: CiteExcerpt, Slug: "ministry-letter", Line: 3}) || cs[1] != (Cite{Kind: CiteDocument, Slug: "ledger", Line: 5}) {
		t.Errorf("cites %+v", cs)
	}
	// A malformed shortcode is refused, naming its line in the file; in
	// the editor, its line in the body.
	for _, bad := range []string{"{{< excerpt Ministry_Letter >}}", "{{< quote x >}}", "{{< excerpt x page=3 >}}", "{{< excerpt >}}"} {
		_, err := Parse(strings.NewReader("---\ntitle: T\nauthor: {name: A}\n---\nIntro.\n\n"+bad+"\n"), time.Now())
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "line 7: ") {
			t.Errorf("%s: %v", bad, err)
		}
		_, err = FromFields(Fields{Title: "T", AuthorName: "A", Body: "Intro.\n\n" + bad}, time.Now())
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "line 3 of the body: ") {
			t.Errorf("editor, %s: %v", bad, err)
		}
	}
}

func TestRenderArticleCiting(t *testing.T) {
	md := "# Title\n\n- a list item\n{{< excerpt one >}}\n\n> a quote\n{{< document two >}}\n\n```\n{{< excerpt three >}}\n```\n\nText *after*.\n\n    {{< excerpt indented >}}\n"
	var got []Cite
	out := string(RenderArticleCiting(md, func(c Cite) template.HTML {
		got = append(got, c)
		return template.HTML(`<figure class="cite">` + c.Kind + ":" + c.Slug + `</figure>`)
	}))
	if len(got) != 2 || got[0].Slug != "one" || got[1].Slug != "two" {
		t.Fatalf("cite called for %+v", got)
	}
	for _, want := range []string{`<li>a list item</li>
</ul>
<figure class="cite">excerpt:one</figure>`, `<p>a quote</p>
</blockquote>
<figure class="cite">document:two</figure>`, "<code>{{&lt; excerpt three &gt;}}\n</code>", "<em>after</em>", "{{&lt; excerpt indented &gt;}}"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "CONFIDECITE") {
		t.Errorf("a token leaked:\n%s", out)
	}
	// Without shortcodes it is RenderArticle, and a reader's raw HTML is still dropped.
	if plain := "Just <script>x</script> text."; RenderArticleCiting(plain, nil) != RenderArticle(plain) || strings.Contains(string(RenderArticle(plain)), "<script") {
		t.Error("plain article rendered differently")
	}
}

// FuzzRenderArticleCiting: whatever the Markdown, the token never shows,
// each shortcode's HTML appears at most once, cite is called once per
// shortcode Cites finds, and a body without shortcodes renders as
// RenderArticle does.
func FuzzRenderArticleCiting(f *testing.F) {
	for _, s := range []string{"{{< excerpt a >}}", "x\n{{< document b >}}\ny", "```\n{{< excerpt a >}}\n```", "<pre>\n{{< excerpt a >}}\n</pre>",
		"- a\n{{< excerpt a >}}\n  - b", "> q\n{{< excerpt a >}}\n===", "# {{< excerpt a >}}", "[x]: /u\n{{< excerpt a >}}\n[x]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		calls := 0
		out := string(RenderArticleCiting(md, func(c Cite) template.HTML {
			calls++
			return template.HTML(`<figure id="cite-` + strings.Repeat("i", calls) + `-end"></figure>`)
		}))
		if strings.Contains(out, "CONFIDECITE") {
			t.Fatalf("the token leaked: %q", out)
		}
		cs, _ := Cites(md)
		valid := 0
		for _, c := range cs {
			if c.Slug != "" {
				valid++
			}
		}
		if calls != valid {
			t.Fatalf("cite called %d times for %d shortcodes", calls, valid)
		}
		for i := 1; i <= calls; i++ {
			if strings.Count(out, `id="cite-`+strings.Repeat("i", i)+`-end"`) > 1 {
				t.Fatalf("citation %d twice: %q", i, out)
			}
		}
		if !strings.Contains(md, "{{<") && out != string(RenderArticle(md)) {
			t.Fatalf("a body without shortcodes rendered differently")
		}
	})
}
