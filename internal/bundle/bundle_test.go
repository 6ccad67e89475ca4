package bundle

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.bundle")

const (
	goldenText = "Начальнику управления.\n\nПрошу выделить средства.\n"
	goldenEN   = "To the head of the department.\n\nPlease allocate the funds.\n"
	goldenPDF  = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
)

// goldenFiles are the golden bundle's files; the PNG is a file in testdata
// so that a change of Go's PNG encoder cannot move the vector.
func goldenFiles(t testing.TB) map[string][]byte {
	png, err := os.ReadFile("testdata/page-1.png")
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"page-1.png": png, "page-1.txt": []byte(goldenText), "page-1.en.txt": []byte(goldenEN), "document.pdf": []byte(goldenPDF)}
}

func goldenManifest() Manifest {
	return Manifest{
		Format: Format, Slug: "ministry-letter", Title: "Letter to the ministry, 12 March", Language: "ru", Collection: "river-trove",
		Original: Original{Path: "trove/letters/1203.pdf", SHA256: strings.Repeat("ab", 32), Size: 48213},
		Pages: []Page{{N: 1, Image: "page-1.png", Text: "page-1.txt",
			Translation: &Translation{Lang: "en", File: "page-1.en.txt", Machine: true, MadeBy: "machine: apertium 3.8.3 (ru-en)", State: Reviewed, ReviewedDay: "2026-11-30"}}},
		PDF:         &PDF{File: "document.pdf", Redacted: true, Verified: true, Verification: "pdftotext and OCR find none of 1 term; one revision, no metadata"},
		Excerpt:     &Excerpt{Page: 1, Quote: "Прошу выделить средства.", Translation: "Please allocate the funds."},
		ExportedDay: "2026-12-01",
	}
}

func write(t testing.TB, m Manifest, files map[string][]byte, lim *Limits) ([]byte, error) {
	var buf bytes.Buffer
	err := Write(&buf, m, lim, func(f Member) (io.ReadCloser, int64, error) {
		b, ok := files[f.Name]
		if !ok {
			t.Fatalf("no file %s", f.Name)
		}
		return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
	})
	return buf.Bytes(), err
}

func readAll(b []byte, lim *Limits) (Manifest, map[string][]byte, map[string]Sum, error) {
	files := map[string][]byte{}
	m, sums, err := Read(bytes.NewReader(b), lim, func(f Member, r io.Reader) error {
		data, err := io.ReadAll(r)
		files[f.Name] = data
		return err
	})
	return m, files, sums, err
}

// The golden vector pins the bytes: the same manifest and files make the
// same bundle, and its files hash to what sha256sum said of them.
func TestGolden(t *testing.T) {
	got, err := write(t, goldenManifest(), goldenFiles(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/golden.bundle", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/golden.bundle")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the writer no longer makes testdata/golden.bundle (%d bytes, want %d); a format change needs a new version", len(got), len(want))
	}
	m, files, sums, err := readAll(want, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, goldenManifest()) {
		t.Errorf("manifest read back:\n%+v\nwant\n%+v", m, goldenManifest())
	}
	// From `sha256sum` over the files, not from this package.
	for name, sum := range map[string]string{
		"page-1.txt":    "10199884b593782390db8f31819b57bc8eef3cdaa87065a23cb56618c1b49c31",
		"page-1.en.txt": "b5df9a129371c5b40551b68c6e07433968d1c30fc29451285e121943f0c62549",
	} {
		if sums[name].SHA256 != sum {
			t.Errorf("%s: sha256 %s, want %s", name, sums[name].SHA256, sum)
		}
		if sums[name].Size != int64(len(files[name])) {
			t.Errorf("%s: size %d, want %d", name, sums[name].Size, len(files[name]))
		}
	}
	for name, b := range goldenFiles(t) {
		if !bytes.Equal(files[name], b) {
			t.Errorf("%s read back differs", name)
		}
	}
	// The layout: the manifest first, the sums last, no clock time.
	tr := tar.NewReader(bytes.NewReader(want))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.ModTime.Unix() != 0 {
			t.Errorf("%s has a time: %v", h.Name, h.ModTime)
		}
		names = append(names, h.Name)
		if h.Name == SumsName {
			b, _ := io.ReadAll(tr)
			if !strings.Contains(string(b), sums["document.pdf"].SHA256+"  document.pdf\n") {
				t.Errorf("SHA256SUMS is not in sha256sum's format:\n%s", b)
			}
		}
	}
	if w := []string{"bundle.json", "page-1.png", "page-1.txt", "page-1.en.txt", "document.pdf", "SHA256SUMS"}; !reflect.DeepEqual(names, w) {
		t.Errorf("members %v, want %v", names, w)
	}
}

