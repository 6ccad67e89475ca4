#!/usr/bin/env bash
# Seeds 10,000 sources and 100,000 submissions and prints the median and p99
# of the newsroom inbox page and the time of a full workstation sync of
# metadata, on SQLite and, when CONFIDE_BENCH_POSTGRES names an admin DSN
# (scripts/test.sh's CONFIDE_TEST_POSTGRES works), on PostgreSQL too.
# There is no anchor tool to run beside it here (SecureDrop is not packaged
# for Debian): the figures are printed as fractions of the issue's targets.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/inbox "$@"
if [ -n "${CONFIDE_BENCH_POSTGRES:-}" ]; then
  db="confide_bench_$$"
  psql "$CONFIDE_BENCH_POSTGRES" -qc "CREATE DATABASE $db"
  trap 'psql "$CONFIDE_BENCH_POSTGRES" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
  go run ./bench/inbox -db "$(echo "$CONFIDE_BENCH_POSTGRES" | sed "s#/[^/?]*\(?\|$\)#/$db\1#")" "$@"
fi
