#!/usr/bin/env bash
# End-to-end: the deployment files of deploy/ checked by the real tools.
#  1. promtool check config / check rules / test rules (alert-rules.test.yml), amtool check-config
#     (which refuses a route to a receiver the file lacks: seen on a copy with one) and amtool's
#     routing of each severity; the dashboard JSON: its job, service and instance variables,
#     chained, narrowing every panel query; the YAML of the compose and Grafana provisioning files
#     parses (YAML only when /usr/bin/python3 has its yaml module), no compose service is in
#     another's network namespace (network_mode), each one people use publishes its port, and every
#     host the Prometheus, Grafana and Alertmanager files reach is a compose service; the agent's
#     Dockerfile has the sidecar JVM settings of bench/footprint.sh and a HEALTHCHECK on
#     /health/ready that needs no curl, wget or JVM.
#  2. The agent runs in demo mode; the Dockerfile's HEALTHCHECK command, run here by bash, passes
#     against it and fails against a closed port; a real Alertmanager loads
#     deploy/alertmanager/alertmanager.yml and delivers an alert to its receiver,
#     deploy/alertmanager/webhook-echo.py, running here; a real Prometheus runs
#     deploy/prometheus/prometheus.yml (with alert-rules.yml), rewritten only to scrape and
#     evaluate every 1 s and to point at the agent's and Alertmanager's ports.
#  3. After ~25 s of data: every alert rule is loaded and evaluates with health "ok", carries a
#     severity and summary/description; every rule expression and every dashboard panel
#     expression (its variables as All) is answered by GET /api/v1/query without error; every
#     metric they name is one the agent exports; the dashboard's main panels return data.
#     .ci/e2e-dashboard.sh checks the dashboard's queries against two agents, with exact values.
# The image itself cannot be built here (CI machines have no Docker daemon): its JVM settings and
# HEALTHCHECK command are checked as text and the command run outside it.
# Needs agent/target/amptalk-monitor.jar (built by `mvn verify`), prometheus, promtool,
# prometheus-alertmanager, amtool, jq, curl, java and /usr/bin/python3 (for a free port).
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=e2e-deploy
. .ci/e2e-lib.sh
# On failure, show what the servers said.
logs=(agent.err prometheus.log am.log echo.log)

for tool in prometheus promtool prometheus-alertmanager amtool jq curl java /usr/bin/python3; do
  command -v "$tool" >/dev/null \
    || fail "$tool is missing (apt-get install prometheus prometheus-alertmanager jq curl python3)"
done
jar=agent/target/amptalk-monitor.jar
[ -f "$jar" ] || fail "$jar is missing: run mvn verify first"
prom_yml=deploy/prometheus/prometheus.yml
rules_yml=deploy/prometheus/alert-rules.yml
rules_test=deploy/prometheus/alert-rules.test.yml
am_yml=deploy/alertmanager/alertmanager.yml
echo_py=deploy/alertmanager/webhook-echo.py
dockerfile=deploy/agent.Dockerfile
dashboard=deploy/grafana/dashboards/amptalk.json
for f in "$prom_yml" "$rules_yml" "$rules_test" "$am_yml" "$echo_py" "$dashboard" deploy/compose.yml "$dockerfile" \
  deploy/grafana/provisioning/datasources/prometheus.yml deploy/grafana/provisioning/dashboards/amptalk.yml; do
  [ -f "$f" ] || fail "$f is missing"
done

oneline() { printf '%s' "$1" | tr '\n' ' ' | tr -s ' '; }

# The agent first: it needs 20-30 s of demo data for the rate() windows, the static checks run
# meanwhile.
java -jar "$jar" --host 127.0.0.1 --port 0 --demo --service-name amptalk --data-dir "$work/agent-data" \
  >"$work/agent.out" 2>"$work/agent.err" &
pids+=($!)
agent_pid=$!
agent_started=$SECONDS

# --- 1. The real tools' own checks -------------------------------------------------------------