type raw struct {
	name string
	body []byte
	typ  byte
}

// rawTar builds a tar of members as they are, so a test can make what the
// Writer refuses to.
func rawTar(t testing.TB, members ...raw) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		typ := m.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: m.name, Typeflag: typ, Mode: 0o644, Size: int64(len(m.body))}
		if typ != tar.TypeReg {
			h.Size, h.Linkname = 0, "/etc/passwd"
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.body)
	}
	tw.Close()
	return buf.Bytes()
}

func manifestJSON(t testing.TB, edit func(*Manifest)) []byte {
	m := goldenManifest()
	if edit != nil {
		edit(&m)
	}
	b, err := jsonMarshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// members is the golden bundle's files as raw members, with their sums.
func members(t testing.TB, files map[string][]byte) []raw {
	m := goldenManifest()
	var out []raw
	s := map[string]Sum{}
	for _, f := range m.Members() {
		out = append(out, raw{name: f.Name, body: files[f.Name]})
		h := sha256.Sum256(files[f.Name])
		s[f.Name] = Sum{SHA256: hex.EncodeToString(h[:])}
	}
	return append(out, raw{name: SumsName, body: sums(m.Members(), s)})
}

func TestReaderRefuses(t *testing.T) {
	good := goldenFiles(t)
	with := func(name string, b []byte) map[string][]byte {
		f := goldenFiles(t)
		f[name] = b
		return f
	}
	bundleOf := func(manifest []byte, ms []raw) []byte {
		return rawTar(t, append([]raw{{name: ManifestName, body: manifest}}, ms...)...)
	}
	okManifest := manifestJSON(t, nil)
	if _, _, _, err := readAll(bundleOf(okManifest, members(t, good)), nil); err != nil {
		t.Fatalf("the hand-built bundle itself is refused: %v", err)
	}
	golden, _ := os.ReadFile("testdata/golden.bundle")
	// A Latin a for the Cyrillic one: the manifest one byte shorter than its header says.
	tampered := bytes.Replace(golden, []byte("средства"), []byte("средствa"), 1)
	flipped := bytes.Clone(golden)
	i := bytes.LastIndex(flipped, []byte("allocate")) // in page-1.en.txt, not the manifest
	flipped[i] = 'A'
	ms := members(t, good)
	cases := []struct {
		name   string
		bundle []byte
		lim    *Limits
		want   string
	}{
		{"a file changed after export", flipped, nil, "SHA256SUMS does not match"},
		{"a file cut short", tampered, nil, ""},
		{"truncated", golden[:len(golden)/2], nil, "ends early"},
		{"not tar", []byte("PK\x03\x04 a zip file"), nil, "not a bundle"},
		{"empty", nil, nil, "not a bundle"},
		{"no manifest first", rawTar(t, ms...), nil, "not bundle.json"},
		{"unknown field", bundleOf(bytes.Replace(okManifest, []byte(`"slug"`), []byte(`"secret": 1, "slug"`), 1), ms), nil, "unknown field"},
		{"two objects", bundleOf(append(bytes.Clone(okManifest), []byte("{}")...), ms), nil, "more than one"},
		{"bad slug", bundleOf(manifestJSON(t, func(m *Manifest) { m.Slug = "../Etc" }), ms), nil, "slug"},
		{"path in a name", bundleOf(manifestJSON(t, func(m *Manifest) { m.Pages[0].Text = "../../etc/passwd.txt" }), ms), nil, "plain lower-case name"},
		{"absolute name", bundleOf(manifestJSON(t, func(m *Manifest) { m.Pages[0].Text = "/etc/x.txt" }), ms), nil, "plain lower-case name"},
		{"wrong extension", bundleOf(manifestJSON(t, func(m *Manifest) { m.Pages[0].Text = "page-1.html" }), ms), nil, "wrong extension"},
		{"a name twice", bundleOf(manifestJSON(t, func(m *Manifest) { m.Pages[0].Translation.File = "page-1.txt" }), ms), nil, "used twice"},
		{"redacted, not verified", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Verified = false }), ms), nil, "did not pass verification"},
		{"burned, not redacted", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Redacted, m.PDF.Burned = false, &Burned{Terms: 1, Occurrences: 1} }), ms), nil, "pdf.burned"},
		{"burned a negative count", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Burned = &Burned{Terms: 1, Occurrences: -1} }), ms), nil, "pdf.burned"},
		{"burned nothing", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Burned = &Burned{} }), ms), nil, "pdf.burned"},
		{"a redaction ID that is not one", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Redaction = "<b>x</b>" }), ms), nil, "pdf.redaction"},
		{"a redaction ID, not redacted", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Redacted, m.PDF.Redaction = false, "3f9a" }), ms), nil, "pdf.redaction"},
		{"an empty check", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Checks = []string{"OCR", " "} }), ms), nil, "pdf.checks is missing"},
		{"too many checks", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Checks = make([]string, 65) }), ms), nil, "more than 64"},
		{"burned on negative pages", bundleOf(manifestJSON(t, func(m *Manifest) { m.PDF.Burned = &Burned{Terms: 1, Pages: -1} }), ms), nil, "pdf.burned"},
		{"reviewed without a day", bundleOf(manifestJSON(t, func(m *Manifest) { m.Pages[0].Translation.ReviewedDay = "" }), ms), nil, "reviewed_day"},
		{"excerpt of a missing page", bundleOf(manifestJSON(t, func(m *Manifest) { m.Excerpt.Page = 2 }), ms), nil, "does not hold"},
		{"bad hash", bundleOf(manifestJSON(t, func(m *Manifest) { m.Original.SHA256 = "AB" }), ms), nil, "original.sha256"},
		{"control character", bundleOf(manifestJSON(t, func(m *Manifest) { m.Title = "a\x1b[2Jb" }), ms), nil, "control character"},
		{"too many pages", bundleOf(okManifest, ms), &Limits{Pages: 0, Image: 1 << 20, Text: 1 << 20, PDF: 1 << 20, Total: 1 << 20}, "more than 0"},
		{"a file over its limit", bundleOf(okManifest, ms), &Limits{Pages: 9, Image: 10, Text: 1 << 20, PDF: 1 << 20, Total: 1 << 20}, "page-1.png is 86 bytes, over the limit of 10"},
		{"over the total", bundleOf(okManifest, ms), &Limits{Pages: 9, Image: 1 << 20, Text: 1 << 20, PDF: 1 << 20, Total: 100}, "more than 100"},
		{"image not an image", bundleOf(okManifest, members(t, with("page-1.png", []byte("<svg onload=alert(1)>")))), nil, "not a PNG or JPEG"},
		{"PNG named .jpg", bundleOf(manifestJSON(t, func(m *Manifest) { m.Pages[0].Image = "page-1.jpg" }), rename(members(t, good), "page-1.png", "page-1.jpg")), nil, "does not match its extension"},
		{"PDF not a PDF", bundleOf(okManifest, members(t, with("document.pdf", []byte("<html>")))), nil, "not a PDF"},
		{"text not UTF-8", bundleOf(okManifest, members(t, with("page-1.txt", []byte("\xcf\xf0\xee\xf8\xf3 cp1251")))), nil, "not UTF-8"},
		{"text ends in a character", bundleOf(okManifest, members(t, with("page-1.txt", []byte("ok \xd0")))), nil, "ends inside a character"},
		{"a member missing", bundleOf(okManifest, append(slicesDelete(ms, 1), raw{})[:len(ms)-1]), nil, "where the manifest names page-1.txt"},
		{"members reordered", bundleOf(okManifest, []raw{ms[1], ms[0], ms[2], ms[3], ms[4]}), nil, "where the manifest names page-1.png"},
		{"an extra member", bundleOf(okManifest, append(append([]raw{}, ms[:4]...), raw{name: "evil.sh", body: []byte("x")}, ms[4])), nil, "after the last file"},
		{"after the sums", bundleOf(okManifest, append(append([]raw{}, ms...), raw{name: "late.txt", body: []byte("x")})), nil, "after SHA256SUMS"},
		{"no sums", bundleOf(okManifest, ms[:4]), nil, "ends early"},
		{"a symlink", bundleOf(okManifest, append([]raw{{name: "page-1.png", typ: tar.TypeSymlink}}, ms[1:]...)), nil, "not a plain file"},
		{"a folder", rawTar(t, raw{name: "bundle.json/", typ: tar.TypeDir}), nil, "not a plain file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := readAll(c.bundle, c.lim)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to say %q", err, c.want)
			}
		})
	}
}

