package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"confide/internal/auth/authtest"
	"confide/internal/store"
)

// exportJobID is the job an export was queued as: its page is where the
// form goes.
func exportJobID(t *testing.T, res *http.Response) string {
	t.Helper()
	id, ok := strings.CutPrefix(res.Header.Get("Location"), "/exports/")
	if res.StatusCode != http.StatusSeeOther || !ok || id == "" {
		t.Fatalf("the export was not queued: %d %v", res.StatusCode, res.Header)
	}
	return id
}

// exportDone waits for an export job to be neither queued nor building.
func exportDone(t *testing.T, a *Archive, id string) *ExportJob {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		j, err := a.ExportJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !j.Pending() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("export job %s is still %s", id, j.State)
		}
	}
}

// fakeBundle stands for Archive.Export where the queue, not the bundle, is
// tested: a few bytes and the record of their SHA-256.
func fakeBundle(_ context.Context, _ *Archive, req ExportRequest, w io.Writer) (*ExportRecord, error) {
	b := []byte("bundle " + req.Slug)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	return &ExportRecord{ID: store.NewID(), Slug: req.Slug, Bundle: hexSum(b)}, nil
}

// keptBundles lists the bundles kept in every process's temporary folder.
func keptBundles(t *testing.T, dir string) []string {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(dir, "tmp", "*", "bundle-*"))
	if err != nil {
		t.Fatal(err)
	}
	return left
}

// At most maxExports bundles are built at once and maxExportWaiting wait;
// past that the page says busy and queues nothing; a user with an export
// unfinished is shown it, the new form kept, and nothing is queued.
func TestWebExportBusy(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		release := make(chan struct{})
		started := make(chan struct{}, maxExports+maxExportWaiting)
		var building, most atomic.Int32
		z, _ := newZone(t, c, ServerConfig{Exporter: func(ctx context.Context, a *Archive, req ExportRequest, w io.Writer) (*ExportRecord, error) {
			n := building.Add(1)
			defer building.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			started <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return fakeBundle(ctx, a, req, w)
		}})
		pdf := z.docID(t, "protocol.pdf")
		form := func(slug string) url.Values { return url.Values{"redaction": {"original"}, "slug": {slug}} }
		var users []*browser
		var ids []string
		for i := range maxExports + maxExportWaiting + 1 {
			b := z.user(t, fmt.Sprintf("journalist%d", i), RoleJournalist, "kgb")
			users = append(users, b)
			_, page := b.get("/documents/" + pdf + "/export")
			res, body := b.post("/documents/"+pdf+"/export", page, form("protocol"))
			if i < maxExports+maxExportWaiting {
				ids = append(ids, exportJobID(t, res))
				if i < maxExports {
					<-started // building: it holds a slot
				}
				continue
			}
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many bundles") || res.Header.Get("Location") != "" {
				t.Fatalf("an export past the bound: %d %v %.300s", res.StatusCode, res.Header, body)
			}
		}
		if n := count(t, z.a, `SELECT COUNT(*) FROM archive_export_jobs`); n != maxExports+maxExportWaiting {
			t.Fatalf("%d jobs recorded, want %d", n, maxExports+maxExportWaiting)
		}
		if n := count(t, z.a, `SELECT COUNT(*) FROM archive_export_jobs WHERE state = ?`, ExportBuilding); n != maxExports {
			t.Fatalf("%d jobs building, want %d", n, maxExports)
		}
		if res, page := users[maxExports].get("/exports/" + ids[maxExports]); res.Header.Get("Refresh") != "3" || !strings.Contains(page, "Waiting for a free slot") {
			t.Fatalf("a queued job's page: %v %s", res.Header, page)
		}
		// The first user asks again while the first bundle is built.
		_, page := users[0].get("/documents/" + pdf + "/export")
		res, body := users[0].post("/documents/"+pdf+"/export", page, form("protocol-again"))
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `id="export-pending"`) || !strings.Contains(body, `href="/exports/`+ids[0]+`"`) || !strings.Contains(body, `value="protocol-again"`) {
			t.Fatalf("a second export of one user: %d %.500s", res.StatusCode, body)
		}
		if n := count(t, z.a, `SELECT COUNT(*) FROM archive_export_jobs`); n != maxExports+maxExportWaiting {
			t.Fatalf("%d jobs recorded after the refusals", n)
		}
		close(release)
		for _, id := range ids {
			if j := exportDone(t, z.a, id); j.State != ExportReady {
				t.Fatalf("job %+v", j)
			}
		}
		if most.Load() != maxExports {
			t.Fatalf("%d bundles were built at once, the bound is %d", most.Load(), maxExports)
		}
		// Finished, the user exports again.
		_, page = users[0].get("/documents/" + pdf + "/export")
		res, _ = users[0].post("/documents/"+pdf+"/export", page, form("protocol-again"))
		exportJobID(t, res)
	})
}

