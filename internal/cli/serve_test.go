package cli

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Every listener has a deadline for headers, for each read of a body, and
// for idle keep-alives; the site, newsroom and demo archive also for a whole body, the
// dropbox not (uploads over Tor are slow) but still for a stalled one.
func TestEveryListenerHasDeadlines(t *testing.T) {
	for name, tt := range map[string]timeouts{"dropbox": dropboxTimeouts, "newsroom": newsroomTimeouts, "site": siteTimeouts, "archive": archiveTimeouts} {
		s := tt.server(http.NotFoundHandler())
		if s.ReadHeaderTimeout <= 0 || s.IdleTimeout <= 0 || tt.bodyIdle <= 0 || (name != "dropbox" && tt.body <= 0) {
			t.Errorf("%s: %+v", name, tt)
		}
	}
}

// bodyServer serves tt's deadlines around a handler that reads the whole
// body, and counts the bodies that arrived whole.
func bodyServer(t *testing.T, tt timeouts) (addr string, whole *atomic.Int32) {
	whole = new(atomic.Int32)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := tt.server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err == nil {
			whole.Add(1)
		}
	}))
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return l.Addr().String(), whole
}

// slowBody opens a connection, sends headers for a body of n bytes and
// then sends one byte every gap; it returns when the server closes the
// connection or after the n bytes, with the time it took.
func slowBody(t *testing.T, addr string, n int, gap time.Duration) (time.Duration, bool) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		return 0, false
	}
	defer c.Close()
	start := time.Now()
	fmt.Fprintf(c, "POST /submit HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", n)
	closed := make(chan struct{})
	go func() { io.Copy(io.Discard, c); close(closed) }()
	for i := 0; i < n; i++ {
		select {
		case <-closed:
			return time.Since(start), true
		case <-time.After(gap):
		}
		if _, err := c.Write([]byte("x")); err != nil {
			return time.Since(start), true
		}
	}
	c.(*net.TCPConn).CloseWrite()
	<-closed
	return time.Since(start), false
}

// Twenty clients that send headers and then stall are all cut off after
// the body deadline, not kept for ever (they were, before it existed).
func TestStalledBodiesAreCutOff(t *testing.T) {
	addr, whole := bodyServer(t, timeouts{header: time.Second, bodyIdle: 200 * time.Millisecond, idle: time.Second})
	done := make(chan time.Duration, 20)
	for i := 0; i < 20; i++ {
		go func() {
			took, _ := slowBody(t, addr, 1, time.Hour)
			done <- took
		}()
	}
	timeout := time.After(5 * time.Second)
	for i := 0; i < 20; i++ {
		select {
		case <-done:
		case <-timeout:
			t.Fatalf("%d of 20 stalled connections still open after 5 s", 20-i)
		}
	}
	if whole.Load() != 0 {
		t.Fatal("a stalled body counted as whole")
	}
}

// A body that keeps coming, slowly, is kept as long as it makes progress
// on the dropbox (no total limit), and cut off at the total on a zone
// that has one.
func TestSlowButSteadyBodies(t *testing.T) {
	steady := timeouts{header: time.Second, bodyIdle: time.Second, idle: time.Second}
	addr, whole := bodyServer(t, steady)
	if took, cut := slowBody(t, addr, 12, 100*time.Millisecond); cut || whole.Load() != 1 {
		t.Fatalf("a steady body was cut off after %v (whole: %d)", took, whole.Load())
	}
	steady.body = 500 * time.Millisecond
	addr, whole = bodyServer(t, steady)
	took, cut := slowBody(t, addr, 30, 100*time.Millisecond)
	if !cut || whole.Load() != 0 || took > 2*time.Second {
		t.Fatalf("a 3 s body against a 500 ms limit: cut %v after %v (whole: %d)", cut, took, whole.Load())
	}
}

// A handler that is slow after reading its body is not taken for a slow
// client: the deadline ends with the body, and the request's context
// lives on.
func TestSlowHandlerKeepsItsContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := timeouts{header: time.Second, bodyIdle: 100 * time.Millisecond, idle: time.Second}.server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		r.Body.Read(make([]byte, 1)) // as a decoder checking for trailing data does
		time.Sleep(400 * time.Millisecond)
		if err := r.Context().Err(); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		io.WriteString(w, "done")
	}))
	go s.Serve(l)
	defer s.Close()
	resp, err := http.Post("http://"+l.Addr().String()+"/", "text/plain", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "done" {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}
