package cli

import (
	"confide/internal/pdftest"
	"confide/internal/translate/translatetest"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// libreWords is the stand-in's whole Russian→English dictionary; other
// words pass through unchanged.
var libreWords = map[string]string{
	"государственные": "state", "архивы": "archives", "хранят": "keep", "документы": "documents",
	"справка": "certificate", "из": "from", "архива": "archive", "о": "about", "деле": "case", "семь": "seven",
}

// serveLibre is "libre VAR": translatetest's local stand-in for a
// LibreTranslate server (not LibreTranslate itself: the same HTTP
// protocol), translating Russian to English word by word from libreWords,
// its URL in VAR. A paragraph holding СБОЙ gets a 500, so that one page
// fails.
func serveLibre(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: libre VAR")
	}
	srv := translatetest.Libre(libreWords, "СБОЙ")
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// mkPDF is "mkpdf OUT LINE...": a one-page PDF (see pdfOf).
func mkPDF(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mkpdf OUT LINE...")
	}
	ts.Check(os.MkdirAll(filepath.Dir(ts.MkAbs(args[0])), 0o700))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), pdfOf(args[1:]), 0o600))
}

// pdfOf is a one-page PDF whose text layer holds the lines, in 24-point
// Helvetica, for the redaction tests.
func pdfOf(lines []string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 24 Tf 40 320 Td")
	for i, l := range lines {
		if i > 0 {
			content.WriteString(" 0 -48 Td")
		}
		fmt.Fprintf(&content, " (%s) Tj", strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l))
	}
	content.WriteString(" ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 400] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
	}
	return pdftest.File(objs, "")
}
