#!/bin/sh

test_description='chg approve and chg reject: signed approval commits made with the user'"'"'s git signing setup'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
SQ="'"
CHG_NOW=$CHG_TEST_NOW
export CHG_NOW

# as NAME EMAIL COMMAND...: runs COMMAND as author and committer NAME <EMAIL>.
as () {
	_name=$1 _email=$2 &&
	shift 2 &&
	GIT_AUTHOR_NAME="$_name" GIT_AUTHOR_EMAIL="$_email" \
	GIT_COMMITTER_NAME="$_name" GIT_COMMITTER_EMAIL="$_email" "$@"
}

# signing_with NAME COMMAND...: runs COMMAND with git signing with NAME.key
# (git configuration from the environment, which chg's git runs inherit).
signing_with () {
	_key=$1 &&
	shift &&
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.signingKey \
	GIT_CONFIG_VALUE_0="$PWD/$_key.key" "$@"
}

# approve_repo DIR: a repository whose policy requires signatures (the
# default), whose .chg/allowed_signers trusts dave and carol, with CHG-0001
# (approved, so chg-lint wants an approval) requested and committed by Jane,
# and git set up to sign with SSH key dave.key.
approve_repo () {
	chg_repo "$1" &&
	sed -e "/require-signature/d" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	{ allowed dave dave@example.com && allowed carol carol@example.com; } \
		>"$1/.chg/allowed_signers" &&
	chg_normal_cr CHG-0001 approved >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	git -C "$1" config gpg.format ssh &&
	git -C "$1" config user.signingKey "$PWD/dave.key"
}

# message DIR [REV]: the message of REV (default HEAD), without the headers.
message () {
	git -C "$1" cat-file commit "${2:-HEAD}" | sed -e "1,/^\$/d"
}

# snapshot DIR NAME: HEAD, the index and the working tree's status of DIR
# in NAME.
snapshot () {
	{
		git -C "$1" rev-parse HEAD &&
		git -C "$1" status --porcelain &&
		git -C "$1" diff --cached &&
		git -C "$1" diff
	} >"$2"
}

test_expect_success 'setup: SSH keys' '
	for who in dave carol mallory
	do
		ssh-keygen -q -t ed25519 -N "" -C $who -f $who.key || return 1
	done
'

test_expect_success 'approve: a signed commit on HEAD with exactly the trailers, which chg-lint counts' '
	approve_repo repo &&
	chg_lint_status 1 -C repo &&
	grep "\\[missing-approval\\]\$" actual &&
	old=$(git -C repo rev-parse HEAD) &&
	digest=$(chg -C repo digest CHG-0001) &&
	(
		# the identity from git config, as git itself takes it
		unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
		git -C repo config user.name "Dave Miller" &&
		git -C repo config user.email dave@example.com &&
		chg -C repo approve CHG-0001 >out 2>err
	) &&
	test_must_be_empty err &&
	echo "approved CHG-0001 in $(short repo) (digest $digest)" >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	Approve CHG-0001: Rotate the TLS certificate of api.example.com

	Change-Request: CHG-0001
	Change-Digest: $digest
	Approved-by: Dave Miller <dave@example.com>
	EOF
	message repo >actual &&
	test_cmp expect actual &&
	git -C repo cat-file commit HEAD >raw &&
	grep "^gpgsig -----BEGIN SSH SIGNATURE-----\$" raw &&
	grep "^author Dave Miller <dave@example.com> " raw &&
	test "$(git -C repo rev-parse HEAD^)" = "$old" &&
	test "$(git -C repo rev-parse HEAD^{tree})" = "$(git -C repo rev-parse HEAD^^{tree})" &&
	echo "chg approve" >expect &&
	git -C repo reflog -1 --format=%gs >actual &&
	test_cmp expect actual &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'reject: a Rejected-by trailer, with the comment before the trailers' '
	digest=$(chg -C repo digest CHG-0001) &&
	as "Carol Nguyen" carol@example.com signing_with carol chg -C repo reject -m "Not during the freeze." CHG-0001 >out 2>err &&
	test_must_be_empty err &&
	echo "rejected CHG-0001 in $(short repo) (digest $digest)" >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	Reject CHG-0001: Rotate the TLS certificate of api.example.com

	Not during the freeze.

	Change-Request: CHG-0001
	Change-Digest: $digest
	Rejected-by: Carol Nguyen <carol@example.com>
	EOF
	message repo >actual &&
	test_cmp expect actual &&
	git -C repo cat-file commit HEAD | grep "^gpgsig -----BEGIN SSH SIGNATURE-----\$"
'

