#!/usr/bin/env bash
# A soak of the agent in demo mode (synthetic requests and errors) under scrape and /health load on
# loopback. Every 30 s it forces a GC and prints the heap in use after it, the thread count and the
# resident memory; at the end, the change from the first sample to the last, and the log lines at
# WARN or ERROR (besides the expected no-token warning).
#
#   bench/soak.sh [minutes, default 5]
#
# Needs wrk (Debian: apt-get install wrk), curl, jcmd (the JDK) and the agent jar (built when
# missing). AGENT_JAVA_OPTS is passed to the agent (default -Xmx128m).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
jar=agent/target/amptalk-monitor.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
java ${AGENT_JAVA_OPTS:--Xmx128m} -jar "$jar" demo --host 127.0.0.1 --port "$port" \
  --data-dir "$work/data" --check-interval 5s >"$work/out.log" 2>"$work/err.log" &
agent=$!
trap 'kill $agent 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.1; done

seconds=$((minutes * 60))
: >"$work/scrape-errors"
# /health under steady load, and a Prometheus-like scraper five times a second.
wrk -t1 -c4 -d"${seconds}s" "http://127.0.0.1:$port/health" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
(
  end=$((SECONDS + seconds))
  while ((SECONDS < end)); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/metrics" || echo "scrape failed" >>"$work/scrape-errors"
    sleep 0.2
  done
) &
scraper=$!

sample() {
  jcmd "$agent" GC.run >/dev/null
  local heap threads rss
  heap=$(jcmd "$agent" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?/, "", v); print int(v / 1024); exit}}')
  threads=$(awk '/^Threads/ {print $2}' "/proc/$agent/status")
  rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$agent/status")
  printf "%6d %12d %8d %8d\n" "$1" "$heap" "$threads" "$rss"
}
printf "%6s %12s %8s %8s\n" "second" "heap MiB" "threads" "RSS MiB"
first=$(sample 0)
echo "$first"
last=$first
for ((t = 30; t <= seconds; t += 30)); do
  sleep 30
  last=$(sample "$t")
  echo "$last"
done
wait $wrk_pid $scraper || true
read -r _ h0 t0 r0 <<<"$first"
read -r _ h1 t1 r1 <<<"$last"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
# The logging notifier's own lines (logger io.amptalk.monitoring.alerts) are alerts, not errors:
# under this load the CPU check may well fire. Everything else at WARN or ERROR counts.
problems() { grep -h -E 'WARN|ERROR|Exception' "$work/out.log" "$work/err.log" |
  grep -v -e 'No API token' -e 'io.amptalk.monitoring.alerts - ' || true; }
alerts=$(cat "$work/out.log" "$work/err.log" | grep -c 'io.amptalk.monitoring.alerts - ' || true)
echo "$minutes min: /health $requests requests ($rps/s, wrk -t1 -c4), /metrics 5 scrapes/s" \
  "($(wc -l <"$work/scrape-errors") failed)"
echo "heap after GC ${h0} -> ${h1} MiB, threads ${t0} -> ${t1}, RSS ${r0} -> ${r1} MiB;" \
  "alerts logged: $alerts; other log lines at WARN/ERROR: $(problems | wc -l)"
problems | head -5
