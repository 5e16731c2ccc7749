#!/bin/sh
# Demo job for the local platform: keeps the rows of a CSV file whose `city` column equals CITY
# (and, optionally, whose `temperature_c` is at least MIN_TEMPERATURE_C), and reports what it did
# the way every local job may: progress on stdout, problems on stderr, exit code 0 on success,
# and a last stdout line `JTS_METRICS input=<rows read> output=<rows written> errors=<bad rows>`.
#
# Parameters (environment variables, as the service passes them):
#   INPUT_FILE         the CSV to read; header with at least city and temperature_c (static)
#   OUTPUT_DIR         where results go (static)
#   CITY               the city to keep (dynamic, required)
#   MIN_TEMPERATURE_C  keep only rows at or above this temperature (dynamic, optional)
#   JTS_RUN_ID         set by the service; names the output file (default: manual)
#
# Writes $OUTPUT_DIR/<run-id>-<city>.csv (header + kept rows) and, when rows are malformed
# (wrong number of fields or a non-numeric temperature_c), <run-id>-<city>.errors.csv beside it.
# Exit codes: 0 done; 2 bad parameters or unreadable input; 3 no row has that city (a data
# problem, so the run fails). Plain POSIX sh and awk; runs anywhere.
#   INPUT_FILE=demo/data/weather.csv OUTPUT_DIR=/tmp/out CITY=London sh demo/jobs/csv_filter.sh
set -u

fail() {
    code=$1
    shift
    printf 'csv_filter: %s\n' "$*" >&2
    exit "$code"
}

[ -n "${INPUT_FILE:-}" ] || fail 2 "INPUT_FILE is not set (a static parameter of the template)"
[ -f "$INPUT_FILE" ] || fail 2 "input file not found: $INPUT_FILE"
[ -r "$INPUT_FILE" ] || fail 2 "input file not readable: $INPUT_FILE"
[ -n "${OUTPUT_DIR:-}" ] || fail 2 "OUTPUT_DIR is not set (a static parameter of the template)"
[ -n "${CITY:-}" ] || fail 2 "CITY is not set (pass it in runtime-parameters)"
min=${MIN_TEMPERATURE_C:-}
if [ -n "$min" ] && ! printf '%s\n' "$min" | grep -Eq '^-?[0-9]+([.][0-9]+)?$'; then
    fail 2 "MIN_TEMPERATURE_C must be a number, not '$min'"
fi
run=${JTS_RUN_ID:-manual}
name=$(printf '%s' "$run-$CITY" | tr -c 'A-Za-z0-9._-' '_')
mkdir -p "$OUTPUT_DIR" || fail 2 "cannot create OUTPUT_DIR $OUTPUT_DIR"
out="$OUTPUT_DIR/$name.csv"
errors="$OUTPUT_DIR/$name.errors.csv"
stats="$OUTPUT_DIR/.$name.stats.$$"
trap 'rm -f "$out.tmp.$$" "$errors.tmp.$$" "$stats"' EXIT

echo "csv_filter: reading $INPUT_FILE, keeping city=$CITY${min:+ with temperature_c >= $min}"

awk -v city="$CITY" -v min="$min" -v out="$out.tmp.$$" -v errors="$errors.tmp.$$" -v stats="$stats" '
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
function quote(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
function bad(reason) {
    bad_rows++
    if (bad_rows == 1) print "line,reason,record" > errors
    print NR "," quote(reason) "," quote($0) > errors
}
{ sub(/\r$/, "") }
NR == 1 {
    sub(/^\357\273\277/, "")   # a UTF-8 byte order mark
    fields = split($0, header, ",")
    for (i = 1; i <= fields; i++) {
        h = tolower(trim(header[i]))
        if (h == "city") city_col = i
        if (h == "temperature_c") temp_col = i
    }
    if (!city_col || !temp_col) { missing = 1; exit }
    print $0 > out
    next
}
/^[ \t]*$/ { next }
{
    read++
    n = split($0, f, ",")
    if (n != fields) bad("expected " fields " fields, found " n)
    else if (trim(f[temp_col]) !~ /^-?[0-9]+([.][0-9]+)?$/) bad("temperature_c is not a number: " quote(f[temp_col]))
    else {
        c = trim(f[city_col])
        if (!(c in seen) && distinct < 20) { seen[c] = 1; distinct++; cities = cities (distinct > 1 ? ", " : "") c }
        if (c == city) {
            matched++
            if (min == "" || trim(f[temp_col]) + 0 >= min + 0) { print $0 > out; written++ }
        }
    }
    if (read % 250 == 0) { printf "progress: %d rows read, %d kept, %d malformed\n", read, written, bad_rows; fflush() }
}
END {
    if (missing) { print "csv_filter: the header has no city or temperature_c column: " $0 > "/dev/stderr"; exit 2 }
    printf "%d %d %d %d %s\n", read, written, matched, bad_rows, cities > stats
}' "$INPUT_FILE" || exit 2   # awk has said why

read -r input output matched bad cities < "$stats" || fail 2 "could not read $INPUT_FILE"
echo "progress: $input rows read, $output kept, $bad malformed (done)"

if [ "$bad" -gt 0 ]; then
    mv "$errors.tmp.$$" "$errors"
    echo "csv_filter: $bad malformed rows skipped (wrong field count or non-numeric temperature_c); see $errors" >&2
else
    rm -f "$errors"
fi

if [ "$matched" -eq 0 ]; then
    echo "JTS_METRICS input=$input output=0 errors=$bad"
    fail 3 "no row has city '$CITY' in $INPUT_FILE ($input rows read; cities present: ${cities:-none})"
fi
mv "$out.tmp.$$" "$out"
if [ "$output" -eq 0 ]; then
    echo "csv_filter: $matched rows for $CITY, none with temperature_c >= $min; wrote the header only" >&2
fi
echo "wrote $output rows to $out"
echo "JTS_METRICS input=$input output=$output errors=$bad"
