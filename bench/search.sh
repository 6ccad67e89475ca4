#!/usr/bin/env bash
# Indexes a generated archive (2 KB documents, half Russian, half English,
# sentences of Debian's documentation plus a Zipf tail of rare words) with
# Confide's search engine and, in the same run, bleve v2, SQLite FTS5 and
# ripgrep; prints docs/s, size, peak RSS and p50/p99 of top-20 searches with
# highlights, as ratios against bleve. The anchors live in bench/search's
# own go.mod, so the product does not depend on them.
# Usage: bench/search.sh [DOCS] [ENGINES] (needs: apt-get install ripgrep)
set -euo pipefail
cd "$(dirname "$0")/search"
docs=${1:-100000}
engines=${2:-confide,bleve,fts5,rg}
go build -o /tmp/confide-search-bench .
exec /tmp/confide-search-bench -docs "$docs" -engines "$engines"
