package ingest

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

var stepRTF = Step{Tool: "confide ingest/rtf", Version: "v1"}

func (w *walk) rtf(d *Document, src *source) error {
	d.Steps = append(d.Steps, stepRTF)
	text, fields, cut, err := RTFText(src.r, w.lim.MaxText)
	if err != nil {
		return fail(KindCorrupt, d.Path, err, "the RTF file is damaged")
	}
	for k, v := range fields {
		d.Fields[k] = v
	}
	setPages(d, text, cut, w.lim.MaxText)
	return nil
}

// rtfSkip are destinations whose contents are not text.
var rtfSkip = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "pict": true, "object": true, "header": true,
	"headerl": true, "headerr": true, "headerf": true, "footer": true, "footerl": true, "footerr": true,
	"footerf": true, "fldinst": true, "themedata": true, "colorschememapping": true, "datastore": true,
	"latentstyles": true, "listtable": true, "listoverridetable": true, "rsidtbl": true, "generator": true,
	"xmlnstbl": true, "mmathPr": true, "pgdsctbl": true, "filetbl": true, "revtbl": true, "info": true,
	"bkmkstart": true, "bkmkend": true, "nonshppict": true, "shppict": true, "blipuid": true, "wgrffmtfilter": true,
}

// rtfInfo are the \info fields kept as metadata.
var rtfInfo = map[string]string{"title": "title", "author": "author", "subject": "subject", "operator": "modified by", "keywords": "keywords"}

var rtfSymbols = map[string]string{
	"par": "\n", "line": "\n", "sect": "\n", "row": "\n", "cell": "\t", "tab": "\t", "page": "\f",
	"emdash": "—", "endash": "–", "lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”", "bullet": "•",
	"emspace": " ", "enspace": " ", "qmspace": " ",
}

// codepage maps \ansicpgN and \fcharsetN to single-byte tables.
func codepage(n int) *charmap.Charmap {
	switch n {
	case 1251, 204:
		return charmap.Windows1251
	case 866:
		return charmap.CodePage866
	case 20866:
		return charmap.KOI8R
	case 1250, 238:
		return charmap.Windows1250
	case 1253, 161:
		return charmap.Windows1253
	case 1252, 0:
		return charmap.Windows1252
	}
	return nil
}

type rtfGroup struct {
	skip  bool
	uc    int
	font  int
	field string // an \info field being read
}

