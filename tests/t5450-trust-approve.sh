#!/bin/sh

test_description='trust changes approved with chg'"'"'s own tools: chg digest trust, chg approve --trust, chg reject --trust, commit-msg'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
SQ="'"
CHG_NOW=$CHG_TEST_NOW
export CHG_NOW

# allowed NAME PRINCIPAL: an allowed_signers line for NAME.key.
allowed () {
	printf '%s %s\n' "$2" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# trust_digest DIR [REV]: the trust digest of REV (default HEAD), computed
# as trust.h documents it, with git alone.
trust_digest () {
	printf "sha256:%s\n" "$(git -C "$1" ls-tree -r -z "${2:-HEAD}" -- \
		.chg/allowed_signers .chg/catalog .chg/keys.asc .chg/policy.yaml \
		.chg/revoked_keys |
		sha256sum | cut -d" " -f1)"
}

# complete_chg WORD...: what the bash completion offers for the last WORD
# of the command line WORD..., one a line.
complete_chg () {
	bash -c '. "$CHG_SRC_DIR/contrib/completion/chg.bash" &&
		COMP_WORDS=("$@") &&
		COMP_CWORD=$(($# - 1)) &&
		_chg &&
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}

# message DIR: the message of HEAD, without the headers.
message () {
	git -C "$1" cat-file commit HEAD | sed -e "1,/^\$/d"
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

# trust_repo DIR: the root of trust: a policy that requires signatures
# (approvals.trust: 2 of cab), cab (alice, carol) and managers (dave),
# their keys in .chg/allowed_signers, CHG-0001 requested by Jane; git
# signs with SSH.
trust_repo () {
	chg_repo "$1" &&
	edit "$1/.chg/policy.yaml" "/require-signature/d" &&
	{ allowed alice alice@example.com && allowed carol carol@example.com &&
	  allowed dave dave@example.com; } >"$1/.chg/allowed_signers" &&
	chg_normal_cr CHG-0001 >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	git -C "$1" config gpg.format ssh
}

# rotate DIR NAME EMAIL WHO WHO_EMAIL: adds NAME.key for EMAIL to DIR's
# allowed signers, committed by WHO <WHO_EMAIL>, unsigned; prints its
# short id.
rotate () {
	allowed "$2" "$3" >>"$1/.chg/allowed_signers" &&
	(cd "$1" && chg_commit "$4" "$5" "Trust $2's key") &&
	short "$1"
}

# finding_digest: the Change-Digest the trust-change-unapproved finding
# in 'actual' names.
finding_digest () {
	sed -n "s/.*its approvals name Change-Request: trust and Change-Digest: \\(sha256:[0-9a-f]*\\) .*/\\1/p" actual
}

test_expect_success 'setup: SSH keys' '
	for who in alice carol dave erin
	do
		ssh-keygen -q -t ed25519 -N "" -C $who -f $who.key || return 1
	done
'

test_expect_success 'chg digest trust prints the digest the trust-change-unapproved finding names' '
	trust_repo repo &&
	chg -C repo digest trust >before &&
	trust_digest repo >expect &&
	test_cmp expect before &&
	t=$(rotate repo erin erin@example.com "Jane Doe" jane@example.com) &&
	chg_lint_status 1 -C repo &&
	grep "^\\.chg/allowed_signers: error: \\.chg/allowed_signers changed in $t without approval: 0 of the 2 required approvals counted (from cab) " actual &&
	finding_digest >expect &&
	test "$(wc -l <expect)" = 1 &&
	chg -C repo digest trust >actual &&
	test_cmp expect actual &&
	! test_cmp before actual &&
	chg -C repo digest --rev HEAD^ trust >actual &&
	test_cmp before actual &&
	test_expect_code 3 chg -C repo digest --rev no-such-rev trust 2>err &&
	echo "chg digest: unknown revision ${SQ}no-such-rev${SQ}" >expect &&
	test_cmp expect err
'

test_expect_success 'commit-msg accepts an approval of the trust change, and checks its digest' '
	mkdir msg-hooks &&
	ln -s "$CHG_SRC_DIR/hooks/commit-msg" msg-hooks/commit-msg &&
	git clone -q repo hooked &&
	git -C hooked config core.hooksPath "$PWD/msg-hooks" &&
	printf "Approve trust\n\nChange-Request: trust\nChange-Digest: %s\nApproved-by: Alice Example <alice@example.com>\n" \
		"$(chg -C hooked digest trust)" >msg &&
	"$CHG_SRC_DIR/hooks/commit-msg" msg &&
	git -C hooked commit -q --allow-empty -F "$PWD/msg" 2>err &&
	test_must_be_empty err &&
	message hooked >actual &&
	test_cmp msg actual &&
	printf "Approve trust\n\nChange-Request: trust\nChange-Digest: sha256:abc\nApproved-by: Alice Example <alice@example.com>\n" >bad &&
	git -C hooked rev-parse HEAD >head.before &&
	test_must_fail git -C hooked commit -q --allow-empty -F "$PWD/bad" 2>err &&
	grep "invalid Change-Digest ${SQ}sha256:abc${SQ}" err &&
	git -C hooked rev-parse HEAD >head.after &&
	test_cmp head.before head.after
'

test_expect_success 'an approver outside approvals.trust is refused, changing nothing; --force records it' '
	snapshot repo before &&
	by dave "Dave Miller" dave@example.com test_expect_code 1 \
		chg -C repo approve --trust >out 2>err &&
	test_must_be_empty out &&
	echo "chg approve: you (dave@example.com) are in none of the groups the policy${SQ}s approvals.trust takes approvals from (cab): your approval of the trust change in $(short repo) would not count; nothing was changed (--force records it all the same)" >expect &&
	test_cmp expect err &&
	snapshot repo after &&
	test_cmp before after &&
	git clone -q repo forced &&
	git -C forced config gpg.format ssh &&
	by dave "Dave Miller" dave@example.com chg -C forced approve --force --trust >out 2>err &&
	echo "approved trust in $(short forced) (digest $(chg -C forced digest trust))" >expect &&
	test_cmp expect out &&
	grep "^chg approve: warning: approval by dave@example.com in $(short forced) does not count: the approver is not in cab \\[approver-not-allowed\\]\$" err &&
	chg_lint_status 1 -C forced &&
	grep "dave@example.com $(short forced) approver-not-allowed" actual
'

test_expect_success 'uncommitted changes to the trust files are refused' '
	allowed erin erin@example.com >>repo/.chg/allowed_signers &&
	snapshot repo before &&
	by alice "Alice Example" alice@example.com test_expect_code 1 \
		chg -C repo approve --trust >out 2>err &&
	echo "chg approve: ${SQ}.chg/allowed_signers${SQ} has uncommitted changes (in the working tree); an approval of a trust change is of the committed trust files: commit them, or discard them, first" >expect &&
	test_cmp expect err &&
	snapshot repo after &&
	test_cmp before after &&
	git -C repo checkout -q .chg/allowed_signers
'

test_expect_success 'a key rotation approved by two cab members with chg approve --trust makes chg-lint pass' '
	t=$(short repo) &&
	D=$(chg -C repo digest trust) &&
	by alice "Alice Example" alice@example.com chg -C repo approve --trust >out 2>err &&
	test_must_be_empty err &&
	echo "approved trust in $(short repo) (digest $D)" >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	Approve trust: .chg/allowed_signers changed in $t

	Change-Request: trust
	Change-Digest: $D
	Approved-by: Alice Example <alice@example.com>
	EOF
	message repo >actual &&
	test_cmp expect actual &&
	git -C repo cat-file commit HEAD | grep "^gpgsig -----BEGIN SSH SIGNATURE-----\$" &&
	chg_lint_status 1 -C repo &&
	grep "1 of the 2 required approvals counted" actual &&
	by carol "Carol Nguyen" carol@example.com chg -C repo approve trust >out 2>err &&
	test_must_be_empty err &&
	echo "approved trust in $(short repo) (digest $D)" >expect &&
	test_cmp expect out &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'with nothing to approve, chg approve --trust refuses' '
	snapshot repo before &&
	by alice "Alice Example" alice@example.com test_expect_code 1 \
		chg -C repo approve --trust >out 2>err &&
	test_must_be_empty out &&
	echo "chg approve: the trust change in $(short repo HEAD~2) (.chg/allowed_signers) is approved already: there is nothing to approve" >expect &&
	test_cmp expect err &&
	snapshot repo after &&
	test_cmp before after &&
	trust_repo plain &&
	by alice "Alice Example" alice@example.com test_expect_code 1 \
		chg -C plain approve --trust 2>err &&
	echo "chg approve: HEAD${SQ}s trust files are those of the root of trust $(short plain), trusted as they are: there is no trust change to approve" >expect &&
	test_cmp expect err
'

test_expect_success 'a second approval by the same approver is refused' '
	git clone -q repo again &&
	git -C again config gpg.format ssh &&
	git -C again reset -q --hard HEAD^ &&
	snapshot again before &&
	by alice "Alice Example" alice@example.com test_expect_code 1 \
		chg -C again approve --trust 2>err &&
	echo "chg approve: you (alice@example.com) approved the trust change in $(short again HEAD^) already, in $(short again), and that approval counts: a second one would not count; nothing was changed (--force records it all the same)" >expect &&
	test_cmp expect err &&
	snapshot again after &&
	test_cmp before after
'

test_expect_success 'chg reject --trust withdraws an approval; approving again counts' '
	by carol "Carol Nguyen" carol@example.com chg -C repo reject --trust -m "Erin has not started yet." >out 2>err &&
	test_must_be_empty err &&
	echo "rejected trust in $(short repo) (digest $(chg -C repo digest trust))" >expect &&
	test_cmp expect out &&
	message repo >msg &&
	grep "^Rejected-by: Carol Nguyen <carol@example.com>\$" msg &&
	chg_lint_status 1 -C repo &&
	grep "1 of the 2 required approvals counted" actual &&
	grep "carol@example.com $(short repo HEAD^) withdrawn" actual &&
	by carol "Carol Nguyen" carol@example.com chg -C repo approve --trust >out 2>err &&
	test_must_be_empty err &&
	chg_lint_status 0 -C repo
'

test_expect_success 'a rejection signed with a key not trusted before the change is refused' '
	snapshot repo before &&
	by erin "Carol Nguyen" carol@example.com test_expect_code 1 \
		chg -C repo reject --trust 2>err &&
	grep "^chg reject: your rejection of the trust change would not count: .*; to trust it, add the line ${SQ}carol@example.com $(cut -d" " -f1,2 erin.key.pub)${SQ} to .chg/allowed_signers" err &&
	snapshot repo after &&
	test_cmp before after
'

test_expect_success 'the one who made the trust change, and a key it adds, cannot approve it' '
	trust_repo sod &&
	edit sod/.chg/policy.yaml "s/cab: \\[alice@example.com, carol@example.com\\]/cab: [alice@example.com, carol@example.com, erin@example.com]/" &&
	t=$(rotate sod erin erin@example.com "Alice Example" alice@example.com) &&
	snapshot sod before &&
	by alice "Alice Example" alice@example.com test_expect_code 1 \
		chg -C sod approve --trust 2>err &&
	echo "chg approve: your approval of the trust change in $t would not count: alice@example.com authored, committed or signed $t, the trust change it approves [self-approval]; nothing was changed (--force records it all the same)" >expect &&
	test_cmp expect err &&
	by erin "Erin Example" erin@example.com test_expect_code 1 \
		chg -C sod approve --trust 2>err &&
	grep "^chg approve: your approval of the trust change in $t would not count: .*; to trust it, add the line ${SQ}erin@example.com $(cut -d" " -f1,2 erin.key.pub)${SQ} to .chg/allowed_signers in a trust change, approved with chg approve --trust \\[unknown-signer\\]; nothing was changed" err &&
	snapshot sod after &&
	test_cmp before after
'

test_expect_success 'allowed_signers added after the root of trust: the finding says it can never be approved, and the way out' '
	chg_repo late &&
	edit late/.chg/policy.yaml "/require-signature/d" &&
	chg_normal_cr CHG-0001 >late/changes/CHG-0001.yaml &&
	(cd late && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	r=$(short late) &&
	git -C late config gpg.format ssh &&
	t=$(rotate late alice alice@example.com "Jane Doe" jane@example.com) &&
	allowed carol carol@example.com >>late/.chg/allowed_signers &&
	(cd late && chg_commit "Jane Doe" jane@example.com "Trust carol") &&
	chg_lint_status 1 -C late &&
	grep "^\\.chg/allowed_signers: error: \\.chg/allowed_signers changed in $t without approval: 0 of the 2 required approvals counted (from cab) under the trust of its first parent $r; " actual &&
	grep "^\\.chg/allowed_signers: note: the change in $t can never be approved: the trust it is judged under, that of $r, holds no key for any member of cab, and the policy there requires signed approvals, so no change to the trust files can be approved after it; the way out is a new root of trust that holds the keys: start the protected history again from a commit that has them (git checkout --orphan new-main && git commit -m ${SQ}Root of trust${SQ}), pin it (git config chg.trustRoot \$(git rev-parse HEAD); CHG_TRUST_ROOT or --trust-root in CI, chg.trustRoot on the server), and replace the branch on the server, keeping the old history under another ref \\[trust-change-unapproved\\]\$" actual &&
	by alice "Alice Example" alice@example.com test_expect_code 1 \
		chg -C late approve --trust 2>err &&
	grep "^chg approve: your approval of the trust change in $(short late) would not count: " err
'

test_expect_success 'the way out the finding names works: a new root of trust holding the keys, pinned' '
	git -C late checkout -q --orphan new-main &&
	(cd late && chg_commit "Jane Doe" jane@example.com "Root of trust") &&
	git -C late config chg.trustRoot "$(git -C late rev-parse HEAD)" &&
	chg_lint_status 0 -C late &&
	test_must_be_empty actual &&
	by alice "Alice Example" alice@example.com test_expect_code 1 \
		chg -C late approve --trust 2>err &&
	grep "root of trust" err
'

test_expect_success 'the bash completion offers --trust, --force and trust' '
	complete_chg chg approve --tr >out &&
	echo --trust >expect &&
	test_cmp expect out &&
	complete_chg chg reject --fo >out &&
	echo --force >expect &&
	test_cmp expect out &&
	for c in approve reject digest; do
		complete_chg chg -C repo $c tr >out &&
		echo trust >expect &&
		test_cmp expect out || return 1
	done
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_expect_success 'who made an unapproved trust change does not approve a later one built on it' '
	trust_repo sod &&
	root=$(short sod) &&
	allowed erin erin@example.com >>sod/.chg/allowed_signers &&
	(cd sod && chg_commit "Alice Example" alice@example.com "Trust erin") &&
	allowed dave dave-ops@example.com >>sod/.chg/allowed_signers &&
	(cd sod && chg_commit "Jane Doe" jane@example.com "Trust dave for ops") &&
	y=$(short sod) &&
	snapshot sod before &&
	test_expect_code 1 by alice "Alice Example" alice@example.com \
		chg -C sod approve --trust >out 2>err &&
	snapshot sod after &&
	test_cmp before after &&
	grep "alice@example.com authored, committed or signed an unapproved trust change that $y builds on (made after the last approved trust, in $root), so it would approve that change too \[self-approval\]" err &&
	by alice "Alice Example" alice@example.com chg -C sod approve --trust --force &&
	a=$(short sod) &&
	by carol "Carol Example" carol@example.com chg -C sod approve --trust &&
	chg_lint_status 1 -C sod &&
	grep "^\.chg/allowed_signers: error: \.chg/allowed_signers changed in $y without approval: 1 of the 2 required approvals counted (from cab) " actual &&
	grep "^\.chg/allowed_signers: error: approval by alice@example.com in $a does not count: alice@example.com authored, committed or signed an unapproved trust change that $y builds on (made after the last approved trust, in $root), so it would approve that change too \[self-approval\]\$" actual &&
	by dave "Dave Example" dave@example.com chg -C sod approve --trust --force &&
	chg_lint_status 1 -C sod
'

test_done
