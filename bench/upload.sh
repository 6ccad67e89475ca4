#!/usr/bin/env bash
# Uploads a file (1 GiB by default) through the dropbox with
# `confide source submit`, and encrypts the same file with the stock age CLI
# in the same run. Prints both throughputs, their ratio, and the server's
# RSS growth during the upload (peak RSS minus RSS before it).
#
# Both sides end durable: the dropbox fsyncs each blob before it is visible,
# so the stock age run is followed by an fsync of its output (sync FILE).
#
# Usage: bench/upload.sh [SIZE_MIB]   (needs age, the Debian package)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
work=$(mktemp -d /tmp/confide-bench.XXXXXX)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/confide" ./cmd/confide
head -c "$((size_mib << 20))" /dev/urandom > "$work/payload.bin"

"$work/confide" demo --data "$work/data" --site 127.0.0.1:0 --dropbox 127.0.0.1:0 --newsroom 127.0.0.1:0 --archive 127.0.0.1:0 \
  > "$work/server.out" 2> "$work/server.err" &
srv=$!
for _ in $(seq 100); do grep -q '^ready$' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
# The demo's archive reads its sample in the background: not while timing.
for _ in $(seq 600); do grep -q 'archive sample: ready' "$work/server.err" 2>/dev/null && break; sleep 0.1; done
dropbox=$(sed -n 's/^dropbox: //p' "$work/server.out")
recipient=$(sed -n 's/^demo recipient: //p' "$work/server.out")

rss_kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$srv/status"; }
now() { date +%s.%N; }

# Warm up (first request, page cache of the binary).
echo warm > "$work/warm.txt"
"$work/confide" source submit --dropbox "$dropbox" --message-file "$work/warm.txt" > /dev/null
sleep 1
rss_before=$(rss_kib VmRSS)
# Reset the peak-RSS mark, so VmHWM covers the upload only (Linux >= 4.0).
echo 5 > "/proc/$srv/clear_refs"

t0=$(now)
"$work/confide" source submit --dropbox "$dropbox" --chunk-size $((64 << 20)) "$work/payload.bin" > /dev/null
t1=$(now)
rss_peak=$(rss_kib VmHWM)

t2=$(now)
age -r "$recipient" -o "$work/stock.age" "$work/payload.bin"
sync "$work/stock.age"
t3=$(now)

# The dropbox's copy must decrypt to the same bytes, or the figures mean nothing.
blob=$(ls -S $(find "$work/data/blobs" -name '*.age') | head -1)
# The plaintext is padded (zeros, up to 12 %): compare up to the payload's
# size, as the manifest's size tells a journalist to cut it (a process
# substitution, so that age stopped early by cmp does not trip pipefail).
cmp -n "$((size_mib << 20))" <(age -d -i "$work/data/demo/journalist-key.txt" "$blob") "$work/payload.bin"

awk -v mib="$size_mib" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v before="$rss_before" -v peak="$rss_peak" 'BEGIN {
  ours = mib / (b - a); stock = mib / (d - c);
  printf "payload:                    %d MiB\n", mib
  printf "confide source submit:      %.1f MiB/s (%.2f s)\n", ours, b - a
  printf "stock age + fsync:          %.1f MiB/s (%.2f s)\n", stock, d - c
  printf "ratio (confide / age):      %.2f   (target >= 0.70)\n", ours / stock
  printf "server RSS before upload:   %.1f MiB\n", before / 1024
  printf "server peak RSS:            %.1f MiB\n", peak / 1024
  printf "server RSS growth:          %.1f MiB (target <= 32)\n", (peak - before) / 1024
}'