// RTFText reads the text of an RTF stream: paragraphs as lines, \'xx in
// the document's code page (\ansicpg, or a font's \fcharset), \uN with
// its \ucN fallback skipped, non-text destinations (font tables, pictures,
// headers, field instructions, \* groups) skipped. The \info title, author
// and subject come back as fields. At most max bytes of text are kept.
func RTFText(r io.Reader, limit int64) (text string, fields map[string]string, cut bool, err error) {
	br := bufio.NewReader(r)
	out := &textOut{max: limit}
	fields = map[string]string{}
	var info strings.Builder
	cp := charmap.Windows1252
	fontCharset := map[int]int{}
	stack := []rtfGroup{{uc: 1, font: -1}}
	cur := func() *rtfGroup { return &stack[len(stack)-1] }
	skipChars := 0 // fallback characters still to skip after \uN
	inFontTable := func() bool {
		for _, g := range stack {
			if g.field == "fonttbl" {
				return true
			}
		}
		return false
	}
	curFont := -1
	emit := func(s string) {
		g := cur()
		if skipChars > 0 {
			skipChars--
			return
		}
		if g.field != "" && g.field != "fonttbl" {
			if info.Len() < 4096 {
				info.WriteString(s)
			}
			return
		}
		if !g.skip {
			out.add(s)
		}
	}
	decodeByte := func(b byte) string {
		table := cp
		if cs, ok := fontCharset[cur().font]; ok {
			if t := codepage(cs); t != nil && cs != 0 {
				table = t
			}
		}
		if table == nil {
			table = charmap.Windows1252
		}
		return string(table.DecodeByte(b))
	}
	for {
		c, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, false, err
		}
		switch c {
		case '{':
			if len(stack) >= 1000 {
				return "", nil, false, errors.New("groups nested more than 1000 deep")
			}
			g := *cur()
			g.field = strings.TrimPrefix(g.field, "info")
			if g.field == "" && cur().field == "fonttbl" {
				g.field = "fonttbl"
			}
			stack = append(stack, g)
		case '}':
			g := cur()
			if f := rtfInfo[g.field]; f != "" && info.Len() > 0 {
				fields[f] = strings.TrimSpace(info.String())
			}
			info.Reset()
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case '\r', '\n':
		case '\\':
			word, num, hasNum, lit, err := rtfControl(br)
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return "", nil, false, err
			}
			g := cur()
			switch {
			case lit != "":
				if lit == "*" {
					g.skip = true
				} else {
					emit(lit)
				}
			case word == "'":
				emit(decodeByte(byte(num)))
			case word == "u" && hasNum:
				if num < 0 {
					num += 65536
				}
				if r := rune(num); utf8.ValidRune(r) {
					emit(string(r))
				} else {
					emit("\uFFFD")
				}
				skipChars = g.uc
			case word == "uc" && hasNum:
				g.uc = max(0, min(num, 10))
			case word == "ansicpg" && hasNum:
				if t := codepage(num); t != nil {
					cp = t
				}
			case word == "f" && hasNum:
				if inFontTable() {
					curFont = num
				} else {
					g.font = num
				}
			case word == "fcharset" && hasNum:
				if inFontTable() && curFont >= 0 {
					fontCharset[curFont] = num
				}
			case word == "bin" && hasNum:
				if _, err := io.CopyN(io.Discard, br, int64(max(num, 0))); err != nil {
					break
				}
			case word == "fonttbl":
				g.field, g.skip = "fonttbl", true
			case word == "info":
				g.field, g.skip = "info", true
			case rtfInfo[word] != "" && strings.HasPrefix(stack[max(len(stack)-2, 0)].field, "info"):
				g.field = word
			case rtfSkip[word]:
				g.skip = true
			case rtfSymbols[word] != "":
				skipChars = 0
				emit(rtfSymbols[word])
			}
		default:
			if c == '\t' {
				emit("\t")
			} else {
				emit(decodeByte(c))
			}
		}
	}
	return strings.TrimSpace(out.String()), fields, out.cut, nil
}

// rtfControl reads what follows a backslash: a control word with its
// optional number (and the space that ends it), \'hh as word "'" with the
// byte as number, or a control symbol given back as its literal text
// ("" for ignorable ones, "*" for \*).
func rtfControl(br *bufio.Reader) (word string, num int, hasNum bool, lit string, err error) {
	c, err := br.ReadByte()
	if err != nil {
		return "", 0, false, "", err
	}
	switch {
	case c == '\'':
		var h [2]byte
		for i := range h {
			if h[i], err = br.ReadByte(); err != nil {
				return "", 0, false, "", err
			}
		}
		v, ok := unhex(h[0], h[1])
		if !ok {
			return "", 0, false, "", nil
		}
		return "'", v, true, "", nil
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		var b strings.Builder
		b.WriteByte(c)
		for {
			c, err = br.ReadByte()
			if err != nil {
				return b.String(), 0, false, "", nil
			}
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') || b.Len() >= 32 {
				break
			}
			b.WriteByte(c)
		}
		neg := false
		if c == '-' {
			neg = true
			if c, err = br.ReadByte(); err != nil {
				return b.String(), 0, false, "", nil
			}
		}
		digits := 0
		for c >= '0' && c <= '9' {
			if digits < 10 {
				num = num*10 + int(c-'0')
			}
			digits++
			hasNum = true
			if c, err = br.ReadByte(); err != nil {
				break
			}
		}
		if neg {
			num = -num
		}
		if err == nil && c != ' ' {
			_ = br.UnreadByte()
		}
		return b.String(), num, hasNum, "", nil
	}
	switch c {
	case '\\', '{', '}':
		return "", 0, false, string(c), nil
	case '~':
		return "", 0, false, "\u00a0", nil
	case '_':
		return "", 0, false, "-", nil
	case '*':
		return "", 0, false, "*", nil
	case '\n', '\r':
		return "", 0, false, "\n", nil
	case '\t':
		return "", 0, false, "\t", nil
	}
	return "", 0, false, "", nil // \- and other ignorable symbols
}

func unhex(a, b byte) (int, bool) {
	v := 0
	for _, c := range []byte{a, b} {
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
