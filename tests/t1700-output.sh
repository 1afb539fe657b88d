#!/bin/sh

test_description='chg-lint: output (text order, JSON), PATH arguments, --strict, the clock and exit statuses'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# json_fields: prints path, line, column, severity and rule of each
# diagnostic of the JSON on standard input, then the counts.
json_fields () {
	perl -MJSON::PP -e '
		local $/;
		my $j = JSON::PP->new->decode(<STDIN>);
		for my $d (@{$j->{diagnostics}}) {
			print join(" ", $d->{path}, $d->{line}, $d->{column},
				   $d->{severity}, $d->{rule}), "\n";
		}
		print "errors=$j->{errors} warnings=$j->{warnings} notes=$j->{notes}\n";
	'
}

test_expect_success 'setup' '
	chg_repo repo &&
	cat >>repo/.chg/policy.yaml <<-\EOF &&
	  rules: [{required: 0}]
	rules:
	  - id: test-plan-wanted
	    when: {type: normal}
	    require: [test-plan]
	    severity: warning
	    message: a test plan is recommended
	  - id: owner-noted
	    when: {type: normal}
	    require: [communication]
	    severity: note
	    message: say whom you will notify
	EOF
	mkdir -p repo/changes/2026 &&
	for id in CHG-0001 CHG-0002 CHG-0010
	do
		chg_normal_cr $id >repo/changes/$id.yaml &&
		printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\n" >>repo/changes/$id.yaml ||
		return 1
	done &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'clean: no output, exit 0' '
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	test_must_be_empty stderr
'

test_expect_success 'a note alone exits 0, also with --strict' '
	sed "/^communication:/d" repo/changes/CHG-0002.yaml >tmp &&
	mv tmp repo/changes/CHG-0002.yaml &&
	chg_lint_status 0 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0002.yaml:3:7: note: say whom you will notify [owner-noted]
	EOF
	test_cmp expect actual &&
	chg_lint_status 0 -C repo --strict &&
	test_cmp expect actual
'

test_expect_success 'a warning exits 0, and 1 with --strict' '
	sed "/^test-plan:/d" repo/changes/CHG-0010.yaml >tmp &&
	mv tmp repo/changes/CHG-0010.yaml &&
	chg_lint_status 0 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0002.yaml:3:7: note: say whom you will notify [owner-noted]
	changes/CHG-0010.yaml:3:7: warning: a test plan is recommended [test-plan-wanted]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C repo --strict &&
	test_cmp expect actual
'

test_expect_success 'diagnostics are sorted by path, then line, then column' '
	chg_normal_cr CHG-0001 |
	sed -e "s/^  level: medium/  level: low/" \
	    -e "s/^type: normal/type: normal\ncolour: blue/" >repo/changes/CHG-0001.yaml &&
	printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\nimpact: {users: 1}\n" >>repo/changes/CHG-0001.yaml &&
	chg_normal_cr CHG-0001 >repo/changes/2026/CHG-0003.yaml &&
	printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\n" >>repo/changes/2026/CHG-0003.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/2026/CHG-0003.yaml:1:5: error: id CHG-0001 does not match the file name ${SQ}CHG-0003.yaml${SQ}: rename the file to CHG-0001.yaml, or change the id to CHG-0003 [id-mismatch]
	changes/2026/CHG-0003.yaml:1:5: error: id CHG-0001 is also used by changes/CHG-0001.yaml; ids must be unique across the repository [duplicate-id]
	changes/CHG-0001.yaml:1:5: error: id CHG-0001 is also used by changes/2026/CHG-0003.yaml; ids must be unique across the repository [duplicate-id]
	changes/CHG-0001.yaml:4:1: error: unknown field ${SQ}colour${SQ}: the policy does not define it (a typo, or add it to the policy${SQ}s fields) [unknown-field]
	changes/CHG-0001.yaml:15:10: error: risk.level low is below the assessed risk medium (scored 11: users-affected 2 + system-criticality 3 + security 2 + rollback-difficulty 2 + timing 2 -> medium; declared low); declare at least medium [risk-understated]
	changes/CHG-0001.yaml:24:1: error: duplicate key ${SQ}impact${SQ} (first defined at line 13) [duplicate-key]
	changes/CHG-0002.yaml:3:7: note: say whom you will notify [owner-noted]
	changes/CHG-0010.yaml:3:7: warning: a test plan is recommended [test-plan-wanted]
	EOF
	test_cmp expect actual &&
	cat >expect.err <<-\EOF &&
	chg-lint: 6 errors, 1 warning in 4 files
	EOF
	test_cmp expect.err stderr
