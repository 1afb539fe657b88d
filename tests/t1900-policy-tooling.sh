#!/bin/sh

test_description='policy tooling: chg policy show and check, chg-lint --explain'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# records_policy: a small policy of its own (extends: none) for records.
records_policy () {
	cat <<-\EOF
	# Records of the operations team: a schema of their own.
	version: 1
	extends: none
	changes:
	  paths: ["records/*.yaml"]
	  id-pattern: '^R[0-9]+$'
	  filename-matches-id: true
	fields:
	  id: {type: string, required: always}
	  title: {type: text, required: always}
	  status: {type: enum, values: [open, done], required: always}
	  owner: {type: identity}
	  notes: {type: text}
	rules:
	  - id: done-needs-owner
	    when: {status: done}
	    require: [owner]
	    message: "a done record needs an owner: who did it"
	EOF
}

# same_findings DIR SHOWN: chg-lint in DIR with its own policy and with the
# policy file SHOWN give the same findings and the same exit status.
same_findings () {
	chg-lint --now "$CHG_TEST_NOW" -C "$1" >own 2>/dev/null
	_own=$?
	chg-lint --now "$CHG_TEST_NOW" -C "$1" --policy "$PWD/$2" >shown 2>/dev/null
	_shown=$?
	test_cmp own shown &&
	test "$_own" = "$_shown" &&
	test -s own
}

test_expect_success 'setup: a repository of records with a policy of its own' '
	git init -q -b main rec &&
	mkdir -p rec/.chg rec/records &&
	records_policy >rec/.chg/policy.yaml &&
	printf "id: R1\ntitle: First\nstatus: done\n" >rec/records/R1.yaml &&
	printf "id: R2\ntitle: \"true\"\nstatus: closed\nnotes: |\n  line one\n  # not a comment\n" \
		>rec/records/R2.yaml &&
	(cd rec && chg_commit "Jane Doe" jane@example.com "Records")
'

