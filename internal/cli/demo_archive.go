package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"confide/internal/archive"
	"confide/internal/archive/sample"
	"confide/internal/ingest/ocr"
	"confide/internal/seal"
)

// demoArchiveUser is the demo archive's account, an admin.
const demoArchiveUser = "demo"

// refuseArchiveFlag answers `serve --archive`: serve never runs the
// archive, whose plaintext must not sit beside the internet-facing zones.
func refuseArchiveFlag(args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); strings.HasPrefix(a, "-") && name == "archive" {
			return usagef("serve never runs the archive: it holds plaintext, so it runs on its own as confide archive serve, on a machine the newsroom trusts (only the demo runs one beside the other zones, for newcomers)")
		}
	}
	return nil
}

// loopbackOnly refuses a demo archive address off this machine.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--archive %q is not host:port", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("--archive %s is not a loopback address: the demo's archive holds plaintext and listens on this machine only (a real archive runs as confide archive serve)", addr)
	}
	return nil
}

// demoArchive opens the demo's archive in its own folder under the demo's
// data folder, makes its demo user once (credentials written beside the
// demo journalist's and printed, as demoSetup does), and queues the sample
// trove, which is idempotent. Processing is left to the caller, in the
// background, so that no zone waits for OCR.
func (e *env) demoArchive(ctx context.Context, data string) (*archive.Archive, error) {
	dir := absOr(filepath.Join(data, "archive"))
	noOCR := false
	if err := ocr.CheckLang(sample.OCRLang); err != nil {
		noOCR = true
		fmt.Fprintf(e.stdout, "archive sample: no OCR (%v): the sample's scanned page stays unread; install tesseract-ocr-rus and tesseract-ocr-eng, then run confide archive reprocess --data %s --collection %s with the demo stopped\n", err, dir, sample.Collection)
	}
	a, err := archive.Open(ctx, archive.Config{Dir: dir, Who: "confide demo", NoOCR: noOCR})
	if err != nil {
		return nil, err
	}
	credFile := absOr(filepath.Join(data, "demo", "archive-credentials.txt"))
	creds, err := a.AddUser(ctx, archive.Issuer, demoArchiveUser, archive.RoleAdmin, nil, seal.DefaultParams)
	switch {
	case errors.Is(err, archive.ErrExists):
		b, err := os.ReadFile(credFile)
		if err != nil {
			// Killed between the account and its file: the secrets are
			// gone, and only a fresh archive makes new ones.
			fmt.Fprintf(e.stdout, "demo archive user: %s (its credentials are lost: %s is missing; stop the demo and delete %s to make the archive afresh)\n", demoArchiveUser, credFile, dir)
			break
		}
		fmt.Fprintf(e.stdout, "demo archive user: %s\n%s", demoArchiveUser, prefixLines(string(b), "archive "))
	case err != nil:
		a.Close()
		return nil, err
	default:
		lines := fmt.Sprintf("passphrase: %s\ntotp: %s\n", creds.Passphrase, creds.TOTPURI)
		err := os.MkdirAll(filepath.Dir(credFile), 0o700)
		if err == nil {
			err = os.WriteFile(credFile, []byte(lines), 0o600)
		}
		if err != nil {
			a.Close()
			return nil, err
		}
		debug.FreeOSMemory() // the passphrase hash's 64 MiB
		fmt.Fprintf(e.stdout, "demo archive user: %s (admin; credentials in %s)\n%s", demoArchiveUser, credFile, prefixLines(lines, "archive "))
	}
	n, err := sample.Queue(ctx, a)
	if err != nil {
		a.Close()
		return nil, err
	}
	if n > 0 {
		fmt.Fprintf(e.stdout, "archive sample: %d files queued in the collection %q, read in the background (its page shows the progress)\n", n, sample.Collection)
	}
	return a, nil
}

// demoIngest processes the sample's queue (what a first start queued, or
// what an interrupted one left), adds its translation, and logs how it
// ended.
func demoIngest(ctx context.Context, a *archive.Archive, log *slog.Logger) {
	err := a.Work(ctx, archive.WorkOptions{Collection: sample.Collection, Workers: runtime.NumCPU(), UntilEmpty: true})
	if err != nil {
		if ctx.Err() == nil {
			log.Error("archive sample: ingest stopped", "err", err)
		}
		return
	}
	if _, err := sample.Translate(ctx, a); err != nil {
		log.Error("archive sample: the translation", "err", err)
	}
	st, err := a.Status(ctx)
	if err != nil {
		log.Error("archive sample", "err", err)
		return
	}
	for _, c := range st {
		if c.Name == sample.Collection {
			log.Info("archive sample: ready", "files", c.Done, "failed", c.Failed, "documents", c.Docs, "pages", c.Pages)
		}
	}
}

func prefixLines(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}
