# bench/wrk.sh: sourced by the benchmark drivers that run wrk.
#
# wrk_parse OUTPUT: wrk --latency output -> "requests/s p99 errors timeouts",
# where errors counts non-2xx answers and connect/read/write socket errors.
# wrk prints "  Socket errors: connect 0, read 0, write 0, timeout 12" only
# when there was one; the fields are read by name, not position.
wrk_parse() {
  awk '
    /^Requests\/sec/ { rps = $2 }
    $1 == "99%" { p99 = $2 }
    /Non-2xx/ { errors += $NF }
    /Socket errors/ {
      gsub(",", "")
      for (i = 1; i < NF; i++) {
        if ($i ~ /^(connect|read|write)$/) errors += $(i + 1)
        if ($i == "timeout") timeouts += $(i + 1)
      }
    }
    END { printf "%s %s %d %d\n", rps == "" ? 0 : rps, p99 == "" ? "?" : p99, errors, timeouts }
  ' <<<"$1"
}
