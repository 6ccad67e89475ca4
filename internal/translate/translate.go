// Package translate machine-translates pages of text with engines the
// newsroom runs itself: a LibreTranslate-compatible HTTP endpoint and
// Apertium's command line.
//
// Contract:
//
//   - No engine talks to a third-party service by default: the HTTP engine
//     needs its URL given explicitly, and plain http:// is refused unless
//     the host is loopback or a private address (see CheckURL); it never
//     follows a redirect and ignores proxy settings from the environment,
//     so a document goes to the address that was configured and nowhere
//     else.
//   - Every call is bounded: a deadline per call, a cap on the bytes of a
//     request (larger pages are split into several requests) and on the
//     bytes of an answer; Apertium runs under internal/ingest/tool's
//     process-wide bound on external programs, with stdin and stdout only
//     (its txt format writes no temporary file), at most 16 KiB of text a
//     run. apertium is a shell pipeline and tool kills only the shell: when
//     a run is cancelled, its remaining stages finish that run's text
//     (under a second here) before the call returns.
//   - A page is translated paragraph by paragraph and the alignment is
//     1:1: an engine that returns a different number of paragraphs is an
//     error, never a silently shifted translation.
//   - Machine output always carries its provenance (Provenance: engine,
//     version, languages, Machine set), so it can be labelled as machine
//     output wherever it is shown.
//   - A batch records each page's failure and goes on; it stops only when
//     its context ends.
package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Engine is a machine translator.
type Engine interface {
	// Name names the engine for the chain of custody ("apertium").
	Name() string
	// Version is the engine's version, "" if it does not tell.
	Version() string
	// Pairs lists the language pairs the engine offers.
	Pairs() []Pair
	// Translate translates each paragraph from one language to another
	// (ISO 639-1 codes, as Canon gives) and returns exactly one
	// translation per paragraph, in order.
	Translate(ctx context.Context, from, to string, paragraphs []string) ([]string, error)
}

// Pair is a direction an engine translates in.
type Pair struct {
	From, To string // ISO 639-1 where there is one ("ru", "en")
}

// String is the pair as "ru→en".
func (p Pair) String() string { return p.From + "→" + p.To }

// ErrPair means the engine does not offer that language pair.
var ErrPair = errors.New("translate: language pair not offered")

// ErrMismatch means an engine answered with a different number of
// paragraphs than it was given.
var ErrMismatch = errors.New("translate: engine returned a different number of paragraphs")

// Provenance says which machine made a translation, for the chain of
// custody and for labelling it as machine output.
type Provenance struct {
	Engine   string // "apertium", "libretranslate"
	Version  string // "3.8.3"
	From, To string
	Machine  bool // always true for what this package makes
}

// Label is the text to show beside machine output, as
// "Machine translation (apertium 3.8.3), en→es".
func (p Provenance) Label() string {
	eng := strings.TrimSpace(p.Engine + " " + p.Version)
	kind := "Machine translation"
	if !p.Machine {
		kind = "Translation"
	}
	return fmt.Sprintf("%s (%s), %s→%s", kind, eng, p.From, p.To)
}

// Translation is a page's paragraphs and their machine translation,
// aligned 1:1.
type Translation struct {
	Original   []string
	Translated []string
	Provenance Provenance
}

// Text is the translation as one text, paragraphs apart by a blank line
// (Split gives the paragraphs back).
func (t Translation) Text() string { return Join(t.Translated) }

// Rows aligns the original and the translation for side-by-side display.
func (t Translation) Rows() []Row { return Align(t.Original, t.Translated) }

// Offers reports whether e translates from → to.
func Offers(e Engine, from, to string) bool {
	from, to = Canon(from), Canon(to)
	for _, p := range e.Pairs() {
		if p.From == from && p.To == to {
			return true
		}
	}
	return false
}

// Page splits a page's text into paragraphs and translates them with e.
// Empty text gives an empty translation without asking the engine.
func Page(ctx context.Context, e Engine, from, to, text string) (Translation, error) {
	from, to = Canon(from), Canon(to)
	paras := Split(text)
	t := Translation{Original: paras, Provenance: machine(e, from, to)}
	if len(paras) == 0 {
		t.Translated = []string{}
		return t, nil
	}
	if !Offers(e, from, to) {
		return t, fmt.Errorf("%w: %s offers no %s→%s", ErrPair, e.Name(), from, to)
	}
	out, err := e.Translate(ctx, from, to, paras)
	if err != nil {
		return t, err
	}
	if len(out) != len(paras) {
		return t, fmt.Errorf("%w: %s gave %d for %d", ErrMismatch, e.Name(), len(out), len(paras))
	}
	t.Translated = out
	return t, nil
}

// PairVersioner is an Engine whose version depends on the pair (its
// language data is versioned apart, as Apertium's pairs are).
type PairVersioner interface {
	VersionFor(from, to string) string
}

func machine(e Engine, from, to string) Provenance {
	v := e.Version()
	if pv, ok := e.(PairVersioner); ok {
		v = pv.VersionFor(from, to)
	}
	return Provenance{Engine: e.Name(), Version: v, From: from, To: to, Machine: true}
}

// codes maps ISO 639-2/3 codes (Apertium's) to ISO 639-1 (LibreTranslate's
// and the archive's) for the languages a newsroom is likely to meet.
var codes = map[string]string{
	"eng": "en", "rus": "ru", "ukr": "uk", "bel": "be", "spa": "es", "fra": "fr", "fre": "fr",
	"deu": "de", "ger": "de", "ita": "it", "por": "pt", "cat": "ca", "glg": "gl", "eus": "eu",
	"baq": "eu", "nld": "nl", "dut": "nl", "pol": "pl", "ces": "cs", "cze": "cs", "slk": "sk",
	"ron": "ro", "rum": "ro", "bul": "bg", "srp": "sr", "hrv": "hr", "bos": "bs", "slv": "sl",
	"mkd": "mk", "tur": "tr", "kaz": "kk", "tat": "tt", "kir": "ky", "uzb": "uz", "ara": "ar",
	"fas": "fa", "per": "fa", "heb": "he", "swe": "sv", "dan": "da", "nob": "nb", "nno": "nn",
	"isl": "is", "fin": "fi", "est": "et", "lav": "lv", "lit": "lt", "hun": "hu", "ell": "el",
	"gre": "el", "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "oci": "oc", "arg": "an",
	"ast": "ast", "epo": "eo", "gle": "ga", "cym": "cy", "wel": "cy", "bre": "br", "mlt": "mt",
	"sqi": "sq", "alb": "sq", "hye": "hy", "arm": "hy", "kat": "ka", "geo": "ka", "aze": "az",
	"hin": "hi", "urd": "ur", "ind": "id", "msa": "ms", "may": "ms",
}

// Canon gives a language code in the form this package speaks: lower
// case, ISO 639-1 where the code is a known ISO 639-2/3 one ("eng" → "en").
func Canon(code string) string {
	c := strings.ToLower(strings.TrimSpace(code))
	if short, ok := codes[c]; ok {
		return short
	}
	return c
}
