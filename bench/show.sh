#!/bin/sh
# show.sh - chg show of one change request next to chg-lint at HEAD.
#
# Usage: sh bench/show.sh
#
# On a repository made by bench/gen-repo.sh (COMMITS commits, default
# 100000, of which CR_COMMITS, default 10000, are about CRS change
# requests, default 2000) times, best of RUNS each,
#
#	chg show ID          (ID default CHG-00001, the oldest change
#	                      request: the longest history)
#	chg-lint             (the baseline: at HEAD)
#
# chg show lints the file and evaluates its approvals as chg-lint does, so
# one change request should cost little more than all of them.
# Target: chg show <= 1.5x chg-lint.
# For a quick run: COMMITS=2000 CR_COMMITS=200 CRS=40 sh bench/show.sh
#
# Environment: COMMITS, CR_COMMITS, CRS, ID, and those of
# bench/lib-bench.sh (CHG_BUILD_DIR, BENCH_DIR, KEEP, RUNS, TIMEOUT,
# CHG_NOW).

BENCH=show.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-bench.sh"

COMMITS=${COMMITS:-100000}
CR_COMMITS=${CR_COMMITS:-10000}
CRS=${CRS:-2000}
ID=${ID:-CHG-00001}

repo=$(bench_repo "$COMMITS" "$CR_COMMITS" "$CRS")
"$CHG" -C "$repo" show "$ID" >/dev/null 2>&1 || [ $? -eq 1 ] || {
	echo "show.sh: chg show $ID does not run in $repo" >&2
	exit 1
}
echo "timing, best of $RUNS, timeout ${TIMEOUT}s per run"

show_t='' lint_t=''	# set by bench_time
bench_time show "$CHG" -C "$repo" show "$ID"
bench_time lint "$CHG_LINT" -C "$repo"

bench_header
bench_ratio_row "chg show $ID vs chg-lint ($COMMITS)" "$show_t" "$lint_t" 1.5
