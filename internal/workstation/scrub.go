package workstation

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrCannotScrub means the file's type has no scrubber here.
var ErrCannotScrub = errors.New("workstation: no scrubber for this type of file: share the original only after checking it by hand")

// Scrub writes a copy of src without its metadata to dst and leaves src as
// it is. Images are decoded and encoded again, which keeps the pixels and
// drops EXIF, XMP, comments and text chunks. PDFs go through mat2 (Debian's
// metadata anonymisation toolkit), which re-renders them.
func Scrub(src, dst string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("workstation: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	kind := http.DetectContentType(head[:n])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	switch kind {
	case "image/jpeg", "image/png", "image/gif":
		img, _, err := image.Decode(f)
		if err != nil {
			return "", fmt.Errorf("workstation: cannot read the image: %w", err)
		}
		var buf bytes.Buffer
		switch kind {
		case "image/jpeg":
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
		case "image/png":
			err = png.Encode(&buf, img)
		default:
			err = gif.Encode(&buf, img, nil)
		}
		if err != nil {
			return "", fmt.Errorf("workstation: %w", err)
		}
		return kind, writeNew(dst, buf.Bytes())
	case "application/pdf":
		return kind, scrubPDF(src, dst)
	}
	return kind, ErrCannotScrub
}

func scrubPDF(src, dst string) error {
	mat2, err := exec.LookPath("mat2")
	if err != nil {
		return errors.New("workstation: scrubbing PDFs needs mat2 (apt-get install mat2)")
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".scrub-*")
	if err != nil {
		return fmt.Errorf("workstation: %w", err)
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "in.pdf")
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(in, b, 0o600); err != nil {
		return err
	}
	if out, err := exec.Command(mat2, in).CombinedOutput(); err != nil {
		return fmt.Errorf("workstation: mat2 could not clean the PDF: %s", bytes.TrimSpace(out))
	}
	clean, err := os.ReadFile(filepath.Join(tmp, "in.cleaned.pdf"))
	if err != nil {
		return fmt.Errorf("workstation: mat2 wrote nothing: %w", err)
	}
	return writeNew(dst, clean)
}

func writeNew(dst string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
