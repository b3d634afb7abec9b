#!/usr/bin/env bash
# End-to-end: AlertmanagerNotifier with urls against a real three-member Alertmanager cluster
# (Debian's prometheus-alertmanager) gossiping on loopback.
#
# Two drivers (two processes, as two replicas of one service) raise the same alert, with the same
# labels, through AlertmanagerNotifier with urls = all three members: every member receives it
# twice, and only the cluster's deduplication (identical alerts merge in each member; the gossiped
# notification log stops the members behind the first from notifying again) can bring the webhook
# receiver behind it down to one notification. The member that notified (the first by peer
# position) is then killed with SIGKILL; the drivers resolve the alert through the same three URLs,
# one of them dead; a surviving member must notify the resolution once. The receiver records every
# request: it must have got exactly one firing notification for the group, then exactly one
# resolved one.
#
# Timing, chosen so that the outcome is deterministic: each member waits its peer position times
# --cluster.peer-timeout (1 s) before it checks the gossiped notification log and notifies. 1 s is
# ten gossip intervals (100 ms on loopback), ample for the first member's log entry to reach the
# others. And the last member's wait (2 × 1 s) ends well before the group's next flush
# (group_interval 4 s): the members flush in step (the alert reaches all of them within
# milliseconds), so a flush taken just before the resolution arrived is checked while the log
# still says "firing", never after another member logged the resolution (which would make it send
# a stale "firing"). The test watches longer than the last member's wait, so a duplicate would show.
# Needs monitoring/target/{classes,test-classes} (built by `mvn verify`), prometheus-alertmanager,
# amtool, jq, curl, java and /usr/bin/python3 (for free ports).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
e2e=e2e-alertmanager-cluster
. .ci/e2e-lib.sh

peer_timeout=1
group_interval=4
# Longer than the last member's wait (2 × peer timeout): a duplicate would show.
watch=$((2 * peer_timeout + 2))

# On failure, show what the servers said.
dump() {
  for i in 0 1 2; do
    echo "--- alertmanager $i log (last 20 lines)" >&2
    tail -n 20 "$work/am$i.log" >&2 2>/dev/null || true
  done
  echo "--- webhook receiver got" >&2
  cat "$work/received.jsonl" >&2 2>/dev/null || true
}

for tool in prometheus-alertmanager amtool jq curl java /usr/bin/python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install prometheus-alertmanager jq curl)"
done
. .ci/e2e-java.sh
e2e_test_classpath

# Six distinct free ports at once (all bound together, so none is handed out twice).
read -r -a ports <<<"$(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(6)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')"
web=("${ports[0]}" "${ports[1]}" "${ports[2]}")
gossip=("${ports[3]}" "${ports[4]}" "${ports[5]}")

# The webhook receiver: appends every request Alertmanager sends, one JSON body per line.
received="$work/received.jsonl"
e2e_webhook_receiver "$received"

cat >"$work/am.yml" <<YML
route:
  receiver: e2e-webhook
  group_by: ['alertname']
  group_wait: 1s
  group_interval: ${group_interval}s
  repeat_interval: 1h
receivers:
  - name: e2e-webhook
    webhook_configs:
      - url: http://127.0.0.1:$hook_port/alertmanager
        send_resolved: true
YML
amtool check-config "$work/am.yml" >"$work/check-config.out" 2>&1 \
  || { cat "$work/check-config.out" >&2; fail "amtool check-config refused the config"; }

am_pids=()
urls=()
for i in 0 1 2; do
  peers=()
  for j in 0 1 2; do
    [ "$j" = "$i" ] || peers+=("--cluster.peer=127.0.0.1:${gossip[$j]}")
  done
  prometheus-alertmanager --config.file="$work/am.yml" --storage.path="$work/am$i" \
    --web.listen-address="127.0.0.1:${web[$i]}" \
    --cluster.listen-address="127.0.0.1:${gossip[$i]}" \
    --cluster.advertise-address="127.0.0.1:${gossip[$i]}" "${peers[@]}" \
    --cluster.settle-timeout=2s --cluster.gossip-interval=100ms --cluster.pushpull-interval=2s \
    --cluster.peer-timeout="${peer_timeout}s" >"$work/am$i.log" 2>&1 &
  am_pids+=($!)
  pids+=($!)
  urls+=("http://127.0.0.1:${web[$i]}")
done

