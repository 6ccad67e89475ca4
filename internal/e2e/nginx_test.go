package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confide/internal/seal"
)

// startNginx runs Debian's nginx as a reverse proxy to target with its
// default proxy settings (buffering on, HTTP/1.0 upstream), from a config
// in a temp folder, on a free loopback port; it returns the proxy's URL and
// the folder with its logs.
func startNginx(t *testing.T, target string) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Fatal("nginx is required (apt-get install nginx-light)")
	}
	// Its workers run as nobody when started by root: they must reach the
	// temp folders (a large download may be buffered there, as ciphertext),
	// and t.TempDir's parent is 0700.
	dir, err := os.MkdirTemp("", "confide-nginx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	u, _ := url.Parse(target)
	conf := filepath.Join(dir, "nginx.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen %[2]s;
    location / {
      proxy_pass http://%[3]s;
      proxy_set_header Host $host;
    }
  }
}
`, dir, addr, u.Host)), 0o644)
	cmd := exec.Command("nginx", "-c", conf, "-p", dir)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if i == 100 {
			errlog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start: %s %s", stderr.String(), errlog)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "http://" + addr, dir
}

// TestWorkstationThroughNginx logs in, pulls and replies through a real
// nginx reverse proxy, as a newsroom behind the usual TLS terminator is
// reached: the signatures must survive it. The journalist never opened the
// web page, so the login's code also confirms the second factor.
func TestWorkstationThroughNginx(t *testing.T) {
	n := setup(t, "postgres")
	srv := n.start(t)
	proxy, logs := startNginx(t, srv.urls["newsroom"])
	dir := t.TempDir()
	archive := make([]byte, 3<<20) // past nginx's memory buffers: spooled to disk
	rand.Read(archive)
	os.WriteFile(filepath.Join(dir, "archive.bin"), archive, 0o600)
	os.WriteFile(filepath.Join(dir, "msg.txt"), []byte("Through the proxy."), 0o600)
	codeFile := filepath.Join(dir, "codename")
	run(t, "source", "submit", "--dropbox", srv.urls["dropbox"], "--codename-out", codeFile, "--message-file", filepath.Join(dir, "msg.txt"), filepath.Join(dir, "archive.bin"))

	state, out := filepath.Join(dir, "state"), filepath.Join(dir, "pulled")
	code, _ := seal.TOTPCode(n.totp, time.Now())
	login := exec.Command(binary, "workstation", "login", "--newsroom", proxy+"/", "--user", n.user, "--state", state)
	login.Stdin = strings.NewReader(n.pass + "\n" + code + "\n")
	var stderr bytes.Buffer
	login.Stderr = &stderr
	if msg, err := login.Output(); err != nil || !strings.Contains(string(msg), "logged in as "+n.user) {
		t.Fatalf("login through nginx: %v %s %s", err, msg, stderr.String())
	}
	if !strings.Contains(stderr.String(), srv.urls["newsroom API key"]) {
		t.Fatalf("the key trusted on first use is not the newsroom's: %s", stderr.String())
	}
	pulled := runIn(t, "", "workstation", "pull", "--identity", n.key, "--out", out, "--state", state)
	if !strings.Contains(pulled, "2 new item(s) from 1 source(s)") {
		t.Fatalf("pull through nginx: %q", pulled)
	}
	var gotArchive bool
	var designation string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, "-archive.bin") {
			b, _ := os.ReadFile(p)
			gotArchive = bytes.Equal(b, archive)
			designation = filepath.Base(filepath.Dir(p))
		}
		return nil
	})
	if !gotArchive {
		t.Fatal("the archive pulled through nginx is not the one submitted")
	}
	os.WriteFile(filepath.Join(dir, "reply.txt"), []byte("Reply through nginx."), 0o600)
	runIn(t, "", "workstation", "reply", "--identity", n.key, "--source", designation, "--message-file", filepath.Join(dir, "reply.txt"), "--state", state)
	if r := run(t, "source", "replies", "--dropbox", srv.urls["dropbox"], "--codename-file", codeFile); !strings.Contains(r, "Reply through nginx.") {
		t.Fatalf("source replies: %q", r)
	}
	// It really went through nginx, and nginx had nothing to complain of.
	logged, _ := os.ReadFile(filepath.Join(logs, "access.log"))
	for _, want := range []string{"GET /api/v1/key", "POST /api/v1/token", "GET /api/v1/sync", "GET /api/v1/items/", "/replies"} {
		if !strings.Contains(string(logged), want) {
			t.Fatalf("nginx did not carry %q:\n%s", want, logged)
		}
	}
	errlog, _ := os.ReadFile(filepath.Join(logs, "error.log"))
	for _, level := range []string{"[error]", "[crit]", "[alert]", "[emerg]"} {
		if strings.Contains(string(errlog), level) {
			t.Fatalf("nginx's error log:\n%s", errlog)
		}
	}
}
