#!/bin/sh
# many-changes.sh - how chg-lint's time grows with the number of change
# requests in one directory.
#
# Usage: sh bench/many-changes.sh [N...]
#
# For each N (default: 1000 10000 100000) builds a scratch repository whose
# changes/ directory holds N change requests, made in a few commits: the
# policy; the first half of the requests; the second half; then one in
# ten of them cancelled.  With APPROVALS=1 each change request then gets
# an approval commit (empty, with the trailers of DESIGN section 5 naming
# a digest that is not the change's: a stale approval, judged but not
# counted), so that history has N more commits and N approvals to judge.
# It then times, best of RUNS (default 3) each,
#
#	chg-lint                the working tree against HEAD
#	chg-lint --rev HEAD     the last commit against its first parent
#	libyaml                 bench/yaml-parse.c: the bare libyaml event parse
#	                        of the same N files, doing nothing with the
#	                        events: the floor for reading N YAML files
#	yaml.safe_load          python3 parsing the same N files with libyaml
#	                        (CSafeLoader), when python3-yaml is installed
#
# and prints the times per N; for each N after the first, the ratio to the
# previous N's time next to the ratio of the N's (linear growth keeps the
# two close); and for each N chg-lint's time over the bare parse's.
# Targets: the largest N's chg-lint at most 12x the N ten times smaller,
# and at most 4x the bare libyaml parse.  Benchmarks are not tests:
# nothing here fails on time.
#
# Environment: CHG_LINT (the binary; default $CHG_BUILD_DIR/chg-lint, else
# ./build/chg-lint), BENCH_DIR (where the repositories are made, kept when
# given, and reused when they exist; default a temporary directory,
# removed afterwards), RUNS, APPROVALS.  Needs Perl (for the generator and
# the clock).

set -eu

CHG_LINT=${CHG_LINT:-"${CHG_BUILD_DIR:-$(pwd)/build}/chg-lint"}
RUNS=${RUNS:-3}
APPROVALS=${APPROVALS:-0}
NOW=2026-11-20T12:00:00Z

[ -x "$CHG_LINT" ] || {
	echo "many-changes.sh: cannot run '$CHG_LINT': build chg first or set CHG_LINT" >&2
	exit 1
}
[ $# -gt 0 ] || set -- 1000 10000 100000
for n in "$@"; do
	case $n in
	''|*[!0-9]*|0) echo "many-changes.sh: '$n' is not a positive number" >&2; exit 2 ;;
	esac
done

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES CHG_NOW
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_AUTHOR_NAME='Jane Doe'
GIT_AUTHOR_EMAIL=jane@example.com
GIT_COMMITTER_NAME='Jane Doe'
GIT_COMMITTER_EMAIL=jane@example.com
GIT_AUTHOR_DATE=2026-11-02T09:00:00Z
GIT_COMMITTER_DATE=2026-11-02T09:00:00Z
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE

if [ -n "${BENCH_DIR:-}" ]; then
	top=$BENCH_DIR
	mkdir -p "$top"
	tmp=
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
	top=$tmp
fi

have_yaml=
python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null && have_yaml=1
here=$(cd "$(dirname "$0")" && pwd)
parse=$top/yaml-parse
[ -x "$parse" ] ||
	# shellcheck disable=SC2046 # the flags are words
	cc -O2 -o "$parse" "$here/yaml-parse.c" $(pkg-config --cflags --libs yaml-0.1)

# write DIR FIRST LAST STATE: change requests CHG-FIRST..CHG-LAST in
# DIR/changes, each on its own system (no window conflicts).
write() {
	perl -e '
		my ($dir, $first, $last, $state) = @ARGV;
		for my $i ($first .. $last) {
			my $id = sprintf("CHG-%06d", $i);
			open(my $f, ">", "$dir/changes/$id.yaml") or die "$id: $!\n";
			print $f <<"EOF";
id: $id
title: Rotate the TLS certificate of app-$i
type: normal
state: $state
requested-by: Jane Doe <jane\@example.com>
owner: Bob Ops <bob\@example.com>
reason: |
  The current certificate of app-$i expires on 2026-12-15.
description: |
  Replace the certificate on app-$i.
systems: [app-$i]
impact: {users: 40, scope: team, downtime: 5m}
risk:
  level: medium
  assessment: {users-affected: 2, system-criticality: 3, security: 2, rollback-difficulty: 2, timing: 2}
window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}
implementation-plan: |
  Upload the new certificate, switch the listener, reload.
rollback-plan: |
  Switch the listener back to the old certificate.
EOF
			close($f) or die;
		}' "$@"
}

