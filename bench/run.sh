#!/usr/bin/env bash
# The benchmarks, in one command:  bench/run.sh            (the full run, about 30 minutes; writes bench/RESULTS.md)
#                                  bench/run.sh --smoke    (every scenario at a tiny size, for CI; writes bench/results/smoke.md)
#                                  bench/run.sh [--smoke] [--only launch,queries] [--repetitions N]
#                                      (some scenarios only: launch, monitor, queries, series, stops, startup, console; another number of repetitions)
# Builds the service and the benchmarks in Release, starts a throwaway PostgreSQL with the service's schema,
# runs every scenario (launch against the floor, monitor scale, queries, snapshot series, stops, start-up, the console) and writes the report.
# Measure on an otherwise idle machine: the report records the load average before and after.
# Logs of the last run (service processes, PostgreSQL) are kept in bench/results/last-run/.
# BENCH_PG_STATS=1 also keeps the statements PostgreSQL spent most time on (pg_stat_statements), for profiling.
# BENCH_PROFILE_LAUNCH=10,16,30 holds the service under one launch load (instances, concurrency, seconds) after the
#   measured cells, for a profiler to attach to (for example: perf record -a -g, with DOTNET_PerfMapEnabled=1 and
#   DOTNET_EnableWriteXorExecute=0 exported: with W^X on, perf cannot map the JIT's code to the names in the perf map).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/postgres.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Only a full run of every scenario replaces bench/RESULTS.md; anything else is written to bench/results/ (git-ignored).
out="$root/bench/RESULTS.md" mode=full
for arg in "$@"; do
    case "$arg" in
        --smoke) mode=smoke; out="$root/bench/results/smoke.md" ;;
        --only|--repetitions) [ "$mode" = smoke ] || out="$root/bench/results/partial.md" ;;
    esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/jts-bench.XXXXXX")
chmod 755 "$work" # the server runs as the postgres user when this script runs as root
keep="$root/bench/results/last-run"
if [ "${BENCH_PG_STATS:-}" = 1 ]; then
    export PG_EXTRA_OPTIONS="${PG_EXTRA_OPTIONS:-} -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on"
fi
cleanup() {
    if [ "${BENCH_PG_STATS:-}" = 1 ] && [ -n "${PG_PORT:-}" ]; then
        pg_psql -d postgres -c "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,
                round((total_exec_time / nullif(calls, 0))::numeric, 3) AS mean_ms, plans, round(total_plan_time::numeric, 1) AS plan_ms,
                rows, left(regexp_replace(query, '\s+', ' ', 'g'), 300) AS query
              FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 40" >"$work/pg_stat_statements.log" 2>&1 || true
    fi
    pg_stop
    rm -rf "$keep" && mkdir -p "$keep"
    cp "$work"/*.log "$keep"/ 2>/dev/null || true
    [ -f "$work/pg/server.log" ] && cp "$work/pg/server.log" "$keep/postgres.log" || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$root/bench/results"

echo "== Building the service and the benchmarks (Release)"
dotnet publish "$root/src/JobTemplateService" -c Release -o "$work/service" --nologo -v quiet >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; exit 1; }
dotnet publish "$root/bench/JobTemplateService.Benchmarks" -c Release -o "$work/bench" --nologo -v quiet >>"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; exit 1; }

echo "== Starting PostgreSQL"
pg_start "$work/pg"
pg_psql -d postgres -c "CREATE DATABASE bench_template"
postgresql__host=127.0.0.1 postgresql__port=$PG_PORT postgresql__database=bench_template postgresql__user=$PG_USER \
    dotnet "$work/service/JobTemplateService.dll" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }
# Scenario databases are clones of bench_template; the service still checks (and would migrate) at start-up.
export Database__MigrateOnStartup=true
[ "${BENCH_PG_STATS:-}" = 1 ] && pg_psql -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
echo "   PostgreSQL on port $PG_PORT; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== Running every scenario ($mode)"
BENCH_PG="Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Database=postgres" BENCH_TEMPLATE_DB=bench_template \
BENCH_SERVICE_DLL="$work/service/JobTemplateService.dll" BENCH_WORK="$work" BENCH_OUT="$out" \
BENCH_PG_PID_FILE="$work/pg/data/postmaster.pid" BENCH_COMMAND="bench/run.sh${*:+ $*}" \
    dotnet "$work/bench/JobTemplateService.Benchmarks.dll" "$@"
echo "== Report: ${out#$root/}"
