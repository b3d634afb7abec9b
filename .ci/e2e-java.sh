# Sourced by the end-to-end scripts that run the monitoring module's test classes (a driver, the
# webhook receiver) against real servers. Uses the sourcing script's log, fail, $work and pids.

# Sets cp to monitoring's classes and test classes with their dependencies (built by `mvn verify`).
e2e_test_classpath() {
  [ -f monitoring/target/classes/io/amptalk/monitoring/alert/notify/AlertmanagerNotifier.class ] \
    || fail "monitoring/target/classes is missing: run mvn verify first"
  [ -f monitoring/target/test-classes/io/amptalk/monitoring/alert/E2eAlertmanagerDriver.class ] \
    || fail "monitoring/target/test-classes is missing: run mvn verify first"
  local cpfile=monitoring/target/test-classpath.txt
  if [ ! -s "$cpfile" ]; then
    log "writing the test classpath to $cpfile"
    mvn -B -q -pl monitoring \
      org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
      -Dmdep.outputFile="$PWD/$cpfile" -Dmdep.includeScope=test >"$work/mvn.log" 2>&1 \
      || { cat "$work/mvn.log" >&2; fail "could not write the test classpath"; }
  fi
  cp="monitoring/target/classes:monitoring/target/test-classes:$(cat "$cpfile")"
}

# Starts the webhook receiver, which appends every request's body, one per line, to $1; sets
# hook_port once it listens.
e2e_webhook_receiver() {
  java -cp "$cp" io.amptalk.monitoring.alert.E2eWebhookReceiver 0 "$1" \
    >"$work/receiver.out" 2>"$work/receiver.err" &
  local pid=$!
  pids+=("$pid")
  hook_port=""
  for _ in $(seq 1 100); do
    hook_port=$(sed -n 's#^e2e-webhook-receiver: listening on 127.0.0.1:\([0-9]*\)$#\1#p' "$work/receiver.out")
    [ -n "$hook_port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/receiver.err" >&2; fail "webhook receiver exited"; }
    sleep 0.1
  done
  [ -n "$hook_port" ] || { cat "$work/receiver.err" >&2; fail "webhook receiver did not start"; }
  log "webhook receiver listens on 127.0.0.1:$hook_port"
}
