package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ole2 is the start of a Word 97 file: the compound-file signature.
var ole2 = append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...)

func TestWord97WithoutLibreOffice(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no soffice, nor anything else
	e := newTest(t, Options{NoOCR: true})
	docs, err := extract(t, e, "old.doc", ole2)
	if err != nil || len(docs) != 1 {
		t.Fatal(err, len(docs))
	}
	if docs[0].Type != TypeOffice97 {
		t.Errorf("type %s", docs[0].Type)
	}
	wantFailure(t, docs[0], KindTool, "LibreOffice (soffice) is not installed")
}

// TestWord97ThroughLibreOffice runs the conversion through a soffice
// stand-in (LibreOffice is not installed on the test machines) that checks
// it is called headless, with its profile and output in the temporary
// folder, and writes what LibreOffice would.
func TestWord97ThroughLibreOffice(t *testing.T) {
	bin := t.TempDir()
	tmp := t.TempDir()
	shim := `#!/bin/sh
if [ "$1" = --version ]; then echo "LibreOffice 7.4.7.2 40(Build:2)"; exit 0; fi
case "$*" in *--headless*) ;; *) echo "not headless" >&2; exit 1;; esac
case "$*" in *"-env:UserInstallation=file://` + tmp + `/ingest-lo-"*) ;; *) echo "profile outside the folder: $*" >&2; exit 1;; esac
while [ $# -gt 1 ]; do
  case "$1" in --outdir) out=$2;; esac
  shift
done
case "$out" in ` + tmp + `/ingest-lo-*) ;; *) echo "output outside the folder" >&2; exit 1;; esac
mkdir -p "$out"
name=$(basename "$1"); name=${name%.*}
printf 'Протокол заседания комиссии\nот 12 марта 1989 года\n\fВторая страница\n' > "$out/$name.txt"
`
	if err := os.WriteFile(filepath.Join(bin, "soffice"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	e := newTest(t, Options{NoOCR: true, TmpDir: tmp})
	d := one(t, e, "old.doc", ole2)
	if len(d.Pages) != 2 || d.Pages[0].Text != "Протокол заседания комиссии\nот 12 марта 1989 года" || d.Pages[1].Text != "Вторая страница" || d.Pages[0].Lang != "ru" {
		t.Errorf("pages %q", allText(d))
	}
	if !hasStep(d, "soffice") || !strings.HasPrefix(d.Steps[0].Version, "7.4") {
		t.Errorf("steps %+v", d.Steps)
	}
}
