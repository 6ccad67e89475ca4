package ocr

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixture(name string) string { return filepath.Join("..", "testdata", name) }

func TestRecognizeRussianPage(t *testing.T) {
	f, err := os.Open(fixture("ru.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pages, err := Recognize(context.Background(), Options{TmpDir: t.TempDir()}, Image{R: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 {
		t.Fatalf("%d pages", len(pages))
	}
	p := pages[0]
	for _, w := range []string{"Протокол", "заседания", "Сидорова"} {
		if !strings.Contains(p.Text, w) {
			t.Errorf("rus+eng text %q lacks %q", p.Text, w)
		}
	}
	if p.Confidence < 80 || p.Low {
		t.Errorf("confidence %.1f low=%v on a clean page", p.Confidence, p.Low)
	}
	if len(p.Words) < 10 || p.Words[0].Text != "Протокол" || p.Words[0].Width <= 0 || p.Words[0].Height <= 0 {
		t.Errorf("words %+v", p.Words)
	}
	if strings.Count(p.Text, "\n") != 3 {
		t.Errorf("four lines expected: %q", p.Text)
	}

	// The language list is really applied: English alone reads Cyrillic
	// as Latin look-alikes, with less confidence.
	eng, err := Recognize(context.Background(), Options{Lang: "eng", TmpDir: t.TempDir()}, Image{Path: fixture("ru.png")})
	if err != nil {
		t.Fatal(err)
	}
	if eng[0].Text == p.Text || strings.Contains(eng[0].Text, "Протокол") {
		t.Errorf("eng OCR gave the Russian text: %q", eng[0].Text)
	}
	if eng[0].Confidence >= p.Confidence {
		t.Errorf("eng confidence %.1f not under rus+eng %.1f", eng[0].Confidence, p.Confidence)
	}
}

func TestRecognizeMultiPageTIFF(t *testing.T) {
	pages, err := Recognize(context.Background(), Options{TmpDir: t.TempDir()}, Image{Path: fixture("pages.tif"), Pages: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pages[0].Number != 1 || pages[1].Number != 2 {
		t.Fatalf("pages %+v", pages)
	}
	if !strings.Contains(pages[0].Text, "комиссии") || !strings.Contains(pages[1].Text, "committee") {
		t.Errorf("texts %q / %q", pages[0].Text, pages[1].Text)
	}
}

func TestRecognizeTimeoutAndBadLang(t *testing.T) {
	_, err := Recognize(context.Background(), Options{Timeout: time.Millisecond, TmpDir: t.TempDir()}, Image{Path: fixture("ru.png")})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("1 ms deadline: %v", err)
	}
	for _, l := range []string{"deu", "rus;rm -rf", "-l", "rus+"} {
		if _, err := Recognize(context.Background(), Options{Lang: l}, Image{Path: fixture("ru.png")}); err == nil {
			t.Errorf("language %q accepted", l)
		}
	}
	if err := CheckLang("rus+eng"); err != nil {
		t.Error(err)
	}
	if !strings.HasPrefix(Version(), "tesseract 5.") && !strings.HasPrefix(Version(), "tesseract 4.") {
		t.Errorf("Version() = %q", Version())
	}
}

const sampleTSV = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
	"1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n" +
	"5\t1\t1\t1\t1\t1\t10\t10\t20\t10\t90\tОдин\n" +
	"5\t1\t1\t1\t1\t2\t40\t10\t20\t10\t70\tдва\n" +
	"5\t1\t1\t1\t2\t1\t10\t30\t20\t10\t50\tтри\n" +
	"5\t1\t2\t1\t1\t1\t10\t60\t20\t10\t30\tfour\n" +
	"5\t1\t2\t1\t1\t2\t10\t60\t20\t10\t95\t \n" +
	"1\t2\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n" +
	"1\t3\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n" +
	"5\t3\t1\t1\t1\t1\t1\t2\t3\t4\t20\tx\n"

func TestParseTSV(t *testing.T) {
	pages, err := ParseTSV(strings.NewReader(sampleTSV), 60)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages", len(pages))
	}
	if p := pages[0]; p.Text != "Один два\nтри\n\nfour" || p.Confidence != 60 || p.Low || len(p.Words) != 4 {
		t.Errorf("page 1: %+v", p)
	}
	if w := pages[0].Words[1]; w != (Word{Text: "два", Left: 40, Top: 10, Width: 20, Height: 10, Conf: 70, Block: 1, Par: 1, Line: 1}) {
		t.Errorf("word %+v", w)
	}
	if p := pages[1]; p.Number != 2 || p.Text != "" || p.Low {
		t.Errorf("empty page 2: %+v", p)
	}
	if p := pages[2]; p.Number != 3 || !p.Low || p.Confidence != 20 {
		t.Errorf("page 3: %+v", p)
	}
	for _, bad := range []string{"5\t1\t1\n", "5\t1\t1\t1\t1\t1\t-3\t0\t1\t1\t90\tx\n", "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t190\tx\n", "5\t2\t1\t1\t1\t1\t0\t0\t1\t1\t90\tx\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tx\n"} {
		if _, err := ParseTSV(strings.NewReader(bad), 60); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// FuzzParseTSV checks that what parses is consistent: page numbers rise,
// the text is exactly the words in order, confidences are the words' mean
// and the low flag follows it.
func FuzzParseTSV(f *testing.F) {
	f.Add(sampleTSV)
	f.Add("5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\ta b\n")
	f.Fuzz(func(t *testing.T, s string) {
		pages, err := ParseTSV(strings.NewReader(s), 60)
		if err != nil {
			return
		}
		last := 0
		for _, p := range pages {
			if p.Number <= last {
				t.Fatalf("page %d after %d", p.Number, last)
			}
			last = p.Number
			var words []string
			var sum float64
			for _, w := range p.Words {
				if w.Conf < 0 || w.Conf > 100 || w.Text == "" {
					t.Fatalf("word %+v", w)
				}
				words = append(words, strings.Fields(w.Text)...)
				sum += w.Conf
			}
			if got := strings.Fields(p.Text); strings.Join(got, " ") != strings.Join(words, " ") {
				t.Fatalf("text %q is not the words %q", p.Text, words)
			}
			if len(p.Words) > 0 && (p.Confidence != sum/float64(len(p.Words)) || p.Low != (p.Confidence < 60)) {
				t.Fatalf("confidence %v low %v for words %+v", p.Confidence, p.Low, p.Words)
			}
			if len(p.Words) == 0 && (p.Confidence != 0 || p.Low) {
				t.Fatalf("empty page %+v", p)
			}
		}
	})
}