test_expect_success 'a change request that fails lint is not approved, and HEAD stays' '
	approve_repo broken &&
	sed -e "s/^  level: medium/  level: meduim/" broken/changes/CHG-0001.yaml >broken.yaml &&
	mv broken.yaml broken/changes/CHG-0001.yaml &&
	(cd broken && chg_commit "Jane Doe" jane@example.com "CHG-0001: risk") &&
	snapshot broken before &&
	as "Dave Miller" dave@example.com test_expect_code 1 chg -C broken approve CHG-0001 >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level must be one of low, medium, high, critical, not '\''meduim'\'' [invalid-value]
	chg approve: CHG-0001 fails lint as committed in HEAD; it cannot be approved until the errors above are fixed
	EOF
	test_cmp expect err &&
	snapshot broken after &&
	test_cmp before after
'

test_expect_success 'what the approval itself settles does not block it: missing and stale approvals' '
	approve_repo stale &&
	as "Dave Miller" dave@example.com chg -C stale approve CHG-0001 >out &&
	sed -e "s/^  Switch the listener back/  Switch both listeners back/" stale/changes/CHG-0001.yaml >cr.yaml &&
	mv cr.yaml stale/changes/CHG-0001.yaml &&
	(cd stale && chg_commit "Jane Doe" jane@example.com "CHG-0001: rollback plan") &&
	chg_lint_status 1 -C stale &&
	grep "\\[missing-approval\\]\$" actual &&
	grep "\\[stale-approval\\]\$" actual &&
	as "Dave Miller" dave@example.com chg -C stale approve CHG-0001 >out 2>err &&
	test_must_be_empty err &&
	chg_lint_status 0 -C stale &&
	! grep -v ": note: .*\\[stale-approval\\]\$" actual
'

test_expect_success 'what the approval itself settles does not block it: a finding the change waives' '
	approve_repo waived &&
	chg_normal_cr CHG-0001 approved | sed \
		-e "s/^  level: medium/  level: high/" \
		-e "s/^  assessment: {.*}/  assessment: {users-affected: 3, system-criticality: 3, security: 3, rollback-difficulty: 3, timing: 3}/" \
		>waived/changes/CHG-0001.yaml &&
	(cd waived && chg_commit "Jane Doe" jane@example.com "CHG-0001: high risk") &&
	as "Carol Nguyen" carol@example.com signing_with carol \
		test_expect_code 1 chg -C waived approve CHG-0001 >out 2>err &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:10: error: high and critical changes need a tested rollback plan [tested-rollback-for-high-risk]
	chg approve: CHG-0001 fails lint as committed in HEAD; it cannot be approved until the errors above are fixed
	EOF
	test_cmp expect err &&
	printf "waivers:\n  - rule: tested-rollback-for-high-risk\n    reason: the old certificate stays loaded\n" \
		>>waived/changes/CHG-0001.yaml &&
	(cd waived && chg_commit "Jane Doe" jane@example.com "CHG-0001: waiver") &&
	as "Carol Nguyen" carol@example.com signing_with carol \
		chg -C waived approve CHG-0001 >out 2>err &&
	test_must_be_empty err &&
	grep "^approved CHG-0001 in $(short waived) " out &&
	chg_lint_status 1 -C waived &&
	grep "waiver for tested-rollback-for-high-risk does not count: CHG-0001 has 1 of the 2 required approvals" actual
'

test_expect_success 'the requester cannot approve their own change request' '
	approve_repo own &&
	snapshot own before &&
	as "Jane Doe" JANE@example.com test_expect_code 1 chg -C own approve CHG-0001 >out 2>err &&
	test_must_be_empty out &&
	echo "chg approve: you (JANE@example.com) requested CHG-0001: the policy requires separation of duties, so the requester${SQ}s approval would not count; another approver must review it" >expect &&
	test_cmp expect err &&
	snapshot own after &&
	test_cmp before after
'

test_expect_success 'uncommitted edits of the change request are refused, in the working tree or staged' '
	approve_repo dirty &&
	echo "test-plan: check the expiry date with openssl" >>dirty/changes/CHG-0001.yaml &&
	snapshot dirty before &&
	as "Dave Miller" dave@example.com test_expect_code 1 chg -C dirty approve CHG-0001 >out 2>err &&
	echo "chg approve: ${SQ}changes/CHG-0001.yaml${SQ} has uncommitted changes (in the working tree); a review is of committed content: commit them, or discard them, first" >expect &&
	test_cmp expect err &&
	git -C dirty add changes/CHG-0001.yaml &&
	as "Dave Miller" dave@example.com test_expect_code 1 chg -C dirty approve CHG-0001 >out 2>err &&
	grep "has uncommitted changes (staged)" err &&
	git -C dirty reset -q &&
	snapshot dirty after &&
	test_cmp before after
