#!/usr/bin/env bash
# End-to-end: the Grafana dashboard (deploy/grafana/dashboards/amptalk.json) against a fleet of
# two demo agents scraped by a real Prometheus.
#  1. Two agents at once, of two services: "checkout" and "payments" (one instance each, so that
#     both the service and the instance dimension have two values and the instance variable's
#     chaining on service can be seen), run with the JVM settings of deploy/agent.Dockerfile.
#     Prometheus scrapes both as job "amptalk" every 1 s, and itself as job "prometheus" (which
#     the job variable must leave out). One rule fires a warning for checkout; each agent is sent
#     one alert through POST /alerts (checkout critical, payments warning).
#  2. The dashboard's variable queries (label_values) through /api/v1/label/.../values: exactly
#     the one job, the two services, the two instances, and checkout's instance alone when
#     service is checkout.
#  3. Every panel target's expr, with the variables as Grafana fills them for three selections
#     (everything: All; checkout and its instance; payments with instance All) and Grafana's
#     interval variables, through /api/v1/query: no error, no empty result; exact values where
#     they are known (instances up, worst health, firing and raised alerts by severity); the
#     series of per-instance panels carry exactly the selected instances, those of the fleet's
#     by-service panels exactly the selected services.
# Needs agent/target/amptalk-monitor.jar (built by `mvn verify`), prometheus, promtool, jq, curl,
# java and /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=e2e-dashboard
. .ci/e2e-lib.sh
logs=(checkout.err payments.err prometheus.log)

for tool in prometheus promtool jq curl java /usr/bin/python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install prometheus jq curl python3)"
done
jar=agent/target/amptalk-monitor.jar
dashboard=deploy/grafana/dashboards/amptalk.json
dockerfile=deploy/agent.Dockerfile
[ -f "$jar" ] || fail "$jar is missing: run mvn verify first"
jq -e . "$dashboard" >/dev/null || fail "$dashboard is not valid JSON"

# --- 1. Two agents and Prometheus --------------------------------------------------------------

# The image's JVM settings, so that the fleet here runs as the containers do.
jvm_opts=$(sed -n 's/^ENV JDK_JAVA_OPTIONS="\(.*\)"$/\1/p' "$dockerfile")
[ -n "$jvm_opts" ] || fail "$dockerfile sets no ENV JDK_JAVA_OPTIONS=\"...\""
# Only the memory and disk checks, at thresholds a busy CI machine does not reach: the health
# figures asserted below must not depend on the machine's CPU load, nor the alert counts on
# checks turning degraded.
cat >"$work/monitor.yml" <<'YML'
checks:
  memory: {warning_threshold: 99, critical_threshold: 100}
  disk: {warning_threshold: 99, critical_threshold: 100}
