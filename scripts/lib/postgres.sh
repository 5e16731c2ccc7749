# Throwaway PostgreSQL cluster helpers, sourced by the project's scripts.
#   pg_start DIR   initialise (if needed) and start a cluster in DIR on a free loopback port;
#                  sets PG_PORT, PG_DIR and PG_USER
#   pg_stop        stop the cluster started by pg_start
#   pg_psql ARGS   run psql against it as the superuser
# PG_EXTRA_OPTIONS adds server options, e.g. "-c shared_preload_libraries=pg_stat_statements".
# The server refuses to run as root, so as root it runs as the "postgres" system user.

pg_find_bin() {
    local bin
    for bin in "$(command -v pg_ctl 2>/dev/null)" /usr/lib/postgresql/*/bin/pg_ctl; do
        if [ -x "$bin" ]; then dirname "$(readlink -f "$bin")"; return 0; fi
    done
    return 1
}

pg_free_port() {
    python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

pg_as_owner() {
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    PG_DIR=$1
    PG_BIN=$(pg_find_bin) || { echo "PostgreSQL server binaries (initdb, pg_ctl) not found" >&2; return 1; }
    PG_USER=postgres
    [ "$(id -u)" = "0" ] || PG_USER=$(id -un)
    mkdir -p "$PG_DIR"
    if [ "$(id -u)" = "0" ]; then
        chown postgres:postgres "$PG_DIR"
        runuser -u postgres -- test -w "$PG_DIR" \
            || { echo "The postgres user cannot reach $PG_DIR (a parent folder is not traversable)" >&2; return 1; }
    fi
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_USER" -A trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
            || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    fi
    PG_PORT=${PG_PORT:-$(pg_free_port)}
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=300 -c fsync=${PG_FSYNC:-on} ${PG_EXTRA_OPTIONS:-}" start >/dev/null \
        || { cat "$PG_DIR/server.log" >&2; return 1; }
    export PG_PORT PG_DIR PG_USER PG_BIN
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_psql() {
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$@"
}
