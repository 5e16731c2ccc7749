#!/usr/bin/env bash
# Tests the caller recipes against the real service:
#   - runs the steps of launch-and-wait.yml (with run_steps.py, as a GitHub runner would) against
#     a service started by scripts/run.sh with the demo template and API keys switched on:
#     a job that succeeds (CITY=London: the workflow passes, the metrics are right), a launch the
#     template's parameter contract refuses (CITY=Atlantis: the launch step fails with the 422 problem),
#     a repeated launch step (same run and attempt: the same run, not a second one) and a wrong
#     API key (the launch step fails);
#   - byte-compiles the Airflow DAG.
# Prints `N passed, N failed` last and exits non-zero if anything failed. Everything it starts
# (the service, a private PostgreSQL under .local/recipe-test) is stopped and removed on exit.
#   examples/github-actions/test-recipe.sh [--no-build]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

state=.local/recipe-test
workflow="$here/launch-and-wait.yml"
passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jts-recipe.XXXXXX")
cleanup() {
    local status=$? pg_dir=""
    # shellcheck disable=SC1090,SC2153
    [ -f "$root/$state/run.env" ] && pg_dir=$(. "$root/$state/run.env" && echo "$PG_DIR")
    "$root/scripts/run.sh" --stop --state-dir "$state" >/dev/null 2>&1 || true
    case "$pg_dir" in */jts-local-*) rm -rf "$pg_dir" ;; esac # the cluster's folder when the checkout was private
    rm -rf "${root:?}/$state" "$work"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin_key="jts-recipe-admin-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
url="http://127.0.0.1:$port"

# --- the service, as scripts/run.sh starts it, but with API keys required ----------------------
rm -rf "${root:?}/$state"
if ! Security__Mode=ApiKeys Security__BootstrapAdminKey="$admin_key" \
    "$root/scripts/run.sh" --background --port "$port" --state-dir "$state" "$@" >"$work/run.log" 2>&1; then
    cat "$work/run.log"
    fail "the service started (scripts/run.sh --background)"
    echo "$passed passed, $failed failed"
    exit 1
fi
pass "the service started (scripts/run.sh --background, port $port)"

api_key=$(curl -sS --fail-with-body -X POST "$url/v1/admin/api-keys" -H "Authorization: Bearer $admin_key" \
    -H 'content-type: application/json' -d '{"name": "github-actions-test", "scopes": ["launch", "read"]}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')

steps() { # NAME RUN-ID [ARGS...]: runs the workflow's steps; output in $work/NAME.out
    local name=$1 run_id=$2
    shift 2
    set +e
    python3 "$here/run_steps.py" "$workflow" \
        --set "github.run_id=$run_id" --set github.run_attempt=1 --set github.actor=recipe-test \
        --set github.repository=example/jobs --set "vars.JTS_URL=$url" --set "secrets.JTS_API_KEY=$api_key" \
        "$@" >"$work/$name.out" 2>&1
    local status=$?
    set -e
    sed 's/^/    | /' "$work/$name.out"
    return $status
}
result() { # NAME EXPRESSION: evaluates EXPRESSION on the RESULT line of $work/NAME.out (r = its JSON)
    python3 - "$work/$1.out" "$2" <<'PY'
import json, sys
line = [l for l in open(sys.argv[1], encoding="utf-8") if l.startswith("RESULT ")][-1]
r = json.loads(line[len("RESULT "):])
print(eval(sys.argv[2], {"r": r}))
PY
}
metrics() { # RUN-ID: "input output errors successful" of each metrics row, sorted
    curl -sS --fail-with-body -H "Authorization: Bearer $api_key" -H 'Accept: text/csv' "$url/v1/metrics?run-id=$1" \
        | awk -F, 'NR > 1 { print $13, $14, $15, $10 }' | sort
}

# What the demo job must report for London, computed here from the CSV itself.
expected_london=$(awk -F, 'NR > 1 && NF > 0 {
    read++
    if (NF != 4 || $3 !~ /^-?[0-9]+([.][0-9]+)?$/) { bad++; next }
    if ($1 == "London") kept++
} END { print read, kept, bad, "true" }' "$root/demo/data/weather.csv")

