package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"confide/internal/auth/authtest"
	"confide/internal/redact"
)

// newRedactZone is an archive holding protocol.pdf (a one-page PDF with a
// text layer: "Протокол заседания комиссии / Присутствовали все члены
// комиссии, кроме Сидорова.") and a.txt in "kgb", served with run making
// the redacted copies.
func newRedactZone(t *testing.T, c Config, run Redactor) (*webZone, *Server) {
	t.Helper()
	return newZone(t, c, ServerConfig{Redactor: run})
}

// newZone is newRedactZone's archive and trove with the server cfg
// configures (its Params are the tests').
func newZone(t *testing.T, c Config, cfg ServerConfig) (*webZone, *Server) {
	t.Helper()
	a := open(t, c)
	root := filepath.Join(t.TempDir(), "trove")
	pdf, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", "ru-text.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, root, "protocol.pdf", pdf)
	write(t, root, "a.txt", []byte("Государственные архивы хранят документы."))
	ingestAll(t, a, "kgb", root)
	cfg.Params = authtest.Params
	srv, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close)
	return &webZone{a: a, ts: ts}, srv
}

// finished waits for a redaction to leave the running state.
func finished(t *testing.T, a *Archive, id string) *Redaction {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		r, err := a.Redaction(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != RedactionRunning {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("redaction %s still running", id)
		}
	}
}

// makeCopy marks a term on a document's redaction page and makes the
// copy, returning the redaction's ID.
func makeCopy(t *testing.T, b *browser, docID, term string) string {
	t.Helper()
	base := "/documents/" + docID + "/redact"
	_, page := b.get(base)
	b.post(base+"/marks", page, url.Values{"page": {"1"}, "do": {"term"}, "term": {term}})
	res, _ := b.post("/documents/"+docID+"/redactions", page, url.Values{})
	return redactionID(t, res)
}

