#!/bin/sh

test_description='chg-lint: conditions that compare dates with the clock (--now) and with fixed dates'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
CR=repo/changes/CHG-0001.yaml

# cr [SED-SCRIPT...]: CHG-0001 (window 2026-12-05T22:00:00Z) through sed.
cr () {
	chg_normal_cr CHG-0001 | sed -e "" "$@" >$CR
}

# window START END: CHG-0001 with that window.
window () {
	cr -e "s/^window: .*/window: {start: $1, end: $2}/"
}

test_expect_success 'setup: time rules in the policy' '
	chg_repo repo &&
	cat >>repo/.chg/policy.yaml <<-\EOF &&
	fields:
	  communication:
	    required: {when: {type: normal, window.start: {before: now+7d}}}
	rules:
	  - id: short-notice
	    when: {state: requested, window.start: {before: now+48h}}
	    require: {type: emergency}
	    message: requested less than 48h before its window; only an emergency change may be
	  - id: notice-in-the-future
	    forbid: {communication.notice-sent: {after: now}}
	  - id: year-end-freeze
	    when: {window.start: {after: 2026-12-20, before: "2027-01-04T00:00:00+01:00"}}
	    forbid: {type: normal}
	    message: no normal changes in the year-end freeze
	EOF
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'a window more than a week ahead lints clean' '
	cr &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a week before the window the communication section is required (strictly after)' '
	chg_lint_status 0 -C repo --now 2026-11-28T22:00:00Z &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --now 2026-11-28T22:00:01Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: communication is required when type is normal and window.start is before now+7d [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'a notice sent in the future is forbidden until now passes it' '
	cr &&
	echo "communication: {notice-sent: 2026-11-21T09:00:00+01:00}" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:21:30: error: communication.notice-sent is forbidden by rule notice-in-the-future [notice-in-the-future]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C repo --now 2026-11-21T07:59:59Z &&
	test_cmp expect actual &&
	chg_lint_status 0 -C repo --now 2026-11-21T08:00:00Z &&
	test_must_be_empty actual
'

test_expect_success 'a change still requested 48h before its window: short-notice' '
	cr &&
	echo "communication: {notice-sent: 2026-11-25T10:00:00Z}" >>$CR &&
	chg_lint_status 0 -C repo --now 2026-12-03T22:00:00Z &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --now 2026-12-03T22:00:01Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:3:7: error: requested less than 48h before its window; only an emergency change may be [short-notice]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C repo --now 2026-12-06T00:00:00Z &&
	test_cmp expect actual
'

test_expect_success 'the same change as an emergency meets the rule' '
	cr -e "s/^type: normal/type: emergency/" &&
	echo "communication: {notice-sent: 2026-11-25T10:00:00Z}" >>$CR &&
	echo "incident: INC-1234" >>$CR &&
	chg_lint_status 0 -C repo --now 2026-12-03T22:00:01Z &&
	test_must_be_empty actual
'

test_expect_success 'the window offset counts: 23:00+01:00 is 22:00Z' '
	window 2026-12-05T23:00:00+01:00 2026-12-06T00:00:00+01:00 &&
	echo "communication: {notice-sent: 2026-11-25T10:00:00Z}" >>$CR &&
	chg_lint_status 0 -C repo --now 2026-12-03T22:00:00Z &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --now 2026-12-03T22:00:01Z &&
	grep "^changes/CHG-0001.yaml:3:7: error: .* \[short-notice\]\$" actual &&
	test $(wc -l <actual) = 1
'

test_expect_success 'a window inside the fixed freeze dates: year-end-freeze, whatever --now says' '
	window 2026-12-28T22:00:00+01:00 2026-12-28T23:00:00+01:00 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:3:7: error: no normal changes in the year-end freeze [year-end-freeze]
	EOF
	chg_lint_status 1 -C repo &&
	test_cmp expect actual &&
	chg_lint_status 1 -C repo --now 2025-01-01T00:00:00Z &&
	test_cmp expect actual
'

test_expect_success 'the freeze bounds are strict and read as instants' '
	window 2026-12-20T00:00:00Z 2026-12-20T01:00:00Z &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	window 2026-12-20T00:00:01Z 2026-12-20T01:00:00Z &&
	chg_lint_status 1 -C repo &&
	grep "\[year-end-freeze\]\$" actual &&
	window 2026-12-20T00:30:00+01:00 2026-12-20T01:00:00+01:00 &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	window 2027-01-03T23:59:59Z 2027-01-04T01:00:00Z &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	window 2027-01-03T22:59:59Z 2027-01-04T01:00:00Z &&
	chg_lint_status 1 -C repo &&
	grep "\[year-end-freeze\]\$" actual
'

test_expect_success 'a window start that is no date-time: only the schema reports it' '
	window next-week 2026-12-05T23:00:00Z &&
	echo "communication: {notice-sent: 2026-11-25T10:00:00Z}" >>$CR &&
	chg_lint_status 1 -C repo --now 2026-12-03T22:00:01Z &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:16:17: error: window.start is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}next-week${SQ} [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'a bad time bound is invalid-policy at the bound, exit 3' '
	chg_repo bad &&
	cat >>bad/.chg/policy.yaml <<-\EOF &&
	rules:
	  - id: short-notice
	    when: {window.start: {before: now+48}}
	    require: {type: emergency}
	  - id: old-notice
	    forbid: {communication.notice-sent: {after: 2026-11-31, before: now}}
	  - id: mixed
	    forbid: {impact.users: {min: 1, before: now}}
	EOF
	chg_normal_cr CHG-0001 >bad/changes/CHG-0001.yaml &&
	chg_lint_status 3 -C bad &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:11:35: error: before: takes now, now+DURATION, now-DURATION, a date-time or a date, not ${SQ}now+48${SQ} [invalid-policy]
	.chg/policy.yaml:14:49: error: after: takes now, now+DURATION, now-DURATION, a date-time or a date, not ${SQ}2026-11-31${SQ} [invalid-policy]
	.chg/policy.yaml:16:28: error: a field test is a value, a list of values, {matches: REGEX}, {present: BOOL}, {min: N, max: N}, {min-items: N, max-items: N} or {before: TIME, after: TIME} [invalid-policy]
	EOF
	test_cmp expect actual &&
	cat >expect.err <<-\EOF &&
	chg-lint: the policy or the standard-change catalog is invalid; fix the errors above
	EOF
	test_cmp expect.err stderr
'

test_done
