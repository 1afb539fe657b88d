#!/bin/sh

test_description='the lifecycle follows the change request id, whatever its path'

. "$(dirname "$0")"/lib-chg.sh

# short REPO REV: the short id of REV in REPO, as chg-lint prints it.
short () {
	git -C "$1" rev-parse --short=7 "$2"
}

# set_state FILE STATE
set_state () {
	sed -i "s/^state: .*/state: $2/" "$1"
}

# requested REPO PATH: a repository whose first commit holds a requested
# CHG-0001 at PATH (under changes/), approved by dave in the second.
requested () {
	chg_repo "$1" &&
	mkdir -p "$(dirname "$1/$2")" &&
	chg_normal_cr CHG-0001 requested >"$1/$2" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 chg_approve CHG-0001 "Dave Miller" dave@example.com)
}

# review: the post-implementation review of a closed change.
review () {
	cat <<-\EOF
	review:
	  outcome: successful
	  actual-start: 2026-12-05T22:05:00Z
	  actual-end: 2026-12-05T22:50:00Z
	  notes: |
	    Done as planned.
	EOF
}

test_expect_success 'setup: a cancelled change moved with state approved in one commit' '
	requested moved changes/acme/CHG-0001.yaml &&
	set_state moved/changes/acme/CHG-0001.yaml cancelled &&
	(cd moved && chg_commit "Jane Doe" jane@example.com "Cancel CHG-0001") &&
	short moved HEAD >cancelled &&
	mkdir moved/changes/globex &&
	git -C moved mv changes/acme/CHG-0001.yaml changes/globex/CHG-0001.yaml &&
	set_state moved/changes/globex/CHG-0001.yaml approved &&
	(cd moved && chg_commit "Jane Doe" jane@example.com "Move CHG-0001")
'

test_expect_success 'the commit that moved it is compared with the same id before it' '
	chg_lint_status 1 -C moved --rev HEAD &&
	cat >expect <<-EOF &&
	changes/globex/CHG-0001.yaml:4:8: error: state changed from cancelled to approved (since $(cat cancelled)); the lifecycle allows cancelled to change to nothing: it is final [invalid-transition]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C moved --range HEAD~1..HEAD &&
	test_cmp expect actual
'

test_expect_success 'later, history still knows the id was cancelled' '
	chg_lint_status 1 -C moved &&
	cat >expect <<-EOF &&
	changes/globex/CHG-0001.yaml:4:8: error: CHG-0001 was cancelled in $(cat cancelled) and a change request id is never reused: give this change request a new id [invalid-transition]
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: a cancelled change deleted, then added again' '
	requested readded changes/CHG-0001.yaml &&
	set_state readded/changes/CHG-0001.yaml cancelled &&
	(cd readded && chg_commit "Jane Doe" jane@example.com "Cancel CHG-0001") &&
	short readded HEAD >cancelled &&
	cp readded/changes/CHG-0001.yaml cancelled.yaml &&
	git -C readded rm -q changes/CHG-0001.yaml &&
	(cd readded && chg_commit "Jane Doe" jane@example.com "Remove CHG-0001") &&
	mkdir -p readded/changes &&
	sed "s/^state: .*/state: approved/" cancelled.yaml >readded/changes/CHG-0001.yaml &&
	(cd readded && chg_commit "Jane Doe" jane@example.com "Add CHG-0001 again") &&
	short readded HEAD >again
'

test_expect_success 'the id added again is invalid-transition at HEAD' '
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 was cancelled in $(cat cancelled) and a change request id is never reused: give this change request a new id [invalid-transition]
	EOF
	chg_lint_status 1 -C readded &&
	test_cmp expect actual &&
	chg_lint_status 1 -C readded --rev HEAD &&
	test_cmp expect actual
'

test_expect_success '--range reports it in the commit that added it again' '
	set_state readded/changes/CHG-0001.yaml cancelled &&
	(cd readded && chg_commit "Jane Doe" jane@example.com "Cancel CHG-0001 again") &&
	chg_lint_status 0 -C readded --rev HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C readded --range HEAD~3..HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(cat again): CHG-0001 was cancelled in $(cat cancelled) and a change request id is never reused: give this change request a new id [invalid-transition]
	EOF
	test_cmp expect actual
'

