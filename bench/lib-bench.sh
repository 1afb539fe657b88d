# lib-bench.sh - what the benchmark scripts share; sourced, not run.
#
# A script sets BENCH (its name) and sources this file, which checks the
# binaries, sets up a clean git environment and a scratch directory, and
# defines:
#
#	bench_repo COMMITS CR_COMMITS CRS
#		prints the path of a repository made by gen-repo.sh with
#		these sizes (generated unless BENCH_DIR already holds it)
#	bench_time NAME COMMAND...
#		runs COMMAND RUNS times (output to /dev/null, each run under
#		`timeout TIMEOUT`) and sets NAME_t to the best wall-clock time
#		in seconds, or to "timeout" or "failed"; NAME_rss to the
#		highest peak RSS in MB ("n/a" without GNU time)
#	bench_header, bench_row WHAT CHG BASE RATIO TARGET MET
#		the table
#	bench_ratio_row WHAT CHG_T BASE_T MAX
#		a row comparing two times against the target CHG <= MAX x BASE
#	bench_limit_row WHAT VALUE UNIT MAX
#		a row for an absolute target VALUE <= MAX
#	bench_yaml_parse
#		builds bench/yaml-parse.c into the scratch directory and
#		prints the path of the program
#
# Environment (every script): CHG_BUILD_DIR (default ./build), CHG and
# CHG_LINT (the binaries; default in CHG_BUILD_DIR), BENCH_DIR (keep the
# generated repositories there, as gen-COMMITS-CR_COMMITS-CRS, and reuse
# them on the next run; default a temporary directory), KEEP=1 (do not
# remove the temporary directory), RUNS (best of, default 3; a command
# that timed out is not run again), TIMEOUT (seconds per run, default
# 600), CHG_NOW (the clock for time rules; default 2026-12-01T00:00:00Z so
# that the work done does not depend on the day).
#
# Needs Perl (the generator and the clock), coreutils' timeout, and for
# peak RSS GNU time as /usr/bin/time (Debian: apt-get install time).

set -eu

bench_here=${bench_here:-$(cd "$(dirname "$0")" && pwd)}
CHG_BUILD_DIR=${CHG_BUILD_DIR:-$(pwd)/build}
CHG=${CHG:-$CHG_BUILD_DIR/chg}
CHG_LINT=${CHG_LINT:-$CHG_BUILD_DIR/chg-lint}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-600}
CHG_NOW=${CHG_NOW:-2026-12-01T00:00:00Z}
export CHG_NOW

for b in "$CHG" "$CHG_LINT"; do
	[ -x "$b" ] || {
		echo "$BENCH: cannot run '$b': run make first or set CHG_BUILD_DIR" >&2
		exit 1
	}
done
command -v timeout >/dev/null || { echo "$BENCH: coreutils timeout is needed" >&2; exit 1; }
perl -MTime::HiRes=time -e 1 || { echo "$BENCH: Perl with Time::HiRes is needed" >&2; exit 1; }

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES CHG_TRUST_ROOT
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL

bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/chg-bench.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
	trap 'echo "kept $bench_tmp"' EXIT
else
	trap 'rm -rf "$bench_tmp"' EXIT
fi
trap 'exit 130' INT TERM
bench_repos=${BENCH_DIR:-$bench_tmp}
mkdir -p "$bench_repos"

# Peak RSS needs GNU time (its -f %M); busybox and shell builtins lack it.
bench_gnu_time=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$bench_tmp/rss" true 2>/dev/null; then
	bench_gnu_time=/usr/bin/time
fi

bench_repo() {
	bench_r=$bench_repos/gen-$1-$2-$3
	if [ -d "$bench_r/.git" ]; then
		echo "reusing $bench_r" >&2
	else
		echo "generating $1 commits ($2 about $3 change requests) in $bench_r" >&2
		sh "$bench_here/gen-repo.sh" "$bench_r" "$1" "$2" "$3" >&2
	fi
	echo "$bench_r"
}

