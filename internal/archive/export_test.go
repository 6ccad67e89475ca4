package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"confide/internal/bundle"
	"confide/internal/redact"
	"confide/internal/translate"
)

func needTools(t *testing.T) {
	t.Helper()
	for _, p := range []string{"pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "pdfseparate", "pdfunite", "tesseract", "mat2"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
}

// readBundle reads a bundle back with internal/bundle's Reader, which
// checks every member's name, kind and SHA-256.
func readBundle(t *testing.T, b []byte) (bundle.Manifest, map[string]string, map[string]bundle.Sum) {
	t.Helper()
	files := map[string]string{}
	m, sums, err := bundle.Read(bytes.NewReader(b), nil, func(f bundle.Member, r io.Reader) error {
		body, err := io.ReadAll(r)
		files[f.Name] = string(body)
		return err
	})
	if err != nil {
		t.Fatalf("the bundle does not read back: %v", err)
	}
	return m, files, sums
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// An export of a verified redacted copy: the bundle reads back, its
// citation holds the original's SHA-256 and the published PDF's, the PDF
// and the page's text are free of the term, the translation is masked and
// labelled machine output, nobody is named; custody and audit have it.
func TestExportRedacted(t *testing.T) {
	needTools(t)
	backends(t, func(t *testing.T, c Config) {
		c.Who = "operator-kuznetsova"
		z, _ := newRedactZone(t, c, redact.Redact)
		ctx := context.Background()
		pdf := z.docID(t, "protocol.pdf")
		if _, err := z.a.AddTranslation(ctx, pdf, 1, "en", "Minutes of the committee meeting. All members of the committee were present except Sidorov.", "machine: apertium 3.8.3 (rus-eng)", true, Draft); err != nil {
			t.Fatal(err)
		}
		red := ranCopy(t, z.a, pdf, "journalist-kuznetsova", Marks{Terms: []string{"Сидорова"}}, redact.Redact, true)
		id := red.ID
		_, origSum, _ := z.a.RootOriginal(ctx, pdf)
		var out bytes.Buffer
		rec, err := z.a.Export(ctx, ExportRequest{DocID: pdf, RedactionID: id, Lang: "en", Mask: []string{"Sidorov"},
			Quote: "Протокол заседания  комиссии", Who: "journalist-kuznetsova"}, &out)
		if err != nil {
			t.Fatal(err)
		}
		m, files, sums := readBundle(t, out.Bytes())
		if m.Slug != "protocol" || m.Collection != "kgb" || m.Original.Path != "trove/protocol.pdf" || m.Original.SHA256 != origSum || len(m.Pages) != 1 {
			t.Fatalf("manifest %+v", m)
		}
		if m.PDF == nil || !m.PDF.Redacted || !m.PDF.Verified || sums["document.pdf"].SHA256 != rec.PDF || hexSum([]byte(files["document.pdf"])) != rec.PDF {
			t.Fatalf("pdf %+v, sum %v, record %s", m.PDF, sums["document.pdf"], rec.PDF)
		}
		if hexSum(out.Bytes()) != rec.Bundle || rec.Original != origSum || rec.RedactionID != id {
			t.Fatalf("record %+v", rec)
		}
		tmp := t.TempDir() + "/published.pdf"
		os.WriteFile(tmp, []byte(files["document.pdf"]), 0o600)
		if text, _ := exec.Command("pdftotext", "-enc", "UTF-8", tmp, "-").Output(); strings.Contains(string(text), "Сидорова") || !strings.Contains(string(text), "комиссии") {
			t.Fatalf("the published PDF's text: %s", text)
		}
		p := m.Pages[0]
		if !strings.HasPrefix(files[p.Image], "\x89PNG") || strings.Contains(files[p.Text], "Сидорова") || !strings.Contains(files[p.Text], "комиссии") {
			t.Fatalf("page files: text %q", files[p.Text])
		}
		tr := p.Translation
		if tr == nil || !tr.Machine || tr.MadeBy != "machine: apertium 3.8.3 (rus-eng)" || tr.State != Draft || strings.Contains(files[tr.File], "Sidorov") || !strings.Contains(files[tr.File], "except ████████") {
			t.Fatalf("translation %+v: %q", tr, files[tr.File])
		}
		if m.Excerpt == nil || m.Excerpt.Quote != "Протокол заседания комиссии" || m.Excerpt.Translation != "Minutes of the committee meeting. All members of the committee were present except ████████" || m.Excerpt.Page != 1 {
			t.Fatalf("excerpt %+v", m.Excerpt)
		}
		// The site's line counts the one occurrence once, as the
		// redaction's report does, on the copy's one page; the copy and the
		// checks passed as published are fields, for the site to say in
		// its reader's language, not an English sentence.
		if b := m.PDF.Burned; b == nil || *b != (bundle.Burned{Terms: 1, Occurrences: 1, Pages: 1}) || m.PDF.Redaction != id || m.PDF.Verification != "" {
			t.Fatalf("the bundle counts %+v, copy %q, sentence %q", m.PDF.Burned, m.PDF.Redaction, m.PDF.Verification)
		}
		cat, _ := catalog()
		for _, want := range []string{"structure", "metadata", "mat2", "text layer", "OCR"} {
			if !slices.Contains(m.PDF.Checks, want) {
				t.Errorf("the bundle's checks %q lack %q", m.PDF.Checks, want)
			}
		}
		for _, c := range m.PDF.Checks {
			// Every check the site may be given, named in both languages.
			if ru := cat.Checks("ru", []string{c}); ru == c && c != "pdfinfo" && c != "mat2" {
				t.Errorf("the check %q has no Russian name", c)
			}
		}
		if bytes.Contains(out.Bytes(), []byte("kuznetsova")) || strings.Contains(strings.Join(m.PDF.Checks, " "), "Сидорова") {
			t.Fatal("the bundle names the journalist or the term")
		}
		cu, err := z.a.Custody(ctx, pdf)
		if err != nil || len(cu.Exports) != 1 || cu.Exports[0].PDF != rec.PDF || cu.Exports[0].Bundle != rec.Bundle || cu.Exports[0].Who != "journalist-kuznetsova" {
			t.Fatalf("custody %v %+v", err, cu.Exports)
		}
		if !z.audited(t, "journalist-kuznetsova", "export", "kgb/trove/protocol.pdf: bundle \"protocol\" of redacted copy "+id) {
			t.Fatal("the export is not audited")
		}
		// The page's text is one paragraph (its lines are wraps), so the
		// excerpt's translation is the whole aligned paragraph, masked.
		// An excerpt holding a redacted term is refused, nothing written.
		out.Reset()
		if _, err := z.a.Export(ctx, ExportRequest{DocID: pdf, RedactionID: id, Quote: "кроме Сидорова.", Who: "x"}, &out); !errors.Is(err, ErrExport) || out.Len() != 0 {
			t.Fatalf("an excerpt with the term: %v, %d bytes", err, out.Len())
		}
		// The original's pages, unredacted: its metadata is left behind.
		out.Reset()
		rec, err = z.a.Export(ctx, ExportRequest{DocID: pdf, Unredacted: true, Slug: "protocol-full", Who: "x"}, &out)
		if err != nil {
			t.Fatal(err)
		}
		m, files, _ = readBundle(t, out.Bytes())
		if m.PDF == nil || m.PDF.Redacted || !strings.Contains(files["page-1.txt"], "Сидорова") || rec.RedactionID != "" || rec.PDF == origSum {
			t.Fatalf("unredacted: %+v %+v", m.PDF, rec)
		}
		if strings.Contains(files["document.pdf"], "CreationDate") {
			t.Fatal("the original's metadata was published")
		}
	})
}

// A copy with a box: the excerpt is quoted from the copy's own text, so
// a boxed word cannot come back in it, and a translation (which knows
// nothing of boxes) goes only once confirmed as checked.
func TestExportBoxedCopy(t *testing.T) {
	needTools(t)
	backends(t, func(t *testing.T, c Config) {
		z, _ := newRedactZone(t, c, redact.Redact)
		ctx := context.Background()
		pdf := z.docID(t, "protocol.pdf")
		if _, err := z.a.AddTranslation(ctx, pdf, 1, "en", "Minutes of the committee meeting. All members of the committee were present except Sidorov.", "user: tanya", false, Draft); err != nil {
			t.Fatal(err)
		}
		// "Протокол" is at 10,10 – 82,26 points.
		id := ranCopy(t, z.a, pdf, "ann", Marks{Boxes: []redact.Box{{Page: 1, X0: 9, Y0: 9, X1: 83, Y1: 25}}}, redact.Redact, true).ID
		if red, _ := z.a.Redaction(ctx, id); !slices.Contains(red.Boxed[1], "протокол") || slices.Contains(red.Boxed[1], "сидорова") {
			t.Fatalf("words under the box: %v", red.Boxed)
		}
		// The redaction's page lists them and marks them as terms in one click.
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		_, page := ann.get("/redactions/" + id)
		if !strings.Contains(page, `id="boxed"`) || !strings.Contains(page, `<span class="term">протокол</span>`) {
			t.Fatalf("the boxed words are not shown: %s", page)
		}
		if res, _ := ann.post("/redactions/"+id+"/terms", page, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("marking the boxed words: %d", res.StatusCode)
		}
		if m, _ := z.a.Draft(ctx, pdf, ann.id(t)); !slices.Contains(m.Terms, "протокол") {
			t.Fatalf("draft after marking the boxed words: %+v", m)
		}
		var out bytes.Buffer
		if _, err := z.a.Export(ctx, ExportRequest{DocID: pdf, RedactionID: id, Quote: "Протокол заседания", Who: "ann"}, &out); !errors.Is(err, ErrExport) || !strings.Contains(err.Error(), "quotes 1 of the words under the copy's boxes") || out.Len() != 0 {
			t.Fatalf("a quote of a boxed word: %v", err)
		}
		if _, err := z.a.Export(ctx, ExportRequest{DocID: pdf, RedactionID: id, Lang: "en", Who: "ann"}, &out); !errors.Is(err, ErrExport) || !strings.Contains(err.Error(), "--translation-checked") || out.Len() != 0 {
			t.Fatalf("a translation with a boxed copy, unconfirmed: %v", err)
		}
		rec, err := z.a.Export(ctx, ExportRequest{DocID: pdf, RedactionID: id, Lang: "en", TranslationChecked: true, Quote: "заседания комиссии", Who: "ann"}, &out)
		if err != nil {
			t.Fatal(err)
		}
		m, files, _ := readBundle(t, out.Bytes())
		tr := m.Pages[0].Translation
		if tr == nil || tr.Machine || tr.MadeBy != "human translation" || strings.Contains(out.String(), "tanya") || strings.Contains(files["page-1.txt"], "Протокол") || rec.PDF == "" {
			t.Fatalf("translation %+v, text %q", tr, files["page-1.txt"])
		}
	})
}

// A redacted copy that failed verification is never exported, and
// nothing of it is written.
func TestExportRefusesAFailedCopy(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, _ := newRedactZone(t, c, failing)
		ctx := context.Background()
		pdf := z.docID(t, "protocol.pdf")
		id := ranCopy(t, z.a, pdf, "ann", Marks{Terms: []string{"Сидорова"}}, failing, false).ID
		var out bytes.Buffer
		if _, err := z.a.Export(ctx, ExportRequest{DocID: pdf, RedactionID: id, Who: "ann"}, &out); !errors.Is(err, ErrUnverified) || out.Len() != 0 {
			t.Fatalf("a failed copy exported: %v, %d bytes", err, out.Len())
		}
		if cu, _ := z.a.Custody(ctx, pdf); len(cu.Exports) != 0 || len(cu.Redactions) != 1 || cu.Redactions[0].Verified() {
			t.Fatalf("custody %+v", cu)
		}
		// From the web: refused with a page saying why, and audited.
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		_, page := ann.get("/documents/" + pdf + "/export")
		if strings.Contains(page, `value="`+id+`"`) || !strings.Contains(page, "1 copy failed verification") {
			t.Fatalf("the export page offers the failed copy: %s", page)
		}
		res, body := ann.post("/documents/"+pdf+"/export", page, url.Values{"redaction": {id}, "slug": {"protocol"}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "did not pass verification") || res.Header.Get("Content-Disposition") != "" {
			t.Fatalf("web export of a failed copy: %d %s", res.StatusCode, body)
		}
		if !z.audited(t, "ann", "export refused", id) {
			t.Fatal("the refusal is not audited")
		}
	})
}

// From the web: a journalist's export downloads a bundle; a translator is
// refused and the refusal audited; a bad request is answered on the form.
func TestWebExport(t *testing.T) {
	needTools(t)
	backends(t, func(t *testing.T, c Config) {
		z, _ := newRedactZone(t, c, redact.Redact)
		pdf := z.docID(t, "protocol.pdf")
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		_, page := ann.get("/documents/" + pdf + "/export")
		res, body := ann.post("/documents/"+pdf+"/export", page, url.Values{"redaction": {"original"}, "slug": {"protocol"}, "pages": {"2-3"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="export-error"`) || !strings.Contains(body, "the document has 1") {
			t.Fatalf("pages past the end: %d %s", res.StatusCode, body)
		}
		// The export is queued and its page followed until the bundle is
		// ready: it reloads itself meanwhile, and then offers the download.
		res, body = ann.post("/documents/"+pdf+"/export", page, url.Values{"redaction": {"original"}, "slug": {"protocol"}, "quote": {"Присутствовали все члены"}})
		jid := exportJobID(t, res)
		if res.Header.Get("Content-Disposition") != "" || !z.audited(t, "ann", "export queued", "kgb/trove/protocol.pdf: job "+jid) {
			t.Fatalf("the export was not queued: %v %.300s", res.Header, body)
		}
		if res, page := ann.get("/exports/" + jid); res.StatusCode != 200 || (res.Header.Get("Refresh") == "3") == strings.Contains(page, `id="download"`) {
			t.Fatalf("the job's page while it is built: %d %v %s", res.StatusCode, res.Header, page)
		}
		j := exportDone(t, z.a, jid)
		if j.State != ExportReady || j.Slug != "protocol" || j.ExportID == "" || sha256File(t, z.a.exportBundlePath(j)) != j.Bundle {
			t.Fatalf("job %+v", j)
		}
		res, page = ann.get("/exports/" + jid)
		if res.StatusCode != 200 || res.Header.Get("Refresh") != "" || !strings.Contains(page, `href="/exports/`+jid+`/bundle"`) || !strings.Contains(page, j.Bundle) {
			t.Fatalf("the job's page when ready: %d %v %s", res.StatusCode, res.Header, page)
		}
		res, body = ann.get("/exports/" + jid + "/bundle")
		if res.StatusCode != 200 || res.Header.Get("Content-Disposition") != "attachment; filename=protocol.bundle" || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Fatalf("download %d %v: %.300s", res.StatusCode, res.Header, body)
		}
		m, _, _ := readBundle(t, []byte(body))
		if m.Excerpt == nil || m.Excerpt.Quote != "Присутствовали все члены" || hexSum([]byte(body)) != res.Header.Get("X-Bundle-SHA256") || hexSum([]byte(body)) != j.Bundle {
			t.Fatalf("web bundle %+v", m)
		}
		if !z.audited(t, "ann", "export", "kgb/trove/protocol.pdf") || !z.audited(t, "ann", "export download", "kgb/trove/protocol.pdf: bundle \"protocol\" of job "+jid+", export "+j.ExportID+", sha256 "+j.Bundle) {
			t.Fatal("not audited")
		}
		if !z.audited(t, "ann", "view export", "job "+jid) {
			t.Fatal("the job's page is not audited")
		}
		// The export page lists the user's exports of the document.
		if _, page := ann.get("/documents/" + pdf + "/export"); !strings.Contains(between(page, `id="export-jobs"`, "</ul>"), `href="/exports/`+jid+`"`) ||
			!strings.Contains(between(page, `id="export-jobs"`, "</ul>"), "ready to download") {
			t.Fatalf("the export page does not list the user's export: %s", page)
		}
		// Another journalist of the collection neither sees nor takes it.
		bob := z.user(t, "bob", RoleJournalist, "kgb")
		if _, page := bob.get("/documents/" + pdf + "/export"); strings.Contains(page, jid) {
			t.Fatal("another user's export is listed")
		}
		if _, page := bob.get("/documents/" + pdf + "/export?job=" + jid); strings.Contains(page, "Присутствовали") {
			t.Fatal("another user's export fills the form")
		}
		if res, _ := bob.get("/exports/" + jid); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's job page: %d", res.StatusCode)
		}
		if res, _ := bob.get("/exports/" + jid + "/bundle"); res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Disposition") != "" {
			t.Fatalf("another user's bundle: %d", res.StatusCode)
		}
		// A kept bundle whose bytes changed is not served.
		if err := os.WriteFile(z.a.exportBundlePath(j), []byte(strings.Replace(body, "Присутствовали", "Отсутствовали", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		if res, body := ann.get("/exports/" + jid + "/bundle"); res.StatusCode != http.StatusGone || res.Header.Get("Content-Disposition") != "" || !strings.Contains(body, "nothing was sent") {
			t.Fatalf("a changed bundle: %d %v %.300s", res.StatusCode, res.Header, body)
		}
		if !z.audited(t, "ann", "export download refused", "job "+jid) {
			t.Fatal("the refused download is not audited")
		}
		if _, doc := ann.get("/documents/" + pdf); !strings.Contains(doc, `id="custody-exports"`) || !strings.Contains(doc, "<code>protocol</code>") {
			t.Fatalf("custody section: %s", doc)
		}
		tanya := z.user(t, "tanya", RoleTranslator, "kgb")
		if res, _ := tanya.get("/documents/" + pdf + "/export"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("translator's export page: %d", res.StatusCode)
		}
		_, doc := tanya.get("/documents/" + pdf)
		if strings.Contains(doc, `/export"`) {
			t.Fatal("a translator is offered the export")
		}
		if res, _ := tanya.post("/documents/"+pdf+"/export", doc, url.Values{"redaction": {"original"}, "slug": {"protocol"}}); res.StatusCode != http.StatusForbidden || res.Header.Get("Content-Disposition") != "" {
			t.Fatalf("translator exports: %d", res.StatusCode)
		}
		if !z.audited(t, "tanya", "export refused", "protocol.pdf") {
			t.Fatal("the translator's refusal is not audited")
		}
	})
}

// A redacted copy's page text keeps the original's paragraphs (pdftotext
// reads its OCR layer with -layout, as ingest reads the original's), so
// the site aligns each paragraph with its translation; without -layout
// every line of the OCR layer was a paragraph of its own, and the site put
// the last paragraph's translation beside the second line.
func TestExportCopyKeepsParagraphs(t *testing.T) {
	needTools(t)
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ctx := context.Background()
		pdf, err := os.ReadFile(filepath.Join("..", "e2e", "testdata", "delo.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(t.TempDir(), "trove")
		write(t, root, "delo.pdf", pdf)
		ingestAll(t, a, "fond17", root)
		doc := (&webZone{a: a}).docID(t, "delo.pdf")
		if _, err := a.AddTranslation(ctx, doc, 1, "en", "Record of the interrogation\n\nInvestigator Ivanov questioned a witness in March.\n\nCase number seven was closed on the prosecutor's order.", "user: tanya", false, Draft); err != nil {
			t.Fatal(err)
		}
		id := ranCopy(t, a, doc, "ann", Marks{Terms: []string{"Иванов"}}, redact.Redact, true).ID
		var out bytes.Buffer
		if _, err := a.Export(ctx, ExportRequest{DocID: doc, RedactionID: id, Lang: "en", Mask: []string{"Ivanov"}, Who: "ann"}, &out); err != nil {
			t.Fatal(err)
		}
		m, files, _ := readBundle(t, out.Bytes())
		text, tr := translate.Split(files[m.Pages[0].Text]), translate.Split(files[m.Pages[0].Translation.File])
		if len(text) != 3 || len(tr) != 3 || !strings.Contains(text[2], "приказу прокурора") || strings.Contains(files[m.Pages[0].Text], "Иванов") {
			t.Fatalf("the copy's paragraphs %q beside the translation's %q", text, tr)
		}
	})
}
