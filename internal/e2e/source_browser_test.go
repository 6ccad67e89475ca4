package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserSourceReceiptAndKeptForm walks a Russian-speaking source through
// the dropbox in Chromium with JavaScript off: a Russian codename, a receipt
// naming what arrived (sizes in Russian units, a warning for an empty file),
// and each refusal (too large, empty, the session ended) answered on a form
// that gives the typed message back and names the files to choose again.
func TestBrowserSourceReceiptAndKeptForm(t *testing.T) {
	n := setup(t, "sqlite") // the store's side runs on both backends in internal/dropbox
	srv := n.start(t, "--max-upload", "1048576")
	ctx := newBrowser(t)
	b := tab{t, ctx, srv}
	do, text, click := b.do, b.text, b.click
	dropbox := srv.urls["dropbox"]
	dir := t.TempDir()
	small, empty, big := filepath.Join(dir, "отчёт.pdf"), filepath.Join(dir, "пусто.txt"), filepath.Join(dir, "big.bin")
	os.WriteFile(small, bytes.Repeat([]byte("p"), 1536), 0o600)
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(big, bytes.Repeat([]byte("x"), 3<<20), 0o600)
	value := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Value(css(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return v
	}
	// submit sends the form and returns the answer's status.
	submit := func() int64 {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(css(`form[action="/submit"] button`), chromedp.NodeVisible))
		if err != nil {
			t.Fatalf("the browser got no page: %v", err)
		}
		return resp.Status
	}

	do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(dropbox+"/new?lang=ru"))
	codename := strings.TrimSpace(text(`#codename`))
	if !regexp.MustCompile(`^(\p{Cyrillic}+ ){7}\p{Cyrillic}+$`).MatchString(codename) || !strings.Contains(text(`#strength`), "96 бит") {
		t.Fatalf("Russian codename %q, %q", codename, text(`#strength`))
	}
	if btn := text(`form[action="/new"] button`); strings.Contains(btn, "запомнил") {
		t.Fatalf("the button assumes a man: %q", btn)
	}
	shot(t, ctx, "dropbox-new-ru")
	click(`form[action="/new"] button`)

	// The receipt.
	message := "Три слова тут"
	do(
		chromedp.SendKeys(css(`textarea#message`), message),
		chromedp.SetUploadFiles(css(`input#files`), []string{small, empty}),
	)
	if st := submit(); st != 200 {
		t.Fatalf("submit: %d", st)
	}
	receipt := text(`#sent`)
	shot(t, ctx, "dropbox-receipt-ru")
	for _, want := range []string{"слов: 3, символов: 13", "отчёт.pdf · 1,5 КБ", "пусто.txt · 0 Б", "Этот файл пуст"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the receipt lacks %q: %q", want, receipt)
		}
	}
	if strings.Contains(receipt, "KiB") {
		t.Errorf("English units on a Russian page: %q", receipt)
	}
	if got := len(blobs(t, n.data)); got != 3 {
		t.Fatalf("%d blobs, want the message and two files", got)
	}

	// Too large: the message comes back in its box, the files are named.
	typed := "Документы ниже; second line <b>not markup</b>"
	do(
		chromedp.SendKeys(css(`textarea#message`), typed),
		chromedp.SetUploadFiles(css(`input#files`), []string{small, big}),
	)
	if st := submit(); st != 413 {
		t.Fatalf("too large: %d", st)
	}
	shot(t, ctx, "dropbox-toolarge-ru")
	if v := value(`textarea#message`); v != typed {
		t.Fatalf("the message given back is %q, want %q", v, typed)
	}
	if refused := text(`#refused`); !strings.Contains(refused, "Слишком большой") || !strings.Contains(refused, "отчёт.pdf") || !strings.Contains(refused, "big.bin") {
		t.Fatalf("too large: %q", refused)
	}

	// Empty, or white space only: on the form, not an error page. (The box
	// still holds the message given back; clear it first.)
	do(chromedp.SetValue(css(`textarea#message`), " \n  "))
	if st := submit(); st != 400 || !strings.Contains(text(`#refused`), "Нечего отправлять") {
		t.Fatalf("white space only: %d", st)
	}
	if got := len(blobs(t, n.data)); got != 3 {
		t.Fatalf("%d blobs after the refusals", got)
	}

	// The session ends (here: its cookie is gone) while the source types.
	do(chromedp.SetValue(css(`textarea#message`), typed))
	if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "dropbox_session", URL: dropbox + "/"}); err != nil {
		t.Fatal(err)
	}
	if st := submit(); st != 401 {
		t.Fatalf("after the session: %d", st)
	}
	shot(t, ctx, "dropbox-ended-ru")
	if v := value(`textarea#kept-message`); v != typed || !strings.Contains(text(`#ended`), "ничего не отправлено") {
		t.Fatalf("the ended-session page: %q, %q", v, text(`#ended`))
	}
	do(chromedp.SetValue(css(`input#codename`), strings.ToUpper(strings.ReplaceAll(codename, "е", "ё"))))
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(css(`form[action="/login"] button`), chromedp.NodeVisible)); err != nil || resp.Status != 200 {
		t.Fatalf("log in again: %v %v %q", resp, err, text(`main`))
	}
	if inbox := text(`main`); !strings.Contains(inbox, "Ответов пока нет") {
		t.Fatalf("logging in again with ё and capitals: %q", inbox)
	}
	// Neither the receipt nor the refused forms left anything readable
	// behind: not the names, not the messages, not the codename.
	srv.stop()
	scanDataFolder(t, n, [][]byte{[]byte("отчёт"), []byte("пусто"), []byte("big.bin"), []byte(message), []byte(typed[:20]), []byte(codename)})
}
