#!/usr/bin/env bash
# Runs the JMH benchmarks of this module at 1 and then 2 threads, with the GC profiler.
#
#   bench/run.sh [short|full] [--build] [extra JMH args...]
#
#   short (default)  1 fork,  3 x 1 s warm-up, 3 x 1 s measured   (about 2 min)
#   full             2 forks, 8 x 1 s warm-up, 5 x 1 s measured   (about 8 min)
#   --build          rebuild bench/target/benchmarks.jar (it is built anyway when missing)
#
# Extra arguments go to JMH, e.g. a benchmark regex or other iterations: bench/run.sh short -i 5 floor
# Results land in bench/results/<UTC timestamp>/: the raw JSON and text output of each run, the
# machine it ran on, and summary.txt, the table printed at the end.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root_dir=$(dirname "$bench_dir")
jar="$bench_dir/target/benchmarks.jar"

mode=short
if [[ $# -gt 0 && ( $1 == short || $1 == full ) ]]; then
  mode=$1
  shift
fi
build=false
jmh_args=()
for arg in "$@"; do
  if [[ $arg == --build ]]; then build=true; else jmh_args+=("$arg"); fi
done

case $mode in
  short) preset=(-f 1 -wi 3 -w 1s -i 3 -r 1s) ;;
  full) preset=(-f 2 -wi 8 -w 1s -i 5 -r 1s) ;;
esac
# JMH refuses an option given twice: one given among the extra arguments replaces the preset's.
iterations=()
for ((i = 0; i < ${#preset[@]}; i += 2)); do
  [[ " ${jmh_args[*]:-} " == *" ${preset[i]} "* ]] || iterations+=("${preset[i]}" "${preset[i + 1]}")
done

if [[ $build == true || ! -f $jar ]]; then
  (cd "$root_dir" && mvn -B -q -pl bench -am package -DskipTests)
fi

out="$bench_dir/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
{
  echo "nproc: $(nproc)"
  lscpu | grep 'Model name' || true
  java -version 2>&1
  echo "mode: $mode; JMH arguments: ${iterations[*]} -prof gc ${jmh_args[*]:-}"
} >"$out/machine.txt"

for threads in 1 2; do
  java -jar "$jar" "${iterations[@]}" -t "$threads" -prof gc \
    -rf json -rff "$out/threads-$threads.json" "${jmh_args[@]}" | tee "$out/threads-$threads.txt"
done

# JMH writes its JSON one key per line; this reads the primary score and gc.alloc.rate.norm.
awk '
  function num(v) { return v ~ /^-?[0-9]/ ? sprintf("%.2f", v) : v }
  /"benchmark" :/ { name = $3; gsub(/[",]/, "", name); sub(/.*\./, "", name) }
  /"threads" :/ {
    threads = $3; sub(/,/, "", threads)
    if (!(name in seen)) { seen[name]; order[++count] = name }
  }
  /"primaryMetric" :/ { section = "time" }
  /"gc\.[a-z.]+" : \{/ { section = $1 == "\"gc.alloc.rate.norm\"" ? "alloc" : "" }
  /"score" :/ || /"scoreError" :/ {
    value = $3; gsub(/[",]/, "", value)
    result[name, threads, $1 == "\"score\"" ? section : section "Error"] = value
  }
  END {
    printf "%-28s %21s %9s %21s %9s\n", "benchmark", "1 thread: ns/op", "B/op", "2 threads: ns/op", "B/op"
    for (i = 1; i <= count; i++) {
      n = order[i]
      printf "%-28s", n
      for (t = 1; t <= 2; t++) {
        printf " %10s ± %8s %9s", num(result[n, t, "time"]), num(result[n, t, "timeError"]), num(result[n, t, "alloc"])
      }
      printf "\n"
    }
  }
' "$out"/threads-1.json "$out"/threads-2.json | tee "$out/summary.txt"
echo "Results in $out"
