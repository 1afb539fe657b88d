#!/bin/sh

test_description='chg-lint: depends-on (unknown changes, cycles, order of windows)'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# change ID START END [DEPENDS-ON]: writes ID with that window (none when
# START is -) and depends-on line.
change () {
	if test "$2" = -
	then
		chg_normal_cr "$1" | sed "/^window:/d"
	else
		chg_normal_cr "$1" |
		sed "s/^window: .*/window: {start: $2, end: $3}/"
	fi >"repo/changes/$1.yaml" &&
	if test -n "$4"
	then
		echo "depends-on: $4" >>"repo/changes/$1.yaml"
	fi
}

test_expect_success 'setup' '
	chg_repo repo &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'a dependency done before this change starts lints clean' '
	change CHG-0001 2026-12-01T22:00:00Z 2026-12-01T23:00:00Z &&
	change CHG-0002 2026-12-05T22:00:00Z 2026-12-05T23:00:00Z "[CHG-0001]" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a dependency may end exactly when this change starts' '
	change CHG-0002 2026-12-01T23:00:00Z 2026-12-02T01:00:00Z "[CHG-0001]" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a dependency whose window ends after this one starts is dependency-order' '
	change CHG-0002 2026-12-01T22:30:00Z 2026-12-02T01:00:00Z "[CHG-0001]" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0002.yaml:21:14: error: CHG-0001${SQ}s window ends at 2026-12-01T23:00:00Z, after this change${SQ}s window starts at 2026-12-01T22:30:00Z; a dependency must be done first [dependency-order]
	EOF
	test_cmp expect actual
'

test_expect_success 'window order across offsets compares instants' '
	change CHG-0002 2026-12-02T00:00:00+01:00 2026-12-02T01:00:00+01:00 "[CHG-0001]" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	change CHG-0002 2026-12-01T23:59:00+01:00 2026-12-02T01:00:00+01:00 "[CHG-0001]" &&
	chg_lint_status 1 -C repo &&
	grep "^changes/CHG-0002.yaml:21:14: error: CHG-0001.s window ends at 2026-12-01T23:00:00Z, after this change.s window starts at 2026-12-01T23:59:00+01:00; a dependency must be done first \[dependency-order\]\$" actual
'

test_expect_success 'without both windows the order is not checked' '
	change CHG-0001 - - &&
	change CHG-0002 2026-12-01T22:30:00Z 2026-12-02T01:00:00Z "[CHG-0001]" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a dependency that is not a change request is unknown-dependency' '
	change CHG-0001 2026-12-01T22:00:00Z 2026-12-01T23:00:00Z &&
	change CHG-0002 2026-12-05T22:00:00Z 2026-12-05T23:00:00Z "[CHG-0001, CHG-0099, CHG-1]" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0002.yaml:21:24: error: depends-on names CHG-0099, which is not a change request in this repository [unknown-dependency]
	changes/CHG-0002.yaml:21:34: error: depends-on names CHG-1, which is not a change request in this repository [unknown-dependency]
	EOF
	test_cmp expect actual
'

test_expect_success 'a dependency item must be a string' '
	change CHG-0002 2026-12-05T22:00:00Z 2026-12-05T23:00:00Z "[{id: CHG-0001}]" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0002.yaml:21:14: error: depends-on[0] must be a string, not a map [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'a cycle of three is reported by each of its changes' '
	change CHG-0001 - - "[CHG-0003]" &&
	change CHG-0002 - - "[CHG-0001]" &&
	change CHG-0003 - - &&
	printf "depends-on:\n  - CHG-0002\n" >>repo/changes/CHG-0003.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:20:13: error: dependency cycle: CHG-0001 -> CHG-0003 -> CHG-0002 -> CHG-0001 [dependency-cycle]
	changes/CHG-0002.yaml:20:13: error: dependency cycle: CHG-0002 -> CHG-0001 -> CHG-0003 -> CHG-0002 [dependency-cycle]
	changes/CHG-0003.yaml:21:3: error: dependency cycle: CHG-0003 -> CHG-0002 -> CHG-0001 -> CHG-0003 [dependency-cycle]
	EOF
	test_cmp expect actual
'

test_expect_success 'a change leading into a cycle is not itself in it' '
	change CHG-0004 - - "[CHG-0001]" &&
	chg_lint_status 1 -C repo &&
	! grep "^changes/CHG-0004.yaml" actual &&
	test $(wc -l <actual) = 3 &&
	rm repo/changes/CHG-0004.yaml
'

test_expect_success 'a change that depends on itself is a cycle, reported once' '
	rm repo/changes/CHG-0003.yaml &&
	change CHG-0001 2026-12-01T22:00:00Z 2026-12-01T23:00:00Z "[CHG-0001]" &&
	change CHG-0002 2026-12-05T22:00:00Z 2026-12-05T23:00:00Z "[CHG-0001]" &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:21:13: error: dependency cycle: CHG-0001 -> CHG-0001 [dependency-cycle]
	EOF
	test_cmp expect actual
'

test_expect_success 'breaking the cycle lints clean' '
	change CHG-0001 2026-12-01T22:00:00Z 2026-12-01T23:00:00Z &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a named file has its dependencies resolved against all changes' '
	chg_lint_status 0 -C repo changes/CHG-0002.yaml &&
	test_must_be_empty actual &&
	change CHG-0002 2026-12-05T22:00:00Z 2026-12-05T23:00:00Z "[CHG-0001, CHG-0077]" &&
	chg_lint_status 1 -C repo changes/CHG-0002.yaml &&
	cat >expect <<-\EOF &&
	changes/CHG-0002.yaml:21:24: error: depends-on names CHG-0077, which is not a change request in this repository [unknown-dependency]
	EOF
	test_cmp expect actual &&
	chg_lint_status 0 -C repo changes/CHG-0001.yaml &&
	test_must_be_empty actual
'

test_expect_success 'a chain of 300 dependencies lints clean; closing it is one long cycle' '
	rm repo/changes/*.yaml &&
	perl -e "
		for my \$i (1..300) {
			my \$id = sprintf(q(CHG-%04d), \$i);
			open my \$f, q(>), qq(repo/changes/\$id.yaml) or die;
			printf \$f qq(id: %s\ntitle: Step %d\ntype: standard\nstate: draft\n), \$id, \$i;
			print \$f qq(requested-by: Jane Doe <jane\@example.com>\n);
			print \$f qq(standard-template: step\ndescription: One step.\nsystems: [app-01]\n);
			printf \$f qq(depends-on: [CHG-%04d]\n), \$i - 1 if \$i > 1;
			close \$f;
		}" &&
	mkdir -p repo/.chg/catalog &&
	echo "title: One step" >repo/.chg/catalog/step.yaml &&
	timeout 60 chg-lint -C repo --now "$CHG_TEST_NOW" >actual &&
	test_must_be_empty actual &&
	echo "depends-on: [CHG-0300]" >>repo/changes/CHG-0001.yaml &&
	test_expect_code 1 timeout 60 chg-lint -C repo --now "$CHG_TEST_NOW" >actual &&
	test $(wc -l <actual) = 300 &&
	grep "^changes/CHG-0001.yaml:9:13: error: dependency cycle: CHG-0001 -> CHG-0300 -> CHG-0299 -> CHG-0298 -> CHG-0297 -> CHG-0296 -> CHG-0295 -> CHG-0294 -> ... (292 more) -> CHG-0001 \[dependency-cycle\]\$" actual
'

test_done
