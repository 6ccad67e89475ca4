package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"unicode/utf8"
)

// Sum is a member file's size and SHA-256 (lower-case hex).
type Sum struct {
	Size   int64
	SHA256 string
}

// checker follows one member's bytes as they stream, in the Writer and the
// Reader alike: it hashes them, counts them against the limit and checks
// the content for the member's kind, so that a Writer never makes what a
// Reader refuses.
type checker struct {
	m     Member
	limit int64
	n     int64
	h     hash.Hash
	head  []byte // the first bytes, for the magic number
	carry []byte // an incomplete UTF-8 sequence at the end of the last write
	done  bool   // magic checked
}

func newChecker(m Member, limit int64) *checker {
	return &checker{m: m, limit: limit, h: sha256.New(), head: make([]byte, 0, 8), carry: make([]byte, 0, utf8.UTFMax)}
}

var (
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	magicJPEG = []byte("\xff\xd8\xff")
	magicPDF  = []byte("%PDF-")
)

func (c *checker) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.n > c.limit {
		return 0, invalid("%s is over %d bytes", c.m.Name, c.limit)
	}
	c.h.Write(p)
	if !c.done && c.m.Kind != Text {
		c.head = append(c.head, p[:min(len(p), cap(c.head)-len(c.head))]...)
		if len(c.head) == cap(c.head) {
			if err := c.magic(); err != nil {
				return 0, err
			}
		}
	}
	if c.m.Kind == Text {
		if err := c.utf8(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *checker) magic() error {
	c.done = true
	switch c.m.Kind {
	case Image:
		png := bytes.HasPrefix(c.head, magicPNG)
		jpeg := bytes.HasPrefix(c.head, magicJPEG)
		if !png && !jpeg {
			return invalid("%s is not a PNG or JPEG image", c.m.Name)
		}
		if png != (ContentType(c.m.Name) == "image/png") {
			return invalid("%s: its content does not match its extension", c.m.Name)
		}
	case PDFFile:
		if !bytes.HasPrefix(c.head, magicPDF) {
			return invalid("%s is not a PDF (it does not start with %%PDF-)", c.m.Name)
		}
	}
	return nil
}

// utf8 checks p as the continuation of the text so far; a sequence cut by
// the end of p is kept for the next write.
func (c *checker) utf8(p []byte) error {
	for len(c.carry) > 0 && len(p) > 0 {
		c.carry = append(c.carry, p[0])
		p = p[1:]
		if utf8.FullRune(c.carry) {
			if !utf8.Valid(c.carry) {
				return invalid("%s is not UTF-8 text", c.m.Name)
			}
			c.carry = c.carry[:0]
		}
	}
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		return invalid("%s is not UTF-8 text", c.m.Name)
	}
	c.carry = append(c.carry, p[cut:]...)
	return nil
}

// finish checks what can only be checked at the end and returns the sum.
func (c *checker) finish() (Sum, error) {
	if c.m.Kind == Text && len(c.carry) > 0 {
		return Sum{}, invalid("%s is not UTF-8 text (it ends inside a character)", c.m.Name)
	}
	if !c.done && c.m.Kind != Text {
		if err := c.magic(); err != nil {
			return Sum{}, err
		}
	}
	return Sum{Size: c.n, SHA256: hex.EncodeToString(c.h.Sum(nil))}, nil
}

// sums is SHA256SUMS for members and their sums, in sha256sum's format.
func sums(members []Member, s map[string]Sum) []byte {
	var b bytes.Buffer
	for _, m := range members {
		b.WriteString(s[m.Name].SHA256 + "  " + m.Name + "\n")
	}
	return b.Bytes()
}
