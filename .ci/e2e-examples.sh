#!/usr/bin/env bash
# End-to-end: the two projects of examples/ built as a user builds a copy of them, against our
# artifacts installed from this tree, started as jars on free loopback ports and probed over HTTP:
# each request counted once under its route (never per id), the handler that throws a 500 and an
# error of its exception's type, /health 200 with the example's own check, the status page served.
# Needs JDK 17, Maven, jq, curl, python3. Our artifacts go into a throwaway local repository, never
# into ~/.m2 (other builds on this machine read it); the rest is read from ~/.m2, then Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=e2e
. .ci/e2e-lib.sh

# Maven's own local repository, served to the child builds as a read-only remote repository
# (releases only: our snapshots must come from the install below).
cache=${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}
cat >"$work/settings.xml" <<XML
<settings>
  <profiles>
    <profile>
      <id>this-machine</id>
      <repositories>
        <repository><id>this-machine</id><url>file://$cache</url><snapshots><enabled>false</enabled></snapshots></repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository><id>this-machine</id><url>file://$cache</url><snapshots><enabled>false</enabled></snapshots></pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>this-machine</activeProfile></activeProfiles>
</settings>
XML
mvn_() { mvn -B -q -s "$work/settings.xml" -Dmaven.repo.local="$work/repository" "$@"; }

# What a user's build resolves: the BOM, the parent, the library, the Servlet module and the
# starter. The tests ran before (mvn verify); formatting and the enforcer rules have nothing to
# say about an install.
start=$SECONDS
mvn_ -pl monitoring,servlet,spring-boot-starter -am install \
  -Dmaven.test.skip=true -Dspotless.check.skip=true -Denforcer.skip=true
echo "e2e: our artifacts installed in a throwaway repository in $((SECONDS - start)) s"

# build NAME: copies examples/NAME out of the tree, as a user copies it, and packages it there.
build() {
  cp -r "examples/$1" "$work/$1"
  rm -rf "$work/$1/target"
  local start=$SECONDS
  mvn_ -f "$work/$1/pom.xml" package || fail "examples/$1 does not build (above)"
  echo "e2e: examples/$1 built in $((SECONDS - start)) s"
}

# wait_ready PID APP_PORT MONITOR_PORT LOG: until the monitor's /health answers 200 and the
# application's port accepts connections (a connection alone, so no request is recorded).
wait_ready() {
  for _ in $(seq 1 300); do
    kill -0 "$1" 2>/dev/null || { cat "$4" >&2; fail "$4: the example exited"; }
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$3/health")" = 200 ] \
      && (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  cat "$4" >&2
  fail "$4: not ready within 60 s"
}