# Ready: each member reports the cluster "ready" with all three peers.
status() { curl -fsS --max-time 2 "${urls[$1]}/api/v2/status" 2>/dev/null; }
for i in 0 1 2; do
  ready=""
  for _ in $(seq 1 150); do
    if status "$i" | jq -e '.cluster.status == "ready" and (.cluster.peers | length) == 3' \
      >/dev/null 2>&1; then
      ready=yes
      break
    fi
    kill -0 "${am_pids[$i]}" 2>/dev/null || { dump; fail "Alertmanager $i exited"; }
    sleep 0.2
  done
  [ -n "$ready" ] || { dump; fail "Alertmanager $i at ${urls[$i]} is not ready with 3 peers after 30 s"; }
done
log "three Alertmanager $(prometheus-alertmanager --version 2>&1 | head -n 1 | awk '{print $3}')" \
  "members are ready with 3 peers each: ${urls[*]}"

# The member that notifies first is the first by peer position: the smallest peer name.
first=""
first_name=""
for i in 0 1 2; do
  name=$(status "$i" | jq -r '.cluster.name')
  if [ -z "$first_name" ] || [[ "$name" < "$first_name" ]]; then
    first=$i
    first_name=$name
  fi
done
log "member $first (${urls[$first]}, peer $first_name) is first by peer position"

name=AmptalkE2eAlert
all_urls=$(IFS=,; echo "${urls[*]}")
# Two replicas of one service: two processes raising the same alert to every member.
drivers() {
  local out=() rc=0
  for replica in 1 2; do
    java -cp "$cp" io.amptalk.monitoring.alert.E2eAlertmanagerDriver "$all_urls" "$1" "$starts_at" \
      >"$work/driver$replica.$1.out" 2>&1 &
    out+=($!)
  done
  for pid in "${out[@]}"; do wait "$pid" || rc=1; done
  cat "$work/driver1.$1.out" "$work/driver2.$1.out"
  return $rc
}
# The receiver's notifications for our group, as "status" lines in the order received.
statuses() {
  jq -R -r --arg n "$name" 'fromjson? | select(.groupLabels.alertname == $n) | .status' "$received"
}
await_status() {
  local got=""
  for _ in $(seq 1 100); do
    got=$(statuses | grep -c "^$1$" || true)
    [ "$got" -ge 1 ] && return 0
    sleep 0.2
  done
  dump
  fail "no $1 notification for $name within 20 s"
}

starts_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
drivers fire || { dump; fail "a driver could not fire the alert"; }
for i in 0 1 2; do
  listed=$(curl -fsS --max-time 5 "${urls[$i]}/api/v2/alerts" \
    | jq --arg n "$name" '[.[] | select(.labels.alertname == $n)] | length')
  [ "$listed" = 1 ] || { dump; fail "member $i lists $listed alerts named $name, expected 1"; }
done
log "each member lists the alert once, though two replicas sent it to each"

await_status firing
log "the webhook receiver got a firing notification; watching ${watch}s for a duplicate"
sleep "$watch"
[ "$(statuses | tr '\n' ' ')" = "firing " ] \
  || { dump; fail "expected exactly one firing notification, got: $(statuses | tr '\n' ' ')"; }
# Alertmanager's externalURL (http://<host>:<web port>) tells which member notified.
notifier_port=$(head -n 1 "$received" | jq -r '.externalURL' | sed 's#.*:##')
[ "$notifier_port" = "${web[$first]}" ] \
  || { dump; fail "the firing notification came from port $notifier_port, not from member $first"; }

kill -KILL "${am_pids[$first]}"
wait "${am_pids[$first]}" 2>/dev/null || true
log "killed member $first (the one that notified) with SIGKILL"

drivers resolve || { dump; fail "a driver could not resolve the alert (one member is down)"; }
await_status resolved
log "the webhook receiver got a resolved notification; watching ${watch}s for a duplicate"
sleep "$watch"

got=$(statuses | tr '\n' ' ')
[ "$got" = "firing resolved " ] \
  || { dump; fail "expected exactly one firing then one resolved notification, got: $got"; }
[ "$(wc -l <"$received")" -eq 2 ] \
  || { dump; fail "the webhook receiver got $(wc -l <"$received") requests, expected 2"; }
resolved=$(sed -n 2p "$received")
[ "$(echo "$resolved" | jq -r --arg n "$name" \
  '[.alerts[] | select(.labels.alertname == $n and .status == "resolved")] | length')" = 1 ] \
  || { dump; fail "the resolved notification does not carry our alert as resolved: $resolved"; }
log "the receiver got exactly: firing, then resolved ($(echo "$resolved" | jq -c \
  '{status, alerts: [.alerts[] | {status, alertname: .labels.alertname}]}'))"
log "OK in $(($(date +%s) - started)) s"
