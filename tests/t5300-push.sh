#!/bin/sh

test_description='the pre-receive and pre-push hooks, with real pushes'

. "$(dirname "$0")"/lib-chg.sh

CR=changes/CHG-0001.yaml
SQ="'"

# set_field FIELD VALUE: sets a top-level field of CHG-0001 in work/.
set_field () {
	sed -i "s/^$1: .*/$1: $2/" "work/$CR"
}

# commit MESSAGE: commits everything in work/ as Jane Doe.
commit () {
	(cd work && chg_commit "Jane Doe" jane@example.com "$1")
}

# short REV: the short id of REV in work/.
short () {
	git -C work rev-parse --short=7 "$1"
}

# push_fails ARGS...: 'git push ARGS' from work/ is refused and changes no
# ref of the server; git's stderr is in err, the hook's lines (without
# "remote: ") in remote.
push_fails () {
	git -C server.git for-each-ref >refs.before &&
	test_must_fail git -C work push "$@" 2>err &&
	sed -n "s/^remote: //p" err | sed -e "s/ *$//" >remote &&
	git -C server.git for-each-ref >refs.after &&
	test_cmp refs.before refs.after
}

# server_has REF REV: the server's REF is work/'s REV.
server_has () {
	git -C work rev-parse "$2" >expect &&
	git -C server.git rev-parse "$1" >actual &&
	test_cmp expect actual
}

test_expect_success 'setup: a server whose history predates the hook' '
	git init -q --bare -b main server.git &&
	chg_repo work &&
	git -C work remote add origin "$PWD/server.git" &&
	chg_normal_cr CHG-0001 requested >work/$CR &&
	commit "Request CHG-0001" &&
	sed -i "s/^type: normal/type: normla/" work/$CR &&
	commit "CHG-0001: type" &&
	sed -i "s/^type: normla/type: normal/" work/$CR &&
	commit "CHG-0001: type, fixed" &&
	git -C work push -q origin main &&
	cp "$CHG_SRC_DIR/hooks/pre-receive" server.git/hooks/pre-receive &&
	server_has refs/heads/main main
'

test_expect_success 'a valid change is accepted' '
	set_field title "Renew the TLS certificate of api.example.com" &&
	commit "CHG-0001: title" &&
	git -C work push origin main 2>err &&
	! grep "^remote: " err &&
	server_has refs/heads/main main
'

test_expect_success 'an unapproved change is rejected with the diagnostics, the ref unchanged' '
	set_field state approved &&
	commit "CHG-0001: approved" &&
	push_fails origin main &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-receive: rejecting refs/heads/main (chg-lint exited 1)
	EOF
	test_cmp expect remote &&
	grep "^ ! \[remote rejected\] main -> main (pre-receive hook declined)\$" err
'