# run_tool WHAT CMD...: runs a checker quietly; on failure shows its output and fails.
run_tool() {
  local what=$1
  shift
  "$@" >"$work/tool.out" 2>&1 || { cat "$work/tool.out" >&2; fail "$what (above)"; }
}
# promtool resolves rule_files relative to the config: alert-rules.yml sits next to prometheus.yml.
run_tool "promtool check config refused $prom_yml" promtool check config "$prom_yml"
log "promtool check config: $prom_yml is valid, with its rule files"
run_tool "promtool check rules refused $rules_yml" promtool check rules "$rules_yml"
rule_count=$(grep -cE '^[[:space:]]*-[[:space:]]*alert:' "$rules_yml")
log "promtool check rules: $rules_yml is valid ($(sed -n 's/.*SUCCESS: \([0-9]*\) rules found.*/\1/p' "$work/tool.out") rules, $rule_count alerts)"
run_tool "promtool test rules: the alert rules' unit tests failed" promtool test rules "$rules_test"
log "promtool test rules: $rules_test passes ($(grep -c '^  - name:' "$rules_test") tests: each alert fires when it should, with its labels and annotations)"
# The SLO rules: what slo-rules writes for the example configuration, as shipped, and their tests.
slo_yml=deploy/prometheus/slo-rules.yml
slo_test=deploy/prometheus/slo-rules.test.yml
run_tool "slo-rules failed on monitor.example.yml" java -jar "$jar" slo-rules --config monitor.example.yml --output "$work/slo-rules.yml"
cmp -s "$work/slo-rules.yml" "$slo_yml" || { diff -u "$slo_yml" "$work/slo-rules.yml" >&2 || true;
  fail "$slo_yml is not what 'slo-rules --config monitor.example.yml' writes (above): write it again"; }
run_tool "promtool check rules refused $slo_yml" promtool check rules "$slo_yml"
log "slo-rules: $slo_yml is what monitor.example.yml's slos give, and valid ($(sed -n 's/.*SUCCESS: \([0-9]*\) rules found.*/\1/p' "$work/tool.out") rules)"
run_tool "promtool test rules: the SLO rules' unit tests failed" promtool test rules "$slo_test"
log "promtool test rules: $slo_test passes (quiet within budget; each burn-rate alert fires with its labels and annotations)"
run_tool "amtool check-config refused $am_yml" amtool check-config "$am_yml"
log "amtool check-config: $am_yml is valid"
for route in severity=critical:oncall-webhook severity=warning:team-webhook severity=info:blackhole alertname=Other:team-webhook; do
  run_tool "amtool: an alert with ${route%%:*} is not routed to ${route#*:}" \
    amtool config routes test --config.file="$am_yml" --verify.receivers="${route#*:}" "${route%%:*}"
done
log "amtool config routes test: critical -> oncall-webhook, warning -> team-webhook, info -> blackhole, others -> team-webhook"
# amtool refuses a route to a receiver the file does not define, so the pass above means that
# every receiver a route names exists: seen on a copy with one route broken.
sed 's/receiver: blackhole/receiver: no-such-receiver/' "$am_yml" >"$work/am-broken.yml"
! cmp -s "$am_yml" "$work/am-broken.yml" || fail "$am_yml has no route to the receiver blackhole, which this check breaks"
if amtool check-config "$work/am-broken.yml" >"$work/tool.out" 2>&1; then
  fail "amtool check-config accepted a route to an undefined receiver: it cannot vouch for $am_yml's"
fi
grep -q 'no-such-receiver' "$work/tool.out" || { cat "$work/tool.out" >&2; fail "amtool refused the broken copy for another reason (above)"; }
log "amtool check-config refuses a route to an undefined receiver: every receiver $am_yml routes to exists"

jq -e . "$dashboard" >/dev/null 2>"$work/jq.err" || { cat "$work/jq.err" >&2; fail "$dashboard is not valid JSON"; }
jq -e '(.schemaVersion | type == "number") and (.uid | type == "string") and (.panels | length > 0)' "$dashboard" >/dev/null \
  || fail "$dashboard lacks schemaVersion, uid or panels"
