package dropbox

import (
	"testing"

	"confide/internal/web/webtest"
)

// The dropbox's pages are all in the source's language: no English
// written into a template, every key in English and Russian.
func TestTemplatesCatalogued(t *testing.T) {
	webtest.Catalogued(t, templates, "templates/*.html")
}
