#!/usr/bin/env bash
# End-to-end: AlertmanagerNotifier against a real Alertmanager (Debian's prometheus-alertmanager).
# A Java driver fires an alert through AlertmanagerNotifier.send(); Alertmanager lists it on
# GET /api/v2/alerts with our labels and notifies a webhook receiver of ours ("firing"); the driver
# resolves it; the receiver gets "resolved" and Alertmanager no longer lists it as active.
# Needs monitoring/target/{classes,test-classes} (built by `mvn verify`), prometheus-alertmanager,
# amtool, jq, curl, java and /usr/bin/python3 (for a free port).
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=e2e-alertmanager
. .ci/e2e-lib.sh

# On failure, show what the servers said.
dump() {
  echo "--- alertmanager log (last 30 lines)" >&2
  tail -n 30 "$work/am.log" >&2 2>/dev/null || true
  echo "--- webhook receiver got" >&2
  cat "$work/received.jsonl" >&2 2>/dev/null || true
  echo "--- GET /api/v2/alerts" >&2
  curl -sS --max-time 5 "${am:-http://127.0.0.1:0}/api/v2/alerts" >&2 2>/dev/null || true
  echo >&2
}

for tool in prometheus-alertmanager amtool jq curl java /usr/bin/python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install prometheus-alertmanager jq curl)"
done
. .ci/e2e-java.sh
e2e_test_classpath

# The webhook receiver: appends each notification Alertmanager sends, one JSON body per line.
received="$work/received.jsonl"
e2e_webhook_receiver "$received"

cat >"$work/am.yml" <<YML
route:
  receiver: e2e-webhook
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: e2e-webhook
    webhook_configs:
      - url: http://127.0.0.1:$hook_port/alertmanager
        send_resolved: true
YML
amtool check-config "$work/am.yml" >"$work/check-config.out" 2>&1 \
  || { cat "$work/check-config.out" >&2; fail "amtool check-config refused the config"; }
log "amtool check-config: the config is valid"

# An empty --cluster.listen-address turns gossip off: no ~10 s wait to settle, no public port.
am_port=$(free_port)
am="http://127.0.0.1:$am_port"
prometheus-alertmanager --config.file="$work/am.yml" --storage.path="$work/am" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/am.log" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 1 100); do
  curl -fsS --max-time 1 "$am/-/ready" >/dev/null 2>&1 && { ready=yes; break; }
  kill -0 "${pids[1]}" 2>/dev/null || { dump; fail "Alertmanager exited"; }
  sleep 0.2
done
[ -n "$ready" ] || { dump; fail "Alertmanager not ready at $am after 20 s"; }
log "Alertmanager $(prometheus-alertmanager --version 2>&1 | head -n 1 | awk '{print $3}') is ready at $am"

name=AmptalkE2eAlert
driver() { java -cp "$cp" io.amptalk.monitoring.alert.E2eAlertmanagerDriver "$am" "$@"; }
# Alertmanager's alerts with our alertname, as JSON lines.
listed() { curl -fsS --max-time 5 "$am/api/v2/alerts$1" | jq -c --arg n "$name" '.[] | select(.labels.alertname == $n)'; }
# Notifications the receiver got with the given status that carry our alert with that status.
notified() {
  jq -R -c --arg n "$name" --arg s "$1" \
    'fromjson? | select(.status == $s) | select(any(.alerts[]; .labels.alertname == $n and .status == $s))' \
    "$received"
}

starts_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
fired=$(driver fire "$starts_at") || { dump; fail "the driver could not fire the alert"; }
echo "$fired"
fingerprint=$(echo "$fired" | sed -n 's/.*(fingerprint \([0-9a-f]*\)).*/\1/p')
[ -n "$fingerprint" ] || fail "the driver did not print the alert's fingerprint"

alert=""
for _ in $(seq 1 25); do
  alert=$(listed "" || true)
  [ -n "$alert" ] && break
  sleep 0.2
done
[ -n "$alert" ] || { dump; fail "GET /api/v2/alerts does not list $name"; }
labels=$(echo "$alert" | jq -S -c '.labels')
expected=$(jq -S -c -n --arg n "$name" --arg f "$fingerprint" \
  '{alertname: $n, severity: "error", source: "e2e_driver", service: "amptalk-e2e", fingerprint: $f}')
[ "$labels" = "$expected" ] || { dump; fail "listed labels are $labels, expected $expected"; }
[ "$(echo "$alert" | jq -r '.annotations.description')" = "CPU usage has exceeded 80%" ] \
  || { dump; fail "description annotation is $(echo "$alert" | jq -c '.annotations')"; }
[ "$(echo "$alert" | jq -r '.annotations.details | fromjson | .cpu_usage')" = "83.5" ] \
  || { dump; fail "details annotation is $(echo "$alert" | jq -c '.annotations')"; }
[ "$(echo "$alert" | jq -r '.status.state')" = "active" ] \
  || { dump; fail "the alert's state is $(echo "$alert" | jq -c '.status')"; }
[ "$(echo "$alert" | jq -r '.startsAt' | cut -c1-19)" = "${starts_at%Z}" ] \
  || { dump; fail "startsAt is $(echo "$alert" | jq -r '.startsAt'), expected $starts_at"; }
log "GET /api/v2/alerts lists $name as active with labels $labels"

firing=""
for _ in $(seq 1 100); do
  firing=$(notified firing || true)
  [ -n "$firing" ] && break
  sleep 0.2
done
[ -n "$firing" ] || { dump; fail "no firing notification for $name within 20 s"; }
log "the webhook receiver got a firing notification: $(echo "$firing" | head -n 1 | jq -c \
  '{status, receiver, alerts: [.alerts[] | {status, alertname: .labels.alertname, severity: .labels.severity}]}')"

driver resolve "$starts_at" || { dump; fail "the driver could not resolve the alert"; }

resolved=""
for _ in $(seq 1 100); do
  resolved=$(notified resolved || true)
  [ -n "$resolved" ] && break
  sleep 0.2
done
[ -n "$resolved" ] || { dump; fail "no resolved notification for $name within 20 s"; }
log "the webhook receiver got a resolved notification: $(echo "$resolved" | head -n 1 | jq -c \
  '{status, alerts: [.alerts[] | {status, alertname: .labels.alertname, endsAt}]}')"

still=""
for _ in $(seq 1 100); do
  still=$(listed "?active=true" || echo "query failed")
  [ -z "$still" ] && break
  sleep 0.2
done
[ -z "$still" ] || { dump; fail "GET /api/v2/alerts?active=true still lists $name: $still"; }
log "GET /api/v2/alerts?active=true no longer lists $name"
log "OK"
