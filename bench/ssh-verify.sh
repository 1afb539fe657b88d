#!/bin/sh
# ssh-verify.sh - how long chg-lint takes to verify SSH-signed approvals,
# next to `git log --show-signature` over the same commits.
#
# Usage: sh bench/ssh-verify.sh
#
# Builds a change repository whose policy requires signed approvals, with N
# (default 2000) change requests, each approved by one SSH-signed empty
# commit (git commit -S, gpg.format ssh) by one of four approvers whose
# keys (KEYTYPE, default ed25519: ed25519, ecdsa or rsa) are in
# .chg/allowed_signers.  Then times, best of RUNS (default 3) each,
#
#	chg-lint --now ...                  (every approval verified)
#	chg-lint --now ... --policy P       (P: the policy, signatures not
#	                                     required: all the rest of the work)
#	git log --show-signature            (gpg.ssh.allowedSignersFile set)
#
# checks that chg-lint finds nothing (every signature verified good) and
# that git verified N signatures, and prints the times, chg-lint's ratio to
# git and what verifying the signatures costs (the difference of the two
# chg-lint runs).  The goal: chg-lint in at most 1/20 of git's time.  To compare with
# another build, set CHG_LINT.  Making the repository signs N commits and
# takes a while; BENCH_DIR keeps it for the next run.
#
# Environment: CHG_LINT and CHG (the binaries; default
# $CHG_BUILD_DIR/chg-lint, else ./build/chg-lint, and chg next to it),
# BENCH_DIR (where the repository is made, kept when given; an existing
# one is reused; default a temporary directory, removed afterwards), N,
# KEYTYPE, RUNS.  Needs ssh-keygen and Perl (for the clock).

set -eu

CHG_LINT=${CHG_LINT:-"${CHG_BUILD_DIR:-$(pwd)/build}/chg-lint"}
CHG=${CHG:-"$(dirname "$CHG_LINT")/chg"}
N=${N:-2000}
KEYTYPE=${KEYTYPE:-ed25519}
RUNS=${RUNS:-3}
NOW=2026-11-20T12:00:00Z

[ -x "$CHG_LINT" ] || { echo "ssh-verify.sh: cannot run '$CHG_LINT': build chg first or set CHG_LINT" >&2; exit 1; }
[ -x "$CHG" ] || { echo "ssh-verify.sh: cannot run '$CHG': set CHG" >&2; exit 1; }
case $N in
''|*[!0-9]*) echo "ssh-verify.sh: N '$N' is not a number" >&2; exit 2 ;;
esac

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES CHG_NOW SSH_AUTH_SOCK
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL

if [ -n "${BENCH_DIR:-}" ]; then
	work=$BENCH_DIR
	tmp=
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
	work=$tmp
fi
repo=$work/repo
keys=$work/keys

# cr ID: a valid normal change request of medium risk, approved.
cr() {
	cat <<-EOF
	id: $1
	title: Rotate the TLS certificate of api.example.com
	type: normal
	state: approved
	requested-by: Jane Doe <jane@example.com>
	owner: Bob Ops <bob@example.com>
	reason: |
	  The current certificate expires on 2026-12-15.
	description: |
	  Replace the certificate on both load balancers.
	systems: [lb-01, lb-02]
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
}

generate() {
	mkdir -p "$keys"
	git init -q -b main "$repo"
	mkdir -p "$repo/changes" "$repo/.chg"
	cat >"$repo/.chg/policy.yaml" <<-\EOP
	version: 1
	extends: default
	approvals:
	  groups:
	    cab: [alice@example.com, carol@example.com]
	    managers: [dave@example.com, erin@example.com]
	    emergency: [alice@example.com]
	  trust: {required: 0}
	EOP
	for who in alice carol dave erin; do
		ssh-keygen -q -t "$KEYTYPE" -N "" -C "$who" -f "$keys/$who.key"
		printf '%s@example.com %s\n' "$who" "$(cut -d" " -f1,2 "$keys/$who.key.pub")"
	done >"$repo/.chg/allowed_signers"
	i=1
	while [ "$i" -le "$N" ]; do
		id=$(printf 'CHG-%04d' "$i")
		cr "$id" >"$repo/changes/$id.yaml"
		i=$((i + 1))
	done
	GIT_AUTHOR_DATE=2026-11-02T09:00:00Z GIT_COMMITTER_DATE=2026-11-02T09:00:00Z \
	GIT_AUTHOR_NAME="Jane Doe" GIT_AUTHOR_EMAIL=jane@example.com \
	GIT_COMMITTER_NAME="Jane Doe" GIT_COMMITTER_EMAIL=jane@example.com \
		sh -c 'cd "$1" && git add -A && git commit -q -m "Request $2 changes"' sh "$repo" "$N"
	i=1
	while [ "$i" -le "$N" ]; do
		id=$(printf 'CHG-%04d' "$i")
		case $((i % 4)) in
		0) who=alice ;; 1) who=carol ;; 2) who=dave ;; *) who=erin ;;
		esac
		digest=$("$CHG" -C "$repo" digest "$id")
		GIT_AUTHOR_DATE=2026-11-02T10:00:00Z GIT_COMMITTER_DATE=2026-11-02T10:00:00Z \
		GIT_AUTHOR_NAME="$who" GIT_AUTHOR_EMAIL="$who@example.com" \
		GIT_COMMITTER_NAME="$who" GIT_COMMITTER_EMAIL="$who@example.com" \
			git -C "$repo" -c gpg.format=ssh -c user.signingkey="$keys/$who.key" \
			commit -q -S --allow-empty -m "Approve $id" -m "Change-Request: $id
