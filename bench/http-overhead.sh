#!/usr/bin/env bash
# What request instrumentation costs a real server: an embedded Jetty 12 (ee10) serving a trivial
# servlet (GET /items/42 under the mapping /items/*, a 13-byte body) on loopback under wrk, once with
# no instrumentation and once with each of: our Servlet filter (MonitoringFilter and a SystemMonitor),
# Micrometer's http.server.requests timer in a Servlet filter as Spring Boot recorded it
# (PrometheusMeterRegistry), micrometer-jetty12's TimedHandler, Dropwizard's Jetty 12 ee10
# InstrumentedEE10Handler, and OpenTelemetry's HTTP server Instrumenter (instrumentation-api) in a
# Servlet filter with the SDK's meter provider (HttpOverheadServer says why each is what it is).
#
#   bench/http-overhead.sh [warm-up seconds, default 10] [measured seconds, default 15]
#                          [rounds, default 2] [connections, default 16]
#
# Each variant runs in a JVM of its own (JAVA_OPTS, default -Xms1g -Xmx1g), started fresh for each
# measurement, so no variant inherits another's compiled code or heap: a warm-up run of wrk, then
# the measured one, wrk -t1 -c<connections> --latency. A second round runs the variants in the
# reverse order (then forward again, ...), so a machine whose load drifts during the run does not
# favour the variants measured first. Each instrumented variant must have recorded at least the
# requests wrk counted, and no request may fail; otherwise the run fails.
# Prints per variant and round requests/s, p99 and the server's CPU time per request (user + system,
# /proc/<pid>/stat, over the measured run: on a machine shared with other work, the steadier
# figure); then per variant the means over the rounds (the worst p99), each against no
# instrumentation.
# Needs wrk (Debian: apt-get install wrk) and the bench jar (built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-10}
seconds=${2:-15}
rounds=${3:-2}
connections=${4:-16}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || mvn -B -q -pl bench -am package -DskipTests
java_opts=${JAVA_OPTS:--Xms1g -Xmx1g}

variants=(none amptalk micrometer-servlet micrometer-jetty dropwizard otel)
declare -A label=(
  [none]="no instrumentation"
  [amptalk]="amptalk MonitoringFilter"
  [micrometer-servlet]="Micrometer, Servlet filter"
  [micrometer-jetty]="Micrometer, TimedHandler"
  [dropwizard]="Dropwizard InstrumentedEE10Handler"
  [otel]="OpenTelemetry Instrumenter filter")

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# cpu_ticks PID: the process's user + system CPU time so far, in clock ticks (/proc/PID/stat).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# measure VARIANT ROUND: one fresh JVM; appends "variant round req/s p99-ms" to $work/results.
measure() {
  local variant=$1 round=$2 port requests recorded url
  coproc SERVER {
    # shellcheck disable=SC2086
    exec java $java_opts -cp "$jar" io.amptalk.monitoring.bench.HttpOverheadServer "$1" \
      2>"$work/$1-$2.err"
  }
  server_pid=$SERVER_PID
  local to_server=${SERVER[1]} from_server=${SERVER[0]}
  if ! read -r -t 60 -u "$from_server" _ port; then
    echo "$variant did not start:" >&2
    cat "$work/$variant-$round.err" >&2
    exit 1
  fi
  url="http://127.0.0.1:$port/items/42"
  wrk -t1 -c"$connections" -d"${warmup}s" "$url" >"$work/$variant-$round.warmup"
  local before after
  before=$(cpu_ticks "$server_pid")
  wrk -t1 -c"$connections" -d"${seconds}s" --latency "$url" >"$work/$variant-$round.wrk"
  after=$(cpu_ticks "$server_pid")
  echo count >&"$to_server"
  read -r -t 60 -u "$from_server" _ recorded || true
  if ! [[ ${recorded:-} =~ ^-?[0-9]+$ ]]; then
    echo "$variant did not answer its count:" >&2
    cat "$work/$variant-$round.err" >&2
    exit 1
  fi
  exec {to_server}>&-
  wait "$server_pid" || true
  server_pid=""
  if grep -qE 'Non-2xx|Socket errors' "$work/$variant-$round.warmup" "$work/$variant-$round.wrk"; then
    echo "$variant: wrk saw failed requests:" >&2
    cat "$work/$variant-$round.wrk" >&2
    exit 1
  fi
  # Both wrk runs' requests, each "N requests in ...".
  requests=$(awk '/requests in/ {n += $1} END {print n}' "$work/$variant-$round.warmup" "$work/$variant-$round.wrk")
  if [ "$variant" != none ] && [ "$recorded" -lt "$requests" ]; then
    echo "$variant recorded $recorded requests of the $requests wrk completed" >&2
    exit 1
  fi
  # The server's CPU time per measured request, in microseconds: what the instrumentation costs
  # the server, which other processes' load on a shared machine stretches far less than req/s.
  awk -v v="$variant" -v r="$round" -v ticks=$((after - before)) -v hz="$ticks_per_second" '
    function ms(x) { if (x ~ /us$/) return x / 1000; if (x ~ /ms$/) return x + 0; if (x ~ /s$/) return x * 1000; return x }
    /Requests\/sec/ {rps = $2} /^ +99%/ {p99 = ms($2)} /requests in/ {n = $1}
    END {printf "%s %s %.0f %.2f %.1f\n", v, r, rps, p99, 1e6 * ticks / hz / n}' \
    "$work/$variant-$round.wrk" >>"$work/results"
}

echo "Jetty 12 ee10, GET /items/42 (13-byte body), wrk -t1 -c$connections: ${warmup} s warm-up," \
  "${seconds} s measured, $rounds round(s), a fresh JVM each ($java_opts), $(nproc) cores"
echo "java: $(java -version 2>&1 | head -n 1)"
for round in $(seq 1 "$rounds"); do
  order=("${variants[@]}")
  if (( round % 2 == 0 )); then
    order=()
    for ((i = ${#variants[@]} - 1; i >= 0; i--)); do order+=("${variants[i]}"); done
  fi
  for variant in "${order[@]}"; do
    measure "$variant" "$round"
    tail -n 1 "$work/results" | awk -v round="$round" -v name="${label[$variant]}" \
      '{printf "round %d  %-36s %8s req/s  p99 %8s ms  server CPU %7s us/request\n", round, name, $3, $4, $5}'
  done
done

echo
printf '%-36s %11s %9s %9s %12s %9s\n' "variant" "requests/s" "vs none" "p99 ms" "CPU us/req" "vs none"
base=$(awk '$1 == "none" {s += $3; c += $5; n++} END {print s / n, c / n}' "$work/results")
for variant in "${variants[@]}"; do
  awk -v v="$variant" -v name="${label[$variant]}" -v base="$base" '
    BEGIN {split(base, b, " ")}
    $1 == v {s += $3; c += $5; n++; if ($4 > p99) p99 = $4}
    END {
      rps = s / n; cpu = c / n
      vs = v == "none" ? "-" : sprintf("%+.1f%%", 100 * (rps - b[1]) / b[1])
      vc = v == "none" ? "-" : sprintf("%+.1f%%", 100 * (cpu - b[2]) / b[2])
      printf "%-36s %11.0f %9s %9.2f %12.1f %9s\n", name, rps, vs, p99, cpu, vc
    }' "$work/results"
done
