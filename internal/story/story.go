// Package story turns what journalists write into what readers see:
// Markdown articles with YAML front matter, and readers' comments.
//
// Contract: article Markdown is rendered by goldmark with raw HTML left
// out, then sanitised; comments are limited Markdown sanitised by
// bluemonday to a few inline tags, with every link rel="nofollow ugc".
// Nothing a reader writes can carry script, style, frames or event
// handlers into a page.
package story

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"

	"confide/internal/store"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"go.yaml.in/yaml/v3"
)

// frontMatter is what a story file declares above its body.
type frontMatter struct {
	Title      string   `yaml:"title"`
	Slug       string   `yaml:"slug"`
	Standfirst string   `yaml:"standfirst"`
	PullQuotes []string `yaml:"pull_quotes"`
	Author     struct {
		Name string `yaml:"name"`
		Slug string `yaml:"slug"`
		Bio  string `yaml:"bio"`
	} `yaml:"author"`
	Date  string   `yaml:"date"`
	Tags  []string `yaml:"tags"`
	State string   `yaml:"state"`
	Lang  string   `yaml:"lang,omitempty"`
}

// langTag is the simple BCP 47 shape a story's language may take: "en", "ru", "pt-BR".
var langTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// ErrFormat is a story file that cannot be read; its message says why.
var ErrFormat = errors.New("story: bad story file")

func formatErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, a...))
}

// maxFile bounds a story file.
const maxFile = 4 << 20

// Parse reads a story file: YAML front matter between --- lines, then
// Markdown. now decides whether a future date means "scheduled".
func Parse(r io.Reader, now time.Time) (store.Story, error) { return parse(r, now, false) }

// parse is Parse; fields says the file was made from the editor's fields.
func parse(r io.Reader, now time.Time, fields bool) (store.Story, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return store.Story{}, err
	}
	if len(b) > maxFile {
		return store.Story{}, formatErr("the file is over 4 MiB")
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return store.Story{}, formatErr("it must start with a --- line, then the front matter")
	}
	head, body, ok := strings.Cut(text[4:], "\n---\n")
	if !ok {
		head, ok = strings.CutSuffix(text[4:], "\n---")
		if !ok {
			return store.Story{}, formatErr("the front matter has no closing --- line")
		}
	}
	var fm frontMatter
	dec := yaml.NewDecoder(strings.NewReader(head))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil && !errors.Is(err, io.EOF) {
		return store.Story{}, formatErr("front matter: %v", err)
	}
	st := store.Story{Title: strings.TrimSpace(fm.Title), Standfirst: strings.TrimSpace(fm.Standfirst), Body: body,
		State: fm.State, Author: store.Author{Name: strings.TrimSpace(fm.Author.Name), Slug: fm.Author.Slug, Bio: strings.TrimSpace(fm.Author.Bio)}}
	if st.Title == "" {
		return st, formatErr("title is missing")
	}
	if st.Author.Name == "" {
		return st, formatErr("author.name is missing")
	}
	st.Lang = strings.TrimSpace(fm.Lang)
	if st.Lang == "" {
		st.Lang = "en"
	}
	if !langTag.MatchString(st.Lang) {
		return st, formatErr("lang %q must be a language tag such as en or ru", fm.Lang)
	}
	st.Slug = fm.Slug
	if st.Slug == "" {
		st.Slug = Slugify(st.Title)
	}
	if st.Slug != Slugify(st.Slug) || st.Slug == "" {
		return st, formatErr("slug %q must be lower-case letters, digits and hyphens", fm.Slug)
	}
	if st.Author.Slug == "" {
		st.Author.Slug = Slugify(st.Author.Name)
	}
	if st.Author.Slug != Slugify(st.Author.Slug) || st.Author.Slug == "" {
		return st, formatErr("author.slug %q must be lower-case letters, digits and hyphens", fm.Author.Slug)
	}
	for _, q := range fm.PullQuotes {
		if q = strings.TrimSpace(q); q != "" {
			st.PullQuotes = append(st.PullQuotes, q)
		}
	}
	seen := map[string]bool{}
	for _, t := range fm.Tags {
		t = Slugify(t)
		if t != "" && !seen[t] {
			seen[t] = true
			st.Tags = append(st.Tags, t)
		}
	}
	where := "line %d"
	offset := strings.Count(text[:len(text)-len(body)], "\n")
	if fields {
		// The editor's body box is numbered from its own first line.
		where, offset = "line %d of the body", 0
	}
	cs, err := citesAt(body, offset, where)
	if err != nil {
		return st, err
	}
	st.Cites = citeSlugs(cs)
	st.Published = now.UTC().Truncate(time.Second)
	if fm.Date != "" {
		d, err := parseDate(fm.Date)
		if err != nil {
			return st, formatErr("date %q is not YYYY-MM-DD or RFC 3339", fm.Date)
		}
		st.Published = d
	}
	switch st.State {
	case "", store.StoryPublished:
		st.State = store.StoryPublished
		if st.Published.After(now) {
			st.State = store.StoryScheduled
		}
	case store.StoryDraft, store.StoryScheduled:
	default:
		return st, formatErr("state %q is not draft, scheduled or published", fm.State)
	}
	return st, nil
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", s)
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify makes a URL-safe slug: lower-case ASCII letters, digits, hyphens.
// Other letters are dropped, so a title in Cyrillic needs an explicit slug.
func Slugify(s string) string {
	s = strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
	s = strings.Trim(nonSlug.ReplaceAllString(s, "-"), "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

var (
	// Goldmark leaves raw HTML out unless told otherwise; the policy is a
	// second fence.
	articleMD     = goldmark.New()
	articlePolicy = bluemonday.UGCPolicy()

	commentMD     = goldmark.New()
	commentPolicy = func() *bluemonday.Policy {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "br", "em", "strong", "code", "blockquote", "ul", "ol", "li")
		p.AllowAttrs("href").OnElements("a")
		p.AllowStandardURLs()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(false)
		return p
	}()
)

// RenderArticle renders a story's Markdown to safe HTML.
func RenderArticle(md string) template.HTML {
	var buf bytes.Buffer
	if err := articleMD.Convert([]byte(md), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(md))
	}
	return template.HTML(articlePolicy.SanitizeBytes(buf.Bytes()))
}

