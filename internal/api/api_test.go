package api

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

// clientDeps are the only Confide packages a client may be built from:
// this wire package and pieces that hold no server (encryption, the
// shared web helpers a local UI uses, the progress line).
var clientDeps = map[string]bool{
	"confide/internal/api":      true,
	"confide/internal/seal":     true,
	"confide/internal/web":      true,
	"confide/internal/progress": true,
}

// TestClientsImportNoServer: the journalist's and the source's clients,
// and everything they import (test files aside), stay clear of every
// server package, so a client shares the wire types and nothing else.
func TestClientsImportNoServer(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, client := range []string{"confide/internal/workstation", "confide/internal/source"} {
		// via records how each package was reached, to name the chain.
		via := map[string]string{client: ""}
		queue := []string{client}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			dir := filepath.Join(root, strings.TrimPrefix(p, "confide/"))
			pkg, err := build.ImportDir(dir, 0)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if len(pkg.GoFiles) == 0 {
				t.Fatalf("%s: no Go files read in %s", p, dir)
			}
			for _, imp := range pkg.Imports {
				if !strings.HasPrefix(imp, "confide/") {
					continue
				}
				if _, seen := via[imp]; seen {
					continue
				}
				via[imp] = p
				if !clientDeps[imp] && imp != client {
					chain := imp
					for q := p; q != ""; q = via[q] {
						chain = q + " → " + chain
					}
					t.Errorf("%s imports a server package: %s", client, chain)
					continue
				}
				queue = append(queue, imp)
			}
		}
	}
}