# expect URL STATUS [BODY]: GET URL answers STATUS, with exactly BODY when one is given.
expect() {
  local got
  got=$(curl -sS --max-time 10 -o "$work/body" -w '%{http_code}' "$1") || fail "GET $1: no answer"
  [ "$got" = "$2" ] || fail "GET $1 answered $got, expected $2: $(cat "$work/body")"
  [ $# -lt 3 ] || [ "$(cat "$work/body")" = "$3" ] || fail "GET $1 answered '$(cat "$work/body")', expected '$3'"
}

# expect_lines FILE PATTERN EXPECTED: the lines of FILE matching PATTERN are exactly EXPECTED.
expect_lines() {
  local got
  got=$(grep -E "$2" "$1" | sort || true)
  [ "$got" = "$3" ] || fail "$(basename "$1"): lines matching $2 are
$got
expected
$3"
}

# probe_monitor NAME MONITOR_PORT: the monitor's port of an example: /health 200 and healthy with
# the example's own check alone, the status page, /alerts. Leaves /metrics in $work/NAME.metrics.
probe_monitor() {
  local monitor="http://127.0.0.1:$2"
  expect "$monitor/health" 200
  local health checks
  health=$(cat "$work/body")
  checks=$(echo "$health" | jq -c '[.checks | to_entries[] | {(.key): [.value.status, .value.message]}] | add')
  [ "$checks" = '{"user-store":["healthy","2 users"]}' ] || fail "$1: /health checks are $checks"
  [ "$(echo "$health" | jq -r .status)" = healthy ] || fail "$1: /health is $health"
  expect "$monitor/" 200
  grep -q '<title>amptalk-monitoring</title>' "$work/body" || fail "$1: / is not the status page"
  expect "$monitor/alerts" 200
  [ "$(jq -c .alerts "$work/body")" = '[]' ] || fail "$1: /alerts lists $(cat "$work/body")"
  curl -fsS --max-time 10 -H 'Accept: text/plain' "$monitor/metrics" -o "$work/$1.metrics" \
    || fail "$1: GET $monitor/metrics failed"
  echo "e2e: $1: /health 200, healthy with its check user-store; status page and /alerts served"
}

# run NAME APP_PORT MONITOR_PORT JAVA_ARGS...: starts an example, its ports in JAVA_ARGS, and waits
# until it is ready.
run() {
  local name=$1 app=$2 monitor=$3
  shift 3
  java "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_ready "$!" "$app" "$monitor" "$work/$name.log"
  echo "e2e: $name: serving on $app, monitor on $monitor"
}

# expect_metrics NAME SERVICE COUNTS DROPS: the example's /metrics has exactly these request
# counts, one error (the IllegalStateException of /boom), no request in flight, exactly these
# non-zero drops, and its service's name.
expect_metrics() {
  local m="$work/$1.metrics"
  expect_lines "$m" '^http_server_request_duration_seconds_count' "$3"
  expect_lines "$m" '^app_errors_total' 'app_errors_total{error_type="java.lang.IllegalStateException"} 1.0'
  expect_lines "$m" '^http_server_active_requests' 'http_server_active_requests{http_request_method="GET",url_scheme="http"} 0.0'
  expect_lines "$m" '^monitoring_dropped_total\{.*\} [1-9]' "$4"
  grep -q "^target_info{.*service_name=\"$2\"" "$m" || fail "$1: no target_info of service $2"
}

build jdk-server
build spring-boot

# --- examples/jdk-server: the filter on each context; the route is the context's path.
app=$(free_port)
monitor=$(free_port)
run jdk-server "$app" "$monitor" -Dexample.port="$app" -Dexample.monitor-port="$monitor" \
  -jar "$work/jdk-server/target/jdk-server-example.jar"

expect "http://127.0.0.1:$app/users/1" 200 '{"id":1,"name":"Ada"}'
expect "http://127.0.0.1:$app/users/2" 200 '{"id":2,"name":"Grace"}'
expect "http://127.0.0.1:$app/users/99" 404 "{\"error\":\"no user '99'\"}"
# A handler that throws: the JDK server closes the connection without an answer, as it does
# without the filter (curl: 52, empty reply).
rc=0
curl -sS --max-time 10 -o /dev/null "http://127.0.0.1:$app/boom" 2>/dev/null || rc=$?
[ "$rc" = 52 ] || fail "jdk-server: GET /boom: curl exited $rc, expected 52 (empty reply)"
probe_monitor jdk-server "$monitor"
expect_metrics jdk-server jdk-server-example \
  'http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/users/"} 2
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="404",http_route="/users/"} 1
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="500",http_route="/boom"} 1' \
  ''
echo "e2e: jdk-server: /users/ 2 x 200 and 1 x 404 in one route, /boom a 500 and an IllegalStateException"

# --- examples/spring-boot: the starter; the route is Spring MVC's pattern.
app=$(free_port)
monitor=$(free_port)
run spring-boot "$app" "$monitor" -jar "$work/spring-boot/target/spring-boot-example.jar" \
  --server.port="$app" --amptalk.http.port="$monitor"

expect "http://127.0.0.1:$app/users/1" 200 '{"id":1,"name":"Ada"}'
expect "http://127.0.0.1:$app/users/2" 200 '{"id":2,"name":"Grace"}'
expect "http://127.0.0.1:$app/users/99" 404 '{"error":"no user 99"}' # the @ExceptionHandler's
expect "http://127.0.0.1:$app/boom" 500
[ "$(jq -r .path "$work/body")" = /boom ] || fail "spring-boot: /boom answered $(cat "$work/body")"
expect "http://127.0.0.1:$app/no/such/path" 404
probe_monitor spring-boot "$monitor"
# The path nothing matched is no series of its own: the DispatcherServlet's mapping, counted as
# an unresolved route.
expect_metrics spring-boot spring-boot-example \
  'http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/users/{id}"} 2
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="404",http_route="/"} 1
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="404",http_route="/users/{id}"} 1
http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="500",http_route="/boom"} 1' \
  'monitoring_dropped_total{reason="unresolved_route"} 1.0'
echo "e2e: spring-boot: /users/{id} 2 x 200 and 1 x 404 in one route, /boom a 500 and an IllegalStateException, an unknown path under /"
echo "e2e: OK"
