#!/bin/sh

test_description='the pre-commit and commit-msg hooks'

. "$(dirname "$0")"/lib-chg.sh

# rewrite FILE SED-SCRIPT: edits FILE in place.
rewrite () {
	sed -e "$2" "$1" >"$1.new" &&
	mv "$1.new" "$1"
}

# approval_message ID DIGEST IDENTITY: the message of an approval commit.
approval_message () {
	printf 'Approve %s\n\nChange-Request: %s\nChange-Digest: %s\nApproved-by: %s\n' \
		"$1" "$1" "$2" "$3"
}

test_expect_success 'setup' '
	chg_repo repo &&
	git -C repo config core.hooksPath "$CHG_SRC_DIR/hooks" &&
	chg_normal_cr CHG-0001 requested >good.yaml &&
	sed -e "s/^  level: medium/  level: meduim/" good.yaml >broken.yaml &&
	cat >broken.expect <<-\EOF
	changes/CHG-0001.yaml:14:10: error: risk.level must be one of low, medium, high, critical, not '\''meduim'\'' [invalid-value]
	chg-lint: 1 error, 0 warnings in 1 file
	EOF
'

test_expect_success 'pre-commit accepts a valid change request' '
	cp good.yaml repo/changes/CHG-0001.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") 2>err &&
	test_must_be_empty err &&
	echo "Request CHG-0001" >expect &&
	git -C repo log -1 --format=%s >actual &&
	test_cmp expect actual
'

test_expect_success 'pre-commit rejects a staged invalid change request' '
	git -C repo rev-parse HEAD >head.before &&
	cp broken.yaml repo/changes/CHG-0001.yaml &&
	git -C repo add changes/CHG-0001.yaml &&
	test_must_fail git -C repo commit -q -m "CHG-0001: risk" 2>err &&
	test_cmp broken.expect err &&
	git -C repo rev-parse HEAD >head.after &&
	test_cmp head.before head.after
'

test_expect_success 'pre-commit checks the index: fixed in the working tree, it still fails' '
	cp good.yaml repo/changes/CHG-0001.yaml &&
	test_must_fail git -C repo commit -q -m "CHG-0001: risk" 2>err &&
	test_cmp broken.expect err
'

test_expect_success 'git commit -a: the hook sees what -a stages' '
	test_when_finished "git -C repo reset -q --hard" &&
	git -C repo commit -q -a -m "CHG-0001: unchanged after all" --allow-empty 2>err &&
	test_must_be_empty err &&
	git -C repo diff --quiet HEAD~1 HEAD
'

test_expect_success 'git commit -a rejects a broken working tree file' '
	git -C repo rev-parse HEAD >head.before &&
	cp broken.yaml repo/changes/CHG-0001.yaml &&
	test_must_fail git -C repo commit -q -a -m "CHG-0001: risk" 2>err &&
	test_cmp broken.expect err &&
	git -C repo rev-parse HEAD >head.after &&
	test_cmp head.before head.after
'

test_expect_success 'while a commit of the (good) index passes' '
	echo "# Changes" >repo/README.md &&
	git -C repo add README.md &&
	git -C repo commit -q -m "A README" 2>err &&
	test_must_be_empty err &&
	cp good.yaml repo/changes/CHG-0001.yaml
'

test_expect_success 'git commit -a with a valid edit passes' '
	rewrite repo/changes/CHG-0001.yaml "s/^title: Rotate/title: Renew and rotate/" &&
	git -C repo commit -q -a -m "CHG-0001: title" 2>err &&
	test_must_be_empty err &&
	git -C repo show HEAD:changes/CHG-0001.yaml >committed &&
	grep "^title: Renew and rotate" committed
'

test_expect_success 'pre-commit in a linked worktree checks that worktree'\''s index' '
	git -C repo worktree add -q "$PWD/linked" -b linked &&
	cp broken.yaml linked/changes/CHG-0001.yaml &&
	mkdir linked/sub &&
	test_must_fail git -C linked/sub commit -q -a -m "CHG-0001: risk" 2>err &&
	test_cmp broken.expect err &&
	git -C linked checkout -q changes/CHG-0001.yaml &&
	echo "# Linked" >linked/README.md &&
	git -C linked commit -q -a -m "README in the linked worktree" 2>err &&
	test_must_be_empty err
'

