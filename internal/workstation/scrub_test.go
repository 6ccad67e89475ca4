package workstation

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// withEXIF inserts an APP1 Exif segment carrying marker after the JPEG SOI.
func withEXIF(jpg []byte, marker string) []byte {
	payload := append([]byte("Exif\x00\x00"), []byte(marker)...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// withText inserts a tEXt chunk (with a valid CRC) after the PNG's IHDR.
func withText(p []byte, text string) []byte {
	data := append([]byte("Author\x00"), text...)
	typed := append([]byte("tEXt"), data...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, typed...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(typed))
	const ihdrEnd = 8 + 25 // signature, then IHDR: length, type, 13 bytes, CRC
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

func TestScrubImagesAndPDF(t *testing.T) {
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(3, 3, color.RGBA{255, 0, 0, 255})
	var jb bytes.Buffer
	jpeg.Encode(&jb, img, nil)
	orig := filepath.Join(dir, "photo.jpg")
	os.WriteFile(orig, withEXIF(jb.Bytes(), "GPS-SECRET-51.5N"), 0o600)
	dst := filepath.Join(dir, "scrubbed", "photo.jpg")
	kind, err := Scrub(orig, dst)
	if err != nil || kind != "image/jpeg" {
		t.Fatalf("%s %v", kind, err)
	}
	clean, _ := os.ReadFile(dst)
	if bytes.Contains(clean, []byte("GPS-SECRET")) {
		t.Fatal("EXIF survived")
	}
	if _, err := jpeg.Decode(bytes.NewReader(clean)); err != nil {
		t.Fatal("scrubbed JPEG does not decode")
	}
	if b, _ := os.ReadFile(orig); !bytes.Contains(b, []byte("GPS-SECRET")) {
		t.Fatal("the original was changed")
	}

	var pb bytes.Buffer
	png.Encode(&pb, img)
	porig := filepath.Join(dir, "shot.png")
	os.WriteFile(porig, withText(pb.Bytes(), "SECRET-PHOTOGRAPHER"), 0o600)
	if _, err := png.Decode(bytes.NewReader(withText(pb.Bytes(), "x"))); err != nil {
		t.Fatal("the test PNG is malformed:", err)
	}
	if _, err := Scrub(porig, filepath.Join(dir, "scrubbed", "shot.png")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "scrubbed", "shot.png")); bytes.Contains(b, []byte("SECRET-PHOTOGRAPHER")) {
		t.Fatal("PNG text chunk survived")
	}

	pdf := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n4 0 obj<</Author(SECRET-AUTHOR-77)/Title(Leak)>>endobj\n" +
		"trailer<</Root 1 0 R/Info 4 0 R/Size 5>>\n%%EOF\n"
	dorig := filepath.Join(dir, "memo.pdf")
	os.WriteFile(dorig, []byte(pdf), 0o600)
	ddst := filepath.Join(dir, "scrubbed", "memo.pdf")
	if kind, err := Scrub(dorig, ddst); err != nil || kind != "application/pdf" {
		t.Fatalf("pdf: %s %v", kind, err)
	}
	if b, _ := os.ReadFile(ddst); bytes.Contains(b, []byte("SECRET-AUTHOR")) || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatal("PDF metadata survived, or the output is not a PDF")
	}
	bin := filepath.Join(dir, "dump.bin")
	os.WriteFile(bin, []byte("\x00\x01 no scrubber for this"), 0o600)
	if _, err := Scrub(bin, filepath.Join(dir, "scrubbed", "dump.bin")); err != ErrCannotScrub {
		t.Fatalf("unknown type: %v", err)
	}
	// The button is offered exactly where Scrub works.
	for path, want := range map[string]bool{orig: true, porig: true, dorig: true, bin: false, filepath.Join(dir, "missing.jpg"): false} {
		if got := CanScrub(path); got != want {
			t.Errorf("CanScrub(%s) = %v, want %v", filepath.Base(path), got, want)
		}
	}
}

func TestParseMat2List(t *testing.T) {
	out := []byte("[+] Supported formats:\n  - application/pdf (.pdf)\n  - image/jpeg (.jpe, .JPG, .jpeg)\n  - broken line (\nnot - a (.fmt)\n")
	got := parseMat2List(out)
	for _, e := range []string{".pdf", ".jpe", ".jpg", ".jpeg"} {
		if !got[e] {
			t.Errorf("%s not listed: %v", e, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("extra extensions: %v", got)
	}
}