YML
token=$(/usr/bin/python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
services=(checkout payments)
declare -A ports
for svc in "${services[@]}"; do
  JDK_JAVA_OPTIONS="$jvm_opts" AMPTALK_API_TOKEN="$token" java -jar "$jar" demo --config "$work/monitor.yml" \
    --host 127.0.0.1 --port 0 --service-name "$svc" --data-dir "$work/$svc-data" \
    >"$work/$svc.out" 2>"$work/$svc.err" &
  pids+=($!)
  echo $! >"$work/$svc.pid"
done
for svc in "${services[@]}"; do
  port=$(agent_port "$work/$svc.out" "$(cat "$work/$svc.pid")")
  [ -n "$port" ] || { dump "${logs[@]}"; fail "agent $svc exited or printed no URL in 30 s"; }
  ports[$svc]=$port
  log "agent $svc (demo, $jvm_opts) serves http://127.0.0.1:$port/"
done
checkout="127.0.0.1:${ports[checkout]}"
payments="127.0.0.1:${ports[payments]}"

prom_port=$(free_port)
cat >"$work/e2e-rules.yml" <<'YML'
groups:
  - name: e2e-dashboard
    rules:
      - alert: AmptalkE2eDashboard
        expr: up{job="amptalk", service="checkout"} == 1
        labels:
          severity: warning
        annotations:
          summary: "fires for checkout's instance, so that the dashboard's firing alerts have a known count"
YML
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $work/e2e-rules.yml
scrape_configs:
  - job_name: amptalk
    static_configs:
      - targets: ['$checkout']
        labels: {service: checkout}
      - targets: ['$payments']
        labels: {service: payments}
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$prom_port']
YML
promtool check config "$work/prometheus.yml" >"$work/promtool.out" 2>&1 || { cat "$work/promtool.out" >&2; fail "promtool refused the test config"; }
start_prometheus "$work/prometheus.yml" "$prom_port"
await_up 2
log "Prometheus $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') scrapes both agents every 1 s (job amptalk: $checkout service checkout, $payments service payments) and itself (job prometheus): up == 1 for both agents after $SECONDS s"

# One alert per agent through its API, of known severities.
post_alert() {
  local port=$1 severity=$2 code
  code=$(curl -sS -o "$work/post.out" -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data "{\"title\": \"e2e dashboard $severity\", \"severity\": \"$severity\", \"source\": \"e2e\"}" \
    "http://127.0.0.1:$port/alerts")
  [ "$code" = "201" ] || fail "POST /alerts to 127.0.0.1:$port answered $code: $(cat "$work/post.out")"
}
post_alert "${ports[checkout]}" critical
post_alert "${ports[payments]}" warning
log "raised one alert on each agent through POST /alerts: checkout critical, payments warning"

# --- 2 and 3. The variables and every panel through the query API ------------------------------

/usr/bin/python3 - "$dashboard" "$api" "$checkout" "$payments" <<'PY'
import json, re, sys, time, urllib.parse, urllib.request

dashboard_path, api, checkout, payments = sys.argv[1:5]
dashboard = json.load(open(dashboard_path))
failures = []

def log(msg):
    print(f"e2e-dashboard: {msg}", flush=True)

def fail(msg):
    print(f"e2e-dashboard: FAIL: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)

def get(path, params):
    url = f"{api}/{path}?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)

def oneline(s):
    return " ".join(s.split())

# Grafana's formatting of a multi-value variable in a Prometheus query: each value's regular
# expression characters escaped (the backslash doubled, as it sits in a PromQL string), several
# values as (a|b); All as the variable's allValue, or else every value.
def regex_value(values):
    escaped = [re.sub(r'([\\^$.|?*+()\[\]{}])', r'\\\\\1', v) for v in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"

variables = {v["name"]: v for v in dashboard["templating"]["list"]}
for name in ["job", "service", "instance"]:
    if name not in variables or variables[name]["type"] != "query":
        fail(f"the dashboard has no query variable '{name}'")

def interpolate(text, selection):
    # Grafana's own interval variables, as it fills them for a 5-minute range on a wide panel
    # (the data source's timeInterval is the scrape interval, here 1 s).
    for var, value in [("$__rate_interval", "20s"), ("$__interval_ms", "5000"), ("$__interval", "5s"),
                       ("$__range_s", "300"), ("$__range_ms", "300000"), ("$__range", "5m")]:
        text = text.replace(var, value).replace("${" + var[1:] + "}", value)
    for name in [n for n in ["instance", "service", "job"] if n in selection]:
        text = text.replace("${" + name + "}", selection[name]).replace("$" + name, selection[name])
    if "$" in text:
        fail(f"a variable this check cannot fill is left in '{oneline(text)}'")
    return text

def var_query(name):
    q = variables[name]["query"]
    q = q["query"] if isinstance(q, dict) else q
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", q, re.S)
    if not m:
        fail(f"variable {name}: '{q}' is not label_values(selector, label)")
    return m.group(1), m.group(2)

def label_values(name, selection):
    selector, label = var_query(name)
    selector = interpolate(selector, selection)
    now = time.time()
    answer = get(f"label/{label}/values", {"match[]": selector, "start": now - 300, "end": now})
    if answer.get("status") != "success":
        fail(f"variable {name}: Prometheus refused '{selector}': {answer.get('error')}")
    return sorted(answer["data"]), selector

def all_value(name, values):
    return variables[name].get("allValue") or regex_value(values)

# The variables, chained as Grafana resolves them: job, then service for the jobs, then instance.
def check_variable(name, selection, expected, what):
    values, selector = label_values(name, selection)
    if values != sorted(expected):
        fail(f"variable {name} ({what}): label_values gives {values}, expected {sorted(expected)} ({selector})")
    log(f"variable {name} ({what}): {selector} -> {values}")
    return values

jobs = check_variable("job", {}, ["amptalk"], "only the agents' job, not Prometheus' own")
job_all = all_value("job", jobs)
services = check_variable("service", {"job": job_all}, ["checkout", "payments"], "job All")
service_all = all_value("service", services)
instances = check_variable("instance", {"job": job_all, "service": service_all}, [checkout, payments], "job All, service All")
check_variable("instance", {"job": job_all, "service": regex_value(["checkout"])}, [checkout], "service checkout")
check_variable("instance", {"job": regex_value(jobs), "service": regex_value(["checkout", "payments"])},
               [checkout, payments], "every value chosen one by one")
instance_all = all_value("instance", instances)

selections = {
    "all": ({"job": job_all, "service": service_all, "instance": instance_all},
            {"services": ["checkout", "payments"], "instances": [checkout, payments]}),
    "checkout": ({"job": regex_value(["amptalk"]), "service": regex_value(["checkout"]), "instance": regex_value([checkout])},
                 {"services": ["checkout"], "instances": [checkout]}),
    "payments": ({"job": job_all, "service": regex_value(["payments"]), "instance": instance_all},
                 {"services": ["payments"], "instances": [payments]}),
}

# Exact values where they are known, by panel title and refId: {selection: value}, or
# {selection: {severity: value}} for the by-severity panels.
exact = {
    ("Instances up", "A"): {"all": 2, "checkout": 1, "payments": 1},
    ("Instances up", "B"): {"all": 2, "checkout": 1, "payments": 1},
    ("Worst health", "A"): {"all": 1, "checkout": 1, "payments": 1},
    ("Prometheus alerts firing by severity", "A"): {
        "all": {"critical": 0, "warning": 1, "info": 0},
        "checkout": {"critical": 0, "warning": 1, "info": 0},
        "payments": {"critical": 0, "warning": 0, "info": 0}},
    ("Agent alerts firing by severity", "A"): {
        "all": {"critical": 1, "error": 0, "warning": 1, "info": 0},
        "checkout": {"critical": 1, "error": 0, "warning": 0, "info": 0},
        "payments": {"critical": 0, "error": 0, "warning": 1, "info": 0}},
}

targets = []
def walk(panels):
    for p in panels:
        for t in p.get("targets") or []:
            if "expr" in t:
                targets.append((p, t))
        walk(p.get("panels") or [])
walk(dashboard["panels"])
if not targets:
    fail("the dashboard has no panel targets")
fleet_ids = set()
row = None
for p in dashboard["panels"]:
    if p["type"] == "row":
        row = p["title"]
    elif row == "Fleet":
        fleet_ids.add(p["id"])

def problem(answer, key, name, fleet, legend):
    """What is wrong with an answer (None when nothing is): empty, not the exact value, or its
    series not of the selected instances (per-instance panels) or services (by service)."""
    result = answer["data"]["result"]
    if not result:
        return "empty result"
    if key in exact:
        want = exact[key][name]
        if isinstance(want, dict):
            got = {s["metric"].get("severity"): float(s["value"][1]) for s in result}
            if got != {k: float(v) for k, v in want.items()}:
                return f"by severity {got}, expected {want}"
        else:
            got = [float(s["value"][1]) for s in result]
            if got != [float(want)]:
                return f"{got}, expected [{want}]"
    labels = [s["metric"] for s in result]
    if "{{instance}}" in legend:
        seen = sorted({m.get("instance", "") for m in labels})
        if seen != sorted(selections[name][1]["instances"]):
            return f"series of instances {seen}, expected {sorted(selections[name][1]['instances'])}"
    if fleet and "{{service}}" in legend:
        seen = sorted({m.get("service", "") for m in labels})
        if seen != sorted(selections[name][1]["services"]):
            return f"series of services {seen}, expected {sorted(selections[name][1]['services'])}"
    return None

# A rate() needs two samples in its window, the GC panel a first collection, the health gauge the
# checks' first results, the raised alerts a scrape after the POST: each query is asked again for
# up to 30 s before it counts as failed.
deadline = time.time() + 30
count = 0
for panel, target in targets:
    fleet = panel["id"] in fleet_ids
    key = (panel["title"], target["refId"])
    legend = target.get("legendFormat", "")
    for name, (selection, _) in selections.items():
        expr = interpolate(target["expr"], selection)
        while True:
            answer = get("query", {"query": expr})
            if answer.get("status") != "success":
                fail(f"panel '{panel['title']}' {target['refId']} [{name}]: Prometheus refused "
                     f"'{oneline(expr)}': {answer.get('errorType')}: {answer.get('error')}")
            wrong = problem(answer, key, name, fleet, legend)
            if wrong is None or time.time() > deadline:
                break
            time.sleep(0.5)
        if wrong:
            fail(f"panel '{panel['title']}' {target['refId']} [{name}]: {wrong}: '{oneline(expr)}'")
        result = answer["data"]["result"]
        shown = ""
        if key in exact:
            shown = ", value " + ", ".join(
                (f"{s['metric']['severity']}={s['value'][1]}" if "severity" in s["metric"] else s["value"][1])
                for s in sorted(result, key=lambda s: s["metric"].get("severity", "")))
        log(f"panel '{panel['title']}' {target['refId']} [{name}]: {len(result)} series{shown}")
        count += 1
log(f"{len(targets)} panel targets x {len(selections)} selections = {count} queries answered with data")
PY
log "OK ($SECONDS s)"
