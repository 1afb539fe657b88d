#!/bin/sh
# range.sh - chg-lint --range of a push onto a long history.
#
# Usage: sh bench/range.sh
#
# On a repository made by bench/gen-repo.sh (COMMITS commits, default
# 100000, of which CR_COMMITS, default 10000, are about CRS change
# requests, default 2000) times, best of RUNS each,
#
#	chg-lint --range HEAD~PUSH..HEAD      (a push of PUSH commits,
#	                                       default 100, as the pre-receive
#	                                       hook and CI check it)
#	chg-lint                              (the baseline: at HEAD)
#
# Targets: the range <= 5 s, and <= 2x chg-lint at HEAD.
# For a quick run: COMMITS=2000 CR_COMMITS=200 CRS=40 sh bench/range.sh
#
# Environment: COMMITS, CR_COMMITS, CRS, PUSH, and those of
# bench/lib-bench.sh (CHG_BUILD_DIR, BENCH_DIR, KEEP, RUNS, TIMEOUT,
# CHG_NOW).

BENCH=range.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-bench.sh"

COMMITS=${COMMITS:-100000}
CR_COMMITS=${CR_COMMITS:-10000}
CRS=${CRS:-2000}
PUSH=${PUSH:-100}

repo=$(bench_repo "$COMMITS" "$CR_COMMITS" "$CRS")
# HEAD~PUSH..HEAD follows first parents; say how many commits it holds
n=$(git -C "$repo" rev-list --count "HEAD~$PUSH..HEAD")
touching=$(git -C "$repo" rev-list --count "HEAD~$PUSH..HEAD" -- changes/)
echo "range HEAD~$PUSH..HEAD: $n commits, $touching touching changes/"
echo "timing, best of $RUNS, timeout ${TIMEOUT}s per run"

range_t='' lint_t=''	# set by bench_time
bench_time range "$CHG_LINT" -C "$repo" --range "HEAD~$PUSH..HEAD"
bench_time lint "$CHG_LINT" -C "$repo"

bench_header
bench_limit_row "chg-lint --range HEAD~$PUSH..HEAD ($COMMITS)" "$range_t" s 5
bench_ratio_row "--range vs chg-lint at HEAD ($COMMITS)" "$range_t" "$lint_t" 2
