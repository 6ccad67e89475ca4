#!/usr/bin/env bash
# Runs Confide's whole test suite on a fresh Debian 12 machine, as root:
# installs what the tests need, starts PostgreSQL, then runs vet, staticcheck,
# every test on both storage backends, and a short fuzz run of every target.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export PATH="$PATH:$(go env GOPATH)/bin"

SUDO="" AS_PG="runuser -u postgres --"
[ "$(id -u)" = 0 ] || { SUDO="sudo"; AS_PG="sudo -u postgres"; }

need=(postgresql chromium tor age argon2 mat2 nginx-light tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng poppler-utils p7zip-full
      apertium apertium-eng-spa snowball-data imagemagick fonts-dejavu-core)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== starting PostgreSQL"
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q .; then $SUDO pg_createcluster "$ver" main >/dev/null; fi
cluster=$(pg_lsclusters -h | head -1 | awk '{print $1" "$2}')
$SUDO pg_ctlcluster $cluster start 2>/dev/null || true
for _ in $(seq 30); do $AS_PG psql -qAtc 'select 1' >/dev/null 2>&1 && break; sleep 1; done
$AS_PG psql -qAt >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'confide_test') THEN
    CREATE ROLE confide_test LOGIN SUPERUSER PASSWORD 'confide_test';
  END IF;
END $$;
SQL
port=$(pg_lsclusters -h | head -1 | awk '{print $3}')
export CONFIDE_TEST_POSTGRES="postgres://confide_test:confide_test@127.0.0.1:${port}/postgres?sslmode=disable"

echo "== go vet, staticcheck"
gofmt_out=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$gofmt_out" ]; then echo "gofmt would change: $gofmt_out"; exit 1; fi
go vet ./...
command -v staticcheck >/dev/null || go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
staticcheck ./...

echo "== go test (SQLite and PostgreSQL)"
go build -o /dev/null ./cmd/confide
log=$(mktemp)
set +e
go test -count=1 -v -timeout 20m ./... > "$log" 2>&1
status=$?
set -e
# The verbose log is long; show package results and anything that failed.
grep -aE '^(ok|FAIL|---.FAIL|panic:)|^\s+\S+_test\.go:[0-9]+:' "$log" || true
passed=$(grep -acE '^\s*--- PASS' "$log" || true)
failed=$(grep -acE '^\s*--- FAIL' "$log" || true)
skipped=$(grep -acE '^\s*--- SKIP' "$log" || true)
if [ "$status" != 0 ]; then
  tail -50 "$log"
  echo "tests: $passed passed, $failed failed"
  exit "$status"
fi
# CI has every component the tests need, so a skipped test is a failure of
# this script (a missing package, a wrong user), not of the test.
if [ "$skipped" != 0 ]; then
  grep -aE -A1 '^\s*--- SKIP' "$log"
  echo "tests: $passed passed, $failed failed, $skipped skipped: nothing may be skipped"
  exit 1
fi

echo "== short fuzz run"
fuzztime=${FUZZTIME:-5s}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for t in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    corpus="$dir/testdata/fuzz/$t"
    crashers() { { ls "$corpus" 2>/dev/null || true; } | wc -l; }
    before=$(crashers)
    fuzz() { go test -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/confide-fuzz.log 2>&1; }
    if ! fuzz; then
      # Go 1.26's fuzz coordinator can report its own -fuzztime deadline as
      # a failure (golang/go#75804, fixed in 1.27). That failure writes no
      # crasher; a real one always does. Only then, run the target again.
      if grep -q 'context deadline exceeded' /tmp/confide-fuzz.log && [ "$(crashers)" = "$before" ]; then
        echo "fuzz: $t hit Go's -fuzztime race (no crasher written); running it again"
        fuzz || { cat /tmp/confide-fuzz.log; echo "fuzz $pkg $t failed"; exit 1; }
      else
        cat /tmp/confide-fuzz.log; echo "fuzz $pkg $t failed"; exit 1
      fi
    fi
    echo "fuzz ok: $pkg $t"
  done
done
rm -f "$log"
echo "tests: $passed passed, $failed failed"
