package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"confide/internal/bundle"
	"confide/internal/ingest"
	"confide/internal/ingest/tool"
	"confide/internal/redact"
	"confide/internal/translate"
)

// ErrExport is an export that cannot be made as asked; the message says
// why, for the person who asked.
var ErrExport = errors.New("archive: export")

func exportErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrExport, fmt.Sprintf(format, a...))
}

// ExportRequest is what to put in a bundle.
type ExportRequest struct {
	DocID string
	// RedactionID is the verified redacted copy to publish; Unredacted
	// publishes the original's pages instead. Exactly one is given.
	RedactionID string
	Unredacted  bool
	From, To    int // pages, from 1; 0 for all
	// Quote is an excerpt on page QuotePage (0: From), found in the page's
	// text; QuoteTranslation its translation, taken from the page's
	// translation paragraph when empty.
	Quote            string
	QuotePage        int
	QuoteTranslation string
	Lang             string   // the translation to carry, "" for none
	Mask             []string // more terms to mask in translations (a name's spelling in the other language)
	Slug, Title      string   // from the file's name when empty
	Who              string
	// TranslationChecked confirms that a translation carried with a copy
	// that has boxes holds nothing the boxes hide: a box burns pixels, and
	// the translation of the words under it cannot be found by any term.
	TranslationChecked bool
}

// Export writes a bundle (internal/bundle) of a document to w and records
// it: the published PDF is the chosen pages of a verified redacted copy,
// or of the original, rewritten (pdfseparate, pdfunite) and verified again
// before anything is written — the redaction's terms must not be found, and
// it must hold no metadata, hidden layers, attachments or earlier
// revisions; the page images are rendered from that PDF; the texts are the
// copy's own OCR (redacted) or the archive's text (unredacted); a
// translation has the redaction's terms and Mask masked. A redacted copy
// that did not pass verification is refused (ErrUnverified). The bundle
// names no user: translations say machine or human, not who.
func (a *Archive) Export(ctx context.Context, req ExportRequest, w io.Writer) (*ExportRecord, error) {
	p, err := a.planExport(ctx, req)
	if err != nil {
		return nil, err
	}
	return a.buildExport(ctx, p, w)
}

// CheckExport refuses, as Export would, a request that cannot be
// exported as asked (ErrExport, ErrUnverified, ErrNotFound), without the
// costly steps (rebuilding the PDF, verifying it, rendering its pages):
// the web checks a request with it before queueing the bundle.
func (a *Archive) CheckExport(ctx context.Context, req ExportRequest) error {
	_, err := a.planExport(ctx, req)
	return err
}

// exportPlan is a request checked against the document: what Export
// builds once every refusal that needs no PDF tool has been given.
type exportPlan struct {
	req      ExportRequest
	d        *Document
	src      string // the PDF whose pages are published; "" for an image
	terms    []string
	from, to int
	rec      *ExportRecord
	summary  string
	masks    []string
	m        bundle.Manifest
	trans    map[int][]TranslationVersion
}

