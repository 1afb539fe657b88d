#!/bin/sh

test_description='chg-lint: risk (scored, conditioned, understated), tested rollback, post-implementation reviews'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
CR=repo/changes/CHG-0001.yaml

# risk LEVEL A B C D E [STATE]: CHG-0001 declaring LEVEL with those five
# answers, into $CR.
risk () {
	chg_normal_cr CHG-0001 "${7:-requested}" |
	sed -e "s/^  level: medium/  level: $1/" \
	    -e "s/^  assessment: .*/  assessment: {users-affected: $2, system-criticality: $3, security: $4, rollback-difficulty: $5, timing: $6}/" >$CR
}

test_expect_success 'setup' '
	chg_repo repo &&
	cat >>repo/.chg/policy.yaml <<-\EOF &&
	  rules: [{required: 0}]
	EOF
	mkdir -p repo/.chg/catalog &&
	echo "title: Rotate a certificate" >repo/.chg/catalog/cert-rotation.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'a declared level that matches the score lints clean' '
	risk medium 2 3 2 2 2 &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a declared level below the score: the message shows the breakdown' '
	risk low 2 3 2 2 2 &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level low is below the assessed risk medium (scored 11: users-affected 2 + system-criticality 3 + security 2 + rollback-difficulty 2 + timing 2 -> medium; declared low); declare at least medium [risk-understated]
	EOF
	test_cmp expect actual
'

test_expect_success 'the level thresholds are minimum scores (14 medium, 15 high)' '
	risk medium 3 3 3 3 2 &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	risk medium 3 3 3 3 3 &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level medium is below the assessed risk high (scored 15: users-affected 3 + system-criticality 3 + security 3 + rollback-difficulty 3 + timing 3 -> high; declared medium); declare at least high [risk-understated]
	EOF
	test_cmp expect actual
'

test_expect_success 'a score of 20 is critical' '
	risk high 4 4 4 4 4 &&
	echo "rollback-tested: true" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level high is below the assessed risk critical (scored 20: users-affected 4 + system-criticality 4 + security 4 + rollback-difficulty 4 + timing 4 -> critical; declared high); declare at least critical [risk-understated]
	EOF
	test_cmp expect actual
'

test_expect_success 'declaring more risk than scored is allowed' '
	risk critical 1 1 1 1 1 &&
	echo "rollback-tested: true" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'high risk without rollback-tested: reported at risk.level' '
	risk high 2 3 2 2 2 &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:10: error: high and critical changes need a tested rollback plan [tested-rollback-for-high-risk]
	EOF
	test_cmp expect actual
'

test_expect_success 'critical risk with rollback-tested false: reported at rollback-tested' '
	risk critical 2 3 2 2 2 &&
	echo "rollback-tested: false" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:21:18: error: high and critical changes need a tested rollback plan [tested-rollback-for-high-risk]
	EOF
	test_cmp expect actual
'

