#!/bin/sh

test_description='chg approve refuses, changing nothing, an approval that would not count; --force records it with a warning'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
SQ="'"
CHG_NOW=$CHG_TEST_NOW
export CHG_NOW

# snapshot DIR NAME: HEAD, the index, the working tree's status and the
# reflog of DIR in NAME.
snapshot () {
	{
		git -C "$1" rev-parse HEAD &&
		git -C "$1" status --porcelain &&
		git -C "$1" diff --cached &&
		git -C "$1" diff &&
		git -C "$1" reflog
	} >"$2"
}

# refused DIR KEY NAME EMAIL [OPTION...] ID: chg approve of ID by NAME
# <EMAIL> signing with KEY.key exits 1 and changes nothing; its standard
# error is in err.
refused () {
	_dir=$1 &&
	snapshot "$_dir" before &&
	by "$2" "$3" "$4" test_expect_code 1 chg -C "$_dir" approve $5 $6 >out 2>err &&
	test_must_be_empty out &&
	snapshot "$_dir" after &&
	test_cmp before after
}

# forced DIR KEY NAME EMAIL ID: chg approve --force of ID records it, with
# a warning (in err) naming the new commit.
forced () {
	by "$2" "$3" "$4" chg -C "$1" approve --force "$5" >out 2>err &&
	echo "approved $5 in $(short "$1") (digest $(chg -C "$1" digest "$5"))" >expect &&
	test_cmp expect out &&
	grep "^chg approve: warning: .* $(short "$1") " err
}

# refuse_repo DIR: a policy that requires signatures, with cab (alice,
# carol) and managers (dave); the keys of alice, carol, dave, erin (in no
# group) and jane are trusted; CHG-0001 (approved: 1 approval from managers or
# cab) requested and committed by Jane.
refuse_repo () {
	chg_repo "$1" &&
	edit "$1/.chg/policy.yaml" "/require-signature/d" &&
	{ allowed alice alice@example.com && allowed carol carol@example.com &&
	  allowed dave dave@example.com && allowed erin erin@example.com &&
	  allowed jane jane@example.com; } \
		>"$1/.chg/allowed_signers" &&
	chg_normal_cr CHG-0001 approved >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	git -C "$1" config gpg.format ssh
}

test_expect_success 'setup: SSH keys and the repository' '
	for who in alice carol dave erin jane mallory
	do
		ssh-keygen -q -t ed25519 -N "" -C $who -f $who.key || return 1
	done &&
	refuse_repo repo &&
	chg_lint_status 1 -C repo &&
	grep "(from managers or cab) \\[missing-approval\\]\$" actual
'

test_expect_success 'an approver in no group of the matching rule is refused, naming the groups' '
	refused repo erin "Erin Example" erin@example.com CHG-0001 &&
	echo "chg approve: you (erin@example.com) are in none of the groups the matching approval rule takes approvals from (managers or cab): your approval of CHG-0001 would not count; nothing was changed (--force records it all the same)" >expect &&
	test_cmp expect err
'

test_expect_success 'a signing key not trusted for the approver is refused, saying what to add' '
	refused repo mallory "Dave Miller" dave@example.com CHG-0001 &&
	grep "^chg approve: your approval of CHG-0001 would not count: it is signed by ED25519 key SHA256:[^ ]*, which is not in .chg/allowed_signers as of HEAD $(short repo); to trust it, add the line ${SQ}dave@example.com $(cut -d" " -f1,2 mallory.key.pub)${SQ} to .chg/allowed_signers in a trust change, approved with chg approve --trust \\[unknown-signer\\]; nothing was changed (--force records it all the same)\$" err
'

test_expect_success 'the requester is refused' '
	refused repo jane "Jane Doe" jane@example.com CHG-0001 &&
	echo "chg approve: you (jane@example.com) requested CHG-0001: the policy requires separation of duties, so the requester${SQ}s approval would not count; another approver must review it" >expect &&
	test_cmp expect err
'

test_expect_success 'an approver who edited the change request is refused, naming the commit' '
	edit repo/changes/CHG-0001.yaml "s/^  Switch the listener back/  Switch both listeners back/" &&
	(cd repo && chg_commit "Carol Nguyen" carol@example.com "CHG-0001: rollback plan") &&
	e=$(short repo) &&
	refused repo carol "Carol Nguyen" carol@example.com CHG-0001 &&
	echo "chg approve: your approval of CHG-0001 would not count: carol@example.com authored or committed $e, which changed this change${SQ}s content [self-approval]; nothing was changed (--force records it all the same)" >expect &&
	test_cmp expect err
