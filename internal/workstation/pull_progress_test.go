package workstation

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"confide/internal/progress"
)

// A pull tells its Progress the bytes to come, then each download as it is
// written up to the item's size, and leaves a "wrote" line per file: plain
// lines only when the output is not a terminal, a line redrawn in place
// (named by the source's designation and the file's name) when it is.
func TestPullProgress(t *testing.T) {
	n := startNewsroom(t)
	n.submit("brave otter", "a message", "a file of some length")
	st, c := n.login(n.ts.URL)
	var plain bytes.Buffer
	c.Progress = progress.New(&plain)
	res, err := Pull(context.Background(), c, st, n.id, t.TempDir())
	if err != nil || len(res.Written) != 2 {
		t.Fatalf("pull: %+v %v", res, err)
	}
	want := "wrote " + res.Written[0] + "\nwrote " + res.Written[1] + "\n"
	if plain.String() != want {
		t.Fatalf("plain mode:\n got %q\nwant %q", plain.String(), want)
	}

	n.submit("brave otter", "a second message", "a second file")
	var tty bytes.Buffer
	now := time.Now()
	m := progress.NewTerminal(&tty, func() int { return 120 }, func() time.Time { now = now.Add(time.Second); return now })
	c.Progress = m
	res, err = Pull(context.Background(), c, st, n.id, t.TempDir())
	if err != nil || len(res.Written) != 2 {
		t.Fatalf("second pull: %+v %v", res, err)
	}
	out := tty.String()
	for _, s := range []string{"\rbrave otter: message  ", "\rbrave otter: doc.txt  ", "all ", "\rwrote " + res.Written[1] + "\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("terminal mode lacks %q: %q", s, out)
		}
	}
}
