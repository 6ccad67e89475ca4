package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"confide/internal/archive"

	"golang.org/x/term"
)

// ingestMeter reports an archive run: on a terminal one line redrawn in place
// (files and pages done, rate, ETA, failures so far); otherwise a plain
// line per file, for logs and scripts. It counts files and pages, where
// internal/progress follows the bytes of a transfer.
type ingestMeter struct {
	mu       sync.Mutex // entry and setTotal come from the workers and the queueing
	w        io.Writer
	tty      bool
	total    int // files expected; 0 when unknown (a standing worker)
	files    int
	pages    int
	failures int
	start    time.Time
	last     time.Time
}

func newIngestMeter(w io.Writer, total int) *ingestMeter {
	f, ok := w.(*os.File)
	return &ingestMeter{w: w, tty: ok && term.IsTerminal(int(f.Fd())), total: total, start: time.Now()}
}

// setTotal corrects the files expected, once the queueing knows them.
func (p *ingestMeter) setTotal(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = n
}

// entry is called once per file processed.
func (p *ingestMeter) entry(e archive.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files++
	p.pages += e.Pages
	p.failures += e.Failed
	if e.State == archive.Failed && e.Failed == 0 {
		p.failures++
	}
	if !p.tty {
		switch {
		case e.State == archive.Failed:
			fmt.Fprintf(p.w, "failed %s: %s\n", e.Path, e.Reason)
		default:
			fmt.Fprintf(p.w, "done %s: %d documents, %d pages\n", e.Path, e.Docs, e.Pages)
		}
		for _, f := range e.Failures {
			if f.Reason != e.Reason {
				fmt.Fprintf(p.w, "  failed %s: %s\n", f.Path, f.Reason)
			}
		}
		if more := e.Failed - len(e.Failures); more > 0 {
			fmt.Fprintf(p.w, "  and %d more failed documents in %s (archive status lists them all)\n", more, e.Path)
		}
		return
	}
	if time.Since(p.last) < 100*time.Millisecond && p.files != p.total {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[K%s", p.line())
}

func (p *ingestMeter) line() string {
	el := time.Since(p.start).Seconds()
	rate := float64(p.files) / max(el, 0.001)
	s := fmt.Sprintf("%d", p.files)
	if p.total > 0 {
		s += fmt.Sprintf("/%d files (%d%%)", p.total, 100*p.files/p.total)
	} else {
		s += " files"
	}
	s += fmt.Sprintf(", %d pages, %.1f files/s", p.pages, rate)
	if p.total > p.files && rate > 0 {
		s += ", ETA " + (time.Duration(float64(p.total-p.files)/rate) * time.Second).Round(time.Second).String()
	}
	return s + fmt.Sprintf(", %d failed", p.failures)
}

// end finishes the terminal line.
func (p *ingestMeter) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.files > 0 {
		fmt.Fprintf(p.w, "\r\033[K%s\n", p.line())
	}
}
