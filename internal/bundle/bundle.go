// Package bundle is the wire format that carries a published document from
// the archive (which writes it) to the public site (which reads it), so that
// neither imports the other.
//
// A bundle is one tar stream (USTAR, regular files only, no folders):
//
//   - bundle.json, first: the Manifest (format "confide-bundle/1", slug,
//     title, language, collection, the original's path, SHA-256 and size,
//     the pages with their image, text and translation files, the published
//     PDF with the redacted copy it was cut from, the checks it passed as
//     published and what the redaction burned (terms, occurrences, boxes,
//     the copy's pages), all as fields that a site words in its reader's
//     language (older bundles carried an English sentence instead, which
//     PDF.Upgraded reads), an optional excerpt, the day of export);
//   - then every file the manifest names, once each, in the manifest's order
//     (Manifest.Members): per page its image, text and translation, then the
//     PDF;
//   - SHA256SUMS, last: one "HEX  NAME" line per file, in that order, in
//     sha256sum's format, computed by the Writer as the files stream through
//     it (so `tar xf` and `sha256sum -c SHA256SUMS` check a bundle by hand).
//
// Contract: everything in a bundle is public. It is what a journalist chose
// to export, and the site shows all of it to anyone; nothing in it may be
// secret (a redacted PDF must have passed verification, which the manifest
// states). The Reader rejects, with ErrInvalid and a reason a person can
// act on: a member other than the next one the manifest names (so no
// extra, missing, repeated or reordered file, no folder, link or device); a
// file name that is not a plain lower-case name with the extension of its
// kind (no "/", no "..", nothing absolute); a manifest over 1 MiB, a field
// over its length, more pages or bytes than the Limits; a page image that
// is not PNG or JPEG by its magic number, a PDF that does not start with
// %PDF-, text that is not UTF-8; a slug outside [a-z0-9-]; a redacted PDF
// not verified; any SHA-256 or size that does not match SHA256SUMS. It
// streams: memory stays bounded by the manifest, whatever the files' sizes,
// and a caller must keep what it read apart (staged) until Next returns
// io.EOF, since only then is the whole bundle known to be sound.
package bundle

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Format is the version string of this format, in every manifest.
const Format = "confide-bundle/1"

// ManifestName and SumsName are the first and the last member of a bundle.
const (
	ManifestName = "bundle.json"
	SumsName     = "SHA256SUMS"
)

// ErrInvalid is a bundle that is malformed, tampered with or over a limit;
// the wrapping error says what and where.
var ErrInvalid = errors.New("bundle: invalid bundle")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Translation states, as in the archive.
const (
	Draft    = "draft"
	Reviewed = "reviewed"
)

// Manifest is bundle.json: what the bundle holds and how to cite it.
type Manifest struct {
	Format      string   `json:"format"`
	Slug        string   `json:"slug"`     // the document's stable URL: /documents/SLUG
	Title       string   `json:"title"`    // shown as the document page's heading
	Language    string   `json:"language"` // of the original, a BCP 47 tag
	Collection  string   `json:"collection"`
	Original    Original `json:"original"`
	Pages       []Page   `json:"pages"`
	PDF         *PDF     `json:"pdf,omitempty"`
	Excerpt     *Excerpt `json:"excerpt,omitempty"`
	ExportedDay string   `json:"exported_day"` // YYYY-MM-DD, UTC
}

