package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"confide/internal/store/storetest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "confide-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "confide")
	out, err := exec.Command("go", "build", "-o", binary, "confide/cmd/confide").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building confide: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the binary to completion and returns its stdout.
func run(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("confide %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// server is a running confide.
type server struct {
	t    testing.TB
	cmd  *exec.Cmd
	urls map[string]string
	data string
	db   string
	// stdout and stderr are everything the server printed, its log: the
	// seizure scans read it as they read the data folder.
	stdout, stderr *syncBuffer
	stopped        bool
}

// serverTmp is the TMPDIR a server with this data folder runs with, beside
// the folder, so that the scans can prove nothing is spooled to temporary
// files outside it.
func serverTmp(data string) string { return filepath.Join(filepath.Dir(data), "server-tmp") }

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs "confide serve" (or demo, whose archive too) on free ports and
// waits for "ready".
func start(t testing.TB, sub, data, db string, extra ...string) *server {
	t.Helper()
	args := []string{sub, "--data", data, "--site", "127.0.0.1:0", "--dropbox", "127.0.0.1:0", "--newsroom", "127.0.0.1:0"}
	if sub == "demo" {
		args = append(args, "--archive", "127.0.0.1:0")
	}
	if db != "" {
		args = append(args, "--db", db)
	}
	args = append(args, extra...)
	cmd := exec.Command(binary, args...)
	if err := os.MkdirAll(serverTmp(data), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "TMPDIR="+serverTmp(data))
	stdout, _ := cmd.StdoutPipe()
	s := &server{t: t, cmd: cmd, urls: map[string]string{}, data: data, db: db, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		isReady := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.stdout, line)
			if isReady {
				continue // keep reading: the rest is log too
			}
			if line == "ready" {
				isReady = true
				ready <- nil
				continue
			}
			if k, v, ok := strings.Cut(line, ": "); ok {
				s.urls[k] = v
			}
		}
		io.Copy(s.stdout, stdout) // a line too long for the scanner
		if !isReady {
			ready <- fmt.Errorf("confide exited before it was ready")
		}
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("%v\n%s", err, s.stderr.String())
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("confide did not become ready\n%s", s.stderr.String())
	}
	return s
}

func (s *server) stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// kill ends the server with SIGKILL, as a crash or power cut would.
func (s *server) kill() {
	s.stopped = true
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// newsroom is a data folder with one journalist, on a backend: the embedded
// default through "confide demo", or PostgreSQL through "journalist add"
// with a key made outside the data folder, as a real newsroom does.
type newsroom struct {
	name, data, db, key string
	// user, pass and totp are the journalist's credentials.
	user, pass, totp string
}

// credentials reads "passphrase: …" and "totp: otpauth://…" lines.
func (n *newsroom) credentials(t testing.TB, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "passphrase: "); ok {
			n.pass = v
		}
		if v, ok := strings.CutPrefix(line, "totp: "); ok {
			u, err := url.Parse(v)
			if err != nil {
				t.Fatal(err)
			}
			n.totp = u.Query().Get("secret")
		}
	}
	if n.pass == "" || n.totp == "" {
		t.Fatalf("no credentials in %q", out)
	}
}

func newsrooms() []string { return []string{"sqlite", "postgres"} }

func setup(t testing.TB, backend string) *newsroom {
	t.Helper()
	n := &newsroom{name: backend, data: filepath.Join(t.TempDir(), "data")}
	if backend == "postgres" {
		n.db = storetest.PostgresDSN(t)
		n.addAdmin(t)
	} else {
		n.user = "demo"
		n.key = filepath.Join(n.data, "demo", "journalist-key.txt")
	}
	return n
}

// addAdmin adds ann, an admin, with "journalist add" and a key made
// outside the data folder, as a real newsroom does.
func (n *newsroom) addAdmin(t testing.TB) {
	t.Helper()
	n.key = filepath.Join(t.TempDir(), "journalist-key.txt")
	run(t, "keygen", "-o", n.key)
	out, err := exec.Command("age-keygen", "-y", n.key).Output()
	if err != nil {
		t.Fatal(err)
	}
	n.user = "ann"
	args := []string{"journalist", "add", "ann", "--admin", "--recipient", strings.TrimSpace(string(out)), "--data", n.data}
	if n.db != "" {
		args = append(args, "--db", n.db)
	}
	n.credentials(t, run(t, args...))
}

func (n *newsroom) start(t testing.TB, extra ...string) *server {
	if n.db == "" {
		s := start(t, "demo", n.data, "", extra...)
		creds, err := os.ReadFile(filepath.Join(n.data, "demo", "journalist-credentials.txt"))
		if err != nil {
			t.Fatal(err)
		}
		n.credentials(t, string(creds))
		return s
	}
	return start(t, "serve", n.data, n.db, extra...)
}

// ageDecrypt runs the stock age CLI on a file.
func ageDecrypt(t testing.TB, key, file string) []byte {
	t.Helper()
	out, err := exec.Command("age", "-d", "-i", key, file).Output()
	if err != nil {
		t.Fatalf("age -d %s: %v", file, err)
	}
	return out
}

// blobs lists the committed ciphertext files.
func blobs(t testing.TB, data string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(data, "blobs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".age") {
			out = append(out, p)
		}
		return nil
	})
	return out
}
