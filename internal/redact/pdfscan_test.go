package redact

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
)

func TestScanPDFFlat(t *testing.T) {
	s := ScanPDF(tinyPDF(plainText, "", ""))
	if len(s.Damaged) > 0 || s.Incremental() || s.EOFs != 1 || s.Xrefs != 1 || s.Root != [2]int{1, 0} || len(s.Objects) != 4 {
		t.Errorf("flat file scanned as %+v", s)
	}
	if len(s.InfoKeys) != 0 {
		t.Errorf("info keys %v in a file without an information dictionary", s.InfoKeys)
	}
}

func TestScanPDFFindsMarkers(t *testing.T) {
	cases := []struct {
		name string
		pdf  []byte
		want func(*Structure) bool
	}{
		{"incremental update", appendUpdate(tinyPDF(plainText, "", "")), (*Structure).Incremental},
		{"info keys", tinyPDF(plainText, "", "/Info 5 0 R ", "<< /Producer (x) /Author (Jane) >>"), func(s *Structure) bool {
			return fmt.Sprint(s.InfoKeys) == "[Author Producer]"
		}},
		{"hex-escaped name", tinyPDF(plainText, "/Open#41ction << /S /J#61vaScript /JS (app.alert(1)) >> ", ""), func(s *Structure) bool {
			return s.Names["OpenAction"] && s.Names["JavaScript"] && s.Names["JS"]
		}},
		{"attachment", tinyPDF(plainText, "/Names << /EmbeddedFiles << /Names [(a.txt) 5 0 R] >> >> ", "", "<< /Type /Filespec /F (a.txt) >>"), func(s *Structure) bool {
			return s.Names["EmbeddedFiles"] && s.Names["Filespec"]
		}},
		{"name in a string is no name", tinyPDF("BT /F1 20 Tf 10 10 Td (/JavaScript) Tj ET", "", ""), func(s *Structure) bool {
			return !s.Names["JavaScript"]
		}},
		{"xref stream with Prev", []byte("%PDF-1.5\n1 0 obj\n<< /Type /XRef /Prev 10 /Root 2 0 R /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n"), func(s *Structure) bool {
			return s.Prev && s.Xrefs == 1 && s.Root == [2]int{2, 0}
		}},
	}
	for _, c := range cases {
		if s := ScanPDF(c.pdf); !c.want(s) {
			t.Errorf("%s: scanned as %+v", c.name, s)
		}
	}
}

func TestScanPDFLooksInsideObjectStreams(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("6 0 << /Type /Annot /Subtype /FileAttachment >>"))
	zw.Close()
	obj := fmt.Sprintf("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", z.Len(), z.Bytes())
	s := ScanPDF(tinyPDF(plainText, "", "", obj))
	if !s.Names["FileAttachment"] || !s.Names["Annot"] {
		t.Errorf("names inside a compressed object stream missed: %v", s.Names)
	}
}

func TestWriteCleanDropsInfo(t *testing.T) {
	in := tinyPDF(plainText, "", "/Info 5 0 R ", "<< /Producer (Tesseract) /CreationDate (D:20261201091800Z) >>")
	out, err := writeClean(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := ScanPDF(out)
	if len(s.Damaged) > 0 || s.Incremental() || s.Info != [2]int{} || len(s.Objects) != 4 || bytes.Contains(out, []byte("CreationDate")) {
		t.Errorf("cleaned file scanned as %+v:\n%s", s, out)
	}
	// Every page's image is replaced, or the copy would show unburned ones.
	if _, err := writeClean(in, []string{"page-1.png"}); err == nil || !strings.Contains(err.Error(), "0 images for 1 pages") {
		t.Errorf("a page image not replaced: err = %v", err)
	}
	if _, err := writeClean(appendUpdate(in), nil); err == nil {
		t.Error("writeClean accepted a file with an incremental update")
	}
}

// FuzzScanPDF: the scanner never panics, and a file with an appended
// incremental update is always flagged, whatever came before it.
func FuzzScanPDF(f *testing.F) {
	f.Add(tinyPDF(plainText, "", ""))
	f.Add(tinyPDF(plainText, "/Open#41ction << /S /JavaScript >> ", "/Info 5 0 R ", "<< /Producer (x) >>"))
	f.Add([]byte("%PDF-1.5\n1 0 obj\n<< /Length 99999 >>\nstream\n(((((\n"))
	f.Add([]byte("<<<<[[[[ /a#zz (\\"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := ScanPDF(b)
		for _, o := range s.Objects {
			if o.Start < 0 || o.End > len(b) || o.Start > o.End {
				t.Fatalf("object span %d..%d outside the %d bytes", o.Start, o.End, len(b))
			}
		}
		if u := ScanPDF(appendUpdate(b)); !u.Incremental() {
			t.Fatalf("appended update not flagged: %+v", u)
		}
	})
}
