#!/usr/bin/env bash
# Hostile-input battery: attacks on the built service, run as a real process (scripts/run.sh
# --background) with API keys on and two keys, one limited to its own runs. One row per attack
# with the answer it must get; prints `N passed, N failed` last and exits non-zero on a failure.
# Everything it starts (the service, a private PostgreSQL under .local/battery) is stopped on exit.
#   security/battery.sh [--no-build]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=.local/battery
passed=0 failed=0
row() { # NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then passed=$((passed + 1)); printf 'PASS  %-62s %s\n' "$1" "$3"
    else failed=$((failed + 1)); printf 'FAIL  %-62s expected %s, got %s\n' "$1" "$2" "$3"; fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/jts-battery.XXXXXX")
chmod 755 "$work" # the jobs' user must reach the probe job (never platform.ini, which stays 0600)
cleanup() {
    local status=$?
    "$root/scripts/run.sh" --stop --state-dir "$state" >/dev/null 2>&1 || true
    rm -rf "${root:?}/$state" "$work"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
admin="jts-battery-admin-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
cp security/probe-job.sh "$work/probe-job.sh" && chmod 644 "$work/probe-job.sh"
printf '[local]\nprobe=sh %s\n' "$work/probe-job.sh" >"$work/platform.ini" && chmod 600 "$work/platform.ini"

rm -rf "${root:?}/$state"
if ! JTS_CONFIG_DIR="$work" Security__Mode=ApiKeys Security__BootstrapAdminKey="$admin" Callbacks__AllowedNetworks=198.51.100.0/24 \
    "$root/scripts/run.sh" --background --port "$port" --state-dir "$state" "$@" >"$work/run.log" 2>&1; then
    cat "$work/run.log"; row "the service starts (scripts/run.sh --background)" started failed
    echo "$passed passed, $failed failed"; exit 1
fi
# shellcheck disable=SC1090,SC1091
. "$root/$state/run.env"
service_pid=$(cat "$root/$state/service.pid")
sql() { psql -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d jobtemplates -c "$1" || echo "(query failed)"; }
key() { # NAME OWN-RUNS-ONLY: a launch,read key made with the bootstrap admin key
    curl -sS --fail-with-body -X POST "$url/v1/admin/api-keys" -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
        -d "{\"name\": \"$1\", \"scopes\": [\"launch\", \"read\"], \"own-runs-only\": $2}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])'
}
owner=$(key battery-owner false)
limited=$(key battery-limited true)
sql "WITH p AS (INSERT INTO streamsets.ingestion_pattern (pattern_name, source, destination) VALUES ('battery-probe', 'probe', 'out')
       RETURNING ingestion_pattern_id), t AS (INSERT INTO streamsets.job_template (sch_job_template_id, platform) VALUES ('probe', 'local')
       RETURNING job_template_id)
     INSERT INTO streamsets.ingestion_pattern_job_template_relationship (ingestion_pattern_id, job_template_id)
     SELECT ingestion_pattern_id, job_template_id FROM p, t" >/dev/null

status() { # [curl args...]: the status code
    curl -sS -o "$work/answer" -w '%{http_code}' "$@" || true
}
problem() { # [curl args...]: "status type" of a problem+json answer ("status -" when it is not one)
    local code; code=$(curl -sS -o "$work/answer" -D "$work/headers" -w '%{http_code}' "$@" || true)
    if grep -qi '^content-type: application/problem+json' "$work/headers"; then
        echo "$code $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["type"])' "$work/answer")"
    else echo "$code -"; fi
}
launch() { # KEY BODY: POST /v1/runs with a JSON body
    problem -X POST "$url/v1/runs" -H "Authorization: Bearer $1" -H 'content-type: application/json' --data-binary "$2"
}
body() { # USER-RUN-ID PARAMETERS-JSON [EXTRA-FIELDS]
    printf '{"user-id": "battery@example.com", "user-run-id": "%s", "source-type": "%s", "target-type": "%s", "runtime-parameters": [%s]%s}' \
        "$1" "${SOURCE:-probe}" "${TARGET:-out}" "$2" "${3:-}"
}
run_id() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["run-id"])' "$work/answer" 2>/dev/null || echo none; }
wait_run() { curl -sS -o /dev/null -H "Authorization: Bearer $owner" "$url/v1/runs/$1/outcome?wait=60" || true; }
log_of() { curl -sS -H "Authorization: Bearer $owner" -H 'Accept: text/plain' "$url/v1/runs/$1/instances/0/log" || true; }

echo "== 1. parameters cannot change how a job runs"
for name in PATH LD_PRELOAD BASH_ENV PYTHONSTARTUP NODE_OPTIONS HTTPS_PROXY JTS_RUN_ID; do
    row "$name on a local template" "422 /problems/parameters" "$(launch "$owner" "$(body "p-$name" "{\"$name\": \"/tmp/x\"}")")"