run_base=$((RANDOM * 1000 + RANDOM))

# --- 1. a job that succeeds ---------------------------------------------------------------------
echo "== CITY=London: the workflow succeeds"
started=$SECONDS
if steps london "$run_base" --set inputs.city=London; then
    pass "London: the workflow job succeeded ($((SECONDS - started)) s)"
else
    fail "London: the workflow job failed (expected success)"
fi
london_run=$(result london 'r["outputs"].get("launch", {}).get("run-id", "")')
[ "$(result london 'r["steps"]')" = "{'launch': 'success', 'Wait for the outcome': 'success', 'Show the metrics': 'success', 'Show the job output': 'skipped'}" ] \
    && pass "London: launch, wait and metrics steps succeeded; the output step was skipped" \
    || fail "London: step outcomes $(result london 'r["steps"]')"
actual=$(metrics "$london_run")
[ -n "$london_run" ] && [ "$actual" = "$expected_london" ] \
    && pass "London: the metrics row says input/output/errors $expected_london, as awk counts the CSV" \
    || fail "London: metrics row '$actual', expected '$expected_london'"

# --- 2. the same launch again (a retried step): the same run ------------------------------------
echo "== the launch step again with the same run id and attempt: the same run"
steps replay "$run_base" --set inputs.city=London --only launch || true
replayed=$(result replay 'r["outputs"].get("launch", {}).get("run-id", "")')
runs=$(curl -sS --fail-with-body -H "Authorization: Bearer $api_key" "$url/v1/runs?user-run-id=gha-$run_base-1" | grep -o '"run-id":' | wc -l)
[ -n "$london_run" ] && [ "$replayed" = "$london_run" ] && [ "$runs" -eq 1 ] \
    && pass "replay: the launch step answered with the first run ($london_run); still one run" \
    || fail "replay: expected run $london_run once, got '$replayed' and $runs run(s)"

# --- 3. a launch the template's contract refuses ---------------------------------------------
echo "== CITY=Atlantis: not a city of the demo's contract, so the launch step must fail"
if steps atlantis "$((run_base + 1))" --set inputs.city=Atlantis; then
    fail "Atlantis: the workflow job succeeded (expected failure)"
else
    pass "Atlantis: the workflow job failed"
fi
[ "$(result atlantis 'r["steps"]["launch"]')" = failure ] && [ "$(result atlantis 'r["steps"]["Wait for the outcome"]')" = skipped ] \
    && pass "Atlantis: the launch step failed and nothing was waited for" \
    || fail "Atlantis: step outcomes $(result atlantis 'r["steps"]')"
grep -q '"status":422' "$work/atlantis.out" && grep -q '/problems/parameters' "$work/atlantis.out" \
    && grep -q '"runtime-parameters\[0\].CITY"' "$work/atlantis.out" \
    && pass "Atlantis: the launch step shows the 422 problem naming runtime-parameters[0].CITY" \
    || fail "Atlantis: no 422 problem naming runtime-parameters[0].CITY in the launch step's output"

# --- 4. a wrong API key -------------------------------------------------------------------------
echo "== a wrong API key: the launch step fails"
saved_key=$api_key
api_key="jts_wrong_key"
if steps badkey "$((run_base + 2))" --set inputs.city=London; then
    fail "wrong key: the workflow job succeeded"
else
    [ "$(result badkey 'r["steps"]["launch"]')" = failure ] && pass "wrong key: the launch step failed (401)" \
        || fail "wrong key: step outcomes $(result badkey 'r["steps"]')"
fi
api_key=$saved_key

# --- 5. the Airflow DAG is valid Python ---------------------------------------------------------
if python3 -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' \
    "$root/examples/airflow/job_template_dag.py" "$work/dag.pyc" 2>"$work/pycompile.err"; then
    pass "examples/airflow/job_template_dag.py byte-compiles"
else
    cat "$work/pycompile.err"
    fail "examples/airflow/job_template_dag.py does not byte-compile"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
