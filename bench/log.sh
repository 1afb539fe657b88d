#!/bin/sh
# log.sh - how long `chg log` takes next to `git log` on the same history.
#
# Usage: sh bench/log.sh
#
# Builds a synthetic change repository with bench/gen-repo.sh (COMMITS
# commits, default 100000, of which CR_COMMITS, default 10000, are about
# the CRS change requests, default 2000), then times, best of RUNS (default
# 3) each,
#
#	chg log --format jsonl >/dev/null
#	git log --name-only -- changes/ >/dev/null
#
# and prints both times and their ratio.  The goal: chg within 2x of git.
# For a quick run: COMMITS=10000 CR_COMMITS=1000 CRS=200 sh bench/log.sh
#
# SIZE=enhancements makes the defaults those of a history the size of
# kubernetes/enhancements (in 2026: 11,284 commits, of which 6,566 not
# merges touch keps/, about 720 KEP files over the history): COMMITS=11300
# CR_COMMITS=6600 CRS=720.  (Its merges of pull requests are not modelled:
# gen-repo.sh merges one commit in 500.)
#
# Environment: CHG (the binary; default $CHG_BUILD_DIR/chg, else
# ./build/chg), BENCH_DIR (where the repository is made, kept when given;
# an existing repository there is reused; default a temporary directory,
# removed afterwards), SIZE, COMMITS, CR_COMMITS, CRS, RUNS.  Needs Perl (for the
# generator and the clock).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
CHG=${CHG:-"${CHG_BUILD_DIR:-$(pwd)/build}/chg"}
case ${SIZE:-} in
'') ;;
enhancements)
	COMMITS=${COMMITS:-11300}
	CR_COMMITS=${CR_COMMITS:-6600}
	CRS=${CRS:-720} ;;
*) echo "log.sh: unknown SIZE '$SIZE' (known: enhancements)" >&2; exit 2 ;;
esac
COMMITS=${COMMITS:-100000}
CR_COMMITS=${CR_COMMITS:-10000}
CRS=${CRS:-2000}
RUNS=${RUNS:-3}

[ -x "$CHG" ] || { echo "log.sh: cannot run '$CHG': build chg first or set CHG" >&2; exit 1; }

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES CHG_NOW
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL

if [ -n "${BENCH_DIR:-}" ]; then
	repo=$BENCH_DIR
	tmp=
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
	repo=$tmp/repo
fi

if [ -d "$repo/.git" ]; then
	echo "reusing $repo"
else
	echo "generating $COMMITS commits ($CR_COMMITS about $CRS change requests) in $repo"
	sh "$here/gen-repo.sh" "$repo" "$COMMITS" "$CR_COMMITS" "$CRS"
fi

# best COMMAND...: runs COMMAND (output to /dev/null) RUNS times and prints
# the shortest wall-clock time in seconds.
best() {
	perl -MTime::HiRes=time -e '
		my ($runs, @cmd) = @ARGV;
		my $best;
		for (1 .. $runs) {
			my $t = time;
			open(my $null, ">", "/dev/null") or die;
			my $pid = fork // die;
			if (!$pid) { open(STDOUT, ">&", $null); exec(@cmd) or exit 127; }
			waitpid($pid, 0);
			die "$cmd[0] failed: $?\n" if $?;
			$t = time - $t;
			$best = $t if !defined $best || $t < $best;
		}
		printf "%.3f\n", $best;' "$RUNS" "$@"
}

commits=$(git -C "$repo" rev-list --count HEAD)
events=$("$CHG" -C "$repo" log --format jsonl | wc -l)
touching=$(git -C "$repo" log --format=%H -- changes/ | wc -l)
echo "history: $commits commits, $touching touching changes/, $events events"

chg_t=$(best "$CHG" -C "$repo" log --format jsonl)
git_t=$(best git -C "$repo" log --name-only -- changes/)
echo "chg log --format jsonl:           ${chg_t}s (best of $RUNS)"
echo "git log --name-only -- changes/:  ${git_t}s (best of $RUNS)"
perl -e 'printf "ratio chg/git: %.2f\n", $ARGV[0] / $ARGV[1]' "$chg_t" "$git_t"
