#!/usr/bin/env bash
# Times `confide backup` of a running demo server's data folder against
# `tar` of the same folder in the same run, and `tar | age` (the same work
# with the stock tools: archive, then encrypt). Each output is fsynced, as
# confide's is. The data: FILES files of SIZE_MIB MiB each plus 20 short
# messages, submitted through the dropbox. The three are run in turn, three
# rounds, and each one's median is printed: a shared machine is noisy.
#
# The figures only count if the work was done: the snapshot is restored
# and every blob compared with the original, and the tar archives must
# list the same blobs.
#
# Usage: bench/backup.sh [SIZE_MIB] [FILES]   (needs age and tar)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-32}
files=${2:-16}
work=$(mktemp -d /tmp/confide-bench.XXXXXX)
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/confide" ./cmd/confide
"$work/confide" demo --data "$work/data" --site 127.0.0.1:0 --dropbox 127.0.0.1:0 --newsroom 127.0.0.1:0 --archive 127.0.0.1:0 \
  > "$work/server.out" 2> "$work/server.err" &
srv=$!
for _ in $(seq 100); do grep -q '^ready$' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
# The demo's archive reads its sample in the background: not while timing.
for _ in $(seq 600); do grep -q 'archive sample: ready' "$work/server.err" 2>/dev/null && break; sleep 0.1; done
dropbox=$(sed -n 's/^dropbox: //p' "$work/server.out")

args=()
for i in $(seq "$files"); do
  head -c "$((size_mib << 20))" /dev/urandom > "$work/file$i.bin"
  args+=("$work/file$i.bin")
done
"$work/confide" source submit --dropbox "$dropbox" --codename-out "$work/codename" --chunk-size $((64 << 20)) "${args[@]}" > /dev/null
rm -f "${args[@]}"
for i in $(seq 20); do
  echo "message $i" > "$work/m.txt"
  "$work/confide" source submit --dropbox "$dropbox" --codename-file "$work/codename" --message-file "$work/m.txt" > /dev/null
done

"$work/confide" keygen -o "$work/admin.txt" 2> /dev/null
admin=$(age-keygen -y "$work/admin.txt")
du_mib=$(du -sm "$work/data" | cut -f1)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }
sync

ours=() plain=() stock=()
for _ in 1 2 3; do
  rm -f "$work/snapshot.age" "$work/plain.tar" "$work/tar.age"
  t0=$(now)
  "$work/confide" backup --data "$work/data" --recipient "$admin" --out "$work/snapshot.age" > /dev/null
  t1=$(now)
  tar -C "$work/data" -cf "$work/plain.tar" .
  sync "$work/plain.tar"
  t2=$(now)
  tar -C "$work/data" -cf - . | age -r "$admin" -o "$work/tar.age"
  sync "$work/tar.age"
  t3=$(now)
  ours+=("$(since "$t0" "$t1")") plain+=("$(since "$t1" "$t2")") stock+=("$(since "$t2" "$t3")")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# The work was done: the snapshot restores to the same blobs, and the tar
# archives hold them too.
"$work/confide" restore --in "$work/snapshot.age" --identity "$work/admin.txt" --data "$work/restored" > /dev/null
(cd "$work/data/blobs" && find . -name '*.age' | sort) > "$work/blobs.orig"
(cd "$work/restored/blobs" && find . -name '*.age' | sort) > "$work/blobs.restored"
cmp "$work/blobs.orig" "$work/blobs.restored"
while read -r b; do cmp "$work/data/blobs/$b" "$work/restored/blobs/$b"; done < "$work/blobs.orig"
n=$(wc -l < "$work/blobs.orig")
[ "$(tar -tf "$work/plain.tar" | grep -c '\.age$')" -eq "$n" ]
[ "$(age -d -i "$work/admin.txt" "$work/tar.age" | tar -t | grep -c '\.age$')" -eq "$n" ]

awk -v mib="$du_mib" -v n="$n" -v o="$(median "${ours[@]}")" -v t="$(median "${plain[@]}")" -v g="$(median "${stock[@]}")" \
  -v s="$(stat -c %s "$work/snapshot.age")" -v p="$(stat -c %s "$work/plain.tar")" 'BEGIN {
  printf "data folder:                %d MiB, %d blobs\n", mib, n
  printf "confide backup (encrypted): %.2f s (%.1f MiB/s), %.1f MiB\n", o, mib / o, s / 1048576
  printf "tar (plain, fsynced):       %.2f s (%.1f MiB/s), %.1f MiB\n", t, mib / t, p / 1048576
  printf "tar | age (fsynced):        %.2f s (%.1f MiB/s)\n", g, mib / g
  printf "time ratio (confide / tar):     %.2f\n", o / t
  printf "time ratio (confide / tar|age): %.2f\n", o / g
}'
