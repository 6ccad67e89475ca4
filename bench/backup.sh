#!/usr/bin/env bash
# Times `confide backup` of a running demo server's data folder against
# `tar` of the same folder in the same run, and `tar | age` (the same work
# with the stock tools: archive, then encrypt). Each output is fsynced, as
# confide's is. The data: FILES files of SIZE_MIB MiB each plus 20 short
# messages, submitted through the dropbox. The three are run in turn, three
# rounds, and each one's median is printed: a shared machine is noisy.
#
# Then the same for an archive: `confide archive backup` of an archive
# being served (FILES originals of SIZE_MIB MiB, half of them Russian text,
# and 200 short letters, ingested) against `tar` and `tar | age` of its data folder.
#
# The figures only count if the work was done: each snapshot is restored
# and every blob (original) compared with the one it came from, and the tar
# archives must list the same blobs (originals).
#
# Usage: bench/backup.sh [SIZE_MIB] [FILES]   (needs age, tar and snowball-data)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-32}
files=${2:-16}
work=$(mktemp -d /tmp/confide-bench.XXXXXX)
trap 'kill $srv 2>/dev/null || true; kill $asrv 2>/dev/null || true; rm -rf "$work"' EXIT
asrv=

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
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# measure NAME DIR COMMAND...: three rounds of COMMAND --out $work/NAME.age,
# tar of DIR to $work/NAME.tar and tar | age of DIR to $work/NAME-tar.age,
# in turn; sets ours, plain and stock to the medians.
measure() {
  local name=$1 dir=$2 t0 t1 t2 t3
  shift 2
  local o=() p=() g=()
  sync
  for _ in 1 2 3; do
    rm -f "$work/$name.age" "$work/$name.tar" "$work/$name-tar.age"
    t0=$(now)
    "$@" --out "$work/$name.age" > /dev/null
    t1=$(now)
    tar -C "$dir" -cf "$work/$name.tar" .
    sync "$work/$name.tar"
    t2=$(now)
    tar -C "$dir" -cf - . | age -r "$admin" -o "$work/$name-tar.age"
    sync "$work/$name-tar.age"
    t3=$(now)
    o+=("$(since "$t0" "$t1")") p+=("$(since "$t1" "$t2")") g+=("$(since "$t2" "$t3")")
  done
  ours=$(median "${o[@]}") plain=$(median "${p[@]}") stock=$(median "${g[@]}")
}

# same ORIG RESTORED PATTERN NAME: the restored folder holds the same files
# matching PATTERN (find -name) as the original, byte for byte, and both
# tar archives of NAME list that many; sets n to their number.
same() {
  (cd "$1" && find . -type f -name "$3" | sort) > "$work/list.orig"
  (cd "$2" && find . -type f -name "$3" | sort) > "$work/list.restored"
  cmp "$work/list.orig" "$work/list.restored"
  while read -r f; do cmp "$1/$f" "$2/$f"; done < "$work/list.orig"
  n=$(wc -l < "$work/list.orig")
  local re=${5:-'\.age$'}
  [ "$(tar -tf "$work/$4.tar" | grep -c "$re")" -eq "$n" ]
  [ "$(age -d -i "$work/admin.txt" "$work/$4-tar.age" | tar -t | grep -c "$re")" -eq "$n" ]
}

# report WHAT DIR FILES NAME: the figures of the last measure.
report() {
  awk -v what="$1" -v mib="$(du -sm "$2" | cut -f1)" -v files="$3" -v o="$ours" -v t="$plain" -v g="$stock" \
    -v s="$(stat -c %s "$work/$4.age")" -v p="$(stat -c %s "$work/$4.tar")" 'BEGIN {
    printf "%s: %d MiB, %s\n", what, mib, files
    printf "  confide (encrypted):    %.2f s (%.1f MiB/s), %.1f MiB\n", o, mib / o, s / 1048576
    printf "  tar (plain, fsynced):   %.2f s (%.1f MiB/s), %.1f MiB\n", t, mib / t, p / 1048576
    printf "  tar | age (fsynced):    %.2f s (%.1f MiB/s)\n", g, mib / g
    printf "  time ratio (confide / tar):     %.2f\n", o / t
    printf "  time ratio (confide / tar|age): %.2f\n", o / g
  }'
}

measure newsroom "$work/data" "$work/confide" backup --data "$work/data" --recipient "$admin"
# The work was done: the snapshot restores to the same blobs, and the tar
# archives hold them too.
"$work/confide" restore --in "$work/newsroom.age" --identity "$work/admin.txt" --data "$work/restored" > /dev/null
same "$work/data/blobs" "$work/restored/blobs" '*.age' newsroom
report "newsroom data folder (confide backup)" "$work/data" "$n blobs" newsroom

# The archive: originals of SIZE_MIB MiB (text and binary), short letters,
# ingested (without OCR) and then served while it is backed up.
mkdir -p "$work/trove/letters"
for i in $(seq "$files"); do
  if [ $((i % 2)) -eq 0 ]; then
    # Russian words in random order (snowball-data's vocabulary), about
    # SIZE_MIB MiB: text an index meets, not random tokens.
    shuf -r -n "$(((size_mib << 20) / 17))" /usr/share/snowball/data/russian/voc.txt | paste -d ' ' - - - - - - - - - - > "$work/trove/doc$i.txt"
  else
    head -c "$((size_mib << 20))" /dev/urandom > "$work/trove/scan$i.bin"
  fi
done
for i in $(seq 200); do echo "Письмо номер $i: архив, дело $((i * 7))." > "$work/trove/letters/$i.txt"; done
"$work/confide" archive ingest --data "$work/archive" --no-ocr --collection bench "$work/trove" > /dev/null 2> "$work/ingest.err" || true
rm -rf "$work/trove"
"$work/confide" archive serve --data "$work/archive" --listen 127.0.0.1:0 > "$work/archive.out" 2> "$work/archive.err" &
asrv=$!
for _ in $(seq 100); do grep -q '^archive: http' "$work/archive.out" 2>/dev/null && break; sleep 0.1; done

measure archive "$work/archive" "$work/confide" archive backup --data "$work/archive" --recipient "$admin"
# A restore rebuilds the index the snapshot leaves out: its time is the
# price of that choice.
t0=$(now)
"$work/confide" archive restore --in "$work/archive.age" --identity "$work/admin.txt" --data "$work/arestored" > /dev/null
arestore=$(since "$t0" "$(now)")
same "$work/archive/originals" "$work/arestored/originals" '*' archive '^\./originals/../.\{64\}$'
report "archive data folder (confide archive backup; index and database included)" "$work/archive" "$n originals" archive
echo "  confide archive restore (once, index rebuilt): $arestore s"
