#!/usr/bin/env bash
# The alert system under load, end to end to a webhook receiver on loopback (see AlertLoad.java):
# sustained alerts/s into history, alert() -> webhook latency p50/p99, and a 100,000-alert storm
# (wall time, notifications delivered, peak heap), then 10,000 alerts across 5 teams without and
# with grouping by team (notifications delivered).
#
#   bench/alerts-load.sh [sustained-count] [latency-count] [storm-count]   # defaults 200000 2000 100000
#
# Needs the bench jar (built here when missing). JAVA_OPTS is passed to the JVM (default -Xmx1g).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || mvn -B -q -pl bench -am package -DskipTests
exec java ${JAVA_OPTS:--Xmx1g} \
  -cp "$jar" io.amptalk.monitoring.bench.AlertLoad "$@"
