package site

import (
	"testing"

	"confide/internal/web/webtest"
)

// The site's pages are all in the reader's language: no English written
// into a template (but the name PDF), every key in English and Russian.
func TestTemplatesCatalogued(t *testing.T) {
	webtest.Catalogued(t, templates, "templates/*", "PDF")
}
