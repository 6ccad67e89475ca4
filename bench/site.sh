#!/usr/bin/env bash
# Serves a story with 200 comments from confide and, in the same run, the
# same rendered HTML as a static file from nginx (Debian's nginx-light);
# measures both with wrk and prints requests per second and their ratio,
# then how long a comment approved in the newsroom takes to appear.
#
# Both servers must answer 200 with the same bytes before anything is timed,
# and a run in which wrk saw any other status fails: an earlier version of
# this script timed nginx's 404 page, because nginx's workers (user nobody)
# could not read mktemp's 0700 folder.
# Usage: bench/site.sh [SECONDS] (needs: apt-get install wrk nginx-light)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
work=$(mktemp -d /tmp/confide-site-bench.XXXXXX)
chmod 755 "$work" # nginx's workers run as nobody
trap 'kill $srv 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/confide" ./cmd/confide
GOGC=${GOGC:-100} "$work/confide" demo --data "$work/data" --site 127.0.0.1:0 --dropbox 127.0.0.1:0 --newsroom 127.0.0.1:0 > "$work/server.out" 2>&1 &
srv=$!
for _ in $(seq 100); do grep -q '^ready$' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
site=$(sed -n 's/^site: //p' "$work/server.out")
go run ./bench/site seed -data "$work/data" -comments 200
url="$site/stories/bench-story"

mkdir -p -m 755 "$work/www/stories"
curl -fsS "$url" > "$work/www/stories/bench-story.html"
comments=$(grep -o "class=\"comment[ \"]" "$work/www/stories/bench-story.html" | wc -l)
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; }
  sendfile on; tcp_nopush on; # as Debian's default nginx.conf
  server {
    listen 127.0.0.1:28181;
    root $work/www;
    location / { try_files \$uri.html =404; }
  }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.5
static="http://127.0.0.1:28181/stories/bench-story"
curl -fsS "$static" | cmp - "$work/www/stories/bench-story.html" || { echo "nginx does not serve the page" >&2; exit 1; }
curl -fsS "$url" | cmp - "$work/www/stories/bench-story.html" || { echo "confide's page changed between fetches" >&2; exit 1; }

rps() {
  local out
  out=$(wrk -t2 -c64 -d"${secs}s" "$@")
  if grep -q 'Non-2xx' <<<"$out"; then echo "wrk saw errors from $1:" >&2; echo "$out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
ours=$(rps "$url")
theirs=$(rps "$static")
cookie=$(go run ./bench/site session -data "$work/data")
grep -q 'action="/logout"' <<<"$(curl -fsS -H "Cookie: $cookie" "$url")" || { echo "the reader session does not sign in" >&2; exit 1; }
signed=$(rps -H "Cookie: $cookie" "$url")
awk -v a="$ours" -v b="$theirs" -v c="$signed" -v n="$comments" -v size="$(wc -c < "$work/www/stories/bench-story.html")" 'BEGIN {
  printf "page:                  %d comments, %d bytes\n", n, size
  printf "confide (site):        %.0f requests/s\n", a
  printf "nginx (static file):   %.0f requests/s\n", b
  printf "ratio (confide/nginx): %.2f   (target >= 0.50)\n", a / b
  printf "signed-in reader:      %.0f requests/s, %.2f of nginx (rendered per request; no target)\n", c, c / b
}'
go run ./bench/site approve -data "$work/data" -url "$url" -newsroom "$(sed -n 's/^newsroom: //p' "$work/server.out")" \
  -pass "$(sed -n 's/^passphrase: //p' "$work/server.out")" -totp "$(sed -n 's/^totp: .*secret=\([A-Z2-7]*\).*/\1/p' "$work/server.out")"
