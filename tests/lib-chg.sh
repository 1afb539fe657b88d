# Shared setup for chg's shell tests (tests/tNNNN-area-what.sh).
#
# A test sets test_description, sources this file, and then uses sharness
# (test_expect_success, test_cmp, ...).  Each test runs in its own scratch
# directory under $CHG_BUILD_DIR/tests, with chg and chg-lint on PATH and
# git isolated from the user's configuration.  'make check' sets
# CHG_BUILD_DIR.

if test -z "$CHG_BUILD_DIR"; then
	echo "CHG_BUILD_DIR is not set: run the tests with 'make check'" >&2
	exit 1
fi
CHG_SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
SHARNESS_TEST_DIRECTORY="$CHG_BUILD_DIR/tests"
SHARNESS_TEST_SRCDIR="$CHG_SRC_DIR/tests"
SHARNESS_BUILD_DIRECTORY="$CHG_BUILD_DIR"
export CHG_SRC_DIR SHARNESS_TEST_DIRECTORY SHARNESS_TEST_SRCDIR SHARNESS_BUILD_DIRECTORY
mkdir -p "$SHARNESS_TEST_DIRECTORY"

. /usr/share/sharness/sharness.sh

# git: no user or system configuration, fixed identities and dates.
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_AUTHOR_NAME="Jane Doe"
GIT_AUTHOR_EMAIL="jane@example.com"
GIT_COMMITTER_NAME="Jane Doe"
GIT_COMMITTER_EMAIL="jane@example.com"
GIT_AUTHOR_DATE="2026-11-02T09:00:00Z"
GIT_COMMITTER_DATE="2026-11-02T09:00:00Z"
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
GIT_CEILING_DIRECTORIES="$SHARNESS_TEST_DIRECTORY"
export GIT_CEILING_DIRECTORIES
unset CHG_NOW
# chg-lint's default format follows GitHub Actions: tests that run on a
# runner see what they see elsewhere.
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY
CHG_TEST_NOW="2026-11-20T12:00:00Z"
export CHG_TEST_NOW

# chg_repo DIR: a fresh repository with an empty changes/ directory and a
# policy whose approvals need no signature, groups cab (alice, carol) and
# managers (dave).
chg_repo () {
	git init -q -b main "$1" &&
	mkdir -p "$1/changes" "$1/.chg" &&
	cat >"$1/.chg/policy.yaml" <<-\EOP
	version: 1
	extends: default
	approvals:
	  require-signature: false
	  groups:
	    cab: [alice@example.com, carol@example.com]
	    managers: [dave@example.com]
	    emergency: [alice@example.com]
	EOP
}

# chg_normal_cr ID [STATE]: prints a complete, valid normal change request
# of medium risk (score 11) in STATE (default requested).
chg_normal_cr () {
	cat <<-EOF
	id: $1
	title: Rotate the TLS certificate of api.example.com
	type: normal
	state: ${2:-requested}
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

# chg_commit AUTHOR_NAME AUTHOR_EMAIL MESSAGE: commits everything in the
# current repository as that person (author and committer).
chg_commit () {
	git add -A &&
	GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL="$2" \
	GIT_COMMITTER_NAME="$1" GIT_COMMITTER_EMAIL="$2" \
	git commit -q --allow-empty -m "$3"
}

# chg_approve ID NAME EMAIL [DIGEST]: an empty approval commit by that
# person for ID, with the change's current digest unless DIGEST is given.
chg_approve () {
	_d=${4:-$(chg digest "$1")} &&
	GIT_AUTHOR_NAME="$2" GIT_AUTHOR_EMAIL="$3" \
	GIT_COMMITTER_NAME="$2" GIT_COMMITTER_EMAIL="$3" \
	git commit -q --allow-empty -m "Approve $1" -m "Change-Request: $1
Change-Digest: $_d
Approved-by: $2 <$3>"
}

# chg_lint_status EXPECTED ARGS...: runs chg-lint with ARGS (and --now
# $CHG_TEST_NOW), its output in 'actual', and checks the exit status.
chg_lint_status () {
	_want=$1
	shift
	chg-lint --now "$CHG_TEST_NOW" "$@" >actual 2>stderr
	_got=$?
	if test "$_got" != "$_want"; then
		echo "chg-lint exited $_got, expected $_want" >&2
		cat actual stderr >&2
		return 1
	fi
}

# chg_views_agree: in every repository of the test's directory, the history
# at each commit read as a view of one walk (chg_history_at), and as a view
# of each change request (chg_history_at_ids), is what a walk of its own
# gives (tests/unit/history-check); fails naming the first repository
# where they differ, and when no view of either kind was used at all.
chg_views_agree () {
	_views=0 _focused=0
	for _d in */; do
		_d=${_d%/}
		git -C "$_d" rev-parse -q --verify HEAD >/dev/null 2>&1 || continue
		"$CHG_BUILD_DIR/tests/unit/history-check" "$_d" >views.out || {
			echo "history views differ from walks in $_d:" >&2
			cat views.out >&2
			return 1
		}
		_views=$((_views + $(sed -n 's/^[0-9]* commits, \([0-9]*\) views, .*/\1/p' views.out)))
		_focused=$((_focused + $(sed -n 's/.* views, \([0-9]*\) focused views$/\1/p' views.out)))
	done
	test "$_views" -gt 0 && test "$_focused" -gt 0
}

# at DATE COMMAND...: runs COMMAND with DATE as author and committer date.
at () {
	_d=$1
	shift
	GIT_AUTHOR_DATE=$_d GIT_COMMITTER_DATE=$_d "$@"
}

# edit FILE SED-SCRIPT: edits FILE in place.
edit () {
	sed -e "$2" "$1" >"$1.new" && mv "$1.new" "$1"
}

# expand_tags: stdin to stdout with each {TAG} replaced by the first 7 hex
# digits of that tag's commit in repository r.
expand_tags () {
	git -C r tag | while read -r t; do
		printf 's/{%s}/%s/g\n' "$t" "$(git -C r rev-parse "$t^{commit}" | cut -c1-7)"
	done >expand.sed &&
	sed -f expand.sed
}

# short DIR [REV]: the 7-digit short id of REV (default HEAD) in DIR.
short () {
	git -C "$1" rev-parse "${2:-HEAD}" | cut -c1-7
}

# allowed NAME PRINCIPALS: an allowed_signers line for NAME.key.
allowed () {
	printf '%s %s\n' "$2" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# by KEY NAME EMAIL COMMAND...: runs COMMAND as author and committer
# NAME <EMAIL>, git signing with KEY.key.
by () {
	_key=$1 _name=$2 _email=$3 &&
	shift 3 &&
	GIT_AUTHOR_NAME="$_name" GIT_AUTHOR_EMAIL="$_email" \
	GIT_COMMITTER_NAME="$_name" GIT_COMMITTER_EMAIL="$_email" \
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.signingKey \
	GIT_CONFIG_VALUE_0="$PWD/$_key.key" "$@"
}