func rename(ms []raw, from, to string) []raw {
	for i := range ms {
		if ms[i].name == from {
			ms[i].name = to
		}
		ms[i].body = bytes.ReplaceAll(ms[i].body, []byte("  "+from+"\n"), []byte("  "+to+"\n"))
	}
	return ms
}

func slicesDelete(ms []raw, i int) []raw {
	return append(append([]raw{}, ms[:i]...), ms[i+1:]...)
}

// The writer refuses what the reader would, so the archive cannot export
// a bundle the site turns away.
func TestWriterRefuses(t *testing.T) {
	files := goldenFiles(t)
	files["page-1.png"] = []byte("GIF89a......")
	if _, err := write(t, goldenManifest(), files, nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "not a PNG") {
		t.Errorf("a GIF as page image: %v", err)
	}
	m := goldenManifest()
	m.PDF.Verified = false
	if _, err := write(t, m, goldenFiles(t), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unverified redaction: %v", err)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, goldenManifest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add("page-1.txt", 3, strings.NewReader("abc")); err == nil || !strings.Contains(err.Error(), `"page-1.png" is`) {
		t.Errorf("out of order: %v", err)
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "never added") {
		t.Errorf("closed early: %v", err)
	}
	png := goldenFiles(t)["page-1.png"]
	if err := w.Add("page-1.png", int64(len(png))+5, bytes.NewReader(png)); err == nil || !strings.Contains(err.Error(), "not the") {
		t.Errorf("a short file: %v", err)
	}
}

