package redact

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// Structure is what a minimal walk over a PDF's objects and trailers
// found: enough to tell a flat, single-revision file with no hidden parts
// from one that has them. It is not a PDF parser: it reads tokens, objects
// and trailers and keeps the markers a redaction must not leave behind.
type Structure struct {
	EOFs       int             // "%%EOF" markers in the raw bytes
	StartXrefs int             // "startxref" in the raw bytes
	Xrefs      int             // xref tables and /Type /XRef streams
	Prev       bool            // a trailer or xref stream points at an older revision
	Trailers   int             // trailer dictionaries
	Names      map[string]bool // every name seen outside stream data and inside object streams, #xx decoded
	InfoKeys   []string        // keys of the document information dictionary
	Root       [2]int          // the catalog's object number and generation, 0 if none
	Info       [2]int          // the information dictionary's, 0 if none
	Objects    []Object        // top-level objects in file order
	XMP        bool            // an XMP packet in the raw bytes
	Stray      int             // tokens between objects that belong to no object, table or trailer
	Comments   int             // comments other than the header, binary marker and %%EOF
	// Unreferenced lists objects no other object or trailer points at
	// (besides cross-reference and object streams): left-overs a reader
	// never shows, such as an old page or information dictionary.
	Unreferenced []int
	Damaged      []string // what could not be read; a damaged file is never verified
}

// Object is one "N G obj … endobj" of the file.
type Object struct {
	Num, Gen   int
	Start, End int // byte span from N to the end of endobj
	Dict       map[string]any
}

const (
	maxDepth    = 64       // nesting of arrays and dictionaries
	maxInflated = 64 << 20 // bytes inflated from all object streams together
)

// ScanPDF walks b. It never panics and always returns; what it could not
// read is listed in Damaged.
func ScanPDF(b []byte) *Structure {
	s := &Structure{Names: map[string]bool{}}
	s.EOFs = bytes.Count(b, []byte("%%EOF"))
	s.StartXrefs = bytes.Count(b, []byte("startxref"))
	// A raw /Prev anywhere (even inside a string the tokenizer swallowed)
	// is an older revision or an attempt to look like one.
	s.Prev = bytes.Contains(b, []byte("/Prev"))
	s.XMP = bytes.Contains(b, []byte("<?xpacket")) || bytes.Contains(b, []byte("x:xmpmeta"))
	inflated := 0
	p := &parser{lx: lexer{b: b}, names: s.Names, refs: map[ref]bool{}}
	stray := 0
	var ints []tok
	for {
		t := p.lx.next()
		if t.kind == tEOF {
			break
		}
		switch {
		case t.kind == tName:
			s.Names[string(t.text)] = true
			stray++
		case t.kind == tNum:
			ints = append(ints, t)
			if len(ints) > 2 {
				ints = ints[1:]
			}
			continue
		case t.kind == tKw && string(t.text) == "obj":
			o := Object{Start: t.pos}
			if len(ints) == 2 {
				o.Num, _ = strconv.Atoi(string(ints[0].text))
				o.Gen, _ = strconv.Atoi(string(ints[1].text))
				o.Start = ints[0].pos
			} else {
				s.Damaged = append(s.Damaged, fmt.Sprintf("object without a number at byte %d", t.pos))
			}
			v := p.value(0)
			d, _ := v.(map[string]any)
			o.Dict = d
			nt := p.lx.next()
			if nt.kind == tKw && string(nt.text) == "stream" {
				data, ok := p.stream(d)
				if !ok {
					s.Damaged = append(s.Damaged, fmt.Sprintf("object %d: stream without endstream", o.Num))
				}
				if name(d["Type"]) == "XRef" {
					s.Xrefs++
					if _, ok := d["Prev"]; ok {
						s.Prev = true
					}
				}
				if name(d["Type"]) == "ObjStm" {
					in, err := inflate(data, maxInflated-inflated)
					inflated += len(in)
					if err != nil {
						s.Damaged = append(s.Damaged, fmt.Sprintf("object stream %d: %v", o.Num, err))
					}
					sub := &parser{lx: lexer{b: in}, names: s.Names}
					for t := sub.lx.next(); t.kind != tEOF; t = sub.lx.next() {
						if t.kind == tName {
							s.Names[string(t.text)] = true
						}
					}
					s.Comments += sub.lx.comments
				}
				nt = p.lx.next()
			}
			if nt.kind != tKw || string(nt.text) != "endobj" {
				s.Damaged = append(s.Damaged, fmt.Sprintf("object %d: no endobj", o.Num))
				p.lx.i = nt.pos
			}
			o.End = p.lx.i
			s.Objects = append(s.Objects, o)
		case t.kind == tKw && string(t.text) == "xref":
			s.Xrefs++
		case t.kind == tKw && (string(t.text) == "f" || string(t.text) == "n" || string(t.text) == "startxref"):
		case t.kind == tKw && string(t.text) == "trailer":
			s.Trailers++
			d, _ := p.value(0).(map[string]any)
			if _, ok := d["Prev"]; ok {
				s.Prev = true
			}
			if r, ok := d["Info"].(ref); ok {
				s.Info = r
			}
			if r, ok := d["Root"].(ref); ok {
				s.Root = r
			}
		default:
			// Anything else between objects is no part of the file's
			// structure: data a reader never shows.
			stray++
		}
		ints = ints[:0]
	}
	s.Stray = stray
	s.Comments += p.lx.comments
	for _, o := range s.Objects {
		if t := name(o.Dict["Type"]); !p.refs[ref{o.Num, o.Gen}] && t != "XRef" && t != "ObjStm" {
			s.Unreferenced = append(s.Unreferenced, o.Num)
		}
	}
	// The document information dictionary may also be named by an xref
	// stream's dictionary.
	for _, o := range s.Objects {
		if name(o.Dict["Type"]) == "XRef" {
			if r, ok := o.Dict["Info"].(ref); ok {
				s.Info = r
			}
			if r, ok := o.Dict["Root"].(ref); ok {
				s.Root = r
			}
		}
	}
	if info := s.Info; info != [2]int{} {
		found := false
		for _, o := range s.Objects {
			if o.Num == info[0] && o.Gen == info[1] {
				found = true
				for k := range o.Dict {
					s.InfoKeys = append(s.InfoKeys, k)
				}
			}
		}
		if !found {
			s.InfoKeys = append(s.InfoKeys, "(missing information dictionary)")
		}
		sort.Strings(s.InfoKeys)
	}
	return s
}