'

test_expect_success '--format json: the same diagnostics with their fields' '
	chg_lint_status 1 -C repo --format json &&
	json_fields <actual >fields &&
	cat >expect <<-\EOF &&
	changes/2026/CHG-0003.yaml 1 5 error id-mismatch
	changes/2026/CHG-0003.yaml 1 5 error duplicate-id
	changes/CHG-0001.yaml 1 5 error duplicate-id
	changes/CHG-0001.yaml 4 1 error unknown-field
	changes/CHG-0001.yaml 15 10 error risk-understated
	changes/CHG-0001.yaml 24 1 error duplicate-key
	changes/CHG-0002.yaml 3 7 note owner-noted
	changes/CHG-0010.yaml 3 7 warning test-plan-wanted
	errors=6 warnings=1 notes=1
	EOF
	test_cmp expect fields &&
	grep "^ *\"line\": 15,\$" actual &&
	grep "^ *\"column\": 10,\$" actual
'

test_expect_success '--format json: messages are the text ones, escaped' '
	chg_lint_status 1 -C repo --format text &&
	sed -n "s/^[^ ]* [a-z]*: \(.*\) \[[a-z-]*\]\$/\1/p" actual >text-messages &&
	chg_lint_status 1 -C repo --format json &&
	perl -MJSON::PP -e "
		local \$/;
		my \$j = JSON::PP->new->decode(<STDIN>);
		print \$_->{message}, qq(\n) for @{\$j->{diagnostics}};
	" <actual >json-messages &&
	test_cmp text-messages json-messages
'

test_expect_success '--format json: quotes and backslashes in a message survive' '
	rm repo/changes/2026/CHG-0003.yaml &&
	chg_normal_cr CHG-0001 | sed "/^type:/d" >repo/changes/CHG-0001.yaml &&
	printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\n" >>repo/changes/CHG-0001.yaml &&
	printf "%s\n" "type: ${SQ}no\\rmal \"x\"${SQ}" >>repo/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C repo --format json &&
	grep "\"message\": \"type must be one of standard, normal, emergency, not ${SQ}no\\\\\\\\rmal \\\\\"x\\\\\"${SQ}\"" actual &&
	perl -MJSON::PP -e "
		local \$/;
		my \$j = JSON::PP->new->decode(<STDIN>);
		print \$_->{message}, qq(\n) for @{\$j->{diagnostics}};
	" <actual >messages &&
	printf "%s\n" "type must be one of standard, normal, emergency, not ${SQ}no\\rmal \"x\"${SQ}" >expect &&
	grep "^type must be" messages >first &&
	test_cmp expect first
'

test_expect_success '--format json with no findings' '
	chg_normal_cr CHG-0001 >repo/changes/CHG-0001.yaml &&
	printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\n" >>repo/changes/CHG-0001.yaml &&
	sed "s/CHG-0001/CHG-0002/" repo/changes/CHG-0001.yaml >repo/changes/CHG-0002.yaml &&
	sed "s/CHG-0001/CHG-0010/" repo/changes/CHG-0001.yaml >repo/changes/CHG-0010.yaml &&
	chg_lint_status 0 -C repo --format json &&
	json_fields <actual >fields &&
	echo "errors=0 warnings=0 notes=0" >expect &&
	test_cmp expect fields
'

test_expect_success '--format json of an invalid policy (exit 3)' '
	cp repo/.chg/policy.yaml policy.saved &&
	test_when_finished "cp policy.saved repo/.chg/policy.yaml" &&
	echo "colour: blue" >>repo/.chg/policy.yaml &&
	chg_lint_status 3 -C repo --format json &&
	json_fields <actual >fields &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml 21 1 error invalid-policy
	errors=1 warnings=0 notes=0
	EOF
	test_cmp expect fields
'

