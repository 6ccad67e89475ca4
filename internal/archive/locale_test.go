package archive

import (
	"context"
	"strings"
	"testing"

	"confide/internal/web/webtest"
)

// Every archive page is in the reader's language, as the other zones'
// are: no English written into a template, every key in English and
// Russian.
func TestTemplatesCatalogued(t *testing.T) {
	webtest.Catalogued(t, templates, "templates/*.html")
}

// The archive's pages in Russian, as a Russian-speaking journalist sees
// them: counts in their plural forms, a translation's label, a refusal;
// and ?lang= on a translation's link or in the editor names the
// translation, so it neither turns the page English nor changes the
// language remembered, while the language switch's own link (the path and
// ?lang= alone) still does.
func TestWebPagesInRussian(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z := newWebZone(t, c)
		id := z.withPage(t)
		for _, by := range []string{"machine: stub 1.0", "user: tanya"} {
			if _, err := z.a.AddTranslation(context.Background(), id, 1, "en", "First paragraph.\n\nSecond paragraph.", by, by != "user: tanya", Draft); err != nil {
				t.Fatal(err)
			}
		}
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		doc := "/documents/" + id
		ru := func(path string, want ...string) {
			t.Helper()
			_, page := ann.get(path)
			if !strings.Contains(page, `<html lang="ru">`) {
				t.Fatalf("%s is not in Russian: %.300s", path, page)
			}
			for _, w := range want {
				if !strings.Contains(page, w) {
					t.Errorf("%s lacks %q: %s", path, w, page[strings.Index(page, "<main>"):min(len(page), strings.Index(page, "<main>")+1800)])
				}
			}
		}
		ru("/?lang=ru", "<h1>Коллекции</h1>", "<th>Готово</th>", "ann (журналист)", "Выйти")
		ru("/collections/kgb", "<h1>Коллекция kgb</h1>", "5 файлов готово, 0 в очереди, 0 в работе, <strong>1 с ошибкой</strong>; 7 документов, 5 страниц.", "Ошибки (1)")
		ru("/search?q=абзац", `<p id="total">1 документ, показаны 1–1.</p>`, "<h2>Коллекция</h2>")
		// A translation's link: the page stays Russian, the translation is
		// the one asked for.
		ru(doc+"?page=1&lang=en", "Перевод (en)", "<strong>черновик человека, не проверен</strong>", ": машинный черновик (машинный перевод, не проверен), machine: stub 1.0, ", "Цепочка хранения",
			`<a href="`+doc+`?page=1&amp;lang=en&amp;v=1#translation">версия 1</a>`)
		ru(doc+"/pages/1/translation?lang=en", "Ваш перевод (en)", `href="`+doc+`?lang=en"`)
		ru(doc+"/pages/1/translation?lang=12", "<h1>Это не язык</h1>", "укажите код, например en, de или fr")
		ru("/")
		// The switch's link turns the archive English, and it stays so.
		if _, page := ann.get(doc + "?lang=en"); !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "Chain of custody") || !strings.Contains(page, "Translation (en)") {
			t.Fatalf("the language switch on a document's page: %.300s", page)
		}
		if _, page := ann.get("/"); !strings.Contains(page, "<h1>Collections</h1>") {
			t.Fatal("the language chosen was not remembered")
		}
	})
}
