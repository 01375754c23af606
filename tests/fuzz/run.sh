#!/usr/bin/env bash
# Runs every built fuzz target for N seconds on a scratch copy of its seed corpus (plus its regression inputs),
# then prints one table row per target: executions per second (libFuzzer's average), edge coverage (cov:) and
# features (ft:) at the end, corpus size, and the verdict. Builds nothing: configure and build build-fuzz first (README.md).
#
#   tests/fuzz/run.sh [-b BUILD_DIR] [-t SECONDS_PER_TARGET | -T TOTAL_SECONDS] [-j JOBS] [TARGET...]
#
# Default: every target (one per corpus/ folder), 60 s each, one at a time. -T shares a total among them.
# Exits non-zero when any target crashed, leaked, timed out or broke a checked property; the input that did it
# is left in the log directory (crash-*, leak-*, timeout-*, oom-*) to be kept under regressions/<target>/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/../../build-fuzz"
seconds=60
total=""
jobs=1
while getopts "b:t:T:j:h" opt; do
  case $opt in
    b) build="$OPTARG" ;;
    t) seconds="$OPTARG" ;;
    T) total="$OPTARG" ;;
    j) jobs="$OPTARG" ;;
    *) sed -n '2,11p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
build="$(cd "$build" && pwd)"  # absolute: each target runs from its own scratch directory

targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in "$here"/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
[ -n "$total" ] && seconds=$((total * jobs / ${#targets[@]}))

work="$(mktemp -d "${TMPDIR:-/tmp}/bw-fuzz-run.XXXXXX")"
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, logs and findings in $work"

# One target: fresh corpus copy, -max_total_time, then the last status line's figures.
run_target() {
  local name=$1 exe="$build/tests/fuzz/${1}_fuzz" log="$work/$1.log" out="$work/$1"
  mkdir -p "$out/corpus"
  cp -r "$here/corpus/$name/." "$out/corpus/"
  [ -d "$here/regressions/$name" ] && cp -r "$here/regressions/$name/." "$out/corpus/"
  local status=ok
  if [ ! -x "$exe" ]; then
    echo "missing: $exe" >"$log"
    status=missing
  elif ! (cd "$out" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
                   -print_final_stats=1 "$out/corpus" >"$log" 2>&1); then
    status=FAILED
  fi
  local last execs cov ft units
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  execs="$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last")"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
  units="$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")"
  printf '%s %s %s %s %s %s\n' "$name" "$status" "${execs:--}" "${cov:--}" "${ft:--}" "${units:--}" >"$out/row"
}

export -f run_target
export build here work seconds
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_target {}'

failed=0
printf '\n| target | result | execs/s | cov | ft | corpus |\n|---|---|---:|---:|---:|---:|\n'
for name in "${targets[@]}"; do
  read -r _ status execs cov ft units <"$work/$name/row"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$status" "$execs" "$cov" "$ft" "$units"
  if [ "$status" != ok ]; then
    failed=1
    echo "  $name: see $work/$name.log; reproducer(s): $(ls "$work/$name" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | tr '\n' ' ')" >&2
  fi
done
exit $failed
