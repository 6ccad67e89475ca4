package archive

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"confide/internal/web"
)

// ingestFormats are the formats ingest's source gives the function named
// fn (fail's fourth argument, or a Document's warn's first), read from its
// source as xgettext reads a program's messages, each with its position.
func ingestFormats(t *testing.T, fn string, arg int) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../ingest/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	formats := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch f := call.Fun.(type) {
			case *ast.Ident:
				name = f.Name
			case *ast.SelectorExpr:
				name = f.Sel.Name
			}
			if name != fn {
				return true
			}
			if len(call.Args) <= arg {
				t.Errorf("%s: %s without its words", fset.Position(call.Pos()), fn)
				return true
			}
			lit, ok := call.Args[arg].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: %s's words are not a string literal, so no catalogue can say them", fset.Position(call.Pos()), fn)
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			formats[s] = fset.Position(call.Pos()).String()
			return true
		})
	}
	return formats
}

// Every sentence ingest writes as a failure's reason or a document's
// warning is in the catalogue, in English as ingest writes it and in
// Russian with the same values in the same order, and a page says each
// stored sentence back in Russian as the catalogue does, whatever the
// other sentences are.
func TestIngestWordsCatalogued(t *testing.T) {
	cat, err := web.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fn     string
		arg    int
		prefix string
	}{{"fail", 3, "archive.reason."}, {"warn", 0, "archive.warning."}} {
		t.Run(c.fn, func(t *testing.T) {
			catalogued(t, cat, ingestFormats(t, c.fn, c.arg), ingestKeys(cat, c.prefix))
		})
	}
	keys := ingestKeys(cat, "archive.reason.")
	// A library's detail after a reason's own words stays as it is, and so
	// does a reason of the archive's own.
	if got, want := reword(cat, "ru", keys, "the TIFF image is damaged: tiff: invalid format; short read"), "изображение TIFF повреждено: tiff: invalid format; short read"; got != want {
		t.Errorf("a library's detail: %q, want %q", got, want)
	}
	if got := reword(cat, "ru", keys, "archive: the original is missing"); got != "archive: the original is missing" {
		t.Errorf("the archive's own reason became %q", got)
	}
}

// catalogued checks formats, as ingest writes them, against the catalogue's
// keys.
func catalogued(t *testing.T, cat *web.Catalog, formats map[string]string, keys []string) {
	t.Helper()
	if len(keys) == 0 {
		t.Fatal("no keys in the catalogue")
	}
	english := map[string]string{}
	for _, k := range keys {
		en := cat.T(web.DefaultLang, k)
		if other, ok := english[en]; ok {
			t.Errorf("%s and %s say the same (%q): a stored sentence cannot tell them apart", other, k, en)
		}
		english[en] = k
	}
	anyVerb := regexp.MustCompile(`%.`)
	for f, at := range formats {
		if odd := slices.DeleteFunc(anyVerb.FindAllString(f, -1), func(v string) bool { return v == "%s" || v == "%d" }); len(odd) > 0 {
			t.Errorf("%s: %q has %v, but stored words are read back by %%s and %%d only", at, f, odd)
		}
		if _, ok := english[f]; !ok {
			t.Errorf("%s: %q is in no key of the English catalogue", at, f)
		}
	}
	for en, k := range english {
		if _, ok := formats[en]; !ok {
			t.Errorf("%s: %q is nothing ingest writes (stale, or worded otherwise)", k, en)
		}
	}
	for _, k := range keys {
		en := cat.T(web.DefaultLang, k)
		if !cat.HasKey("ru", k) {
			t.Errorf("%s has no Russian", k)
			continue
		}
		ru := cat.T("ru", k)
		if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(ru, -1); !slices.Equal(a, b) {
			t.Errorf("%s: the Russian's values %v are not the English's %v", k, b, a)
			continue
		}
		var args []any
		for i, v := range verbs.FindAllString(en, -1) {
			if v == "%d" {
				args = append(args, 10+i)
			} else {
				// A value as ingest gives one: words, a size, a path.
				args = append(args, fmt.Sprintf("v%d (2 GiB, a/b.txt)", i))
			}
		}
		stored := fmt.Sprintf(en, args...)
		want := fmt.Sprintf(ru, args...)
		if got := reword(cat, "ru", keys, stored); got != want {
			t.Errorf("%s: %q is said as %q, want %q", k, stored, got, want)
		}
		if got := reword(cat, web.DefaultLang, keys, stored); got != stored {
			t.Errorf("%s: in English %q became %q", k, stored, got)
		}
	}
}