// A text whose multi-byte characters are cut across reads in every
// possible place is still UTF-8.
func TestUTF8AcrossWrites(t *testing.T) {
	text := []byte("Прошу 😀 выделить — ok")
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j++ {
			c := newChecker(Member{Name: "a.txt", Kind: Text}, 1<<20)
			for _, p := range [][]byte{text[:i], text[i:j], text[j:]} {
				if _, err := c.Write(p); err != nil {
					t.Fatalf("cut at %d, %d: %v", i, j, err)
				}
			}
			if _, err := c.finish(); err != nil {
				t.Fatalf("cut at %d, %d: %v", i, j, err)
			}
		}
	}
	bad := append(bytes.Clone(text[:8]), 0xd0, 'x')
	for i := 0; i <= len(bad); i++ {
		c := newChecker(Member{Name: "a.txt", Kind: Text}, 1<<20)
		_, err1 := c.Write(bad[:i])
		_, err2 := c.Write(bad[i:])
		_, err3 := c.finish()
		if err1 == nil && err2 == nil && err3 == nil {
			t.Fatalf("cut at %d: a broken sequence passed", i)
		}
	}
}

// FuzzReader: whatever the bytes, Read ends in a manifest or an error,
// never a panic; and a bundle that reads OK writes back to one that reads
// to the same manifest and the same files.
func FuzzReader(f *testing.F) {
	golden, err := os.ReadFile("testdata/golden.bundle")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add(golden[:700])
	f.Add(rawTar(f, members(f, goldenFiles(f))...))
	m := goldenManifest()
	m.PDF, m.Excerpt, m.Pages[0].Image, m.Pages[0].Translation = nil, nil, "", nil
	small, err := write(f, m, goldenFiles(f), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	lim := &Limits{Pages: 50, Image: 1 << 16, Text: 1 << 16, PDF: 1 << 16, Total: 1 << 18}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, files, sums, err := readAll(b, lim)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("an error that is not ErrInvalid: %v", err)
			}
			return
		}
		again, err := write(t, m, files, lim)
		if err != nil {
			t.Fatalf("a bundle that reads OK does not write back: %v", err)
		}
		m2, files2, sums2, err := readAll(again, lim)
		if err != nil {
			t.Fatalf("the written-back bundle does not read: %v", err)
		}
		if !reflect.DeepEqual(m, m2) || !reflect.DeepEqual(files, files2) || !reflect.DeepEqual(sums, sums2) {
			t.Fatalf("round trip changed the bundle:\n%+v\n%+v", m, m2)
		}
	})
}

