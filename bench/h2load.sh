# bench/h2load.sh: sourced by the benchmark drivers that need the latency
# of every request (h2load, Debian package nghttp2-client, over HTTP/1.1).
#
# wrk 4.1's latency percentiles are not per request: with 15 answers of
# 0.5 s among 15,000 of 50 us it reports a p90 of 400 ms. h2load writes
# each request's time to its log, and the percentiles here come from that.
#
# h2load_run LOG URLS SECONDS: 50 connections on 2 threads for SECONDS, each
# connection asking the URLs of the file URLS in turn from the first ->
# "requests/s p50_ms p99_ms errors", where errors counts non-2xx answers
# and failed, errored or timed-out requests.
h2load_run() {
  local log=$1 urls=$2 seconds=$3 out rps errors
  rm -f "$log"
  out=$(h2load --h1 -c50 -t2 -D "$seconds" -i "$urls" --log-file="$log" 2>&1) || {
    echo "$out" >&2
    return 1
  }
  read -r rps errors <<<"$(awk '
    /^finished in/ { rps = $4 }
    /^requests:/ { errors += $10 + $12 + $14 }
    /^status codes:/ { errors += $5 + $7 + $9 }
    END { printf "%s %d\n", rps == "" ? 0 : rps, errors }
  ' <<<"$out")"
  sort -n -k3,3 "$log" | awk -v rps="$rps" -v errors="$errors" '
    { t[NR] = $3 }
    function at(p,  i) { i = int(NR * p + 0.5); if (i < 1) i = 1; return t[i] / 1000 }
    END { printf "%s %.2f %.2f %d\n", rps, NR ? at(0.50) : 0, NR ? at(0.99) : 0, errors }
  '
}
