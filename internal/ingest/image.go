package ingest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of JPEG headers
	_ "image/png"  // DecodeConfig of PNG headers
	"io"

	"confide/internal/ingest/ocr"
)

// image OCRs a PNG, JPEG or (multi-page) TIFF, after checking from the
// header alone that no page has more pixels than the limit.
func (w *walk) image(d *Document, src *source) error {
	var dims []Dims
	var path string
	switch d.Type {
	case TypeTIFF:
		f, size, err := w.file(src)
		if err != nil {
			return err
		}
		dims, err = TIFFPages(f, size, w.lim.MaxPages)
		if err != nil {
			return fail(KindCorrupt, d.Path, err, "the TIFF image is damaged: %s", err)
		}
		path = f.Name()
	default:
		// Both formats put the size first: PNG at once, JPEG after its
		// metadata segments, which mostly fit in the 64 KiB looked at.
		head, _ := src.r.(*bufio.Reader).Peek(64 << 10)
		cfg, _, err := image.DecodeConfig(bytes.NewReader(head))
		if err != nil && len(head) == 64<<10 {
			// Larger metadata (an ICC profile, a big thumbnail): read the
			// header from a copy on disk, which tesseract then reads too.
			f, _, ferr := w.file(src)
			if ferr != nil {
				return ferr
			}
			cfg, _, err = image.DecodeConfig(bufio.NewReader(f))
			path = f.Name()
		}
		if err != nil {
			return fail(KindCorrupt, d.Path, err, "the image is damaged: its size cannot be read")
		}
		dims = []Dims{{cfg.Width, cfg.Height}}
	}
	for i, dm := range dims {
		if px := int64(dm.Width) * int64(dm.Height); px > w.lim.MaxPixels {
			return fail(KindTooLarge, d.Path, nil, "page %d of the image is %d × %d pixels, past the limit of %d million pixels", i+1, dm.Width, dm.Height, w.lim.MaxPixels/1_000_000)
		}
	}
	d.Fields["width"] = fmt.Sprint(dims[0].Width)
	d.Fields["height"] = fmt.Sprint(dims[0].Height)
	d.Fields["pages"] = fmt.Sprint(len(dims))
	if w.o.NoOCR {
		d.warn("OCR is off, so the image's text is not read")
		return nil
	}
	img := ocr.Image{Path: path, R: src.r, Pages: len(dims)}
	res, err := ocr.Recognize(w.ctx, w.o.OCR, img)
	if err != nil {
		if w.ctx.Err() != nil {
			return w.ctx.Err()
		}
		if len(dims) > 1 && errors.Is(err, ocr.ErrTimeout) {
			return fail(KindTimeout, d.Path, err, "OCR timed out on the image's %d pages", len(dims))
		}
		return ocrFailure(d.Path, 1, err)
	}
	d.Steps = append(d.Steps, ocrStep(w.o.OCR, fmt.Sprintf("OCR of %d pages", len(dims))))
	for _, p := range res {
		d.Pages = append(d.Pages, Page{Number: p.Number, Text: p.Text, OCR: true, Words: p.Words, Confidence: p.Confidence, LowConfidence: p.Low})
	}
	return nil
}

// Dims are an image page's width and height in pixels.
type Dims struct{ Width, Height int }

// TIFFPages reads the width and height of every page (IFD) of a TIFF
// without decoding any pixels. It refuses more than maxPages pages, IFD
// loops, and offsets outside the file.
func TIFFPages(r io.ReaderAt, size int64, maxPages int) ([]Dims, error) {
	var hdr [8]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, errors.New("cut short in its header")
	}
	var bo binary.ByteOrder
	switch string(hdr[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return nil, errors.New("not a TIFF header")
	}
	off := int64(bo.Uint32(hdr[4:]))
	seen := map[int64]bool{}
	var pages []Dims
	for off != 0 {
		if seen[off] {
			return nil, errors.New("its pages loop")
		}
		seen[off] = true
		if len(pages) >= maxPages {
			return nil, fmt.Errorf("more than %d pages", maxPages)
		}
		if off < 8 || off+2 > size {
			return nil, errors.New("a page offset points outside the file")
		}
		var cnt [2]byte
		if _, err := r.ReadAt(cnt[:], off); err != nil {
			return nil, errors.New("cut short in a page directory")
		}
		n := int64(bo.Uint16(cnt[:]))
		if off+2+12*n+4 > size {
			return nil, errors.New("cut short in a page directory")
		}
		entries := make([]byte, 12*n+4)
		if _, err := r.ReadAt(entries, off+2); err != nil {
			return nil, errors.New("cut short in a page directory")
		}
		var dm Dims
		for i := int64(0); i < n; i++ {
			e := entries[12*i : 12*i+12]
			tag, typ := bo.Uint16(e), bo.Uint16(e[2:])
			var v uint32
			switch typ {
			case 3: // SHORT
				v = uint32(bo.Uint16(e[8:]))
			case 4: // LONG
				v = bo.Uint32(e[8:])
			default:
				continue
			}
			switch tag {
			case 256:
				dm.Width = int(v)
			case 257:
				dm.Height = int(v)
			}
		}
		if dm.Width <= 0 || dm.Height <= 0 {
			return nil, fmt.Errorf("page %d has no size", len(pages)+1)
		}
		pages = append(pages, dm)
		off = int64(bo.Uint32(entries[12*n:]))
	}
	if len(pages) == 0 {
		return nil, errors.New("no pages")
	}
	return pages, nil
}
