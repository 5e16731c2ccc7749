#!/bin/sh
# Demo job for the local platform that you can watch while it runs: replays the rows of a CSV
# file at a steady pace, as a feed would deliver them, keeping the rows of one city (or every
# well-formed row), and reports its progress after every batch as a metrics line:
#   JTS_METRICS input=<rows read> output=<rows kept> errors=<malformed rows>
# The service shows the latest line under live-metrics in the run resource and keeps snapshots
# of them (GET /v1/runs/<run>/instances/<i>/metrics); the last line is the final count.
#
# Parameters (environment variables, as the service passes them):
#   INPUT_FILE        the CSV to replay; header with at least city and temperature_c (static)
#   CITY              keep only this city's rows (dynamic, optional; default: every well-formed row)
#   DURATION_SECONDS  how long one pass over the file takes (optional, default 60)
#   LOOP              1: start again at the end of the file, until stopped (a streaming job)
#
# Stopped with SIGTERM (a cancel of a streaming run), it prints its final counts and exits 0, so
# the service records a clean stop. Exit code 2: bad parameters or unreadable input.
#   INPUT_FILE=demo/data/weather.csv DURATION_SECONDS=5 sh demo/jobs/weather_replay.sh
set -u

fail() {
    printf 'weather_replay: %s\n' "$*" >&2
    exit 2
}

[ -n "${INPUT_FILE:-}" ] || fail "INPUT_FILE is not set (a static parameter of the template)"
[ -r "$INPUT_FILE" ] || fail "input file not readable: $INPUT_FILE"
duration=${DURATION_SECONDS:-60}
printf '%s\n' "$duration" | grep -Eq '^[0-9]+$' && [ "$duration" -gt 0 ] || fail "DURATION_SECONDS must be a whole number above 0, not '$duration'"
city=${CITY:-}
loop=${LOOP:-0}

rows=$(($(wc -l < "$INPUT_FILE") - 1))
[ "$rows" -gt 0 ] || fail "$INPUT_FILE has no rows"
batches=30
[ "$rows" -lt $batches ] && batches=$rows
per_batch=$(((rows + batches - 1) / batches))
pause=$(awk -v d="$duration" -v b="$batches" 'BEGIN { printf "%.2f", d / b }')

input=0 output=0 errors=0
report() { echo "JTS_METRICS input=$input output=$output errors=$errors"; }
trap 'report; echo "weather_replay: stopped after $input rows"; exit 0' TERM INT

echo "weather_replay: replaying $rows rows of $INPUT_FILE in $batches batches over ${duration}s${city:+, keeping city=$city}"
report
while :; do
    first=2
    while [ "$first" -le $((rows + 1)) ]; do
        last=$((first + per_batch - 1))
        # read, kept and malformed rows of lines first..last (line 1 is the header)
        counts=$(awk -F, -v from="$first" -v to="$last" -v city="$city" '
            NR == 1 { for (i = 1; i <= NF; i++) { h = tolower($i); if (h == "city") c = i; if (h == "temperature_c") t = i }; fields = NF; next }
            NR < from { next }
            NR > to { exit }
            /^[ \t\r]*$/ { next }
            { sub(/\r$/, ""); read++
              if (NF != fields || $t !~ /^ *-?[0-9]+([.][0-9]+)? *$/) bad++
              else if (city == "" || $c == city) kept++ }
            END { printf "%d %d %d\n", read, kept, bad }' "$INPUT_FILE") || fail "could not read $INPUT_FILE"
        set -- $counts
        input=$((input + $1)) output=$((output + $2)) errors=$((errors + $3))
        first=$((last + 1))
        sleep "$pause" &
        wait $!   # so that a TERM is handled at once, not after the sleep
        report
    done
    [ "$loop" = 1 ] || break
done
echo "weather_replay: done, $input rows read, $output kept, $errors malformed"
