#!/bin/sh

test_description='the rule registry: every rule id chg reports, explained, documented, in the reports'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# rule_ids_in_source: the rule ids lib/*.c reports: the first kebab-case
# string literal of each call of chg_diag_add and of the files' report
# and fail helpers, the ids chg_verdict_rule returns, the CHG_*_RULE
# macros, and the lists of rule ids named "rules".
rule_ids_in_source () {
	perl -e '
		my %ids;
		my $kebab = qr/"([a-z]+(?:-[a-z]+)+)"/;
		for my $f (@ARGV) {
			next if $f =~ m{/rules\.c$};
			local $/;
			open my $fh, "<", $f or die "$f: $!";
			my $src = <$fh>;
			$src =~ s{/\*.*?\*/}{}gs;
			while ($src =~ /\b(?:chg_diag_add|v?report|fail)\s*\(([^;]*);/g) {
				my $call = $1;
				$ids{$1} = 1 if $call =~ $kebab;
			}
			if ($src =~ /\bchg_verdict_rule\s*\(enum[^{]*\{(.*?)\n\}/s) {
				my $body = $1;
				$ids{$1} = 1 while $body =~ /return $kebab/g;
			}
			while ($src =~ /#define CHG_\w+_RULE $kebab/g) {
				$ids{$1} = 1;
			}
			while ($src =~ /\bconst rules\[\]\s*=\s*\{([^}]*)\}/g) {
				my $list = $1;
				$ids{$1} = 1 while $list =~ /$kebab/g;
			}
		}
		print "$_\n" for sort keys %ids;
	' "$CHG_SRC_DIR"/lib/*.c "$CHG_SRC_DIR"/lib/*.h
}

# registered KIND...: the built-in rule ids whose kind is one of KIND
# (check, schedule, audit), from the SARIF report's rule descriptors.
registered () {
	python3 -c '
import json, sys
rules = json.load(open("registry.sarif"))["runs"][0]["tool"]["driver"]["rules"]
for r in rules:
    if r["properties"]["kind"] in sys.argv[1:]:
        print(r["id"])
' "$@"
}

test_expect_success 'setup: the registry as SARIF lists it' '
	chg_repo r &&
	(cd r && chg_commit "Jane Doe" jane@example.com "Set up") &&
	chg-lint -C r --format sarif >registry.sarif &&
	registered policy >policy-ids &&
	cat >expect <<-\EOF &&
	missing-review
	tested-rollback-for-high-risk
	EOF
	test_cmp expect policy-ids &&
	echo "rules: []" >>r/.chg/policy.yaml &&
	chg-lint -C r --format sarif >registry.sarif &&
	registered policy >policy-ids &&
	test_must_be_empty policy-ids &&
	registered check schedule audit >ids &&
	test $(wc -l <ids) = 38 &&
	registered schedule >schedule-ids &&
	cat >expect <<-\EOF &&
	blackout-conflict
	outside-maintenance-window
	insufficient-notice
	window-conflict
	EOF
	test_cmp expect schedule-ids
'

test_expect_success 'the search for rule ids in lib/ finds them' '
	rule_ids_in_source >source-ids &&
	for id in yaml-syntax duplicate-key required-field stale-approval \
		  signer-mismatch trust-change-unapproved implemented-outside-window \
		  missing-review unused-waiver waiver-not-counted window-conflict \
		  invalid-transition file-too-large review-overdue
	do
		grep -qx -- "$id" source-ids || { echo "not found: $id"; return 1; }
	done &&
	test $(wc -l <source-ids) -ge 30
'

test_expect_success 'every rule id lib/ reports is registered' '
	sort ids >sorted-ids &&
	comm -23 source-ids sorted-ids >unregistered &&
	test_must_be_empty unregistered
'

test_expect_success 'every rule id of DESIGN section 6 is registered' '
	for id in yaml-syntax duplicate-key file-too-large unknown-field \
		  required-field invalid-type invalid-value invalid-datetime \
		  pattern-mismatch id-mismatch duplicate-id window-order \
		  risk-understated unknown-dependency dependency-cycle \
		  unknown-template missing-approval stale-approval self-approval \
		  approver-not-allowed unsigned-approval bad-signature \
		  unknown-signer signer-mismatch invalid-transition \
		  trust-change-unapproved missing-review review-overdue \
		  blackout-conflict outside-maintenance-window \
		  insufficient-notice window-conflict dependency-order \
		  invalid-policy unsigned-edit unused-waiver waiver-not-counted \
		  implemented-outside-window
	do
		grep -qx -- "$id" ids || { echo "not registered: $id"; return 1; }
	done
'

test_expect_success '--explain works for every registered rule' '
	while read id
	do
		chg-lint -C r --explain "$id" >actual 2>err ||
			{ echo "--explain $id failed"; cat err; return 1; }
		test_must_be_empty err &&
		grep -q "^rule:      $id\$" actual &&
		grep -q "^Failing example:\$" actual &&
		grep -q "^Passing example:\$" actual || return 1
	done <ids
'

test_expect_success '--explain implemented-outside-window' '
	chg-lint -C r --explain implemented-outside-window >actual &&
	cat >expect <<-\EOF &&
	rule:      implemented-outside-window
	source:    built-in (chg-lint)
	severity:  error

	The post-implementation review records when the change was carried out
	(review.actual-start and review.actual-end), and that time is not inside
	the change${SQ}s window: the change was made when it was not approved to be.
	chg audit --verify reports it from history, naming the commit that
	recorded the review.

	Failing example:
	    window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}
	    review: {actual-start: 2026-12-06T08:00:00Z, actual-end: 2026-12-06T09:00:00Z}

	Passing example:
	    window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}
	    review: {actual-start: 2026-12-05T22:10:00Z, actual-end: 2026-12-05T22:50:00Z}
	EOF
	sed "s/\${SQ}/$SQ/" expect >expect.sq &&
	test_cmp expect.sq actual
