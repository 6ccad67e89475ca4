package workstation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	cases := map[string]string{
		"../../etc/passwd":         "passwd",
		"..\\..\\windows\\win.ini": "win.ini",
		"/absolute/path.txt":       "path.txt",
		".bashrc":                  "bashrc",
		"..":                       "file",
		"":                         "file",
		"report\x00.pdf":           "report_.pdf",
		"invoice\u202efdp.exe":     "invoice_fdp.exe",
		"Отчёт 2026.docx":          "Отчёт 2026.docx",
	}
	for in, want := range cases {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
	long := SafeName(strings.Repeat("я", 300) + ".pdf")
	if len(long) > 200 || !strings.HasSuffix(long, ".pdf") || !utf8.ValidString(long) {
		t.Fatalf("long name %q", long)
	}
}

func FuzzSafeName(f *testing.F) {
	f.Add("../../etc/passwd")
	f.Add("a/b\\c\x00d")
	f.Fuzz(func(t *testing.T, name string) {
		got := SafeName(name)
		if got == "" || got == "." || got == ".." || strings.ContainsAny(got, "/\\\x00") || strings.HasPrefix(got, ".") {
			t.Fatalf("SafeName(%q) = %q", name, got)
		}
		dir := t.TempDir()
		if filepath.Dir(filepath.Join(dir, got)) != dir {
			t.Fatalf("%q escapes", got)
		}
		if len(got) > 255 {
			t.Fatalf("%q is too long for a file system", got)
		}
	})
}

func TestCreateNewNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("original"), 0o600)
	f, p, err := createNew(dir, "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if filepath.Base(p) != "a (2).txt" {
		t.Fatalf("got %s", p)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "original" {
		t.Fatal("overwritten")
	}
}

func TestFolderAndCleanedNames(t *testing.T) {
	for in, want := range map[string]string{"gutsy dominoes": "gutsy-dominoes", " brave  otter ": "brave-otter", "../x y": "x-y", "одинокий волк": "одинокий-волк"} {
		if got := FolderName(in); got != want {
			t.Errorf("FolderName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"report.pdf": "report.cleaned.pdf", "000002-photo.final.jpg": "000002-photo.final.cleaned.jpg", "README": "README.cleaned"} {
		if got := CleanedName(in); got != want {
			t.Errorf("CleanedName(%q) = %q, want %q", in, got, want)
		}
	}
}
