#!/bin/sh

test_description='chg-lint --rev (files and history as of a revision) and --staged (the index)'

. "$(dirname "$0")"/lib-chg.sh

# rewrite FILE SED-SCRIPT: edits FILE in place.
rewrite () {
	sed -e "$2" "$1" >"$1.new" &&
	mv "$1.new" "$1"
}

# abbrev DIGEST: the digest as stale-approval messages quote it.
abbrev () {
	printf '%s...' "$(printf '%s' "$1" | cut -c1-19)"
}

SQ="'"
missing_line='changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab)'

test_expect_success 'setup: approved, then the rollback plan edited' '
	chg_repo repo &&
	chg_normal_cr CHG-0001 approved >repo/changes/CHG-0001.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	chg -C repo digest CHG-0001 >old-digest &&
	(cd repo && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	git -C repo tag -a -m "approved" approved &&
	rewrite repo/changes/CHG-0001.yaml "s/back to the old certificate/back to the previous certificate/" &&
	(cd repo && chg_commit "Bob Ops" bob@example.com "CHG-0001: rollback plan") &&
	chg -C repo digest CHG-0001 >new-digest &&
	d=$(short repo HEAD~1) &&
	cat >stale.expect <<-EOF
	$missing_line: dave@example.com $d stale-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d is stale: it approved $(abbrev "$(cat old-digest)"), the change is now $(abbrev "$(cat new-digest)"); ask for a new approval [stale-approval]
	EOF
'

test_expect_success 'the working tree with HEAD'\''s history: stale' '
	chg_lint_status 1 -C repo &&
	test_cmp stale.expect actual
'

test_expect_success '--rev HEAD: the same' '
	chg_lint_status 1 -C repo --rev HEAD &&
	test_cmp stale.expect actual
'

test_expect_success '--rev before the edit: the approval was current' '
	chg_lint_status 0 -C repo --rev HEAD~1 &&
	test_must_be_empty actual &&
	test_must_be_empty stderr
'

test_expect_success '--rev takes branch and tag names' '
	chg_lint_status 0 -C repo --rev approved &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --rev main &&
	test_cmp stale.expect actual
'

test_expect_success '--rev: history as of the revision (the approval came later)' '
	chg_lint_status 1 -C repo --rev HEAD~2 &&
	echo "$missing_line [missing-approval]" >expect &&
	test_cmp expect actual
'

test_expect_success '--rev ignores the working tree and does not touch it' '
	rewrite repo/changes/CHG-0001.yaml "s/^  level: medium/  level: meduim/" &&
	chg_normal_cr CHG-0002 approved >repo/changes/CHG-0002.yaml &&
	git -C repo status --porcelain >status.before &&
	git -C repo rev-parse HEAD >head.before &&
	chg_lint_status 0 -C repo --rev HEAD~1 &&
	test_must_be_empty actual &&
	git -C repo status --porcelain >status.after &&
	git -C repo rev-parse HEAD >head.after &&
	test_cmp status.before status.after &&
	test_cmp head.before head.after &&
	chg_lint_status 1 -C repo &&
	grep "^changes/CHG-0001.yaml:14:10: error: .*meduim.* \\[invalid-value\\]\$" actual &&
	grep "^changes/CHG-0002.yaml:4:8: error: CHG-0002 is approved but 0 of the 1" actual &&
	git -C repo checkout -q changes/CHG-0001.yaml &&
	rm repo/changes/CHG-0002.yaml
'

test_expect_success '--rev with a path lints that file as of the revision' '
	chg_lint_status 0 -C repo --rev HEAD~1 changes/CHG-0001.yaml &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --rev HEAD changes/CHG-0001.yaml &&
	test_cmp stale.expect actual
'

test_expect_success '--rev in a bare repository; there the default is HEAD' '
	git clone -q --bare repo bare.git &&
	chg_lint_status 1 -C bare.git &&
	test_cmp stale.expect actual &&
	chg_lint_status 0 -C bare.git --rev HEAD~1 &&
	test_must_be_empty actual
'

test_expect_success 'a shallow clone cannot run (3): approvals need the whole history' '
	git clone -q --depth 1 "file://$PWD/repo" shallow &&
	chg_lint_status 3 -C shallow &&
	test_must_be_empty actual &&
	echo "chg-lint: the repository is a shallow clone and approvals need its whole history; run ${SQ}git fetch --unshallow${SQ}" >expect &&
	test_cmp expect stderr &&
	chg_lint_status 3 -C shallow --rev HEAD &&
	test_cmp expect stderr &&
	git -C shallow fetch -q --unshallow &&
	chg_lint_status 1 -C shallow &&
	test_cmp stale.expect actual
'

test_expect_success 'an unknown revision cannot run (3)' '
	chg_lint_status 3 -C repo --rev no-such-rev &&
	test_must_be_empty actual &&
	echo "chg-lint: unknown revision '\''no-such-rev'\''" >expect &&
	test_cmp expect stderr
'

test_expect_success 'a revision that is not a commit cannot run (3)' '
	chg_lint_status 3 -C repo --rev HEAD:changes/CHG-0001.yaml &&
	test_must_be_empty actual &&
	echo "chg-lint: unknown revision '\''HEAD:changes/CHG-0001.yaml'\''" >expect &&
	test_cmp expect stderr
'

test_expect_success '--rev and --staged together are a usage error (2)' '
	chg_lint_status 2 -C repo --rev HEAD --staged &&
	test_must_be_empty actual &&
	echo "chg-lint: --rev and --staged cannot be used together" >expect &&
	test_cmp expect stderr
'

test_expect_success 'setup --staged' '
	chg_repo staged &&
	chg_normal_cr CHG-0001 requested >staged/changes/CHG-0001.yaml &&
	(cd staged && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	cp staged/changes/CHG-0001.yaml good.yaml &&
	sed -e "s/^  level: medium/  level: meduim/" good.yaml >broken.yaml
'

test_expect_success '--staged: a broken file in the index fails, fixed in the working tree' '
	cp broken.yaml staged/changes/CHG-0001.yaml &&
	git -C staged add changes/CHG-0001.yaml &&
	cp good.yaml staged/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C staged --staged &&
	grep "^changes/CHG-0001.yaml:14:10: error: .*meduim.* \\[invalid-value\\]\$" actual &&
	test "$(wc -l <actual)" -eq 1 &&
	chg_lint_status 0 -C staged &&
	test_must_be_empty actual
'

test_expect_success '--staged: a good file in the index passes, broken in the working tree' '
	git -C staged add changes/CHG-0001.yaml &&
	cp broken.yaml staged/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C staged --staged &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C staged &&
	grep "^changes/CHG-0001.yaml:14:10: error: .*meduim.* \\[invalid-value\\]\$" actual &&
	cp good.yaml staged/changes/CHG-0001.yaml
'

test_expect_success '--staged: an untracked file is not in the index' '
	cp broken.yaml staged/changes/CHG-0002.yaml &&
	sed -e "s/CHG-0001/CHG-0002/" broken.yaml >staged/changes/CHG-0002.yaml &&
	chg_lint_status 0 -C staged --staged &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C staged &&
	grep "^changes/CHG-0002.yaml:14:10: error: .*meduim.* \\[invalid-value\\]\$" actual &&
	rm staged/changes/CHG-0002.yaml
'

test_expect_success '--staged: the staged state against the approvals in HEAD'\''s history' '
	sed -e "s/^state: requested/state: approved/" good.yaml >staged/changes/CHG-0001.yaml &&
	git -C staged add changes/CHG-0001.yaml &&
	cp good.yaml staged/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C staged --staged &&
	echo "$missing_line [missing-approval]" >expect &&
	test_cmp expect actual &&
	digest=$(chg -C staged digest CHG-0001) &&
	commit=$(printf "Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: Dave Miller <dave@example.com>\n" "$digest" |
		GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
		GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
		git -C staged commit-tree -p HEAD "HEAD^{tree}") &&
	git -C staged update-ref HEAD "$commit" &&
	chg_lint_status 0 -C staged --staged &&
	test_must_be_empty actual
'

test_expect_success '--staged in a repository without commits' '
	chg_repo unborn &&
	chg_normal_cr CHG-0001 requested >unborn/changes/CHG-0001.yaml &&
	git -C unborn add -A &&
	chg_lint_status 0 -C unborn --staged &&
	test_must_be_empty actual &&
	chg_normal_cr CHG-0001 approved >unborn/changes/CHG-0001.yaml &&
	git -C unborn add -A &&
	chg_lint_status 1 -C unborn --staged &&
	echo "$missing_line [missing-approval]" >expect &&
	test_cmp expect actual
'

test_expect_success '--rev in a repository without commits cannot run (3)' '
	chg_lint_status 3 -C unborn --rev HEAD &&
	echo "chg-lint: unknown revision '\''HEAD'\''" >expect &&
	test_cmp expect stderr
'

test_done
