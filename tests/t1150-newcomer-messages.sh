#!/bin/sh

test_description='chg-lint and chg policy check: messages a newcomer can act on (tabs, unquoted colons, quoted numbers, impossible dates, typos in field names, id and file name, every policy error at once)'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
CR=repo/changes/CHG-0001.yaml

# cr SED-SCRIPT: the valid normal change CHG-0001, edited by SED-SCRIPT,
# into $CR.
cr () {
	chg_normal_cr CHG-0001 | sed -e "$1" >$CR
}

test_expect_success 'setup' '
	chg_repo repo &&
	cat >>repo/.chg/policy.yaml <<-\EOF &&
	  rules: [{required: 0}]
	EOF
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up") &&
	cr "" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a tab in indentation is named, with the advice to indent with spaces' '
	cr "s/^  level: medium/	level: medium/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:1: error: a tab character in the indentation: YAML indents with spaces only; replace the tab with spaces [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a tab after spaces in a block scalar is named too' '
	cr "s/^  Switch the listener/ 	Switch the listener/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:20:2: error: a tab character in the indentation: YAML indents with spaces only; replace the tab with spaces [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unquoted ": " in a value suggests quoting the value' '
	cr "s/^title: .*/title: Upgrade: PostgreSQL 16/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:2:15: error: the value of ${SQ}title${SQ} holds an unquoted ${SQ}: ${SQ}, which YAML reads as the start of another key: quote the value, as in title: "Upgrade: PostgreSQL 16" [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unquoted ": " in a value that has quotes of its own suggests quoting it whole' '
	cr "s/^title: .*/title: Upgrade \"pg\": now/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:2:20: error: the value of ${SQ}title${SQ} holds an unquoted ${SQ}: ${SQ}, which YAML reads as the start of another key: put the whole value in quotes [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a quoted number is said to be a string' '
	cr "s/users: 40/users: \"120\"/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:12:17: error: impact.users must be an integer, not the string "120": a quoted number is a string; remove the quotes (or the !!str tag) [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'a quoted true is said to be a string' '
	cr "" &&
	echo "rollback-tested: ${SQ}true${SQ}" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:21:18: error: rollback-tested must be true or false, not the string "true": a quoted true or false is a string; remove the quotes (or the !!str tag) [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'an impossible date is said not to exist' '
	cr "s/end: 2026-12-05T23:00:00Z/end: 2026-11-31T23:00:00Z/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:16:44: error: window.end is ${SQ}2026-11-31T23:00:00Z${SQ}, but 2026-11-31 does not exist: November has 30 days [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'a 29 February outside a leap year, a month 13 and an hour 24 do not exist; a date without a time is malformed' '
	cr "s/start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z/start: 2027-02-29T22:00:00Z, end: 2026-13-05T23:00:00Z/" &&
	echo "communication: {notice-sent: 2026-11-30T24:00:00Z}" >>$CR &&
	echo "review: {outcome: successful, actual-start: 2026-12-05}" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:16:17: error: window.start is ${SQ}2027-02-29T22:00:00Z${SQ}, but 2027-02-29 does not exist: 2027 is not a leap year, so February has 28 days [invalid-datetime]
	changes/CHG-0001.yaml:16:44: error: window.end is ${SQ}2026-13-05T23:00:00Z${SQ}, but 2026-13-05 does not exist: there is no month 13 (months go from 01 to 12) [invalid-datetime]
	changes/CHG-0001.yaml:21:30: error: communication.notice-sent is ${SQ}2026-11-30T24:00:00Z${SQ}, but hour 24 does not exist: hours go from 00 to 23 [invalid-datetime]
	changes/CHG-0001.yaml:22:45: error: review.actual-start is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}2026-12-05${SQ} [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unknown field suggests the closest known one' '
	cr "s/^rollback-plan:/rolback-plan:/; s/^  level: medium/  levle: medium/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:1:1: error: rollback-plan is required for normal changes [required-field]
	changes/CHG-0001.yaml:14:3: error: risk.level is required [required-field]
	changes/CHG-0001.yaml:14:3: error: unknown field ${SQ}risk.levle${SQ}: did you mean ${SQ}risk.level${SQ}? [unknown-field]
	changes/CHG-0001.yaml:19:1: error: unknown field ${SQ}rolback-plan${SQ}: did you mean ${SQ}rollback-plan${SQ}? [unknown-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unknown field far from every known one gets no guess' '
	cr "" &&
	echo "priority: high" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:1: error: unknown field ${SQ}priority${SQ}: the policy does not define it (a typo, or add it to the policy${SQ}s fields) [unknown-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'an id that is not its file name offers both fixes' '
	chg_normal_cr CHG-0002 >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:1:5: error: id CHG-0002 does not match the file name ${SQ}CHG-0001.yaml${SQ}: rename the file to CHG-0002.yaml, or change the id to CHG-0001 [id-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'an id that breaks the id pattern is only offered a new id, not a new file name' '
	chg_normal_cr CHG-2 >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:1:5: error: id ${SQ}CHG-2${SQ} does not match the pattern ${SQ}^CHG-[0-9]{4,}\$${SQ} [pattern-mismatch]
	changes/CHG-0001.yaml:1:5: error: id CHG-2 does not match the file name ${SQ}CHG-0001.yaml${SQ}; change the id to CHG-0001 [id-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'chg policy check reports three independent errors of one file' '
	cat >three.yaml <<-\EOF &&
	version: 1
	extends: default
	changes:
	  id-patern: "^CHG-[0-9]+$"
	  unknown-fields: maybe
	clients: [acme]
	clients: [globex]
	EOF
	test_expect_code 1 chg policy check three.yaml >actual 2>err &&
	cat >expect <<-EOF &&
	three.yaml:4:3: error: unknown key ${SQ}id-patern${SQ} in changes (expected one of: paths, id-field, id-pattern, filename-matches-id, unknown-fields) [invalid-policy]
	three.yaml:5:19: error: changes.unknown-fields must be error, warning or ignore [invalid-policy]
	three.yaml:7:1: error: duplicate key ${SQ}clients${SQ} (first defined at line 6) [duplicate-key]
	EOF
	test_cmp expect actual &&
	cp expect expect.three &&
	echo "chg policy: three.yaml is invalid: 3 errors" >expect &&
	test_cmp expect err
'

test_expect_success 'chg policy check reads a wrong extends as default and reports the rest' '
	cat >extends.yaml <<-\EOF &&
	version: 1
	extends: defaults
	approvals:
	  require-signature: perhaps
	EOF
	test_expect_code 1 chg policy check extends.yaml >actual 2>err &&
	cat >expect <<-EOF &&
	extends.yaml:2:10: error: extends must be default or none [invalid-policy]
	extends.yaml:4:22: error: approvals.require-signature must be true or false [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'chg-lint reports every error of the policy too, and cannot run (exit 3)' '
	cp three.yaml repo/.chg/policy.yaml &&
	chg_lint_status 3 -C repo &&
	sed "s|^three.yaml|.chg/policy.yaml|" expect.three >expect &&
	test_cmp expect actual
'

test_done