// redactionID is the ID a redirect to /redactions/ID names.
func redactionID(t *testing.T, res *http.Response) string {
	t.Helper()
	id, ok := strings.CutPrefix(res.Header.Get("Location"), "/redactions/")
	if res.StatusCode != http.StatusSeeOther || !ok || id == "" {
		t.Fatalf("making the copy: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return id
}

func TestRedactMarks(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, _ := newRedactZone(t, c, redact.Redact)
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		pdf := z.docID(t, "protocol.pdf")
		base := "/documents/" + pdf + "/redact"
		res, page := ann.get(base)
		// 430 × 53 points shown at 100 dpi: 597 × 74 CSS pixels, 0.72 points each.
		if res.StatusCode != 200 || !strings.Contains(page, `<input type="image" id="page-image" name="at" src="/documents/`+pdf+`/pages/1/image" width="597" height="74"`) {
			t.Fatalf("redact page %d: %s", res.StatusCode, page)
		}
		if strings.Contains(page, "<script") || !strings.Contains(page, `value="1.5"> Сидорова.</label>`) {
			t.Fatalf("the page's words are not offered: %s", page)
		}
		post := func(form url.Values) {
			t.Helper()
			_, page := ann.get(base)
			form.Set("page", "1")
			if res, _ := ann.post(base+"/marks", page, form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"?page=1#marks" {
				t.Fatalf("mark %v: %d %s", form, res.StatusCode, res.Header.Get("Location"))
			}
		}
		post(url.Values{"do": {"term"}, "term": {"  Сидорова \n\nкомиссии"}})
		// Two clicks on the image make a box, corners in either order.
		post(url.Values{"at.x": {"100"}, "at.y": {"40"}})
		if _, page := ann.get(base); !strings.Contains(page, `<circle class="corner" cx="100" cy="40"`) || !strings.Contains(page, `id="corner-note"`) {
			t.Fatalf("the first corner is not shown: %s", page)
		}
		post(url.Values{"at.x": {"10"}, "at.y": {"10"}})
		// Neighbouring words checked make one term; a lone one its own.
		post(url.Values{"do": {"words"}, "word": {"1.0", "1.1", "0.2"}})
		m, err := z.a.Draft(context.Background(), pdf, ann.id(t))
		if err != nil {
			t.Fatal(err)
		}
		want := Marks{Terms: []string{"Сидорова", "комиссии", "Присутствовали все"}, Boxes: []redact.Box{{Page: 1, X0: 7.2, Y0: 7.2, X1: 72, Y1: 28.8}}}
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("draft %#v, want %#v", m, want)
		}
		_, page = ann.get(base)
		if !strings.Contains(page, `<rect class="box" x="10" y="10" width="90" height="30">`) || strings.Contains(page, `class="corner"`) {
			t.Fatalf("the box is not drawn over the image: %s", page)
		}
		post(url.Values{"remove-term": {"1"}})
		post(url.Values{"remove-box": {"0"}})
		if m, _ := z.a.Draft(context.Background(), pdf, ann.id(t)); !reflect.DeepEqual(m.Terms, []string{"Сидорова", "Присутствовали все"}) || len(m.Boxes) != 0 {
			t.Fatalf("after removing: %+v", m)
		}
		// A form without its token changes nothing.
		if res, _ := ann.post(base+"/marks", "", url.Values{"do": {"clear"}, "csrf": {strings.Repeat("x", 43)}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("forged form: %d", res.StatusCode)
		}
		if m, _ := z.a.Draft(context.Background(), pdf, ann.id(t)); len(m.Terms) != 2 {
			t.Fatalf("a forged form cleared the marks: %+v", m)
		}
		// A translator reads but does not redact; another collection is not there.
		tanya := z.user(t, "tanya", RoleTranslator, "kgb")
		if res, _ := tanya.get(base); res.StatusCode != http.StatusForbidden {
			t.Fatalf("translator's redact page: %d", res.StatusCode)
		}
		_, doc := tanya.get("/documents/" + pdf)
		if res, _ := tanya.post(base+"/marks", doc, url.Values{"do": {"term"}, "term": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("translator marks: %d", res.StatusCode)
		}
		if res, _ := tanya.post("/documents/"+pdf+"/redactions", doc, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("translator makes a copy: %d", res.StatusCode)
		}
		if !z.audited(t, "tanya", "redaction refused", "kgb/trove/protocol.pdf") {
			t.Fatal("the refusal is not audited")
		}
		other := z.user(t, "olga", RoleJournalist, "gulag")
		if res, _ := other.get(base); res.StatusCode != http.StatusNotFound {
			t.Fatalf("ungranted redact page: %d", res.StatusCode)
		}
		// A text file has no page to burn.
		if res, _ := ann.get("/documents/" + z.docID(t, "a.txt") + "/redact"); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("a text file's redact page: %d", res.StatusCode)
		}
		if _, doc := ann.get("/documents/" + pdf); !strings.Contains(doc, `href="/documents/`+pdf+`/redact"`) {
			t.Fatalf("no redact link on the document page: %s", doc)
		}
	})
}

// id is the signed-in user's account ID.
func (b *browser) id(t *testing.T) string {
	t.Helper()
	_, home := b.get("/")
	name := between(home, "<span>", " (")
	acc, err := b.z.a.Accounts().AccountByName(context.Background(), name)
	if err != nil {
		t.Fatalf("%q: %v", name, err)
	}
	return acc.ID
}

func between(s, from, to string) string {
	_, s, _ = strings.Cut(s, from)
	s, _, _ = strings.Cut(s, to)
	return s
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// The real redaction, in the background: the name burned out of the text
// layer, a box burned in, the copy verified and stored by its SHA-256, the
// original untouched, the report shown and custody recorded.
func TestRedactionInTheBackground(t *testing.T) {
	for _, p := range []string{"pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "tesseract", "mat2"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
	backends(t, func(t *testing.T, c Config) {
		z, _ := newRedactZone(t, c, redact.Redact)
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		pdf := z.docID(t, "protocol.pdf")
		orig, _, err := z.a.RootOriginal(context.Background(), pdf)
		if err != nil {
			t.Fatal(err)
		}
		before := sha256File(t, orig)
		base := "/documents/" + pdf + "/redact"
		_, page := ann.get(base)
		if res, _ := ann.post("/documents/"+pdf+"/redactions", page, url.Values{}); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("a copy with no marks: %d", res.StatusCode)
		}
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "do": {"term"}, "term": {"Сидорова"}})
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "at.x": {"0"}, "at.y": {"0"}})
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "at.x": {"60"}, "at.y": {"30"}})
		res, _ := ann.post("/documents/"+pdf+"/redactions", page, url.Values{})
		id := redactionID(t, res)
		if res, page := ann.get("/redactions/" + id); res.StatusCode != 200 || (res.Header.Get("Refresh") != "3") != strings.Contains(page, "Verified") {
			t.Fatalf("redaction page while running %d %v", res.StatusCode, res.Header)
		}
		r := finished(t, z.a, id)
		if !r.Verified() || r.Original != before || r.Who != "ann" || r.Occurrences != 1 || !reflect.DeepEqual(r.Marks.Terms, []string{"Сидорова"}) || len(r.Marks.Boxes) != 1 {
			t.Fatalf("redaction %+v\n%s", r, r.Report)
		}
		copyPath := filepath.Join(c.Dir, "redacted", r.SHA256[:2], r.SHA256)
		if got := sha256File(t, copyPath); got != r.SHA256 {
			t.Fatalf("the stored copy hashes to %s, recorded %s", got, r.SHA256)
		}
		text, err := exec.Command("pdftotext", "-enc", "UTF-8", copyPath, "-").Output()
		if err != nil || strings.Contains(string(text), "Сидорова") || !strings.Contains(string(text), "комиссии") {
			t.Fatalf("the copy's text (%v): %s", err, text)
		}
		if sha256File(t, orig) != before {
			t.Fatal("the original changed")
		}
		res, page = ann.get("/redactions/" + id)
		if res.StatusCode != 200 || res.Header.Get("Refresh") != "" || !strings.Contains(page, "Verified.") || !strings.Contains(page, "Every check passed: 1 occurrence of 1 term and 1 box burned on 1 page.") || !strings.Contains(page, "<td>OCR</td><td>PASS</td>") ||
			strings.Contains(page, "FAIL") || !strings.Contains(page, `href="/documents/`+pdf+`/export?redaction=`+id+`"`) {
			t.Fatalf("report page: %s", page)
		}
		if res, img := ann.get("/redactions/" + id + "/pages/1/image"); res.StatusCode != 200 || !strings.HasPrefix(img, "\x89PNG") {
			t.Fatalf("the copy's page image: %d", res.StatusCode)
		}
		if _, doc := ann.get("/documents/" + pdf); !strings.Contains(doc, `id="custody-redactions"`) || !strings.Contains(doc, r.SHA256) {
			t.Fatalf("custody on the document page: %s", doc)
		} else if strings.Contains(doc, "{}") {
			t.Error("the custody table shows a raw origin {} for a file that has none") // Event.From's words, or nothing
		}
		cu, err := z.a.Custody(context.Background(), pdf)
		if err != nil || len(cu.Redactions) != 1 || cu.Redactions[0].SHA256 != r.SHA256 || !strings.Contains(cu.Events[len(cu.Events)-1].Action, "redaction "+id+" by ann (1 term, 1 box): passed, verified; copy sha256 "+r.SHA256) ||
			!strings.HasSuffix(cu.Events[len(cu.Events)-1].Action, ", 1 occurrence of 1 term and 1 box burned on 1 page") {
			t.Fatalf("custody %v %+v", err, cu)
		}
		if !z.audited(t, "ann", "redaction started", id) {
			t.Fatal("not audited")
		}
		// Only this process's temporary folder was used, and it is clean.
		if left, _ := filepath.Glob(filepath.Join(c.Dir, "tmp", "*", "redact*")); len(left) != 0 {
			t.Fatalf("left in tmp: %v", left)
		}
		f, _, err := z.a.RedactedCopy(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	})
}