'

test_expect_success 'an approval that counts is recorded, without a warning' '
	by dave "Dave Miller" dave@example.com chg -C repo approve CHG-0001 >out 2>err &&
	test_must_be_empty err &&
	echo "approved CHG-0001 in $(short repo) (digest $(chg -C repo digest CHG-0001))" >expect &&
	test_cmp expect out &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a second approval by the same approver is refused, naming the first' '
	first=$(short repo) &&
	refused repo dave "Dave Miller" dave@example.com CHG-0001 &&
	echo "chg approve: you (dave@example.com) approved CHG-0001 already, in $first, and that approval counts: a second one would not count; nothing was changed (--force records it all the same)" >expect &&
	test_cmp expect err
'

test_expect_success '--force records each, with a warning, and chg-lint reports it as not counting' '
	forced repo erin "Erin Example" erin@example.com CHG-0001 &&
	grep "does not count: the approver is not in managers or cab \\[approver-not-allowed\\]\$" err &&
	chg_lint_status 0 -C repo &&
	grep "^changes/CHG-0001.yaml:4:8: warning: approval by erin@example.com in $(short repo) does not count: the approver is not in managers or cab \\[approver-not-allowed\\]\$" actual &&

	forced repo mallory "Alice Example" alice@example.com CHG-0001 &&
	grep "\\[unknown-signer\\]\$" err &&
	chg_lint_status 0 -C repo &&
	grep "^changes/CHG-0001.yaml:4:8: warning: approval by alice@example.com in $(short repo) does not count: .*\\[unknown-signer\\]\$" actual &&

	forced repo jane "Jane Doe" jane@example.com CHG-0001 &&
	grep "does not count: jane@example.com requested this change \\[self-approval\\]\$" err &&
	chg_lint_status 0 -C repo &&
	grep "warning: approval by jane@example.com in $(short repo) does not count: jane@example.com requested this change \\[self-approval\\]\$" actual &&

	forced repo carol "Carol Nguyen" carol@example.com CHG-0001 &&
	grep "\\[self-approval\\]\$" err &&
	chg_lint_status 0 -C repo &&
	grep "warning: approval by carol@example.com in $(short repo) does not count: carol@example.com authored or committed .*\\[self-approval\\]\$" actual &&

	forced repo dave "Dave Miller" dave@example.com CHG-0001 &&
	grep "is a repeat" err &&
	chg_lint_status 0 -C repo
'

test_expect_success 'a rejection signed with a key not trusted for the rejecter is refused; --force records it' '
	snapshot repo before &&
	by mallory "Carol Nguyen" carol@example.com test_expect_code 1 \
		chg -C repo reject CHG-0001 >out 2>err &&
	grep "^chg reject: your rejection of CHG-0001 would not count: .*; to trust it, add the line ${SQ}carol@example.com $(cut -d" " -f1,2 mallory.key.pub)${SQ} to .chg/allowed_signers" err &&
	snapshot repo after &&
	test_cmp before after &&
	by mallory "Carol Nguyen" carol@example.com chg -C repo reject --force CHG-0001 >out 2>err &&
	grep "^rejected CHG-0001 in $(short repo) " out &&
	grep "^chg reject: warning: rejection in $(short repo) does not count: " err
'

test_expect_success 'with a policy without signatures, an unsigned approval by someone outside the groups is refused too' '
	chg_repo open &&
	chg_normal_cr CHG-0001 approved >open/changes/CHG-0001.yaml &&
	(cd open && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	snapshot open before &&
	GIT_AUTHOR_NAME="Erin Example" GIT_AUTHOR_EMAIL=erin@example.com \
	GIT_COMMITTER_NAME="Erin Example" GIT_COMMITTER_EMAIL=erin@example.com \
		test_expect_code 1 chg -C open approve --no-sign CHG-0001 2>err &&
	grep "^chg approve: you (erin@example.com) are in none of the groups" err &&
	snapshot open after &&
	test_cmp before after
'

test_done
