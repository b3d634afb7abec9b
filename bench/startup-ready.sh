#!/usr/bin/env bash
# Launch to ready: starts the built agent N times (default 10), one after the other, each with
# no configuration on a free loopback port and its own data directory, and prints for each start
# the milliseconds from launching it to the first 200 of /health/ready (polled every 20 ms), then
# min, median and max. Each agent is stopped with SIGTERM before the next starts.
# Beside it, when the port first answered at all (503 "starting" while the monitor is built): the
# difference is what readiness adds to the JVM's own start, which a loaded machine stretches; and
# the CPU time the process had used when ready (user + system, from /proc), which a loaded machine
# stretches far less than the wall time, so it compares starts made at different loads.
#
#   bench/startup-ready.sh [starts, default 10]
#   AGENT="java -jar agent/target/amptalk-monitor.jar" bench/startup-ready.sh   # another start
#
# AGENT is the command that starts it: by default the launcher, agent/target/amptalk-monitor, as
# the README starts it. Needs curl, python3 (to pick a free port) and the agent (built here when
# missing). JAVA_OPTS reach java through the launcher; with AGENT="java ..." put them in AGENT.
# A start not ready within 60 s is reported as such and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-10}
agent=${AGENT:-agent/target/amptalk-monitor}
[ -f agent/target/amptalk-monitor ] || mvn -B -q package -DskipTests
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
pick_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

times=() cpus=()
failed=0
for i in $(seq 1 "$starts"); do
  port=$(pick_port)
  launched=$(now_ms)
  # shellcheck disable=SC2086
  $agent --host 127.0.0.1 --port "$port" --data-dir "$work/data-$i" \
    >"$work/agent-$i.out" 2>&1 &
  pid=$!
  ready="" answered=""
  while [ $(( $(now_ms) - launched )) -lt 60000 ]; do
    kill -0 "$pid" 2>/dev/null || break
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/health/ready" || true)
    if [ -z "$answered" ] && [ "$code" != 000 ]; then answered=$(( $(now_ms) - launched )); fi
    if [ "$code" = 200 ]; then
      ready=$(( $(now_ms) - launched ))
      cpu=$(awk -v t="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / t)}' "/proc/$pid/stat")
      break
    fi
    sleep 0.02
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  if [ -n "$ready" ]; then
    printf 'start %2d: ready in %5d ms (port first answered at %5d ms; CPU used %5d ms)\n' \
      "$i" "$ready" "$answered" "$cpu"
    times+=("$ready") cpus+=("$cpu")
  else
    printf 'start %2d: NOT ready within 60 s; its output:\n' "$i"
    sed 's/^/    /' "$work/agent-$i.out"
    failed=1
  fi
done
summary() { # what, values...: min, median and max
  local what=$1 sorted count
  shift
  sorted=$(printf '%s\n' "$@" | sort -n)
  count=$#
  echo "$what over $count starts: min $(echo "$sorted" | head -n 1) ms," \
    "median $(echo "$sorted" | sed -n "$(( (count + 1) / 2 ))p") ms, max $(echo "$sorted" | tail -n 1) ms"
}
if [ ${#times[@]} -gt 0 ]; then
  summary "launch to ready" "${times[@]}"
  summary "CPU used until ready" "${cpus[@]}"
fi
uptime
exit "$failed"
