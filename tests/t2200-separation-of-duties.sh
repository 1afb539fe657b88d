#!/bin/sh

test_description='separation of duties: neither the requester nor an author of the content approves'

. "$(dirname "$0")"/lib-chg.sh

# new_repo DIR ID [NAME EMAIL]: a repository with the change request on
# stdin as changes/ID.yaml, committed by NAME <EMAIL> (default: its
# requester Jane).
new_repo () {
	chg_repo "$1" &&
	cat >"$1/changes/$2.yaml" &&
	(cd "$1" && chg_commit "${3:-Jane Doe}" "${4:-jane@example.com}" "Request $2")
}

# approve DIR ID NAME EMAIL: chg_approve in DIR, printing the approval
# commit's short id.
approve () {
	(cd "$1" && chg_approve "$2" "$3" "$4" && git rev-parse HEAD | cut -c1-7)
}

# rewrite DIR ID SED-SCRIPT: edits changes/ID.yaml with SED-SCRIPT.
rewrite () {
	sed -e "$3" "$1/changes/$2.yaml" >"$1/changes/$2.yaml.new" &&
	mv "$1/changes/$2.yaml.new" "$1/changes/$2.yaml"
}

SQ="'"
missing_line='changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab)'

test_expect_success 'the requester cannot approve their own change' '
	chg_normal_cr CHG-0001 approved | new_repo own CHG-0001 &&
	j=$(approve own CHG-0001 "Jane Doe" jane@example.com) &&
	chg_lint_status 1 -C own &&
	cat >expect <<-EOF &&
	$missing_line: jane@example.com $j self-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by jane@example.com in $j does not count: jane@example.com requested this change [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'not under another spelling of the email either' '
	chg_normal_cr CHG-0001 approved | new_repo own-case CHG-0001 &&
	j=$(approve own-case CHG-0001 "J. Doe" JANE@Example.com) &&
	chg_lint_status 1 -C own-case &&
	cat >expect <<-EOF &&
	$missing_line: JANE@Example.com $j self-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by JANE@Example.com in $j does not count: JANE@Example.com requested this change [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'a requester who is a manager cannot approve their own change' '
	chg_normal_cr CHG-0001 approved |
	sed -e "s/^requested-by: .*/requested-by: Dave Miller <dave@example.com>/" |
	new_repo manager CHG-0001 &&
	d=$(approve manager CHG-0001 "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C manager &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $d self-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: dave@example.com requested this change [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'an approver who edited the plan cannot approve it' '
	chg_normal_cr CHG-0001 approved | new_repo editor CHG-0001 &&
	rewrite editor CHG-0001 "s/^  Switch the listener back/  Switch both listeners back/" &&
	(cd editor && chg_commit "Carol Nguyen" carol@example.com "CHG-0001: both listeners") &&
	e=$(short editor) &&
	c=$(approve editor CHG-0001 "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C editor &&
	cat >expect <<-EOF &&
	$missing_line: carol@example.com $c self-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by carol@example.com in $c does not count: carol@example.com authored or committed $e, which changed this change${SQ}s content [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'another manager or CAB member can' '
	approve editor CHG-0001 "Dave Miller" dave@example.com &&
	c=$(short editor HEAD~1) &&
	chg_lint_status 0 -C editor &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: warning: approval by carol@example.com in $c does not count: carol@example.com authored or committed $(short editor HEAD~2), which changed this change${SQ}s content [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'committing an edit is editing: the committer cannot approve' '
	chg_normal_cr CHG-0001 approved | new_repo committer CHG-0001 &&
	rewrite committer CHG-0001 "s/^  Switch the listener back/  Switch both listeners back/" &&
	git -C committer add -A &&
	GIT_COMMITTER_NAME="Carol Nguyen" GIT_COMMITTER_EMAIL=carol@example.com \
		git -C committer commit -q -m "CHG-0001: both listeners" &&
	e=$(short committer) &&
	c=$(approve committer CHG-0001 "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C committer &&
	grep "^changes/CHG-0001.yaml:4:8: error: approval by carol@example.com in $c does not count: carol@example.com authored or committed $e, which changed this change${SQ}s content \\[self-approval\\]\$" actual
'

test_expect_success 'creating the file is editing it' '
	chg_normal_cr CHG-0001 approved | new_repo creator CHG-0001 "Carol Nguyen" carol@example.com &&
	e=$(short creator) &&
	c=$(approve creator CHG-0001 "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C creator &&
	cat >expect <<-EOF &&
	$missing_line: carol@example.com $c self-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by carol@example.com in $c does not count: carol@example.com authored or committed $e, which changed this change${SQ}s content [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'changing only what an approval does not cover is not editing' '
	chg_normal_cr CHG-0001 requested | new_repo state CHG-0001 &&
	approve state CHG-0001 "Dave Miller" dave@example.com &&
	rewrite state CHG-0001 "s/^state: requested/state: approved/" &&
	(cd state && chg_commit "Dave Miller" dave@example.com "CHG-0001: approved") &&
	rewrite state CHG-0001 "1i\\
# Rotation of the api.example.com certificate" &&
	(cd state && chg_commit "Dave Miller" dave@example.com "CHG-0001: a comment") &&
	chg_lint_status 0 -C state &&
	test_must_be_empty actual
'

test_expect_success 'an edit merged from a branch is its author'\''s, not the merger'\''s' '
	chg_normal_cr CHG-0001 requested | new_repo merged CHG-0001 &&
	git -C merged checkout -q -b plan &&
	rewrite merged CHG-0001 "s/^  Switch the listener back/  Switch both listeners back/" &&
	(cd merged && chg_commit "Carol Nguyen" carol@example.com "CHG-0001: both listeners") &&
	e=$(short merged) &&
	git -C merged checkout -q main &&
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
		git -C merged merge -q --no-ff -m "Merge the rollback plan of CHG-0001" plan &&
	c=$(approve merged CHG-0001 "Carol Nguyen" carol@example.com) &&
	approve merged CHG-0001 "Dave Miller" dave@example.com &&
	rewrite merged CHG-0001 "s/^state: requested/state: approved/" &&
	(cd merged && chg_commit "Jane Doe" jane@example.com "CHG-0001: approved") &&
	chg_lint_status 0 -C merged &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: warning: approval by carol@example.com in $c does not count: carol@example.com authored or committed $e, which changed this change${SQ}s content [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'a merge that resolves the content anew is an edit by the merger' '
	chg_normal_cr CHG-0001 requested | new_repo resolved CHG-0001 &&
	git -C resolved checkout -q -b plan &&
	rewrite resolved CHG-0001 "s/^  Switch the listener back/  Switch both listeners back/" &&
	(cd resolved && chg_commit "Carol Nguyen" carol@example.com "CHG-0001: both listeners") &&
	git -C resolved checkout -q main &&
	rewrite resolved CHG-0001 "s/^title: Rotate/title: Renew/" &&
	(cd resolved && chg_commit "Jane Doe" jane@example.com "CHG-0001: title") &&
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
		git -C resolved merge -q --no-ff -m "Merge the rollback plan of CHG-0001" plan &&
	m=$(short resolved) &&
	grep "^title: Renew" resolved/changes/CHG-0001.yaml &&
	grep "Switch both listeners back" resolved/changes/CHG-0001.yaml &&
	d=$(approve resolved CHG-0001 "Dave Miller" dave@example.com) &&
	rewrite resolved CHG-0001 "s/^state: requested/state: approved/" &&
	(cd resolved && chg_commit "Jane Doe" jane@example.com "CHG-0001: approved") &&
	chg_lint_status 1 -C resolved &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $d self-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: dave@example.com authored or committed $m, which changed this change${SQ}s content [self-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'separation-of-duties: false lets the requester approve' '
	chg_normal_cr CHG-0001 approved |
	sed -e "s/^requested-by: .*/requested-by: Dave Miller <dave@example.com>/" |
	new_repo nosod CHG-0001 "Dave Miller" dave@example.com &&
	approve nosod CHG-0001 "Dave Miller" dave@example.com &&
	chg_lint_status 1 -C nosod &&
	grep "\\[self-approval\\]\$" actual &&
	cat >>nosod/.chg/policy.yaml <<-\EOF &&
	  separation-of-duties: false
	EOF
	chg_lint_status 0 -C nosod &&
	test_must_be_empty actual
'

test_done
