package ingest

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"confide/internal/ingest/lang"
)

// The document types.
const (
	TypeText     = "text"
	TypeHTML     = "html"
	TypeMarkdown = "markdown"
	TypeRTF      = "rtf"
	TypePDF      = "pdf"
	TypePNG      = "png"
	TypeJPEG     = "jpeg"
	TypeTIFF     = "tiff"
	TypeDOCX     = "docx"
	TypeODT      = "odt"
	TypeZip      = "zip"
	TypeTar      = "tar"
	TypeGzip     = "gzip"
	Type7z       = "7z"
	TypeOffice97 = "msoffice97" // Word or Excel 97–2003 (OLE2)
	TypeEmail    = "email"
	TypeMbox     = "mbox"
	TypeUnknown  = "unknown"
)

// sniffLen is how much of a file the type is guessed from.
const sniffLen = 4096

// sniff guesses a type from the first bytes, and from the name where the
// bytes leave it open (zip-based office files, Markdown, email).
func sniff(head []byte, name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}):
		return TypeJPEG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TypeTIFF
	case bytes.HasPrefix(head, []byte("{\\rtf")):
		return TypeRTF
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return Type7z
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return TypeOffice97
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return TypeGzip
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		switch {
		case ext == ".docx" || bytes.Contains(head, []byte("word/")):
			return TypeDOCX
		case ext == ".odt" || bytes.Contains(head, []byte("application/vnd.oasis.opendocument.text")):
			return TypeODT
		}
		return TypeZip
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return TypeTar
	case bytes.HasPrefix(head, []byte("PK")) && ext == ".zip":
		return TypeZip // damaged; the zip reader says how
	}
	if isBinary(head) {
		if ext == ".zip" {
			return TypeZip
		}
		return TypeUnknown
	}
	switch {
	case ext == ".mbox" || looksLikeMbox(head):
		return TypeMbox
	case ext == ".eml" || looksLikeEmail(head):
		return TypeEmail
	case ext == ".html" || ext == ".htm" || looksLikeHTML(head):
		return TypeHTML
	case ext == ".md" || ext == ".markdown":
		return TypeMarkdown
	}
	return TypeText
}

// isBinary reports bytes no text file has: NULs and most control bytes.
func isBinary(head []byte) bool {
	bad := 0
	for _, c := range head {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b {
			bad++
		}
	}
	return bad*20 > len(head)
}

// looksLikeMbox wants a "From " separator line followed by a header.
func looksLikeMbox(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("From ")) {
		return false
	}
	_, rest, ok := bytes.Cut(head, []byte("\n"))
	if !ok {
		return false
	}
	k, _, ok := bytes.Cut(rest, []byte(":"))
	return ok && len(k) > 0 && !bytes.ContainsAny(k, " \t\r\n")
}

func looksLikeHTML(head []byte) bool {
	h := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\ufeff"))
	return bytes.HasPrefix(h, []byte("<!doctype html")) || bytes.HasPrefix(h, []byte("<html"))
}

// looksLikeEmail wants the first lines to be headers, with at least two
// of the ones every message has.
func looksLikeEmail(head []byte) bool {
	seen := 0
	for _, line := range strings.SplitN(string(head), "\n", 30) {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		k, _, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(k, " \t") {
			return false
		}
		switch strings.ToLower(k) {
		case "from", "to", "subject", "date", "message-id", "received", "mime-version", "return-path":
			seen++
		}
	}
	return seen >= 2
}

// unsupported is the failure of a file of unknown bytes, named without
// quoting them.
func unsupported(path string, head []byte) *Failure {
	if len(head) == 0 {
		return fail(KindUnsupported, path, nil, "this kind of file is not read (empty file)")
	}
	if !isBinary(head) && utf8.Valid(head) {
		return fail(KindUnsupported, path, nil, "this kind of file is not read (text)")
	}
	return fail(KindUnsupported, path, nil, "this kind of file is not read (binary data starting %s)", fmt.Sprintf("% x", head[:min(4, len(head))]))
}

func detectLang(text string) string { return lang.Detect(text).Code }