'

test_expect_success 'a signing failure changes nothing: HEAD, index and working tree' '
	approve_repo nosign &&
	echo "# Changes" >nosign/README.md &&
	git -C nosign add README.md &&
	echo "scratch" >nosign/notes.txt &&
	git -C nosign config user.signingKey "$PWD/no-such.key" &&
	snapshot nosign before &&
	git -C nosign count-objects -v | grep "^count:" >objects.before &&
	as "Dave Miller" dave@example.com test_expect_code 3 chg -C nosign approve CHG-0001 >out 2>err &&
	test_must_be_empty out &&
	echo "chg approve: cannot make the signed commit (git commit-tree -S failed, see above); nothing was changed: check your signing setup (gpg.format, user.signingKey)" >expect &&
	tail -n 1 err >actual &&
	test_cmp expect actual &&
	grep "no-such.key" err &&
	snapshot nosign after &&
	test_cmp before after &&
	git -C nosign count-objects -v | grep "^count:" >objects.after &&
	test_cmp objects.before objects.after
'

test_expect_success 'HEAD moved while signing: the approval is not recorded over it' '
	approve_repo race &&
	cat >racing-signer <<-EOF &&
	#!/bin/sh
	git -C "$PWD/race" commit -q --allow-empty -m "Meanwhile" &&
	exec ssh-keygen "\$@"
	EOF
	chmod +x racing-signer &&
	git -C race config gpg.ssh.program "$PWD/racing-signer" &&
	old=$(git -C race rev-parse HEAD) &&
	as "Dave Miller" dave@example.com test_expect_code 3 chg -C race approve CHG-0001 >out 2>err &&
	test_must_be_empty out &&
	grep "^chg approve: cannot move HEAD to the new commit [0-9a-f]* (did HEAD move meanwhile?); nothing was changed\$" err &&
	echo Meanwhile >expect &&
	git -C race log -1 --format=%s >actual &&
	test_cmp expect actual &&
	test "$(git -C race rev-parse HEAD^)" = "$old"
'

test_expect_success 'staged changes stay staged and are not committed' '
	approve_repo staged &&
	echo "# Changes" >staged/README.md &&
	git -C staged add README.md &&
	echo "to do" >staged/notes.txt &&
	git -C staged status --porcelain >status.before &&
	as "Dave Miller" dave@example.com chg -C staged approve CHG-0001 >out &&
	grep "^approved CHG-0001 in $(short staged) " out &&
	git -C staged status --porcelain >status.after &&
	test_cmp status.before status.after &&
	echo README.md >expect &&
	git -C staged diff --cached --name-only >actual &&
	test_cmp expect actual &&
	git -C staged diff-tree -r --name-only HEAD^ HEAD >changed &&
	test_must_be_empty changed &&
	test_must_fail git -C staged cat-file -e HEAD:README.md
'

test_expect_success 'a title with quotes, $ and a newline, and a comment with a trailer line: one Approved-by' '
	approve_repo quotes &&
	cat >title.yaml <<-\EOF &&
	title: "Rotate \"api\" cert for $HOME and `id`\nat once"
	EOF
	{ cat title.yaml && grep -v "^title:" quotes/changes/CHG-0001.yaml; } >cr.yaml &&
	mv cr.yaml quotes/changes/CHG-0001.yaml &&
	(cd quotes && chg_commit "Jane Doe" jane@example.com "CHG-0001: title") &&
	digest=$(chg -C quotes digest CHG-0001) &&
	as "Dave Miller" dave@example.com chg -C quotes approve \
		-m "Checked with the vendor.
