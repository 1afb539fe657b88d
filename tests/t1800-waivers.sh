#!/bin/sh

test_description='waivers: a finding excused with a reason, once the approvals are in place'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# high_cr ID STATE: chg_normal_cr declared high risk (score 15), so that it
# needs two approvals from cab, without rollback-tested, so that the
# built-in rule tested-rollback-for-high-risk reports it at line 14.
high_cr () {
	chg_normal_cr "$1" "$2" | sed \
		-e 's/^  level: medium/  level: high/' \
		-e 's/^  assessment: {.*}/  assessment: {users-affected: 3, system-criticality: 3, security: 3, rollback-difficulty: 3, timing: 3}/'
}

# waive RULE REASON: appends a waivers list with one waiver (its rule at
# line 22, column 11 of a chg_normal_cr) to standard input.
waive () {
	cat &&
	printf 'waivers:\n  - rule: %s\n    reason: %s\n' "$1" "$2"
}

# new_repo DIR ID: a repository with the change request on stdin as
# changes/ID.yaml, committed by its requester Jane.
new_repo () {
	chg_repo "$1" &&
	cat >"$1/changes/$2.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request $2")
}

# approve DIR ID NAME EMAIL: chg_approve in DIR, printing the approval
# commit's short id.
approve () {
	(cd "$1" && chg_approve "$2" "$3" "$4" && git rev-parse HEAD | cut -c1-7)
}

# abbrev DIGEST: the digest as stale-approval messages quote it.
abbrev () {
	printf '%s...' "$(printf '%s' "$1" | cut -c1-19)"
}

ROLLBACK="high and critical changes need a tested rollback plan"

test_expect_success 'without a waiver the finding is an error' '
	high_cr CHG-0001 requested | new_repo plain CHG-0001 &&
	chg_lint_status 1 -C plain &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: $ROLLBACK [tested-rollback-for-high-risk]
	EOF
	test_cmp expect actual
'

test_expect_success 'a waiver without approvals does not count: the error stays, a note says why' '
	high_cr CHG-0001 requested |
	waive tested-rollback-for-high-risk "the old certificate stays loaded" |
	new_repo waived CHG-0001 &&
	chg_lint_status 1 -C waived &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: $ROLLBACK [tested-rollback-for-high-risk]
	changes/CHG-0001.yaml:22:11: note: waiver for tested-rollback-for-high-risk does not count: CHG-0001 has 0 of the 2 required approvals [waiver-not-counted]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: 1 error, 0 warnings in 1 file" >expect &&
	test_cmp expect stderr
'

test_expect_success 'one of the two required approvals is not enough' '
	approve waived CHG-0001 "Alice Example" alice@example.com >/dev/null &&
	chg_lint_status 1 -C waived &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: $ROLLBACK [tested-rollback-for-high-risk]
	changes/CHG-0001.yaml:22:11: note: waiver for tested-rollback-for-high-risk does not count: CHG-0001 has 1 of the 2 required approvals [waiver-not-counted]
	EOF
	test_cmp expect actual
'

test_expect_success 'with the quorum the finding is a note naming the reason' '
	approve waived CHG-0001 "Carol Nguyen" carol@example.com >/dev/null &&
	chg_lint_status 0 -C waived &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: note: waived (the old certificate stays loaded): $ROLLBACK [tested-rollback-for-high-risk]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: 0 errors, 0 warnings in 1 file" >expect &&
	test_cmp expect stderr &&
	chg_lint_status 0 -C waived --strict
'

test_expect_success 'the JSON output keeps the rule id of a waived finding' '
	chg_lint_status 0 -C waived --format json &&
	grep "\"severity\": *\"note\"" actual &&
	grep "\"rule\": *\"tested-rollback-for-high-risk\"" actual &&
	grep "\"message\": *\"waived (the old certificate stays loaded): $ROLLBACK\"" actual
'

