#!/usr/bin/env bash
# One command: build the service, give it a database, seed the demo job and run it.
#
#   scripts/run.sh                 build, start, print the curl that launches the demo; Ctrl-C stops all
#   scripts/run.sh --background    the same, but return once the service is ready (log: .local/service.log)
#   scripts/run.sh --stop          stop a service started with --background (and its private PostgreSQL)
#
# Options: --port N (default 8888), --listen ADDR (default 127.0.0.1), --no-build (use the last
# build), --no-demo / --demo (seed the demo rule or not; by default only into the private
# PostgreSQL, never into one named by database.ini unless --demo), --state-dir DIR (default .local; where the private
# PostgreSQL, the demo's output and the service log live, relative to the checkout).
#
# Database: with a database.ini in the checkout (or postgresql__host in the environment), that
# PostgreSQL is used: its schema is migrated (`JobTemplateService migrate`) and the service reads
# database.ini itself.
# Otherwise a private PostgreSQL cluster is created under the state folder (git-ignored) on a
# free loopback port, reused on later runs. As root, PostgreSQL runs as the "postgres" user; if
# that user cannot reach the checkout, the cluster goes to ${TMPDIR:-/tmp}/jts-local-<hash>.
#
# The demo: rule csv -> csv (pattern demo-csv-filter, from demo/templates.yaml) with a local template that runs
# demo/jobs/csv_filter.sh on demo/data/weather.csv. A platform.ini in the checkout is read as
# usual, so Control Hub templates are served too when it names Control Hub.
#
# Authentication is off (Security__Mode=None) unless Security__Mode is set in the environment,
# so the service listens on 127.0.0.1 only (it refuses another --listen address without keys).
#
# As root, the demo's local jobs run as the unprivileged user jts-job (created if missing), in a
# PID namespace of their own; if that user cannot reach the checkout, the demo job and its data are
# copied to ${TMPDIR:-/tmp}/jts-demo-<hash> and run from there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=lib/postgres.sh
source "$root/scripts/lib/postgres.sh"

port=8888
listen=127.0.0.1
build=1
seed=auto
mode=foreground
state=.local
ready_timeout=${JTS_READY_TIMEOUT:-120}
database=jobtemplates

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --port) port=${2:?--port needs a number}; shift ;;
        --port=*) port=${1#*=} ;;
        --listen) listen=${2:?--listen needs an address}; shift ;;
        --listen=*) listen=${1#*=} ;;
        --state-dir) state=${2:?--state-dir needs a folder}; shift ;;
        --state-dir=*) state=${1#*=} ;;
        --no-build) build=0 ;;
        --no-demo) seed=0 ;;
        --demo) seed=1 ;;
        --background) mode=background ;;
        --stop) mode=stop ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done
case "$port" in ''|*[!0-9]*) die "--port must be a number, not '$port'" ;; esac
case "${Security__Mode:-None},$listen" in
    [Nn][Oo][Nn][Ee],127.*|[Nn][Oo][Nn][Ee],localhost|[Nn][Oo][Nn][Ee],::1) ;;
    [Nn][Oo][Nn][Ee],*) die "--listen $listen with authentication off would open the service to the network; set Security__Mode=ApiKeys (and create keys) to listen there" ;;
