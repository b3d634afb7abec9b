#!/usr/bin/env bash
# The agent's own footprint next to Prometheus' node_exporter: all on loopback, all scraped every
# second for a few minutes, in the same run. Prints, for each: CPU seconds used per minute, CPU
# milliseconds per scrape, resident memory (RSS) at the end, and scrape latency p50/p99.
#
#   bench/footprint.sh [minutes, default 3]
#
# Needs prometheus-node-exporter (Debian: apt-get install prometheus-node-exporter), curl, and the
# agent jar (built here when missing). The agent runs twice: as `java -jar` starts it (the JVM's
# defaults for this machine), and with AGENT_JAVA_OPTS, by default the settings a sidecar would use:
# a small heap, the serial collector, C1 only, and no perf-data file (whose sampling, every 50 ms,
# costs an idle JVM more CPU than anything the agent does; jstat and jps cannot see it then).
AGENT_JAVA_OPTS=${AGENT_JAVA_OPTS:--Xms16m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData}
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-3}
exporter=$(command -v prometheus-node-exporter || true)
[ -n "$exporter" ] || { echo "node_exporter is missing: apt-get install prometheus-node-exporter" >&2; exit 1; }
jar=agent/target/amptalk-monitor.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests

work=$(mktemp -d)
pick_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
agent_port=$(pick_port)
plain_port=$(pick_port)
node_port=$(pick_port)
# shellcheck disable=SC2086
java $AGENT_JAVA_OPTS -jar "$jar" --host 127.0.0.1 --port "$agent_port" --data-dir "$work/data" \
  >"$work/agent.out" 2>"$work/agent.err" &
agent=$!
java -jar "$jar" --host 127.0.0.1 --port "$plain_port" --data-dir "$work/plain" \
  >"$work/plain.out" 2>"$work/plain.err" &
plain=$!
"$exporter" --web.listen-address="127.0.0.1:$node_port" >"$work/node.out" 2>&1 &
node=$!
trap 'kill $agent $plain $node 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for port in "$agent_port" "$plain_port" "$node_port"; do
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
loops=()
for port in "$agent_port" "$plain_port" "$node_port"; do
  scrape_loop "$port" 20 /dev/null &
  loops+=($!)
done
wait "${loops[@]}" # not a bare wait: the servers run in the background too

seconds=$((minutes * 60))
a0=$(cpu $agent); p0=$(cpu $plain); n0=$(cpu $node)
scrape_loop "$agent_port" "$seconds" "$work/agent.times" &
loops=($!)
scrape_loop "$plain_port" "$seconds" "$work/plain.times" &
loops+=($!)
scrape_loop "$node_port" "$seconds" "$work/node.times" &
loops+=($!)
wait "${loops[@]}"
a1=$(cpu $agent); p1=$(cpu $plain); n1=$(cpu $node)

report() { # name cpu0 cpu1 pid times
  local scrapes
  scrapes=$(wc -l <"$5")
  sort -n "$5" | awk -v name="$1" -v c0="$2" -v c1="$3" -v rss="$(rss "$4")" -v minutes="$minutes" -v n="$scrapes" '
    { t[NR] = $1; bytes = $2 }
    END {
      p50 = t[int(NR * 0.50 + 0.5)]; p99 = t[int(NR * 0.99 + 0.5)]
      printf "%-16s %8.2f %12.2f %10.1f %10.2f %10.2f %10d\n", name, (c1 - c0) / minutes,
        (c1 - c0) * 1000 / n, rss, p50 * 1000, p99 * 1000, bytes
    }'
}
echo "$minutes min, one scrape a second each; amptalk: java $AGENT_JAVA_OPTS -jar; amptalk-java-jar: java -jar"
printf "%-16s %8s %12s %10s %10s %10s %10s\n" "" "cpu s/min" "cpu ms/scrape" "RSS MiB" "p50 ms" "p99 ms" "body bytes"
report amptalk "$a0" "$a1" $agent "$work/agent.times"
report amptalk-java-jar "$p0" "$p1" $plain "$work/plain.times"
report node_exporter "$n0" "$n1" $node "$work/node.times"