func (a *Archive) planExport(ctx context.Context, req ExportRequest) (*exportPlan, error) {
	d, err := a.Show(ctx, req.DocID)
	if err != nil {
		return nil, err
	}
	if !redactable(d) {
		return nil, exportErr("only a PDF or a page image ingested as a file of its own can be exported")
	}
	if (req.RedactionID == "") == !req.Unredacted {
		return nil, exportErr("choose a redacted copy (--redaction ID) or the original unredacted (--unredacted)")
	}
	_, origSum, err := a.RootOriginal(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	p := &exportPlan{req: req, d: d, summary: "the original's pages, not redacted",
		rec: &ExportRecord{DocID: d.ID, RedactionID: req.RedactionID, Lang: req.Lang, Who: req.Who, Original: origSum}}
	var boxed map[int][]string
	total := len(d.Pages)
	var counts *bundle.Burned
	if req.RedactionID != "" {
		f, red, err := a.RedactedCopy(ctx, req.RedactionID)
		if err != nil {
			return nil, err
		}
		f.Close()
		if red.DocID != d.ID {
			return nil, exportErr("redaction %s is of another document", red.ID)
		}
		p.src, p.terms, total, boxed = f.Name(), red.Marks.Terms, red.Pages, red.Boxed
		if len(red.Marks.Boxes) > 0 && req.Lang != "" && !req.TranslationChecked {
			return nil, exportErr("this copy has boxes, and a translation does not know what they hide: read the translation, mask what it must not say, and confirm that it is checked (--translation-checked)")
		}
		p.summary = fmt.Sprintf("redacted copy %s: %s", red.ID, red.Summary())
		counts = &bundle.Burned{Terms: len(red.Marks.Terms), Occurrences: red.Occurrences, Boxes: len(red.Marks.Boxes), Pages: red.Pages}
	} else {
		switch d.Type {
		case ingest.TypePDF:
			p.src, _, _ = a.RootOriginal(ctx, d.ID)
		case ingest.TypePNG, ingest.TypeJPEG:
			total = 1
		default:
			return nil, exportErr("a %s is published through a redacted copy (a PDF of its pages): make one first", d.Type)
		}
	}
	from, to := req.From, req.To
	if from == 0 && to == 0 {
		from, to = 1, total
	}
	if to == 0 {
		to = from
	}
	if from < 1 || to < from || to > total {
		return nil, exportErr("pages %d-%d: the document has %d", from, to, total)
	}
	p.from, p.to = from, to
	if from != 1 || to != total {
		p.rec.Pages = fmt.Sprintf("%d-%d", from, to)
	}
	p.masks = append(append([]string(nil), p.terms...), req.Mask...)
	if _, err := redact.Found("", p.masks); err != nil {
		return nil, exportErr("%v", err)
	}

	m := bundle.Manifest{Format: bundle.Format, Slug: req.Slug, Title: strings.TrimSpace(req.Title), Language: d.Language, Collection: d.Collection,
		Original: bundle.Original{Path: d.Path, SHA256: origSum, Size: d.Size}, ExportedDay: time.Now().UTC().Format(time.DateOnly)}
	if m.Slug == "" {
		m.Slug = slugOf(d.Path)
	}
	if !bundle.ValidSlug(m.Slug) {
		return nil, exportErr("the slug %q must be lower-case letters, digits and single hyphens (give --slug)", m.Slug)
	}
	if m.Title == "" {
		m.Title = path.Base(d.Path)
	}
	if !regexp.MustCompile(`^[a-z]{2,3}$`).MatchString(m.Language) {
		m.Language = "und"
	}
	if p.src != "" {
		m.PDF = &bundle.PDF{File: "document.pdf", Redacted: req.RedactionID != "", Verified: true, Burned: counts, Redaction: req.RedactionID}
	}
	p.trans = map[int][]TranslationVersion{}
	if req.Lang != "" {
		if p.trans, err = a.Translations(ctx, d.ID, req.Lang); err != nil {
			return nil, err
		}
		anyTranslation := false
		for n := from; n <= to; n++ {
			anyTranslation = anyTranslation || len(p.trans[n]) > 0
		}
		if !anyTranslation {
			return nil, exportErr("pages %d-%d have no translation into %q", from, to, req.Lang)
		}
	}
	if q := strings.Join(strings.Fields(req.Quote), " "); q != "" {
		qp := req.QuotePage
		if qp == 0 {
			qp = from
		}
		if qp < from || qp > to || qp > len(d.Pages) {
			return nil, exportErr("the excerpt's page %d is not among the pages exported (%d-%d)", qp, from, to)
		}
		orig := d.Pages[qp-1].Text
		if !strings.Contains(strings.Join(strings.Fields(orig), " "), q) {
			return nil, exportErr("the excerpt %q is not on page %d: quote its words exactly as the page's text has them", q, qp)
		}
		if found, _ := redact.Found(q, p.masks); len(found) > 0 {
			return nil, exportErr("the excerpt holds %d of the redacted terms; quote another passage", len(found))
		}
		// Nor a word a box burned: the original's text still has it.
		if found, _ := redact.Found(q, boxed[qp]); len(found) > 0 {
			return nil, exportErr("the excerpt quotes %d of the words under the copy's boxes on page %d; quote another passage", len(found), qp)
		}
		e := &bundle.Excerpt{Page: qp, Quote: q, Translation: strings.TrimSpace(req.QuoteTranslation)}
		if e.Translation == "" && len(p.trans[qp]) > 0 {
			e.Translation = paragraphOf(orig, p.trans[qp][len(p.trans[qp])-1].Text, q)
		}
		if e.Translation, err = p.mask(e.Translation); err != nil {
			return nil, err
		}
		m.Excerpt = e
	}
	p.m = m
	return p, nil
}

// mask masks the redaction's terms and the request's Mask in a
// translation.
func (p *exportPlan) mask(s string) (string, error) {
	if len(p.masks) == 0 {
		return s, nil
	}
	out, _, err := redact.Mask(s, p.masks)
	return out, err
}

// buildExport runs the costly steps of a checked plan and writes its
// bundle to w.
func (a *Archive) buildExport(ctx context.Context, p *exportPlan, w io.Writer) (*ExportRecord, error) {
	req, d, m, rec, from, to := p.req, p.d, p.m, p.rec, p.from, p.to
	work, err := os.MkdirTemp(a.tmp, "export-")
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	defer os.RemoveAll(work)

	files := map[string][]byte{}
	var pdfPath string
	if p.src != "" {
		pdfPath = filepath.Join(work, "published.pdf")
		if err := extractPages(ctx, p.src, from, to, work, pdfPath); err != nil {
			return nil, err
		}
		rep, err := redact.Verify(ctx, pdfPath, p.terms, work)
		if err != nil {
			return nil, err
		}
		if !rep.OK() {
			return nil, exportErr("the PDF to publish failed verification; nothing was exported:\n%s", rep)
		}
		var names []string
		for _, c := range rep.Checks {
			names = append(names, c.Name)
		}
		m.PDF.Checks = names
	}
	for n := from; n <= to; n++ {
		k := n - from + 1
		pg := bundle.Page{N: n, Image: fmt.Sprintf("page-%d.png", n), Text: fmt.Sprintf("page-%d.txt", n)}
		var img bytes.Buffer
		if pdfPath != "" {
			err = a.renderPDFPage(ctx, pdfPath, "the published PDF", k, &img)
		} else {
			err = reencodePNG(a, d, &img)
		}
		if err != nil {
			return nil, err
		}
		files[pg.Image] = img.Bytes()
		var text string
		if req.RedactionID != "" {
			// The copy's own text layer: what verification read.
			if text, err = pageText(ctx, pdfPath, k, work); err != nil {
				return nil, err
			}
		} else if n <= len(d.Pages) {
			text = d.Pages[n-1].Text
		}
		files[pg.Text] = []byte(text)
		if vs := p.trans[n]; len(vs) > 0 {
			v := vs[len(vs)-1]
			t := &bundle.Translation{Lang: req.Lang, File: fmt.Sprintf("page-%d.%s.txt", n, req.Lang), Machine: v.Machine, MadeBy: v.By, State: v.State}
			if !v.Machine {
				t.MadeBy = "human translation" // who translated stays in the archive
			}
			if v.State == Reviewed && len(v.At) >= 10 {
				t.ReviewedDay = v.At[:10]
			}
			body, err := p.mask(v.Text)
			if err != nil {
				return nil, err
			}
			files[t.File] = []byte(body)
			pg.Translation = t
		}
		m.Pages = append(m.Pages, pg)
	}
	if err := m.Validate(bundle.DefaultLimits); err != nil {
		return nil, exportErr("%v", err)
	}
	// Audited before the first byte leaves: an export cut short still
	// counts as one.
	if err := a.Audit(ctx, req.Who, "export", fmt.Sprintf("%s/%s: bundle %q of %s, pages %d-%d", d.Collection, d.Path, m.Slug, p.summary, from, to)); err != nil {
		return nil, err
	}
	h := sha256.New()
	bw, err := bundle.NewWriter(io.MultiWriter(w, h), m, nil)
	if err != nil {
		return nil, exportErr("%v", err)
	}
	for _, f := range m.Members() {
		if f.Kind == bundle.PDFFile {
			pf, err := os.Open(pdfPath)
			if err != nil {
				return nil, fmt.Errorf("archive: %w", err)
			}
			st, err := pf.Stat()
			if err == nil {
				err = bw.Add(f.Name, st.Size(), pf)
			}
			pf.Close()
			if err != nil {
				return nil, err
			}
			continue
		}
		if err := bw.Add(f.Name, int64(len(files[f.Name])), bytes.NewReader(files[f.Name])); err != nil {
			return nil, err
		}
	}
	if err := bw.Close(); err != nil {
		return nil, err
	}
	if m.PDF != nil {
		s, _ := bw.Sum(m.PDF.File)
		rec.PDF = s.SHA256
	}
	rec.Bundle, rec.Slug = hex.EncodeToString(h.Sum(nil)), m.Slug
	rec.Excerpt = req.Quote
	if err := a.recordExport(context.WithoutCancel(ctx), rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// slugOf makes a slug from a file's name: "fond17/Опись 3.pdf" → "opis-3"
// only for Latin names; others fall back to "document".
func slugOf(p string) string {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 60 {
		s = strings.Trim(s[:60], "-")
	}
	if s == "" {
		return "document"
	}
	return s
}

// extractPages writes pages from-to of src as a new PDF at dst: poppler's
// pdfseparate and pdfunite rebuild the file from its pages alone, so the
// information dictionary, XMP and anything outside the pages are left
// behind (Verify then checks that they were).
func extractPages(ctx context.Context, src string, from, to int, work, dst string) error {
	pat := filepath.Join(work, "page-%d.pdf")
	if err := tool.Run(ctx, tool.Cmd{Name: "pdfseparate", Args: []string{"-f", strconv.Itoa(from), "-l", strconv.Itoa(to), src, pat}, TmpDir: work}); err != nil {
		return fmt.Errorf("archive: splitting the pages: %w", err)
	}
	var args []string
	for n := from; n <= to; n++ {
		args = append(args, fmt.Sprintf(pat, n))
	}
	if err := tool.Run(ctx, tool.Cmd{Name: "pdfunite", Args: append(args, dst), TmpDir: work}); err != nil {
		return fmt.Errorf("archive: joining the pages: %w", err)
	}
	for _, p := range args {
		os.Remove(p)
	}
	return nil
}

// pageText is pdftotext's text of page n, read with -layout as ingest
// reads an original's: without it every line of an OCR layer is a
// paragraph of its own, and the site would align a translation's
// paragraphs with the wrong lines.
func pageText(ctx context.Context, pdf string, n int, work string) (string, error) {
	var out bytes.Buffer
	p := strconv.Itoa(n)
	if err := tool.Run(ctx, tool.Cmd{Name: "pdftotext", Args: []string{"-layout", "-enc", "UTF-8", "-f", p, "-l", p, pdf, "-"}, Stdout: &limited{w: &out, n: 4 << 20}, TmpDir: work}); err != nil {
		return "", fmt.Errorf("archive: the text of page %d: %w", n, err)
	}
	return strings.TrimRight(out.String(), "\f\n "), nil
}

// reencodePNG writes an image original as a new PNG: decoding and encoding
// again leaves its metadata (EXIF: the camera, the time, the place) behind.
func reencodePNG(a *Archive, d *Document, w io.Writer) error {
	f, err := a.stored(d)
	if err != nil {
		return err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil || cfg.Width*cfg.Height > redact.MaxPixels {
		return exportErr("the image cannot be read or is too large (%v)", err)
	}
	f.Seek(0, io.SeekStart)
	img, _, err := image.Decode(f)
	if err != nil {
		return exportErr("the image cannot be read: %v", err)
	}
	return png.Encode(w, img)
}

// paragraphOf is the translation's paragraph aligned with the original's
// paragraph that holds the quote; "" when the counts differ.
func paragraphOf(orig, trans, quote string) string {
	ops, tps := translate.Split(orig), translate.Split(trans)
	if len(ops) != len(tps) {
		return ""
	}
	for i, p := range ops {
		if strings.Contains(strings.Join(strings.Fields(p), " "), quote) {
			return tps[i]
		}
	}
	return ""
}
