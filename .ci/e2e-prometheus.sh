#!/usr/bin/env bash
# End-to-end: the agent's real /metrics body passes `promtool check metrics`, and a real
# Prometheus scrapes the agent (up == 1) and answers a query for a recorded request's series.
# Needs agent/target/amptalk-monitor and its jar (built by `mvn verify`), prometheus, promtool, jq, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=e2e
. .ci/e2e-lib.sh

# check_metrics URL: fetches a body and lints it; fails when the fetch fails or the body is empty,
# because promtool itself passes empty input.
check_metrics() {
  local body="$work/body.txt"
  curl -fsS --max-time 10 -H 'Accept: text/plain' "$1" -o "$body" || return 1
  [ -s "$body" ] || { echo "empty body from $1" >&2; return 1; }
  promtool check metrics <"$body"
}

# Started as the README starts it: the launcher, with its JVM settings and class-data archive.
launcher=agent/target/amptalk-monitor
[ -x "$launcher" ] || fail "$launcher is missing: run mvn verify first"

"$launcher" --host 127.0.0.1 --port 0 --demo --service-name e2e >"$work/agent.out" 2>"$work/agent.err" &
pids+=($!)
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's#.*serving metrics at http://127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$work/agent.out")
  [ -n "$port" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/agent.err" >&2; fail "agent exited"; }
  sleep 0.2
done
[ -n "$port" ] || { cat "$work/agent.err" >&2; fail "agent did not print its URL"; }
echo "e2e: agent serves http://127.0.0.1:$port/metrics"

# The lint must be able to fail: an empty body and a failed fetch are both failures.
if check_metrics "file:///dev/null" 2>/dev/null; then fail "check_metrics passed an empty body"; fi
if check_metrics "http://127.0.0.1:1/metrics" 2>/dev/null; then fail "check_metrics passed a failed fetch"; fi
sleep 2 # two host samples, so every host series is present
check_metrics "http://127.0.0.1:$port/metrics" || fail "promtool check metrics complained (above)"
echo "e2e: promtool check metrics is clean on $(wc -l <"$work/body.txt") lines"

# The agent's health checks: served on the same port, reported in the seed's JSON.
health=$(curl -sS --max-time 5 "http://127.0.0.1:$port/health")
checks=$(echo "$health" | jq -r '.checks | keys | sort | join(",")')
[ "$checks" = "cpu,disk,memory" ] || fail "/health lists checks '$checks', expected cpu,disk,memory"
notrun=$(echo "$health" | jq -r '[.checks | to_entries[] | select(.value.timestamp == null) | .key] | join(",")')
[ -z "$notrun" ] || fail "/health: checks not run yet: $notrun"
status=$(echo "$health" | jq -r .status)
# 'unknown' only as a check's first bad results count toward a change (a CPU check catching the
# busy start of a CI machine), never because a check has not run: that was refused above.
case "$status" in healthy|degraded|unhealthy|unknown) ;; *) fail "/health status is '$status'" ;; esac
live=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/live")
[ "$live" = "200" ] || fail "/health/live answered $live, expected 200"
grep -q '^health_check_status{check="cpu",state="healthy"}' "$work/body.txt" || fail "no health_check_status series"
echo "e2e: /health reports $status for $checks; /health/live is 200"

prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: amptalk
    static_configs:
      - targets: ['127.0.0.1:$port']
YML
promtool check config "$work/prometheus.yml" >/dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$prom_port/api/v1"

query() { curl -fsS --max-time 5 --get --data-urlencode "query=$1" "$api/query"; }

up=""
for _ in $(seq 1 60); do
  up=$(query 'up{job="amptalk"}' 2>/dev/null | jq -r '.data.result[0].value[1] // empty' || true)
  [ "$up" = "1" ] && break
  sleep 0.5
done
if [ "$up" != "1" ]; then
  curl -fsS "$api/targets" | jq '.data.activeTargets[] | {health, lastError}' >&2 || true
  fail "Prometheus reports up=${up:-none} for the agent"
fi
echo "e2e: Prometheus scrapes the agent: up == 1"

series='http_server_request_duration_seconds_count{job="amptalk",http_route="/api/transcription",http_response_status_code="200"}'
count=""
for _ in $(seq 1 20); do
  count=$(query "sum($series)" | jq -r '.data.result[0].value[1] // empty')
  [ -n "$count" ] && [ "$count" != "0" ] && break
  sleep 0.5
done
[ -n "$count" ] && [ "$count" != "0" ] || fail "no samples for $series"
echo "e2e: Prometheus answers $series: $count requests"

target=$(query 'target_info{job="amptalk"}' | jq -r '.data.result[0].metric.service_name // empty')
[ "$target" = "e2e" ] || fail "target_info service_name is '$target', expected 'e2e'"
echo "e2e: target_info carries service_name=e2e"
echo "e2e: OK"
