package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// On a terminal the line is redrawn in place with bytes, rate and time
// left, per file and in total, never more often than Interval, never as
// wide as the terminal, and a finished file leaves its own line.
func TestTerminalRendering(t *testing.T) {
	c := &clock{time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	m := NewTerminal(&out, func() int { return 200 }, c.now)
	m.Grow(3 << 20)
	m.Start("a.bin", 2<<20)
	c.t = c.t.Add(2 * time.Second)
	m.Set(1 << 20) // 1 MiB in 2 s: 512 KiB/s, 1 MiB left of the file, 2 of all
	want := "a.bin  1.0 MiB / 2.0 MiB  512.0 KiB/s  0:02 left  ·  all 1.0 MiB / 3.0 MiB (33%)  0:04 left"
	if got := m.Line(c.t); got != want {
		t.Fatalf("line\n got %q\nwant %q", got, want)
	}
	if !strings.HasSuffix(out.String(), "\r"+want) {
		t.Fatalf("not redrawn in place: %q", out.String())
	}
	// Within Interval, no redraw.
	n := out.Len()
	c.t = c.t.Add(100 * time.Millisecond)
	m.Set(1<<20 + 1)
	if out.Len() != n {
		t.Fatalf("redrawn within %v: %q", m.Interval, out.String()[n:])
	}
	// The end is drawn at once (2 MiB in 2.1 s), and only once however
	// often it is said.
	m.Set(2 << 20)
	if !strings.HasSuffix(out.String(), "\ra.bin  2.0 MiB / 2.0 MiB  975.2 KiB/s  done  ·  all 2.0 MiB / 3.0 MiB (66%)  0:01 left") {
		t.Fatalf("end of the file not drawn: %q", out.String()[n:])
	}
	n = out.Len()
	m.Set(2 << 20)
	c.t = c.t.Add(time.Second)
	m.Set(2 << 20)
	if out.Len() != n {
		t.Fatalf("the same line drawn again: %q", out.String()[n:])
	}
	m.Finish("uploaded a.bin")
	if !strings.HasSuffix(out.String(), "\ruploaded a.bin\n") {
		t.Fatalf("finish: %q", out.String())
	}
	// A shorter line wipes what the longer one left.
	m.Start("b", 1<<20)
	last := out.String()[strings.LastIndex(out.String(), "\n")+1:]
	if !strings.HasPrefix(last, "\rb  0 B / 1.0 MiB  –/s  time left unknown  ·  all 2.0 MiB / 3.0 MiB (66%)") {
		t.Fatalf("second file: %q", last)
	}
}

// A narrow terminal gets a cut line, one column short of its width, so it
// never wraps (a wrapped line cannot be redrawn with \r).
func TestTerminalWidth(t *testing.T) {
	c := &clock{time.Now()}
	var out bytes.Buffer
	m := NewTerminal(&out, func() int { return 30 }, c.now)
	m.Grow(10 << 30)
	m.Start("a-long-file-name-of-a-leak.zip", 10<<30)
	line := strings.TrimPrefix(out.String(), "\r")
	if utf8.RuneCountInString(line) != 29 || !strings.HasSuffix(line, "…") || !strings.HasPrefix(line, "a-long-file-name") {
		t.Fatalf("%d runes: %q", utf8.RuneCountInString(line), line)
	}
}

// Hours are shown as such, and a resumed chunk may set the count back.
func TestTimeLeft(t *testing.T) {
	c := &clock{time.Now()}
	var out bytes.Buffer
	m := NewTerminal(&out, func() int { return 200 }, c.now)
	m.Start("x", 4<<30)
	c.t = c.t.Add(time.Second)
	m.Set(1 << 20)
	if l := m.Line(c.t); !strings.Contains(l, "1.0 MiB/s") || !strings.Contains(l, "1:08:15 left") {
		t.Fatalf("%q", l)
	}
	m.Set(512 << 10)
	if l := m.Line(c.t); !strings.HasPrefix(l, "x  512.0 KiB / 4.0 GiB") {
		t.Fatalf("after going back: %q", l)
	}
}

// Anywhere but a terminal only the finished files' lines are written: no
// carriage return, no escape, nothing while a file is under way.
func TestPlain(t *testing.T) {
	var out bytes.Buffer
	m := New(&out)
	if m.tty {
		t.Fatal("a buffer taken for a terminal")
	}
	m.Grow(20)
	m.Start("a", 10)
	m.Set(5)
	m.Set(10)
	if out.Len() != 0 {
		t.Fatalf("progress in plain mode: %q", out.String())
	}
	m.Finish("uploaded a (10 bytes)")
	m.Start("b", 10)
	m.Clear()
	m.Finish("uploaded b (10 bytes)")
	if got := out.String(); got != "uploaded a (10 bytes)\nuploaded b (10 bytes)\n" {
		t.Fatalf("%q", got)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