test_expect_success 'pre-commit rejects a state that lacks its approvals' '
	rewrite repo/changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	test_must_fail git -C repo commit -q -a -m "CHG-0001: approved" 2>err &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	chg-lint: 1 error, 0 warnings in 1 file
	EOF
	test_cmp expect err
'

test_expect_success 'an approval commit passes both hooks, and then the state change does' '
	rewrite repo/changes/CHG-0001.yaml "s/^state: approved/state: requested/" &&
	digest=$(chg -C repo digest CHG-0001) &&
	approval_message CHG-0001 "$digest" "Dave Miller <dave@example.com>" >msg &&
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
		git -C repo commit -q --allow-empty -F "$PWD/msg" 2>err &&
	test_must_be_empty err &&
	git -C repo cat-file commit HEAD | sed -e "1,/^$/d" >actual &&
	test_cmp msg actual &&
	rewrite repo/changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	git -C repo commit -q -a -m "CHG-0001: approved" 2>err &&
	test_must_be_empty err &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success '--no-verify skips pre-commit' '
	cp broken.yaml repo/changes/CHG-0001.yaml &&
	git -C repo commit -q --no-verify -a -m "CHG-0001: unchecked" &&
	git -C repo show HEAD:changes/CHG-0001.yaml >committed &&
	grep "level: meduim" committed &&
	git -C repo reset -q --hard HEAD~1
'

test_expect_success 'pre-commit fails when chg-lint cannot be found' '
	echo "# Changes to come" >repo/README.md &&
	git -C repo add README.md &&
	test_must_fail env CHG_LINT=no-such-chg-lint git -C repo commit -q -m "README" 2>err &&
	echo "pre-commit: '\''no-such-chg-lint'\'' not found; install chg or set CHG_LINT" >expect &&
	test_cmp expect err &&
	git -C repo reset -q --hard
'

# commit_msg_fails MESSAGE-FILE: a commit with that message is refused and
# nothing is committed; git's stderr is in err.
commit_msg_fails () {
	git -C repo rev-parse HEAD >head.before &&
	test_must_fail git -C repo commit -q --allow-empty -F "$PWD/$1" 2>err &&
	git -C repo rev-parse HEAD >head.after &&
	test_cmp head.before head.after
}

# expect_malformed DIAGNOSTIC...: expect holds the hook's report.
expect_malformed () {
	for d in "$@"; do
		echo ".git/COMMIT_EDITMSG: error: $d"
	done >expect &&
	echo "chg check-message: the approval trailers in '.git/COMMIT_EDITMSG' are malformed; fix them ('chg digest ID' prints the digest)" >>expect
}

test_expect_success 'commit-msg accepts an ordinary message' '
	git -C repo commit -q --allow-empty -m "Weekly review of open changes" 2>err &&
	test_must_be_empty err &&
	echo "Weekly review of open changes" >expect &&
	git -C repo log -1 --format=%s >actual &&
	test_cmp expect actual
'

test_expect_success 'commit-msg accepts a well-formed approval written in an editor' '
	digest=$(chg -C repo digest CHG-0001) &&
	approval_message CHG-0001 "$digest" "Carol Nguyen <carol@example.com>" >msg &&
	GIT_AUTHOR_NAME="Carol Nguyen" GIT_AUTHOR_EMAIL=carol@example.com \
	GIT_COMMITTER_NAME="Carol Nguyen" GIT_COMMITTER_EMAIL=carol@example.com \
	GIT_EDITOR=true git -C repo commit -q -e -v --allow-empty -F "$PWD/msg" 2>err &&
	test_must_be_empty err &&
	git -C repo cat-file commit HEAD | sed -e "1,/^$/d" >actual &&
	test_cmp msg actual
'

test_expect_success 'commit-msg rejects an unknown change id' '
	digest=$(chg -C repo digest CHG-0001) &&
	approval_message CHG-0009 "$digest" "Dave Miller <dave@example.com>" >msg &&
	commit_msg_fails msg &&
	expect_malformed "Change-Request names CHG-0009, which is not a change request in this repository [invalid-value]" &&
	test_cmp expect err
'

test_expect_success 'commit-msg rejects a digest in upper case' '
	digest=$(chg -C repo digest CHG-0001 | sed -e "s/sha256://" | tr a-f A-F) &&
	approval_message CHG-0001 "sha256:$digest" "Dave Miller <dave@example.com>" >msg &&
	commit_msg_fails msg &&
	expect_malformed "invalid Change-Digest '\''sha256:$digest'\'', expected '\''sha256:'\'' and 64 lowercase hex digits [invalid-value]" &&
	test_cmp expect err