// MaxComment is the longest comment accepted, in bytes.
const MaxComment = 8 << 10

// RenderComment renders a reader's limited Markdown to safe HTML. Links get
// rel="nofollow ugc".
func RenderComment(md string) template.HTML {
	var buf bytes.Buffer
	if err := commentMD.Convert([]byte(md), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(md))
	}
	out := commentPolicy.SanitizeBytes(buf.Bytes())
	out = bytes.ReplaceAll(out, []byte(`rel="nofollow"`), []byte(`rel="nofollow ugc"`))
	return template.HTML(out)
}

// Fields are the editor's form, one value per field.
type Fields struct {
	Title, Slug, Standfirst, PullQuotes, AuthorName, AuthorBio, Date, Tags, State, Body, Lang string
}

// FromFields builds a story from the newsroom editor's fields, through the
// same checks as a story file. Pull quotes are one a line; tags are
// separated by commas.
func FromFields(f Fields, now time.Time) (store.Story, error) {
	var fm frontMatter
	fm.Title, fm.Slug, fm.Standfirst, fm.Date, fm.State, fm.Lang = f.Title, f.Slug, f.Standfirst, f.Date, f.State, f.Lang
	fm.Author.Name, fm.Author.Bio = f.AuthorName, f.AuthorBio
	for _, q := range strings.Split(f.PullQuotes, "\n") {
		if q = strings.TrimSpace(q); q != "" {
			fm.PullQuotes = append(fm.PullQuotes, q)
		}
	}
	for _, t := range strings.Split(f.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			fm.Tags = append(fm.Tags, t)
		}
	}
	head, err := yaml.Marshal(fm)
	if err != nil {
		return store.Story{}, formatErr("%v", err)
	}
	return parse(strings.NewReader("---\n"+string(head)+"---\n"+f.Body), now, true)
}

// ToFields is the inverse, to fill the editor.
func ToFields(st store.Story) Fields {
	return Fields{Title: st.Title, Slug: st.Slug, Standfirst: st.Standfirst, PullQuotes: strings.Join(st.PullQuotes, "\n"),
		AuthorName: st.Author.Name, AuthorBio: st.Author.Bio, Date: st.Published.Format(time.RFC3339), Tags: strings.Join(st.Tags, ", "),
		State: st.State, Body: st.Body, Lang: st.Lang}
}