// A failing export says why on its page, keeps no file and no custody
// record, and leads back to the form as it was filled; an internal error
// says only that (its detail is logged).
func TestWebExportFails(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		z, _ := newZone(t, c, ServerConfig{Exporter: func(_ context.Context, _ *Archive, req ExportRequest, w io.Writer) (*ExportRecord, error) {
			w.Write([]byte("half a bundle"))
			if req.Slug == "internal" {
				return nil, errors.New("pdfunite: exit status 1 in /srv/archive/tmp/p-secret")
			}
			return nil, exportErr("the PDF to publish failed verification; nothing was exported:\ntext layer: FAIL")
		}})
		pdf := z.docID(t, "protocol.pdf")
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		for _, tc := range []struct{ slug, reason, hidden string }{
			{"protocol-refused", "the PDF to publish failed verification", "archive: export"},
			{"internal", "internal error (logged with job ", "p-secret"},
		} {
			_, page := ann.get("/documents/" + pdf + "/export")
			res, _ := ann.post("/documents/"+pdf+"/export", page, url.Values{"redaction": {"original"}, "slug": {tc.slug}, "pages": {"1"}})
			id := exportJobID(t, res)
			j := exportDone(t, z.a, id)
			if j.State != ExportFailed || !strings.Contains(j.Reason, tc.reason) || j.Bundle != "" {
				t.Fatalf("a failed export recorded as %+v", j)
			}
			if left := keptBundles(t, c.Dir); len(left) != 0 {
				t.Fatalf("a failed export left %v", left)
			}
			res, page = ann.get("/exports/" + id)
			if res.StatusCode != 200 || res.Header.Get("Refresh") != "" || !strings.Contains(page, "Nothing was exported:</strong> ") || !strings.Contains(page, tc.reason) ||
				strings.Contains(page, tc.hidden) || strings.Contains(page, `id="download"`) || !strings.Contains(page, `href="/documents/`+pdf+`/export?job=`+id+`"`) {
				t.Fatalf("a failed export's page: %s", page)
			}
			if res, _ := ann.get("/exports/" + id + "/bundle"); res.StatusCode != http.StatusConflict || res.Header.Get("Content-Disposition") != "" {
				t.Fatalf("a failed export downloaded: %d", res.StatusCode)
			}
			if _, form := ann.get("/documents/" + pdf + "/export?job=" + id); !strings.Contains(form, `value="`+tc.slug+`"`) || !strings.Contains(form, `name="pages" value="1"`) {
				t.Fatalf("the form asked again is not as it was filled: %s", form)
			}
		}
		if cu, err := z.a.Custody(context.Background(), pdf); err != nil || len(cu.Exports) != 0 {
			t.Fatalf("custody of failed exports: %v %+v", err, cu.Exports)
		}
	})
}

