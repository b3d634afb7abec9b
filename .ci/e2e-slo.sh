#!/usr/bin/env bash
# End-to-end: one service level objective, evaluated twice on the demo agent's traffic (about 5 %
# of errors): by the agent itself, and by a real Prometheus with the rules `slo-rules` writes for
# the same configuration. A short window (an objective of 99 % over 1h, one alert at 2x over 5m
# and 1m) makes both fire within a minute; both must fire the same alert, with its labels, and
# agree on the error ratio over 5 minutes (within 1.5 points: the demo's errors are random, and the
# two read its requests a few seconds apart).
# Needs agent/target/amptalk-monitor.jar (built by `mvn verify`), prometheus, promtool, jq, curl
# and /usr/bin/python3 (for a free port).
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=e2e-slo
. .ci/e2e-lib.sh

jar=agent/target/amptalk-monitor.jar
[ -f "$jar" ] || fail "$jar is missing: run mvn verify first"

cat >"$work/monitor.yml" <<'YML'
slos:
  demo:
    route_pattern: "/api/.*"
    objective: 99
    window: 1h
    alerts:
      - {severity: critical, long_window: 5m, short_window: 1m, factor: 2}
YML
java -jar "$jar" slo-rules --config "$work/monitor.yml" -o "$work/slo-rules.yml"
promtool check rules "$work/slo-rules.yml" >/dev/null || fail "promtool check rules refused the generated rules"

java -jar "$jar" demo --config "$work/monitor.yml" --host 127.0.0.1 --port 0 --service-name e2e \
  --data-dir "$work/agent-data" >"$work/agent.out" 2>"$work/agent.err" &
pids+=($!)
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's#.*serving metrics at http://127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$work/agent.out")
  [ -n "$port" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/agent.err" >&2; fail "agent exited"; }
  sleep 0.2
done
[ -n "$port" ] || { cat "$work/agent.err" >&2; fail "agent did not print its URL"; }
echo "e2e-slo: demo agent serves http://127.0.0.1:$port/"

prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - $work/slo-rules.yml
scrape_configs:
  - job_name: amptalk
    static_configs:
      - targets: ['127.0.0.1:$port']
        labels: {service: e2e}
YML
promtool check config "$work/prometheus.yml" >/dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$prom_port/api/v1"
query() { curl -fsS --max-time 5 --get --data-urlencode "query=$1" "$api/query"; }

# Prometheus: the generated alert fires for the demo's service with the objective's labels.
alert='ALERTS{alertname="AmptalkSloBurnRate",alertstate="firing",slo="demo",window="5m",severity="critical",service="e2e"}'
firing=""
for _ in $(seq 1 90); do
  firing=$(query "count($alert)" 2>/dev/null | jq -r '.data.result[0].value[1] // empty' || true)
  [ "$firing" = "1" ] && break
  sleep 1
done
[ "$firing" = "1" ] || { tail -5 "$work/prometheus.log" >&2; fail "Prometheus never fired $alert"; }
echo "e2e-slo: Prometheus fires $alert"

# The agent: the same alert, raised through its alert system with the same labels.
agent_alert=""
for _ in $(seq 1 60); do
  agent_alert=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/alerts?source=slo" |
    jq -r '[.alerts[] | select(.state == "firing" and .labels.slo == "demo" and .labels.window == "5m" and .labels.severity == "critical")] | length' || true)
  [ "$agent_alert" = "1" ] && break
  sleep 1
done
[ "$agent_alert" = "1" ] || fail "the agent did not fire the demo objective's 5m alert: $(curl -sS "http://127.0.0.1:$port/alerts?source=slo")"
echo "e2e-slo: the agent fires the same alert (source slo, labels slo=demo window=5m severity=critical)"

# Both see about the demo's 5 % over 5 minutes once a minute of requests is in: before that, the
# 5xx series, created at the first error, misses its first counts in Prometheus' rate(), which has
# no sample from before it; they read the same requests a few seconds apart.
total=0
for _ in $(seq 1 150); do
  total=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/api/slo" | jq -r '.slos[0].total_requests')
  [ "$total" -ge 1000 ] && break
  sleep 1
done
[ "$total" -ge 1000 ] || fail "the demo recorded only $total requests in 150 s"
sleep 4 # two scrapes and evaluations after the agent's count
prom_ratio=$(query 'slo:sli_error:ratio_rate5m{slo="demo"}' | jq -r '.data.result[0].value[1] // empty')
agent_ratio=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/api/slo" | jq -r '.slos[0].burn_rates["5m"] * 0.01')
[ -n "$prom_ratio" ] || fail "no slo:sli_error:ratio_rate5m from Prometheus"
/usr/bin/python3 - "$prom_ratio" "$agent_ratio" <<'PY' || fail "error ratios over 5m differ: Prometheus $prom_ratio, agent $agent_ratio"
import sys
prom, agent = float(sys.argv[1]), float(sys.argv[2])
sys.exit(0 if 0.02 < prom and abs(prom - agent) <= 0.015 else 1)
PY
echo "e2e-slo: error ratio over 5m: Prometheus $prom_ratio, the agent $agent_ratio"
echo "e2e-slo: OK"
