#!/usr/bin/env bash
# Times `confide archive ingest` against the extraction tools it runs,
# called directly in the same run with the same settings and parallelism
# (one per core, nice -n 10, OMP_THREAD_LIMIT=1; tesseract -l rus+eng
# --dpi 300 tsv): text PDFs (pdftotext, docs/s) and scanned pages
# (tesseract, pages/min), each against a shell loop (xargs -P) and a runner
# without a shell, printed as ratios (target ≥ 0.9); every page's text must
# be the tools' own. Then 100,000 small files (text in four charsets,
# HTML, Markdown, zips): files/s, the ingesting process's peak RSS (target
# ≤ 1 GiB; tools apart) and its CPU time by part (search index, SQLite,
# extraction). Each confide run starts from a fresh SQLite data folder.
# The corpus is generated and removed; a full run takes about a quarter of
# an hour on two cores.
#
# Usage: bench/ingest.sh [flags of bench/ingest: -pdfs 1000 -pages 4
#   -scans 24 -files 100000 -rounds 5 -scan-rounds 2 -run pdf,scan,files
#   -alt 'GOGC=100 -workers=3' (a second confide run in each round) -keep]
# Each round's ratio to the loop run just before it is printed too. Run it
# a few minutes after anything deleted many files on this disk: the line
# "creating a file" says when that cost shows.
# Needs poppler-utils, tesseract-ocr-rus, tesseract-ocr-eng, imagemagick
# and fonts-dejavu-core.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o /tmp/confide-ingest-bench ./bench/ingest
exec /tmp/confide-ingest-bench "$@"
