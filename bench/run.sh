#!/usr/bin/env bash
# Runs the whole benchmark suite and writes bench/results/<UTC timestamp>/: the raw JMH JSON and
# text output of every run, the scrape bodies and their sizes, summary.md and one PNG chart per
# benchmark class (drawn by io.amptalk.monitoring.bench.Report from the JSON).
#
#   bench/run.sh [short|full] [--build] [--cpu] [--only GROUP,...] [JMH arguments...]
#
#   short (default)  a quick check, about 7 minutes, and 9 more for the curve: 1 fork, few
#                    iterations
#   full             for publishing, about 33 minutes (42 with --cpu; the curve adds about 25,
#                    estimated): 2 forks, longer warm-up
#   --build          rebuild bench/target/benchmarks.jar (it is built anyway when missing)
#   --only           run some groups only, e.g. --only scrape,checks
#   --cpu            also measure the CPU time of a scrape per library (ScrapeCpu: one JVM per
#                    library, two rounds; about 3 minutes per scrape group), for busy machines
#
# The groups, in order (benchmark class; JMH thread counts):
#   record       RecordRequestBenchmark    1 and 2 threads   recordRequest against the peers
#   scrape       ScrapeBenchmark           1 (full: 1 and 2) one /metrics body in-process
#   scrape-http  ScrapeHttpBenchmark       1 (full: 1 and 2) one GET /metrics over loopback
#   checks       ParallelChecksBenchmark   1                 runAllChecks() of 50 sleeping checks
#   alert        AlertBenchmark            1                 AlertSystem.alert()
#   slo          SloBenchmark              1                 one evaluation of 1 and 4 objectives
#   filter       MonitoringFilterBenchmark 1                 the Servlet filters alone, ours and peers
#   curve        ScrapeCurveBenchmark      1                 one body at 1,000, 10,000 and 100,000
#                                                            series, in-process and over HTTP, ours
#                                                            and the peers; then CurveHeap, the heap
#                                                            retained per series (curve-heap.tsv)
# then the load scripts, whose printed figures go into summary.md:
#   health       health-load.sh    /health under wrk, next to a trivial JDK handler
#   alerts-load  alerts-load.sh    alerts/s into history, alert() to webhook latency, a storm
#   footprint    footprint.sh      the agent (launcher, java -jar, sidecar flags), node_exporter
#   http-overhead http-overhead.sh request instrumentation on Jetty 12 under wrk, against peers
# wrk and prometheus-node-exporter are installed from Debian's packages when missing (as root).
# Every run has -prof gc. Other arguments go to JMH: an option replaces the preset's (-i 5, -f 2,
# -t 4 for every group, -prof jfr in addition to gc), and a regular expression keeps only the
# benchmarks it matches (groups left empty are skipped), e.g. bench/run.sh short floor amptalk
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root_dir=$(dirname "$bench_dir")
jar="$bench_dir/target/benchmarks.jar"
java=${JAVA:-java}

