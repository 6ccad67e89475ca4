package workstation

import (
	"testing"

	"confide/internal/web/webtest"
)

// The workstation's pages are in the journalist's language: no English
// written into a template, every key in English and Russian.
func TestTemplatesCatalogued(t *testing.T) {
	webtest.Catalogued(t, templates, "templates/*.html")
}