test_expect_success 'policy show prints the effective policy with its sources' '
	chg -C rec policy show >actual &&
	cat >expect <<-EOF &&
	# chg policy show: the effective policy
	# sources: .chg/policy.yaml (extends: none: the built-in policy is not used)
	# Printed whole, with extends: none, so that it stands alone as a policy file.
	version: 1
	extends: none
	changes:
	  paths: [${SQ}records/*.yaml${SQ}]
	  id-pattern: ${SQ}^R[0-9]+\$${SQ}
	  filename-matches-id: true
	fields:
	  id: {type: string, required: always}
	  title: {type: text, required: always}
	  status: {type: enum, values: [open, done], required: always}
	  owner: {type: identity}
	  notes: {type: text}
	rules:
	- id: done-needs-owner
	  when: {status: done}
	  require: [owner]
	  message: ${SQ}a done record needs an owner: who did it${SQ}
	EOF
	test_cmp expect actual
'

test_expect_success 'the shown policy, given to chg-lint --policy, finds the same' '
	chg -C rec policy show >shown.yaml &&
	same_findings rec shown.yaml &&
	cat >expect <<-EOF &&
	records/R1.yaml:3:9: error: a done record needs an owner: who did it [done-needs-owner]
	records/R2.yaml:3:9: error: status must be one of open, done, not ${SQ}closed${SQ} [invalid-value]
	EOF
	test_cmp expect own &&
	chg -C rec policy show --policy "$PWD/shown.yaml" | sed 1,3d >again.yaml &&
	sed 1,3d shown.yaml >body.yaml &&
	test_cmp body.yaml again.yaml
'

test_expect_success 'setup: a repository whose policy extends the built-in one' '
	chg_repo crs &&
	cat >>crs/.chg/policy.yaml <<-\EOF &&
	clients: [acme, globex]
	risk:
	  conditions:
	    - when: {systems: {matches: "^db-prod"}}
	      at-least: high
	EOF
	chg_normal_cr CHG-0001 approved >crs/changes/CHG-0001.yaml &&
	chg_normal_cr CHG-0002 | sed "s/^systems: .*/systems: [db-prod-01]/" \
		>crs/changes/CHG-0002.yaml &&
	printf "client: initech\n" >>crs/changes/CHG-0002.yaml &&
	(cd crs && chg_commit "Jane Doe" jane@example.com "Requests")
'

test_expect_success 'policy show merges the repository file over the built-in policy' '
	chg -C crs policy show >shown-crs.yaml &&
	sed -n 1,3p shown-crs.yaml >actual &&
	cat >expect <<-\EOF &&
	# chg policy show: the effective policy
	# sources: built-in policy + .chg/policy.yaml (extends: default)
	# Printed whole, with extends: none, so that it stands alone as a policy file.
	EOF
	test_cmp expect actual &&
	sed -n 4,5p shown-crs.yaml >actual &&
	printf "version: 1\nextends: none\n" >expect &&
	test_cmp expect actual &&
	grep "^clients: \[acme, globex\]\$" shown-crs.yaml &&
	grep "^    cab: \[alice@example.com, carol@example.com\]\$" shown-crs.yaml &&
	grep "^  conditions: \[{when: {systems: {matches: ${SQ}^db-prod${SQ}}}, at-least: high}\]\$" shown-crs.yaml &&
	grep "^- id: tested-rollback-for-high-risk\$" shown-crs.yaml &&
	grep "^  require-signature: false\$" shown-crs.yaml
'

test_expect_success 'the merged policy, shown, finds the same as the two files' '
	same_findings crs shown-crs.yaml &&
	grep "\[missing-approval\]\$" own &&
	grep "\[risk-understated\]\$" own &&
	grep "client ${SQ}initech${SQ} is not one of" own
'

test_expect_success 'without .chg/policy.yaml: the built-in policy, its groups shown empty' '
	git init -q -b main bare-policy &&
	mkdir bare-policy/changes &&
	chg_normal_cr CHG-0001 approved >bare-policy/changes/CHG-0001.yaml &&
	(cd bare-policy && chg_commit "Jane Doe" jane@example.com "Request") &&
	chg -C bare-policy policy show >shown-builtin.yaml &&
	sed -n 1,6p shown-builtin.yaml >actual &&
	cat >expect <<-\EOF &&
	# chg policy show: the effective policy
	# sources: built-in policy (no .chg/policy.yaml)
	# approvals.groups shows emergency, cab, managers empty: the built-in
	# approval rules name them, no file defines them, and no one can
	# approve from them either way.
	# Printed whole, with extends: none, so that it stands alone as a policy file.
	EOF
	test_cmp expect actual &&
	grep "^  groups: {emergency: \[\], cab: \[\], managers: \[\]}\$" shown-builtin.yaml &&
	chg policy check shown-builtin.yaml &&
	same_findings bare-policy shown-builtin.yaml &&
	grep "\[missing-approval\]\$" own
'

test_expect_success 'policy show --rev shows the policy of a revision' '
	records_policy | sed "s/open, done/open, done, dropped/" >rec/.chg/policy.yaml &&
	(cd rec && chg_commit "Jane Doe" jane@example.com "Records may be dropped") &&
	chg -C rec policy show | grep "values: \[open, done, dropped\]" &&
	chg -C rec policy show --rev HEAD~1 >actual &&
	sed 2!d actual >line &&
	echo "# sources: .chg/policy.yaml at HEAD~1 (extends: none: the built-in policy is not used)" >expect &&
	test_cmp expect line &&
	sed 1,3d actual >body-old.yaml &&
	test_cmp body.yaml body-old.yaml
'

test_expect_success 'policy show of an invalid policy: the diagnostics, exit 3' '
	test_expect_code 3 chg -C rec policy show --policy "$PWD/no-such.yaml" >actual 2>err &&
	test_must_be_empty actual &&
	grep "^chg policy: cannot read policy ${SQ}$PWD/no-such.yaml${SQ}\$" err &&
	printf "version: 1\nextends: sometimes\n" >bad-extends.yaml &&
	test_expect_code 3 chg -C rec policy show --policy "$PWD/bad-extends.yaml" >actual 2>err &&
	test_must_be_empty actual &&
	cat >expect <<-EOF &&
	$PWD/bad-extends.yaml:2:10: error: extends must be default or none [invalid-policy]
	chg policy: the policy is invalid; fix the errors above
	EOF
	test_cmp expect err
'

test_expect_success 'policy check: a valid policy exits 0 and prints nothing' '
	chg -C rec policy check >actual 2>err &&
	test_must_be_empty actual &&
	test_must_be_empty err &&
	chg -C bare-policy policy check >actual &&
	test_must_be_empty actual &&
	records_policy >valid.yaml &&
	chg policy check valid.yaml >actual &&
	test_must_be_empty actual
'

test_expect_success 'policy check: an invalid policy exits 1 with its findings, as chg-lint sees them' '
	cat >rec/.chg/policy.yaml <<-\EOF &&
	version: 1
	extends: none
	changes: {id-pattern: "^R[0-9"}
	fields:
	  status: {type: enumeration}
	rules:
	  - id: lonely
	    when: {status: done}
	EOF
	test_expect_code 1 chg -C rec policy check >actual 2>err &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:3:23: error: invalid regular expression ${SQ}^R[0-9${SQ}: missing terminating ] for character class at offset 6 [invalid-policy]
	.chg/policy.yaml:5:18: error: status.type must be one of string, text, int, bool, enum, identity, date, datetime, duration, list, map [invalid-policy]
	.chg/policy.yaml:7:5: error: rule ${SQ}lonely${SQ} needs require: or forbid: [invalid-policy]
	EOF
	test_cmp expect actual &&
	echo "chg policy: .chg/policy.yaml is invalid: 3 errors" >expect.err &&
	test_cmp expect.err err &&
	chg_lint_status 3 -C rec &&
	test_cmp expect actual
'

test_expect_success 'policy check FILE, and --format json' '
	cp rec/.chg/policy.yaml invalid.yaml &&
	test_expect_code 1 chg policy check --format json invalid.yaml >actual &&
	grep "\"path\": \"invalid.yaml\"" actual &&
	grep "\"errors\": 3" actual &&
	test $(grep -c "\"rule\": \"invalid-policy\"" actual) = 3 &&
	chg -C rec policy check --format json --rev HEAD >actual &&
	grep "\"errors\": 0" actual
'

test_expect_success 'policy check: what cannot be read exits 3' '
	test_expect_code 3 chg policy check no-such.yaml >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg policy: cannot read policy ${SQ}no-such.yaml${SQ}" >expect &&
	test_cmp expect err &&
	mkdir a-directory.yaml &&
	test_expect_code 3 chg policy check a-directory.yaml 2>err &&
	grep "cannot read policy ${SQ}a-directory.yaml${SQ}" err &&
	mkdir not-a-repo &&
	test_expect_code 3 chg -C not-a-repo policy check 2>err &&
	grep "^chg policy: not a git repository" err &&
	test_expect_code 3 chg -C rec policy check --rev no-such-rev 2>err &&
	grep "unknown revision ${SQ}no-such-rev${SQ}" err
'

test_expect_success 'policy: usage errors exit 2' '
	test_expect_code 2 chg policy 2>err &&
	grep "^usage: chg policy show" err &&
	test_expect_code 2 chg policy frobnicate 2>err &&
	grep "^chg policy: unknown subcommand ${SQ}frobnicate${SQ}" err &&
	test_expect_code 2 chg policy check a.yaml b.yaml 2>err &&
	test_expect_code 2 chg policy check --format xml 2>err &&
	test_expect_code 2 chg policy show extra 2>err &&
	test_expect_code 2 chg policy show --format json 2>err &&
	chg policy --help >out &&
	grep "^usage: chg policy show" out &&
	chg --help >out &&
	grep "^  policy  *show the effective policy" out
'

test_expect_success '--explain a built-in check' '
	records_policy >rec/.chg/policy.yaml &&
	chg-lint -C rec --explain window-order >actual &&
	cat >expect <<-\EOF &&
	rule:      window-order
	source:    built-in (chg-lint)
	severity:  error

	window.end is not after window.start: the change would be over before it
	began, usually a wrong date, hour or offset.

	Failing example:
	    window: {start: 2026-12-06T02:00:00Z, end: 2026-12-05T22:00:00Z}

	Passing example:
	    window: {start: 2026-12-05T22:00:00Z, end: 2026-12-06T02:00:00Z}
	EOF
	test_cmp expect actual
'

test_expect_success '--explain a rule the repository policy defines: its file and line' '
	chg-lint -C rec --explain done-needs-owner >actual &&
	cat >expect <<-\EOF &&
	rule:      done-needs-owner
	source:    .chg/policy.yaml:15
	severity:  error
	when:      status is done
	requires:  owner is present
	message:   a done record needs an owner: who did it

	A rule of .chg/policy.yaml (rules:): when status is done, a change
	request must meet: owner is present.  Each test that fails is reported
	at its field as an error.

	Failing example:
	    status: done

	Passing example:
	    status: done
	    owner: Jane Doe <jane@example.com>
	EOF
	test_cmp expect actual
'

test_expect_success 'the examples of --explain fail and pass as they say' '
	sed -n "/^Failing example:/,/^\$/s/^    //p" actual >failing &&
	sed -n "/^Passing example:/,\$s/^    //p" actual >passing &&
	{ printf "id: R3\ntitle: Third\n" && cat failing; } >rec/records/R3.yaml &&
	chg_lint_status 1 -C rec records/R3.yaml &&
	echo "records/R3.yaml:3:9: error: a done record needs an owner: who did it [done-needs-owner]" >expect &&
	test_cmp expect actual &&
	{ printf "id: R3\ntitle: Third\n" && cat passing; } >rec/records/R3.yaml &&
	chg_lint_status 0 -C rec records/R3.yaml &&
	test_must_be_empty actual
'

test_expect_success '--explain a rule of the built-in policy' '
	chg-lint -C crs --explain tested-rollback-for-high-risk >actual &&
	cat >expect <<-\EOF &&
	rule:      tested-rollback-for-high-risk
	source:    built-in policy
	severity:  error
	when:      risk.level is high or critical
	requires:  rollback-tested is true
	message:   high and critical changes need a tested rollback plan

	A rule of the built-in policy (rules:): when risk.level is high or
	critical, a change request must meet: rollback-tested is true.  Each
	test that fails is reported at its field as an error.

	Failing example:
	    risk:
	      level: high
	    rollback-tested: false

	Passing example:
	    risk:
	      level: high
	    rollback-tested: true
	EOF
	test_cmp expect actual &&
	chg-lint -C crs --explain missing-review >actual &&
	grep "^source:    built-in policy\$" actual &&
	grep "^requires:  review is present\$" actual
'

test_expect_success '--explain risk-understated shows the policy questions and thresholds' '
	chg_repo risky &&
	cat >>risky/.chg/policy.yaml <<-\EOF &&
	fields:
	  risk:
	    fields:
	      assessment:
	        fields:
	          users-affected: {required: never}
	          system-criticality: {required: never}
	          security: {required: never}
	          rollback-difficulty: {required: never}
	          timing: {required: never}
	          blast-radius: {type: int, min: 1, max: 5, required: always}
	          urgency: {type: int, min: 1, max: 5, required: always}
	risk:
	  questions: [blast-radius, urgency]
	  levels: {low: 0, medium: 4, high: 7, critical: 9}
	  conditions:
	    - when: {systems: {matches: "^db-prod"}}
	      at-least: high
	EOF
	chg-lint -C risky --explain risk-understated >actual &&
	cat >expect <<-EOF &&
	rule:      risk-understated
	source:    built-in (chg-lint)
	severity:  error

	The declared risk.level is below the assessed risk: a requester may not
	understate risk.  The assessment adds up the answers to the questions of
	risk.assessment (blast-radius and urgency, each an integer) and takes
	the highest level whose minimum the total reaches: low from 0, medium
	from 4, high from 7, critical from 9.  Risk conditions raise that floor:
	systems matches ${SQ}^db-prod${SQ} -> at least high.  The declared level must be
	at least the assessed one.

	Failing example:
	    risk:
	      level: low
	      assessment: {blast-radius: 2, urgency: 2}

	Passing example:
	    risk:
	      level: medium
	      assessment: {blast-radius: 2, urgency: 2}
	EOF
	test_cmp expect actual &&
	chg-lint -C crs --explain risk-understated >actual &&
	grep "^level whose minimum the total reaches: low from 0, medium from 10, high\$" actual &&
	grep "^from 15, critical from 20.  Risk conditions raise that floor: systems\$" actual
'

test_expect_success '--explain an unknown rule: exit 2 and the close matches' '
	test_expect_code 2 chg-lint -C rec --explain done-needs-ownr >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg-lint: unknown rule ${SQ}done-needs-ownr${SQ}; did you mean done-needs-owner?" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C rec --explain requred-field 2>err &&
	echo "chg-lint: unknown rule ${SQ}requred-field${SQ}; did you mean required-field?" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C rec --explain approval 2>err &&
	echo "chg-lint: unknown rule ${SQ}approval${SQ}; did you mean self-approval, stale-approval, missing-approval, unsigned-approval?" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C rec --explain zzz 2>err &&
	echo "chg-lint: unknown rule ${SQ}zzz${SQ}: neither a check of chg-lint (see chg-lint(1)) nor a rule of the policy" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C rec --explain tested-rollback-for-high-risk 2>err &&
	grep "unknown rule ${SQ}tested-rollback-for-high-risk${SQ}" err
'

test_expect_success '--explain: usage and an invalid policy' '
	test_expect_code 2 chg-lint -C rec --explain window-order records/R1.yaml 2>err &&
	test_expect_code 2 chg-lint -C rec --explain window-order --format json 2>err &&
	test_expect_code 2 chg-lint -C rec --explain 2>err &&
	grep "option ${SQ}--explain${SQ} needs a value" err &&
	test_expect_code 3 chg-lint -C rec --policy "$PWD/invalid.yaml" --explain window-order >actual 2>err &&
	grep "\[invalid-policy\]\$" actual &&
	grep "^chg-lint: the policy is invalid; fix the errors above\$" err
'

test_expect_success '--explain outside a repository uses the built-in policy' '
	(cd not-a-repo && chg-lint --explain missing-review >../actual 2>../err) &&
	grep "^source:    built-in policy\$" actual &&
	grep "^chg-lint: not a git repository: ${SQ}.${SQ}; explaining under the built-in policy\$" err
'

test_expect_success 'every rule id of chg-lint(1) is explained as a built-in check' '
	sed -n "/^\.Ss Rule ids/,/^\.El/s/^\.It Cm //p" "$CHG_SRC_DIR/doc/chg-lint.1" >ids &&
	test $(wc -l <ids) -ge 26 &&
	while read id; do
		chg-lint -C crs --explain "$id" >actual &&
		sed -n 2p actual >source &&
		echo "source:    built-in (chg-lint)" >expect &&
		test_cmp expect source &&
		grep "^Failing example:\$" actual &&
		grep "^Passing example:\$" actual || return 1
	done <ids
'

test_done
