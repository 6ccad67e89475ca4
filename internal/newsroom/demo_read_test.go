package newsroom

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"confide/internal/store/storetest"

	"filippo.io/age"
)

// In demo mode only, and for the demo journalist only, the newsroom
// decrypts with the demo identity (on the server anyway): messages inline,
// files as downloads under their original name, labelled as a demo
// shortcut, and nothing decrypted is written to disk.
func TestDemoReadingShortcut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b)
		demo := f.person("demo", true)
		ann := f.person("ann", false)
		src, _ := f.source("brave otter", "PLAIN-MESSAGE from the source\n<b>not markup</b>", "PLAIN-FILE-BODY")
		items, _ := f.store.Items(context.Background(), src.ID)
		open := "/sources/" + src.ID + "/items/" + items[1].ID + "/open"
		f.srv.cfg.Demo, f.srv.cfg.DemoIdentity, f.srv.cfg.DemoKeyFile = true, demo.id, "/srv/data/demo/journalist-key.txt"

		br := f.login(demo)
		p := br.Get("/sources/" + src.ID)
		for _, want := range []string{`id="demo-read"`, "Demo-only shortcut", "PLAIN-MESSAGE from the source\n&lt;b&gt;not markup&lt;/b&gt;", `href="` + open + `"`, "Open doc.txt (demo)",
			"confide workstation serve --identity /srv/data/demo/journalist-key.txt"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("demo source page lacks %q", want)
			}
		}
		got := br.Get(open)
		if got.Status != 200 || got.Body != "PLAIN-FILE-BODY" || got.Header.Get("Content-Type") != "application/octet-stream" ||
			got.Header.Get("Content-Disposition") != `attachment; filename=doc.txt` {
			t.Fatalf("demo open: %d %q %q %q", got.Status, got.Body, got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"))
		}
		// Another journalist gets no shortcut: the demo key is not theirs.
		other := f.login(ann)
		if p := other.Get("/sources/" + src.ID); strings.Contains(p.Body, "PLAIN-") || strings.Contains(p.Body, "demo-read") {
			t.Fatal("the shortcut showed plaintext to a journalist who is not the demo one")
		}
		if p := other.Get(open); p.Status != http.StatusNotFound || strings.Contains(p.Body, "PLAIN-") {
			t.Fatalf("ann opened through the shortcut: %d", p.Status)
		}
		// Outside demo mode there is no shortcut, even with the key set.
		f.srv.cfg.Demo = false
		if p := br.Get("/sources/" + src.ID); strings.Contains(p.Body, "PLAIN-") || strings.Contains(p.Body, "demo-read") {
			t.Fatal("the shortcut works outside demo mode")
		}
		if p := br.Get(open); p.Status != http.StatusNotFound {
			t.Fatalf("open outside demo mode: %d", p.Status)
		}
	})
}

func TestDemoIdentityOnlyInDemoMode(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	if _, err := New(context.Background(), Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DemoIdentity: id}); err == nil {
		t.Fatal("a newsroom not in demo mode accepted a journalist's identity")
	}
}
