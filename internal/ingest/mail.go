package ingest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strings"

	"confide/internal/ingest/charset"
)

var (
	stepEmail = Step{Tool: "confide ingest/email", Version: "v1"}
	stepMbox  = Step{Tool: "confide ingest/mbox", Version: "v1"}
)

// maxHeader bounds a message's (or a part's) header block.
const maxHeader = 1 << 20

var wordDecoder = &mime.WordDecoder{CharsetReader: func(name string, r io.Reader) (io.Reader, error) {
	enc, ok := charset.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown charset %q", name)
	}
	return enc.NewDecoder().Reader(r), nil
}}

// DecodeHeader decodes RFC 2047 encoded words (=?koi8-r?B?…?=); raw
// 8-bit bytes, which old mailers sent unencoded, are detected as a
// Cyrillic charset. The result is valid UTF-8.
func DecodeHeader(v string) string {
	s, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		s = v
	}
	if !isUTF8(s) {
		cs, _ := charset.Detect([]byte(s))
		s = charset.Decode([]byte(s), cs)
	}
	return strings.Join(strings.Fields(s), " ")
}

func isUTF8(s string) bool { return strings.ToValidUTF8(s, "\x00") == s }

// mailPart is one leaf of a message's MIME tree, decoded of its transfer
// encoding.
type mailPart struct {
	header      textproto.MIMEHeader
	mediaType   string
	params      map[string]string
	alternative bool // inside a multipart/alternative
	body        io.Reader
	err         error // the tree is broken here
}

// mimeLeaves walks a MIME tree depth first, yielding its leaves as the
// stream reaches them: nothing is read ahead, nothing buffered.
func mimeLeaves(h textproto.MIMEHeader, body io.Reader, maxDepth int) iter.Seq[mailPart] {
	return func(yield func(mailPart) bool) {
		walkMIME(h, body, 0, maxDepth, false, yield)
	}
}

func walkMIME(h textproto.MIMEHeader, body io.Reader, depth, maxDepth int, alt bool, yield func(mailPart) bool) bool {
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, params = "text/plain", map[string]string{}
	}
	if strings.HasPrefix(mt, "multipart/") && params["boundary"] != "" {
		if depth >= maxDepth {
			return yield(mailPart{err: errors.New("MIME parts nested too deep")})
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return true
			}
			if err != nil {
				return yield(mailPart{err: err})
			}
			if !walkMIME(p.Header, p, depth+1, maxDepth, mt == "multipart/alternative", yield) {
				return false
			}
		}
	}
	return yield(mailPart{header: h, mediaType: mt, params: params, alternative: alt, body: transferDecode(h.Get("Content-Transfer-Encoding"), body)})
}

