# Sourced by .ci/e2e-*.sh after setting e2e (the name their lines start with): log and fail, a
# work directory, the started processes (their ids appended to pids) killed and the directory
# removed on any exit, the logs shown on failure, a free loopback port, a demo agent's port.

log() { echo "$e2e: $*"; }
fail() {
  echo "$e2e: FAIL: $*" >&2
  exit 1
}

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# dump FILE...: the last lines of each of these files of $work that is not empty, on stderr.
dump() {
  local f
  for f in "$@"; do
    [ -s "$work/$f" ] || continue
    echo "--- $f (last 20 lines)" >&2
    tail -n 20 "$work/$f" >&2 || true
  done
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# agent_port OUT PID: the port an agent started with --host 127.0.0.1 --port 0 prints to OUT,
# waiting up to 30 s; empty when it exited or printed none.
agent_port() {
  local port="" _
  for _ in $(seq 1 150); do
    port=$(sed -n 's#.*serving metrics at http://127.0.0.1:\([0-9]*\)/metrics.*#\1#p' "$1")
    [ -n "$port" ] && break
    kill -0 "$2" 2>/dev/null || break
    sleep 0.2
  done
  echo "$port"
}

# start_prometheus CONFIG PORT: Prometheus on 127.0.0.1:PORT with CONFIG, its data under $work;
# sets prom_pid and api. query EXPR: an instant query's JSON answer (also on 4xx/5xx, which carry
# the error).
start_prometheus() {
  prometheus --config.file="$1" --storage.tsdb.path="$work/prometheus-data" \
    --web.listen-address="127.0.0.1:$2" >"$work/prometheus.log" 2>&1 &
  pids+=($!)
  prom_pid=$!
  api="http://127.0.0.1:$2/api/v1"
}
query() { curl -sS --max-time 10 --get --data-urlencode "query=$1" "$api/query"; }

# await_up N: waits up to 30 s until Prometheus has scraped N targets of job amptalk successfully;
# otherwise fails, showing the targets and the logs named in the array logs.
await_up() {
  local up="" _
  for _ in $(seq 1 60); do
    kill -0 "$prom_pid" 2>/dev/null || { dump "${logs[@]}"; fail "Prometheus exited"; }
    up=$(query 'sum(up{job="amptalk"})' 2>/dev/null | jq -r '.data.result[0].value[1] // empty' 2>/dev/null || true)
    [ "$up" = "$1" ] && return 0
    sleep 0.5
  done
  curl -sS "$api/targets" | jq '.data.activeTargets[] | {scrapeUrl, health, lastError}' >&2 || true
  dump "${logs[@]}"
  fail "Prometheus has ${up:-no} targets of job amptalk up, expected $1"
}
