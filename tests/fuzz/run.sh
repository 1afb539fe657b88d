#!/bin/sh
# run.sh BUILDDIR SECONDS: runs each harness BUILDDIR/fuzz-* for SECONDS
# seconds on a fresh corpus seeded from the repository (seeds.sh), with
# the dictionary.  Fails when any harness finds a crash, a leak, a timeout
# (10 s for one input) or goes over 2048 MB; the input that did it is
# saved as BUILDDIR/artifacts/NAME-*.  Prints each harness's final line
# (executions, coverage) and its executions per second.
set -u
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
status=0

sh "$here/seeds.sh" "$src" "$build/corpus" || exit 1
mkdir -p "$build/artifacts"
for name in change policy; do
	bin=$build/fuzz-$name
	log=$build/fuzz-$name.log
	echo "== fuzz-$name for $seconds s"
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-dict="$here/yaml.dict" -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$name-" \
		"$build/corpus/$name" >"$log" 2>&1
	rc=$?
	grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
	grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log"
	if test $rc != 0; then
		echo "fuzz-$name failed (exit $rc):" >&2
		grep -E -A 30 'ERROR:|SUMMARY:|Test unit written' "$log" | head -n 80 >&2
		status=1
	fi
done
exit $status
