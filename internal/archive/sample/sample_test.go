package sample

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"confide/internal/archive"
	"confide/internal/store/storetest"
)

// ingestSample queues the trove and processes it as the demo does.
func ingestSample(t *testing.T, a *archive.Archive) int {
	t.Helper()
	ctx := context.Background()
	n, err := Queue(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Work(ctx, archive.WorkOptions{Collection: Collection, Workers: 2, UntilEmpty: true}); err != nil {
		t.Fatal(err)
	}
	return n
}

func status(t *testing.T, a *archive.Archive) archive.CollectionStatus {
	t.Helper()
	st, err := a.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Name != Collection {
		t.Fatalf("collections: %+v", st)
	}
	return st[0]
}

var marked = regexp.MustCompile(`<mark>([^<]+)</mark>`)

// The trove ingests whole, with OCR, on both backends: every file is done
// and none failed; a search for "архивы" finds the documents of every
// format through different inflected forms, the scanned page among them;
// the legacy charsets and the zip's KOI8-R member name are decoded; the
// one translation is the certificate's, reviewed, and found by an English
// search; and doing it all again (a second demo start) adds nothing.
func TestSampleTrove(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			c := archive.Config{Dir: t.TempDir(), Who: "demo"}
			if backend == "postgres" {
				c.DSN = storetest.PostgresDSN(t)
			}
			ctx := context.Background()
			a, err := archive.Open(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			files := Files()
			if n := ingestSample(t, a); n != len(files) || n < 14 {
				t.Fatalf("queued %d of %d files", n, len(files))
			}
			st := status(t, a)
			if st.Done != len(files) || st.Failed != 0 || len(st.Failures) != 0 || st.Queued+st.Running != 0 {
				t.Fatalf("status: %+v", st)
			}
			res, err := a.Search(ctx, "архивы", "", 100)
			if err != nil {
				t.Fatal(err)
			}
			hits := map[string]archive.ResultHit{}
			forms := map[string]bool{}
			for _, h := range res.Hits {
				hits[h.Path] = h
				for _, s := range h.Snippets {
					for _, m := range marked.FindAllStringSubmatch(string(s), -1) {
						forms[strings.ToLower(m[1])] = true
					}
				}
			}
			want := []string{
				"trove/fond-114/opis-4/scan-1953.jpg",                                    // OCR
				"trove/fond-114/opis-1/spravka-1991.txt",                                 // UTF-8
				"trove/fond-114/opis-1/pismo-1957.txt",                                   // Windows-1251
				"trove/fond-114/opis-2/prikaz-1962.txt",                                  // KOI8-R
				"trove/fond-114/opis-2/opis-dos.txt",                                     // CP866
				"trove/notes/chronology.html",                                            // HTML
				"trove/notes/reading-guide.md",                                           // Markdown
				"trove/fond-114/opis-3/obzor-1968.pdf",                                   // text layer
				"trove/fond-114/opis-3/zapiska-1979.docx",                                // DOCX
				"trove/mail/perevod-2025.eml",                                            // email
				"trove/mail/perevod-2025.eml/glossary.txt",                               // its attachment
				"trove/mail/desk-2025.mbox/2.eml",                                        // mbox
				"trove/fond-114/letters-1970s.zip/letters-1970s/письмо из Заречного.txt", // KOI8-R name in a zip
				"trove/fond-114/opis-3/rezolyutsii.tar.gz/rezolyutsii.tar/rezolyutsii/1971-rezolyutsiya.txt",
			}
			for _, p := range want {
				if _, ok := hits[p]; !ok {
					t.Errorf("no hit for %s", p)
				}
			}
			if res.Total != len(res.Hits) || res.Total < len(want) {
				t.Errorf("total %d, %d hits", res.Total, len(res.Hits))
			}
			for _, f := range []string{"архивы", "архив", "архива", "архивов", "архиве", "архивах", "архивам"} {
				if !forms[f] {
					t.Errorf("no hit marks %q (marked: %v)", f, forms)
				}
			}
			// The scan was read by tesseract, not by a text layer.
			scan, err := a.Show(ctx, hits[want[0]].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(scan.Pages) != 1 || !scan.Pages[0].OCR || !strings.Contains(scan.Pages[0].Text, "о состоянии архивов") || scan.Pages[0].Language != "ru" {
				t.Fatalf("the scan: %+v", scan.Pages)
			}
			for path, cs := range map[string][2]string{want[2]: {"windows-1251", "хранится в архиве обкома"}, want[3]: {"koi8-r", "выдачи документов архива"},
				want[4]: {"ibm866", "Перечень архивов районных комитетов"}, want[12]: {"koi8-r", "Дорогая Мария Ильинична"}} {
				d, err := a.Show(ctx, hits[path].ID)
				if err != nil {
					t.Fatal(err)
				}
				if d.Fields["charset"] != cs[0] || len(d.Pages) != 1 || !strings.Contains(d.Pages[0].Text, cs[1]) {
					t.Errorf("%s: charset %q, pages %+v", path, d.Fields["charset"], d.Pages)
				}
			}
			eml, err := a.Show(ctx, hits[want[9]].ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(eml.Children, func(c archive.Child) bool { return c.Path == want[10] }) {
				t.Errorf("the email's children: %+v", eml.Children)
			}

			// The translated certificate: an English search finds the
			// Russian original through its reviewed human translation.
			if added, err := Translate(ctx, a); err != nil || !added {
				t.Fatalf("translate: %v %v", added, err)
			}
			en, err := a.Search(ctx, "transferred", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			// The English file itself, and the Russian original through
			// its translation.
			i := slices.IndexFunc(en.Hits, func(h archive.ResultHit) bool { return h.Path == want[1] })
			if len(en.Hits) != 2 || i < 0 || en.Hits[i].Matched != "translation:en" || en.Hits[1-i].Path != "trove/translations/spravka-1991-en.txt" {
				t.Fatalf("transferred: %+v", en.Hits)
			}
			cert, err := a.Show(ctx, en.Hits[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			if v := cert.Translations["en"][1]; len(v) != 1 || v[0].Machine || v[0].State != archive.Reviewed || !strings.HasPrefix(v[0].Text, "CERTIFICATE") {
				t.Fatalf("translations: %+v", cert.Translations)
			}

			// A second start: nothing queued, nothing doubled.
			if n := ingestSample(t, a); n != 0 {
				t.Fatalf("the second queueing queued %d files", n)
			}
			if added, err := Translate(ctx, a); err != nil || added {
				t.Fatalf("the second translate: %v %v", added, err)
			}
			if cert, err := a.Show(ctx, en.Hits[i].ID); err != nil || len(cert.Translations["en"][1]) != 1 {
				t.Fatalf("after the second start: %+v (%v)", cert.Translations, err)
			}
			if again := status(t, a); again.Done != st.Done || again.Docs != st.Docs || again.Pages != st.Pages {
				t.Fatalf("after the second start %+v, before %+v", again, st)
			}
			res2, err := a.Search(ctx, "архивы", "", 100)
			if err != nil {
				t.Fatal(err)
			}
			if res2.Total != res.Total {
				t.Fatalf("after the second start %d hits, before %d", res2.Total, res.Total)
			}
		})
	}
}

// The trove stays small: it is embedded in every binary.
func TestSampleTroveIsSmall(t *testing.T) {
	total := 0
	for _, p := range Files() {
		b, err := trove.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		total += len(b)
	}
	if total == 0 || total > 1<<20 {
		t.Fatalf("the trove is %d bytes", total)
	}
}