// Original cites the archived file the bundle was made from; the original
// itself is never in a bundle.
type Original struct {
	Path   string `json:"path"` // its path in the collection
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Page is one page of the document as published.
type Page struct {
	N           int          `json:"n"`               // its number in the original, from 1
	Image       string       `json:"image,omitempty"` // a PNG or JPEG file
	Text        string       `json:"text,omitempty"`  // a UTF-8 file: the page's text
	Translation *Translation `json:"translation,omitempty"`
}

// Translation is a page's translation and its provenance.
type Translation struct {
	Lang        string `json:"lang"`
	File        string `json:"file"`    // a UTF-8 file, paragraphs a blank line apart
	Machine     bool   `json:"machine"` // machine output, labelled as such wherever shown
	MadeBy      string `json:"made_by"` // "machine: apertium 3.8.3 (ru-en)" or "user: NAME"
	State       string `json:"state"`   // draft or reviewed
	ReviewedDay string `json:"reviewed_day,omitempty"`
}

// PDF is the published copy, with what was done to it. What it says is in
// fields, not sentences, so that the site says it in its reader's language.
type PDF struct {
	File     string `json:"file"`
	Redacted bool   `json:"redacted"`
	Verified bool   `json:"verified"` // the redaction passed verification
	// Redaction is the archive's ID of the redacted copy the PDF was cut
	// from ("" when it was not redacted).
	Redaction string `json:"redaction,omitempty"`
	// Checks names the checks the PDF passed when it was verified again as
	// published (redact.Report's names: "structure", "text layer", "OCR").
	Checks []string `json:"checks,omitempty"`
	// Verification is how bundles written before Redaction and Checks said
	// the same, as an English sentence; Upgraded reads it.
	Verification string  `json:"verification,omitempty"`
	Burned       *Burned `json:"burned,omitempty"` // what the redaction burned, for the site to say
}

// Burned counts a redaction as a reader does: the terms, the places where
// they were burned (each once, however many readings found it) and the
// boxes marked by hand. The whole document's, whatever pages are published:
// Pages is how many the redacted copy has (0 in older bundles).
type Burned struct {
	Terms       int `json:"terms"`
	Occurrences int `json:"occurrences"`
	Boxes       int `json:"boxes"`
	Pages       int `json:"pages,omitempty"`
}

// oldVerification is the sentence the archive wrote before Checks:
// "redacted copy ID: … burned on N pages; verified again as published,
// every check passed: A, B, C" or the same after "the original's pages,
// not redacted".
var oldVerification = regexp.MustCompile(`^(?:redacted copy ([0-9a-f]+): .* on ([0-9]+) pages?|the original's pages, not redacted); verified again as published, every check passed: (.+)$`)

// Upgraded returns the PDF with Redaction, Checks and Burned.Pages read
// from the English sentence of a bundle written before them, if it has the
// archive's form (and then without the sentence); any other PDF as it is.
// A site calls it on every manifest it shows, so old bundles are told in
// the reader's language too.
func (p PDF) Upgraded() PDF {
	sub := oldVerification.FindStringSubmatch(p.Verification)
	if len(p.Checks) > 0 || sub == nil || (sub[1] != "") != p.Redacted {
		return p
	}
	p.Checks = strings.Split(sub[3], ", ")
	p.Redaction = sub[1]
	if b := p.Burned; b != nil && sub[2] != "" {
		c := *b
		fmt.Sscan(sub[2], &c.Pages)
		p.Burned = &c
	}
	p.Verification = ""
	return p
}

// Excerpt is the passage a story quotes.
type Excerpt struct {
	Page        int    `json:"page"`
	Quote       string `json:"quote"`
	Translation string `json:"translation,omitempty"`
}

// Kind is what a member file is, which decides how it is checked.
type Kind int

// Kinds of member files.
const (
	Image   Kind = iota + 1 // PNG or JPEG
	Text                    // UTF-8
	PDFFile                 // starts with %PDF-
)

// Member is one file of a bundle, in its place in the stream.
type Member struct {
	Name string
	Kind Kind
	Page int // the page it belongs to; 0 for the PDF
}

// Members lists the manifest's files in the order they follow bundle.json.
func (m Manifest) Members() []Member {
	var out []Member
	for _, p := range m.Pages {
		if p.Image != "" {
			out = append(out, Member{p.Image, Image, p.N})
		}
		if p.Text != "" {
			out = append(out, Member{p.Text, Text, p.N})
		}
		if p.Translation != nil {
			out = append(out, Member{p.Translation.File, Text, p.N})
		}
	}
	if m.PDF != nil {
		out = append(out, Member{m.PDF.File, PDFFile, 0})
	}
	return out
}

// Page returns the page numbered n.
func (m Manifest) Page(n int) (Page, bool) {
	for _, p := range m.Pages {
		if p.N == n {
			return p, true
		}
	}
	return Page{}, false
}

// ContentType is the media type of a member file, by its (checked) name.
func ContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".jpg"), strings.HasSuffix(name, ".jpeg"):
		return "image/jpeg"
	case strings.HasSuffix(name, ".pdf"):
		return "application/pdf"
	default:
		return "text/plain; charset=utf-8"
	}
}

