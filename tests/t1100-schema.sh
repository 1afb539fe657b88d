#!/bin/sh

test_description='chg-lint: the schema of a change request (types, required fields, values, date-times, patterns, unknown fields)'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
CR=repo/changes/CHG-0001.yaml

# cr SED-SCRIPT: the valid normal change CHG-0001, edited by SED-SCRIPT,
# into $CR.
cr () {
	chg_normal_cr CHG-0001 | sed -e "$1" >$CR
}

# lint_repo DIR: a repository as chg_repo makes it, whose approval rules
# require no approval: these tests are about the files, not history.
lint_repo () {
	chg_repo "$1" &&
	cat >>"$1/.chg/policy.yaml" <<-\EOF
	  rules: [{required: 0}]
	EOF
}

test_expect_success 'setup' '
	lint_repo repo &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'the unedited change request lints clean' '
	cr "" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

# ---- invalid-type ----

test_expect_success 'a title that is a list is invalid-type' '
	cr "s/^title: .*/title: [Rotate, the, certificate]/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:8: error: title must be text, not a list [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'a risk answer that is not an integer is invalid-type (and not scored)' '
	cr "s/users-affected: 2/users-affected: x/; s/timing: 2/timing: 2.5/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:15:32: error: risk.assessment.users-affected must be an integer, not ${SQ}x${SQ} [invalid-type]
	changes/CHG-0001.yaml:15:103: error: risk.assessment.timing must be an integer, not ${SQ}2.5${SQ} [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'rollback-tested must be a bool, not the string "yes" nor YAML 1.1 yes' '
	cr "" &&
	echo "rollback-tested: \"yes\"" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:18: error: rollback-tested must be true or false, not ${SQ}yes${SQ} [invalid-type]
	EOF
	test_cmp expect actual &&
	cr "" &&
	echo "rollback-tested: yes" >>$CR &&
	chg_lint_status 1 -C repo &&
	test_cmp expect actual &&
	cr "" &&
	echo "rollback-tested: \"true\"" >>$CR &&
	chg_lint_status 1 -C repo &&
	grep "rollback-tested must be true or false, not the string \"true\": a quoted true or false is a string; remove the quotes (or the !!str tag) \[invalid-type\]" actual &&
	cr "" &&
	echo "rollback-tested: false" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a map or a list given as a scalar is invalid-type' '
	cr "s/^impact: .*/impact: big/; s/^systems: .*/systems: lb-01/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:11:10: error: systems must be a list, not a scalar [invalid-type]
	changes/CHG-0001.yaml:12:9: error: impact must be a map, not a scalar [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'a scalar field given a map is invalid-type' '
	cr "s/^owner: .*/owner: {name: Bob Ops, email: bob@example.com}/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:6:8: error: owner must be an identity ${SQ}Name <email>${SQ}, not a map [invalid-type]
	EOF
	test_cmp expect actual
'

# ---- required-field ----

test_expect_success 'an always-required field is required' '
	cr "/^description:/,/^  Replace/d" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: description is required [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'rollback-plan is required for normal changes' '
	cr "/^rollback-plan:/,\$d" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: rollback-plan is required for normal changes [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'a field present with no value counts as missing, reported where it is' '
	cr "s/^rollback-plan: |/rollback-plan:/; /Switch the listener back/d" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:19:15: error: rollback-plan is required for normal changes [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'several missing fields are all reported' '
	printf "id: CHG-0001\ntype: normal\nstate: requested\n" >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: title is required [required-field]
	changes/CHG-0001.yaml:1:1: error: requested-by is required [required-field]
	changes/CHG-0001.yaml:1:1: error: reason is required for normal changes [required-field]
	changes/CHG-0001.yaml:1:1: error: description is required [required-field]
	changes/CHG-0001.yaml:1:1: error: systems is required [required-field]
	changes/CHG-0001.yaml:1:1: error: risk is required for normal changes [required-field]
	changes/CHG-0001.yaml:1:1: error: implementation-plan is required for normal changes [required-field]
	changes/CHG-0001.yaml:1:1: error: rollback-plan is required for normal changes [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'incident is required for emergency changes' '
	cr "s/^type: normal/type: emergency/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: incident is required for emergency changes [required-field]
	EOF
	test_cmp expect actual &&
	echo "incident: INC-1234" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'standard-template is required for standard changes' '
	cr "s/^type: normal/type: standard/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: standard-template is required for standard changes [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'a standard change needs no rollback plan, reason or risk' '
	mkdir -p repo/.chg/catalog &&
	echo "title: Rotate a certificate" >repo/.chg/catalog/cert-rotation.yaml &&
	cr "s/^type: normal/type: standard/; /^rollback-plan:/,\$d; /^reason:/,/^  The current/d; /^risk:/,/^  assessment:/d" &&
	echo "standard-template: cert-rotation" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	rm -r repo/.chg/catalog
'

test_expect_success 'window is required once the change is approved' '
	chg_normal_cr CHG-0001 approved | sed "/^window:/d" >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: window is required when state is approved [required-field]
	EOF
	test_cmp expect actual &&
	chg_normal_cr CHG-0001 implementing | sed "/^window:/d" >$CR &&
	chg_lint_status 1 -C repo &&
	grep "window is required when state is implementing \[required-field\]" actual &&
	chg_normal_cr CHG-0001 draft | sed "/^window:/d" >$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'owner is required once the change is approved' '
	chg_normal_cr CHG-0001 approved | sed "/^owner:/d" >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: owner is required when state is approved [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'a nested required field: risk.assessment.timing, at its map' '
	cr "s/, timing: 2}/}/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:15:15: error: risk.assessment.timing is required [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'risk.level is required within risk' '
	cr "/^  level: medium/d" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:3: error: risk.level is required [required-field]
	EOF
	test_cmp expect actual
'

# ---- invalid-value ----

test_expect_success 'an enum value that is not one of its values' '
	cr "s/^type: normal/type: routine/; s/^state: requested/state: done/; s/scope: team/scope: galaxy/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:3:7: error: type must be one of standard, normal, emergency, not ${SQ}routine${SQ} [invalid-value]
	changes/CHG-0001.yaml:4:8: error: state must be one of draft, requested, approved, implementing, implemented, closed, rejected, cancelled, not ${SQ}done${SQ} [invalid-value]
	changes/CHG-0001.yaml:12:28: error: impact.scope must be one of none, individual, team, department, organisation, customers, not ${SQ}galaxy${SQ} [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'enum values compare exactly (no case folding)' '
	cr "s/^type: normal/type: Normal/" &&
	chg_lint_status 1 -C repo &&
	grep "^changes/CHG-0001.yaml:3:7: error: type must be one of standard, normal, emergency, not ${SQ}Normal${SQ} \[invalid-value\]\$" actual
'

test_expect_success 'risk answers outside 1..5 are invalid-value' '
	cr "s/users-affected: 2/users-affected: 0/; s/timing: 2/timing: 6/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:15:32: error: risk.assessment.users-affected must be at least 1, not 0 [invalid-value]
	changes/CHG-0001.yaml:15:103: error: risk.assessment.timing must be at most 5, not 6 [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'the bounds 1 and 5 are allowed' '
	cr "s/users-affected: 2/users-affected: 1/; s/system-criticality: 3/system-criticality: 5/" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'impact.users must not be negative' '
	cr "s/users: 40/users: -1/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:12:17: error: impact.users must be at least 0, not -1 [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a malformed identity is invalid-value' '
	cr "s/^requested-by: .*/requested-by: jane@example.com/; s/^owner: .*/owner: Bob Ops <bob>/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:5:15: error: requested-by must be an identity ${SQ}Name <email>${SQ}, not ${SQ}jane@example.com${SQ} [invalid-value]
	changes/CHG-0001.yaml:6:8: error: owner must be an identity ${SQ}Name <email>${SQ}, not ${SQ}Bob Ops <bob>${SQ} [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'an identity needs a name' '
	cr "s/^requested-by: .*/requested-by: <jane@example.com>/" &&
	chg_lint_status 1 -C repo &&
	grep "^changes/CHG-0001.yaml:5:15: error: requested-by must be an identity .* \[invalid-value\]\$" actual
'

test_expect_success 'a duration without a unit or in words is invalid-value' '
	cr "s/downtime: 5m/downtime: 5 minutes/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:12:44: error: impact.downtime must be a duration such as 30m, 2h or 5d, not ${SQ}5 minutes${SQ} [invalid-value]
	EOF
	test_cmp expect actual &&
	cr "s/downtime: 5m/downtime: 30/" &&
	chg_lint_status 1 -C repo &&
	grep "impact.downtime must be a duration such as 30m, 2h or 5d, not ${SQ}30${SQ} \[invalid-value\]" actual &&
	cr "s/downtime: 5m/downtime: 1h30m/" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'empty text is invalid-value' '
	cr "s/^title: .*/title: \"\"/; s/^description: |/description: \"   \"/; /^  Replace the certificate/d" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:8: error: title must not be empty [invalid-value]
	changes/CHG-0001.yaml:9:14: error: description must not be empty [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a title over 200 bytes is invalid-value' '
	long=$(printf "%0201d" 0) &&
	cr "s/^title: .*/title: $long/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:8: error: title is 201 bytes long; the limit is 200 [invalid-value]
	EOF
	test_cmp expect actual &&
	long=$(printf "%0200d" 0) &&
	cr "s/^title: .*/title: $long/" &&
	chg_lint_status 0 -C repo
'

test_expect_success 'an empty systems list is invalid-value' '
	cr "s/^systems: .*/systems: []/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:11:10: error: systems must have at least 1 item [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'without clients in the policy any client name is accepted' '
	cr "" &&
	echo "client: initech" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'with clients in the policy, another client is invalid-value' '
	lint_repo clients &&
	echo "clients: [acme, globex]" >>clients/.chg/policy.yaml &&
	chg_normal_cr CHG-0001 >clients/changes/CHG-0001.yaml &&
	echo "client: initech" >>clients/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C clients &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:9: error: client ${SQ}initech${SQ} is not one of the policy${SQ}s clients (acme, globex) [invalid-value]
	EOF
	test_cmp expect actual &&
	chg_normal_cr CHG-0001 >clients/changes/CHG-0001.yaml &&
	echo "client: globex" >>clients/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C clients &&
	test_must_be_empty actual
'

# ---- invalid-datetime ----

test_expect_success 'an impossible month is invalid-datetime' '
	cr "s/start: 2026-12-05T22:00:00Z/start: 2023-14-05T22:00:00Z/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:16:17: error: window.start is ${SQ}2023-14-05T22:00:00Z${SQ}, but 2023-14-05 does not exist: there is no month 14 (months go from 01 to 12) [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'a date-time without an offset is invalid-datetime' '
	cr "s/end: 2026-12-05T23:00:00Z/end: 2026-12-05T23:00:00/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:16:44: error: window.end is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}2026-12-05T23:00:00${SQ} [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'February 30 and February 29 of a common year are invalid-datetime' '
	cr "s/start: 2026-12-05T22:00:00Z/start: 2027-02-30T22:00:00Z/; s/end: 2026-12-05T23:00:00Z/end: 2027-02-29T23:00:00Z/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:16:17: error: window.start is ${SQ}2027-02-30T22:00:00Z${SQ}, but 2027-02-30 does not exist: February has 28 days [invalid-datetime]
	changes/CHG-0001.yaml:16:44: error: window.end is ${SQ}2027-02-29T23:00:00Z${SQ}, but 2027-02-29 does not exist: 2027 is not a leap year, so February has 28 days [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'a date alone or an hour 24 is invalid-datetime' '
	cr "s/start: 2026-12-05T22:00:00Z/start: 2026-12-05/; s/end: 2026-12-05T23:00:00Z/end: 2026-12-05T24:00:00Z/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:16:17: error: window.start is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}2026-12-05${SQ} [invalid-datetime]
	changes/CHG-0001.yaml:16:34: error: window.end is ${SQ}2026-12-05T24:00:00Z${SQ}, but hour 24 does not exist: hours go from 00 to 23 [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'a leap day, an offset and fractional seconds are valid' '
	cr "s/start: 2026-12-05T22:00:00Z/start: 2028-02-29T22:00:00+01:00/; s/end: 2026-12-05T23:00:00Z/end: \"2028-02-29T23:30:00.5-00:30\"/" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'date-times in nested maps are checked too' '
	cr "" &&
	cat >>$CR <<-\EOF &&
	communication: {notify: [ops@example.com], notice-sent: 2026-11-31T09:00:00Z}
	review:
	  outcome: successful
	  actual-start: 2026-12-05 22:04
	EOF
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:57: error: communication.notice-sent is ${SQ}2026-11-31T09:00:00Z${SQ}, but 2026-11-31 does not exist: November has 30 days [invalid-datetime]
	changes/CHG-0001.yaml:24:17: error: review.actual-start is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}2026-12-05 22:04${SQ} [invalid-datetime]
	EOF
	test_cmp expect actual
'

# ---- pattern-mismatch ----

test_expect_success 'a systems item that does not match the item pattern' '
	cr "s/^systems: .*/systems: [lb-01, LB 02, -lb-03]/" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:11:18: error: systems[1] ${SQ}LB 02${SQ} does not match the pattern ${SQ}^[A-Za-z0-9][A-Za-z0-9._-]*\$${SQ} [pattern-mismatch]
	changes/CHG-0001.yaml:11:25: error: systems[2] ${SQ}-lb-03${SQ} does not match the pattern ${SQ}^[A-Za-z0-9][A-Za-z0-9._-]*\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'an incident and a client that do not match their patterns' '
	cr "s/^type: normal/type: emergency/" &&
	printf "incident: INC-12a\nclient: Acme Corp\n" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:11: error: incident ${SQ}INC-12a${SQ} does not match the pattern ${SQ}^INC-[0-9]+\$${SQ} [pattern-mismatch]
	changes/CHG-0001.yaml:22:9: error: client ${SQ}Acme Corp${SQ} does not match the pattern ${SQ}^[a-z0-9][a-z0-9-]*\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual
'

# ---- unknown-field ----

test_expect_success 'unknown fields are errors by default, also in nested maps' '
	cr "s/downtime: 5m}/downtime: 5m, cost: 3}/; s/timing: 2}/timing: 2, luck: 1}/" &&
	printf "priority: high\nrollback_plan: typo\n" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:12:48: error: unknown field ${SQ}impact.cost${SQ}: the policy does not define it (a typo, or add it to the policy${SQ}s fields) [unknown-field]
	changes/CHG-0001.yaml:15:106: error: unknown field ${SQ}risk.assessment.luck${SQ}: the policy does not define it (a typo, or add it to the policy${SQ}s fields) [unknown-field]
	changes/CHG-0001.yaml:21:1: error: unknown field ${SQ}priority${SQ}: the policy does not define it (a typo, or add it to the policy${SQ}s fields) [unknown-field]
	changes/CHG-0001.yaml:22:1: error: unknown field ${SQ}rollback_plan${SQ}: the policy does not define it (a typo, or add it to the policy${SQ}s fields) [unknown-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'unknown-fields: warning makes them warnings (exit 0), --strict fails' '
	lint_repo warn &&
	echo "changes: {unknown-fields: warning}" >>warn/.chg/policy.yaml &&
	chg_normal_cr CHG-0001 >warn/changes/CHG-0001.yaml &&
	echo "priority: high" >>warn/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C warn &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:1: warning: unknown field ${SQ}priority${SQ}: the policy does not define it (a typo, or add it to the policy${SQ}s fields) [unknown-field]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C warn --strict &&
	test_cmp expect actual
'

test_expect_success 'a warning does not hide an error' '
	sed "s/^type: normal/type: routine/" warn/changes/CHG-0001.yaml >tmp &&
	mv tmp warn/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C warn &&
	grep ": warning: unknown field ${SQ}priority${SQ}" actual &&
	grep ": error: type must be one of" actual
'

test_expect_success 'unknown-fields: ignore says nothing, even with --strict' '
	lint_repo ignore &&
	echo "changes: {unknown-fields: ignore}" >>ignore/.chg/policy.yaml &&
	chg_normal_cr CHG-0001 >ignore/changes/CHG-0001.yaml &&
	printf "priority: high\nimpact2: {a: 1}\n" >>ignore/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C ignore &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C ignore --strict &&
	test_must_be_empty actual
'

test_expect_success 'a field the repository policy adds is known and checked' '
	lint_repo custom &&
	cat >>custom/.chg/policy.yaml <<-\EOF &&
	fields:
	  priority: {type: enum, values: [low, high]}
	EOF
	chg_normal_cr CHG-0001 >custom/changes/CHG-0001.yaml &&
	echo "priority: high" >>custom/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C custom &&
	test_must_be_empty actual &&
	chg_normal_cr CHG-0001 >custom/changes/CHG-0001.yaml &&
	echo "priority: urgent" >>custom/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C custom &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:11: error: priority must be one of low, high, not ${SQ}urgent${SQ} [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a NUL escape in a value is refused, not cut short' '
	chg_normal_cr CHG-0001 |
	sed -e "s/^title: .*/title: \"Rotate\\\\0; rm -rf \/\"/" \
	    -e "s/^requested-by: .*/requested-by: \"Jane Doe <jane@example.com>\\\\0x\"/" >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:8: error: title contains a NUL character; remove the \0 escape [invalid-value]
	changes/CHG-0001.yaml:5:15: error: requested-by contains a NUL character; remove the \0 escape [invalid-value]
	EOF
	test_cmp expect actual
'

test_done
