#!/usr/bin/env bash
# Batch machine translation through internal/translate against apertium
# called directly in a shell loop over the same pages, in the same run,
# printed as pages/min and a ratio. Needs apertium and apertium-eng-spa.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/translate "$@"
