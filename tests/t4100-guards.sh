#!/bin/sh

test_description='guards: a catastrophic regular expression in a policy, a 10,000-item list in a record'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# lints DIR STATUS [ARGS...]: chg-lint on DIR with a time limit, so that
# a missing guard fails the test instead of hanging it; the limit is a
# backstop, not what the tests assert.
lints () {
	_dir=$1 _want=$2
	shift 2
	timeout 60 chg-lint --now "$CHG_TEST_NOW" -C "$_dir" "$@" >actual 2>stderr
	_got=$?
	if test "$_got" != "$_want"; then
		echo "chg-lint exited $_got, expected $_want" >&2
		cat actual stderr >&2
		return 1
	fi
}

# as_many N CHAR: N times CHAR.
as_many () {
	awk -v n="$1" -v c="$2" 'BEGIN { while (n-- > 0) printf "%s", c }'
}

# record ID TITLE: a record of the regex policy below.
record () {
	printf "id: %s\ntitle: %s\n" "$1" "$2"
}

# '^(a+)+$' against a's followed by a b fails only after trying every way
# of splitting the a's between the two loops: about 2^N steps for N a's.
# CHG_PATTERN_MATCH_LIMIT (lib/pattern.c) is 1,000,000 steps; PCRE2's own
# default is 10,000,000.  20 a's take about 2,100,000 steps with the JIT
# and 2,600,000 without it: between the two limits, so that without
# chg's limit this title would be a plain pattern-mismatch.  43 a's would
# take 2^43 steps: without any limit, days.
test_expect_success 'setup: a policy with a catastrophic pattern' '
	git init -q -b main regex &&
	mkdir -p regex/.chg regex/records &&
	cat >regex/.chg/policy.yaml <<-\EOF &&
	version: 1
	extends: none
	changes:
	  paths: ["records/*.yaml"]
	  id-pattern: ^R-[0-9]+$
	  filename-matches-id: true
	fields:
	  id: {type: string, required: always}
	  title: {type: text, pattern: ^(a+)+$, required: always}
	EOF
	record R-1 "$(as_many 20 a)" >regex/records/R-1.yaml &&
	(cd regex && chg_commit "Jane Doe" jane@example.com "Add R-1")
'

test_expect_success 'the pattern works: a title that matches lints clean' '
	lints regex 0 &&
	test_must_be_empty actual
'

test_expect_success 'a title that fails fast is a pattern-mismatch' '
	record R-2 "b$(as_many 20 a)" >regex/records/R-2.yaml &&
	lints regex 1 records/R-2.yaml &&
	cat >expect <<-EOF &&
	records/R-2.yaml:2:8: error: title ${SQ}baaaaaaaaaaaaaaaaaaaa${SQ} does not match the pattern ${SQ}^(a+)+\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'a title that needs millions of steps hits chg'"'"'s match limit' '
	record R-3 "$(as_many 20 a)b" >regex/records/R-3.yaml &&
	lints regex 1 records/R-3.yaml &&
	cat >expect <<-EOF &&
	records/R-3.yaml:2:8: error: title: a regular expression hit its match limit on this value; simplify the policy${SQ}s pattern [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a title that would take days hits it too' '
	record R-4 "$(as_many 43 a)b" >regex/records/R-4.yaml &&
	lints regex 1 records/R-4.yaml &&
	cat >expect <<-EOF &&
	records/R-4.yaml:2:8: error: title: a regular expression hit its match limit on this value; simplify the policy${SQ}s pattern [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a condition with the pattern: the rule reports the limit, not a verdict' '
	cat >>regex/.chg/policy.yaml <<-\EOF &&
	rules:
	  - id: no-long-a-titles
	    when: {title: {matches: ^(a+)+$}}
	    forbid: [title]
	EOF
	rm regex/records/R-2.yaml regex/records/R-4.yaml &&
	lints regex 1 &&
	cat >expect <<-EOF &&
	records/R-1.yaml:2:8: error: title is forbidden by rule no-long-a-titles [no-long-a-titles]
	records/R-3.yaml:1:1: error: no-long-a-titles: a regular expression hit its match limit on this value; simplify the policy${SQ}s pattern [invalid-value]
	records/R-3.yaml:2:8: error: title: a regular expression hit its match limit on this value; simplify the policy${SQ}s pattern [invalid-value]
	EOF
	test_cmp expect actual
'

# A change request whose systems list has 10,000 items, the last of them
# a production database; and one with a list of 10,000 maps, the last
# naming a production database.

# big_cr ID [LAST]: a complete normal change of medium risk (score 11)
# whose last field, systems, lists app-00001 ... app-09999 and LAST
# (default db-prod-01): 10,000 items.
big_cr () {
	chg_normal_cr "$1" | sed "/^systems:/d" &&
	echo "systems:" &&
	awk "BEGIN { for (i = 1; i < 10000; i++) printf \"  - app-%05d\\n\", i }" &&
	echo "  - ${2:-db-prod-01}"
}

test_expect_success 'setup: a policy with conditions on a list and on a list of maps' '
	chg_repo big &&
	cat >>big/.chg/policy.yaml <<-\EOF &&
	fields:
	  hosts:
	    type: list
	    items:
	      fields:
	        name: {type: string, pattern: "^[a-z0-9-]+$", required: always}
	        role: {type: enum, values: [app, db, web]}
	risk:
	  conditions:
	    - when: {systems: {matches: ^db-prod}}
	      at-least: high
	    - when: {"hosts[].name": {matches: ^db-prod}}
	      at-least: critical
	EOF
	big_cr CHG-0001 >big/changes/CHG-0001.yaml &&
	test $(grep -c "^  - " big/changes/CHG-0001.yaml) = 10000 &&
	test "$(tail -n 1 big/changes/CHG-0001.yaml)" = "  - db-prod-01" &&
	(cd big && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
'

test_expect_success 'a condition on a 10,000-item list sees the last item' '
	lints big 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:13:10: error: risk.level medium is below the assessed risk high (scored 11: users-affected 2 + system-criticality 3 + security 2 + rollback-difficulty 2 + timing 2 -> medium; systems matches ${SQ}^db-prod${SQ} -> at least high; declared medium); declare at least high [risk-understated]
	EOF
	test_cmp expect actual
'

test_expect_success 'the item pattern is checked on the 10,000th item' '
	big_cr CHG-0001 "db prod 01" >big/changes/CHG-0001.yaml &&
	lints big 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:10020:5: error: systems[9999] ${SQ}db prod 01${SQ} does not match the pattern ${SQ}^[A-Za-z0-9][A-Za-z0-9._-]*\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'a condition through a 10,000-item list of maps (hosts[].name) sees the last item' '
	{
		chg_normal_cr CHG-0001 &&
		echo "hosts:" &&
		awk "BEGIN { for (i = 1; i < 10000; i++) printf \"  - {name: app-%05d, role: app}\\n\", i }" &&
		echo "  - {name: db-prod-01, role: db}"
	} >big/changes/CHG-0001.yaml &&
	lints big 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level medium is below the assessed risk critical (scored 11: users-affected 2 + system-criticality 3 + security 2 + rollback-difficulty 2 + timing 2 -> medium; hosts[].name matches ${SQ}^db-prod${SQ} -> at least critical; declared medium); declare at least critical [risk-understated]
	EOF
	test_cmp expect actual
'

test_done
