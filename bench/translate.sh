#!/usr/bin/env bash
# Batch machine translation through internal/translate against apertium
# called directly in a shell loop over the same pages, in the same run,
# printed as pages/min and a ratio, and the same pages as an archive
# collection through confide archive translate. Needs apertium and
# apertium-eng-spa.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/translate "$@"