done
row "BASH_FUNC_x%% (not an identifier)" "400 /problems/validation" "$(launch "$owner" "$(body p-func '{"BASH_FUNC_x%%": "() { id; }"}')")"

echo "== 2. jobs cannot read the service's secrets"
marker=$(python3 -c 'import uuid; print(uuid.uuid4().hex)')
launch "$owner" "$(body holder "{\"SECRET_TOKEN\": \"zz-$marker\", \"HOLD_SECONDS\": \"20\"}")" >/dev/null
holder=$(run_id)
for _ in $(seq 1 50); do log_of "$holder" | grep -q ready && break; sleep 0.2; done
launch "$owner" "$(body prober "{\"SERVICE_PID\": \"$service_pid\", \"CONFIG_DIR\": \"$work\", \"OTHER_MARKER\": \"$marker\"}")" >/dev/null
prober=$(run_id); wait_run "$prober"
probe_log=$(log_of "$prober")
row "a job reads /proc/<service pid>/environ" "environ=denied" "$(grep -o 'environ=[a-z]*' <<<"$probe_log" || echo none)"
row "a job reads another running job's environment" "other-jobs=0" "$(grep -o 'other-jobs=[0-9]*' <<<"$probe_log" || echo none)"
if [ "$(id -u)" = 0 ]; then
    row "a job reads platform.ini (mode 0600)" "platform.ini=denied" "$(grep -o 'platform.ini=[a-z]*' <<<"$probe_log" || echo none)"
    row "the job runs as an unprivileged user" "yes" "$(grep -q '^uid=0$' <<<"$probe_log" && echo no || echo yes)"
fi
curl -sS -o /dev/null -X POST -H "Authorization: Bearer $owner" "$url/v1/runs/$holder/cancel" || true

echo "== 3. callbacks go only where they should"
for target in http://169.254.169.254/latest/meta-data/ http://127.0.0.1:5432/ 'http://[::1]:22/' http://10.0.0.1/hook http://localhost/hook; do
    row "callback-url $target" "400 /problems/validation" "$(launch "$owner" "$(body "cb-$RANDOM" '{"CITY": "x"}' ", \"callback-url\": \"$target\"")")"
done

echo "== 4. hostile bytes never give 500"
row "NUL in user-id" "400 /problems/validation" "$(launch "$owner" '{"user-id": "a\u0000b", "user-run-id": "n", "source-type": "probe", "target-type": "out", "runtime-parameters": [{}]}')"
row "a lone surrogate in user-run-id" "400 /problems/validation" "$(launch "$owner" "$(body 'a\ud800' '{}')")"
row "invalid UTF-8 in the body" "400 /problems/validation" "$(launch "$owner" "$(printf '{"user-id": "a\xff"}')")"
row "%00 in the query string" "400 /problems/bad-request" "$(problem -H "Authorization: Bearer $owner" "$url/v1/runs?user-id=%00")"
row "%0d%0a in the query string" "400 /problems/bad-request" "$(problem -H "Authorization: Bearer $owner" "$url/v1/metrics?x%0d%0aSet-Cookie:%20a=1")"
row "%00 in the path (refused by Kestrel's parser)" "400" "$(status "$url/v1/runs/%00/outcome")"
row "CR inside a header value (refused by Kestrel's parser)" "400" "$( (printf 'GET /v1/runs HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: a\rb\r\n\r\n' \
    | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; head -c 12 <&3" | cut -c10-12) || echo none)"
row "a text/plain launch body" "415 /problems/unsupported-media-type" "$(problem -X POST "$url/v1/runs" -H "Authorization: Bearer $owner" -H 'content-type: text/plain' --data-binary "$(body t '{}')")"
python3 -c 'print("{\"user-id\": " + "[" * 5000 + "]" * 5000 + "}")' >"$work/deep.json"
row "JSON nested 5,000 deep" "400 /problems/validation" "$(launch "$owner" @"$work/deep.json")"
python3 -c 'import json; print(json.dumps({"user-id": "a", "runtime-parameters": [{f"K{i}": "v" for i in range(10000)}]}))' >"$work/keys.json"
row "10,000 keys" "413 /problems/too-large" "$(launch "$owner" @"$work/keys.json")"
python3 -c 'print("{\"" + "K" * 1048576 + "\": 1}")' >"$work/key.json"
row "a 1 MB key" "413 /problems/too-large" "$(launch "$owner" @"$work/key.json")"
row "nothing above was recorded (runs with a user-id other than battery's)" "0" "$(sql "SELECT count(*) FROM streamsets.run WHERE user_id <> 'battery@example.com'")"
SOURCE=csv TARGET=csv launch "$owner" "$(body links '{"CITY": "London"}, {"CITY": "Phoenix"}')" >/dev/null; wait_run "$(run_id)"
curl -sS -o /dev/null -D "$work/headers" -H "Authorization: Bearer $owner" -H 'Accept: text/csv' "$url/v1/metrics?limit=1&echo=me%3Cb%3E" || true
row "the metrics Link header echoes no unknown query text" "no" "$(grep -qi '^link:.*echo' "$work/headers" && echo yes || echo no)"

