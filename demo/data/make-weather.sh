#!/bin/sh
# Regenerates weather.csv, the demo job's sample data: 8 cities x 150 days of made-up but
# plausible daily readings, plus a few deliberately malformed rows (wrong field count or a
# non-numeric temperature) that the demo job must count as errors. Deterministic: same output
# on every machine.
#   sh demo/data/make-weather.sh > demo/data/weather.csv
awk 'BEGIN {
    seed = 20250101
    # city, mean temperature in January, seasonal rise by late May, mean humidity
    n = split("London:5:11:78 Phoenix:13:20:22 Paris:5:12:74 Tokyo:6:14:58 Sydney:23:-6:66 Toronto:-5:20:70 Mumbai:25:5:65 Cairo:14:13:45", cities, " ")
    split("31 28 31 30 31", days, " ")
    bad["London", 17] = "London,2025-01-18,N/A,81"
    bad["Phoenix", 40] = "Phoenix,2025-02-10,,12"
    bad["London", 88] = "London,2025-03-30,11.5"
    bad["Phoenix", 120] = "Phoenix,2025-05-01,36.4,9,sensor-reset"
    bad["Paris", 33] = "Paris,2025-02-03,7;2,70"
    bad["Tokyo", 75] = "Tokyo,2025-03-17"
    bad["Sydney", 5] = "Sydney,2025-01-06,twenty,60"
    bad["Cairo", 101] = "Cairo,2025-04-12,31.0,22,,"
    print "city,date,temperature_c,humidity"
    for (d = 0; d < 150; d++) {
        m = 1; day = d + 1
        while (day > days[m]) { day -= days[m]; m++ }
        date = sprintf("2025-%02d-%02d", m, day)
        for (c = 1; c <= n; c++) {
            split(cities[c], f, ":")
            t = f[2] + f[3] * d / 149 + (rnd() * 8 - 4)
            h = f[4] + (rnd() * 20 - 10)
            if (h < 3) h = 3
            if (h > 99) h = 99
            printf "%s,%s,%.1f,%d\n", f[1], date, t, h
            if ((f[1], d) in bad) print bad[f[1], d]
        }
    }
}
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }'
