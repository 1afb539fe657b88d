#!/bin/sh
# audit.sh - chg audit --verify next to chg log on the same history.
#
# Usage: sh bench/audit.sh
#
# For each size in SIZES (commits; default "10000 100000") makes a
# repository with bench/gen-repo.sh, a tenth of whose commits are about
# change requests and one in fifty of those commits creates one (the
# defaults of gen-repo.sh, scaled), and times, best of RUNS each,
#
#	chg audit --verify
#	chg log --format jsonl       (the baseline: the same walk, without
#	                              replaying the approvals)
#
# Target: audit --verify <= 3x chg log, at every size.
# For a quick run: SIZES=2000 sh bench/audit.sh
#
# Environment: SIZES, and those of bench/lib-bench.sh (CHG_BUILD_DIR,
# BENCH_DIR, KEEP, RUNS, TIMEOUT, CHG_NOW).

BENCH=audit.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-bench.sh"

SIZES=${SIZES:-10000 100000}

rows=
for commits in $SIZES; do
	case $commits in
	''|*[!0-9]*) echo "audit.sh: '$commits' is not a number" >&2; exit 2 ;;
	esac
	repo=$(bench_repo "$commits" $((commits / 10)) $((commits / 50)))
	echo "timing $commits commits, best of $RUNS, timeout ${TIMEOUT}s per run"
	bench_time audit "$CHG" -C "$repo" audit --verify
	bench_time log "$CHG" -C "$repo" log --format jsonl
	rows="$rows$commits $audit_t $log_t
"
done

bench_header
echo "$rows" | while read -r commits audit_t log_t; do
	[ -n "$commits" ] || continue
	bench_ratio_row "chg audit --verify vs chg log ($commits)" "$audit_t" "$log_t" 3
done
