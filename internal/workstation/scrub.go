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
	"strings"
	"sync"
)

// ErrCannotScrub means the file's type has no scrubber here.
var ErrCannotScrub = errors.New("workstation: no scrubber for this type of file: share the original only after checking it by hand")

// Scrub writes a copy of src without its metadata to dst and leaves src as
// it is. Images are decoded and encoded again, which keeps the pixels and
// drops EXIF, XMP, comments and text chunks. Other types go through mat2
// (Debian's metadata anonymisation toolkit) when its --list names the
// file's extension; anything else is ErrCannotScrub.
func Scrub(src, dst string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("workstation: %w", err)
	}
	defer f.Close()
	kind := sniff(f)
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
	}
	if ext := strings.ToLower(filepath.Ext(src)); mat2Cleans(ext) {
		return kind, scrubMat2(src, dst, ext)
	}
	return kind, ErrCannotScrub
}

// CanScrub reports whether Scrub has a way to clean the file at path, so
// the button is offered only where it works.
func CanScrub(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	switch sniff(f) {
	case "image/jpeg", "image/png", "image/gif":
		return true
	}
	return mat2Cleans(strings.ToLower(filepath.Ext(path)))
}

func sniff(r io.Reader) string {
	head := make([]byte, 512)
	n, _ := io.ReadFull(r, head)
	return http.DetectContentType(head[:n])
}

var (
	mat2Once sync.Once
	mat2Exts map[string]bool
)

// mat2Cleans reports whether the installed mat2 lists ext (".pdf") among
// the formats it cleans. Without mat2 nothing is listed.
func mat2Cleans(ext string) bool {
	mat2Once.Do(func() {
		mat2Exts = map[string]bool{}
		mat2, err := exec.LookPath("mat2")
		if err != nil {
			return
		}
		out, err := exec.Command(mat2, "--list").Output()
		if err != nil {
			return
		}
		mat2Exts = parseMat2List(out)
	})
	return ext != "" && mat2Exts[ext]
}

// parseMat2List reads the extensions from mat2 --list, whose lines look
// like "  - application/pdf (.pdf)" or "  - image/jpeg (.jpe, .jpg)".
func parseMat2List(out []byte) map[string]bool {
	exts := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		_, list, ok := strings.Cut(line, "(")
		if !ok || !strings.HasPrefix(strings.TrimSpace(line), "- ") {
			continue
		}
		list, _, _ = strings.Cut(list, ")")
		for _, e := range strings.Split(list, ",") {
			if e = strings.ToLower(strings.TrimSpace(e)); strings.HasPrefix(e, ".") && len(e) > 1 {
				exts[e] = true
			}
		}
	}
	return exts
}

func scrubMat2(src, dst, ext string) error {
	mat2, err := exec.LookPath("mat2")
	if err != nil {
		return errors.New("workstation: cleaning this type needs mat2 (apt-get install mat2)")
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".scrub-*")
	if err != nil {
		return fmt.Errorf("workstation: %w", err)
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "in"+ext)
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(in, b, 0o600); err != nil {
		return err
	}
	if out, err := exec.Command(mat2, in).CombinedOutput(); err != nil {
		return fmt.Errorf("workstation: mat2 could not clean the file: %s", bytes.TrimSpace(out))
	}
	clean, err := os.ReadFile(filepath.Join(tmp, "in.cleaned"+ext))
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