'

test_expect_success 'commit-msg rejects a digest without sha256: or of the wrong length' '
	digest=$(chg -C repo digest CHG-0001 | sed -e "s/sha256://") &&
	approval_message CHG-0001 "$digest" "Dave Miller <dave@example.com>" >msg &&
	commit_msg_fails msg &&
	expect_malformed "invalid Change-Digest '\''$digest'\'', expected '\''sha256:'\'' and 64 lowercase hex digits [invalid-value]" &&
	test_cmp expect err &&
	approval_message CHG-0001 "sha256:${digest}0" "Dave Miller <dave@example.com>" >msg &&
	commit_msg_fails msg &&
	expect_malformed "invalid Change-Digest '\''sha256:${digest}0'\'', expected '\''sha256:'\'' and 64 lowercase hex digits [invalid-value]" &&
	test_cmp expect err
'

test_expect_success 'commit-msg rejects an approver that is not Name <email>' '
	digest=$(chg -C repo digest CHG-0001) &&
	approval_message CHG-0001 "$digest" "dave@example.com" >msg &&
	commit_msg_fails msg &&
	expect_malformed "invalid Approved-by identity '\''dave@example.com'\'', expected '\''Name <email>'\'' [invalid-value]" &&
	test_cmp expect err &&
	approval_message CHG-0001 "$digest" "Dave Miller <dave>" >msg &&
	commit_msg_fails msg &&
	expect_malformed "invalid Approved-by identity '\''Dave Miller <dave>'\'', expected '\''Name <email>'\'' [invalid-value]" &&
	test_cmp expect err
'

test_expect_success 'commit-msg rejects two Approved-by in one commit' '
	digest=$(chg -C repo digest CHG-0001) &&
	{
		approval_message CHG-0001 "$digest" "Dave Miller <dave@example.com>" &&
		echo "Approved-by: Carol Nguyen <carol@example.com>"
	} >msg &&
	commit_msg_fails msg &&
	expect_malformed "trailer Approved-by occurs 2 times, expected once [invalid-value]" &&
	test_cmp expect err
'

test_expect_success 'commit-msg rejects a missing Change-Digest' '
	printf "Approve CHG-0001\n\nChange-Request: CHG-0001\nApproved-by: Dave Miller <dave@example.com>\n" >msg &&
	commit_msg_fails msg &&
	expect_malformed "missing Change-Digest trailer [required-field]" &&
	test_cmp expect err
'

test_expect_success 'commit-msg rejects Approved-by together with Rejected-by' '
	digest=$(chg -C repo digest CHG-0001) &&
	{
		approval_message CHG-0001 "$digest" "Dave Miller <dave@example.com>" &&
		echo "Rejected-by: Dave Miller <dave@example.com>"
	} >msg &&
	commit_msg_fails msg &&
	expect_malformed "both Approved-by and Rejected-by trailers, expected one of them [invalid-value]" &&
	test_cmp expect err
'

test_expect_success 'commit-msg fails when chg cannot be found' '
	test_must_fail env CHG=no-such-chg git -C repo commit -q --allow-empty -m "Anything" 2>err &&
	echo "commit-msg: '\''no-such-chg'\'' not found; install chg or set CHG" >expect &&
	test_cmp expect err
'

test_expect_success 'chg check-message: exit statuses' '
	approval_message CHG-0001 "$(chg -C repo digest CHG-0001)" "Dave Miller <dave@example.com>" >repo/ok.msg &&
	(cd repo && chg check-message ok.msg) 2>err &&
	test_must_be_empty err &&
	approval_message CHG-0001 "sha256:0" "Dave Miller <dave@example.com>" >repo/bad.msg &&
	(cd repo && test_expect_code 1 chg check-message bad.msg) 2>err &&
	grep "^bad.msg: error: invalid Change-Digest" err &&
	(cd repo && test_expect_code 2 chg check-message) 2>err &&
	grep "^usage: chg check-message FILE\$" err &&
	(cd repo && test_expect_code 3 chg check-message no-such.msg) 2>err &&
	echo "chg check-message: cannot read '\''no-such.msg'\''" >expect &&
	test_cmp expect err &&
	rm repo/ok.msg repo/bad.msg
'

test_done
