// Package progress shows a long transfer's progress on the command line.
//
// Contract: on a terminal, one line is redrawn in place (\r) at most every
// Interval, with the current file's bytes, rate and time left and the same
// for the whole transfer; each finished file leaves one line. Anywhere else
// (a pipe, a log, a script) only the finished files' lines are written,
// with no carriage return or escape, so scripts and logs stay clean.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// Meter follows one transfer of several files, one at a time.
type Meter struct {
	w   io.Writer
	tty bool
	// Width is the terminal's width in columns; a line never fills it.
	Width func() int
	// Now is the clock.
	Now func() time.Time
	// Interval is the least time between two redraws.
	Interval time.Duration

	total, base   int64 // all bytes, and those of finished files
	name          string
	size, cur     int64
	start, fstart time.Time
	drawn         time.Time
	drawnCur      int64 // the current file's bytes when last drawn
	shown         int   // runes of the line on screen
	started       bool
}

// New writes to w, redrawing in place only when w is a terminal.
func New(w io.Writer) *Meter {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return NewTerminal(w, func() int {
			if c, _, err := term.GetSize(int(f.Fd())); err == nil && c > 0 {
				return c
			}
			return 80
		}, time.Now)
	}
	return &Meter{w: w, Now: time.Now}
}

// NewTerminal writes to w as to a terminal width columns wide.
func NewTerminal(w io.Writer, width func() int, now func() time.Time) *Meter {
	return &Meter{w: w, tty: true, Width: width, Now: now, Interval: 250 * time.Millisecond}
}

// Grow adds n bytes to the transfer's total (files found as it goes).
func (m *Meter) Grow(n int64) { m.total += n }

// Start begins a file of size bytes.
func (m *Meter) Start(name string, size int64) {
	now := m.Now()
	if !m.started {
		m.start, m.started = now, true
	}
	m.name, m.size, m.cur, m.fstart, m.drawnCur = name, size, 0, now, 0
	m.draw(true)
}

// Set says how many of the current file's bytes have gone through. It may
// go back (a chunk sent again after a dropped connection).
func (m *Meter) Set(done int64) {
	m.cur = min(max(done, 0), m.size)
	m.draw(false)
}

// Finish ends the current file and leaves line for it (in both modes).
func (m *Meter) Finish(line string) {
	m.base += m.size
	m.name, m.size, m.cur = "", 0, 0
	m.clear()
	fmt.Fprintln(m.w, line)
}

// Clear removes the progress line, so what is printed next (an error)
// starts at the beginning of a clean line.
func (m *Meter) Clear() { m.clear() }

func (m *Meter) clear() {
	if m.tty && m.shown > 0 {
		fmt.Fprintf(m.w, "\r%s\r", strings.Repeat(" ", m.shown))
		m.shown = 0
	}
}

func (m *Meter) draw(force bool) {
	if !m.tty {
		return
	}
	now := m.Now()
	// The end of a file is always drawn, once; anything else at most
	// every Interval, and only if it moved.
	if !force && (m.cur == m.drawnCur || (now.Sub(m.drawn) < m.Interval && m.cur < m.size)) {
		return
	}
	m.drawn, m.drawnCur = now, m.cur
	line := m.Line(now)
	if lim := m.Width() - 1; utf8.RuneCountInString(line) > lim {
		line = string([]rune(line)[:max(lim-1, 0)]) + "…"
	}
	n := utf8.RuneCountInString(line)
	pad := ""
	if m.shown > n {
		pad = strings.Repeat(" ", m.shown-n)
	}
	fmt.Fprintf(m.w, "\r%s%s", line, pad)
	if pad != "" {
		fmt.Fprintf(m.w, "\r%s", line)
	}
	m.shown = n
}

// Line is the progress line at now: the current file, then the total.
func (m *Meter) Line(now time.Time) string {
	fileRate := rate(m.cur, now.Sub(m.fstart))
	all := m.base + m.cur
	allRate := rate(all, now.Sub(m.start))
	s := fmt.Sprintf("%s  %s / %s  %s  %s", m.name, Size(m.cur), Size(m.size), speed(fileRate), left(m.size-m.cur, fileRate))
	if m.total > m.size {
		pct := 0
		if m.total > 0 {
			pct = int(all * 100 / m.total)
		}
		s += fmt.Sprintf("  ·  all %s / %s (%d%%)  %s", Size(all), Size(m.total), pct, left(m.total-all, allRate))
	}
	return s
}

func rate(n int64, d time.Duration) float64 {
	if d < 100*time.Millisecond || n <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func speed(r float64) string {
	if r == 0 {
		return "–/s"
	}
	return Size(int64(r)) + "/s"
}

func left(n int64, r float64) string {
	if n <= 0 {
		return "done"
	}
	if r == 0 {
		return "time left unknown"
	}
	d := time.Duration(float64(n) / r * float64(time.Second)).Round(time.Second)
	h, mnt, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d left", h, mnt, sec)
	}
	return fmt.Sprintf("%d:%02d left", mnt, sec)
}

// Size is n bytes for a person: "512 B", "3.4 MiB".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[i])
}
