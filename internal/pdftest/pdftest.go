// Package pdftest writes small PDF files for tests: the caller gives the
// objects, and the cross-reference table and trailer are computed, so the
// file is valid unless the objects themselves are not. It is used only by
// tests; nothing in the product imports it.
package pdftest

import (
	"bytes"
	"fmt"
)

// File returns a PDF 1.4 file of objs, numbered from 1 (object 1 must be
// the catalog), whose trailer also holds trailerExtra (e.g. "/Info 5 0 R").
func File(objs []string, trailerExtra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	if trailerExtra != "" {
		trailerExtra += " "
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailerExtra, x)
	return b.Bytes()
}
