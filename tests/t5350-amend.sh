#!/bin/sh

test_description='amending an approved change: revert or edit on a branch, approvals of the new content, merged with a merge commit and pushed through pre-receive'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
CR=changes/CHG-0001.yaml

# allowed NAME PRINCIPAL: an allowed_signers line for NAME.key.
allowed () {
	printf '%s %s\n' "$2" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# short [REV]: the 7-digit short id of REV (default HEAD) in work/.
short () {
	git -C work rev-parse --short=7 "${1:-HEAD}"
}

# commit MESSAGE: commits everything in work/ as Jane Doe, the requester.
commit () {
	(cd work && chg_commit "Jane Doe" jane@example.com "$1")
}

# set_field FIELD VALUE: sets a top-level field of CHG-0001 in work/.
set_field () {
	sed -i "s/^$1: .*/$1: $2/" "work/$CR"
}

# new_rollback TEXT: replaces the rollback plan of CHG-0001 in work/.
new_rollback () {
	sed -i "/^rollback-plan: |/{n;s/.*/  $1/;}" "work/$CR"
}

# approve NAME EMAIL KEY: a signed approval of CHG-0001's content in
# work/ by NAME <EMAIL>, made with KEY.key; prints its short id.
approve () {
	printf "Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
		"$(chg -C work digest CHG-0001)" "$1" "$2" >msg &&
	git -C work add -A &&
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$2 \
	git -C work -c gpg.format=ssh -c user.signingkey="$PWD/$3.key" \
		commit -q -S --allow-empty -F "$PWD/msg" &&
	short
}

# cab_approves: Alice and Carol (cab) approve CHG-0001 as it is.
cab_approves () {
	approve Alice alice@example.com alice >/dev/null &&
	approve Carol carol@example.com carol >/dev/null
}

# merge BRANCH: merges BRANCH into main in work/ with a merge commit.
merge () {
	git -C work checkout -q main &&
	git -C work merge -q --no-ff -m "Merge $1" "$1"
}

# push_fails: 'git push origin main' from work/ is refused and changes
# nothing on the server; the hook's lines are in remote.
push_fails () {
	git -C server.git rev-parse main >before &&
	test_must_fail git -C work push origin main 2>err &&
	sed -n "s/^remote: //p" err | sed -e "s/ *$//" >remote &&
	git -C server.git rev-parse main >after &&
	test_cmp before after
}

# push_ok: 'git push origin main' from work/ is accepted.
push_ok () {
	git -C work push origin main 2>err &&
	git -C work rev-parse main >expect &&
	git -C server.git rev-parse main >actual &&
	test_cmp expect actual
}

# start BRANCH: a branch of main, in sync with the server.
start () {
	git -C work checkout -q main &&
	git -C work reset -q --hard origin/main &&
	git -C work checkout -q -B "$1"
}

test_expect_success 'setup: CHG-0001 approved by two CAB members, signed, on the server' '
	for who in alice carol
	do
		ssh-keygen -q -t ed25519 -N "" -C "$who" -f $who.key || return 1
	done &&
	git init -q --bare -b main server.git &&
	cp "$CHG_SRC_DIR/hooks/pre-receive" server.git/hooks/pre-receive &&
	chg_repo work &&
	sed -i -e "/require-signature/d" work/.chg/policy.yaml &&
	{ allowed alice alice@example.com && allowed carol carol@example.com; } \
		>work/.chg/allowed_signers &&
	chg_normal_cr CHG-0001 requested |
		sed -e "s/^  level: medium/  level: high/" >work/$CR &&
	echo "rollback-tested: true" >>work/$CR &&
	commit "Request CHG-0001" &&
	cab_approves &&
	set_field state approved &&
	commit "CHG-0001: approved" &&
	git -C work remote add origin "$PWD/server.git" &&
	push_ok &&
	git -C work fetch -q origin &&
	chg_lint_status 0 -C work &&
	test_must_be_empty actual
'

test_expect_success 'the revert: approved back to requested is a legal step' '
	start revert-only &&
	set_field state requested &&
	chg_lint_status 0 -C work &&
	test_must_be_empty actual
'

test_expect_success '(a) revert, edit, two approvals, approved again, merged: accepted' '
	start amend-a &&
	set_field state requested &&
	commit "CHG-0001: back to requested, to amend it" &&
	new_rollback "Restore the old certificate from the vault." &&
	commit "CHG-0001: a better rollback plan" &&
	cab_approves &&
	set_field state approved &&
	commit "CHG-0001: approved again" &&
	merge amend-a &&
	push_ok
'

test_expect_success '(b) edit while approved, two approvals, merged: accepted' '
	start amend-b &&
	new_rollback "Restore the certificate of the day before from the vault." &&
	commit "CHG-0001: rollback from the vault" &&
	chg_lint_status 1 -C work --rev HEAD &&
	grep "CHG-0001 is approved but 0 of the 2 required approvals counted" actual &&
	cab_approves &&
	merge amend-b &&
	push_ok
'

test_expect_success 'the same edit without new approvals: refused at the tip, naming the stale approvals' '
	start amend-c &&
	git -C work log --format=%h -2 --grep "^Approve CHG-0001" >approvals &&
	new_rollback "Reinstall the old certificate by hand." &&
	commit "CHG-0001: rollback by hand" &&
	merge amend-c &&
	push_fails &&
	grep "^changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 2 required approvals counted (from cab): " remote >missing &&
	for a in $(cat approvals)
	do
		grep "$a stale-approval" missing || return 1
	done &&
	! grep "in [0-9a-f]*: CHG-0001 is approved" remote &&
	grep "^pre-receive: rejecting refs/heads/main" remote
'

test_expect_success 'approved again before the approvals exist: refused at that commit' '
	start amend-d &&
	set_field state requested &&
	commit "CHG-0001: back to requested" &&
	new_rollback "Let the vault roll it back." &&
	commit "CHG-0001: vault rollback" &&
	set_field state approved &&
	commit "CHG-0001: approved, too early" &&
	early=$(short) &&
	cab_approves &&
	chg_lint_status 0 -C work &&
	merge amend-d &&
	push_fails &&
	grep "^changes/CHG-0001.yaml:4:8: error: in $early: CHG-0001 is approved but 0 of the 2 required approvals counted (from cab)" remote &&
	grep "^pre-receive: rejecting refs/heads/main" remote
'

# The approvals that count for CHG-0001 at origin/main after both amends:
# the last two, of its current content.
test_expect_success 'after the amends: chg show counts the approvals of the new content' '
	start main &&
	git -C work log --format="%h %ae" -2 --grep "^Approve CHG-0001" | sort >expect.counted &&
	test $(wc -l <expect.counted) = 2 &&
	chg -C work show CHG-0001 >show &&
	grep "^approvals: 2 of 2 counted (from cab" show &&
	sed -n "s/^  counted  *\([0-9a-f]*\)  *\([^ ]*\)\$/\1 \2/p" show | sort >show.counted &&
	test_cmp expect.counted show.counted
'

test_expect_success 'chg report names the approvers chg show counts' '
	chg -C work report --month 2026-12 >report &&
	grep -F -x -e "- Approved by: Alice \\<alice@example.com\\>; Carol \\<carol@example.com\\>" report
'

# chg log tells each approval's verdict when it was made, and on each edit
# which approvals it made stale: those are the ones chg show calls stale,
# at the commits show names, and the rest are the ones show counts.
test_expect_success 'chg log marks stale, at the same edits, the approvals chg show calls stale' '
	sed -n "s/^  stale  *\([0-9a-f]*\)  *\([^:]*\): approved .*; the change was edited in \([0-9a-f]*\)\$/\3 \2 \1/p" show |
		sort >show.stale &&
	test $(wc -l <show.stale) = 4 &&
	chg -C work log CHG-0001 >log &&
	cat >stale.awk <<-\EOF &&
	$6 == "updated" && /makes approvals by .* stale$/ {
		line = $0
		sub(/.*makes approvals by /, "", line)
		sub(/ stale$/, "", line)
		n = split(line, made, ", ")
		for (i = 1; i <= n; i++) {
			split(made[i], w, " ")
			gsub(/[()]/, "", w[2])
			print $4, w[1], w[2]
		}
	}
	EOF
	awk -f stale.awk log | sort >log.stale &&
	test_cmp show.stale log.stale &&
	awk "\$6 == \"approved\" { print \$4, \$8 }" log | sort >log.approvals &&
	cut -d" " -f3 show.stale >stale.ids &&
	grep -v -F -f stale.ids log.approvals >log.current &&
	test_cmp show.counted log.current
'

test_done