# make DIR N: the repository for N change requests.
make_repo() {
	dir=$1 n=$2
	half=$((n / 2))
	git init -q -b main "$dir"
	# no automatic gc between the commits: it would only add noise
	git -C "$dir" config gc.auto 0
	mkdir -p "$dir/changes" "$dir/.chg"
	cat >"$dir/.chg/policy.yaml" <<-\EOP
	version: 1
	extends: default
	approvals:
	  require-signature: false
	  trust: {required: 0}
	  groups:
	    cab: [alice@example.com, carol@example.com]
	    managers: [dave@example.com]
	    emergency: [alice@example.com]
	EOP
	git -C "$dir" add -A
	git -C "$dir" commit -q -m 'Set up the repository'
	write "$dir" 1 "$half" requested
	git -C "$dir" add -A
	git -C "$dir" commit -q -m 'Request the first half'
	write "$dir" $((half + 1)) "$n" requested
	git -C "$dir" add -A
	git -C "$dir" commit -q -m 'Request the second half'
	# one in ten cancelled (a state change that needs no approval)
	perl -e '
		my ($dir, $n) = @ARGV;
		for (my $i = 1; $i <= $n; $i += 10) {
			my $p = sprintf("%s/changes/CHG-%06d.yaml", $dir, $i);
			local @ARGV = ($p);
			local $^I = "";
			while (<>) { s/^state: requested$/state: cancelled/; print; }
		}' "$dir" "$n"
	git -C "$dir" add -A
	git -C "$dir" commit -q -m 'Cancel one in ten'
	[ "$APPROVALS" = 1 ] || return 0
	perl -e '
		my ($n) = @ARGV;
		my $t = 1793610000;     # 2026-11-02T09:00:00Z and on
		for my $i (1 .. $n) {
			my $id = sprintf("CHG-%06d", $i);
			my $msg = "Approve $id\n\nChange-Request: $id\n" .
				  "Change-Digest: sha256:" . ("ab" x 32) . "\n" .
				  "Approved-by: Dave Miller <dave\@example.com>\n";
			$t += 60;
			print "commit refs/heads/main\n",
			      "author Dave Miller <dave\@example.com> $t +0000\n",
			      "committer Dave Miller <dave\@example.com> $t +0000\n",
			      "data ", length($msg), "\n$msg\n";
			print "from refs/heads/main^0\n" if $i == 1;
		}' "$n" | git -C "$dir" fast-import --quiet
}

# best COMMAND...: runs COMMAND (output and errors to /dev/null) RUNS
# times and prints the shortest wall-clock time in seconds.  Exit status 1
# (findings) is accepted; 2 and 3 are not.
best() {
	perl -MTime::HiRes=time -e '
		my ($runs, @cmd) = @ARGV;
		my $best;
		for (1 .. $runs) {
			my $t = time;
			open(my $null, ">", "/dev/null") or die;
			my $pid = fork // die;
			if (!$pid) { open(STDOUT, ">&", $null); open(STDERR, ">&", $null); exec(@cmd) or exit 127; }
			waitpid($pid, 0);
			die "$cmd[0] failed: $?\n" if $? && $? != 256;
			$t = time - $t;
			$best = $t if !defined $best || $t < $best;
		}
		printf "%.3f\n", $best;' "$RUNS" "$@"
}

prev_n= prev_wt= prev_rev= prev_bare= prev_py=
printf '%8s %12s %14s %10s %14s %10s\n' N chg-lint 'chg-lint --rev' libyaml \
	'yaml.safe_load' 'chg/libyaml'
for n in "$@"; do
	repo=$top/repo-$n
	[ "$APPROVALS" = 1 ] && repo=$repo-approvals
	if [ ! -d "$repo/.git" ]; then
		make_repo "$repo" "$n" >&2
	fi
	wt=$(cd "$repo" && best "$CHG_LINT" --now "$NOW")
	rev=$(cd "$repo" && best "$CHG_LINT" --now "$NOW" --rev HEAD)
	bare=$(cd "$repo" && best sh -c "find changes -name '*.yaml' | '$parse'")
	py=-
	if [ -n "$have_yaml" ]; then
		py=$(cd "$repo" && best python3 -c '
import glob, yaml
for p in glob.glob("changes/*.yaml"):
    with open(p, "rb") as f:
        yaml.load(f, Loader=yaml.CSafeLoader)')
	fi
	printf '%8s %11ss %13ss %9ss %13ss %10s\n' "$n" "$wt" "$rev" "$bare" "$py" \
		"$(perl -e 'printf "%.1f", $ARGV[1] > 0 ? $ARGV[0] / $ARGV[1] : 0' "$wt" "$bare")"
	if [ -n "$prev_n" ]; then
		perl -e '
			my ($n, $pn, $wt, $pwt, $rev, $prev, $bare, $pbare, $py, $ppy) = @ARGV;
			my $r = sub { $_[1] > 0 && $_[0] ne "-" ? sprintf("%.1f", $_[0] / $_[1]) : "-" };
			printf "%8s %12s %14s %10s %14s   (N grew %.1fx)\n", "ratio",
				$r->($wt, $pwt), $r->($rev, $prev), $r->($bare, $pbare),
				$r->($py, $ppy eq "-" ? 0 : $ppy), $n / $pn;' \
			"$n" "$prev_n" "$wt" "$prev_wt" "$rev" "$prev_rev" "$bare" \
			"$prev_bare" "$py" "${prev_py:--}"
	fi
	prev_n=$n prev_wt=$wt prev_rev=$rev prev_bare=$bare prev_py=$py
done
