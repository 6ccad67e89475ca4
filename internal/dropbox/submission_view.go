package dropbox

import (
	"bytes"
	"unicode/utf8"
)

// receipt is what the source is told arrived, built from the request as it
// streamed past the handler; none of it is stored anywhere.
type receipt struct {
	Message bool
	Words   int
	Chars   int
	Files   []receiptFile
}

type receiptFile struct {
	Name  string
	Size  int64
	Empty bool
}

// keptForm is a refused submission given back to the form: the message as
// typed (held in memory for this response only) and the names of the files,
// which a browser cannot be handed back.
type keptForm struct {
	Problem   string // catalogue key
	Message   string
	Truncated bool // the message was longer than keepLimit: it is not shown
	Files     []string
}

// keepLimit bounds how much of a refused message is held to be given back.
const keepLimit = 256 << 10

// textCounter counts the characters and words of a stream in one pass,
// keeping up to keepLimit bytes of it for a refusal. Words are runs between
// white space, so a message of only white space has none.
type textCounter struct {
	chars, words int
	inWord       bool
	kept         bytes.Buffer
	over         bool
}

func (c *textCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b&0xC0 != 0x80 { // not a UTF-8 continuation byte: a new character
			c.chars++
		}
		space := b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
		if !space && !c.inWord {
			c.words++
		}
		c.inWord = !space
	}
	if !c.over && c.kept.Len()+len(p) <= keepLimit {
		c.kept.Write(p)
	} else if !c.over {
		c.over = true
		c.kept.Reset()
	}
	return len(p), nil
}

// text is the kept message, if it was short enough and valid text.
func (c *textCounter) text() (string, bool) {
	if c.over || !utf8.Valid(c.kept.Bytes()) {
		return "", c.kept.Len() > 0 || c.over
	}
	return c.kept.String(), false
}

// forget drops the kept plaintext as soon as it is not needed.
func (c *textCounter) forget() {
	clear(c.kept.Bytes())
	c.kept.Reset()
}
