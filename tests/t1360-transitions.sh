#!/bin/sh

test_description='lifecycle.transitions: the state may change only as the lifecycle allows'

. "$(dirname "$0")"/lib-chg.sh

CR=repo/changes/CHG-0001.yaml
SQ="'"

# The policy changes below are committed without approvals: trust changes
# (t5100) need none here.
test_expect_success 'setup: a requested change' '
	chg_repo repo &&
	echo "  trust: {required: 0}" >>repo/.chg/policy.yaml &&
	chg_normal_cr CHG-0001 requested >$CR &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	git -C repo rev-parse --short=7 HEAD >head
'

test_expect_success 'an allowed change of state lints clean (requested to rejected)' '
	sed -i "s/^state: .*/state: rejected/" $CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a skipped step is invalid-transition (requested to closed)' '
	sed -i "s/^state: .*/state: implemented/" $CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changes from requested to implemented (since $(cat head)); the lifecycle allows requested to change to approved, implementing, rejected or cancelled [invalid-transition]
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is implemented but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'the index is compared with HEAD as well (--staged)' '
	sed -i "s/^state: .*/state: draft/" $CR &&
	git -C repo add changes/CHG-0001.yaml &&
	sed -i "s/^state: .*/state: cancelled/" $CR &&
	chg_lint_status 1 -C repo --staged &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changes from requested to draft (since $(cat head)); the lifecycle allows requested to change to approved, implementing, rejected or cancelled [invalid-transition]
	EOF
	test_cmp expect actual &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a final state may not change' '
	sed -i "s/^state: .*/state: rejected/" $CR &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Reject CHG-0001") &&
	git -C repo rev-parse --short=7 HEAD >head &&
	sed -i "s/^state: .*/state: requested/" $CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changes from rejected to requested (since $(cat head)); the lifecycle allows rejected to change to nothing: it is final [invalid-transition]
	EOF
	test_cmp expect actual
'

test_expect_success '--rev checks the step that revision made, against its first parent' '
	(cd repo && chg_commit "Jane Doe" jane@example.com "Reopen CHG-0001") &&
	chg_lint_status 1 -C repo --rev HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changed from rejected to requested (since $(cat head)); the lifecycle allows rejected to change to nothing: it is final [invalid-transition]
	EOF
	test_cmp expect actual &&
	chg_lint_status 0 -C repo --rev HEAD~1 &&
	test_must_be_empty actual
'

test_expect_success 'moving an approved change back to draft is refused' '
	chg_repo laundry &&
	chg_normal_cr CHG-0001 approved >laundry/changes/CHG-0001.yaml &&
	(cd laundry && chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	git -C laundry rev-parse --short=7 HEAD >head &&
	sed -i "s/^state: .*/state: draft/" laundry/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C laundry &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changes from approved to draft (since $(cat head)); the lifecycle allows approved to change to implementing, requested or cancelled [invalid-transition]
	EOF
	test_cmp expect actual
'

# CHG-0001 was rejected above, and an id never leaves a final state
# (t1370): the tests below start again from a requested CHG-0001.
test_expect_success 'setup: a requested change in a new repository' '
	rm -rf repo &&
	chg_repo repo &&
	echo "  trust: {required: 0}" >>repo/.chg/policy.yaml &&
	chg_normal_cr CHG-0001 requested >$CR &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
'

test_expect_success 'a new change request may start in any state' '
	chg_normal_cr CHG-0002 implementing >repo/changes/CHG-0002.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0002.yaml:4:8: error: CHG-0002 is implementing but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual &&
	rm repo/changes/CHG-0002.yaml
'

# policy FILE-TAIL: the test policy of chg_repo plus the lines on stdin.
policy () {
	cat >repo/.chg/policy.yaml <<-\EOF &&
	version: 1
	extends: default
	approvals:
	  require-signature: false
	  trust: {required: 0}
	  groups:
	    cab: [alice@example.com, carol@example.com]
	    managers: [dave@example.com]
	    emergency: [alice@example.com]
	fields:
	  state:
	    values: [draft, requested, on-hold, approved, implementing, implemented, closed, rejected, cancelled]
	EOF
	cat >>repo/.chg/policy.yaml
}

test_expect_success 'the policy may add a state and its transitions' '
	policy <<-\EOF &&
	lifecycle:
	  states: [draft, requested, on-hold, approved, implementing, implemented, closed, rejected, cancelled]
	  transitions:
	    requested: [approved, implementing, rejected, on-hold, cancelled]
	    on-hold: [requested, cancelled]
	EOF
	git -C repo rev-parse --short=7 HEAD >head &&
	sed -i "s/^state: .*/state: on-hold/" $CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Put CHG-0001 on hold") &&
	git -C repo rev-parse --short=7 HEAD >head &&
	sed -i "s/^state: .*/state: implementing/" $CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: state changes from on-hold to implementing (since $(cat head)); the lifecycle allows on-hold to change to requested or cancelled [invalid-transition]
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is implementing but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'a transition to a state the lifecycle does not have is invalid-policy' '
	policy <<-\EOF &&
	lifecycle:
	  transitions:
	    implemented: [closed, archived]
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:15:27: error: lifecycle.transitions.implemented names ${SQ}archived${SQ}, which is not in lifecycle.states [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a repository with its own states does not inherit the built-in transitions' '
	policy <<-\EOF &&
	lifecycle:
	  states: [draft, requested, on-hold, approved, implementing, implemented, closed, rejected, cancelled]
	EOF
	sed -i "s/^state: .*/state: closed/" $CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: a closed normal or emergency change needs a post-implementation review [missing-review]
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is closed but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_done