// Limits bound what a Reader accepts (and a Writer writes).
type Limits struct {
	Pages int   // pages in the manifest
	Image int64 // bytes of one page image
	Text  int64 // bytes of one text or translation
	PDF   int64 // bytes of the PDF
	Total int64 // bytes of all files together
}

// DefaultLimits fit a long scanned document: 2,000 pages of 300 dpi images.
var DefaultLimits = Limits{Pages: 2000, Image: 32 << 20, Text: 4 << 20, PDF: 1 << 30, Total: 8 << 30}

func (l Limits) of(k Kind) int64 {
	switch k {
	case Image:
		return l.Image
	case PDFFile:
		return l.PDF
	default:
		return l.Text
	}
}

const (
	maxManifest = 1 << 20
	maxTitle    = 300
	maxLabel    = 1000 // collection, original path
	maxQuote    = 4 << 10
	maxReport   = 8 << 10
	maxName     = 64
	maxChecks   = 64 // names in pdf.checks
)

var (
	slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	langRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	hexRe  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$`)
	// redactionRe is an archive's redacted-copy ID.
	redactionRe = regexp.MustCompile(`^[0-9a-f]{1,64}$`)
)

// ValidSlug reports whether s can name a document: [a-z0-9] words joined by
// single hyphens, at most 80 bytes.
func ValidSlug(s string) bool { return len(s) <= 80 && slugRe.MatchString(s) }

// plain checks a short human string: UTF-8, no control characters, at most
// max bytes; empty only when allowed.
func plain(field, s string, max int, empty bool) error {
	switch {
	case !empty && strings.TrimSpace(s) == "":
		return invalid("%s is missing", field)
	case len(s) > max:
		return invalid("%s is over %d bytes", field, max)
	case !utf8.ValidString(s):
		return invalid("%s is not UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return invalid("%s holds a control character", field)
		}
	}
	return nil
}

func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func validName(name string, k Kind) error {
	if len(name) > maxName || !nameRe.MatchString(name) {
		return invalid("file name %q must be a plain lower-case name (letters, digits, . _ -) of at most %d bytes", name, maxName)
	}
	ok := false
	switch k {
	case Image:
		ok = strings.HasSuffix(name, ".png") || strings.HasSuffix(name, ".jpg") || strings.HasSuffix(name, ".jpeg")
	case Text:
		ok = strings.HasSuffix(name, ".txt")
	case PDFFile:
		ok = strings.HasSuffix(name, ".pdf")
	}
	if !ok {
		return invalid("file name %q has the wrong extension for a %s", name, k)
	}
	return nil
}

func (k Kind) String() string {
	switch k {
	case Image:
		return "page image (.png, .jpg)"
	case PDFFile:
		return "PDF (.pdf)"
	default:
		return "text (.txt)"
	}
}

// Validate checks a manifest against the format and the limits.
func (m Manifest) Validate(lim Limits) error {
	if m.Format != Format {
		return invalid("format %q is not %q", m.Format, Format)
	}
	if !ValidSlug(m.Slug) {
		return invalid("slug %q must be lower-case letters, digits and single hyphens, at most 80 bytes", m.Slug)
	}
	if err := plain("title", m.Title, maxTitle, false); err != nil {
		return err
	}
	if !langRe.MatchString(m.Language) {
		return invalid("language %q is not a language tag such as ru or en", m.Language)
	}
	if err := plain("collection", m.Collection, maxLabel, false); err != nil {
		return err
	}
	if err := plain("original.path", m.Original.Path, maxLabel, false); err != nil {
		return err
	}
	if !hexRe.MatchString(m.Original.SHA256) {
		return invalid("original.sha256 is not 64 lower-case hex digits")
	}
	if m.Original.Size < 0 {
		return invalid("original.size is negative")
	}
	if !validDay(m.ExportedDay) {
		return invalid("exported_day %q is not YYYY-MM-DD", m.ExportedDay)
	}
	if len(m.Pages) == 0 {
		return invalid("it has no pages")
	}
	if len(m.Pages) > lim.Pages {
		return invalid("it has %d pages, more than %d", len(m.Pages), lim.Pages)
	}
	last := 0
	for _, p := range m.Pages {
		if p.N <= last {
			return invalid("page numbers must go up from 1 (page %d after %d)", p.N, last)
		}
		last = p.N
		if p.Image == "" && p.Text == "" {
			return invalid("page %d has neither an image nor a text", p.N)
		}
		if t := p.Translation; t != nil {
			if !langRe.MatchString(t.Lang) {
				return invalid("page %d: translation language %q is not a language tag", p.N, t.Lang)
			}
			if err := plain(fmt.Sprintf("page %d: translation made_by", p.N), t.MadeBy, maxTitle, false); err != nil {
				return err
			}
			switch {
			case t.State == Reviewed && !validDay(t.ReviewedDay):
				return invalid("page %d: a reviewed translation needs reviewed_day (YYYY-MM-DD)", p.N)
			case t.State == Draft && t.ReviewedDay != "":
				return invalid("page %d: a draft translation has no reviewed_day", p.N)
			case t.State != Draft && t.State != Reviewed:
				return invalid("page %d: translation state %q is not draft or reviewed", p.N, t.State)
			}
		}
	}
	if d := m.PDF; d != nil {
		if d.Redacted && !d.Verified {
			return invalid("the PDF is redacted but did not pass verification; it cannot be published")
		}
		if err := plain("pdf.verification", d.Verification, maxReport, true); err != nil {
			return err
		}
		if d.Redaction != "" && (!d.Redacted || !redactionRe.MatchString(d.Redaction)) {
			return invalid("pdf.redaction %q must be a redacted PDF's copy ID, up to 64 lower-case hex digits", d.Redaction)
		}
		if len(d.Checks) > maxChecks {
			return invalid("pdf.checks names %d checks, more than %d", len(d.Checks), maxChecks)
		}
		for _, c := range d.Checks {
			if err := plain("pdf.checks", c, maxLabel, false); err != nil {
				return err
			}
		}
		if b := d.Burned; b != nil && (!d.Redacted || b.Terms < 0 || b.Occurrences < 0 || b.Boxes < 0 || b.Pages < 0 || b.Terms+b.Boxes == 0) {
			return invalid("pdf.burned must count a redaction's terms and boxes (none negative, not both 0), and only a redacted PDF has one")
		}
	}
	if e := m.Excerpt; e != nil {
		if _, ok := m.Page(e.Page); !ok {
			return invalid("the excerpt is from page %d, which the bundle does not hold", e.Page)
		}
		if err := plain("excerpt.quote", e.Quote, maxQuote, false); err != nil {
			return err
		}
		if err := plain("excerpt.translation", e.Translation, maxQuote, true); err != nil {
			return err
		}
	}
	seen := map[string]bool{ManifestName: true, SumsName: true}
	for _, f := range m.Members() {
		if err := validName(f.Name, f.Kind); err != nil {
			return err
		}
		if seen[f.Name] {
			return invalid("file name %q is used twice", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}