// ranCopy makes a redacted copy of doc by who with m and run, and checks
// that it passed verification or not as verified says.
func ranCopy(t *testing.T, a *Archive, doc, who string, m Marks, run Redactor, verified bool) *Redaction {
	t.Helper()
	ctx := context.Background()
	id, err := a.BeginRedaction(ctx, doc, who, m)
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.RunRedaction(ctx, id, run)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verified() != verified {
		t.Fatalf("a copy verified %v, want %v: %+v\n%s", r.Verified(), verified, r, r.Report)
	}
	return r
}

// passing is a redactor whose stub copy passes verification.
func passing(_ context.Context, req redact.Request) (redact.Result, error) {
	p := filepath.Join(req.Dir, "redacted-ok.pdf")
	if err := os.WriteFile(p, []byte("%PDF-1.4 verified"), 0o600); err != nil {
		return redact.Result{}, err
	}
	return redact.Result{Path: p, Pages: 1, Report: redact.Report{Checks: []redact.Check{{Name: "OCR", Pass: true}}}}, nil
}

// failing is a redactor whose copy fails verification, as a term that
// survived would make it: the real tools pass every copy they make.
func failing(_ context.Context, req redact.Request) (redact.Result, error) {
	p := filepath.Join(req.Dir, "redacted-stub.pdf")
	if err := os.WriteFile(p, []byte("%PDF-1.4 stub"), 0o600); err != nil {
		return redact.Result{}, err
	}
	return redact.Result{Path: p, Pages: 1, Occurrences: 1, Report: redact.Report{Checks: []redact.Check{
		{Name: "structure", Pass: true, Detail: "one revision"},
		{Name: "text layer", Pass: false, Detail: `pdftotext finds "Сидорова" ×1 on page 1`},
	}}}, nil
}