test_expect_success 'adding a waiver after the approvals makes them stale: it needs new ones' '
	high_cr CHG-0001 requested | new_repo later CHG-0001 &&
	old=$(chg -C later digest CHG-0001) &&
	a=$(approve later CHG-0001 "Alice Example" alice@example.com) &&
	c=$(approve later CHG-0001 "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C later &&
	waive tested-rollback-for-high-risk "the old certificate stays loaded" \
		<later/changes/CHG-0001.yaml >later/changes/CHG-0001.yaml.new &&
	mv later/changes/CHG-0001.yaml.new later/changes/CHG-0001.yaml &&
	(cd later && chg_commit "Jane Doe" jane@example.com "CHG-0001: waive the rollback test") &&
	new=$(chg -C later digest CHG-0001) &&
	test "$old" != "$new" &&
	chg_lint_status 1 -C later &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: note: approval by alice@example.com in $a is stale: it approved $(abbrev "$old"), the change is now $(abbrev "$new"); ask for a new approval [stale-approval]
	changes/CHG-0001.yaml:4:8: note: approval by carol@example.com in $c is stale: it approved $(abbrev "$old"), the change is now $(abbrev "$new"); ask for a new approval [stale-approval]
	changes/CHG-0001.yaml:14:10: error: $ROLLBACK [tested-rollback-for-high-risk]
	changes/CHG-0001.yaml:22:11: note: waiver for tested-rollback-for-high-risk does not count: CHG-0001 has 0 of the 2 required approvals [waiver-not-counted]
	EOF
	test_cmp expect actual
'

test_expect_success 'approvals of the change with its waiver make the waiver count' '
	approve later CHG-0001 "Alice Example" alice@example.com >/dev/null &&
	approve later CHG-0001 "Carol Nguyen" carol@example.com >/dev/null &&
	chg_lint_status 0 -C later &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: note: waived (the old certificate stays loaded): $ROLLBACK [tested-rollback-for-high-risk]
	EOF
	test_cmp expect actual
'

test_expect_success 'editing the reason makes the approvals stale again' '
	sed -e "s/stays loaded/stays loaded for a week/" later/changes/CHG-0001.yaml \
		>later/changes/CHG-0001.yaml.new &&
	mv later/changes/CHG-0001.yaml.new later/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C later &&
	grep "^changes/CHG-0001.yaml:14:10: error: $ROLLBACK \\[tested-rollback-for-high-risk\\]\$" actual &&
	grep "^changes/CHG-0001.yaml:22:11: note: waiver for tested-rollback-for-high-risk does not count: CHG-0001 has 0 of the 2 required approvals \\[waiver-not-counted\\]\$" actual
'

test_expect_success 'a not-waivable rule: invalid-value at the waiver, even with the quorum' '
	chg_normal_cr CHG-0001 approved | waive stale-approval "approved in the CAB meeting" |
	new_repo notwaivable CHG-0001 &&
	approve notwaivable CHG-0001 "Dave Miller" dave@example.com >/dev/null &&
	chg_lint_status 1 -C notwaivable &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:22:11: error: rule stale-approval cannot be waived [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'missing-approval cannot be waived either' '
	chg_normal_cr CHG-0001 approved | waive missing-approval "urgent" |
	new_repo nomissing CHG-0001 &&
	chg_lint_status 1 -C nomissing &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	changes/CHG-0001.yaml:22:11: error: rule missing-approval cannot be waived [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a waiver that waives nothing is a warning, so that it gets removed' '
	chg_normal_cr CHG-0001 approved | waive window-order "the window spans midnight" |
	new_repo nothing CHG-0001 &&
	approve nothing CHG-0001 "Dave Miller" dave@example.com >/dev/null &&
	chg_lint_status 0 -C nothing &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:22:11: warning: waiver for window-order waives nothing [unused-waiver]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C nothing --strict
'

test_expect_success 'a second waiver of the same rule waives nothing' '
	high_cr CHG-0001 requested |
	waive tested-rollback-for-high-risk "the old certificate stays loaded" >twice.yaml &&
	cat >>twice.yaml <<-\EOF &&
	  - {rule: tested-rollback-for-high-risk, reason: tested last year}
	EOF
	new_repo twice CHG-0001 <twice.yaml &&
	approve twice CHG-0001 "Alice Example" alice@example.com >/dev/null &&
	approve twice CHG-0001 "Carol Nguyen" carol@example.com >/dev/null &&
	chg_lint_status 0 -C twice &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: note: waived (the old certificate stays loaded): $ROLLBACK [tested-rollback-for-high-risk]
	changes/CHG-0001.yaml:24:12: warning: waiver for tested-rollback-for-high-risk waives nothing: the waiver on line 22 names the same rule [unused-waiver]
	EOF
	test_cmp expect actual
'

test_expect_success 'findings about history are never waived' '
	chg_normal_cr CHG-0001 approved | waive invalid-value "a typo in the trailers" |
	new_repo history CHG-0001 &&
	approve history CHG-0001 "Dave Miller" dave@example.com >/dev/null &&
	(cd history && chg_approve CHG-0001 "Carol Nguyen" carol@example.com sha256:0) &&
	c=$(git -C history rev-parse HEAD | cut -c1-7) &&
	chg_lint_status 0 -C history &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: warning: approval commit $c approves nothing: its Change-Digest is missing or not sha256: and 64 lowercase hex digits [invalid-value]
	changes/CHG-0001.yaml:22:11: warning: waiver for invalid-value waives nothing [unused-waiver]
	EOF
	test_cmp expect actual
'

test_expect_success 'a standard change without its catalog entry needs the approval of a normal change: its waiver does not count' '
	chg_normal_cr CHG-0001 requested | sed -e "s/^type: normal/type: standard/" -e "\$a\\
standard-template: cert-rotation" |
	waive unknown-template "the catalog entry is under review" >standard.yaml &&
	new_repo standard CHG-0001 <standard.yaml &&
	chg_lint_status 1 -C standard &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:20: error: standard-template ${SQ}cert-rotation${SQ} is not in the catalog: add .chg/catalog/cert-rotation.yaml or name an existing entry [unknown-template]
	changes/CHG-0001.yaml:23:11: note: waiver for unknown-template does not count: CHG-0001 has 0 of the 1 required approvals [waiver-not-counted]
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: an understated risk, waived and approved' '
	chg_normal_cr CHG-0001 approved | sed \
		-e "s/^  assessment: {.*}/  assessment: {users-affected: 3, system-criticality: 3, security: 3, rollback-difficulty: 3, timing: 3}/" |
	waive risk-understated "scored high only because of the timing" |
	new_repo risk CHG-0001 &&
	approve risk CHG-0001 "Alice Example" alice@example.com >/dev/null &&
	approve risk CHG-0001 "Carol Nguyen" carol@example.com >/dev/null &&
	chg_lint_status 0 -C risk &&
	grep "^changes/CHG-0001.yaml:14:10: note: waived (scored high only because of the timing): risk.level medium is below the assessed risk high .* \\[risk-understated\\]\$" actual &&
	test $(wc -l <actual) = 1
'

test_expect_success 'a policy may add a rule to not-waivable' '
	cat >>risk/.chg/policy.yaml <<-\EOF &&
	waivers:
	  not-waivable: [yaml-syntax, duplicate-key, file-too-large, invalid-policy,
	                 id-mismatch, duplicate-id, missing-approval, stale-approval,
	                 self-approval, approver-not-allowed, unsigned-approval,
	                 bad-signature, unknown-signer, signer-mismatch,
	                 invalid-transition, trust-change-unapproved,
	                 risk-understated]
	EOF
	chg_lint_status 1 -C risk &&
	grep "^changes/CHG-0001.yaml:14:10: error: risk.level medium is below the assessed risk high .* \\[risk-understated\\]\$" actual &&
	grep "^changes/CHG-0001.yaml:22:11: error: rule risk-understated cannot be waived \\[invalid-value\\]\$" actual &&
	test $(wc -l <actual) = 2
'

test_expect_success 'a policy list that drops a built-in id is invalid-policy (exit 3)' '
	chg_repo dropped &&
	cat >>dropped/.chg/policy.yaml <<-\EOF &&
	waivers:
	  not-waivable: [yaml-syntax, duplicate-key, file-too-large, invalid-policy,
	                 id-mismatch, duplicate-id, missing-approval,
	                 self-approval, approver-not-allowed, unsigned-approval,
	                 bad-signature, unknown-signer, signer-mismatch,
	                 invalid-transition, trust-change-unapproved, risk-understated]
	EOF
	chg_normal_cr CHG-0001 >dropped/changes/CHG-0001.yaml &&
	chg_lint_status 3 -C dropped &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:10:17: error: waivers.not-waivable leaves out stale-approval: approval and integrity findings can never be waived, so the list must keep every id of the built-in list [invalid-policy]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: the policy or the standard-change catalog is invalid; fix the errors above" >expect &&
	test_cmp expect stderr
'

test_expect_success 'extends: none without a waivers section keeps the built-in minimum' '
	mkdir -p none/changes &&
	git init -q none &&
	cat >none/.chg-policy.yaml <<-\EOF &&
	version: 1
	extends: none
	changes: {unknown-fields: ignore}
	EOF
	printf "id: CHG-0001\nwaivers:\n  - {rule: duplicate-id, reason: a copy}\n" \
		>none/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C none --policy .chg-policy.yaml &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:3:12: error: rule duplicate-id cannot be waived [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'waivers.not-waivable must be a list of rule ids' '
	chg_repo badlist &&
	cat >>badlist/.chg/policy.yaml <<-\EOF &&
	waivers:
	  not-waivable: stale-approval
	EOF
	chg_lint_status 3 -C badlist &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:10:17: error: waivers.not-waivable must be a list [invalid-policy]
	EOF
	test_cmp expect actual &&
	cat >badlist/.chg/policy.yaml <<-\EOF &&
	version: 1
	waivers:
	  never: [stale-approval]
	EOF
	chg_lint_status 3 -C badlist &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:3:3: error: unknown key ${SQ}never${SQ} in waivers (expected one of: not-waivable) [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'approvals.not-covered may not leave the waivers out of the digest' '
	chg_repo uncovered &&
	cat >>uncovered/.chg/policy.yaml <<-\EOF &&
	  not-covered: [state, review, waivers]
	EOF
	chg_lint_status 3 -C uncovered &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:9:32: error: approvals.not-covered names ${SQ}waivers${SQ}, but the approvals must cover the waivers they let count [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a waiver needs a rule and a reason' '
	chg_normal_cr CHG-0001 requested >reasonless.yaml &&
	cat >>reasonless.yaml <<-\EOF &&
	waivers:
	  - {rule: window-order}
	  - {reason: because}
	  - window-order
	EOF
	new_repo reasonless CHG-0001 <reasonless.yaml &&
	chg_lint_status 1 -C reasonless &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:22:5: error: waivers[0].reason is required [required-field]
	changes/CHG-0001.yaml:23:5: error: waivers[1].rule is required [required-field]
	changes/CHG-0001.yaml:24:5: error: waivers[2] must be a map, not a scalar [invalid-type]
	EOF
	test_cmp expect actual
'

test_done
