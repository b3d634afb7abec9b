#!/usr/bin/env bash
# The agent's own footprint next to Prometheus' node_exporter: all on loopback, all scraped every
# second for a few minutes, in the same run. Prints, for each: CPU seconds used per minute, CPU
# milliseconds per scrape, resident memory (RSS) at the end, and scrape latency p50/p99.
#
#   bench/footprint.sh [minutes, default 3]
#
# Needs prometheus-node-exporter (Debian: apt-get install prometheus-node-exporter), curl, and the
# built agent (built here when missing). The agent runs three times: as the README starts it, with
# the launcher agent/target/amptalk-monitor (its JVM settings and its class-data sharing archive);
# as `java -jar` starts it (the JVM's defaults for this machine); and as `java AGENT_JAVA_OPTS -jar`,
# by default the launcher's settings without its archive: a small heap, the serial collector, C1
# only, and no perf-data file (whose sampling, every 50 ms, costs an idle JVM more CPU than anything
# the agent does; jstat and jps cannot see it then).
# BEFORE_JAR=<path> adds an older agent jar with AGENT_JAVA_OPTS, for a before/after in one run.
AGENT_JAVA_OPTS=${AGENT_JAVA_OPTS:--Xms16m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData}
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-3}
exporter=$(command -v prometheus-node-exporter || true)
[ -n "$exporter" ] || { echo "node_exporter is missing: apt-get install prometheus-node-exporter" >&2; exit 1; }
jar=agent/target/amptalk-monitor.jar
[ -f agent/target/amptalk-monitor ] || mvn -B -q package -DskipTests

work=$(mktemp -d)
pick_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
names=() pids=() ports=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
serve() { # name command...: starts a server on a free port (the command ends with its port option)
  local name=$1 port
  shift
  port=$(pick_port)
  "$@$port" >"$work/$name.out" 2>&1 &
  names+=("$name") pids+=($!) ports+=("$port")
}
serve amptalk agent/target/amptalk-monitor --data-dir "$work/amptalk" --host 127.0.0.1 --port=
serve amptalk-java-jar java -jar "$jar" --data-dir "$work/plain" --host 127.0.0.1 --port=
# shellcheck disable=SC2086
serve amptalk-opts java $AGENT_JAVA_OPTS -jar "$jar" --data-dir "$work/opts" --host 127.0.0.1 \
  --port=
# BEFORE_JAR=<an older agent jar>: the same sidecar settings, for a before/after in one run.
if [[ -n ${BEFORE_JAR:-} ]]; then
  # shellcheck disable=SC2086
  serve amptalk-before java $AGENT_JAVA_OPTS -jar "$BEFORE_JAR" --data-dir "$work/before" \
    --host 127.0.0.1 --port=
fi
serve node_exporter "$exporter" --web.listen-address=127.0.0.1:
for port in "${ports[@]}"; do
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/metrics" >/dev/null 2>&1 && break
    sleep 0.1
  done
done

ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$1/stat"; }   # utime + stime, seconds
rss() { awk '/^VmRSS/ {print $2 / 1024}' "/proc/$1/status"; }             # MiB

# Scrape each once a second: warm-up for 20 s, then measure.
scrape_loop() { # port seconds outfile
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$1/metrics" >>"$3"
    sleep 1
  done
}
scrape_all() { # seconds: each server in parallel, then wait for the loops (not the servers)
  local loops=() i
  for i in "${!ports[@]}"; do
    scrape_loop "${ports[$i]}" "$1" "$work/${names[$i]}.times" &
    loops+=($!)
  done
  wait "${loops[@]}"
}
scrape_all 20
rm -f "$work"/*.times

seconds=$((minutes * 60))
before=() after=()
for pid in "${pids[@]}"; do before+=("$(cpu "$pid")"); done
scrape_all "$seconds"
for pid in "${pids[@]}"; do after+=("$(cpu "$pid")"); done

echo "$minutes min, one scrape a second each; amptalk: agent/target/amptalk-monitor (the launcher);" \
  "amptalk-java-jar: java -jar; amptalk-opts: java $AGENT_JAVA_OPTS -jar"
printf "%-16s %8s %12s %10s %10s %10s %10s\n" "" "cpu s/min" "cpu ms/scrape" "RSS MiB" "p50 ms" "p99 ms" "body bytes"
for i in "${!names[@]}"; do
  times="$work/${names[$i]}.times"
  sort -n "$times" | awk -v name="${names[$i]}" -v c0="${before[$i]}" -v c1="${after[$i]}" \
    -v rss="$(rss "${pids[$i]}")" -v minutes="$minutes" -v n="$(wc -l <"$times")" '
    { t[NR] = $1; bytes = $2 }
    END {
      p50 = t[int(NR * 0.50 + 0.5)]; p99 = t[int(NR * 0.99 + 0.5)]
      printf "%-16s %8.2f %12.2f %10.1f %10.2f %10.2f %10d\n", name, (c1 - c0) / minutes,
        (c1 - c0) * 1000 / n, rss, p50 * 1000, p99 * 1000, bytes
    }'
done