test_expect_success 'PATH arguments: only the named files are reported' '
	chg_normal_cr CHG-0001 | sed "s/scope: team/scope: x/" >repo/changes/CHG-0001.yaml &&
	chg_normal_cr CHG-0002 | sed "s/scope: team/scope: y/" >repo/changes/CHG-0002.yaml &&
	chg_normal_cr CHG-0010 | sed "s/scope: team/scope: z/" >repo/changes/CHG-0010.yaml &&
	chg_lint_status 1 -C repo changes/CHG-0002.yaml &&
	cat >expect <<-EOF &&
	changes/CHG-0002.yaml:3:7: warning: a test plan is recommended [test-plan-wanted]
	changes/CHG-0002.yaml:3:7: note: say whom you will notify [owner-noted]
	changes/CHG-0002.yaml:12:28: error: impact.scope must be one of none, individual, team, department, organisation, customers, not ${SQ}y${SQ} [invalid-value]
	EOF
	cp expect expect.named &&
	test_cmp expect actual &&
	chg_lint_status 1 -C repo changes/CHG-0010.yaml changes/CHG-0001.yaml &&
	cut -d: -f1 actual | uniq >paths &&
	printf "changes/CHG-0001.yaml\nchanges/CHG-0010.yaml\n" >expect &&
	test_cmp expect paths
'

test_expect_success 'PATH arguments are relative to the current directory' '
	(cd repo/changes && chg_lint_status 1 CHG-0002.yaml) &&
	test_cmp expect.named repo/changes/actual
'

test_expect_success 'a clean named file exits 0 though others have errors' '
	chg_normal_cr CHG-0002 >repo/changes/CHG-0002.yaml &&
	printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\n" >>repo/changes/CHG-0002.yaml &&
	chg_lint_status 0 -C repo changes/CHG-0002.yaml &&
	test_must_be_empty actual
'

test_expect_success 'a named file outside the policy paths is linted as a change request' '
	mkdir -p repo/drafts &&
	chg_normal_cr CHG-0020 | sed "s/^type: normal/type: routine/" >repo/drafts/CHG-0020.yaml &&
	chg_lint_status 0 -C repo changes/CHG-0002.yaml &&
	chg_lint_status 1 -C repo drafts/CHG-0020.yaml &&
	cat >expect <<-EOF &&
	drafts/CHG-0020.yaml:3:7: error: type must be one of standard, normal, emergency, not ${SQ}routine${SQ} [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a PATH that does not exist cannot be linted (3)' '
	chg_lint_status 3 -C repo changes/CHG-0404.yaml &&
	test_must_be_empty actual &&
	grep "cannot open ${SQ}changes/CHG-0404.yaml${SQ}" stderr
'

test_expect_success 'a PATH outside the repository cannot be linted (3)' '
	chg_normal_cr CHG-0030 >CHG-0030.yaml &&
	chg_lint_status 3 -C repo ../CHG-0030.yaml &&
	test_must_be_empty actual &&
	grep "outside the repository" stderr
'

test_expect_success 'usage errors exit 2' '
	chg_lint_status 2 -C repo --no-such-option &&
	chg_lint_status 2 -C repo --format xml &&
	grep "unknown format ${SQ}xml${SQ}" stderr &&
	chg_lint_status 2 -C repo --now yesterday &&
	grep "yesterday" stderr &&
	chg_lint_status 2 -C repo --now 2026-02-30T00:00:00Z &&
	chg_lint_status 2 -C repo --rev HEAD --staged &&
	chg_lint_status 2 -C repo --format &&
	test_must_be_empty actual
'

test_expect_success 'could-not-run errors exit 3' '
	chg_lint_status 3 -C repo --rev no-such-revision &&
	grep "unknown revision ${SQ}no-such-revision${SQ}" stderr &&
	mkdir -p elsewhere &&
	chg_lint_status 3 -C elsewhere &&
	grep "not a git repository" stderr &&
	chg_lint_status 3 -C no-such-directory
'

test_expect_success 'CHG_NOW is the clock when --now is not given; --now wins' '
	chg_normal_cr CHG-0020 implemented >repo/changes/CHG-0020.yaml &&
	test_expect_code 0 env CHG_NOW=2026-12-19T23:00:00Z \
		chg-lint -C repo changes/CHG-0020.yaml >actual &&
	test_expect_code 1 env CHG_NOW=2026-12-25T00:00:00Z \
		chg-lint -C repo changes/CHG-0020.yaml >actual &&
	grep "^changes/CHG-0020.yaml:4:8: error: .* was due by 2026-12-19T23:00:00Z .* \[review-overdue\]\$" actual &&
	test_expect_code 0 env CHG_NOW=2026-12-25T00:00:00Z \
		chg-lint -C repo --now 2026-12-01T00:00:00Z changes/CHG-0020.yaml >actual &&
	! grep review-overdue actual &&
	test_expect_code 2 env CHG_NOW=not-a-time \
		chg-lint -C repo changes/CHG-0020.yaml >actual 2>stderr &&
	grep "CHG_NOW ${SQ}not-a-time${SQ}" stderr
'

test_done