Approved-by: Mallory Evil <m@x>" CHG-0001 >out 2>err &&
	test_must_be_empty err &&
	cat >expect <<-EOF &&
	Approve CHG-0001: Rotate "api" cert for \$HOME and \`id\` at once

	Checked with the vendor.
	Approved-by: Mallory Evil <m@x>

	Change-Request: CHG-0001
	Change-Digest: $digest
	Approved-by: Dave Miller <dave@example.com>
	EOF
	message quotes >actual &&
	test_cmp expect actual &&
	cat >expect <<-EOF &&
	Change-Request: CHG-0001
	Change-Digest: $digest
	Approved-by: Dave Miller <dave@example.com>
	EOF
	message quotes | git interpret-trailers --parse >actual &&
	test_cmp expect actual &&
	chg_lint_status 0 -C quotes &&
	test_must_be_empty actual
'

test_expect_success 'a comment that would change what git reads as trailers is refused' '
	approve_repo inject &&
	digest=$(chg -C inject digest CHG-0001) &&
	snapshot inject before &&
	as "Dave Miller" dave@example.com test_expect_code 1 chg -C inject approve -m "Fine.

Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Mallory Evil <mallory@example.com>
---
signed off elsewhere" CHG-0001 >out 2>err &&
	test_must_be_empty out &&
	echo "chg approve: the message would not carry exactly the Change-Request, Change-Digest and Approved-by trailers chg writes: reword the comment (a line ${SQ}---${SQ} or ${SQ}Key: value${SQ} lines at its end change what git reads as trailers)" >expect &&
	test_cmp expect err &&
	snapshot inject after &&
	test_cmp before after
'

test_expect_success '--no-sign is refused when the policy requires signatures' '
	snapshot repo before &&
	as "Carol Nguyen" carol@example.com test_expect_code 1 chg -C repo approve --no-sign CHG-0001 >out 2>err &&
	test_must_be_empty out &&
	echo "chg approve: --no-sign: the policy (.chg/policy.yaml) requires signed approvals and rejections; an unsigned one would not count" >expect &&
	test_cmp expect err &&
	snapshot repo after &&
	test_cmp before after
'

test_expect_success '--no-sign makes an unsigned approval where the policy allows it, and chg-lint counts it' '
	chg_repo unsigned &&
	chg_normal_cr CHG-0001 approved >unsigned/changes/CHG-0001.yaml &&
	(cd unsigned && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	chg_lint_status 1 -C unsigned &&
	as "Dave Miller" dave@example.com chg -C unsigned approve --no-sign CHG-0001 >out 2>err &&
	test_must_be_empty err &&
	git -C unsigned cat-file commit HEAD >raw &&
	! grep "^gpgsig" raw &&
	chg_lint_status 0 -C unsigned &&
	test_must_be_empty actual
'

test_expect_success 'a signing key not trusted for the approver: refused, changing nothing; --force records it with a warning' '
	approve_repo stranger &&
	git -C stranger config user.signingKey "$PWD/mallory.key" &&
	snapshot stranger before &&
	as "Dave Miller" dave@example.com test_expect_code 1 chg -C stranger approve CHG-0001 >out 2>err &&
	test_must_be_empty out &&
	grep "^chg approve: your approval of CHG-0001 would not count: it is signed by ED25519 key SHA256:[^ ]*, which is not in .chg/allowed_signers as of HEAD [0-9a-f]*; to trust it, add the line ${SQ}dave@example.com $(cut -d" " -f1,2 mallory.key.pub)${SQ} to .chg/allowed_signers in a trust change, approved with chg approve --trust \\[unknown-signer\\]; nothing was changed (--force records it all the same)\$" err &&
	snapshot stranger after &&
	test_cmp before after &&
	as "Dave Miller" dave@example.com chg -C stranger approve --force CHG-0001 >out 2>err &&
	s=$(short stranger) &&
	echo "approved CHG-0001 in $s (digest $(chg -C stranger digest CHG-0001))" >expect &&
	test_cmp expect out &&
	grep "^chg approve: warning: approval by dave@example.com in $s does not count: it is signed by ED25519 key SHA256:[^ ]*, which is not in .chg/allowed_signers as of its first parent [0-9a-f]* \\[unknown-signer\\]\$" err &&
	chg_lint_status 1 -C stranger &&
	grep "\\[unknown-signer\\]\$" actual
'

test_expect_success 'usage, unknown ids and repositories' '
	test_expect_code 2 chg -C repo approve 2>err &&
	grep "^usage: chg approve \\[-m TEXT\\] \\[--no-sign\\] ID\$" err &&
	test_expect_code 2 chg -C repo reject --sign CHG-0001 2>err &&
	grep "^usage: chg reject " err &&
	test_expect_code 2 chg -C repo approve CHG-0001 CHG-0002 2>err &&
	as "Dave Miller" dave@example.com test_expect_code 1 chg -C repo approve CHG-0009 2>err &&
	echo "chg approve: no change request has id ${SQ}CHG-0009${SQ} in HEAD; a new change request is committed before it is reviewed" >expect &&
	test_cmp expect err &&
	mkdir not-a-repo &&
	test_expect_code 3 chg -C not-a-repo approve CHG-0001 2>err &&
	echo "chg approve: not a git repository: ${SQ}not-a-repo${SQ}" >expect &&
	test_cmp expect err
'

test_done