// FuzzManifest fuzzes bundle.json and one file inside a well-formed tar,
// past the checksums that stop most of FuzzReader's mutations early: a
// bundle that reads OK writes back to the same manifest and files, and
// anything else is ErrInvalid.
func FuzzManifest(f *testing.F) {
	golden := goldenFiles(f)
	b, _ := jsonMarshal(goldenManifest())
	f.Add(b, []byte(goldenText))
	f.Add([]byte(`{"format":"confide-bundle/1","slug":"a","title":"t","language":"ru","collection":"c","original":{"path":"p","sha256":"`+strings.Repeat("0", 64)+`","size":1},"pages":[{"n":1,"text":"page-1.txt"}],"exported_day":"2026-12-01"}`), []byte("текст"))
	lim := &Limits{Pages: 50, Image: 1 << 16, Text: 1 << 16, PDF: 1 << 16, Total: 1 << 18}
	f.Fuzz(func(t *testing.T, manifest, text []byte) {
		var m Manifest
		files := map[string][]byte{}
		for k, v := range golden {
			files[k] = v
		}
		files["page-1.txt"] = text
		var ms []raw
		// Files only for a manifest that passes, whose names tar can carry.
		if json.Unmarshal(manifest, &m) == nil && m.Validate(*lim) == nil {
			s := map[string]Sum{}
			for _, mem := range m.Members() {
				body := files[mem.Name]
				if body == nil {
					body = text
				}
				h := sha256.Sum256(body)
				s[mem.Name] = Sum{SHA256: hex.EncodeToString(h[:])}
				ms = append(ms, raw{name: mem.Name, body: body})
			}
			ms = append(ms, raw{name: SumsName, body: sums(m.Members(), s)})
		}
		bundle := rawTar(t, append([]raw{{name: ManifestName, body: manifest}}, ms...)...)
		got, read, _, err := readAll(bundle, lim)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("an error that is not ErrInvalid: %v", err)
			}
			return
		}
		again, err := write(t, got, read, lim)
		if err != nil {
			t.Fatalf("a bundle that reads OK does not write back: %v", err)
		}
		m2, read2, _, err := readAll(again, lim)
		if err != nil || !reflect.DeepEqual(got, m2) || !reflect.DeepEqual(read, read2) {
			t.Fatalf("round trip changed the bundle (%v):\n%+v\n%+v", err, got, m2)
		}
	})
}

// A bundle says what its PDF went through in fields; one written before
// them said it in an English sentence, which Upgraded reads into the same
// fields when it has the archive's form, and leaves alone otherwise.
func TestUpgraded(t *testing.T) {
	checks := []string{"structure", "left-over data", "text layer", "OCR"}
	for _, c := range []struct {
		name    string
		in, out PDF
	}{
		{"redacted",
			PDF{Redacted: true, Verified: true, Burned: &Burned{Terms: 1, Occurrences: 2, Boxes: 1},
				Verification: "redacted copy 3f9a0c: 2 occurrences of 1 term and 1 box burned on 5 pages; verified again as published, every check passed: structure, left-over data, text layer, OCR"},
			PDF{Redacted: true, Verified: true, Burned: &Burned{Terms: 1, Occurrences: 2, Boxes: 1, Pages: 5}, Redaction: "3f9a0c", Checks: checks}},
		{"one page, no counts",
			PDF{Redacted: true, Verified: true, Verification: "redacted copy 3f9a0c: 1 box burned on 1 page; verified again as published, every check passed: OCR"},
			PDF{Redacted: true, Verified: true, Redaction: "3f9a0c", Checks: []string{"OCR"}}},
		{"not redacted",
			PDF{Verified: true, Verification: "the original's pages, not redacted; verified again as published, every check passed: structure, left-over data, text layer, OCR"},
			PDF{Verified: true, Checks: checks}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			if got := c.in.Upgraded(); !reflect.DeepEqual(got, c.out) {
				t.Errorf("got %+v (burned %+v), want %+v", got, got.Burned, c.out)
			}
			if !reflect.DeepEqual(in, c.in) || c.in.Burned != nil && c.in.Burned.Pages != 0 {
				t.Error("Upgraded changed the manifest it was called on")
			}
		})
	}
	for _, p := range []PDF{
		// Another sentence (the golden vector's), or a redacted one that
		// claims to be the original: shown as they are.
		*goldenManifest().PDF,
		{Redacted: true, Verified: true, Verification: "the original's pages, not redacted; verified again as published, every check passed: OCR"},
		// A new bundle keeps its own fields.
		{Redacted: true, Verified: true, Redaction: "ab", Checks: []string{"OCR"}, Verification: "redacted copy 3f9a0c: 1 box burned on 1 page; verified again as published, every check passed: mat2"},
	} {
		if got := p.Upgraded(); !reflect.DeepEqual(got, p) {
			t.Errorf("%+v upgraded to %+v", p, got)
		}
	}
	if got := goldenManifest().PDF.Upgraded(); got.Verification != goldenManifest().PDF.Verification || got.Checks != nil {
		t.Errorf("the golden sentence was read as %+v", got)
	}
}
