package ingest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"confide/internal/ingest/ocr"
	"confide/internal/ingest/tool"
)

func ocrOpts(lang string) ocr.Options        { return ocr.Options{Lang: lang} }
func ocrTimeout(d time.Duration) ocr.Options { return ocr.Options{Timeout: d} }

func TestImagesAreOCRed(t *testing.T) {
	e := newTest(t, Options{})
	for _, name := range []string{"ru.png", "ru.jpg"} {
		d := one(t, e, name, readFixture(t, name))
		if len(d.Pages) != 1 || !d.Pages[0].OCR || !strings.Contains(d.Pages[0].Text, "Протокол") || d.Pages[0].Lang != "ru" {
			t.Errorf("%s: %+v", name, d.Pages)
		}
		if d.Fields["width"] != "897" || !hasStep(d, "tesseract") {
			t.Errorf("%s: fields %v steps %v", name, d.Fields, d.Steps)
		}
	}
	d := one(t, e, "pages.tif", readFixture(t, "pages.tif"))
	if d.Type != TypeTIFF || d.Fields["pages"] != "2" || len(d.Pages) != 2 {
		t.Fatalf("TIFF: %v, %d pages", d.Fields, len(d.Pages))
	}
	if !strings.Contains(d.Pages[0].Text, "комиссии") || d.Pages[0].Lang != "ru" || !strings.Contains(d.Pages[1].Text, "committee") || d.Pages[1].Lang != "en" {
		t.Errorf("TIFF pages %q / %q", d.Pages[0].Text, d.Pages[1].Text)
	}
}

// pngHeader is the start of a PNG claiming w × h pixels, with no pixels.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0
	binary.Write(&b, binary.BigEndian, uint32(13))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// tiffHeader is a little-endian TIFF whose pages claim the given sizes.
func tiffHeader(sizes ...[2]uint32) []byte {
	b := []byte("II*\x00\x08\x00\x00\x00")
	for i, s := range sizes {
		ifd := make([]byte, 2+2*12+4)
		binary.LittleEndian.PutUint16(ifd, 2)
		for j, tag := range []uint16{256, 257} {
			e := ifd[2+12*j:]
			binary.LittleEndian.PutUint16(e, tag)
			binary.LittleEndian.PutUint16(e[2:], 4)
			binary.LittleEndian.PutUint32(e[4:], 1)
			binary.LittleEndian.PutUint32(e[8:], s[j])
		}
		if i < len(sizes)-1 {
			binary.LittleEndian.PutUint32(ifd[26:], uint32(len(b)+len(ifd)))
		}
		b = append(b, ifd...)
	}
	return b
}

func TestImagePixelBombsRefusedFromTheHeader(t *testing.T) {
	e := newTest(t, Options{})
	docs, _ := extract(t, e, "bomb.png", pngHeader(40000, 40000))
	wantFailure(t, docs[0], KindTooLarge, "40000 × 40000 pixels")
	docs, _ = extract(t, e, "bomb.tif", tiffHeader([2]uint32{800, 600}, [2]uint32{40000, 40000}))
	wantFailure(t, docs[0], KindTooLarge, "page 2 of the image is 40000 × 40000")
	loop := tiffHeader([2]uint32{10, 10})
	binary.LittleEndian.PutUint32(loop[8+26:], 8) // the page points back at itself
	docs, _ = extract(t, e, "loop.tif", loop)
	wantFailure(t, docs[0], KindCorrupt, "loop")
	docs, _ = extract(t, e, "cut.png", readFixture(t, "ru.png")[:20])
	wantFailure(t, docs[0], KindCorrupt, "image is damaged")
}

