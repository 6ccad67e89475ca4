package charset

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

var samples = []string{
	"Дорогой Иван Петрович! Пишу вам из Ленинграда. Погода стоит холодная, но на работе всё по-прежнему.",
	"Протокол заседания комиссии от 12 марта 1989 года. Присутствовали: Сидоров, Кузнецова.",
	"ПРИКАЗ О НАЗНАЧЕНИИ ОТВЕТСТВЕННОГО ЗА ХРАНЕНИЕ ДОКУМЕНТОВ",
	"Съешь же ещё этих мягких французских булок, да выпей чаю.",
	"Привет, мир",
}

func TestDetectEachCharset(t *testing.T) {
	for _, s := range samples {
		for _, c := range append([]Charset{UTF8}, candidates...) {
			var b []byte
			if c == UTF8 {
				b = []byte(s)
			} else {
				var err error
				b, err = c.Encoding().NewEncoder().Bytes([]byte(s))
				if err != nil {
					t.Fatal(err)
				}
			}
			got, conf := Detect(b)
			if got != c {
				t.Errorf("Detect(%s of %q) = %s (%.2f)", c, s, got, conf)
				continue
			}
			if dec := Decode(b, got); dec != s {
				t.Errorf("Decode(%s) = %q, want %q", c, dec, s)
			}
			r, err := io.ReadAll(NewReader(bytes.NewReader(b), got))
			if err != nil || string(r) != s {
				t.Errorf("NewReader(%s) = %q, %v", c, r, err)
			}
		}
	}
}

func TestDetectCutRune(t *testing.T) {
	b := []byte("Привет")
	if c, _ := Detect(b[:len(b)-1]); c != UTF8 {
		t.Errorf("UTF-8 cut inside the last rune detected as %s", c)
	}
}

func TestLookup(t *testing.T) {
	for _, n := range []string{"koi8-r", "KOI8-R", "windows-1251", "cp1251", "cp866", "ibm866", "utf-8", "iso-8859-5"} {
		if _, ok := Lookup(n); !ok {
			t.Errorf("Lookup(%q) failed", n)
		}
	}
	if _, ok := Lookup("x-no-such"); ok {
		t.Error("Lookup of a made-up name succeeded")
	}
}

// FuzzDetect checks that detection always names a candidate, that valid
// UTF-8 is always UTF-8 and decodes to itself, that every decoding is
// valid UTF-8, and that Russian text survives a round trip through each
// single-byte charset.
func FuzzDetect(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
		b, _ := KOI8R.Encoding().NewEncoder().Bytes([]byte(s))
		f.Add(b)
	}
	f.Add([]byte{0xff, 0xfe, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, conf := Detect(b)
		if c != UTF8 && c != Windows1251 && c != KOI8R && c != CP866 {
			t.Fatalf("Detect = %q", c)
		}
		if conf < 0 || conf > 1 {
			t.Fatalf("confidence %v", conf)
		}
		if utf8.Valid(b) && c != UTF8 {
			t.Fatalf("valid UTF-8 detected as %s", c)
		}
		d := Decode(b, c)
		if !utf8.ValidString(d) {
			t.Fatalf("Decode gave invalid UTF-8 %q", d)
		}
		if utf8.Valid(b) && d != string(b) {
			t.Fatalf("UTF-8 decode changed the text")
		}
		// Any Cyrillic text, once encoded, decodes back under the same charset.
		s := strings.Map(func(r rune) rune {
			if (r >= 'а' && r <= 'я') || (r >= 'А' && r <= 'Я') || r == ' ' {
				return r
			}
			return -1
		}, string(b))
		for _, cc := range candidates {
			e, err := cc.Encoding().NewEncoder().Bytes([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			if Decode(e, cc) != s {
				t.Fatalf("round trip through %s lost text", cc)
			}
		}
	})
}