// A copy that failed verification keeps no file, says so, and cannot be
// exported; a passed copy whose file changed is refused alike.
func TestRedactionFailedVerification(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, _ := newRedactZone(t, c, failing)
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		pdf := z.docID(t, "protocol.pdf")
		id := makeCopy(t, ann, pdf, "Сидорова")
		r := finished(t, z.a, id)
		if r.State != RedactionFailed || r.Verified() || r.SHA256 != "" {
			t.Fatalf("a failed copy recorded as %+v", r)
		}
		if _, _, err := z.a.RedactedCopy(context.Background(), id); !errors.Is(err, ErrUnverified) {
			t.Fatalf("a failed copy opened for export: %v", err)
		}
		if left, _ := filepath.Glob(filepath.Join(c.Dir, "redacted", "*", "*")); len(left) != 0 {
			t.Fatalf("a failed copy was kept: %v", left)
		}
		_, page := ann.get("/redactions/" + id)
		if !strings.Contains(page, "Failed verification.") || !strings.Contains(page, "<strong>FAIL</strong>") || strings.Contains(page, `id="export"`) {
			t.Fatalf("failed report page: %s", page)
		}
		// The marks are kept to be corrected.
		if m, _ := z.a.Draft(context.Background(), pdf, ann.id(t)); len(m.Terms) != 1 {
			t.Fatalf("the draft is gone: %+v", m)
		}

		// A passed copy whose stored bytes changed is not exported either.
		r = ranCopy(t, z.a, pdf, "ann", Marks{Terms: []string{"Сидорова"}}, passing, true)
		passed := r.ID
		if f, _, err := z.a.RedactedCopy(context.Background(), passed); err != nil {
			t.Fatal(err)
		} else {
			f.Close()
		}
		p := filepath.Join(c.Dir, "redacted", r.SHA256[:2], r.SHA256)
		os.Chmod(p, 0o600)
		if err := os.WriteFile(p, []byte("%PDF-1.4 tampered"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := z.a.RedactedCopy(context.Background(), passed); !errors.Is(err, ErrUnverified) {
			t.Fatalf("a changed copy opened for export: %v", err)
		}
	})
}

// One copy per user at a time: a second request while the first runs
// goes to the first, and nothing more is started.
func TestRedactionOnePerUser(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		release := make(chan struct{})
		started := make(chan struct{}, 4)
		z, _ := newRedactZone(t, c, func(ctx context.Context, req redact.Request) (redact.Result, error) {
			started <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return failing(ctx, req)
		})
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		pdf := z.docID(t, "protocol.pdf")
		first := makeCopy(t, ann, pdf, "Сидорова")
		<-started
		_, page := ann.get("/documents/" + pdf + "/redact")
		res, _ := ann.post("/documents/"+pdf+"/redactions", page, url.Values{})
		if again := redactionID(t, res); again != first {
			t.Fatalf("a second copy %s started while %s runs", again, first)
		}
		if rs, _ := z.a.Redactions(context.Background(), pdf); len(rs) != 1 {
			t.Fatalf("%d redactions recorded", len(rs))
		}
		close(release)
		finished(t, z.a, first)
	})
}