// A restart leaves no job pending: a server stopped records its bundle
// being built as failed; when its process is gone (here its archive
// closed under it, as a kill leaves it), the next server records a job
// it was building as interrupted and its ready bundle as no longer kept
// (it was in that process's temporary folder). A job of a process still
// running (PostgreSQL: two servers on one folder) is left alone.
func TestWebExportInterrupted(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		block := make(chan struct{})
		defer close(block)
		started := make(chan struct{}, 4)
		exp := func(ctx context.Context, a *Archive, req ExportRequest, w io.Writer) (*ExportRecord, error) {
			if req.Slug != "protocol-ready" {
				started <- struct{}{}
				select {
				case <-block:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			return fakeBundle(ctx, a, req, w)
		}
		z, srv := newZone(t, c, ServerConfig{Exporter: exp})
		pdf := z.docID(t, "protocol.pdf")
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		queue := func(slug string) string {
			t.Helper()
			_, page := ann.get("/documents/" + pdf + "/export")
			res, _ := ann.post("/documents/"+pdf+"/export", page, url.Values{"redaction": {"original"}, "slug": {slug}})
			return exportJobID(t, res)
		}
		ready := queue("protocol-ready")
		if j := exportDone(t, z.a, ready); j.State != ExportReady {
			t.Fatalf("%+v", j)
		}
		stopped := queue("protocol-stopped")
		<-started
		srv.Close()
		if j, _ := z.a.ExportJob(context.Background(), stopped); j.State != ExportFailed || !strings.Contains(j.Reason, "the archive stopped before the bundle was ready") {
			t.Fatalf("a stopped export: %+v", j)
		}
		if left := keptBundles(t, c.Dir); len(left) != 1 {
			t.Fatalf("kept after a stop: %v, want the ready bundle alone", left)
		}

		serve := func(a *Archive) (*Server, *httptest.Server) {
			t.Helper()
			s, err := NewServer(a, slog.New(slog.NewTextHandler(io.Discard, nil)), ServerConfig{Params: authtest.Params, Exporter: exp})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(s.Handler())
			t.Cleanup(ts.Close)
			t.Cleanup(s.Close)
			return s, ts
		}
		_, ts := serve(z.a)
		z.ts = ts // the same cookies: sessions are rows
		building := queue("protocol-building")
		<-started
		if c.DSN != "" {
			other := open(t, c)
			serve(other)
			if j, _ := other.ExportJob(context.Background(), building); j.State != ExportBuilding {
				t.Fatalf("another live server's job, seen by a new one: %+v", j)
			}
			if j, _ := other.ExportJob(context.Background(), ready); j.State != ExportReady {
				t.Fatalf("another live server's bundle, seen by a new one: %+v", j)
			}
		}
		// The process is gone: its locks and temporary folder with it.
		z.a.Close()
		a := open(t, c)
		_, ts = serve(a)
		z.a, z.ts = a, ts
		j, err := a.ExportJob(context.Background(), building)
		if err != nil || j.State != ExportFailed || !strings.Contains(j.Reason, "interrupted") {
			t.Fatalf("a job building when its process died: %v %+v", err, j)
		}
		if j, _ := a.ExportJob(context.Background(), ready); j.State != ExportExpired || !strings.Contains(j.Reason, "restarted") {
			t.Fatalf("a bundle ready when its process died: %+v", j)
		}
		if left := keptBundles(t, c.Dir); len(left) != 0 {
			t.Fatalf("kept after the process died: %v", left)
		}
		if res, page := ann.get("/exports/" + building); res.Header.Get("Refresh") != "" || !strings.Contains(page, "Nothing was exported:</strong> interrupted") {
			t.Fatalf("an interrupted job's page: %v %s", res.Header, page)
		}
		if res, page := ann.get("/exports/" + ready); !strings.Contains(page, "No longer kept") || strings.Contains(page, `id="download"`) {
			t.Fatalf("an expired job's page: %v %s", res.Header, page)
		}
		if res, _ := ann.get("/exports/" + ready + "/bundle"); res.StatusCode != http.StatusConflict || res.Header.Get("Content-Disposition") != "" {
			t.Fatalf("an expired bundle downloaded: %d", res.StatusCode)
		}
		// The user is free to export again on the new server.
		if j := exportDone(t, a, queue("protocol-ready")); j.State != ExportReady {
			t.Fatalf("%+v", j)
		}
	})
}