// Incremental reports more than one revision: several %%EOF markers,
// startxref keywords, cross-reference sections or trailers, or a /Prev
// pointer to an older cross-reference section.
func (s *Structure) Incremental() bool {
	return s.EOFs > 1 || s.StartXrefs > 1 || s.Xrefs > 1 || s.Trailers > 1 || s.Prev
}

// inflate decompresses a Flate stream, at most limit bytes of it.
func inflate(data []byte, limit int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(max(limit, 0))+1))
	if len(out) > limit {
		return out[:max(limit, 0)], errors.New("inflates beyond the limit")
	}
	return out, err
}

func name(v any) string {
	n, _ := v.(pdfName)
	return string(n)
}

type (
	pdfName string
	ref     = [2]int
)

type parser struct {
	lx    lexer
	names map[string]bool
	refs  map[ref]bool
}

// value reads one PDF value: a dictionary (map), an array, a name, a
// reference, or a scalar (its token text).
func (p *parser) value(depth int) any {
	t := p.lx.next()
	return p.valueFrom(t, depth)
}

func (p *parser) valueFrom(t tok, depth int) any {
	switch t.kind {
	case tName:
		p.names[string(t.text)] = true
		return pdfName(t.text)
	case tDictOpen:
		d := map[string]any{}
		for {
			k := p.lx.next()
			if k.kind == tDictClose || k.kind == tEOF {
				return d
			}
			if k.kind != tName {
				continue // a damaged key: skip it, as readers do
			}
			p.names[string(k.text)] = true
			if depth >= maxDepth {
				d[string(k.text)] = nil
				continue
			}
			v := p.lx.next()
			if v.kind == tDictClose {
				d[string(k.text)] = nil
				return d
			}
			d[string(k.text)] = p.valueFrom(v, depth+1)
		}
	case tArrOpen:
		var a []any
		for {
			v := p.lx.next()
			if v.kind == tArrClose || v.kind == tEOF || v.kind == tDictClose {
				return a
			}
			if depth < maxDepth {
				a = append(a, p.valueFrom(v, depth+1))
			}
		}
	case tNum:
		// "N G R" is a reference; look ahead without consuming otherwise.
		save := p.lx.i
		g := p.lx.next()
		if g.kind == tNum {
			r := p.lx.next()
			if r.kind == tKw && string(r.text) == "R" {
				n, err1 := strconv.Atoi(string(t.text))
				gn, err2 := strconv.Atoi(string(g.text))
				if err1 == nil && err2 == nil {
					if p.refs != nil {
						p.refs[ref{n, gn}] = true
					}
					return ref{n, gn}
				}
			}
		}
		p.lx.i = save
		return string(t.text)
	}
	return string(t.text)
}

