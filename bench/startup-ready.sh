#!/usr/bin/env bash
# Launch to ready: starts the built agent jar N times (default 10), one after the other, each with
# no configuration on a free loopback port and its own data directory, and prints for each start
# the milliseconds from launching `java -jar` to the first 200 of /health/ready (polled every
# 20 ms), then min, median and max. Each agent is stopped with SIGTERM before the next starts.
# Beside it, when the port first answered at all (503 "starting" while the monitor is built): the
# difference is what readiness adds to the JVM's own start, which a loaded machine stretches.
#
#   bench/startup-ready.sh [starts, default 10]
#
# Needs curl, python3 (to pick a free port) and the agent jar (built here when missing).
# JAVA_OPTS are passed to java. A start not ready within 60 s is reported as such and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-10}
jar=agent/target/amptalk-monitor.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
pick_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

times=()
failed=0
for i in $(seq 1 "$starts"); do
  port=$(pick_port)
  launched=$(now_ms)
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" --host 127.0.0.1 --port "$port" --data-dir "$work/data-$i" \
    >"$work/agent-$i.out" 2>&1 &
  pid=$!
  ready="" answered=""
  while [ $(( $(now_ms) - launched )) -lt 60000 ]; do
    kill -0 "$pid" 2>/dev/null || break
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/health/ready" || true)
    if [ -z "$answered" ] && [ "$code" != 000 ]; then answered=$(( $(now_ms) - launched )); fi
    if [ "$code" = 200 ]; then ready=$(( $(now_ms) - launched )); break; fi
    sleep 0.02
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  if [ -n "$ready" ]; then
    printf 'start %2d: ready in %5d ms (port first answered at %5d ms)\n' "$i" "$ready" "$answered"
    times+=("$ready")
  else
    printf 'start %2d: NOT ready within 60 s; its output:\n' "$i"
    sed 's/^/    /' "$work/agent-$i.out"
    failed=1
  fi
done
if [ ${#times[@]} -gt 0 ]; then
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  count=${#times[@]}
  echo "launch to ready over $count starts: min $(echo "$sorted" | head -n 1) ms," \
    "median $(echo "$sorted" | sed -n "$(( (count + 1) / 2 ))p") ms, max $(echo "$sorted" | tail -n 1) ms"
fi
exit "$failed"
