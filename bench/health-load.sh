#!/usr/bin/env bash
# /health under concurrent load on loopback: our endpoint (cached results) next to a trivial JDK
# HttpServer handler writing the same bytes on the same executor, measured in the same run by wrk.
# Usage: bench/health-load.sh [seconds per run, default 10] [connections, default 16]
# Needs wrk (Debian: apt-get install wrk) and the bench jar (built here if missing).
# Both servers run in one JVM. Ours sets TCP_NODELAY on its connections itself; the trivial JDK
# HttpServer gets it from sun.net.httpserver.nodelay, which HealthEndpointServer sets (without it,
# each of its small answers stalls ~40 ms on Nagle's algorithm and the baseline means nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-16}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || mvn -B -q -pl bench -am package -DskipTests

out=$(mktemp)
java ${JAVA_OPTS:-} -cp "$jar" io.amptalk.monitoring.bench.HealthEndpointServer >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do grep -q '^body-bytes' "$out" && break; sleep 0.1; done
ours=$(awk '/^amptalk/ {print $2}' "$out")
trivial=$(awk '/^trivial/ {print $2}' "$out")
bytes=$(awk '/^body-bytes/ {print $2}' "$out")

# Both warm up before either is measured, so neither is measured while the JIT compiles it.
for port in "$ours" "$trivial" "$ours" "$trivial"; do
  wrk -t2 -c"$connections" -d3s "http://127.0.0.1:$port/health" >/dev/null
done

# run NAME PORT: the measured run; prints "name req/s p50 p99".
run() {
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$2/health" |
    awk -v name="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
      END {printf "%-28s %12.0f %10s %10s\n", name, rps, p50, p99}'
}

echo "GET /health, ${bytes}-byte body, wrk -t2 -c$connections -d${seconds}s on $(nproc) cores"
printf "%-28s %12s %10s %10s\n" "server" "requests/s" "p50" "p99"
a=$(run "amptalk /health (cached)" "$ours")
b=$(run "trivial JDK handler" "$trivial")
echo "$a"
echo "$b"
awk -v a="$(echo "$a" | awk '{print $(NF-2)}')" -v b="$(echo "$b" | awk '{print $(NF-2)}')" \
  'BEGIN {printf "ratio: amptalk / trivial = %.0f%%\n", 100 * a / b}'
