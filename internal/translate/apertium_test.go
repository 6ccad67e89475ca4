package translate

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// newApertium is the real apertium with Debian's apertium-eng-spa pair
// (scripts/test.sh installs both).
func newApertium(t *testing.T) *Apertium {
	t.Helper()
	if _, err := exec.LookPath("apertium"); err != nil {
		t.Skip("apertium is not installed (Debian: apertium apertium-eng-spa)")
	}
	a, err := NewApertium(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.Mode("en", "es") == "" {
		t.Skipf("apertium has no eng-spa pair (Debian: apertium-eng-spa); it has %v", a.Pairs())
	}
	return a
}

func TestApertiumTranslatesEnglishToSpanish(t *testing.T) {
	a := newApertium(t)
	if a.Name() != "apertium" || !strings.Contains(a.Version(), ".") {
		t.Errorf("name %q version %q", a.Name(), a.Version())
	}
	if a.Mode("eng", "spa") != "eng-spa" || !Offers(a, "es", "en") {
		t.Errorf("modes: %v", a.Pairs())
	}
	for _, p := range a.Pairs() {
		if strings.ContainsAny(p.To, "_-") {
			t.Errorf("a variant listed as a pair: %v", p)
		}
	}
	// An OCR'd page: wrapped lines, a hyphenated word, three paragraphs.
	page := "The journalist reads the docu-\nments.\n\nThe house is big\nand the dog eats.\n\nThe minister signed the letter."
	tr, err := Page(context.Background(), a, "en", "es", page)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Translated) != 3 {
		t.Fatalf("%d paragraphs back for 3: %q", len(tr.Translated), tr.Translated)
	}
	want := [][]string{{"periodista", "documentos"}, {"casa", "perro"}, {"ministro", "firmó"}}
	for i, words := range want {
		for _, w := range words {
			if !strings.Contains(strings.ToLower(tr.Translated[i]), w) {
				t.Errorf("paragraph %d %q lacks %q", i, tr.Translated[i], w)
			}
		}
	}
	if strings.Contains(tr.Translated[0], "*") {
		t.Errorf("unknown-word marks left in %q", tr.Translated[0])
	}
	// Debian's package and version of the pair's data are named too.
	if v := tr.Provenance.Version; !strings.HasPrefix(v, a.Version()+" (apertium-eng-spa 0.") {
		t.Errorf("version %q lacks the pair's data package", v)
	}
	if !tr.Provenance.Machine || !strings.HasPrefix(tr.Provenance.Label(), "Machine translation (apertium 3.") {
		t.Errorf("provenance %+v label %q", tr.Provenance, tr.Provenance.Label())
	}
}

func TestApertiumKeepsAlignment(t *testing.T) {
	a := newApertium(t)
	// Empty paragraphs, characters apertium's stream format reserves, and
	// a paragraph with line breaks inside: still one out per one in.
	paras := []string{"The cat [sleeps].", "", "A ^strange$ /line/ @here {x} \\ <b>.", "one\ntwo\n\nthree", "   "}
	out, err := a.Translate(context.Background(), "en", "es", paras)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(paras) || out[1] != "" || out[4] != "" || !strings.Contains(out[0], "gato") || !strings.Contains(out[3], "tres") {
		t.Errorf("out = %q", out)
	}
	// Several runs, and a paragraph cut in pieces, still fold back 1:1.
	a.MaxRequest = 40
	paras = []string{"The cat sleeps.", "The dog eats.", "The house is big and the minister signed the letter. The journalist reads."}
	out, err = a.Translate(context.Background(), "en", "es", paras)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || !strings.Contains(out[0], "gato") || !strings.Contains(out[1], "perro") ||
		!strings.Contains(out[2], "casa") || !strings.Contains(out[2], "periodista") {
		t.Errorf("in runs of 40 bytes: %q", out)
	}
}

func TestApertiumBounds(t *testing.T) {
	a := newApertium(t)
	ctx := context.Background()
	if _, err := a.Translate(ctx, "en", "xx", []string{"hello"}); !errors.Is(err, ErrPair) {
		t.Errorf("unknown pair: %v", err)
	}
	a.MaxOutput = 1000
	big := []string{strings.Repeat("The dog eats the big red apple. ", 4000)}
	if _, err := a.Translate(ctx, "en", "es", big); !errors.Is(err, errTooLong) {
		t.Errorf("output over the bound: %v", err)
	}
	a.MaxOutput = 0
	a.Timeout = 50 * time.Millisecond
	start := time.Now()
	_, err := a.Translate(ctx, "en", "es", big)
	if err == nil || !strings.Contains(err.Error(), "took longer") || time.Since(start) > 5*time.Second {
		t.Errorf("timeout: %v after %v", err, time.Since(start))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.Translate(cctx, "en", "es", []string{"hello"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