func transferDecode(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Clean{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Clean drops what is not base64 (spaces, stray characters of
// sloppy mailers), which the standard decoder would refuse.
type base64Clean struct{ r io.Reader }

func (b *base64Clean) Read(p []byte) (int, error) {
	for {
		n, err := b.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// partName is an attachment's file name, decoded, or a made-up one.
func partName(p mailPart, i int) string {
	name := ""
	if _, dp, err := mime.ParseMediaType(p.header.Get("Content-Disposition")); err == nil {
		name = dp["filename"]
	}
	if name == "" {
		name = p.params["name"]
	}
	if name != "" {
		return path.Base(cleanName(DecodeHeader(name)))
	}
	ext := ".bin"
	switch {
	case p.mediaType == "message/rfc822":
		ext = ".eml"
	case p.mediaType == "text/html":
		ext = ".html"
	case strings.HasPrefix(p.mediaType, "text/"):
		ext = ".txt"
	default:
		if exts, _ := mime.ExtensionsByType(p.mediaType); len(exts) > 0 {
			ext = exts[0]
		}
	}
	return fmt.Sprintf("part-%d%s", i, ext)
}

// isBody tells the message's own text from its attachments: a text part
// neither marked as an attachment nor named as a file.
func isBody(p mailPart) bool {
	disp, dp, _ := mime.ParseMediaType(p.header.Get("Content-Disposition"))
	return (p.mediaType == "text/plain" || p.mediaType == "text/html") && disp != "attachment" && dp["filename"] == "" && p.params["name"] == ""
}

// email reads a message: headers as fields, its text as the page, its
// attachments as children. The message is yielded before its first
// attachment is read; a text part that comes after an attachment is a
// child of its own.
func (w *walk) email(d *Document, src *source, children *func() error) error {
	d.Steps = append(d.Steps, stepEmail)
	lr := &io.LimitedReader{R: src.r, N: maxHeader}
	br := bufio.NewReader(lr)
	msg, err := mail.ReadMessage(br)
	if err != nil || lr.N <= 0 {
		if lr.N <= 0 {
			return fail(KindTooLarge, d.Path, err, "the message's headers are larger than %s", human(maxHeader))
		}
		return fail(KindCorrupt, d.Path, err, "not an email message: its headers cannot be read")
	}
	lr.N = math.MaxInt64 // the headers are read; the body is bounded by the meter
	for _, k := range []string{"From", "To", "Cc", "Subject", "Date", "Message-Id", "In-Reply-To", "Reply-To"} {
		if v := msg.Header.Get(k); v != "" {
			d.Fields[strings.ToLower(k)] = DecodeHeader(v)
		}
	}
	next, stop := iter.Pull(mimeLeaves(textproto.MIMEHeader(msg.Header), msg.Body, w.lim.MaxDepth))
	src.cleanup = append(src.cleanup, stop)
	haveBody := false
	i := 0
	var pending *mailPart
	for {
		p, ok := next()
		if !ok {
			break
		}
		i++
		if p.err != nil {
			return fail(KindCorrupt, d.Path, p.err, "the message's MIME structure is damaged")
		}
		if isBody(p) && !haveBody {
			text, err := w.partText(d, p)
			if err != nil {
				return err
			}
			d.Pages = []Page{{Number: 1, Text: text}}
			haveBody = true
			continue
		}
		if isBody(p) && p.alternative {
			continue // the same text again, as HTML
		}
		// A second text part that is not an alternative, or an
		// attachment: from here on, everything is a child.
		pending = &p
		break
	}
	if !haveBody {
		d.Pages = []Page{{Number: 1}}
	}
	if pending == nil {
		return nil
	}
	*children = func() error {
		p := *pending
		for {
			if p.err != nil {
				return fail(KindCorrupt, d.Path, p.err, "the message's MIME structure is damaged")
			}
			src := &source{r: p.body, size: -1}
			if p.mediaType == "message/rfc822" {
				src.hint = TypeEmail
			}
			if err := w.child(d, partName(p, i), src); err != nil {
				return err
			}
			for {
				n, ok := next()
				if !ok {
					return nil
				}
				i++
				if !(haveBody && isBody(n) && n.alternative) {
					p = n
					break
				}
			}
		}
	}
	return nil
}

// lenient ends a stream at its first damage (bad base64, a cut-off
// part) instead of failing, so that the text before it is kept.
type lenient struct {
	r      io.Reader
	broken error
}

func (l *lenient) Read(p []byte) (int, error) {
	if l.broken != nil {
		return 0, io.EOF
	}
	n, err := l.r.Read(p)
	var f *Failure
	var t *treeStop
	if err != nil && err != io.EOF && !errors.As(err, &f) && !errors.As(err, &t) {
		l.broken = err
		err = io.EOF
	}
	return n, err
}

// partText decodes a text part's charset and, for HTML, its markup. Text
// damaged part-way is kept up to the damage, with a warning.
func (w *walk) partText(d *Document, p mailPart) (string, error) {
	lr := &lenient{r: p.body}
	defer func() {
		if lr.broken != nil {
			d.warn("the message's text is damaged or cut short; what came before the damage is kept")
		}
	}()
	var r io.Reader = lr
	if enc, ok := charset.Lookup(p.params["charset"]); ok && p.params["charset"] != "" {
		r = enc.NewDecoder().Reader(r)
		d.Fields["charset"] = strings.ToLower(p.params["charset"])
	} else {
		br := bufio.NewReader(r)
		head, _ := br.Peek(sniffLen)
		r = decodeStream(d, br, head)
	}
	if p.mediaType == "text/html" {
		_, body, err := htmlText(r, w.lim.MaxText)
		if err != nil {
			return "", fail(KindCorrupt, d.Path, err, "the message's HTML text cannot be read")
		}
		return body.String(), nil
	}
	s, err := readCapped(d, r, w.lim.MaxText, -1)
	if err != nil {
		return "", fail(KindCorrupt, d.Path, err, "the message's text cannot be decoded")
	}
	return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), nil
}

// mbox walks a Unix mailbox, one message at a time, each a child named
// by its number.
func (w *walk) mbox(d *Document, r io.Reader) error {
	mr := newMboxReader(r)
	for i := 1; ; i++ {
		msg, ok, err := mr.next()
		if err != nil {
			return fail(KindCorrupt, d.Path, err, "the mailbox cannot be read")
		}
		if !ok {
			return nil
		}
		if err := w.child(d, fmt.Sprintf("%d.eml", i), &source{r: msg, size: -1}); err != nil {
			return err
		}
		// Whatever of the message the reader left is skipped.
		if _, err := io.Copy(io.Discard, msg); err != nil {
			return fail(KindCorrupt, d.Path, err, "the mailbox cannot be read")
		}
	}
}

// mboxReader splits a mailbox on "From " lines, undoing ">From " quoting.
type mboxReader struct {
	br      *bufio.Reader
	started bool
	eof     bool
}

func newMboxReader(r io.Reader) *mboxReader {
	return &mboxReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next skips to the next message and returns a reader of it.
func (m *mboxReader) next() (io.Reader, bool, error) {
	if m.eof {
		return nil, false, nil
	}
	if !m.started {
		m.started = true
		// Skip anything before the first separator.
		for {
			line, err := m.br.Peek(5)
			if len(line) == 5 && string(line) == "From " {
				break
			}
			if err != nil {
				m.eof = true
				return nil, false, nil
			}
			if _, err := m.br.ReadSlice('\n'); err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				m.eof = true
				return nil, false, nil
			}
		}
	}
	// Consume the "From " separator line itself.
	for {
		_, err := m.br.ReadSlice('\n')
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		m.eof = true
		return nil, false, nil
	}
	return &mboxMessage{m: m, lineStart: true}, true, nil
}

// mboxMessage reads one message, stopping before the next "From " line.
type mboxMessage struct {
	m         *mboxReader
	lineStart bool
	pending   []byte
	done      bool
}

func (mm *mboxMessage) Read(p []byte) (int, error) {
	for len(mm.pending) == 0 {
		if mm.done {
			return 0, io.EOF
		}
		if mm.lineStart {
			head, _ := mm.m.br.Peek(5)
			if string(head) == "From " {
				mm.done = true
				return 0, io.EOF
			}
		}
		line, err := mm.m.br.ReadSlice('\n')
		if len(line) == 0 && err != nil {
			mm.done, mm.m.eof = true, true
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			return 0, err
		}
		if mm.lineStart && bytes.HasPrefix(line, []byte(">")) && bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) {
			line = line[1:]
		}
		mm.lineStart = err == nil
		mm.pending = line
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			mm.m.eof = true
		}
	}
	n := copy(p, mm.pending)
	mm.pending = mm.pending[n:]
	return n, nil
}
