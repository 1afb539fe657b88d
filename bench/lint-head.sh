#!/bin/sh
# lint-head.sh - chg-lint at HEAD next to `git log` over the change
# requests, and chg-lint's peak memory.
#
# Usage: sh bench/lint-head.sh
#
# On a repository made by bench/gen-repo.sh (COMMITS commits, default
# 100000, of which CR_COMMITS, default 10000, are about CRS change
# requests, default 2000) times, best of RUNS each,
#
#	chg-lint                              (in the clean checkout of HEAD)
#	git log --name-only -- changes/       (the baseline: one walk of the
#	                                       history of the change requests)
#
# Targets: chg-lint <= 3x git log; chg-lint's peak RSS <= 200 MB.
# For a quick run: COMMITS=2000 CR_COMMITS=200 CRS=40 sh bench/lint-head.sh
#
# Environment: COMMITS, CR_COMMITS, CRS, and those of bench/lib-bench.sh
# (CHG_BUILD_DIR, BENCH_DIR, KEEP, RUNS, TIMEOUT, CHG_NOW).  Peak RSS
# needs GNU time as /usr/bin/time (Debian: apt-get install time).

BENCH=lint-head.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-bench.sh"

COMMITS=${COMMITS:-100000}
CR_COMMITS=${CR_COMMITS:-10000}
CRS=${CRS:-2000}

repo=$(bench_repo "$COMMITS" "$CR_COMMITS" "$CRS")
echo "timing, best of $RUNS, timeout ${TIMEOUT}s per run"

lint_t='' lint_rss='' git_t=''	# set by bench_time
bench_time lint "$CHG_LINT" -C "$repo"
bench_time git git -C "$repo" log --name-only -- changes/

bench_header
bench_ratio_row "chg-lint vs git log -- changes/ ($COMMITS)" "$lint_t" "$git_t" 3
bench_limit_row "chg-lint peak RSS ($COMMITS)" "$lint_rss" MB 200