// A scan wider than the page shows is drawn scaled: the clicks, in CSS
// pixels of the size clicked (the widest, or a narrow window's), become
// boxes in the image's own pixels.
func TestRedactMarksOnAScaledImage(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		img := image.NewGray(image.Rect(0, 0, 1600, 300))
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(t.TempDir(), "scans")
		write(t, root, "scan.png", b.Bytes())
		ingestAll(t, a, "kgb", root)
		srv, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params, Redactor: failing})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()
		defer srv.Close()
		z := &webZone{a: a, ts: ts}
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		id := z.docID(t, "scan.png")
		base := "/documents/" + id + "/redact"
		_, page := ann.get(base)
		if !strings.Contains(page, `width="1000" height="188"`) {
			t.Fatalf("the scan is not shown 1000 pixels wide: %s", page)
		}
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "at.x": {"500"}, "at.y": {"100"}})
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "at.x": {"250"}, "at.y": {"20"}})
		// Past the edge is the edge.
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "at.x": {"990"}, "at.y": {"150"}})
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "at.x": {"5000"}, "at.y": {"5000"}})
		m, err := a.Draft(context.Background(), id, ann.id(t))
		if err != nil {
			t.Fatal(err)
		}
		want := []redact.Box{{Page: 1, X0: 400, Y0: 32, X1: 800, Y1: 160}, {Page: 1, X0: 1584, Y0: 240, X1: 1600, Y1: 300}}
		if !reflect.DeepEqual(m.Boxes, want) {
			t.Fatalf("boxes %+v, want %+v", m.Boxes, want)
		}
		// A narrow window shows the 320 × 60 size (ats: 3.125 and 3.133
		// canvas pixels each, so 5 and 5.013 of the image's; atm 680 × 128): its clicks
		// are in its own pixels, and every box is drawn on each size.
		_, page = ann.get(base)
		if !strings.Contains(page, `name="ats" src="/documents/`+id+`/pages/1/image" width="320" height="60"`) || !strings.Contains(page, `name="atm" src="/documents/`+id+`/pages/1/image" width="680" height="128"`) {
			t.Fatalf("the smaller sizes are not offered: %s", page)
		}
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "ats.x": {"80"}, "ats.y": {"16"}})
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "ats.x": {"160"}, "ats.y": {"32"}})
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "atm.x": {"340"}, "atm.y": {"64"}})
		ann.post(base+"/marks", page, url.Values{"page": {"1"}, "atm.x": {"9999"}, "atm.y": {"128"}})
		if m, err = a.Draft(context.Background(), id, ann.id(t)); err != nil {
			t.Fatal(err)
		}
		want = append(want, redact.Box{Page: 1, X0: 400, Y0: 80.21, X1: 800, Y1: 160.43}, redact.Box{Page: 1, X0: 800, Y0: 150.4, X1: 1600, Y1: 300})
		if !reflect.DeepEqual(m.Boxes, want) {
			t.Fatalf("boxes from the smaller sizes %+v, want %+v", m.Boxes, want)
		}
		_, page = ann.get(base)
		for _, rect := range []string{`<rect class="box" x="250" y="20" width="250" height="80">`, `<rect class="box" x="80" y="6" width="80" height="25">`, `<rect class="box" x="170" y="13" width="170" height="54">`} {
			if !strings.Contains(page, rect) {
				t.Errorf("the first box is not drawn as %s: %s", rect, page)
			}
		}
	})
}

// Stopping the server stops a copy being made and records it as an
// error, not as running; a new server of the same process leaves the
// process's running copies alone.
func TestRedactionStopped(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		started := make(chan struct{}, 1)
		z, srv := newRedactZone(t, c, func(ctx context.Context, req redact.Request) (redact.Result, error) {
			started <- struct{}{}
			<-ctx.Done()
			return redact.Result{}, ctx.Err()
		})
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		pdf := z.docID(t, "protocol.pdf")
		id := makeCopy(t, ann, pdf, "Сидорова")
		<-started
		srv.Close()
		if r, err := z.a.Redaction(context.Background(), id); err != nil || r.State != RedactionError || !strings.Contains(r.Reason, "canceled") {
			t.Fatalf("a stopped copy: %v %+v", err, r)
		}
		left, err := z.a.BeginRedaction(context.Background(), pdf, "ann", Marks{Terms: []string{"x"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewServer(z.a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params}); err != nil {
			t.Fatal(err)
		}
		// Its own process is alive: a server of its may still be making it
		// (TestRedactionInterrupted has one whose process is gone).
		if r, _ := z.a.Redaction(context.Background(), left); r.State != RedactionRunning {
			t.Fatalf("this process's copy, after a new server started: %+v", r)
		}
	})
}