test_expect_success 'high risk with a tested rollback lints clean' '
	risk high 2 3 2 2 2 &&
	echo "rollback-tested: true" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'rollback-tested is a bool: True counts, the string "true" is invalid-type' '
	risk high 2 3 2 2 2 &&
	echo "rollback-tested: True" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	risk high 2 3 2 2 2 &&
	echo "rollback-tested: \"true\"" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:18: error: rollback-tested must be true or false, not the string "true": a quoted true or false is a string; remove the quotes (or the !!str tag) [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'medium risk needs no tested rollback' '
	risk medium 2 3 2 2 2 &&
	echo "rollback-tested: false" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'an understated high risk: one finding (the rollback rule reads the declared level)' '
	risk medium 3 3 3 3 3 &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level medium is below the assessed risk high (scored 15: users-affected 3 + system-criticality 3 + security 3 + rollback-difficulty 3 + timing 3 -> high; declared medium); declare at least high [risk-understated]
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: a policy condition raises the floor for production databases' '
	chg_repo cond &&
	cat >>cond/.chg/policy.yaml <<-\EOF &&
	risk:
	  conditions:
	    - when: {systems: {matches: "^db-prod"}}
	      at-least: high
	EOF
	(cd cond && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'a change touching db-prod declared medium is understated' '
	chg_normal_cr CHG-0001 |
	sed "s/^systems: .*/systems: [billing-api, db-prod-01]/" >cond/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C cond &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level medium is below the assessed risk high (scored 11: users-affected 2 + system-criticality 3 + security 2 + rollback-difficulty 2 + timing 2 -> medium; systems matches ${SQ}^db-prod${SQ} -> at least high; declared medium); declare at least high [risk-understated]
	EOF
	test_cmp expect actual
'

test_expect_success 'declared high (with a tested rollback) it lints clean' '
	chg_normal_cr CHG-0001 |
	sed -e "s/^systems: .*/systems: [billing-api, db-prod-01]/" \
	    -e "s/^  level: medium/  level: high/" >cond/changes/CHG-0001.yaml &&
	echo "rollback-tested: true" >>cond/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C cond &&
	test_must_be_empty actual
'

test_expect_success 'the condition does not hold for other systems' '
	chg_normal_cr CHG-0001 |
	sed "s/^systems: .*/systems: [db-staging-01, prod-db-01]/" >cond/changes/CHG-0001.yaml &&
	chg_lint_status 0 -C cond &&
	test_must_be_empty actual
'

test_expect_success 'a condition raises the floor even without a scored assessment' '
	chg_normal_cr CHG-0001 |
	sed -e "s/^systems: .*/systems: [db-prod-01]/" \
	    -e "s/^  level: medium/  level: low/" \
	    -e "/^  assessment:/d" >cond/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C cond &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:3: error: risk.assessment is required [required-field]
	changes/CHG-0001.yaml:14:10: error: risk.level low is below the assessed risk high (systems matches ${SQ}^db-prod${SQ} -> at least high; declared low); declare at least high [risk-understated]
	EOF
	test_cmp expect actual
'

test_expect_success 'a closed normal change without a review is missing-review' '
	chg_normal_cr CHG-0001 closed >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: a closed normal or emergency change needs a post-implementation review [missing-review]
	EOF
	test_cmp expect actual
'

test_expect_success 'a closed emergency change without a review is missing-review' '
	chg_normal_cr CHG-0001 closed | sed "s/^type: normal/type: emergency/" >$CR &&
	echo "incident: INC-1234" >>$CR &&
	chg_lint_status 1 -C repo &&
	test_cmp expect actual
'

test_expect_success 'with a review the closed change lints clean' '
	chg_normal_cr CHG-0001 closed >$CR &&
	cat >>$CR <<-\EOF &&
	review:
	  outcome: successful
	  actual-start: 2026-12-05T22:04:00Z
	  actual-end: 2026-12-05T22:40:00Z
	  notes: |
	    Both listeners serve the new certificate.
	  become-standard: true
	EOF
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a review needs its outcome' '
	chg_normal_cr CHG-0001 closed >$CR &&
	printf "review:\n  notes: Went fine.\n" >>$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:22:3: error: review.outcome is required [required-field]
	EOF
	test_cmp expect actual
'

test_expect_success 'a closed standard change needs no review' '
	chg_normal_cr CHG-0001 closed | sed "s/^type: normal/type: standard/" >$CR &&
	echo "standard-template: cert-rotation" >>$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'an implemented change is not yet missing its review' '
	chg_normal_cr CHG-0001 implemented >$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a normal review is not overdue up to 14 days after the window' '
	chg_normal_cr CHG-0001 implemented >$CR &&
	chg_lint_status 0 -C repo --now 2026-12-19T23:00:00Z &&
	test_must_be_empty actual
'

test_expect_success 'a normal review is overdue after 14 days' '
	chg_lint_status 1 -C repo --now 2026-12-19T23:00:01Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: the post-implementation review of this normal change was due by 2026-12-19T23:00:00Z (14d after its window ended); add a review section [review-overdue]
	EOF
	test_cmp expect actual
'

test_expect_success 'a review written in time is not overdue' '
	printf "review:\n  outcome: successful-with-issues\n" >>$CR &&
	chg_lint_status 0 -C repo --now 2027-03-01T00:00:00Z &&
	test_must_be_empty actual
'

test_expect_success 'an emergency review is due 5 days after the window (window offset honoured)' '
	chg_normal_cr CHG-0001 implemented |
	sed -e "s/^type: normal/type: emergency/" \
	    -e "s/^window: .*/window: {start: 2026-12-05T22:00:00+01:00, end: 2026-12-05T23:00:00+01:00}/" >$CR &&
	echo "incident: INC-1234" >>$CR &&
	chg_lint_status 0 -C repo --now 2026-12-10T22:00:00Z &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --now 2026-12-10T22:00:01Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: the post-implementation review of this emergency change was due by 2026-12-10T22:00:00Z (5d after its window ended); add a review section [review-overdue]
	EOF
	test_cmp expect actual
'

test_expect_success 'a change that was never approved has no review due' '
	chg_normal_cr CHG-0001 requested >$CR &&
	chg_lint_status 0 -C repo --now 2027-06-01T00:00:00Z &&
	test_must_be_empty actual
'

test_expect_success 'an approved change that was not carried out has no review due' '
	chg_normal_cr CHG-0001 approved >$CR &&
	chg_lint_status 0 -C repo --now 2027-06-01T00:00:00Z &&
	test_must_be_empty actual
'

test_expect_success 'lifecycle.implemented says which states need the review' '
	chg_normal_cr CHG-0001 approved >$CR &&
	cp repo/.chg/policy.yaml policy.orig &&
	printf "lifecycle:\n  implemented: [approved]\n" >>repo/.chg/policy.yaml &&
	chg_lint_status 1 -C repo --now 2027-06-01T00:00:00Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: the post-implementation review of this normal change was due by 2026-12-19T23:00:00Z (14d after its window ended); add a review section [review-overdue]
	EOF
	test_cmp expect actual &&
	cp policy.orig repo/.chg/policy.yaml
'

test_expect_success 'the policy sets the deadline (schedule.review-within merges)' '
	cat >>repo/.chg/policy.yaml <<-\EOF &&
	schedule:
	  review-within: {emergency: 2d}
	EOF
	chg_normal_cr CHG-0001 implemented | sed "s/^type: normal/type: emergency/" >$CR &&
	echo "incident: INC-1234" >>$CR &&
	chg_lint_status 1 -C repo --now 2026-12-08T00:00:00Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: the post-implementation review of this emergency change was due by 2026-12-07T23:00:00Z (2d after its window ended); add a review section [review-overdue]
	EOF
	test_cmp expect actual &&
	chg_normal_cr CHG-0001 implemented >$CR &&
	chg_lint_status 0 -C repo --now 2026-12-19T23:00:00Z &&
	chg_lint_status 1 -C repo --now 2026-12-20T00:00:00Z &&
	grep "was due by 2026-12-19T23:00:00Z (14d after its window ended)" actual
'

test_done