func TestTIFFPages(t *testing.T) {
	b := tiffHeader([2]uint32{100, 200}, [2]uint32{300, 400}, [2]uint32{5, 6})
	got, err := TIFFPages(bytes.NewReader(b), int64(len(b)), 10)
	if err != nil || len(got) != 3 || got[1] != (Dims{300, 400}) {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := TIFFPages(bytes.NewReader(b), int64(len(b)), 2); err == nil {
		t.Error("page limit not kept")
	}
}

// FuzzTIFFPages checks that any bytes give pages or an error, never more
// pages than the limit, and that every header it is built from reads back.
func FuzzTIFFPages(f *testing.F) {
	f.Add(tiffHeader([2]uint32{1, 2}), uint32(3), uint32(4))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00"), uint32(0), uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, w, h uint32) {
		pages, err := TIFFPages(bytes.NewReader(b), int64(len(b)), 5)
		if err == nil && (len(pages) == 0 || len(pages) > 5) {
			t.Fatalf("%d pages", len(pages))
		}
		for _, p := range pages {
			if p.Width <= 0 || p.Height <= 0 {
				t.Fatalf("page %+v", p)
			}
		}
		if w == 0 || h == 0 || w > 1<<31-1 || h > 1<<31-1 {
			return
		}
		hb := tiffHeader([2]uint32{w, h}, [2]uint32{h, w})
		pages, err = TIFFPages(bytes.NewReader(hb), int64(len(hb)), 5)
		if err != nil || len(pages) != 2 || pages[0] != (Dims{int(w), int(h)}) || pages[1] != (Dims{int(h), int(w)}) {
			t.Fatalf("built header read as %v, %v", pages, err)
		}
	})
}

// TestOCRProcessesAreBounded runs many OCR extractions at once through a
// tesseract stand-in that counts how many copies of it run together: never
// more than tool.Slots(), whatever the callers do.
func TestOCRProcessesAreBounded(t *testing.T) {
	real, err := exec.LookPath("tesseract")
	if err != nil {
		t.Skip("no tesseract")
	}
	bin, runs := t.TempDir(), t.TempDir()
	shim := `#!/bin/sh
case "$*" in *stdout*)
  touch "` + runs + `/$$"
  n=$(ls "` + runs + `" | wc -l)
  echo "$n" >> "` + runs + `.peak"
  sleep 0.3
  rm -f "` + runs + `/$$";;
esac
exec "` + real + `" "$@"
`
	if err := os.WriteFile(filepath.Join(bin, "tesseract"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	e := newTest(t, Options{})
	png := readFixture(t, "ru.png")
	var wg sync.WaitGroup
	for range 4 * tool.Slots() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			docs, err := extract(t, e, "scan.png", png)
			if err != nil || docs[0].Err != nil || !strings.Contains(allText(docs[0]), "Протокол") {
				t.Errorf("OCR through the stand-in: %v %+v", err, docs)
			}
		}()
	}
	wg.Wait()
	b, _ := os.ReadFile(runs + ".peak")
	os.Remove(runs + ".peak")
	peak, calls := 0, 0
	for _, l := range strings.Fields(string(b)) {
		n, _ := strconv.Atoi(l)
		peak = max(peak, n)
		calls++
	}
	if calls != 4*tool.Slots() || peak < 1 || peak > tool.Slots() {
		t.Errorf("%d OCR runs, at most %d at once; the bound is %d", calls, peak, tool.Slots())
	}
	t.Logf("%d OCR runs, at most %d at once (bound %d)", calls, peak, tool.Slots())
}

func TestNoOCRStillReadsTheHeader(t *testing.T) {
	e := newTest(t, Options{NoOCR: true})
	d := one(t, e, "ru.png", readFixture(t, "ru.png"))
	if len(d.Pages) != 0 || len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "OCR is off") || d.Fields["height"] != "317" {
		t.Errorf("pages %d warnings %q fields %v", len(d.Pages), d.Warnings, d.Fields)
	}
	docs, _ := extract(t, e, "bomb.png", pngHeader(40000, 40000))
	wantFailure(t, docs[0], KindTooLarge, "40000 × 40000")
}

// TestJPEGWithLargeMetadata puts 100 KiB of APP2 segments (as an ICC
// profile would) before the JPEG's size.
func TestJPEGWithLargeMetadata(t *testing.T) {
	e := newTest(t, Options{})
	jpg := readFixture(t, "ru.jpg")
	var b bytes.Buffer
	b.Write(jpg[:2]) // SOI
	seg := make([]byte, 65533-2)
	for range 2 {
		b.Write([]byte{0xff, 0xe2, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)})
		b.Write(seg)
	}
	b.Write(jpg[2:])
	d := one(t, e, "big-metadata.jpg", b.Bytes())
	if d.Fields["width"] != "897" || !strings.Contains(allText(d), "Протокол") {
		t.Errorf("fields %v text %q", d.Fields, allText(d))
	}
	docs, _ := extract(t, newTest(t, Options{OCR: ocrTimeout(time.Millisecond)}), "pages.tif", readFixture(t, "pages.tif"))
	wantFailure(t, docs[0], KindTimeout, "OCR timed out on the image's 2 pages")
}
