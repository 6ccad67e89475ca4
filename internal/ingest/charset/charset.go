// Package charset detects and decodes the encodings of Russian-language
// text that an archive meets: UTF-8, Windows-1251, KOI8-R and CP866.
//
// Contract: Detect looks only at the sample it is given (callers pass the
// first few KiB of a stream, never a whole file), never fails, and always
// names one of the four charsets. Valid UTF-8 (ASCII included) is always
// UTF-8; otherwise each single-byte candidate's decoding is scored against
// Russian letter and bigram frequencies and the likeliest wins. Decoders
// always produce valid UTF-8.
package charset

import (
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// Charset names a text encoding by its IANA name.
type Charset string

// The charsets Detect chooses from.
const (
	UTF8        Charset = "utf-8"
	Windows1251 Charset = "windows-1251"
	KOI8R       Charset = "koi8-r"
	CP866       Charset = "ibm866"
)

// Candidates are the single-byte charsets Detect weighs against each other.
var candidates = []Charset{Windows1251, KOI8R, CP866}

// Encoding returns the decoder table of a charset Detect can return.
func (c Charset) Encoding() encoding.Encoding {
	switch c {
	case Windows1251:
		return charmap.Windows1251
	case KOI8R:
		return charmap.KOI8R
	case CP866:
		return charmap.CodePage866
	}
	return encoding.Nop
}

// Lookup finds any charset by a name found in outside input (a MIME
// header, an HTML meta tag), such as "koi8-r", "cp1251" or "cp866".
func Lookup(name string) (encoding.Encoding, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "cp866", "866", "ibm866", "csibm866", "dos-866":
		return charmap.CodePage866, true
	case "cp1251", "win-1251", "windows1251":
		return charmap.Windows1251, true
	case "koi8r":
		return charmap.KOI8R, true
	}
	e, err := htmlindex.Get(n)
	if err != nil {
		return nil, false
	}
	return e, true
}

// Decode turns bytes in charset c into valid UTF-8.
func Decode(b []byte, c Charset) string {
	if c == UTF8 || c == "" {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	s, _ := c.Encoding().NewDecoder().Bytes(b)
	return string(s)
}

// NewReader decodes a stream in charset c to UTF-8.
func NewReader(r io.Reader, c Charset) io.Reader {
	if c == UTF8 || c == "" {
		return transform.NewReader(r, encoding.UTF8Validator)
	}
	return transform.NewReader(r, c.Encoding().NewDecoder())
}

// Detect guesses the charset of sample, with a confidence in [0, 1].
func Detect(sample []byte) (Charset, float64) {
	if validUTF8Prefix(sample) {
		return UTF8, 1
	}
	best, bestScore, second := Windows1251, math.Inf(-1), math.Inf(-1)
	for _, c := range candidates {
		s := Score(Decode(sample, c))
		if s > bestScore {
			best, second, bestScore = c, bestScore, s
		} else if s > second {
			second = s
		}
	}
	// The gap between the two likeliest decodings, per letter, is how sure
	// the guess is: right decodings beat wrong ones by several nats.
	conf := 1 - math.Exp(-(bestScore - second))
	if math.IsNaN(conf) || conf < 0 {
		conf = 0
	}
	return best, conf
}

// validUTF8Prefix is utf8.Valid, forgiving a rune cut off at the end of a
// sample.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for i := 1; i < 4 && i < len(b); i++ {
		if utf8.Valid(b[:len(b)-i]) {
			tail := b[len(b)-i:]
			return i == 0 || (!utf8.FullRune(tail) && utf8.RuneStart(tail[0]))
		}
	}
	return false
}

// freq is the share of each lower-case letter in Russian prose (per cent).
var freq = map[rune]float64{
	'о': 10.97, 'е': 8.45, 'а': 8.01, 'и': 7.35, 'н': 6.70, 'т': 6.26, 'с': 5.47,
	'р': 4.73, 'в': 4.54, 'л': 4.40, 'к': 3.49, 'м': 3.21, 'д': 2.98, 'п': 2.81,
	'у': 2.62, 'я': 2.01, 'ы': 1.90, 'ь': 1.74, 'г': 1.70, 'з': 1.65, 'б': 1.59,
	'ч': 1.44, 'й': 1.21, 'х': 0.97, 'ж': 0.94, 'ш': 0.73, 'ю': 0.64, 'ц': 0.48,
	'щ': 0.36, 'э': 0.32, 'ф': 0.26, 'ъ': 0.04, 'ё': 0.04,
}

// bigrams are the commonest letter pairs of Russian prose.
var bigrams = map[string]bool{}

func init() {
	for _, b := range strings.Fields("ст но то на ен ов ни ра во ко ал ро по ел ре ос ет ли пр ла го ан ер не ол ка ор та ле ва ит ль ом ны ас ти од ве де ин ак ом об ло ри") {
		bigrams[b] = true
	}
}

// Score rates how much decoded text looks like Russian: the mean, per
// non-ASCII rune, of letter log-frequencies, a bonus for common bigrams
// and penalties for capitals inside words and for symbols. Higher is
// likelier; only differences between decodings of one sample matter.
func Score(s string) float64 {
	var total float64
	n := 0
	prev := ' '
	for _, r := range s {
		if r < utf8.RuneSelf {
			prev = r
			continue
		}
		n++
		lr := unicode.ToLower(r)
		f, ok := freq[lr]
		switch {
		case !ok:
			// Box drawing, accented Latin, currency signs: what a wrong
			// decoding of Cyrillic bytes looks like.
			total -= 12
		default:
			total += math.Log(f / 100)
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				total -= 4
			}
			if bigrams[string([]rune{unicode.ToLower(prev), lr})] {
				total += 2
			}
		}
		prev = r
	}
	if n == 0 {
		return 0
	}
	return total / float64(n)
}
