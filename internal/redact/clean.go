package redact

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"image/color"
	"strconv"
)

// writeClean rewrites a flat, single-revision PDF (tesseract's) as a new
// file without its information dictionary, the only place tesseract puts
// metadata (its name and the exact time of the run): the objects are
// copied byte for byte, the cross-reference table and trailer are new;
// except the page images, one per page in page order, which are replaced
// by the PNGs of burned (tesseract read the masked ones, see burnPage),
// each the same size as the image it replaces.
func writeClean(b []byte, burned []string) ([]byte, error) {
	s := ScanPDF(b)
	if len(s.Damaged) > 0 || s.EOFs != 1 || s.Xrefs != 1 || s.Prev || s.Root == [2]int{} {
		return nil, errors.New("redact: tesseract's PDF is not the flat single-revision file expected")
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offsets := map[int]int{}
	size, images := 0, 0
	for _, o := range s.Objects {
		if o.Num == s.Info[0] && s.Info != [2]int{} {
			continue
		}
		if o.Gen != 0 || o.Num <= 0 {
			return nil, fmt.Errorf("redact: unexpected object %d %d in tesseract's PDF", o.Num, o.Gen)
		}
		if _, dup := offsets[o.Num]; dup {
			return nil, fmt.Errorf("redact: object %d twice in tesseract's PDF", o.Num)
		}
		offsets[o.Num] = out.Len()
		if name(o.Dict["Subtype"]) == "Image" {
			if images == len(burned) {
				return nil, fmt.Errorf("redact: tesseract's PDF has more images than the %d pages", len(burned))
			}
			if err := imageObject(&out, o, burned[images]); err != nil {
				return nil, err
			}
			images++
		} else {
			out.Write(b[o.Start:o.End])
		}
		out.WriteByte('\n')
		size = max(size, o.Num+1)
	}
	if images != len(burned) {
		return nil, fmt.Errorf("redact: tesseract's PDF has %d images for %d pages", images, len(burned))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", size)
	for n := 1; n < size; n++ {
		if off, ok := offsets[n]; ok {
			fmt.Fprintf(&out, "%010d 00000 n \n", off)
		} else {
			out.WriteString("0000000000 65535 f \n")
		}
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %d %d R >>\nstartxref\n%s\n%%%%EOF\n", size, s.Root[0], s.Root[1], strconv.Itoa(xref))
	return out.Bytes(), nil
}

// imageObject writes object o anew as the image in the PNG at path: 8-bit
// RGB, Flate-compressed, no predictor. Its size must be the one o states,
// so that the page draws it where tesseract drew the image it replaces.
func imageObject(out *bytes.Buffer, o Object, path string) error {
	img, err := decode(path)
	if err != nil {
		return err
	}
	bd := img.Bounds()
	w, h := bd.Dx(), bd.Dy()
	if fmt.Sprint(o.Dict["Width"]) != strconv.Itoa(w) || fmt.Sprint(o.Dict["Height"]) != strconv.Itoa(h) {
		return fmt.Errorf("redact: tesseract's image %d is %v×%v pixels, the burned page %d×%d", o.Num, o.Dict["Width"], o.Dict["Height"], w, h)
	}
	var data bytes.Buffer
	z := zlib.NewWriter(&data)
	row := make([]byte, 3*w)
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i := 3 * (x - bd.Min.X)
			row[i], row[i+1], row[i+2] = c.R, c.G, c.B
		}
		z.Write(row)
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("redact: %w", err)
	}
	fmt.Fprintf(out, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n", o.Num, w, h, data.Len())
	out.Write(data.Bytes())
	out.WriteString("\nendstream\nendobj")
	return nil
}
