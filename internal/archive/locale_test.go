package archive

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"confide/internal/ingest"
	"confide/internal/translate"
	"confide/internal/web"
	"confide/internal/web/webtest"
)

// Every archive page is in the reader's language, as the other zones'
// are: no English written into a template, every key in English and
// Russian.
func TestTemplatesCatalogued(t *testing.T) {
	webtest.Catalogued(t, templates, "templates/*.html")
}

// Every kind of ingest failure and every metadata field has its words in
// each language: pages name them by a key made from them, which the
// template check cannot follow; and no such key is left for a name ingest
// no longer writes.
func TestIngestNamesCatalogued(t *testing.T) {
	cat, err := catalog()
	if err != nil {
		t.Fatal(err)
	}
	kinds := make([]string, len(ingest.Kinds))
	for i, k := range ingest.Kinds {
		kinds[i] = string(k)
	}
	for prefix, names := range map[string][]string{"archive.failure.": kinds, "archive.field.": ingest.FieldNames} {
		for _, n := range names {
			for _, lang := range []string{"en", "ru"} {
				if key := prefix + n; !cat.HasKey(lang, key) {
					t.Errorf("no %s words for %q (%s)", lang, n, key)
				}
			}
		}
		for _, key := range cat.Keys(prefix) {
			if !slices.Contains(names, strings.TrimPrefix(key, prefix)) {
				t.Errorf("%s names nothing ingest writes", key)
			}
		}
	}
}

// The archive's pages in Russian, as a Russian-speaking journalist sees
// them: counts in their plural forms, a failure's kind and reason, a
// document's warning and metadata's labels, a translation's label, a refusal; and ?lang= on a
// translation's link or in the editor names the translation, so it neither
// turns the page English nor changes the language remembered, while the
// language switch's own link (the path and ?lang= alone) still does.
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
		ru("/collections/kgb", "<h1>Коллекция kgb</h1>", "5 файлов готово, 0 в очереди, 0 в работе, <strong>1 с ошибкой</strong>; 7 документов, 5 страниц.", "Ошибки (1)",
			"<strong>Файл повреждён.</strong> не zip: файл ")
		ru("/documents/"+DocID("kgb", "trove/broken.zip"), "<strong>Файл повреждён.</strong> Не удалось прочитать: не zip: файл ")
		// A warning of ingest's, said in Russian as its reason is.
		fake := write(t, t.TempDir(), "fake.docx", zipOf(t, map[string]string{"note.txt": "Справка."}))
		ingestAll(t, z.a, "kgb", fake)
		ru("/documents/"+DocID("kgb", "fake.docx"), "<td class=\"text\">похоже на файл DOCX, но в нём нет word/document.xml; он читается как zip</td>",
			`<tr><th>Файлов внутри</th><td class="text">1</td></tr>`)
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

// A translation run's message is stored in English and said on the
// collection page in the reader's language, sentence by sentence, counts
// in their plural forms and the values it held kept; a part the archive
// did not word (an engine's error) is shown as it is, from there on.
func TestBatchMessageInRussian(t *testing.T) {
	cat, err := catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ stored, want string }{
		{english("archive.batch.msg.resumed") + "; " + english("archive.batch.msg.translated", 1, "stub") + "; " + english("archive.batch.msg.skipped", 5) + "; " + english("archive.batch.msg.failed", 2, "a.pdf page 3: timeout; retried"),
			"продолжен после перезапуска; переведена 1 страница движком stub; 5 страниц уже были переведены этим движком; 2 страницы не переведены, например a.pdf page 3: timeout; retried"},
		{english("archive.batch.msg.taken") + "; " + english("archive.batch.msg.cancelled"),
			"продолжен после того, как его сервер перестал отвечать; отменён; переведённые страницы сохранены, и новый запуск продолжит с этого места"},
		{english("archive.batch.msg.stopped"), "остановлен вместе с сервером; продолжится, когда сервер снова запустится"},
		{english("archive.batch.msg.translated", 22, "apertium") + "; " + english("archive.batch.msg.skipped", 0),
			"переведены 22 страницы движком apertium; 0 страниц уже были переведены этим движком"},
		{english("archive.batch.msg.interrupted", `no engine "stub" is configured`), `прерван перезапуском и не продолжен: no engine "stub" is configured; запустите его снова, готовые страницы останутся готовыми`},
		{english("archive.batch.msg.resumed") + "; translate: the engine answered 502", "продолжен после перезапуска; translate: the engine answered 502"},
		{"translate: the engine answered 502; resumed after a restart", "translate: the engine answered 502; resumed after a restart"},
		{"", ""},
	} {
		if got := reword(cat, "ru", batchWords, tc.stored); got != tc.want {
			t.Errorf("%q in Russian:\n got %q\nwant %q", tc.stored, got, tc.want)
		}
		if got := reword(cat, "en", batchWords, tc.stored); got != tc.stored {
			t.Errorf("%q in English: %q", tc.stored, got)
		}
	}
	if got := english("archive.batch.msg.translated", 1, "stub"); got != "translated 1 page with stub" {
		t.Errorf("one page in English: %q", got)
	}
}

// The collection page says a finished run in Russian.
func TestWebBatchInRussian(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		a := open(t, c)
		ingestAll(t, a, "kgb", trove(t), write(t, t.TempDir(), "three.txt", []byte(threeParagraphs)))
		_, z := serve(t, a, ServerConfig{Engines: []translate.Engine{&stubEngine{}}})
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		ann.get("/?lang=ru")
		_, cp := ann.get("/collections/kgb")
		if res, _ := ann.post("/collections/kgb/translate", cp, url.Values{"engine": {"stub"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d", res.StatusCode)
		}
		b := waitBatch(t, a, "kgb", BatchDone)
		want := map[string]string{"one": "переведена %d страница", "few": "переведены %d страницы", "many": "переведено %d страниц"}[web.PluralForm("ru", b.Done)]
		want = fmt.Sprintf(want, b.Done) + " движком stub 1.0; 0 страниц уже были переведены этим движком."
		_, cp = ann.get("/collections/kgb")
		if !strings.Contains(cp, "<strong>завершён</strong>") || !strings.Contains(cp, want) || strings.Contains(cp, "already translated") {
			t.Fatalf("a finished run in Russian (%s): %s", b.Message, cp[strings.Index(cp, `id="batch"`):])
		}
	})
}

// FuzzReword reads stored words back as reword does for a page: the text
// may hold a translation engine's error, from outside. Whatever it is,
// reword returns it whole when no sentence of the archive's starts it, and
// never drops what follows the sentences it knows.
func FuzzReword(f *testing.F) {
	cat, err := catalog()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(english("archive.batch.msg.resumed"))
	f.Add(english("archive.job.reason.interrupted") + "; engine said: 500 <html>")
	f.Add("translated 01 pages; ошибка")
	f.Add("")
	f.Fuzz(func(t *testing.T, stored string) {
		for _, keys := range [][]string{batchWords, jobReasons} {
			for _, lang := range []string{"ru", "en"} {
				got := reword(cat, lang, keys, stored)
				known := false
				for _, key := range keys {
					for _, form := range []string{"", ".one", ".other"} {
						if cat.HasKey(web.DefaultLang, key+form) && sentence(cat.T(web.DefaultLang, key+form)).MatchString(stored) {
							known = true
						}
					}
				}
				if !known && got != stored {
					t.Fatalf("reword(%s) changed %q, which starts with no known sentence, to %q", lang, stored, got)
				}
				if stored != "" && got == "" {
					t.Fatalf("reword(%s) lost %q", lang, stored)
				}
			}
		}
	})
}