// A process's temporary folder is alive while its lock is held: this
// archive's is; one a killed process left (its lock free) or that is gone
// is not, and a name that is not a folder's is not looked up.
func TestTmpAlive(t *testing.T) {
	c := Config{Dir: t.TempDir(), NoOCR: true}
	a := open(t, c)
	if !a.tmpAlive(a.tmpOwner()) {
		t.Fatal("this process's own folder is not alive")
	}
	write(t, filepath.Join(c.Dir, "tmp", "p-killed"), "lock", nil)
	for _, owner := range []string{"p-killed", "p-gone", "../" + filepath.Base(c.Dir), ""} {
		if a.tmpAlive(owner) {
			t.Errorf("%q is alive", owner)
		}
	}
}

// An export's pages in Russian: the form's list of the user's exports
// with their states, the notice of an unfinished one, a job's page as it
// waits, is ready and fails, the reasons the archive gives (stored in
// English, shown in the reader's language with their job's ID) and the
// download's refusals; a refusal's detail stays as the library gave it.
func TestWebExportJobInRussian(t *testing.T) {
	backends(t, func(t *testing.T, c Config) {
		started, release := make(chan struct{}), make(chan struct{})
		z, _ := newZone(t, c, ServerConfig{Exporter: func(ctx context.Context, a *Archive, req ExportRequest, w io.Writer) (*ExportRecord, error) {
			switch req.Slug {
			case "slow":
				close(started)
				<-release
			case "internal":
				return nil, errors.New("pdfunite: exit status 1")
			case "refused":
				return nil, exportErr("the PDF to publish failed verification")
			}
			return fakeBundle(ctx, a, req, w)
		}})
		pdf := z.docID(t, "protocol.pdf")
		ann := z.user(t, "ann", RoleJournalist, "kgb")
		ann.get("/?lang=ru")
		queue := func(slug string) string {
			t.Helper()
			_, page := ann.get("/documents/" + pdf + "/export")
			res, _ := ann.post("/documents/"+pdf+"/export", page, url.Values{"redaction": {"original"}, "slug": {slug}})
			return exportJobID(t, res)
		}
		ru := func(path string, status int, want ...string) {
			t.Helper()
			res, page := ann.get(path)
			if res.StatusCode != status || !strings.Contains(page, `<html lang="ru">`) {
				t.Fatalf("%s: %d, not in Russian: %.300s", path, res.StatusCode, page)
			}
			main := page[strings.Index(page, "<main>"):]
			for _, w := range want {
				if !strings.Contains(main, w) {
					t.Errorf("%s lacks %q: %.2500s", path, w, main)
				}
			}
		}

		slow := queue("slow")
		<-started
		ru("/exports/"+slow, 200, "<h1 class=\"docpath\">Выгрузка trove/protocol.pdf</h1>", "задание <code>"+slow+"</code>", "Страница обновляется каждые 3 секунды.", "<th>Публичное имя</th>", "страницы оригинала, <strong>без изъятий</strong>", "<td>все</td>")
		ru("/exports/"+slow+"/bundle", http.StatusConflict, "<h1>Ещё не готово</h1>", "сейчас в состоянии «собирается»")
		_, page := ann.get("/documents/" + pdf + "/export")
		res, body := ann.post("/documents/"+pdf+"/export", page, url.Values{"redaction": {"original"}, "slug": {"second"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `Ничего не поставлено в очередь: ваша предыдущая выгрузка ещё не закончена`) || !strings.Contains(body, `<a href="/exports/`+slow+`">Посмотрите, как она идёт</a>, потом выгрузите эту`) {
			t.Fatalf("an unfinished export's notice in Russian: %d %.3000s", res.StatusCode, body)
		}
		close(release)
		exportDone(t, z.a, slow)
		ru("/exports/"+slow, 200, "<strong>Готово.</strong> <code>slow.bundle</code>", "(выгрузка <code>", "Скачать пакет", "<code>confide document publish FILE</code>")

		// The next bundle ready replaces the last: its reason is the
		// archive's, said in Russian.
		next := queue("next")
		exportDone(t, z.a, next)
		if j, _ := z.a.ExportJob(context.Background(), slow); j.State != ExportExpired || !strings.HasPrefix(j.Reason, "replaced by your next bundle (job "+next+")") {
			t.Fatalf("the replaced job is stored as %+v", j)
		}
		if left := keptBundles(t, c.Dir); len(left) != 1 || filepath.Base(left[0]) != "bundle-"+next {
			t.Fatalf("bundles kept after the next replaced the last: %v, want the next one's alone", left)
		}
		ru("/exports/"+slow, 200, "<strong>Больше не хранится:</strong> заменён вашим следующим пакетом (задание "+next+")", "Выгрузить заново")
		ru("/documents/"+pdf+"/export", 200, "<h2>Ваши выгрузки этого документа</h2>", "<code>next</code>, <strong>готова к скачиванию</strong>", "<code>slow</code>, больше не хранится",
			"Пакет собирается в фоне")

		internal := queue("internal")
		exportDone(t, z.a, internal)
		ru("/exports/"+internal, 200, "<strong>Ничего не выгружено:</strong> пакет не удалось собрать из-за внутренней ошибки (она записана в журнал с заданием "+internal+")", "Вернуться к форме, как она была заполнена")
		refused := queue("refused")
		exportDone(t, z.a, refused)
		ru("/exports/"+refused, 200, "<strong>Ничего не выгружено:</strong> the PDF to publish failed verification")
		ru("/documents/"+pdf+"/export", 200, "<code>internal</code>, не удалась")

		// A ready bundle changed on the disk is refused, in Russian.
		for _, p := range keptBundles(t, c.Dir) {
			write(t, filepath.Dir(p), filepath.Base(p), []byte("changed"))
		}
		ru("/exports/"+next+"/bundle", http.StatusGone, "<h1>Пакета больше нет</h1>", "ничего не отправлено")
	})
}

// Every state a job can be in and every reason the archive gives one is
// in the catalogue in English and Russian; a reason's English is what
// english stores, and reword reads it back into Russian with its
// arguments, leaving any other reason as it is.
func TestExportJobWords(t *testing.T) {
	cat, err := catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{ExportQueued, ExportBuilding, ExportReady, ExportFailed, ExportExpired} {
		for _, lang := range []string{"en", "ru"} {
			if !cat.HasKey(lang, "archive.export.state."+st) {
				t.Errorf("no %s word for the job state %q", lang, st)
			}
		}
	}
	for _, key := range jobReasons {
		if !cat.HasKey("en", key) || !cat.HasKey("ru", key) {
			t.Fatalf("the reason %s is not in both catalogues", key)
		}
		var args []any
		if strings.Contains(cat.T("en", key), "%s") {
			args = []any{"0123abcd"}
		}
		stored := english(key, args...)
		if got, want := reword(cat, "ru", jobReasons, stored), cat.T("ru", key, args...); got != want || got == stored {
			t.Errorf("%s stored as %q is shown in Russian as %q, want %q", key, stored, got, want)
		}
		if got := reword(cat, "en", jobReasons, stored); got != stored {
			t.Errorf("%s in English: %q, stored %q", key, got, stored)
		}
	}
	for _, other := range []string{"the PDF to publish failed verification", "interrupted: something else", ""} {
		if got := reword(cat, "ru", jobReasons, other); got != other {
			t.Errorf("a reason the archive did not word, %q, is shown as %q", other, got)
		}
	}
}
