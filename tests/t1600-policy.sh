#!/bin/sh

test_description='chg-lint: the policy (built-in, .chg/policy.yaml, --policy, extends, invalid policies)'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# policy TEXT...: replaces repo's .chg/policy.yaml with standard input.
policy () {
	cat >repo/.chg/policy.yaml
}

test_expect_success 'setup: a repository with no policy file' '
	git init -q repo &&
	mkdir repo/changes &&
	chg_normal_cr CHG-0001 >repo/changes/CHG-0001.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
'

test_expect_success 'without .chg/policy.yaml the built-in policy applies' '
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	chg_normal_cr CHG-0001 | sed "/^rollback-plan:/,\$d" >repo/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: rollback-plan is required for normal changes [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'the built-in approval groups are empty: an approved change lacks approvals' '
	chg_normal_cr CHG-0001 approved >repo/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C repo &&
	grep "^changes/CHG-0001.yaml:4:8: error: .* \[missing-approval\]\$" actual &&
	test $(wc -l <actual) = 1 &&
	chg_normal_cr CHG-0001 >repo/changes/CHG-0001.yaml
'

test_expect_success 'a bad regular expression: invalid-policy at the policy line and column, exit 3' '
	mkdir repo/.chg &&
	policy <<-\EOF &&
	version: 1
	extends: default
	changes:
	  id-pattern: "^CHG-[0-9"
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:4:15: error: invalid regular expression ${SQ}^CHG-[0-9${SQ}: missing terminating ] for character class at offset 9 [invalid-policy]
	EOF
	test_cmp expect actual &&
	cat >expect.err <<-\EOF &&
	chg-lint: the policy or the standard-change catalog is invalid; fix the errors above
	EOF
	test_cmp expect.err stderr
'

test_expect_success 'a bad item pattern in a field schema' '
	policy <<-\EOF &&
	version: 1
	fields:
	  systems:
	    items: {pattern: "[z-a]"}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:4:22: error: invalid regular expression ${SQ}[z-a]${SQ}: range out of order in character class at offset 3 [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unknown top-level key in the policy' '
	policy <<-\EOF &&
	version: 1
	colour: blue
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:2:1: error: unknown key ${SQ}colour${SQ} in the policy (expected one of: version, extends, changes, lifecycle, clients, fields, rules, risk, approvals, schedule, waivers, calendar) [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unknown key in a section and in a field schema' '
	policy <<-\EOF &&
	version: 1
	changes: {path: ["cr/*.yaml"]}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:2:11: error: unknown key ${SQ}path${SQ} in changes (expected one of: paths, id-field, id-pattern, filename-matches-id, unknown-fields) [invalid-policy]
	EOF
	test_cmp expect actual &&
	policy <<-\EOF &&
	version: 1
	fields:
	  systems: {min-itemz: 1}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:3:13: error: unknown key ${SQ}min-itemz${SQ} in systems (expected one of: type, values, pattern, min, max, min-items, max-items, max-length, items, fields, required, description) [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'extends must be default or none' '
	policy <<-\EOF &&
	version: 1
	extends: bogus
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:2:10: error: extends must be default or none [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a YAML syntax error in the policy stops the run (exit 3)' '
	policy <<-\EOF &&
	version: 1
	risk: {levels: [low
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:3:1: error: did not find expected ${SQ},${SQ} or ${SQ}]${SQ} while parsing a flow sequence started at line 2, column 16 [yaml-syntax]
	EOF
	test_cmp expect actual &&
	test_cmp expect.err stderr
'

test_expect_success 'a duplicate key in the policy stops the run (exit 3)' '
	policy <<-\EOF &&
	version: 1
	clients: [acme]
	clients: [globex]
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:3:1: error: duplicate key ${SQ}clients${SQ} (first defined at line 2) [duplicate-key]
	EOF
	test_cmp expect actual
'

test_expect_success 'a policy that is a list, or version 2' '
	policy <<-\EOF &&
	- version: 1
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:1:1: error: document is a list: expected a YAML mapping (key: value lines) [invalid-type]
	EOF
	test_cmp expect actual &&
	policy <<-\EOF &&
	version: 2
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:1:10: error: version must be 1 (the only policy format there is) [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unknown field type is reported once' '
	policy <<-\EOF &&
	version: 1
	fields:
	  risk:
	    fields:
	      level: {type: enumeration}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:5:21: error: risk.level.type must be one of string, text, int, bool, enum, identity, date, datetime, duration, list, map [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'inconsistent sections are invalid-policy' '
	policy <<-\EOF &&
	version: 1
	changes: {unknown-fields: loud}
	risk:
	  levels: {low: 0, medium: 10, high: 5}
	lifecycle:
	  approved: [approved, done]
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:2:27: error: changes.unknown-fields must be error, warning or ignore [invalid-policy]
	.chg/policy.yaml:4:38: error: risk.levels must be listed from lowest to highest, each with a higher minimum score [invalid-policy]
	.chg/policy.yaml:6:24: error: lifecycle.approved names ${SQ}done${SQ}, which is not in lifecycle.states [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a conflict with the built-in policy is reported in the repository file' '
	policy <<-\EOF &&
	version: 1
	lifecycle:
	  states: [draft, requested, accepted, closed]
	risk:
	  levels: {medium: 16}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:3:11: error: lifecycle.states leaves out ${SQ}approved${SQ}, which the built-in lifecycle.approved names: set lifecycle.approved too [invalid-policy]
	.chg/policy.yaml:3:11: error: lifecycle.states leaves out ${SQ}implementing${SQ}, which the built-in lifecycle.approved names: set lifecycle.approved too [invalid-policy]
	.chg/policy.yaml:3:11: error: lifecycle.states leaves out ${SQ}implemented${SQ}, which the built-in lifecycle.approved names: set lifecycle.approved too [invalid-policy]
	.chg/policy.yaml:3:11: error: lifecycle.states leaves out ${SQ}implementing${SQ}, which the built-in lifecycle.implemented names: set lifecycle.implemented too [invalid-policy]
	.chg/policy.yaml:3:11: error: lifecycle.states leaves out ${SQ}implemented${SQ}, which the built-in lifecycle.implemented names: set lifecycle.implemented too [invalid-policy]
	.chg/policy.yaml:5:20: error: risk.levels must be listed from lowest to highest, each with a higher minimum score [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'an empty id-field is invalid-policy' '
	policy <<-\EOF &&
	version: 1
	changes: {id-field: ""}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:2:21: error: changes.id-field must be a non-empty string [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'the built-in approval rules need no groups until the repository names them' '
	policy <<-\EOF &&
	version: 1
	approvals:
	  groups: {cab: [alice@example.com]}
	EOF
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'an approval rule of the repository must name defined groups' '
	policy <<-\EOF &&
	version: 1
	approvals:
	  groups: {cab: [alice@example.com]}
	  rules:
	    - {required: 1, from: [cab, managers]}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:5:33: error: from names group ${SQ}managers${SQ}, which approvals.groups does not define [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a rule needs require or forbid' '
	policy <<-\EOF &&
	version: 1
	rules:
	  - id: lonely
	    when: {type: normal}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:3:5: error: rule ${SQ}lonely${SQ} needs require: or forbid: [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a valid policy file merges over the built-in one' '
	policy <<-\EOF &&
	version: 1
	extends: default
	fields:
	  systems:
	    items:
	      pattern: ^[a-z]+-[0-9]+$
	EOF
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	chg_normal_cr CHG-0001 | sed "s/^systems: .*/systems: [lb-01, lb.02]/" >repo/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:11:18: error: systems[1] ${SQ}lb.02${SQ} does not match the pattern ${SQ}^[a-z]+-[0-9]+\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual &&
	chg_normal_cr CHG-0001 | sed "s/^systems: .*/systems: []/" >repo/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C repo &&
	grep "systems must have at least 1 item \[invalid-value\]" actual
'

test_expect_success 'a rules list replaces the built-in rules; a rule may warn or forbid' '
	policy <<-\EOF &&
	version: 1
	rules:
	  - id: network-team-for-load-balancers
	    when: {type: normal}
	    forbid: {systems: {matches: "^lb-"}}
	    severity: warning
	    message: load balancer changes need the network team
	  - id: test-plan-for-normal
	    when: {type: normal}
	    require: [test-plan]
	EOF
	chg_normal_cr CHG-0001 | sed "s/^  level: medium/  level: high/" >repo/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:3:7: error: test-plan does not meet rule test-plan-for-normal [test-plan-for-normal]
	changes/CHG-0001.yaml:11:10: warning: load balancer changes need the network team [network-team-for-load-balancers]
	EOF
	test_cmp expect actual &&
	printf "test-plan: |\n  Check the served chain from outside.\n" >>repo/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:11:10: warning: load balancer changes need the network team [network-team-for-load-balancers]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C repo --strict &&
	test_cmp expect actual
'

test_expect_success '--policy FILE is used instead of .chg/policy.yaml' '
	policy <<-\EOF &&
	version: 1
	changes: {id-pattern: "("}
	EOF
	chg_normal_cr CHG-0001 >repo/changes/CHG-0001.yaml &&
	chg_lint_status 3 -C repo &&
	cat >other-policy.yaml <<-\EOF &&
	version: 1
	changes:
	  id-pattern: ^OPS-[0-9]+$
	EOF
	chg_lint_status 1 -C repo --policy "$PWD/other-policy.yaml" &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:1:5: error: id ${SQ}CHG-0001${SQ} does not match the pattern ${SQ}^OPS-[0-9]+\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success '--policy FILE relative to the current directory' '
	cp other-policy.yaml repo/ops-policy.yaml &&
	(cd repo && chg_lint_status 1 --policy ops-policy.yaml) &&
	test_cmp expect repo/actual
'

test_expect_success 'errors in the --policy FILE name that file' '
	cat >bad-policy.yaml <<-\EOF &&
	version: 1
	risk: {levels: {low: zero}}
	EOF
	chg_lint_status 3 -C repo --policy "$PWD/bad-policy.yaml" &&
	cat >expect <<-EOF &&
	$PWD/bad-policy.yaml:2:22: error: a risk level${SQ}s minimum score must be an integer [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a --policy FILE that does not exist: exit 3' '
	chg_lint_status 3 -C repo --policy "$PWD/no-such-policy.yaml" &&
	test_must_be_empty actual &&
	grep "cannot read policy ${SQ}$PWD/no-such-policy.yaml${SQ}" stderr
'

test_expect_success 'setup: extends none with a small schema of its own' '
	git init -q plain &&
	mkdir -p plain/.chg plain/records &&
	cat >plain/.chg/policy.yaml <<-\EOF &&
	version: 1
	extends: none
	changes:
	  paths: ["records/*.yaml"]
	  id-field: id
	  id-pattern: ^R[0-9]+$
	  filename-matches-id: true
	fields:
	  id: {type: string, required: always}
	  title: {type: text, required: always}
	  status: {type: enum, values: [open, done], required: always}
	EOF
	printf "id: R1\ntitle: First\nstatus: open\n" >plain/records/R1.yaml
'

test_expect_success 'extends none: a plain schema linter, no approvals, risk or rules' '
	chg_lint_status 0 -C plain &&
	test_must_be_empty actual &&
	chg_normal_cr R2 closed | sed "s/^state: closed/status: done/; /^  level:/d" >plain/records/R2.yaml &&
	chg_lint_status 1 -C plain &&
	sed -n "s/^records\/R2.yaml:[0-9]*:[0-9]*: error: unknown field ${SQ}\([a-z-]*\)${SQ}.*\[unknown-field\]\$/\1/p" actual >fields &&
	cat >expect <<-\EOF &&
	type
	requested-by
	owner
	reason
	description
	systems
	impact
	risk
	window
	implementation-plan
	rollback-plan
	EOF
	test_cmp expect fields &&
	test $(wc -l <actual) = 11
'

test_expect_success 'extends none: its own fields, values, ids and paths' '
	rm plain/records/R2.yaml &&
	printf "id: R2\ntitle: Second\nstatus: closed\n" >plain/records/R2.yaml &&
	printf "id: R3\nstatus: open\n" >plain/records/R4.yaml &&
	mkdir plain/records/old &&
	printf "id: X\n" >plain/records/old/X.yaml &&
	chg_lint_status 1 -C plain &&
	cat >expect <<-EOF &&
	records/R2.yaml:3:9: error: status must be one of open, done, not ${SQ}closed${SQ} [invalid-value]
	records/R4.yaml:1:1: error: title is required [required-field]
	records/R4.yaml:1:5: error: id R3 does not match the file name ${SQ}R4.yaml${SQ}: rename the file to R3.yaml, or change the id to R4 [id-mismatch]
	EOF
	test_cmp expect actual
'

test_done
