package translate

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"blank lines part paragraphs", "First one.\n\nSecond one.\n \t\nThird.", []string{"First one.", "Second one.", "Third."}},
		{"OCR wraps are joined", "The committee met\non Tuesday and\n  agreed.\n", []string{"The committee met on Tuesday and agreed."}},
		{"hyphenation at a line end", "the docu-\nment was signed", []string{"the document was signed"}},
		{"Russian hyphenation", "протокол засе-\nдания комиссии", []string{"протокол заседания комиссии"}},
		{"soft hyphen", "inter\u00ad\nnational", []string{"international"}},
		{"compound before a capital keeps its hyphen", "Rosneft-\nGazprom deal", []string{"Rosneft-Gazprom deal"}},
		{"a dash after a space is not a hyphen", "costs rose -\nsharply", []string{"costs rose - sharply"}},
		{"form feed is a page break", "end of page one\fstart of page two", []string{"end of page one", "start of page two"}},
		{"CRLF and CR", "one\r\ntwo\r\n\r\nthree\rfour", []string{"one two", "three four"}},
		{"runs of spaces", "a   b\t\tc", []string{"a b c"}},
		{"nothing", " \n\n \f ", nil},
	}
	for _, c := range cases {
		if got := Split(c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s: Split(%q) = %q, want %q", c.name, c.text, got, c.want)
		}
	}
}

func TestAlign(t *testing.T) {
	rows := Align([]string{"a", "b", "c"}, []string{"A", "B"})
	want := []Row{{1, "a", "A"}, {2, "b", "B"}, {3, "c", ""}}
	if !slices.Equal(rows, want) {
		t.Fatalf("Align = %v, want %v", rows, want)
	}
	rows = Align([]string{"a"}, []string{"A", "extra"})
	if len(rows) != 2 || rows[1] != (Row{2, "", "extra"}) {
		t.Fatalf("a longer translation: %v", rows)
	}
	if len(Align(nil, nil)) != 0 {
		t.Fatal("nothing to align gave rows")
	}
}

// checkSplit holds the properties of Split for any text: paragraphs are
// non-empty, trimmed, single-line, and Join then Split gives them back
// (so the count is stable under the round trip an engine's input and
// output go through).
func checkSplit(t *testing.T, text string) {
	t.Helper()
	ps := Split(text)
	for _, p := range ps {
		if p == "" || strings.TrimFunc(p, unicode.IsSpace) != p || strings.ContainsAny(p, "\n\r\f\v") {
			t.Fatalf("Split(%q) gave a bad paragraph %q", text, p)
		}
	}
	again := Split(Join(ps))
	if !slices.Equal(again, ps) {
		t.Fatalf("Split(Join(Split(%q))):\n got %q\nwant %q", text, again, ps)
	}
	// Re-wrapping each paragraph at its spaces, as OCR would, changes
	// nothing either, unless a wrap lands after a hyphen.
	var wrapped []string
	for _, p := range ps {
		if !strings.Contains(p, "-") && !strings.Contains(p, "\u00ad") {
			wrapped = append(wrapped, strings.ReplaceAll(p, " ", "\n"))
		} else {
			wrapped = append(wrapped, p)
		}
	}
	if got := Split(Join(wrapped)); !slices.Equal(got, ps) {
		t.Fatalf("re-wrapped %q: got %q, want %q", text, got, ps)
	}
}

func TestSplitProperties(t *testing.T) {
	for _, s := range []string{"", "a\n\nb", "x-\n\ny", "a\u2028b\n\n\nc", "\xff\n\xfe", "- \n-a"} {
		checkSplit(t, s)
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("The committee met\non Tuesday.\n\nSecond para-\ngraph.\f")
	f.Add("протокол засе-\nдания\r\n\r\nвторой")
	f.Add("a\u00ad\nb -\nC")
	f.Fuzz(checkSplit)
}
