package story

import (
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"confide/internal/store"
)

var now = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

const sample = `---
title: "Where the river money went"
slug: river-money
standfirst: A year of ledgers, read side by side.
pull_quotes:
  - "Nobody signed for it."
author:
  name: Anna Petrova
  bio: Anna covers public money.
date: 2026-11-20
tags: [Money, City Hall, money]
---
The **ledgers** show <script>alert(1)</script> payments.
`

func TestParse(t *testing.T) {
	st, err := Parse(strings.NewReader(sample), now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Slug != "river-money" || st.Author.Slug != "anna-petrova" || st.State != store.StoryPublished ||
		len(st.Tags) != 2 || st.Tags[0] != "money" || st.Tags[1] != "city-hall" || len(st.PullQuotes) != 1 ||
		!st.Published.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v", st)
	}
	html := string(RenderArticle(st.Body))
	if !strings.Contains(html, "<strong>ledgers</strong>") || strings.Contains(html, "<script") {
		t.Fatalf("article html %q", html)
	}
	future, _ := Parse(strings.NewReader(strings.Replace(sample, "2026-11-20", "2026-12-24", 1)), now)
	if future.State != store.StoryScheduled {
		t.Fatalf("future date: %s", future.State)
	}
	for _, bad := range []string{
		"no front matter",
		"---\ntitle: x\n",
		"---\nauthor:\n  name: A\n---\n",
		"---\ntitle: T\n---\n",
		"---\ntitle: T\nauthor: {name: A}\nslug: ../etc\n---\n",
		"---\ntitle: T\nauthor: {name: A}\ndate: yesterday\n---\n",
		"---\ntitle: T\nauthor: {name: A}\nstate: gone\n---\n",
		"---\ntitle: T\nauthor: {name: A}\nunknown: 1\n---\n",
		"---\ntitle: [unclosed\n---\n",
	} {
		if _, err := Parse(strings.NewReader(bad), now); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestCommentsAreSanitised(t *testing.T) {
	for _, attack := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`[click](javascript:alert(1))`,
		`<a href="http://x" onclick="alert(1)">x</a>`,
		`<iframe src="http://evil"></iframe>`,
		`<style>body{display:none}</style>`,
		"`<svg onload=alert(1)>`",
	} {
		out := strings.ToLower(string(RenderComment(attack)))
		for _, bad := range []string{"<script", "onerror", "javascript:", "onclick", "<iframe", "<style", "<svg", "<img"} {
			if strings.Contains(out, bad) {
				t.Errorf("%q rendered as %q", attack, out)
			}
		}
	}
	out := string(RenderComment("see **this**: [report](https://example.org/r)"))
	if !strings.Contains(out, `<a href="https://example.org/r" rel="nofollow ugc">report</a>`) || !strings.Contains(out, "<strong>this</strong>") {
		t.Fatalf("%q", out)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("---\n---\n")
	f.Add("---\ntitle: &a [*a]\n---\n")
	f.Fuzz(func(t *testing.T, s string) {
		st, err := Parse(strings.NewReader(s), now)
		if err != nil {
			return
		}
		if st.Slug == "" || st.Slug != Slugify(st.Slug) || st.Author.Slug != Slugify(st.Author.Slug) || st.Title == "" {
			t.Fatalf("accepted a story with bad fields: %+v", st)
		}
	})
}

var hrefRe = regexp.MustCompile(`href="([^"]*)"`)

func FuzzRenderComment(f *testing.F) {
	f.Add(`<script>alert(1)</script>`)
	f.Add(`[x](javascript:alert(1))`)
	f.Fuzz(func(t *testing.T, s string) {
		out := strings.ToLower(string(RenderComment(s)))
		for _, bad := range []string{"<script", "<iframe", "<style", "<img", "<svg", "<object"} {
			if strings.Contains(out, bad) {
				t.Fatalf("%q rendered as %q", s, out)
			}
		}
		// Text may say "javascript:"; a link target may not.
		for _, m := range hrefRe.FindAllStringSubmatch(out, -1) {
			target := strings.TrimSpace(html.UnescapeString(m[1]))
			if strings.HasPrefix(target, "javascript:") || strings.HasPrefix(target, "data:") || strings.HasPrefix(target, "vbscript:") {
				t.Fatalf("%q rendered a dangerous link: %q", s, out)
			}
		}
		if strings.Contains(out, " on") && strings.Contains(out, "=") {
			for _, attr := range []string{" onerror=", " onload=", " onclick=", " onmouseover="} {
				if strings.Contains(out, attr) {
					t.Fatalf("%q rendered an event handler: %q", s, out)
				}
			}
		}
	})
}

func TestFieldsRoundTrip(t *testing.T) {
	st, err := FromFields(Fields{Title: "A: title with \"quotes\"\nand a newline", Slug: "a-title", PullQuotes: "one\n\ntwo: colon", AuthorName: "Ann",
		Tags: "x, y,,x", Body: "body", State: "draft", Date: "2026-01-02"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != store.StoryDraft || len(st.PullQuotes) != 2 || st.PullQuotes[1] != "two: colon" || len(st.Tags) != 2 || st.Body != "body" {
		t.Fatalf("%+v", st)
	}
	back, err := FromFields(ToFields(st), now)
	if err != nil || back.Title != st.Title || back.Slug != st.Slug || !back.Published.Equal(st.Published) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if _, err := FromFields(Fields{Title: "T"}, now); !errors.Is(err, ErrFormat) {
		t.Fatal("a story without author was accepted")
	}
}

func TestStoryLanguage(t *testing.T) {
	for _, c := range []struct{ head, want string }{
		{"", "en"},
		{"lang: ru\n", "ru"},
		{"lang: pt-BR\n", "pt-BR"},
	} {
		st, err := Parse(strings.NewReader("---\ntitle: T\nauthor:\n  name: Ann\n"+c.head+"---\nbody"), now)
		if err != nil || st.Lang != c.want {
			t.Errorf("%q: %q %v, want %q", c.head, st.Lang, err, c.want)
		}
	}
	for _, bad := range []string{"lang: Russian\n", "lang: '\"><script>'\n", "lang: e\n"} {
		if _, err := Parse(strings.NewReader("---\ntitle: T\nauthor:\n  name: Ann\n"+bad+"---\nbody"), now); !errors.Is(err, ErrFormat) {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
	st, err := FromFields(Fields{Title: "T", AuthorName: "Ann", Lang: "ru", Body: "b"}, now)
	if err != nil || st.Lang != "ru" || ToFields(st).Lang != "ru" {
		t.Fatalf("the editor's language: %+v %v", st, err)
	}
}