// A copy left running by a process that is gone (here its archive closed
// under it, as a kill leaves it: its temporary folder and lock gone) is
// recorded as interrupted when the next server starts, on both backends,
// and no file of it is kept; on PostgreSQL a copy another live server is
// making is left to it, and once that server is gone its page says so
// without waiting for a restart.
func TestRedactionInterrupted(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, srv := newRedactZone(t, c, nil)
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		pdf := z.docID(t, "protocol.pdf")
		dead, err := z.a.BeginRedaction(context.Background(), pdf, "ann", Marks{Terms: []string{"Сидорова"}})
		if err != nil {
			t.Fatal(err)
		}
		deadTmp := z.a.tmp
		srv.Close()
		z.a.Close()
		interrupted := func(a *Archive, id string) {
			t.Helper()
			r, err := a.Redaction(context.Background(), id)
			if err != nil || r.State != RedactionError || !strings.Contains(r.Reason, "interrupted: the archive server that made it stopped") || r.Finished == "" || r.SHA256 != "" {
				t.Fatalf("a copy left running by a process that is gone: %v %+v", err, r)
			}
		}
		var other *Archive
		var live string
		if c.DSN != "" {
			other = open(t, c)
			if live, err = other.BeginRedaction(context.Background(), pdf, "ann", Marks{Terms: []string{"x"}}); err != nil {
				t.Fatal(err)
			}
		}
		a := open(t, c)
		s, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		t.Cleanup(s.Close)
		z.a, z.ts = a, ts // the same cookies: sessions are rows
		interrupted(a, dead)
		if _, err := os.Stat(deadTmp); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the dead process's temporary folder: %v", err)
		}
		if res, page := ann.get("/redactions/" + dead); res.Header.Get("Refresh") != "" || !strings.Contains(page, "interrupted: the archive server that made it stopped") {
			t.Fatalf("an interrupted copy's page: %v %s", res.Header, page)
		}
		if other != nil {
			if res, _ := ann.get("/redactions/" + live); res.Header.Get("Refresh") == "" {
				t.Fatalf("another live server's copy, on this one's page: %v", res.Header)
			}
			if r, _ := a.Redaction(context.Background(), live); r.State != RedactionRunning {
				t.Fatalf("another live server's copy, after a restart: %+v", r)
			}
			other.Close()
			if res, page := ann.get("/redactions/" + live); res.Header.Get("Refresh") != "" || !strings.Contains(page, "interrupted: the archive server that made it stopped") {
				t.Fatalf("the page of a copy whose server is gone: %v %s", res.Header, page)
			}
			interrupted(a, live)
		}
		var kept []string
		filepath.WalkDir(filepath.Join(c.Dir, "redacted"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				kept = append(kept, p)
			}
			return nil
		})
		if len(kept) != 0 {
			t.Fatalf("files kept of interrupted copies: %v", kept)
		}
	})
}

// A copy stored by a process killed before it recorded it is swept when
// a server starts, once it is older than sweepAge; a copy a row names, a
// recent one (another server may be about to record it) and files of
// other names stay.
func TestSweepRedacted(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, _ := newRedactZone(t, c, nil)
		ctx := context.Background()
		pdf := z.docID(t, "protocol.pdf")
		r := ranCopy(t, z.a, pdf, "ann", Marks{Terms: []string{"Сидорова"}}, passing, true)
		old := time.Now().Add(-2 * sweepAge)
		file := func(name string, at time.Time) string {
			p := filepath.Join(c.Dir, "redacted", name[:2], name)
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(p); err != nil {
				if err := os.WriteFile(p, []byte("%PDF-1.4 left"), 0o400); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chtimes(p, at, at); err != nil {
				t.Fatal(err)
			}
			return p
		}
		named := file(r.SHA256, old)
		orphan := file(strings.Repeat("ab", 32), old)
		recent := file(strings.Repeat("cd", 32), time.Now())
		other := file("ef-notes.txt", old)
		if n, err := z.a.SweepRedacted(ctx); err != nil || n != 1 {
			t.Fatalf("swept %d: %v", n, err)
		}
		for p, kept := range map[string]bool{named: true, orphan: false, recent: true, other: true} {
			if _, err := os.Stat(p); (err == nil) != kept {
				t.Errorf("%s: kept %v, want %v", p, err == nil, kept)
			}
		}
		// A server's start sweeps too.
		orphan = file(strings.Repeat("12", 32), old)
		s, err := NewServer(z.a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := os.Stat(orphan); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a server's start left %s: %v", orphan, err)
		}
	})
}