echo "== 5. unauthenticated traffic is throttled first; unknown keys write nothing"
prefix=${owner:4:10}
used_before=$(sql "SELECT coalesce(last_used_at::text, 'never') FROM streamsets.api_key WHERE name = 'battery-owner'")
codes=$(for i in $(seq 1 60); do status -H "Authorization: Bearer jts_${prefix}_wrongSecret$i" "$url/v1/runs"; echo; done | sort | uniq -c | awk '{print $2"x"$1}' | tr '\n' ' ')
row "60 requests with a wrong secret are throttled" "yes" "$(grep -q '429x' <<<"$codes" && grep -q '401x' <<<"$codes" && echo yes || echo "no ($codes)")"
row "a wrong secret writes nothing (last_used_at unchanged)" "$used_before" "$(sql "SELECT coalesce(last_used_at::text, 'never') FROM streamsets.api_key WHERE name = 'battery-owner'")"
row "a valid key still gets in" "200" "$(status -H "Authorization: Bearer $owner" "$url/v1/runs")"

echo "== 6. Security:Mode=None stays local"
set +e
env Security__Mode=None postgresql__host=127.0.0.1 postgresql__port="$PG_PORT" postgresql__user="$PG_USER" postgresql__database=jobtemplates \
    local__x=true dotnet .local/app/JobTemplateService.dll --urls "http://0.0.0.0:0" >"$work/none.out" 2>&1
code=$?
set -e
row "Mode=None on 0.0.0.0 refuses to start" "2 refused" "$code $(grep -q 'Security:Mode: None' "$work/none.out" && echo refused || echo silent)"

echo "== 7. logs cannot be forged"
status -H "Authorization: Bearer $owner" "$url/v1/runs/x%0d%0a%5B12:00:00%20INF%5D%20forged-line" >/dev/null
sleep 1
row "a CR/LF in a path stays inside its log line" "0" "$(grep -c '^\[12:00:00 INF\] forged-line' "$root/$state/service.log" || true)"

# 8 (Control Hub's 308 to another host) needs a Control Hub: ControlHubRedirectTests covers it with the simulator.
echo "== 9. secrets"
pem='-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----'
launch "$owner" "$(body pem "{\"TLS_PRIVATE_KEY\": \"$pem\"}")" >/dev/null; pem_run=$(run_id); wait_run "$pem_run"
row "a multi-line secret is masked line by line in the job log" "0" "$(log_of "$pem_run" | grep -c 'MIIEvQ\|BKcwgg' || true)"
launch "$owner" "$(body cb-secret '{"CITY": "x"}' ', "callback-url": "http://198.51.100.7/hook", "callback-secret": "battery-whsec-1"')" >/dev/null
row "the callback secret is stored encrypted" "dp1:" "$(sql "SELECT left(callback_secret, 4) FROM streamsets.run WHERE user_run_id = 'cb-secret' AND callback_secret NOT LIKE '%battery-whsec-1%'")"
row "the idempotency fingerprint is keyed" "h1:" "$(sql "SELECT DISTINCT left(fingerprint, 3) FROM streamsets.launch_request")"

echo "== 10. a key limited to its own runs"
own_code=$(launch "$limited" "$(body limited-1 '{"CITY": "x"}')"); own=$(run_id)
row "the limited key launches" "202 -" "$own_code"
row "the limited key reads another key's run" "404 /problems/not-found" "$(problem -H "Authorization: Bearer $limited" "$url/v1/runs/$prober")"
row "the limited key cancels another key's run" "404 /problems/not-found" "$(problem -X POST -H "Authorization: Bearer $limited" "$url/v1/runs/$holder/cancel")"
row "the limited key reads another key's log" "404 /problems/not-found" "$(problem -H "Authorization: Bearer $limited" "$url/v1/runs/$prober/instances/0/log")"
row "the limited key lists only its own runs" "$own" "$(curl -sS -H "Authorization: Bearer $limited" "$url/v1/runs" | python3 -c 'import json, sys; print(",".join(r["run-id"] for r in json.load(sys.stdin)["runs"]))')"
row "the limited key reads no metrics of another key's run" "0" "$(curl -sS -H "Authorization: Bearer $limited" "$url/v1/metrics?run-id=$prober" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["metrics"]))')"
row "the limited key cannot reach the admin API" "403 /problems/forbidden" "$(problem -H "Authorization: Bearer $limited" "$url/v1/admin/api-keys")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