bench_time() {
	bench_n=$1
	shift
	bench_out=$(perl -MTime::HiRes=time -e '
		my ($runs, $timeout, $gnutime, $rssfile, @cmd) = @ARGV;
		my ($best, $rss, $status) = (undef, undef, "ok");
		unshift @cmd, $gnutime, "-f", "%M", "-o", $rssfile if $gnutime;
		unshift @cmd, "timeout", $timeout;
		for (1 .. $runs) {
			my $t = time;
			my $pid = fork // die "fork: $!\n";
			if (!$pid) {
				open(STDOUT, ">", "/dev/null") or die;
				open(STDERR, ">", "/dev/null") or die;
				exec(@cmd) or exit 127;
			}
			waitpid($pid, 0);
			$t = time - $t;
			my $rc = $? >> 8;
			if ($rc == 124) { $status = "timeout"; last; }
			# 0: clean; 1: findings; anything else: it could not run
			if ($? & 127 || $rc > 1) { $status = "failed"; last; }
			$best = $t if !defined $best || $t < $best;
			if ($gnutime && open(my $f, "<", $rssfile)) {
				my @l = <$f>;
				my $kb = $l[-1] // 0;   # the last line: %M, in KiB
				chomp $kb;
				$rss = $kb if $kb =~ /^\d+$/ && (!defined $rss || $kb > $rss);
			}
		}
		my $tt = $status ne "ok" ? $status : sprintf("%.3f", $best);
		my $mb = defined $rss ? sprintf("%.1f", $rss / 1024) : "n/a";
		print "$tt $mb\n";' "$RUNS" "$TIMEOUT" "$bench_gnu_time" "$bench_tmp/rss" "$@")
	eval "${bench_n}_t=\${bench_out% *}; ${bench_n}_rss=\${bench_out#* }"
	case ${bench_out% *} in
	failed) echo "$BENCH: failed: $*" >&2 ;;
	timeout) echo "$BENCH: timed out after ${TIMEOUT}s: $*" >&2 ;;
	esac
}

bench_header() {
	printf '\n%-44s %11s %11s %8s %9s  %s\n' what chg baseline ratio target met
}

bench_row() {
	printf '%-44s %11s %11s %8s %9s  %s\n' "$@"
}

# shows a time: seconds, or what went wrong
bench_fmt() {
	case $1 in
	timeout) echo ">${TIMEOUT}s" ;;
	failed) echo failed ;;
	*) echo "${1}s" ;;
	esac
}

bench_ratio_row() {
	bench_x=$(perl -e '
		my ($c, $b, $max, $to) = @ARGV;
		my $num = sub { $_[0] =~ /^[\d.]+$/ };
		if ($num->($c) && $num->($b) && $b > 0) {
			my $r = $c / $b;
			printf "%.2f %s\n", $r, $r <= $max ? "met" : "not met";
		} elsif ($c eq "timeout" && $num->($b) && $b > 0) {
			# it took longer than the timeout: a lower bound
			printf ">%.1f %s\n", $to / $b, $to / $b > $max ? "not met" : "unknown";
		} else {
			print "n/a unknown\n";
		}' "$2" "$3" "$4" "$TIMEOUT")
	bench_row "$1" "$(bench_fmt "$2")" "$(bench_fmt "$3")" \
		"${bench_x%% *}" "<= ${4}x" "${bench_x#* }"
}

bench_limit_row() {
	bench_x=$(perl -e '
		my ($v, $max, $to, $unit) = @ARGV;
		if ($v =~ /^[\d.]+$/) { print $v <= $max ? "met" : "not met" }
		elsif ($v eq "timeout" && $unit eq "s") { print $to > $max ? "not met" : "unknown" }
		else { print "unknown" }' "$2" "$4" "$TIMEOUT" "$3")
	case $2 in
	timeout|failed) bench_v=$(bench_fmt "$2") ;;
	*) bench_v="$2$3" ;;
	esac
	bench_row "$1" "$bench_v" - - "<= $4$3" "$bench_x"
}

bench_yaml_parse() {
	if [ ! -x "$bench_tmp/yaml-parse" ]; then
		# shellcheck disable=SC2046 # the flags are words
		cc -O2 -o "$bench_tmp/yaml-parse" "$bench_here/yaml-parse.c" \
			$(pkg-config --cflags --libs yaml-0.1) >&2
	fi
	echo "$bench_tmp/yaml-parse"
}
