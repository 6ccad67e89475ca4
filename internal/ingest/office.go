package ingest

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
)

var (
	stepDOCX = Step{Tool: "confide ingest/docx", Version: "v1"}
	stepODT  = Step{Tool: "confide ingest/odt", Version: "v1"}
)

const (
	nsW    = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsText = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
)

// part opens a member of an office file through the size and ratio
// limits; nil if it is missing.
func (w *walk) part(zr *zip.Reader, d *Document, name string) (io.ReadCloser, error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		if f.UncompressedSize64 > uint64(w.lim.MaxFile) {
			return nil, fail(KindTooLarge, d.Path, nil, "%s expands to %s, past the limit of %s", name, human(int64(min(f.UncompressedSize64, 1<<62))), human(w.lim.MaxFile))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fail(KindCorrupt, d.Path, err, "%s cannot be read", name)
		}
		comp := int64(f.CompressedSize64)
		m := w.meter(&source{r: rc, compressed: func() int64 { return comp }}, d.Path)
		return struct {
			io.Reader
			io.Closer
		}{m, rc}, nil
	}
	return nil, nil
}

// officeFormat is what differs between DOCX and ODT.
type officeFormat struct {
	step       Step
	main, meta string // the parts holding the text and the metadata
	what       string // the format's name, for reasons: "DOCX"
	read       func(io.Reader, int64) (string, bool, error)
}

var officeFormats = map[string]officeFormat{
	TypeDOCX: {stepDOCX, "word/document.xml", "docProps/core.xml", "DOCX", DocxText},
	TypeODT:  {stepODT, "content.xml", "meta.xml", "ODT", ODTText},
}

// office reads a DOCX or ODT: the main part's paragraphs, then metadata.
func (w *walk) office(d *Document, zr *zip.Reader, f officeFormat) error {
	d.Steps = append(d.Steps, f.step)
	rc, err := w.part(zr, d, f.main)
	if err != nil {
		return err
	}
	if rc == nil {
		return fail(KindCorrupt, d.Path, nil, "not a %s file: %s is missing", f.what, f.main)
	}
	defer rc.Close()
	text, cut, err := f.read(rc, w.lim.MaxText)
	if err != nil {
		return fail(KindCorrupt, d.Path, err, "the %s file's text is damaged", f.what)
	}
	w.officeMeta(d, zr, f.meta)
	setPages(d, text, cut, w.lim.MaxText)
	return nil
}

// setPages splits text on form feeds (explicit page breaks) into pages.
func setPages(d *Document, text string, cut bool, limit int64) {
	if cut {
		d.warn("the text is cut at %s (the limit)", human(limit))
	}
	for i, p := range strings.Split(text, "\f") {
		d.Pages = append(d.Pages, Page{Number: i + 1, Text: p})
	}
}

// metaFields maps the metadata elements of both formats to field names.
var metaFields = map[string]string{
	"title": "title", "subject": "subject", "creator": "author", "initial-creator": "author",
	"lastModifiedBy": "modified by", "created": "created", "creation-date": "created",
	"modified": "modified", "date": "modified", "description": "description", "keywords": "keywords",
	"keyword": "keywords",
}

// officeMeta reads the document's own metadata; damage there loses only
// the fields, never the text.
func (w *walk) officeMeta(d *Document, zr *zip.Reader, name string) {
	rc, err := w.part(zr, d, name)
	if err != nil || rc == nil {
		return
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, 1<<20))
	var field string
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			field = metaFields[t.Name.Local]
		case xml.EndElement:
			field = ""
		case xml.CharData:
			if v := strings.TrimSpace(string(t)); field != "" && v != "" && len(v) < 4096 {
				if _, seen := d.Fields[field]; !seen {
					d.Fields[field] = v
				}
			}
		}
	}
}

// textOut collects paragraphs up to a limit.
type textOut struct {
	strings.Builder
	max int64
	cut bool
}

func (o *textOut) add(s string) {
	if o.cut {
		return
	}
	if room := o.max - int64(o.Len()); int64(len(s)) > room {
		s = strings.ToValidUTF8(s[:max(room, 0)], "")
		o.cut = true
	}
	o.WriteString(s)
}

// DocxText reads the paragraphs of a DOCX's word/document.xml in order:
// one line per paragraph, tabs and breaks kept, page breaks as form feeds.
// It keeps at most max bytes, and says whether it cut.
func DocxText(r io.Reader, max int64) (string, bool, error) {
	out := &textOut{max: max}
	inText, inBody := false, false
	err := xmlTokens(r, nsW, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "body":
				inBody = true
			case "t":
				inText = true
			case "tab":
				out.add("\t")
			case "br", "cr":
				if attr(t, nsW, "type") == "page" {
					out.add("\f")
				} else {
					out.add("\n")
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				out.add("\n")
			case "body":
				inBody = false
			}
		case xml.CharData:
			if inText && inBody {
				out.add(string(t))
			}
		}
	})
	if err != nil {
		return "", false, err
	}
	return strings.TrimRight(out.String(), "\n"), out.cut, nil
}

// ODTText reads the paragraphs and headings of an ODT's content.xml in
// order, one line each; text:s, text:tab and text:line-break are kept.
func ODTText(r io.Reader, max int64) (string, bool, error) {
	out := &textOut{max: max}
	depth := 0 // inside text:p or text:h
	err := xmlTokens(r, nsText, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p", "h":
				depth++
			case "s":
				n, err := strconv.Atoi(attr(t, nsText, "c"))
				if err != nil || n < 1 {
					n = 1
				}
				out.add(strings.Repeat(" ", min(n, 1000)))
			case "tab":
				out.add("\t")
			case "line-break":
				out.add("\n")
			}
		case xml.EndElement:
			if t.Name.Local == "p" || t.Name.Local == "h" {
				depth--
				if depth == 0 {
					out.add("\n")
				}
			}
		case xml.CharData:
			if depth > 0 {
				out.add(string(t))
			}
		}
	})
	if err != nil {
		return "", false, err
	}
	return strings.TrimRight(out.String(), "\n"), out.cut, nil
}

// xmlTokens calls fn with every element of namespace space, start and end,
// and all character data of r, in order, until the end or an error.
func xmlTokens(r io.Reader, space string, fn func(xml.Token)) error {
	dec := xml.NewDecoder(r)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == space {
				fn(t)
			}
		case xml.EndElement:
			if t.Name.Space == space {
				fn(t)
			}
		case xml.CharData:
			fn(t)
		}
	}
}

func attr(e xml.StartElement, space, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local && (a.Name.Space == space || a.Name.Space == "") {
			return a.Value
		}
	}
	return ""
}