dup=$(jq -r '[.. | objects | select(has("gridPos")) | .id] | group_by(.) | map(select(length > 1) | .[0]) | join(",")' "$dashboard")
[ -z "$dup" ] || fail "$dashboard: panel ids $dup are used twice"
nods=$(jq -r '.. | objects | select(.targets? | type == "array") | select((.datasource.uid // "") | IN("${datasource}", "prometheus") | not) | .title' "$dashboard")
[ -z "$nods" ] || fail "$dashboard: panels without the Prometheus data source (\${datasource} or uid prometheus): $nods"
log "$dashboard: valid JSON, schemaVersion $(jq .schemaVersion "$dashboard"), $(jq '[.. | objects | select(.targets? | type == "array")] | length' "$dashboard") panels with queries"
# The fleet variables: label_values queries on the data source variable, each narrowed by the
# ones before it, and narrowing every query: the Fleet row's (first) by job and service, every
# other panel's by all three. Prometheus' ALERTS, of rules that may aggregate the job away, by
# service alone.
vars_problems=$(jq -r '
  (.templating.list | map({key: .name, value: .}) | from_entries) as $v
  | (["job", "service", "instance"][] as $n
      | if $v[$n] == null then "no variable \($n)"
        elif $v[$n].type != "query" or $v[$n].datasource.uid != "${datasource}" then "variable \($n) is not a query on ${datasource}"
        elif ($v[$n].definition | startswith("label_values(") | not) then "variable \($n) is not label_values(...)"
        else empty end),
    (if ($v.service.definition // "" | contains("$job")) then empty else "variable service is not narrowed by $job" end),
    (if ($v.instance.definition // "" | contains("$job") and contains("$service")) then empty else "variable instance is not narrowed by $job and $service" end),
    (if ($v.datasource.type // "") == "datasource" then empty else "no datasource variable" end)' "$dashboard")
[ -z "$vars_problems" ] || fail "$dashboard: $vars_problems"
jq -e '.panels[0] | .type == "row" and .title == "Fleet"' "$dashboard" >/dev/null || fail "$dashboard: the first row is not Fleet"
unfiltered=$(jq -r '
  foreach .panels[] as $p ({row: null, p: null};
    if $p.type == "row" then {row: $p.title, p: null} else {row: .row, p: $p} end)
  | select(.p != null) | .row as $row | .p as $p
  | $p.targets[]? | select(.expr)
  | select(((.expr | contains("$service") and (contains("$job") or startswith("sum by (severity) (ALERTS{"))) | not)
           or ($row != "Fleet" and (.expr | contains("$instance") | not)))
  | "\($p.title) \(.refId)"' "$dashboard" | paste -sd, -)
[ -z "$unfiltered" ] || fail "$dashboard: queries not narrowed by \$job (but ALERTS) and \$service, and \$instance outside the Fleet row: $unfiltered"
log "$dashboard: variables job, service (narrowed by \$job) and instance (by \$job and \$service); every query narrowed by them, the Fleet row first"

# The image: bench/footprint.sh's sidecar JVM settings, and a HEALTHCHECK that needs no program
# the base image may lack (its command is run against the agent in step 2).
footprint=$(sed -n 's/^AGENT_JAVA_OPTS=\${AGENT_JAVA_OPTS:-\(.*\)}$/\1/p' bench/footprint.sh)
image_opts=$(sed -n 's/^ENV JDK_JAVA_OPTIONS="\(.*\)"$/\1/p' "$dockerfile")
[ -n "$footprint" ] && [ "$image_opts" = "$footprint" ] \
  || fail "$dockerfile: ENV JDK_JAVA_OPTIONS=\"$image_opts\" is not bench/footprint.sh's sidecar settings \"$footprint\""
healthcheck=$(/usr/bin/python3 - "$dockerfile" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
found = re.findall(r"^HEALTHCHECK\s.*?\bCMD\s+(\[.*\])\s*$", text, re.M)
if len(found) != 1:
    sys.exit(f"{sys.argv[1]}: expected one HEALTHCHECK ... CMD [exec form], found {len(found)}")
argv = json.loads(found[0])
if argv[:2] != ["bash", "-c"] or len(argv) != 3 or "/health/ready" not in argv[2]:
    sys.exit(f"{sys.argv[1]}: the HEALTHCHECK is not bash -c '...' probing /health/ready: {argv}")
if re.search(r"\b(curl|wget|java)\b", argv[2]):
    sys.exit(f"{sys.argv[1]}: the HEALTHCHECK needs curl, wget or a JVM: {argv[2]}")
print(argv[2])
PY
) || fail "the HEALTHCHECK of $dockerfile (above)"
log "$dockerfile: JDK_JAVA_OPTIONS is bench/footprint.sh's sidecar settings; one HEALTHCHECK, on /health/ready, with bash alone"

# compose and the Grafana provisioning files: no YAML parser among the Debian tools above, so
# Python's when it is there (Debian's python3-yaml).
if /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
  /usr/bin/python3 - >"$work/yaml.out" 2>&1 <<'PY' || { cat "$work/yaml.out" >&2; fail "deploy/ YAML check (above)"; }
import os, sys, yaml
os.chdir("deploy")
problems = []
docs = {}
for path in ["compose.yml", "grafana/provisioning/datasources/prometheus.yml",
             "grafana/provisioning/dashboards/amptalk.yml"]:
    try:
        docs[path] = yaml.safe_load(open(path))
    except yaml.YAMLError as e:
        sys.exit(f"{path} is not valid YAML: {e}")
compose = docs["compose.yml"]
services = compose.get("services") or {}
for name in ["agent", "prometheus", "alertmanager", "grafana"]:
    if name not in services:
        problems.append(f"compose.yml: no service '{name}'")
build = (services.get("agent") or {}).get("build") or {}
dockerfile = os.path.join(build.get("context", "."), build.get("dockerfile", "Dockerfile"))
if not os.path.isfile(dockerfile):
    problems.append(f"compose.yml: the agent's Dockerfile {dockerfile} does not exist")
mounts = {}
for name, svc in services.items():
    for vol in svc.get("volumes") or []:
        src, dst = vol.split(":")[:2]
        mounts[(name, dst)] = src
        if src.startswith(".") and not os.path.exists(src):
            problems.append(f"compose.yml: service {name} mounts {src}, which does not exist")
provider_path = docs["grafana/provisioning/dashboards/amptalk.yml"]["providers"][0]["options"]["path"]
if ("grafana", provider_path) not in mounts:
    problems.append(f"compose.yml: grafana does not mount the dashboards at {provider_path}")
uids = [d.get("uid") for d in docs["grafana/provisioning/datasources/prometheus.yml"]["datasources"]]
if "prometheus" not in uids:
    problems.append("the Grafana data source does not have uid 'prometheus'")
# Each service on the compose network, none in another's network namespace; each one people use
# publishes its own port.
for name, svc in services.items():
    if "network_mode" in svc:
        problems.append(f"compose.yml: service {name} has network_mode {svc['network_mode']!r}; each service belongs on the compose network")
listens = {"agent": "8000", "prometheus": "9090", "alertmanager": "9093", "grafana": "3000", "alert-echo": "5001"}
for name in ["agent", "prometheus", "alertmanager", "grafana"]:
    ports = [str(p).split(":")[-1].split("/")[0] for p in (services.get(name) or {}).get("ports") or []]
    if listens[name] not in ports:
        problems.append(f"compose.yml: service {name} does not publish its port {listens[name]} (ports: {ports})")
# Every host the configuration files reach is a compose service, at the port it listens on.
prom = yaml.safe_load(open("prometheus/prometheus.yml"))
am = yaml.safe_load(open("alertmanager/alertmanager.yml"))
def hostport(url):
    return url.split("://", 1)[-1].split("/", 1)[0]
reached = [("prometheus.yml scrape target", t) for job in prom["scrape_configs"]
           for sc in job.get("static_configs") or [] for t in sc["targets"]]
reached += [("prometheus.yml alertmanager", t) for a in prom["alerting"]["alertmanagers"]
            for sc in a["static_configs"] for t in sc["targets"]]
reached += [("the Grafana data source", hostport(d["url"]))
            for d in docs["grafana/provisioning/datasources/prometheus.yml"]["datasources"]]
reached += [(f"alertmanager.yml receiver {r['name']}", hostport(w["url"]))
            for r in am["receivers"] for w in r.get("webhook_configs") or []]
for what, target in reached:
    host, _, port = target.partition(":")
    if host not in services or listens.get(host) != port:
        problems.append(f"{what} {target} is no compose service at its port ({', '.join(h + ':' + p for h, p in listens.items())})")
if problems:
    sys.exit("\n".join(problems))
print(f"{len(docs)} files, {len(services)} services, {len(mounts)} mounts, {len(reached)} hosts reached")
PY
  log "compose.yml and the Grafana provisioning files: valid YAML, their mounts and Dockerfile exist, no network_mode, each port published, every host reached a compose service ($(cat "$work/yaml.out"))"
else
  log "NOTE: /usr/bin/python3 has no yaml module (apt-get install python3-yaml): compose.yml and the Grafana provisioning files were not parsed"
fi

# --- 2. The agent, Alertmanager and Prometheus running the deploy/ files -----------------------

port=$(agent_port "$work/agent.out" "$agent_pid")
[ -n "$port" ] || { dump "${logs[@]}"; fail "agent exited or printed no URL in 30 s"; }
log "agent (demo mode) serves http://127.0.0.1:$port/metrics"

# The image's HEALTHCHECK command, as Docker runs it (AMPTALK_PORT set as the note beside it says):
# healthy once the agent is ready, unhealthy on a port where nothing listens.
probed=""
for _ in $(seq 1 50); do
  AMPTALK_PORT=$port bash -c "$healthcheck" >/dev/null 2>&1 && { probed=yes; break; }
  sleep 0.2
done
[ -n "$probed" ] || { dump "${logs[@]}"; fail "the HEALTHCHECK of $dockerfile fails against the ready agent: $healthcheck"; }
closed=$(free_port)
if AMPTALK_PORT=$closed bash -c "$healthcheck" >/dev/null 2>&1; then
  fail "the HEALTHCHECK of $dockerfile passes on port $closed, where nothing listens"
fi
log "the HEALTHCHECK of $dockerfile passes against the agent's /health/ready and fails on a closed port"

# Alertmanager's receiver: webhook-echo.py, as compose runs it, here on a free loopback port.
echo_port=$(free_port)
/usr/bin/python3 "$echo_py" "$echo_port" 127.0.0.1 >"$work/echo.log" 2>&1 &
pids+=($!)
echo_pid=$!
sed "s#alert-echo:5001#127.0.0.1:$echo_port#" "$am_yml" >"$work/am.yml"
grep -q "127.0.0.1:$echo_port/" "$work/am.yml" && ! grep -q 'alert-echo:' "$work/am.yml" \
  || fail "cannot derive the test config from $am_yml: expected its webhooks at alert-echo:5001"
run_tool "amtool check-config refused the derived config" amtool check-config "$work/am.yml"

am_port=$(free_port)
am="http://127.0.0.1:$am_port"
prometheus-alertmanager --config.file="$work/am.yml" --storage.path="$work/am" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/am.log" 2>&1 &
pids+=($!)
am_pid=$!
ready=""
for _ in $(seq 1 100); do
  curl -fsS --max-time 1 "$am/-/ready" >/dev/null 2>&1 && { ready=yes; break; }
  kill -0 "$am_pid" 2>/dev/null || { dump "${logs[@]}"; fail "Alertmanager exited with $am_yml"; }
  sleep 0.2
done
[ -n "$ready" ] || { dump "${logs[@]}"; fail "Alertmanager not ready at $am after 20 s"; }
log "Alertmanager runs $am_yml at $am (its webhooks at webhook-echo.py on 127.0.0.1:$echo_port)"
kill -0 "$echo_pid" 2>/dev/null || { dump "${logs[@]}"; fail "webhook-echo.py exited"; }
curl -fsS --max-time 5 -H 'Content-Type: application/json' --data \
  '[{"labels": {"alertname": "E2eDeployDelivery", "severity": "critical", "service": "amptalk"}, "annotations": {"summary": "through the example routing"}}]' \
  "$am/api/v2/alerts" >/dev/null || fail "Alertmanager refused an alert"
delivery_started=$SECONDS

# prometheus.yml as shipped, but every 1 s and at the ports of this run; its rule files next to it.
mkdir -p "$work/prom"
cp "$rules_yml" "$slo_yml" "$work/prom/"
sed -e "s#'agent:8000'#'127.0.0.1:$port'#" -e "s#'alertmanager:9093'#'127.0.0.1:$am_port'#" \
  -e 's#\(scrape_interval:\).*#\1 1s#' -e 's#\(evaluation_interval:\).*#\1 1s#' \
  "$prom_yml" >"$work/prom/prometheus.yml"
grep -q "'127.0.0.1:$port'" "$work/prom/prometheus.yml" && grep -q "'127.0.0.1:$am_port'" "$work/prom/prometheus.yml" \
  && ! grep -qE "^[^#]*'(agent|alertmanager):" "$work/prom/prometheus.yml" && grep -q 'evaluation_interval: 1s' "$work/prom/prometheus.yml" \
  || fail "cannot derive the test config from $prom_yml: expected targets 'agent:8000' and 'alertmanager:9093' and a global evaluation_interval"
run_tool "promtool check config refused the derived config" promtool check config "$work/prom/prometheus.yml"
prom_port=$(free_port)
start_prometheus "$work/prom/prometheus.yml" "$prom_port"
await_up 1
log "Prometheus $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') runs $prom_yml (every 1 s, at this run's ports) and scrapes the agent: up == 1"

ams=$(curl -fsS "$api/alertmanagers" | jq -r '.data.activeAlertmanagers[].url')
echo "$ams" | grep -q "127.0.0.1:$am_port/" || fail "Prometheus does not send to the Alertmanager of prometheus.yml (active: ${ams:-none})"
log "Prometheus sends its alerts to the Alertmanager: $ams"

# The critical alert posted above, through the example's route (group_wait 10s) to its receiver.
delivered=""
for _ in $(seq 1 60); do
  delivered=$(grep -m 1 'alertname=E2eDeployDelivery' "$work/echo.log" || true)
  [ -n "$delivered" ] && break
  sleep 0.5
done
[ -n "$delivered" ] || { dump "${logs[@]}"; fail "Alertmanager did not deliver the alert to webhook-echo.py within 30 s"; }
case "$delivered" in
  "/alerts/critical receiver=oncall-webhook firing alertname=E2eDeployDelivery severity=critical service=amptalk"*) ;;
  *) fail "webhook-echo.py printed '$delivered', expected the alert firing on /alerts/critical from oncall-webhook" ;;
esac
log "Alertmanager delivered a critical alert to its receiver after $((SECONDS - delivery_started)) s: webhook-echo.py printed '$delivered'"

wait_for=$((agent_started + 25 - SECONDS))
if [ "$wait_for" -gt 0 ]; then
  log "letting the demo agent run ${wait_for} s more, so that the rate() windows have data"
  sleep "$wait_for"
fi

# --- 3. Every expression through the query API -------------------------------------------------

# metric_names EXPR: the metric names an expression selects, one a line. Strings, label matchers,
# ranges and by/without/on/ignoring/group_* lists are removed first; of the words left, those
# followed by a parenthesis are functions, those starting with a digit numbers or durations, and
# the rest keywords or metric names.
metric_names() {
  printf '%s\n' "$1" | tr '\n' ' ' |
    sed -E -e 's/"([^"\\]|\\.)*"//g' -e 's/\{[^}]*\}//g' -e 's/\[[^]]*\]//g' \
      -e 's/(^|[^a-zA-Z0-9_:])(by|without|on|ignoring|group_left|group_right)[[:space:]]*\([^)]*\)/\1/g' \
      -e 's/[[:space:]]+\(/(/g' |
    grep -oE '[a-zA-Z0-9_:.]+\(?' | grep -xE '[a-zA-Z_:][a-zA-Z0-9_:]*' |
    grep -vxE 'and|or|unless|bool|offset|inf|nan|Inf|NaN|atan2' | sort -u || true
}
# Metrics that appear only after their first event: an alert, a notification, a collection.
event_only='alerts_raised_total|alert_notifications_total|jvm_gc_duration_seconds_(bucket|sum|count)'
curl -fsS "$api/label/__name__/values" | jq -r '.data[]' >"$work/names.txt"
# The SLO rules' own recorded series, which exist once the covered routes have traffic.
sed -n 's/^ *- record: //p' "$slo_yml" | sort -u >>"$work/names.txt"
# Prometheus' own series of the alerts its rules have pending or firing, there or not.
echo ALERTS >>"$work/names.txt"
: >"$work/used-names.txt"

# check_expr WHAT EXPR: evaluates EXPR, fails on an error, prints a line; leaves the number of
# series in $series.
checked=0
check_expr() {
  local what=$1 expr=$2 answer
  answer=$(query "$expr") || fail "$what: the query API did not answer"
  [ "$(echo "$answer" | jq -r '.status // empty')" = "success" ] \
    || fail "$what: Prometheus refused '$(oneline "$expr")': $(echo "$answer" | jq -r '(.errorType // "?") + ": " + (.error // .)')"
  series=$(echo "$answer" | jq '.data.result | if type == "array" then length else 1 end')
  checked=$((checked + 1))
  local name
  for name in $(metric_names "$expr"); do
    grep -qxF "$name" "$work/names.txt" && { echo "$name" >>"$work/used-names.txt"; continue; }
    echo "$name" | grep -qxE "$event_only" && { echo "$name (after its first event)" >>"$work/used-names.txt"; continue; }
    fail "$what: '$(oneline "$expr")' names $name, which the agent does not export (a typo?)"
  done
}

# The rules, as Prometheus loaded them (promtool cannot list them): each evaluated, healthy.
rules=""
for _ in $(seq 1 20); do
  rules=$(curl -fsS "$api/rules?type=alert" | jq -c '[.data.groups[].rules[]]')
  [ "$(echo "$rules" | jq '[.[] | select(.health == "unknown")] | length')" = "0" ] && break
  sleep 0.5
done
loaded=$(echo "$rules" | jq length)
slo_alerts=$(grep -cE '^[[:space:]]*-[[:space:]]*alert:' "$slo_yml")
[ "$loaded" = "$((rule_count + slo_alerts))" ] \
  || fail "Prometheus loaded $loaded alert rules, $rules_yml has $rule_count and $slo_yml $slo_alerts"
for i in $(seq 0 $((loaded - 1))); do
  rule=$(echo "$rules" | jq -c ".[$i]")
  name=$(echo "$rule" | jq -r .name)
  health=$(echo "$rule" | jq -r .health)
  [ "$health" = "ok" ] && [ -z "$(echo "$rule" | jq -r '.lastError // empty')" ] \
    || fail "rule $name has health '$health': $(echo "$rule" | jq -r '.lastError // "never evaluated"')"
  echo "$rule" | jq -e '(.labels.severity | IN("critical", "warning", "info"))
      and ((.annotations.summary // "") != "") and ((.annotations.description // "") != "")' >/dev/null \
    || fail "rule $name needs a severity label (critical, warning or info) and summary and description annotations"
  check_expr "rule $name" "$(echo "$rule" | jq -r .query)"
  log "rule $name ($(echo "$rule" | jq -r .labels.severity)): health ok, state $(echo "$rule" | jq -r .state), query answered with $series series"
done
rules_checked=$checked

# The dashboard: every target's expr, with Grafana's interval variables as Grafana would fill them.
main_panels=("Request rate by route" "Latency p50 / p95 / p99" "CPU utilization" "Memory utilization" "Health per check")
for title in "${main_panels[@]}"; do
  jq -e --arg t "$title" 'any(.. | objects | select(.targets? | type == "array"); .title == $t)' "$dashboard" >/dev/null \
    || fail "$dashboard has no panel titled '$title' (a main panel of this check)"
done
jq -c '.. | objects | select(.targets? | type == "array") | .title as $t
       | .targets[] | select(.expr != null) | {title: $t, ref: .refId, expr}' "$dashboard" >"$work/targets.jsonl"
total=$(jq '[.. | .expr? // empty] | length' "$dashboard")
[ "$(wc -l <"$work/targets.jsonl")" = "$total" ] \
  || fail "$dashboard has $total exprs but only $(wc -l <"$work/targets.jsonl") in panel targets"
while IFS= read -r target; do
  title=$(echo "$target" | jq -r .title)
  what="panel '$title' $(echo "$target" | jq -r .ref)"
  expr=$(echo "$target" | jq -r .expr | sed -e 's/\$__rate_interval/1m/g' -e 's/\$__interval/15s/g' -e 's/\$__range/1h/g' \
    -e 's/\$job/amptalk/g' -e 's/\$service/.*/g' -e 's/\$instance/.*/g')
  case "$expr" in *'$'*) fail "$what uses a template variable this check cannot fill: '$(oneline "$expr")'" ;; esac
  check_expr "$what" "$expr"
  main=""
  for m in "${main_panels[@]}"; do [ "$m" = "$title" ] && main=yes; done
  if [ -n "$main" ]; then
    for _ in $(seq 1 20); do
      [ "$series" -gt 0 ] && break
      sleep 0.5
      check_expr "$what" "$expr"
      checked=$((checked - 1))
    done
    [ "$series" -gt 0 ] || { dump "${logs[@]}"; fail "$what (a main panel) returns no data: '$(oneline "$expr")'"; }
    log "$what: answered with $series series (main panel: has data)"
  else
    log "$what: answered with $series series"
  fi
done <"$work/targets.jsonl"
panels_checked=$((checked - rules_checked))

log "metrics named by the rules and the dashboard, all exported by the agent: $(sort -u "$work/used-names.txt" | paste -sd, - | sed 's/,/, /g')"
log "$rules_checked rule expressions and $panels_checked dashboard expressions evaluated by Prometheus without error"
log "OK ($SECONDS s)"