esac
case "$state" in /*) state_dir=$state ;; *) state_dir="$root/$state" ;; esac
app="$root/.local/app"
pidfile="$state_dir/service.pid"
envfile="$state_dir/run.env"
logfile="$state_dir/service.log"

# --- stopping ---------------------------------------------------------------------------------

service_alive() { # PID: is it our service (not a recycled pid)?
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'JobTemplateService.dll'
}

stop_service() { # PID: SIGTERM (a clean shutdown: local jobs are killed and recorded FAILED), then SIGKILL after 60 s
    local pid=$1 waited=0
    service_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    while service_alive "$pid" && [ $waited -lt 600 ]; do sleep 0.1; waited=$((waited + 1)); done
    if service_alive "$pid"; then
        say "run.sh: the service did not stop within 60 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

stop_all() { # everything recorded in the state folder
    local pid="" PG_MANAGED=0
    [ -f "$pidfile" ] && pid=$(cat "$pidfile")
    # shellcheck disable=SC1090
    [ -f "$envfile" ] && source "$envfile"
    if service_alive "$pid"; then
        say "Stopping the service (pid $pid)"
        stop_service "$pid"
    fi
    if [ "$PG_MANAGED" = 1 ] && [ -f "${PG_DIR:-/nonexistent}/data/postmaster.pid" ]; then
        say "Stopping the private PostgreSQL (port $PG_PORT)"
        (cd / && pg_stop)
    fi
    rm -f "$pidfile" "$envfile"
}

if [ "$mode" = stop ]; then
    if [ ! -f "$pidfile" ] && [ ! -f "$envfile" ]; then say "Nothing to stop in $state."; exit 0; fi
    stop_all
    exit 0
fi

# --- checks -----------------------------------------------------------------------------------

for tool in dotnet psql curl python3; do
    command -v "$tool" >/dev/null || die "$tool is needed and not on PATH"
done
mkdir -p "$state_dir"
if command -v flock >/dev/null; then
    exec 9>"$state_dir/.run.lock"
    flock -n 9 || die "another scripts/run.sh is starting in $state; try again in a moment"
fi
if [ -f "$pidfile" ] && service_alive "$(cat "$pidfile")"; then
    die "the service is already running from this checkout (pid $(cat "$pidfile")); stop it with: scripts/run.sh --stop${state:+ --state-dir $state}"
fi
rm -f "$pidfile"
port_free() {
    python3 - "$1" "$2" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
PY
}
port_free "$listen" "$port" || die "port $port on $listen is in use; choose another with --port N"

# From here on, whatever this run started is stopped again if it does not get to the end.
service_pid=""
PG_MANAGED=0
finished_startup=0
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$mode" = foreground ] || [ $finished_startup = 0 ]; then
        if [ -n "$service_pid" ] && service_alive "$service_pid"; then
            say "Stopping the service (pid $service_pid)"
            stop_service "$service_pid"
        fi
        if [ "$PG_MANAGED" = 1 ]; then
            say "Stopping the private PostgreSQL (port $PG_PORT)"
            (cd / && pg_stop)
        fi
        rm -f "$pidfile" "$envfile"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build ------------------------------------------------------------------------------------

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
if [ $build = 1 ]; then
    say "Building the service (dotnet publish; a few minutes the first time) ..."
    started=$SECONDS
    mkdir -p "$root/.local"
    if ! dotnet publish "$root/src/JobTemplateService" -c Release -o "$app" --nologo -v quiet >"$root/.local/build.log" 2>&1; then
        tail -n 30 "$root/.local/build.log" >&2
        die "the build failed (full output: .local/build.log)"
    fi
    say "Built in $((SECONDS - started)) s."
elif [ ! -f "$app/JobTemplateService.dll" ]; then
    die "no build in .local/app yet; run without --no-build once"
fi

# --- database ---------------------------------------------------------------------------------

config_dir=${JTS_CONFIG_DIR:-$root}
db_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

if [ -f "$config_dir/database.ini" ] || [ -n "${postgresql__host:-}" ]; then
    [ "$seed" = auto ] && seed=0
    # The configured PostgreSQL: the service reads database.ini (and postgresql__* variables)
    # itself; psql gets the same values.
    eval "$(python3 - "$config_dir/database.ini" <<'PY'
import configparser, os, shlex, sys
ini = configparser.ConfigParser()
ini.read(sys.argv[1])
section = ini["postgresql"] if ini.has_section("postgresql") else {}
for key, variable in [("host", "PGHOST"), ("port", "PGPORT"), ("database", "PGDATABASE"), ("user", "PGUSER"),
                      ("password", "PGPASSWORD"), ("sslmode", "PGSSLMODE")]:
    value = os.environ.get("postgresql__" + key) or section.get(key)
    if value:
        print(f"export {variable}={shlex.quote(value)}")
PY
)"
    say "Using the PostgreSQL named in database.ini (${PGHOST:-?}:${PGPORT:-5432}/${PGDATABASE:-?})."
    db_connection=()
else
    # A private cluster under the state folder; as root it runs as the postgres user, who must
    # be able to reach it (and the socket path must stay short).
    pg_dir="$state_dir/postgres"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' system user to run PostgreSQL"
        chmod o+x "$root/.local" "$state_dir" 2>/dev/null || true
        if ! runuser -u postgres -- test -x "$state_dir"; then
            pg_dir="${TMPDIR:-/tmp}/jts-local-$(printf '%s' "$state_dir" | sha256sum | cut -c1-12)"
            say "The postgres user cannot reach $state_dir (a parent folder is private);"
            say "the private PostgreSQL lives in $pg_dir instead."
        fi
    fi
    if [ ${#pg_dir} -gt 90 ]; then
        pg_dir="${TMPDIR:-/tmp}/jts-local-$(printf '%s' "$state_dir" | sha256sum | cut -c1-12)"
        say "The checkout path is too long for PostgreSQL's socket; the private PostgreSQL lives in $pg_dir instead."
    fi
    PG_BIN=$(pg_find_bin) || die "PostgreSQL server binaries (initdb, pg_ctl) not found; install PostgreSQL 15 or add a database.ini"
    if [ -f "$pg_dir/data/postmaster.pid" ] && (cd / && pg_as_owner "$PG_BIN/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1); then
        PG_PORT=$(sed -n 4p "$pg_dir/data/postmaster.pid")
        PG_DIR=$pg_dir
        PG_USER=postgres
        [ "$(id -u)" = 0 ] || PG_USER=$(id -un)
        export PG_PORT PG_DIR PG_USER PG_BIN
        say "Reusing the private PostgreSQL that is already running on port $PG_PORT ($pg_dir)."
    else
        PG_PORT=""
        if [ -f "$pg_dir/port" ] && port_free 127.0.0.1 "$(cat "$pg_dir/port")"; then PG_PORT=$(cat "$pg_dir/port"); fi
        [ -f "$pg_dir/data/PG_VERSION" ] && what="Starting the private PostgreSQL" || what="Creating a private PostgreSQL"
        say "$what in ${pg_dir#"$root"/} ..."
        cd / && pg_start "$pg_dir" && cd "$root" || die "PostgreSQL did not start (see $pg_dir/server.log)"
        say "PostgreSQL is listening on 127.0.0.1:$PG_PORT."
    fi
    PG_MANAGED=1
    printf '%s\n' "$PG_PORT" >"$pg_dir/port"
    db_connection=(-h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER")
    if [ -z "$(db_psql "${db_connection[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
        db_psql "${db_connection[@]}" -d postgres -c "CREATE DATABASE $database"
    fi
    db_connection+=(-d "$database")
fi
{
    printf 'PG_MANAGED=%q\n' "$PG_MANAGED"
    printf 'PG_DIR=%q\nPG_BIN=%q\nPG_PORT=%q\nPG_USER=%q\n' "${PG_DIR:-}" "${PG_BIN:-}" "${PG_PORT:-}" "${PG_USER:-}"
    printf 'SERVICE_URL=%q\n' "http://$listen:$port"
} >"$envfile"

# The schema: the migrate verb, as a deploy step would run it (the service also migrates at
# start-up here, Database__MigrateOnStartup=true, but the demo rule below needs the tables first).
database_env=()
if [ "$PG_MANAGED" = 1 ]; then
    database_env=("postgresql__host=127.0.0.1" "postgresql__port=$PG_PORT" "postgresql__database=$database" "postgresql__user=$PG_USER")
fi
say "Migrating the database schema ..."
env "${database_env[@]}" dotnet "$app/JobTemplateService.dll" migrate || die "the schema migration failed (see above)"

# The demo's local job: as root it runs as jts-job, which must reach the script, the data and the output folder.
demo_dir="$root/demo"
output_dir="$state_dir/output"
job_dir="$root"
job_env=()
mkdir -p "$output_dir"
if [ "$(id -u)" = 0 ]; then
    id jts-job >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin jts-job \
        || die "running as root needs an unprivileged 'jts-job' user for the local jobs, and it could not be created"
    as_job() { setpriv --reuid=jts-job --regid=jts-job --init-groups -- "$@" 2>/dev/null; }
    chown jts-job: "$output_dir"
    if ! as_job test -r "$demo_dir/jobs/csv_filter.sh" -a -r "$demo_dir/data/weather.csv" -a -x "$job_dir" -a -w "$output_dir"; then
        job_dir="${TMPDIR:-/tmp}/jts-demo-$(printf '%s' "$state_dir" | sha256sum | cut -c1-12)"
        mkdir -p "$job_dir/output" && cp -R "$demo_dir/jobs" "$demo_dir/data" "$job_dir/" && chmod -R a+rX "$job_dir"
        chown jts-job: "$job_dir/output"
        demo_dir=$job_dir
        output_dir="$job_dir/output"
        say "The jts-job user cannot reach the checkout (a parent folder is private); the demo job runs from $job_dir."
    fi
    job_env=("LocalPlatform__RunAsUser=jts-job")
fi

# --- the service ------------------------------------------------------------------------------

quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
security_mode=${Security__Mode:-None}
service_env=(
    "Urls=http://$listen:$port"
    "Database__MigrateOnStartup=true"
    "Security__Mode=$security_mode"
    "Callbacks__AllowedNetworks=${Callbacks__AllowedNetworks:-127.0.0.0/8,::1/128}" # a local demo's receivers are local
    "Monitor__PollInterval=${Monitor__PollInterval:-00:00:02}"
    "Metrics__SnapshotInterval=${Metrics__SnapshotInterval:-00:00:05}"
    "LocalPlatform__WorkingDirectory=$job_dir"
    "local__csv_filter=sh $(quote "$demo_dir/jobs/csv_filter.sh")"
    "local__weather_replay=sh $(quote "$demo_dir/jobs/weather_replay.sh")"
)
service_env+=("${database_env[@]}" "${job_env[@]}")

[ "$seed" = auto ] && seed=1
if [ $seed = 1 ]; then
    # The demo's template, kept pointing at this checkout: templates as code, applied like any other.
    env "${service_env[@]}" JTS_DEMO_INPUT_FILE="$demo_dir/data/weather.csv" JTS_DEMO_OUTPUT_DIR="$output_dir" \
        dotnet "$app/JobTemplateService.dll" templates apply "$root/demo/templates.yaml" >"$state_dir/templates-apply.log" 2>&1 \
        || { cat "$state_dir/templates-apply.log" >&2; die "applying demo/templates.yaml failed (see above)"; }
    say "Applied demo/templates.yaml: csv -> csv runs demo/jobs/csv_filter.sh; csv -> replay and csv -> stream run demo/jobs/weather_replay.sh (local platform)."
fi
[ -f "$config_dir/platform.ini" ] && grep -qi '^\[streamsets\]' "$config_dir/platform.ini" \
    && say "platform.ini names Control Hub: its templates are served too."

: >"$logfile"
# Its own session, so a Ctrl-C reaches this script, which then stops the service and PostgreSQL in order.
setsid env "${service_env[@]}" dotnet "$app/JobTemplateService.dll" >>"$logfile" 2>&1 </dev/null 9>&- &
service_pid=$!
printf '%s\n' "$service_pid" >"$pidfile"
say "Starting the service (pid $service_pid, log ${logfile#"$root"/}) ..."

base="http://localhost:$port"
[ "$listen" = 127.0.0.1 ] || [ "$listen" = 0.0.0.0 ] || base="http://$listen:$port"
waited=0
until curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$port/health/ready" 2>/dev/null \
    || { [ "$listen" != 127.0.0.1 ] && [ "$listen" != 0.0.0.0 ] && curl -fsS -o /dev/null --max-time 5 "$base/health/ready" 2>/dev/null; }; do
    if ! service_alive "$service_pid"; then
        tail -n 40 "$logfile" >&2
        die "the service stopped during startup (log above; full log: ${logfile#"$root"/})"
    fi
    if [ $waited -ge "$ready_timeout" ]; then
        tail -n 40 "$logfile" >&2
        die "the service was not ready after $ready_timeout s (log above)"
    fi
    sleep 1
    waited=$((waited + 1))
done
finished_startup=1
exec 9>&- # the start-up lock

auth=""
[ "${security_mode,,}" = none ] || auth=" -H \"Authorization: Bearer \$JTS_API_KEY\""
run_id="demo-$(date +%Y%m%d-%H%M%S)"
cat <<EOF

JobTemplateService is ready at $base  ($([ "${security_mode,,}" = none ] && echo "no authentication: a local demo" || echo "API keys required"))

Open the console in a browser: $base/ui
  (the job library: launch the demo, follow its log live, see its runs and charts$([ "${security_mode,,}" = none ] || echo "; sign in with an API key"))

Or launch the demo job for two cities (it filters demo/data/weather.csv into ${output_dir#"$root"/}/):

  curl -sS -X POST $base/v1/runs -H 'content-type: application/json'$auth \\
    -d '{"user-id": "demo@example.com", "user-run-id": "$run_id", "source-type": "csv", "target-type": "csv",
         "runtime-parameters": [{"CITY": "London"}, {"CITY": "Phoenix", "MIN_TEMPERATURE_C": "30"}]}'

It answers 202 with the run; set RUN to its "run-id" (also in the Location header), then:

  curl -sS$auth "$base/v1/runs/\$RUN/outcome?wait=60"     # 200 succeeded, 202 still running, 422 failed
  curl -sS$auth "$base/v1/runs/\$RUN"                     # the run, its instances and their metrics
  curl -sS$auth -H 'Accept: text/plain' "$base/v1/runs/\$RUN/instances/0/log"   # London's output
  curl -sS$auth -H 'Accept: text/csv' "$base/v1/metrics?user-run-id=$run_id"    # one metrics row per city

A job to watch while it runs (about a minute; "target-type": "stream" replays until canceled):

  curl -sS -X POST $base/v1/runs -H 'content-type: application/json'$auth \\
    -d '{"user-id": "demo@example.com", "user-run-id": "$run_id-replay", "source-type": "csv", "target-type": "replay",
         "runtime-parameters": [{"CITY": "London"}]}'
  curl -sS$auth "$base/v1/runs/\$RUN"                     # live-metrics: the counts so far
  curl -sS$auth "$base/v1/runs/\$RUN/instances/0/metrics" # snapshots, oldest first
  curl -sS$auth -X POST "$base/v1/runs/\$RUN/cancel"       # a stream ends STOPPED

The same body again returns the same run (idempotent); change user-run-id for a new one.
"CITY": "Atlantis" is refused (422): the template's parameter contract lists the cities (GET $base/v1/templates).
More: examples/curl.md. $([ $mode = foreground ] && echo "Ctrl-C stops the service and its database." || echo "Stop it with: scripts/run.sh --stop$([ "$state" = .local ] || echo " --state-dir $state")")

EOF

if [ $mode = background ]; then
    exit 0
fi

# Foreground: show the service log until Ctrl-C (or until the service stops by itself).
say "--- service log (${logfile#"$root"/}) ---"
tail -n +1 -f --pid="$service_pid" "$logfile" &
wait "$service_pid" || status=$?
sleep 0.3
exit "${status:-0}"