mode=short
if [[ $# -gt 0 && ( $1 == short || $1 == full ) ]]; then
  mode=$1
  shift
fi
build=false
cpu=false
only=""
jmh_options=()
filters=()
threads_override=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=true ;;
    --cpu) cpu=true ;;
    --only) only=$2; shift ;;
    -t) threads_override=$2; shift ;;
    -*)
      jmh_options+=("$1")
      if [[ $# -gt 1 && $2 != -* ]]; then jmh_options+=("$2"); shift; fi
      ;;
    *) filters+=("$1") ;;
  esac
  shift
done

groups=(record scrape scrape-http checks alert slo filter curve)
scripts=(health alerts-load footprint http-overhead)
declare -A class=(
  [record]=RecordRequestBenchmark [scrape]=ScrapeBenchmark [scrape-http]=ScrapeHttpBenchmark
  [checks]=ParallelChecksBenchmark [alert]=AlertBenchmark [slo]=SloBenchmark
  [filter]=MonitoringFilterBenchmark [curve]=ScrapeCurveBenchmark)
# Scrapes take several seconds of warm-up before their time settles (1 MB bodies, much garbage).
if [[ $mode == short ]]; then
  declare -A preset=(
    [record]="-f 1 -wi 3 -w 1s -i 3 -r 1s" [scrape]="-f 1 -wi 6 -w 1s -i 3 -r 1s"
    [scrape-http]="-f 1 -wi 6 -w 1s -i 3 -r 1s" [checks]="-f 1 -wi 2 -i 5"
    [alert]="-f 1 -wi 3 -w 1s -i 3 -r 1s" [slo]="-f 1 -wi 3 -w 1s -i 3 -r 1s"
    [filter]="-f 1 -wi 3 -w 1s -i 3 -r 1s" [curve]="-f 1 -wi 2 -w 1s -i 3 -r 1s")
  declare -A thread_counts=([record]="1 2" [scrape]=1 [scrape-http]=1 [checks]=1 [alert]=1
    [slo]=1 [filter]=1 [curve]=1)
  curve_heap_runs=1
else
  declare -A preset=(
    [record]="-f 2 -wi 8 -w 1s -i 5 -r 1s" [scrape]="-f 2 -wi 10 -w 1s -i 5 -r 1s"
    [scrape-http]="-f 2 -wi 10 -w 1s -i 5 -r 1s" [checks]="-f 2 -wi 3 -i 10"
    [alert]="-f 2 -wi 5 -w 1s -i 5 -r 1s" [slo]="-f 2 -wi 5 -w 1s -i 5 -r 1s"
    [filter]="-f 2 -wi 5 -w 1s -i 5 -r 1s" [curve]="-f 2 -wi 4 -w 2s -i 5 -r 2s")
  declare -A thread_counts=([record]="1 2" [scrape]="1 2" [scrape-http]="1 2" [checks]=1 [alert]=1
    [slo]=1 [filter]=1 [curve]=1)
  curve_heap_runs=3
fi

selected=()
selected_scripts=()
for group in "${groups[@]}"; do
  if [[ -z $only || ",$only," == *",$group,"* ]]; then selected+=("$group"); fi
done
# The load scripts take no JMH arguments: a benchmark filter runs JMH only.
for script in "${scripts[@]}"; do
  if [[ ( -z $only && ${#filters[@]} -eq 0 ) || ",$only," == *",$script,"* ]]; then
    selected_scripts+=("$script")
  fi
done
for group in ${only//,/ }; do
  [[ -n ${class[$group]:-} || " ${scripts[*]} " == *" $group "* ]] ||
    { echo "unknown group '$group' (one of: ${groups[*]} ${scripts[*]})" >&2; exit 2; }
done

if [[ $build == true || ! -f $jar ]]; then
  (cd "$root_dir" && mvn -B -q -pl bench -am package -DskipTests)
fi

out="$bench_dir/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
{
  echo "nproc: $(nproc)"
  lscpu | grep 'Model name' || true
  "$java" -version 2>&1
  echo "commit: $(git -C "$root_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
    git -C "$root_dir" diff --quiet HEAD -- 2>/dev/null || echo ' (with local changes)')"
  echo "mode: $mode; groups: ${selected[*]}; extra arguments: ${jmh_options[*]:-} ${filters[*]:-}"
  echo "start: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"

# An include pattern for JMH (which searches it in the full benchmark name): the group's class,
# and any of the user's expressions.
pattern_for() {
  local pattern="^(?=.*\\.$1\\.)"
  if [[ ${#filters[@]} -gt 0 ]]; then
    local joined
    joined=$(IFS='|'; echo "${filters[*]}")
    pattern+="(?=.*(?:$joined))"
  fi
  echo "$pattern"
}

ran=()
for group in "${selected[@]}"; do
  pattern=$(pattern_for "${class[$group]}")
  if ! "$java" -jar "$jar" -l "$pattern" | grep -q "${class[$group]}"; then
    continue
  fi
  # JMH refuses an option given twice: one among the extra arguments replaces the preset's.
  read -r -a group_preset <<<"${preset[$group]}"
  iterations=()
  for ((i = 0; i < ${#group_preset[@]}; i += 2)); do
    [[ " ${jmh_options[*]:-} " == *" ${group_preset[i]} "* ]] ||
      iterations+=("${group_preset[i]}" "${group_preset[i + 1]}")
  done
  for threads in ${threads_override:-${thread_counts[$group]}}; do
    echo "=== $group: ${class[$group]}, $threads thread(s), ${iterations[*]} ${jmh_options[*]:-}"
    "$java" -jar "$jar" "$pattern" "${iterations[@]}" -t "$threads" -prof gc -foe true \
      -rf json -rff "$out/$group-t$threads.json" "${jmh_options[@]}" |
      tee "$out/$group-t$threads.txt"
  done
  ran+=("$group")
done

# The load scripts, each printing its figures; short mode runs them shorter.
install_missing() { # command package
  command -v "$1" >/dev/null && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    # No service may start from the package (Debian's node_exporter has one).
    [[ -e /usr/sbin/policy-rc.d ]] || printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
  fi
  command -v "$1" >/dev/null || { echo "$1 is missing: apt-get install $2" >&2; return 1; }
}
for script in "${selected_scripts[@]}"; do
  echo "=== $script"
  case $script in
    health)
      install_missing wrk wrk
      args=$([[ $mode == short ]] && echo "5" || echo "10") ;;
    alerts-load)
      args=$([[ $mode == short ]] && echo "50000 1000 100000" || echo "200000 2000 100000") ;;
    footprint)
      install_missing prometheus-node-exporter prometheus-node-exporter
      [[ -x $root_dir/agent/target/amptalk-monitor && $build == false ]] ||
        (cd "$root_dir" && mvn -B -q -pl agent -am package -DskipTests)
      args=$([[ $mode == short ]] && echo "1" || echo "3") ;;
    http-overhead)
      install_missing wrk wrk
      args=$([[ $mode == short ]] && echo "5 10 1" || echo "10 20 2") ;;
  esac
  # shellcheck disable=SC2086
  file=$([[ $script == health ]] && echo health-load || echo "$script")
  "$bench_dir/$file.sh" $args 2>&1 | grep -v '^SLF4J' | tee "$out/$script.txt"
  ran+=("$script")
done

if [[ ${#ran[@]} -eq 0 ]]; then
  echo "no benchmark matches: ${filters[*]:-} ${only:+(--only $only)}" >&2
  exit 2
fi

# The bodies each library serves, and their sizes for the summary.
if [[ " ${ran[*]} " == *" scrape"* ]]; then
  "$java" -cp "$jar" io.amptalk.monitoring.bench.ScrapeBodies "$out/scrape" >/dev/null
fi
# The heap the curve's series retain, per library and size (one JVM per measure).
if [[ " ${ran[*]} " == *" curve "* ]]; then
  echo "=== curve: heap retained per series (CurveHeap)"
  "$java" -cp "$jar" io.amptalk.monitoring.bench.CurveHeap "$out" --runs "$curve_heap_runs"
fi
# CPU time per body, which waiting for a busy core does not inflate as it does wall time.
if [[ $cpu == true && " ${ran[*]} " == *" scrape "* ]]; then
  echo "=== scrape: CPU time per body (ScrapeCpu)"
  "$java" -cp "$jar" io.amptalk.monitoring.bench.ScrapeCpu | tee "$out/scrape/cpu.tsv"
  "$java" -cp "$jar" io.amptalk.monitoring.bench.ScrapeCpu --parts | tee "$out/scrape/cpu-parts.tsv"
fi
if [[ $cpu == true && " ${ran[*]} " == *" scrape-http "* ]]; then
  echo "=== scrape-http: process CPU time per GET (ScrapeCpu --http)"
  "$java" -cp "$jar" io.amptalk.monitoring.bench.ScrapeCpu --http | tee "$out/scrape/cpu-http.tsv"
fi
echo "end: $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
if compgen -G "$out/*.json" >/dev/null; then
  "$java" -Djava.awt.headless=true -cp "$jar" io.amptalk.monitoring.bench.Report "$out"
fi
for script in "${selected_scripts[@]}"; do
  file=$([[ $script == health ]] && echo health-load || echo "$script")
  printf '\n## %s (bench/%s.sh)\n\n```\n%s\n```\n' "$script" "$file" "$(cat "$out/$script.txt")" \
    >>"$out/summary.md"
done
echo "Results in $out"
