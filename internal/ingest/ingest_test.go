package ingest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewChecksOptions(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("no temporary folder accepted")
	}
	if _, err := New(Options{TmpDir: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("a missing folder accepted")
	}
	if _, err := New(Options{TmpDir: t.TempDir(), OCR: ocrOpts("klingon")}); err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("an OCR language that is not installed: %v", err)
	}
}

func TestCallerErrorAndCancelStopTheWalk(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	z := makeZip(t, member{name: "a.txt", body: []byte("a"), utf8: true}, member{name: "b.txt", body: []byte("b"), utf8: true}, member{name: "c.txt", body: []byte("c"), utf8: true})
	stop := errors.New("enough")
	n := 0
	err := e.Extract(context.Background(), Input{Name: "x.zip", R: bytes.NewReader(z), Size: -1}, func(d *Document) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Errorf("caller's error: %v after %d documents", err, n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = e.Extract(ctx, Input{Name: "x.zip", R: bytes.NewReader(z), Size: -1}, func(d *Document) error {
		n++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("cancelled: %v after %d documents", err, n)
	}

	// The iterator form stops when the loop does.
	n = 0
	for d, err := range e.All(context.Background(), Input{Name: "x.zip", R: bytes.NewReader(z), Size: -1}) {
		if err != nil || d == nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("All gave %d documents before the break", n)
	}
}

func TestExtractFileReadsInPlace(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	path := filepath.Join(t.TempDir(), "letters.zip")
	os.WriteFile(path, makeZip(t, member{name: "a.txt", body: []byte(letter), utf8: true}), 0o600)
	var docs []*Document
	if err := e.ExtractFile(context.Background(), path, func(d *Document) error { docs = append(docs, d); return nil }); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if len(docs) != 2 || docs[0].Path != "letters.zip" || docs[0].Size != fi.Size() || docs[1].Path != "letters.zip/a.txt" {
		t.Errorf("documents %v", keys(byPath(docs)))
	}
}

func TestRemoveLeftovers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ingest-123"), []byte("plaintext left by a crash"), 0o600)
	os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("the caller's"), 0o600)
	if err := RemoveLeftovers(dir); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 1 || left[0].Name() != "keep.txt" {
		t.Errorf("left %v", left)
	}
}

func TestUnknownBinaryIsAFailureNotACrash(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	docs, err := extract(t, e, "blob.bin", []byte{0, 1, 2, 3, 0xff, 0xfe})
	if err != nil || len(docs) != 1 {
		t.Fatal(err)
	}
	wantFailure(t, docs[0], KindUnsupported, "not read")
	docs, _ = extract(t, e, "empty", nil)
	if docs[0].Err != nil && docs[0].Err.Kind != KindUnsupported {
		t.Errorf("empty file: %v", docs[0].Err)
	}
}

func TestSHA256OfEveryDocument(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	inner := makeTar(t, false, &tar.Header{Name: "in-tar.txt", Typeflag: tar.TypeReg}, &tar.Header{Name: strings.Repeat("long/", 30000) + "x", Typeflag: tar.TypeReg})
	z := makeZip(t, member{name: "a.txt", body: []byte(letter), utf8: true}, member{name: "b.tar", body: inner, utf8: true})
	docs, err := extract(t, e, "x.zip", z)
	if err != nil {
		t.Fatal(err)
	}
	got := byPath(docs)
	if got["x.zip"].SHA256 != sum(z) || got["x.zip/a.txt"].SHA256 != sum([]byte(letter)) || got["x.zip/b.tar/in-tar.txt"].SHA256 != sum([]byte("in-tar.txt")) {
		t.Errorf("hashes %q %q %q", got["x.zip"].SHA256, got["x.zip/a.txt"].SHA256, got["x.zip/b.tar/in-tar.txt"].SHA256)
	}
	// A tar streamed to its members is yielded before it is read whole
	// (this one is larger than what is peeked at to sniff it).
	if h := got["x.zip/b.tar"].SHA256; h != "" {
		t.Errorf("streamed tar has hash %q", h)
	}
	// A file on disk is hashed in place, even a streamed container.
	path := filepath.Join(t.TempDir(), "b.tar")
	os.WriteFile(path, inner, 0o600)
	var root *Document
	e.ExtractFile(context.Background(), path, func(d *Document) error {
		if root == nil {
			root = d
		}
		return nil
	})
	if root.SHA256 != sum(inner) {
		t.Errorf("tar file hash %q", root.SHA256)
	}
	// So is a small one read whole by its sniffing, before its end was
	// seen (a PDF, which pdftotext reads from its path).
	pdfPath := filepath.Join("testdata", "ru-text.pdf") // relative: the tool runs elsewhere
	pdf, err := os.ReadFile(pdfPath)
	if err != nil {
		t.Fatal(err)
	}
	root = nil
	if err := e.ExtractFile(context.Background(), pdfPath, func(d *Document) error {
		if root == nil {
			root = d
		}
		return nil
	}); err != nil || root == nil || root.SHA256 != sum(pdf) || len(root.Pages) == 0 {
		t.Errorf("PDF file: %v %+v", err, root)
	}
	// A text cut at the limit is still hashed whole.
	small := newTest(t, Options{NoOCR: true, Limits: Limits{MaxText: 10}})
	if d := one(t, small, "long.txt", []byte(letter)); d.SHA256 != sum([]byte(letter)) || len(allText(d)) > 10 {
		t.Errorf("cut text: hash %q text %q", d.SHA256, allText(d))
	}
}