test_expect_success 'the first commit that finished the id is the one named' '
	set_state readded/changes/CHG-0001.yaml requested &&
	(cd readded && chg_commit "Jane Doe" jane@example.com "Reopen CHG-0001") &&
	chg_lint_status 1 -C readded &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 was cancelled in $(cat cancelled) and a change request id is never reused: give this change request a new id [invalid-transition]
	EOF
	test_cmp expect actual
'

test_expect_success '--range judges each commit by the history it has, not by later commits' '
	chg_repo later &&
	chg_normal_cr CHG-0001 requested >later/changes/CHG-0001.yaml &&
	(cd later && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	sed -i "s/^title: .*/title: Renew the TLS certificate of api.example.com/" \
		later/changes/CHG-0001.yaml &&
	(cd later && chg_commit "Jane Doe" jane@example.com "CHG-0001: title") &&
	set_state later/changes/CHG-0001.yaml cancelled &&
	(cd later && chg_commit "Jane Doe" jane@example.com "Cancel CHG-0001") &&
	chg_lint_status 0 -C later --range HEAD~2..HEAD &&
	test_must_be_empty actual
'

test_expect_success 'a requested change may move to another directory' '
	requested requested changes/acme/CHG-0001.yaml &&
	mkdir requested/changes/globex &&
	git -C requested mv changes/acme/CHG-0001.yaml changes/globex/CHG-0001.yaml &&
	(cd requested && chg_commit "Jane Doe" jane@example.com "Move CHG-0001") &&
	chg_lint_status 0 -C requested --rev HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C requested --range HEAD~2..HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C requested &&
	test_must_be_empty actual
'

test_expect_success 'a move does not hide a skipped step' '
	short requested HEAD >head &&
	git -C requested mv changes/globex/CHG-0001.yaml changes/CHG-0001.yaml &&
	set_state requested/changes/CHG-0001.yaml implemented &&
	chg_lint_status 1 -C requested &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changes from requested to implemented (since $(cat head)); the lifecycle allows requested to change to approved, implementing, rejected or cancelled [invalid-transition]
	EOF
	test_cmp expect actual
'

test_expect_success 'a closed change may be archived in another directory' '
	requested archived changes/CHG-0001.yaml &&
	for s in approved implementing implemented closed
	do
		set_state archived/changes/CHG-0001.yaml $s &&
		if test $s = closed
		then
			review >>archived/changes/CHG-0001.yaml
		fi &&
		(cd archived && chg_commit "Bob Ops" bob@example.com "CHG-0001: $s") ||
		return 1
	done &&
	mkdir -p archived/changes/archive/2026 &&
	git -C archived mv changes/CHG-0001.yaml changes/archive/2026/CHG-0001.yaml &&
	(cd archived && chg_commit "Jane Doe" jane@example.com "Archive CHG-0001") &&
	chg_lint_status 0 -C archived --rev HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C archived &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C archived --range HEAD~5..HEAD &&
	test_must_be_empty actual
'

test_expect_success 'a rejected id added again as a draft is invalid-transition' '
	chg_repo rejected &&
	chg_normal_cr CHG-0001 requested >rejected/changes/CHG-0001.yaml &&
	(cd rejected && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	set_state rejected/changes/CHG-0001.yaml rejected &&
	(cd rejected && chg_commit "Carol Nguyen" carol@example.com "Reject CHG-0001") &&
	short rejected HEAD >rejected-in &&
	git -C rejected rm -q changes/CHG-0001.yaml &&
	(cd rejected && chg_commit "Jane Doe" jane@example.com "Remove CHG-0001") &&
	mkdir -p rejected/changes &&
	chg_normal_cr CHG-0001 draft >rejected/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C rejected &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 was rejected in $(cat rejected-in) and a change request id is never reused: give this change request a new id [invalid-transition]
	EOF
	test_cmp expect actual &&
	git -C rejected add changes/CHG-0001.yaml &&
	chg_lint_status 1 -C rejected --staged &&
	test_cmp expect actual
'

test_expect_success 'a new id for the same change is fine' '
	git -C rejected rm -q --cached changes/CHG-0001.yaml &&
	rm rejected/changes/CHG-0001.yaml &&
	chg_normal_cr CHG-0002 draft >rejected/changes/CHG-0002.yaml &&
	chg_lint_status 0 -C rejected &&
	test_must_be_empty actual
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_done
