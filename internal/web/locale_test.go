package web_test

import (
	"os"
	"testing"

	"confide/internal/web/webtest"
)

// The layout, the error page and the sign-in forms every zone shares are
// in the page's language: no English written into them, every key in
// English and Russian.
func TestTemplatesCatalogued(t *testing.T) {
	webtest.Catalogued(t, os.DirFS("."), "templates/*.html")
}
