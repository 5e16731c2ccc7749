#!/usr/bin/env bash
# Runs the whole test suite against a throwaway PostgreSQL cluster that this script starts and
# stops itself (no Docker needed). Extra arguments go to `dotnet test`, e.g. --filter Launch.
#   ./scripts/test.sh
# With JTS_TEST_POSTGRES already set (a connection string to a server where the tests may create
# databases), that server is used instead; with neither, the tests start one with Testcontainers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/postgres.sh"

# As root the service runs local jobs as an unprivileged user (LocalPlatform:RunAsUser); the tests use this one.
if [ "$(id -u)" = 0 ] && ! id jts-test-job >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin jts-test-job
fi
# Those jobs run the test build and the demo jobs inside this checkout: let that user through each
# parent folder others cannot pass (execute only: it still cannot list them), e.g. a mktemp -d clone.
if [ "$(id -u)" = 0 ]; then
    dir=$root
    while [ "$dir" != / ]; do
        if [ -z "$(find "$dir" -maxdepth 0 -perm -o+x)" ]; then
            chmod o+x "$dir" && echo "Local test jobs run as jts-test-job: let them through $dir (chmod o+x)"
        fi
        dir=$(dirname "$dir")
    done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/jts-test.XXXXXX")
chmod 755 "$work" # the server runs as the postgres user when this script runs as root
cleanup() { pg_stop; rm -rf "$work"; }
trap cleanup EXIT

if [ -z "${JTS_TEST_POSTGRES:-}" ]; then
    PG_FSYNC=off pg_start "$work/pg"
    export JTS_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Database=postgres"
    echo "Throwaway PostgreSQL on port $PG_PORT"
fi

status=0
dotnet test "$root/JobTemplateService.sln" --logger trx --results-directory "$work/results" "$@" || status=$?

python3 - "$work/results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    # Name every failed test with the first lines of its message, so a long log's tail says what broke.
    for result in root.findall(".//{*}UnitTestResult"):
        if result.get("outcome") in ("Failed", "Error", "Timeout"):
            message = result.find("{*}Output/{*}ErrorInfo/{*}Message")
            text = (message.text or "").strip().splitlines() if message is not None else []
            print(f"FAILED {result.get('testName')}: " + " | ".join(text[:3])[:600])
    counters = root.find("{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