test_expect_success 'an approval after the state change: the pushed commit before it is rejected' '
	(cd work && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	chg_lint_status 0 -C work &&
	push_fails origin main &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(short main~1): CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-receive: rejecting refs/heads/main (chg-lint exited 1)
	EOF
	test_cmp expect remote
'

test_expect_success 'approved first, then the state change: accepted' '
	git -C work reset -q --hard origin/main &&
	(cd work && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	set_field state approved &&
	commit "CHG-0001: approved" &&
	git -C work push origin main 2>err &&
	! grep "^remote: " err &&
	server_has refs/heads/main main
'

test_expect_success 'a new branch: checked for the commits no branch has yet' '
	git -C work checkout -q -b cancel &&
	set_field state draft &&
	commit "CHG-0001: back to draft" &&
	push_fails origin cancel &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changed from approved to draft (since $(short main)); the lifecycle allows approved to change to implementing, requested or cancelled [invalid-transition]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-receive: rejecting refs/heads/cancel (chg-lint exited 1)
	EOF
	test_cmp expect remote &&
	set_field state cancelled &&
	git -C work commit -q --amend -a -m "CHG-0001: cancelled" &&
	git -C work push origin cancel 2>err &&
	! grep "^remote: " err &&
	server_has refs/heads/cancel cancel
'

test_expect_success 'a new branch at a commit the server has: nothing to check' '
	git -C work push origin main~3:refs/heads/old 2>err &&
	! grep "^remote: " err &&
	server_has refs/heads/old main~3
'

test_expect_success 'a deletion is accepted' '
	git -C work push origin :cancel :old 2>err &&
	! grep "^remote: " err &&
	test_must_fail git -C server.git rev-parse --verify -q refs/heads/cancel &&
	test_must_fail git -C server.git rev-parse --verify -q refs/heads/old
'

test_expect_success 'main is never rewritten: a force-push of another history is rejected' '
	git -C work branch -f before-rewrite main &&
	git -C work checkout -q --orphan fresh &&
	(cd work && chg_commit "Mallory" mallory@example.com "A history of my own") &&
	push_fails --force origin fresh:main &&
	cat >expect <<-EOF &&
	pre-receive: rejecting refs/heads/main: not a fast-forward; its history is the audit trail and is never rewritten
	EOF
	test_cmp expect remote
'

test_expect_success 'nor is it deleted' '
	push_fails origin :main &&
	cat >expect <<-EOF &&
	pre-receive: rejecting the deletion of refs/heads/main: its history is the audit trail
	EOF
	test_cmp expect remote
'

test_expect_success 'a rewrite of another branch is its owner'"'"'s business' '
	git -C work push -q origin before-rewrite:topic &&
	git -C work push -q --force origin fresh:topic 2>err &&
	server_has refs/heads/topic fresh &&
	git -C work push -q origin :topic
'

test_expect_success 'chg.allowRewrite lets an administrator rewrite main' '
	git -C server.git config chg.allowRewrite true &&
	git -C server.git rev-parse main >main.before &&
	git -C work push -q --force origin fresh:main &&
	server_has refs/heads/main fresh &&
	git -C server.git config --unset chg.allowRewrite &&
	git -C server.git update-ref refs/heads/main "$(cat main.before)" &&
	git -C work fetch -q --force origin "+refs/heads/*:refs/remotes/origin/*" &&
	git -C work checkout -q main &&
	git -C work branch -q -D fresh before-rewrite
'

test_expect_success 'tags are not checked' '
	git -C work checkout -q main &&
	sed -i "s/^type: normal/type: normla/" work/$CR &&
	git -C work commit -q -a -m "CHG-0001: broken" &&
	git -C work tag broken &&
	git -C work reset -q --hard HEAD~1 &&
	git -C work push origin broken 2>err &&
	! grep "^remote: " err &&
	server_has refs/tags/broken broken
'

test_expect_success 'several refs in one push: each is reported, none is updated' '
	git -C work checkout -q -b two main &&
	chg_normal_cr CHG-0002 >work/changes/CHG-0002.yaml &&
	sed -i "s/^type: normal/type: normla/" work/changes/CHG-0002.yaml &&
	commit "Request CHG-0002" &&
	git -C work checkout -q main &&
	set_field state implemented &&
	commit "CHG-0001: implemented" &&
	push_fails origin main two &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changed from approved to implemented (since $(short main~1)); the lifecycle allows approved to change to implementing, requested or cancelled [invalid-transition]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-receive: rejecting refs/heads/main (chg-lint exited 1)
	changes/CHG-0002.yaml:3:7: error: type must be one of standard, normal, emergency, not ${SQ}normla${SQ} [invalid-value]
	chg-lint: 1 error, 0 warnings in 2 files
	pre-receive: rejecting refs/heads/two (chg-lint exited 1)
	EOF
	sort expect >expect.sorted &&
	sort remote >remote.sorted &&
	test_cmp expect.sorted remote.sorted &&
	git -C work branch -q -D two
'

test_expect_success 'pre-receive rejects when chg-lint cannot be found' '
	CHG_LINT=no-such-chg-lint push_fails origin main &&
	echo "pre-receive: ${SQ}no-such-chg-lint${SQ} not found; install chg or set CHG_LINT" >expect &&
	test_cmp expect remote
'

test_expect_success 'pre-push: blocks the push before anything is sent' '
	cp "$CHG_SRC_DIR/hooks/pre-push" work/.git/hooks/pre-push &&
	echo "# Changes" >work/README.md &&
	commit "A README" &&
	push_fails origin main &&
	test_must_be_empty remote &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(short main~1): state changed from approved to implemented (since $(short main~2)); the lifecycle allows approved to change to implementing, requested or cancelled [invalid-transition]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-push: not pushing refs/heads/main to refs/heads/main (chg-lint exited 1)
	EOF
	grep -v "^error: failed to push some refs" err >actual &&
	test_cmp expect actual
'

test_expect_success 'pre-push: --no-verify skips it, and pre-receive still rejects' '
	push_fails --no-verify origin main &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(short main~1): state changed from approved to implemented (since $(short main~2)); the lifecycle allows approved to change to implementing, requested or cancelled [invalid-transition]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-receive: rejecting refs/heads/main (chg-lint exited 1)
	EOF
	test_cmp expect remote
'

test_expect_success 'pre-push: a valid push passes both hooks' '
	git -C work reset -q --hard origin/main &&
	set_field state implementing &&
	commit "CHG-0001: implementing" &&
	git -C work push origin main 2>err &&
	! grep "^remote: " err &&
	server_has refs/heads/main main
'

test_expect_success 'pre-push: a new branch is checked for what the remote does not have' '
	git -C work checkout -q -b wip &&
	set_field state implemented &&
	commit "CHG-0001: implemented" &&
	set_field state closed &&
	commit "CHG-0001: closed" &&
	push_fails origin wip &&
	test_must_be_empty remote &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: a closed normal or emergency change needs a post-implementation review [missing-review]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-push: not pushing refs/heads/wip to refs/heads/wip (chg-lint exited 1)
	EOF
	grep -v "^error: failed to push some refs" err >actual &&
	test_cmp expect actual &&
	git -C work reset -q --hard HEAD~1 &&
	git -C work push origin wip 2>err &&
	server_has refs/heads/wip wip
'

test_expect_success 'pre-push: the remote commit is not here: what no remote-tracking branch has' '
	git clone -q server.git other &&
	echo "# Changes" >other/README.md &&
	git -C other add README.md &&
	git -C other commit -q -m "A README" &&
	git -C other push -q origin main &&
	git -C work checkout -q main &&
	set_field state approved &&
	commit "CHG-0001: approved again" &&
	echo "# Notes" >work/NOTES.md &&
	commit "Notes" &&
	push_fails --force origin main &&
	test_must_be_empty remote &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(short main~1): state changed from implementing to approved (since $(short main~2)); the lifecycle allows implementing to change to implemented or cancelled [invalid-transition]
	chg-lint: 1 error, 0 warnings in 1 file
	pre-push: not pushing refs/heads/main to refs/heads/main (chg-lint exited 1)
	EOF
	grep -v "^error: failed to push some refs" err >actual &&
	test_cmp expect actual
'

test_expect_success 'pre-push: a deletion is not checked' '
	git -C work push origin :wip 2>err &&
	test_must_fail git -C server.git rev-parse --verify -q refs/heads/wip
'

test_done
