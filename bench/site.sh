#!/usr/bin/env bash
# Serves a story with 200 comments from confide and, in the same run, the
# same rendered HTML as a static file from nginx (Debian's nginx-light) and
# from a bare net/http handler (the ceiling for Confide's own path); measures
# them with wrk on both cores, then pinned one core each (server on core 0,
# wrk on core 1), and prints requests per second and the ratios, then how
# long a comment approved in the newsroom takes to appear.
#
# Both servers must answer 200 with the same bytes before anything is timed,
# and a run in which wrk saw any other status fails: an earlier version of
# this script timed nginx's 404 page, because nginx's workers (user nobody)
# could not read mktemp's 0700 folder.
# Usage: bench/site.sh [SECONDS] (needs: apt-get install wrk nginx-light; taskset is in util-linux)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
work=$(mktemp -d /tmp/confide-site-bench.XXXXXX)
chmod 755 "$work" # nginx's workers run as nobody
srv="" bare=""
stop_nginx() { for p in "$work"/nginx*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; true; }
trap 'kill $srv $bare 2>/dev/null || true; stop_nginx; rm -rf "$work"' EXIT

go build -o "$work/confide" ./cmd/confide
go build -o "$work/bench-site" ./bench/site
# start_confide [PREFIX...]: (re)starts the server on the same addresses, so
# the page (its canonical link names the site's address) stays the same.
start_confide() {
  : > "$work/server.out"
  GOGC=${GOGC:-100} "$@" "$work/confide" demo --data "$work/data" --site "${siteaddr:-127.0.0.1:0}" \
    --dropbox "${dropaddr:-127.0.0.1:0}" --newsroom "${newsaddr:-127.0.0.1:0}" --archive 127.0.0.1:0 >> "$work/server.out" 2>&1 &
  srv=$!
  for _ in $(seq 100); do grep -q '^ready$' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^ready$' "$work/server.out" || { cat "$work/server.out" >&2; echo "confide did not start" >&2; exit 1; }
  # The demo's archive reads its sample in the background: not while timing.
  for _ in $(seq 600); do grep -q 'archive sample: ready' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
}
start_confide
siteaddr=$(sed -n 's/^site: http:\/\///p' "$work/server.out")
dropaddr=$(sed -n 's/^dropbox: http:\/\///p' "$work/server.out")
newsaddr=$(sed -n 's/^newsroom: http:\/\///p' "$work/server.out")
site="http://$siteaddr"
"$work/bench-site" seed -data "$work/data" -comments 200
url="$site/stories/bench-story"

mkdir -p -m 755 "$work/www/stories"
curl -fsS "$url" > "$work/www/stories/bench-story.html"
comments=$(grep -o "class=\"comment[ \"]" "$work/www/stories/bench-story.html" | wc -l)
# nginx_conf WORKERS PORT: the same static site, on WORKERS workers.
nginx_conf() {
cat > "$work/nginx$2.conf" <<NGINX
worker_processes $1;
pid $work/nginx$2.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; }
  sendfile on; tcp_nopush on; # as Debian's default nginx.conf
  server {
    listen 127.0.0.1:$2;
    root $work/www;
    location / { try_files \$uri.html =404; }
  }
}
NGINX
}
nginx_conf 2 28181
nginx -c "$work/nginx28181.conf"
sleep 0.5
static="http://127.0.0.1:28181/stories/bench-story"
same() { curl -fsS "$1" | cmp - "$work/www/stories/bench-story.html" || { echo "$1 does not serve the same page" >&2; exit 1; }; }
same "$static"
same "$url"

# WRK holds how wrk runs: both cores by default, core 1 when pinned.
WRK=(wrk -t2 -c64)
rps() {
  local out
  out=$("${WRK[@]}" -d"${secs}s" "$@")
  if grep -q 'Non-2xx' <<<"$out"; then echo "wrk saw errors from $1:" >&2; echo "$out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
ours=$(rps "$url")
theirs=$(rps "$static")
cookie=$("$work/bench-site" session -data "$work/data")
grep -q 'action="/logout"' <<<"$(curl -fsS -H "Cookie: $cookie" "$url")" || { echo "the reader session does not sign in" >&2; exit 1; }
signed=$(rps -H "Cookie: $cookie" "$url")

# Pinned: every server alone on core 0 with one thread of work (GOMAXPROCS=1,
# one nginx worker), wrk alone on core 1 with 32 connections.
kill $srv; wait $srv 2>/dev/null || true
start_confide taskset -c 0 env GOMAXPROCS=1
same "$url"
nginx_conf 1 28183
taskset -c 0 nginx -c "$work/nginx28183.conf"
taskset -c 0 env GOMAXPROCS=1 "$work/bench-site" bare -file "$work/www/stories/bench-story.html" -listen 127.0.0.1:28182 &
bare=$!
sleep 0.5
same "http://127.0.0.1:28183/stories/bench-story"
same "http://127.0.0.1:28182/stories/bench-story"
WRK=(taskset -c 1 wrk -t1 -c32)
p_ours=$(rps "$url")
p_bare=$(rps "http://127.0.0.1:28182/stories/bench-story")
p_nginx=$(rps "http://127.0.0.1:28183/stories/bench-story")

awk -v a="$ours" -v b="$theirs" -v c="$signed" -v n="$comments" -v size="$(wc -c < "$work/www/stories/bench-story.html")" \
    -v pa="$p_ours" -v pb="$p_bare" -v pn="$p_nginx" 'BEGIN {
  printf "page:                  %d comments, %d bytes\n", n, size
  printf "both cores (server and wrk -t2 -c64 share them):\n"
  printf "  confide (site):        %.0f requests/s\n", a
  printf "  nginx (static file):   %.0f requests/s\n", b
  printf "  ratio (confide/nginx): %.2f   (target >= 0.50)\n", a / b
  printf "  signed-in reader:      %.0f requests/s, %.2f of nginx (rendered per request; no target)\n", c, c / b
  printf "pinned (server on core 0, wrk -t1 -c32 on core 1):\n"
  printf "  confide (site):        %.0f requests/s\n", pa
  printf "  bare net/http handler: %.0f requests/s (the same bytes, two headers: the ceiling)\n", pb
  printf "  nginx (static file):   %.0f requests/s\n", pn
  printf "  ratio (confide/nginx): %.2f   (target >= 0.55)\n", pa / pn
  printf "  ratio (bare/nginx):    %.2f\n", pb / pn
  printf "  ratio (confide/bare):  %.2f   (what Confide'"'"'s own path costs)\n", pa / pb
}'
"$work/bench-site" approve -data "$work/data" -url "$url" -newsroom "$(sed -n 's/^newsroom: //p' "$work/server.out")" \
  -pass "$(sed -n 's/^passphrase: //p' "$work/server.out")" -totp "$(sed -n 's/^totp: .*secret=\([A-Z2-7]*\).*/\1/p' "$work/server.out")"
