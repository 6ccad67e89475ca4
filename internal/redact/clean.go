package redact

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// writeClean rewrites a flat, single-revision PDF (tesseract's) as a new
// file without its information dictionary, the only place tesseract puts
// metadata (its name and the exact time of the run): the objects are
// copied byte for byte, the cross-reference table and trailer are new.
func writeClean(b []byte) ([]byte, error) {
	s := ScanPDF(b)
	if len(s.Damaged) > 0 || s.EOFs != 1 || s.Xrefs != 1 || s.Prev || s.Root == [2]int{} {
		return nil, errors.New("redact: tesseract's PDF is not the flat single-revision file expected")
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offsets := map[int]int{}
	size := 0
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
		out.Write(b[o.Start:o.End])
		out.WriteByte('\n')
		size = max(size, o.Num+1)
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
