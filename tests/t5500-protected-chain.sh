#!/bin/sh

test_description='the protected chain: re-rooting, trust rollback, replace refs, grafts and the pinned root of trust'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK CHG_TRUST_ROOT
# the clock of chg-lint and of the hooks that git push runs
CHG_NOW=$CHG_TEST_NOW
export CHG_NOW
SQ="'"

# full DIR REV: the full id of REV in DIR.
full () {
	git -C "$1" rev-parse "$2"
}

# allowed NAME PRINCIPAL: an allowed_signers line for NAME.key.
allowed () {
	printf '%s %s\n' "$2" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# trust_digest DIR: HEAD's trust digest, as trust.h documents it.
trust_digest () {
	printf "sha256:%s\n" "$(git -C "$1" ls-tree -r -z HEAD -- \
		.chg/allowed_signers .chg/catalog .chg/keys.asc .chg/policy.yaml \
		.chg/revoked_keys | sha256sum | cut -d" " -f1)"
}

# commit DIR NAME EMAIL MESSAGE: commits everything in DIR as NAME <EMAIL>.
commit () {
	(cd "$1" && chg_commit "$2" "$3" "$4")
}

# signed DIR KEY NAME EMAIL MESSAGE-FILE: an empty commit by NAME <EMAIL>
# signed with KEY.key.
signed () {
	git -C "$1" add -A &&
	GIT_AUTHOR_NAME="$3" GIT_AUTHOR_EMAIL="$4" \
	GIT_COMMITTER_NAME="$3" GIT_COMMITTER_EMAIL="$4" \
		git -C "$1" -c gpg.format=ssh -c user.signingkey="$PWD/$2.key" \
		commit -q -S --allow-empty -F "$PWD/$5" &&
	git -C "$1" cat-file commit HEAD | grep -q "^gpgsig -----BEGIN SSH SIGNATURE-----"
}

# approve DIR ID KEY NAME EMAIL: a signed approval of change request ID.
approve () {
	printf "Approve %s\n\nChange-Request: %s\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
		"$2" "$2" "$(chg -C "$1" digest "$2")" "$4" "$5" >msg &&
	signed "$1" "$3" "$4" "$5" msg
}

# approve_trust DIR KEY NAME EMAIL: a signed approval of HEAD's trust.
approve_trust () {
	printf "Approve the trust files\n\nChange-Request: trust\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
		"$(trust_digest "$1")" "$3" "$4" >msg &&
	signed "$1" "$2" "$3" "$4" msg
}

# new_approved DIR ID KEY NAME EMAIL: ID requested by Jane, approved by
# NAME <EMAIL> with KEY, then moved to approved by Jane.
new_approved () {
	chg_normal_cr "$2" >"$1/changes/$2.yaml" &&
	commit "$1" "Jane Doe" jane@example.com "Request $2" &&
	approve "$1" "$2" "$3" "$4" "$5" &&
	sed -i "s/^state: .*/state: approved/" "$1/changes/$2.yaml" &&
	commit "$1" "Jane Doe" jane@example.com "$2: approved"
}

# push_fails DIR ARGS...: 'git push ARGS' from DIR is refused and changes
# no ref of the server; the hook's lines (without "remote: ") in remote.
push_fails () {
	_dir=$1 &&
	shift &&
	git -C server.git for-each-ref >refs.before &&
	test_must_fail git -C "$_dir" push "$@" 2>err &&
	sed -n "s/^remote: //p" err | sed -e "s/ *$//" >remote &&
	git -C server.git for-each-ref >refs.after &&
	test_cmp refs.before refs.after
}

# chain_line A B [MERGED]: the finding about an update from A to B that
# leaves A off B's first-parent chain (MERGED: A is merged in).
chain_line () {
	printf ".chg: error: the update from %s to %s rewrites or replaces the protected history: %s is not on the first-parent chain of %s%s [trust-change-unapproved]\n" \
		"$1" "$2" "$1" "$2" \
		"${3:+ (it is merged in as a later parent; merge the other history into $1 instead, so that it stays the first parent)}"
}

# pin_line TIP PIN ORIGIN HOW: the finding about TIP's chain that lacks
# the pinned PIN (from ORIGIN); HOW is the hint.
pin_line () {
	printf ".chg: error: the first-parent chain of %s does not contain the pinned root of trust %s (%s); %s [trust-change-unapproved]\n" \
		"$1" "$2" "$3" "$4"
}

test_expect_success 'setup: keys, a change repository and a server with the hook' '
	for who in alice carol dave mallory
	do
		ssh-keygen -q -t ed25519 -N "" -C "$who" -f $who.key || return 1
	done &&
	chg_repo work &&
	sed -i -e "/require-signature/d" work/.chg/policy.yaml &&
	{ allowed alice alice@example.com && allowed carol carol@example.com &&
	  allowed dave dave@example.com; } >work/.chg/allowed_signers &&
	commit work "Jane Doe" jane@example.com "The root of trust" &&
	new_approved work CHG-0001 carol "Carol Example" carol@example.com &&
	chg_lint_status 0 -C work &&
	git init -q --bare -b main server.git &&
	cp "$CHG_SRC_DIR/hooks/pre-receive" server.git/hooks/pre-receive &&
	git -C work remote add origin "$PWD/server.git" &&
	ROOT=$(full work main~3)
'

test_expect_success 'the first push that brings .chg/ pins the root of trust' '
	git -C work push origin main 2>err &&
	sed -n "s/^remote: //p" err | sed -e "s/ *$//" >remote &&
	echo "pre-receive: pinned the root of trust: chg.trustRoot $ROOT" >expect &&
	test_cmp expect remote &&
	echo $ROOT >expect &&
	git -C server.git config chg.trustRoot >actual &&
	test_cmp expect actual
'

test_expect_success 'setup: an orphan history with its own trust, main merged in as second parent' '
	git -C work checkout -q --orphan evil main &&
	allowed mallory mallory@example.com >work/.chg/allowed_signers &&
	sed -i "s/managers: \[dave@example.com\]/managers: [mallory@example.com]/" \
		work/.chg/policy.yaml &&
	rm work/changes/CHG-0001.yaml &&
	commit work Mallory mallory@example.com "A fresh start" &&
	ORPHAN=$(full work evil) &&
	git -C work merge -q -s ours --allow-unrelated-histories -m "Merge main" main &&
	new_approved work CHG-0002 mallory Mallory mallory@example.com &&
	git -C work merge-base --is-ancestor main evil &&
	test "$(git -C work rev-parse evil~3^2)" = "$(git -C work rev-parse main)"
'

test_expect_success 're-rooting by a fast-forward: --range reports that main left the first-parent chain' '
	chg_lint_status 1 -C work --range main..evil &&
	chain_line $(short work main) $(short work evil) merged >expect &&
	test_cmp expect actual
'

test_expect_success 're-rooting by a fast-forward: pre-receive rejects the push' '
	push_fails work origin evil:main &&
	{
		chain_line $(short work main) $(short work evil) merged &&
		pin_line $(short work evil) $ROOT chg.trustRoot \
			"if the trust was re-rooted on purpose, pin the new root: git config chg.trustRoot $ORPHAN" &&
		echo "chg-lint: 2 errors, 0 warnings in 1 file" &&
		echo "pre-receive: rejecting refs/heads/main (chg-lint exited 1)"
	} >expect &&
	test_cmp expect remote
'

test_expect_success 'the pinned root: plain chg-lint, --rev, --range B and chg audit --verify' '
	git -C work config chg.trustRoot $ROOT &&
	test_when_finished "git -C work config --unset chg.trustRoot" &&
	pin_line $(short work evil) $ROOT chg.trustRoot \
		"if the trust was re-rooted on purpose, pin the new root: git config chg.trustRoot $ORPHAN" >expect &&
	chg_lint_status 1 -C work &&
	test_cmp expect actual &&
	chg_lint_status 1 -C work --rev evil &&
	test_cmp expect actual &&
	chg_lint_status 1 -C work --range evil &&
	test_cmp expect actual &&
	test_expect_code 1 chg -C work audit --verify >actual 2>stderr &&
	grep "^\.chg:" actual >pin &&
	test_cmp expect pin &&
	chg_lint_status 0 -C work --rev main &&
	test_must_be_empty actual &&
	chg -C work audit --verify --rev main >actual &&
	test_must_be_empty actual
'

test_expect_success 'the option wins over CHG_TRUST_ROOT, which wins over git config' '
	git -C work config chg.trustRoot $ROOT &&
	test_when_finished "git -C work config --unset chg.trustRoot" &&
	(CHG_TRUST_ROOT=$ORPHAN && export CHG_TRUST_ROOT &&
	 chg_lint_status 0 -C work --rev evil) &&
	test_must_be_empty actual &&
	(CHG_TRUST_ROOT=$ORPHAN && export CHG_TRUST_ROOT &&
	 chg_lint_status 1 -C work --rev evil --trust-root $ROOT) &&
	pin_line $(short work evil) $ROOT --trust-root \
		"if the trust was re-rooted on purpose, pin the new root: --trust-root $ORPHAN" >expect &&
	test_cmp expect actual &&
	git -C work config chg.trustRoot $ORPHAN &&
	(CHG_TRUST_ROOT=$ROOT && export CHG_TRUST_ROOT &&
	 chg_lint_status 1 -C work --rev evil) &&
	pin_line $(short work evil) $ROOT CHG_TRUST_ROOT \
		"if the trust was re-rooted on purpose, pin the new root: CHG_TRUST_ROOT=$ORPHAN" >expect &&
	test_cmp expect actual &&
	(CHG_TRUST_ROOT=$ROOT && export CHG_TRUST_ROOT &&
	 test_expect_code 1 chg -C work audit --verify --rev evil >actual) &&
	grep "^\.chg:" actual >pin &&
	test_cmp expect pin
'

test_expect_success 'a pin that is not a commit id is a usage error; one that names no commit, could not run' '
	chg_lint_status 2 -C work --trust-root main &&
	echo "chg-lint: --trust-root ${SQ}main${SQ} is not a commit id (4 to 40 hex digits)" >expect &&
	test_cmp expect stderr &&
	(CHG_TRUST_ROOT=xyz && export CHG_TRUST_ROOT &&
	 chg_lint_status 2 -C work) &&
	echo "chg-lint: CHG_TRUST_ROOT ${SQ}xyz${SQ} is not a commit id (4 to 40 hex digits)" >expect &&
	test_cmp expect stderr &&
	chg_lint_status 3 -C work --trust-root 0123456789abcdef0123456789abcdef01234567 &&
	echo "chg-lint: the pinned root of trust ${SQ}0123456789abcdef0123456789abcdef01234567${SQ} (--trust-root) names no commit of this repository" >expect &&
	test_cmp expect stderr &&
	git -C work config chg.trustRoot "the first one" &&
	test_when_finished "git -C work config --unset chg.trustRoot" &&
	chg_lint_status 3 -C work --range main~1..main &&
	echo "chg-lint: the pinned root of trust ${SQ}the first one${SQ} (chg.trustRoot) is not a commit id" >expect &&
	test_cmp expect stderr &&
	test_expect_code 3 chg -C work audit --verify 2>stderr &&
	echo "chg audit: the pinned root of trust ${SQ}the first one${SQ} (chg.trustRoot) is not a commit id" >expect &&
	test_cmp expect stderr &&
	test_expect_code 2 chg -C work audit --verify --trust-root HEAD 2>stderr &&
	echo "chg audit: --trust-root ${SQ}HEAD${SQ} is not a commit id (4 to 40 hex digits)" >expect &&
	test_cmp expect stderr
'

test_expect_success 'setup: an approved revocation of dave'"'"'s key reaches the server' '
	git -C work checkout -q main &&
	cp dave.key.pub work/.chg/revoked_keys &&
	commit work "Jane Doe" jane@example.com "Revoke dave'"'"'s key" &&
	approve_trust work alice "Alice Example" alice@example.com &&
	approve_trust work carol "Carol Example" carol@example.com &&
	chg_lint_status 0 -C work &&
	git -C work push origin main 2>err &&
	! grep "^remote: " err
'

test_expect_success 'trust rollback: a merge whose first parent predates the revocation is rejected' '
	git -C work checkout -q -b rollback main~3 &&
	git -C work merge -q -s ours -m "Merge main" main &&
	! test -e work/.chg/revoked_keys &&
	new_approved work CHG-0002 dave "Dave Miller" dave@example.com &&
	git -C work merge-base --is-ancestor main rollback &&
	chg_lint_status 1 -C work --range main..rollback &&
	chain_line $(short work main) $(short work rollback) merged >expect &&
	test_cmp expect actual &&
	push_fails work origin rollback:main &&
	{
		cat expect &&
		echo "chg-lint: 1 error, 0 warnings in 2 files" &&
		echo "pre-receive: rejecting refs/heads/main (chg-lint exited 1)"
	} >expect.push &&
	test_cmp expect.push remote
'

test_expect_success 'the revoked key approves nothing on the protected chain (control)' '
	git -C work checkout -q -b forward main &&
	new_approved work CHG-0002 dave "Dave Miller" dave@example.com &&
	chg_lint_status 1 -C work --range main..forward &&
	grep "revoked" actual &&
	! grep "^\.chg:" actual
'

test_expect_success 'pre-receive rejects replace refs' '
	git -C work replace --graft $ORPHAN main &&
	push_fails work origin "refs/replace/*:refs/replace/*" &&
	echo "pre-receive: rejecting refs/replace/$ORPHAN: replace refs make git show another history than the one stored" >expect &&
	test_cmp expect remote &&
	git -C work replace -d $ORPHAN
'

test_expect_success 'setup: a replace ref on the server grafts an unrelated history onto main' '
	git -C server.git fetch -q "$PWD/work" evil &&
	git -C server.git replace --graft $ORPHAN main &&
	git -C server.git merge-base --is-ancestor main $ORPHAN &&
	! git -C server.git --no-replace-objects merge-base --is-ancestor main $ORPHAN
'

test_expect_success 'a force-push over main is not a fast-forward, whatever the replace ref says' '
	push_fails work --force origin $ORPHAN:main &&
	echo "pre-receive: rejecting refs/heads/main: not a fast-forward; its history is the audit trail and is never rewritten" >expect &&
	test_cmp expect remote
'

test_expect_success 'chg-lint reads the history as stored, not as the replace ref says' '
	test_expect_code 1 chg-lint -C server.git --range main..$ORPHAN >actual 2>stderr &&
	{
		chain_line $(short server.git main) $(short server.git $ORPHAN) &&
		pin_line $(short server.git $ORPHAN) $ROOT chg.trustRoot \
			"if the trust was re-rooted on purpose, pin the new root: git config chg.trustRoot $ORPHAN"
	} >expect &&
	test_cmp expect actual &&
	git -C server.git replace -d $ORPHAN
'

test_expect_success 'a grafts file: pre-receive refuses every update' '
	echo "$ORPHAN $(full work main)" >server.git/info/grafts &&
	test_when_finished "rm -f server.git/info/grafts" &&
	git -C work checkout -q main &&
	echo "# Changes" >work/README.md &&
	commit work "Jane Doe" jane@example.com "A README" &&
	push_fails work origin main &&
	echo "pre-receive: refusing every update: ${SQ}info/grafts${SQ} rewrites the history git reads; remove it (or convert it with ${SQ}git replace --convert-graft-file${SQ})" >expect &&
	# git itself warns that grafts are deprecated
	grep -v "^hint:" remote >actual &&
	test_cmp expect actual
'

test_expect_success 'a grafts file: chg-lint refuses to run' '
	echo "$ORPHAN $(full work main)" >work/.git/info/grafts &&
	test_when_finished "rm -f work/.git/info/grafts" &&
	chg_lint_status 3 -C work &&
	echo "chg-lint: ${SQ}$PWD/work/.git/info/grafts${SQ} rewrites the parents git reads and chg reads history as stored; remove it (or convert it with ${SQ}git replace --convert-graft-file${SQ}, whose replace refs chg ignores)" >expect &&
	test_cmp expect stderr &&
	chg_lint_status 3 -C work --range main~1..main &&
	test_cmp expect stderr &&
	test_expect_code 3 chg -C work audit --verify 2>stderr &&
	sed -e "s/^chg-lint:/chg audit:/" expect >expect.audit &&
	test_cmp expect.audit stderr
'

test_expect_success 'without a grafts file the push goes through (control)' '
	git -C work push origin main 2>err &&
	! grep "^remote: " err
'

test_expect_success 'the default branch is not deleted' '
	push_fails work origin :main &&
	echo "pre-receive: rejecting the deletion of refs/heads/main: its history is the audit trail" >expect &&
	test_cmp expect remote
'

test_expect_success 'chg.protect: a release branch is protected as main is' '
	git -C server.git config --add chg.protect "refs/heads/release/*" &&
	git -C work push -q origin main:refs/heads/release/1 &&
	git -C work checkout -q -b splice main~1 &&
	git -C work merge -q -s ours -m "Merge main" main &&
	push_fails work origin splice:refs/heads/release/1 &&
	{
		chain_line $(short work main) $(short work splice) merged &&
		echo "chg-lint: 1 error, 0 warnings in 1 file" &&
		echo "pre-receive: rejecting refs/heads/release/1 (chg-lint exited 1)"
	} >expect &&
	test_cmp expect remote &&
	push_fails work origin :refs/heads/release/1 &&
	echo "pre-receive: rejecting the deletion of refs/heads/release/1: its history is the audit trail" >expect &&
	test_cmp expect remote
'

test_expect_success 'an unprotected branch is checked for its new commits only, as before' '
	git -C work push -q origin main:refs/heads/topic &&
	git -C work checkout -q -b topic2 main~1 &&
	git -C work merge -q -s ours -m "Merge main" main &&
	git -C work push origin topic2:refs/heads/topic 2>err &&
	! grep "^remote: " err &&
	test "$(full server.git topic)" = "$(full work topic2)"
'

test_expect_success 'pre-push: the remote'"'"'s default branch keeps its first-parent chain' '
	cp "$CHG_SRC_DIR/hooks/pre-push" work/.git/hooks/pre-push &&
	test_when_finished "rm -f work/.git/hooks/pre-push" &&
	git -C work fetch -q origin &&
	git -C work remote set-head origin main &&
	git -C work checkout -q -b rollback2 main~1 &&
	git -C work merge -q -s ours -m "Merge main" main &&
	push_fails work origin rollback2:main &&
	test_must_be_empty remote &&
	{
		chain_line $(short work main) $(short work rollback2) merged &&
		echo "chg-lint: 1 error, 0 warnings in 1 file" &&
		echo "pre-push: not pushing refs/heads/rollback2 to refs/heads/main (chg-lint exited 1)"
	} >expect &&
	grep -v "^error: failed to push some refs" err >actual &&
	test_cmp expect actual
'

test_expect_success 'pre-push: another branch may be rewound, as the server allows' '
	cp "$CHG_SRC_DIR/hooks/pre-push" work/.git/hooks/pre-push &&
	test_when_finished "rm -f work/.git/hooks/pre-push" &&
	git -C work push --force origin main~1:refs/heads/topic 2>err &&
	! grep "chg-lint\|^remote: " err &&
	test "$(full server.git topic)" = "$(full work main~1)"
'

test_expect_success 'pull-request CI: a branch that merged main into itself passes the test merge' '
	git -C work checkout -q -b feature main~1 &&
	chg_normal_cr CHG-0003 >work/changes/CHG-0003.yaml &&
	commit work "Jane Doe" jane@example.com "Request CHG-0003" &&
	git -C work merge -q -m "Merge main into feature" main &&
	git -C work checkout -q -b test-merge main &&
	git -C work merge -q --no-ff -m "Merge feature" feature &&
	chg_lint_status 0 -C work --range main..test-merge &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C work --range main..feature &&
	chain_line $(short work main) $(short work feature) merged >expect &&
	test_cmp expect actual
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_done
