package ingest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"confide/internal/ingest/charset"
)

type member struct {
	name string // as stored: raw bytes for legacy names
	body []byte
	utf8 bool // set the UTF-8 flag
	mode os.FileMode
}

func makeZip(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		h.NonUTF8 = !m.utf8
		if m.mode != 0 {
			h.SetMode(m.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func enc(t *testing.T, cs charset.Charset, s string) string {
	b, err := cs.Encoding().NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestZipMembersAndLegacyNames(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	inner := makeZip(t, member{name: "deep/заметка.txt", body: []byte("вложенный текст"), utf8: true})
	for _, cs := range []charset.Charset{charset.CP866, charset.KOI8R} {
		z := makeZip(t,
			member{name: enc(t, cs, "1989/письмо председателю.txt"), body: []byte(letter)},
			member{name: enc(t, cs, "1989/протокол заседания.txt"), body: []byte("Протокол")},
			member{name: "1989/", body: nil},
			// In CP866 these bytes happen to be valid UTF-8 too.
			member{name: enc(t, cs, "0ьмо.txt"), body: []byte("x")},
			member{name: "inner.zip", body: inner},
			member{name: "../../escape.txt", body: []byte("climbing name")},
		)
		docs, err := extract(t, e, "letters.zip", z)
		if err != nil {
			t.Fatal(err)
		}
		got := byPath(docs)
		root := got["letters.zip"]
		if root == nil || root.Type != TypeZip || root.Fields["name charset"] != string(cs) || root.Fields["members"] != "6" || !hasStep(root, "confide ingest/zip") {
			t.Fatalf("%s: root %+v", cs, root)
		}
		if d := got["letters.zip/1989/письмо председателю.txt"]; d == nil || allText(d) != letter || d.Parent != "letters.zip" || d.Depth != 1 {
			t.Errorf("%s: paths %v", cs, keys(got))
		} else if len(d.Steps) != 2 || d.Steps[0].String() != "confide ingest/zip v1" || d.Steps[0].Action != "extracted from letters.zip" || d.Steps[1].String() != "confide ingest/text v1" {
			t.Errorf("%s: chain of custody %+v", cs, d.Steps)
		}
		if d := got["letters.zip/inner.zip/deep/заметка.txt"]; d == nil || allText(d) != "вложенный текст" || d.Depth != 2 {
			t.Errorf("%s: nested zip: %v", cs, keys(got))
		}
		if cs == charset.CP866 && got["letters.zip/0ьмо.txt"] == nil {
			t.Errorf("%s: a name that is also valid UTF-8: %v", cs, keys(got))
		}
		if d := got["letters.zip/escape.txt"]; d == nil {
			t.Errorf("%s: climbing name not cleaned: %v", cs, keys(got))
		}
		if len(docs) != 7 || docs[0] != root {
			t.Errorf("%s: %d documents, root first? %v", cs, len(docs), keys(got))
		}
	}
}

func keys(m map[string]*Document) []string {
	var k []string
	for p := range m {
		k = append(k, p)
	}
	return k
}

func TestZipBombTruncatedAndLimits(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	zeros := make([]byte, 64<<20)
	z := makeZip(t, member{name: "bomb.txt", body: zeros, utf8: true}, member{name: "fine.txt", body: []byte("still read"), utf8: true})
	docs, err := extract(t, e, "bomb.zip", z)
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(docs)
	wantFailure(t, got["bomb.zip/bomb.txt"], KindBomb, "zip bomb")
	if d := got["bomb.zip/fine.txt"]; d == nil || allText(d) != "still read" {
		t.Error("the member after the bomb was lost")
	}

	// A header that lies about the size is caught while reading.
	lying := bytes.Clone(z)
	lie(t, lying, "bomb.txt", 1000)
	docs, _ = extract(t, e, "liar.zip", lying)
	if d := byPath(docs)["liar.zip/bomb.txt"]; d == nil || d.Err == nil || d.Size > 2<<20 {
		t.Errorf("lying member read: %+v", d)
	}

	docs, err = extract(t, e, "cut.zip", z[:len(z)/2])
	if err != nil || len(docs) != 1 {
		t.Fatal(err, len(docs))
	}
	wantFailure(t, docs[0], KindCorrupt, "not a zip: truncated")

	small := newTest(t, Options{NoOCR: true, Limits: Limits{MaxMembers: 3}})
	many := makeZip(t, member{name: "1", utf8: true}, member{name: "2", utf8: true}, member{name: "3", utf8: true}, member{name: "4", utf8: true})
	docs, err = extract(t, small, "many.zip", many)
	var f *Failure
	if !errors.As(err, &f) || f.Kind != KindTooMany || len(docs) != 4 {
		t.Errorf("member limit: %v, %d documents", err, len(docs))
	}

	deep := []byte("bottom")
	for i := range 4 {
		deep = makeZip(t, member{name: fmt.Sprintf("level%d.zip", i), body: deep, utf8: true})
	}
	shallow := newTest(t, Options{NoOCR: true, Limits: Limits{MaxDepth: 2}})
	docs, err = extract(t, shallow, "deep.zip", deep)
	if err != nil {
		t.Fatal(err)
	}
	last := docs[len(docs)-1]
	wantFailure(t, last, KindTooDeep, "nested more than 2")

	perFile := newTest(t, Options{NoOCR: true, Limits: Limits{MaxFile: 1000, MaxRatio: 1 << 20}})
	tg := makeTar(t, false, &tar.Header{Name: strings.Repeat("x", 3000), Typeflag: tar.TypeReg}, &tar.Header{Name: "small", Typeflag: tar.TypeReg})
	docs, err = extract(t, perFile, "files.tar", tg)
	if err != nil {
		t.Fatal(err)
	}
	got = byPath(docs)
	wantFailure(t, got["files.tar/"+strings.Repeat("x", 3000)], KindTooLarge, "past the limit of 1000 bytes")
	if d := got["files.tar/small"]; d == nil || allText(d) != "small" {
		t.Errorf("the small file after the large one: %v", keys(got))
	}
	// A stream of unknown size is cut where it passes the limit.
	gz := gzipOf(t, bytes.Repeat([]byte("текст "), 1000))
	docs, _ = extract(t, perFile, "big.txt.gz", gz)
	wantFailure(t, docs[len(docs)-1], KindTooLarge, "expands past 1000 bytes")

	total := newTest(t, Options{NoOCR: true, Limits: Limits{MaxTotal: 1 << 20, MaxRatio: 1 << 20}})
	big := makeZip(t, member{name: "a.txt", body: bytes.Repeat([]byte("абв "), 200<<10), utf8: true}, member{name: "b.txt", body: bytes.Repeat([]byte("где "), 200<<10), utf8: true})
	_, err = extract(t, total, "big.zip", big)
	if !errors.As(err, &f) || f.Kind != KindTooLarge || !strings.Contains(f.Reason, "in all") {
		t.Errorf("tree limit: %v", err)
	}
}

func gzipOf(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// lie rewrites a member's uncompressed size in both of its headers.
func lie(t *testing.T, z []byte, name string, size uint32) {
	t.Helper()
	n := 0
	for _, sig := range []struct {
		magic      string
		sizeOff    int
		nameLenOff int
		nameOff    int
	}{{"PK\x03\x04", 22, 26, 30}, {"PK\x01\x02", 24, 28, 46}} {
		for i := 0; i+sig.nameOff < len(z); i++ {
			if string(z[i:i+4]) != sig.magic {
				continue
			}
			l := int(z[i+sig.nameLenOff]) | int(z[i+sig.nameLenOff+1])<<8
			if string(z[i+sig.nameOff:i+sig.nameOff+l]) == name {
				z[i+sig.sizeOff], z[i+sig.sizeOff+1], z[i+sig.sizeOff+2], z[i+sig.sizeOff+3] = byte(size), byte(size>>8), byte(size>>16), byte(size>>24)
				n++
			}
		}
	}
	if n != 2 {
		t.Fatalf("patched %d headers", n)
	}
}

func makeTar(t *testing.T, gz bool, hs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, h := range hs {
		body := h.Name
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			io.WriteString(tw, body)
		}
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func TestTarLinksAreNeverFollowed(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	tg := makeTar(t, true,
		&tar.Header{Name: "docs/", Typeflag: tar.TypeDir, Mode: 0o755},
		&tar.Header{Name: "docs/отчёт.txt", Typeflag: tar.TypeReg},
		&tar.Header{Name: "docs/passwd", Typeflag: tar.TypeSymlink, Linkname: "../../../etc/passwd"},
		&tar.Header{Name: "docs/same", Typeflag: tar.TypeSymlink, Linkname: "отчёт.txt"},
		&tar.Header{Name: "docs/hard", Typeflag: tar.TypeLink, Linkname: "/etc/shadow"},
		&tar.Header{Name: "/abs/../../x.txt", Typeflag: tar.TypeReg},
	)
	docs, err := extract(t, e, "box.tar.gz", tg)
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(docs)
	if d := got["box.tar.gz"]; d == nil || d.Type != TypeGzip {
		t.Fatalf("paths %v", keys(got))
	}
	if d := got["box.tar.gz/box.tar"]; d == nil || d.Type != TypeTar {
		t.Fatalf("paths %v", keys(got))
	}
	if d := got["box.tar.gz/box.tar/docs/отчёт.txt"]; d == nil || allText(d) != "docs/отчёт.txt" {
		t.Errorf("paths %v", keys(got))
	}
	wantFailure(t, got["box.tar.gz/box.tar/docs/passwd"], KindLink, "pointing outside the tar")
	wantFailure(t, got["box.tar.gz/box.tar/docs/same"], KindLink, "not followed")
	wantFailure(t, got["box.tar.gz/box.tar/docs/hard"], KindLink, "pointing outside")
	if d := got["box.tar.gz/box.tar/abs/x.txt"]; d == nil {
		t.Errorf("absolute climbing name not cleaned: %v", keys(got))
	}
	for _, d := range docs {
		if strings.Contains(allText(d), "root:") {
			t.Errorf("%s holds /etc/passwd", d.Path)
		}
	}

	docs, _ = extract(t, e, "cut.tar.gz", tg[:len(tg)-40])
	if last := docs[len(docs)-1]; last.Err == nil || last.Err.Kind != KindCorrupt {
		t.Errorf("cut gzip: last document %+v", last)
	}
}

// TestManyMembersInBoundedMemory streams a 100,000-member tar that never
// exists whole and checks the heap stays small while every member is
// yielded in order.
func TestManyMembersInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100,000 members")
	}
	e := newTest(t, Options{NoOCR: true})
	const n = 100_000
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		for i := range n {
			body := fmt.Sprintf("письмо номер %d", i)
			tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("m/%06d.txt", i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
			io.WriteString(tw, body)
		}
		tw.Close()
		pw.Close()
	}()
	count := 0
	var peak uint64
	var ms runtime.MemStats
	err := e.Extract(context.Background(), Input{Name: "big.tar", R: pr, Size: -1}, func(d *Document) error {
		if d.Depth == 1 {
			if want := fmt.Sprintf("big.tar/m/%06d.txt", count); d.Path != want || allText(d) != fmt.Sprintf("письмо номер %d", count) {
				return fmt.Errorf("member %d is %s %q", count, d.Path, allText(d))
			}
			count++
			if count%10_000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("%d members yielded", count)
	}
	if peak > 32<<20 {
		t.Errorf("heap reached %d MiB for a streamed archive", peak>>20)
	}
	t.Logf("100,000 members, heap at most %d MiB", peak>>20)
}

func TestSevenZip(t *testing.T) {
	if _, err := exec.LookPath("7z"); err != nil {
		t.Skip("7z (p7zip-full) is not installed")
	}
	e := newTest(t, Options{NoOCR: true})
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "папка"), 0o755)
	os.WriteFile(filepath.Join(dir, "папка", "письмо.txt"), []byte(letter), 0o644)
	os.WriteFile(filepath.Join(dir, "@list"), []byte("a name 7z could take for a list file"), 0o644)
	os.WriteFile(filepath.Join(dir, "-x"), []byte("a name 7z could take for an option"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(dir, "папка", "link"))
	run := func(args ...string) {
		cmd := exec.Command("7z", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("7z %v: %v\n%s", args, err, out)
		}
	}
	run("a", "-bd", "-snl", "plain.7z", "--", "папка", "@list", "-x")
	run("a", "-bd", "-pSecret", "-mhe=on", "locked.7z", "папка")
	b, _ := os.ReadFile(filepath.Join(dir, "plain.7z"))
	docs, err := extract(t, e, "plain.7z", b)
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(docs)
	if d := got["plain.7z"]; d == nil || d.Type != Type7z || !hasStep(d, "7z") {
		t.Fatalf("paths %v", keys(got))
	}
	if d := got["plain.7z/папка/письмо.txt"]; d == nil || allText(d) != letter {
		t.Errorf("paths %v", keys(got))
	}
	wantFailure(t, got["plain.7z/папка/link"], KindLink, "not followed")
	if d := got["plain.7z/@list"]; d == nil || allText(d) != "a name 7z could take for a list file" {
		t.Errorf("@list: %+v", d)
	}
	if d := got["plain.7z/-x"]; d == nil || allText(d) != "a name 7z could take for an option" {
		t.Errorf("-x: %+v", d)
	}

	b, _ = os.ReadFile(filepath.Join(dir, "locked.7z"))
	docs, err = extract(t, e, "locked.7z", b)
	if err != nil || len(docs) != 1 {
		t.Fatal(err, len(docs))
	}
	wantFailure(t, docs[0], KindEncrypted, "encrypted")
}

// FuzzDecodeName checks that any raw member name becomes a clean relative
// UTF-8 path, that UTF-8 names keep their letters, and that Cyrillic names
// in CP866 or KOI8-R decode back.
func FuzzDecodeName(f *testing.F) {
	f.Add("../../etc/passwd", "письмо")
	f.Add("a\\b\\..\\c", "протокол")
	f.Add("\x8f\xe0\xae\xe2\xae\xaa\xae\xab.txt", "")
	f.Fuzz(func(t *testing.T, raw, name string) {
		for _, cs := range []charset.Charset{charset.CP866, charset.KOI8R, charset.Windows1251, charset.UTF8} {
			got := DecodeName(raw, cs)
			if !utf8.ValidString(got) || got == "" || strings.HasPrefix(got, "/") {
				t.Fatalf("DecodeName(%q, %s) = %q", raw, cs, got)
			}
			for _, part := range strings.Split(got, "/") {
				if part == "" || part == "." || part == ".." {
					t.Fatalf("DecodeName(%q, %s) = %q climbs or is empty", raw, cs, got)
				}
			}
		}
		name = strings.Map(func(r rune) rune {
			if r >= 'а' && r <= 'я' || r >= 'А' && r <= 'Я' || r >= '0' && r <= '9' || r == '_' {
				return r
			}
			return -1
		}, name)
		if name == "" {
			return
		}
		if got := DecodeName(name, charset.UTF8); got != name {
			t.Fatalf("UTF-8 name %q became %q", name, got)
		}
		for _, cs := range []charset.Charset{charset.CP866, charset.KOI8R} {
			b, _ := cs.Encoding().NewEncoder().Bytes([]byte(name))
			if got := DecodeName("dir/"+string(b), cs); got != "dir/"+name {
				t.Fatalf("%s name decoded to %q, want %q", cs, got, name)
			}
		}
	})
}

// FuzzSevenList checks the reader of `7z l -slt` listings: any text gives
// at most the allowed entries, and a listing written from entries reads
// back as those entries.
func FuzzSevenList(f *testing.F) {
	f.Add("Path = a\nSize = 3\nAttributes = A -rw-r--r--\n\nPath = d\nSize = 0\nAttributes = D drwxr-xr-x\n", "папка/письмо.txt", int64(12), true)
	f.Fuzz(func(t *testing.T, listing, name string, size int64, enc bool) {
		got, err := parseSevenList(strings.NewReader(listing), 3)
		if err == nil && len(got) > 3 {
			t.Fatalf("%d entries past the limit", len(got))
		}
		if strings.ContainsAny(name, "\r\n") || name == "" || size < 0 || strings.TrimSpace(name) != name {
			return
		}
		flag := "-"
		if enc {
			flag = "+"
		}
		list := fmt.Sprintf("Path = %s\nSize = %d\nPacked Size = 1\nAttributes = A -rw-r--r--\nEncrypted = %s\n\nPath = dir\nSize = 0\nAttributes = D drwxr-xr-x\nEncrypted = -\n\nPath = link\nSize = 4\nAttributes = A lrwxrwxrwx\n", name, size, flag)
		got, err = parseSevenList(strings.NewReader(list), 10)
		want := []sevenEntry{{path: name, size: size, encrypted: enc}, {path: "dir", size: 0, dir: true}, {path: "link", size: 4, link: true}}
		if err != nil || len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("read %+v (%v), want %+v", got, err, want)
		}
	})
}