'

test_expect_success '--explain of an unknown rule still exits 2' '
	test_expect_code 2 chg-lint -C r --explain no-such-rule 2>err &&
	grep "unknown rule ${SQ}no-such-rule${SQ}" err &&
	test_expect_code 2 chg-lint -C r --explain implemented-outside-windows 2>err &&
	echo "chg-lint: unknown rule ${SQ}implemented-outside-windows${SQ}; did you mean implemented-outside-window?" >expect &&
	test_cmp expect err
'

test_expect_success 'every registered rule has its entry in chg-lint(1)' '
	sed -n "s/^\.It Cm \([a-z-]*\)\$/\1/p" "$CHG_SRC_DIR/doc/chg-lint.1" | sort -u >documented &&
	comm -23 sorted-ids documented >undocumented &&
	test_must_be_empty undocumented
'

test_expect_success 'the report describes each rule: summary, help, link, level' '
	python3 -c "
import json
for r in json.load(open(\"registry.sarif\"))[\"runs\"][0][\"tool\"][\"driver\"][\"rules\"]:
    assert r[\"shortDescription\"][\"text\"] and \"\\n\" not in r[\"shortDescription\"][\"text\"], r[\"id\"]
    assert len(r[\"fullDescription\"][\"text\"]) > 40, r[\"id\"]
    assert r[\"defaultConfiguration\"][\"level\"] in (\"error\", \"warning\", \"note\"), r[\"id\"]
    if r[\"properties\"][\"kind\"] != \"policy\":
        assert r[\"helpUri\"].endswith(\"#\" + r[\"id\"]), r[\"id\"]
"
'

test_expect_success 'a waiver of a rule the registry keeps unwaivable is refused' '
	chg_normal_cr CHG-0001 >r/changes/CHG-0001.yaml &&
	cat >>r/changes/CHG-0001.yaml <<-\EOF &&
	waivers:
	  - {rule: stale-approval, reason: we know}
	  - {rule: window-conflict, reason: the systems are redundant}
	EOF
	chg_lint_status 1 -C r &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:22:12: error: rule stale-approval cannot be waived [invalid-value]
	changes/CHG-0001.yaml:23:12: warning: waiver for window-conflict waives nothing [unused-waiver]
	EOF
	test_cmp expect actual
'

test_done
