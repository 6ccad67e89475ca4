package newsroom

import (
	"testing"

	"confide/internal/web/webtest"
)

// The newsroom's pages are in the journalist's language: no English
// written into a template (an age recipient starts "age1"), every key in
// English and Russian.
func TestTemplatesCatalogued(t *testing.T) {
	webtest.Catalogued(t, templates, "templates/*.html", "age")
}
