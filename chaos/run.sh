#!/usr/bin/env bash
# The chaos suite, in one command:  chaos/run.sh
# Starts a throwaway PostgreSQL, migrates its schema, seeds one Control Hub template rule, starts the
# fake Control Hub (bench/FakeControlHub) and three service processes, drives a steady stream of
# launches while it kills replicas (kill -9, mid-poll and mid-launch), restarts Postgres, kills the
# service's database connections and makes the platform fail; then checks from the database and from
# the platform's own record that nothing was launched twice or lost. Prints the measured failover and
# recovery times, appends them to chaos/RESULTS.md (CHAOS_RESULTS= to skip) and ends with
# "N passed, N failed". Logs of the last run are kept in chaos/.last-run/.
# Environment: CHAOS_SEED (random by default), CHAOS_WORKERS (concurrent launch clients, default 4),
# CHAOS_SLOW_PLATFORM=0 (skips the phase where the platform creates jobs only after the client timed out).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/postgres.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d "${TMPDIR:-/tmp}/jts-chaos.XXXXXX")
chmod 755 "$work" # the server runs as the postgres user when this script runs as root
keep="$root/chaos/.last-run"
started=$(date +%s)

cleanup() {
    local pidfile
    for pidfile in "$work"/*.pid; do
        [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    pg_stop
    rm -rf "$keep" && mkdir -p "$keep"
    cp "$work"/*.log "$keep"/ 2>/dev/null || true
    [ -f "$work/pg/server.log" ] && cp "$work/pg/server.log" "$keep/postgres.log" || true
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "chaos: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

echo "== Building the service, the fake Control Hub and the chaos driver"
dotnet publish "$root/src/JobTemplateService" -c Release -o "$work/service" --nologo -v quiet >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "service build failed"; }
dotnet publish "$root/bench/FakeControlHub" -c Release -o "$work/fake" --nologo -v quiet >>"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "fake Control Hub build failed"; }
dotnet publish "$root/chaos/ChaosDriver" -c Release -o "$work/driver" --nologo -v quiet >>"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "chaos driver build failed"; }
echo "   built in $(( $(date +%s) - started )) s"

echo "== Starting PostgreSQL"
pg_start "$work/pg" || fail "PostgreSQL did not start"
pg_psql -d postgres -c "CREATE DATABASE chaos" || fail "could not create the database"
postgresql__host=127.0.0.1 postgresql__port=$PG_PORT postgresql__database=chaos postgresql__user=$PG_USER \
    dotnet "$work/service/JobTemplateService.dll" migrate >"$work/migrate.log" 2>&1 \
    || { cat "$work/migrate.log"; fail "the schema migration failed"; }
template_id="c0ffee00-0000-4000-8000-000000000001:8030c2e9-1a39-11ec-a5fe-97c8d4369386"
pg_psql -d chaos <<SQL || fail "could not seed the template rule"
WITH p AS (
    INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination)
    VALUES ('http-to-gcs', 'http', 'gcs') RETURNING ingestion_pattern_id
), t AS (
    INSERT INTO streamsets.job_template (sch_job_template_id, delete_after_completion, source_runtime_parameters,
                                         destination_connection_info)
    VALUES ('$template_id', true, '{"HTTP_MODE": "POLLING"}', '{"GCS_CONNECTION": "chaos-gcs-connection"}')
    RETURNING job_template_id
)
INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id)
SELECT p.ingestion_pattern_id, t.job_template_id FROM p, t;
SQL
echo "   PostgreSQL on port $PG_PORT"

echo "== Starting the fake Control Hub"
# A Control Hub credential token is a JWT naming the organization ("o"); the same as ChaosSettings.CredToken.
chaos_token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJvIjoiODAzMGMyZTktMWEzOS0xMWVjLWE1ZmUtOTdjOGQ0MzY5Mzg2IiwicyI6ImNoYW9zLWNyZWQtaWQifQ.Y2hhb3Mtc2lnbmF0dXJl
fake_port=$(pg_free_port)
dotnet "$work/fake/FakeControlHub.dll" --urls "http://127.0.0.1:$fake_port" \
    --Fake:CredId=chaos-cred-id --Fake:CredToken="$chaos_token" --Fake:FailureRate=0.2 \
    --Fake:MinDuration=00:00:01 --Fake:MaxDuration=00:00:06 --Fake:Latency=00:00:00.020 >"$work/fake-controlhub.log" 2>&1 &
echo $! >"$work/fake-controlhub.pid"
disown
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$fake_port/_sim/faults" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -sf "http://127.0.0.1:$fake_port/_sim/faults" >/dev/null || { cat "$work/fake-controlhub.log"; fail "fake Control Hub did not start"; }
echo "   fake Control Hub on port $fake_port"

ports="$(pg_free_port),$(pg_free_port),$(pg_free_port)"
status=0
# Every replica (re)start checks the schema, and would apply a pending migration, as production may.
export Database__MigrateOnStartup=true
CHAOS_ROOT="$root" CHAOS_WORK="$work" CHAOS_SERVICE_DLL="$work/service/JobTemplateService.dll" \
CHAOS_FAKE_DLL="$work/fake/FakeControlHub.dll" CHAOS_SERVICE_PORTS="$ports" CHAOS_FAKE_PORT="$fake_port" \
CHAOS_DATABASE=chaos CHAOS_TEMPLATE_ID="$template_id" CHAOS_RESULTS="${CHAOS_RESULTS-$root/chaos/RESULTS.md}" \
    dotnet "$work/driver/ChaosDriver.dll" 2>&1 | tee "$work/driver.log" || status=1
echo "== Suite time $(( $(date +%s) - started )) s; logs of this run are in chaos/.last-run/"
grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/driver.log" | tail -n 1 | grep . || { echo "0 passed, 1 failed"; status=1; }
exit $status