// stream skips a stream's data (the lexer stands right after the keyword)
// and returns it; it trusts a direct /Length only when endstream follows.
func (p *parser) stream(d map[string]any) ([]byte, bool) {
	b, i := p.lx.b, p.lx.i
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i < len(b) && b[i] == '\n' {
		i++
	}
	if l, ok := d["Length"].(string); ok {
		if n, err := strconv.Atoi(l); err == nil && n >= 0 && n <= len(b)-i {
			j := i + n
			k := j
			for k < len(b) && isSpace(b[k]) {
				k++
			}
			if bytes.HasPrefix(b[k:], []byte("endstream")) {
				p.lx.i = k + len("endstream")
				return b[i:j], true
			}
		}
	}
	e := bytes.Index(b[i:], []byte("endstream"))
	if e < 0 {
		p.lx.i = len(b)
		return b[i:], false
	}
	p.lx.i = i + e + len("endstream")
	return bytes.TrimRight(b[i:i+e], "\r\n"), true
}

type tokKind int

const (
	tEOF tokKind = iota
	tName
	tNum
	tStr
	tKw
	tDictOpen
	tDictClose
	tArrOpen
	tArrClose
)

type tok struct {
	kind tokKind
	text []byte
	pos  int
}

// lexer splits PDF bytes into tokens. Every call moves forward by at least
// one byte or returns tEOF, so no input makes it loop.
type lexer struct {
	b []byte
	i int
	// comments counts comments other than the header, the binary marker
	// line and %%EOF: text no reader shows, so a place to leave words.
	comments int
}

// structuralComment is the %PDF- header, the binary marker line after it
// (only bytes of 128 and up) or an %%EOF.
func structuralComment(c []byte, at int) bool {
	if at == 0 && bytes.HasPrefix(c, []byte("%PDF-")) || bytes.Equal(c, []byte("%%EOF")) {
		return true
	}
	if at > 16 || len(c) < 2 {
		return false
	}
	for _, x := range c[1:] {
		if x < 128 {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *lexer) next() tok {
	b := l.b
	for l.i < len(b) {
		c := b[l.i]
		switch {
		case isSpace(c):
			l.i++
		case c == '%':
			start := l.i
			for l.i < len(b) && b[l.i] != '\n' && b[l.i] != '\r' {
				l.i++
			}
			if !structuralComment(b[start:l.i], start) {
				l.comments++
			}
		case c == ')' || c == '{' || c == '}' || (c == '>' && (l.i+1 == len(b) || b[l.i+1] != '>')):
			l.i++ // stray delimiters carry nothing a check needs
		default:
			return l.token()
		}
	}
	return tok{kind: tEOF, pos: len(b)}
}

func (l *lexer) token() tok {
	b, start := l.b, l.i
	c := b[l.i]
	switch c {
	case '/':
		l.i++
		var n []byte
		for l.i < len(b) && !isSpace(b[l.i]) && !isDelim(b[l.i]) {
			if b[l.i] == '#' && l.i+2 < len(b) {
				if v, err := strconv.ParseUint(string(b[l.i+1:l.i+3]), 16, 8); err == nil {
					n = append(n, byte(v))
					l.i += 3
					continue
				}
			}
			n = append(n, b[l.i])
			l.i++
		}
		return tok{kind: tName, text: n, pos: start}
	case '(':
		depth := 0
		for l.i < len(b) {
			switch b[l.i] {
			case '\\':
				l.i++
			case '(':
				depth++
			case ')':
				depth--
			}
			l.i++
			if depth == 0 {
				break
			}
		}
		return tok{kind: tStr, text: b[start:min(l.i, len(b))], pos: start}
	case '<':
		if l.i+1 < len(b) && b[l.i+1] == '<' {
			l.i += 2
			return tok{kind: tDictOpen, pos: start}
		}
		e := bytes.IndexByte(b[l.i:], '>')
		if e < 0 {
			l.i = len(b)
		} else {
			l.i += e + 1
		}
		return tok{kind: tStr, text: b[start:l.i], pos: start}
	case '>':
		l.i += 2
		return tok{kind: tDictClose, pos: start}
	case '[':
		l.i++
		return tok{kind: tArrOpen, pos: start}
	case ']':
		l.i++
		return tok{kind: tArrClose, pos: start}
	}
	for l.i < len(b) && !isSpace(b[l.i]) && !isDelim(b[l.i]) {
		l.i++
	}
	t := b[start:l.i]
	if _, err := strconv.ParseFloat(string(t), 64); err == nil {
		return tok{kind: tNum, text: t, pos: start}
	}
	return tok{kind: tKw, text: t, pos: start}
}