Change-Digest: $digest
Approved-by: $who <$who@example.com>"
		i=$((i + 1))
	done
	# as a repository that has lived a while is
	git -C "$repo" gc -q
}

if [ -d "$repo/.git" ]; then
	echo "reusing $repo"
else
	echo "generating $N SSH-signed ($KEYTYPE) approvals in $repo"
	generate
fi
git -C "$repo" config gpg.ssh.allowedSignersFile "$repo/.chg/allowed_signers"

# best COMMAND...: runs COMMAND (output to /dev/null) RUNS times and prints
# the shortest wall-clock time and the shortest CPU time (user and system,
# its child processes included: on a busy machine the fairer measure), in
# seconds; a failure stops the benchmark.
best() {
	perl -MTime::HiRes=time -e '
		my ($runs, @cmd) = @ARGV;
		my ($best, $cpu);
		for (1 .. $runs) {
			my $t = time;
			my @c0 = times;
			open(my $null, ">", "/dev/null") or die;
			my $pid = fork // die;
			if (!$pid) { open(STDOUT, ">&", $null); open(STDERR, ">&", $null); exec(@cmd) or exit 127; }
			waitpid($pid, 0);
			die "$cmd[0] failed: $?\n" if $?;
			$t = time - $t;
			my @c1 = times;
			my $c = $c1[2] + $c1[3] - $c0[2] - $c0[3];
			$best = $t if !defined $best || $t < $best;
			$cpu = $c if !defined $cpu || $c < $cpu;
		}
		printf "%.3f %.3f\n", $best, $cpu;' "$RUNS" "$@"
}

signed=$(git -C "$repo" log --format=%G? | grep -c '^G' || true)
findings=$("$CHG_LINT" -C "$repo" --now "$NOW" 2>&1 | wc -l)
if [ "$signed" -ne "$N" ] || [ "$findings" -ne 0 ]; then
	echo "ssh-verify.sh: expected $N good signatures and no findings; git: $signed, chg-lint: $findings lines" >&2
	"$CHG_LINT" -C "$repo" --now "$NOW" 2>&1 | head -5 >&2
	exit 1
fi
echo "history: $N approvals signed with $KEYTYPE keys, all good for git and chg-lint"

# the same policy, signatures not required: what chg-lint does besides
# verifying them
git -C "$repo" show HEAD:.chg/policy.yaml |
	sed 's/^approvals:$/approvals:\n  require-signature: false/' >"$work/unsigned-policy.yaml"
grep -q "require-signature: false" "$work/unsigned-policy.yaml"

set -- $(best "$CHG_LINT" -C "$repo" --now "$NOW")
chg_t=$1 chg_c=$2
set -- $(best "$CHG_LINT" -C "$repo" --now "$NOW" --policy "$work/unsigned-policy.yaml")
base_t=$1 base_c=$2
set -- $(best git -C "$repo" log --show-signature)
git_t=$1 git_c=$2
echo "                                     wall clock   CPU"
printf '%-36s %8s s %8s s\n' "chg-lint" "$chg_t" "$chg_c" \
	"chg-lint, signatures not required" "$base_t" "$base_c" \
	"git log --show-signature" "$git_t" "$git_c"
perl -e 'my ($ct, $cc, $bt, $bc, $gt, $gc) = @ARGV;
	my $max = sub { $_[0] > 0.001 ? $_[0] : 0.001 };
	printf "chg-lint / git: %.3f wall clock (1/%.1f), %.3f CPU (1/%.1f); goal: at most 1/20\n",
		$ct / $gt, $gt / $max->($ct), $cc / $gc, $gc / $max->($cc);
	printf "verifying the signatures (the difference): %.3f s CPU, 1/%.0f of git\x27s\n",
		$cc - $bc, $gc / $max->($cc - $bc)' \
	"$chg_t" "$chg_c" "$base_t" "$base_c" "$git_t" "$git_c"
