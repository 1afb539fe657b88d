#!/bin/sh

test_description='chg-lint: ids (pattern, file name, uniqueness) and the order of a window'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

test_expect_success 'setup' '
	chg_repo repo &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'changes under subdirectories are found and lint clean' '
	mkdir -p repo/changes/2026/12 &&
	chg_normal_cr CHG-0001 >repo/changes/CHG-0001.yaml &&
	chg_normal_cr CHG-0002 >repo/changes/2026/12/CHG-0002.yaml &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	test_must_be_empty stderr
'

test_expect_success 'files outside the policy paths are not change requests' '
	mkdir -p repo/docs &&
	echo "not: [a change" >repo/docs/notes.yaml &&
	echo "not: [a change" >repo/changes/README.txt &&
	echo "not: [a change" >repo/CHG-0009.yaml &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	rm -r repo/docs repo/changes/README.txt repo/CHG-0009.yaml
'

test_expect_success 'an id that does not match the id pattern' '
	chg_normal_cr CHG-12 >repo/changes/CHG-12.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-12.yaml:1:5: error: id ${SQ}CHG-12${SQ} does not match the pattern ${SQ}^CHG-[0-9]{4,}\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual &&
	rm repo/changes/CHG-12.yaml
'

test_expect_success 'an id that does not match its file name' '
	chg_normal_cr CHG-0003 >repo/changes/CHG-0004.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0004.yaml:1:5: error: id CHG-0003 does not match the file name ${SQ}CHG-0004.yaml${SQ}: rename the file to CHG-0003.yaml, or change the id to CHG-0004 [id-mismatch]
	EOF
	test_cmp expect actual &&
	mv repo/changes/CHG-0004.yaml repo/changes/CHG-0003.yaml &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'an id compares with the file name exactly' '
	chg_normal_cr CHG-0004 >repo/changes/chg-0004.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/chg-0004.yaml:1:5: error: id CHG-0004 does not match the file name ${SQ}chg-0004.yaml${SQ}; name the file CHG-0004.yaml [id-mismatch]
	EOF
	test_cmp expect actual &&
	rm repo/changes/chg-0004.yaml
'

test_expect_success 'a missing id is required-field, and nothing is said about the name' '
	chg_normal_cr CHG-0005 | sed "/^id:/d" >repo/changes/CHG-0005.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0005.yaml:1:1: error: id is required [required-field]
	EOF
	test_cmp expect actual &&
	rm repo/changes/CHG-0005.yaml
'

test_expect_success 'two files with one id: both are reported, each naming the other' '
	chg_normal_cr CHG-0001 >repo/changes/2026/CHG-0001.yaml &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/2026/CHG-0001.yaml:1:5: error: id CHG-0001 is also used by changes/CHG-0001.yaml; ids must be unique across the repository [duplicate-id]
	changes/CHG-0001.yaml:1:5: error: id CHG-0001 is also used by changes/2026/CHG-0001.yaml; ids must be unique across the repository [duplicate-id]
	EOF
	test_cmp expect actual &&
	rm repo/changes/2026/CHG-0001.yaml &&
	chg_lint_status 0 -C repo
'

test_expect_success 'a duplicate id is found in a committed revision too' '
	chg_normal_cr CHG-0002 >repo/changes/CHG-0002.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Duplicate") &&
	rm repo/changes/CHG-0002.yaml &&
	chg_lint_status 0 -C repo &&
	chg_lint_status 1 -C repo --rev HEAD &&
	cat >expect <<-\EOF &&
	changes/2026/12/CHG-0002.yaml:1:5: error: id CHG-0002 is also used by changes/CHG-0002.yaml; ids must be unique across the repository [duplicate-id]
	changes/CHG-0002.yaml:1:5: error: id CHG-0002 is also used by changes/2026/12/CHG-0002.yaml; ids must be unique across the repository [duplicate-id]
	EOF
	test_cmp expect actual &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Remove the duplicate")
'

test_expect_success 'a policy without filename-matches-id and with its own id pattern' '
	chg_repo other &&
	cat >>other/.chg/policy.yaml <<-\EOF &&
	changes:
	  id-pattern: ^OPS-[0-9]+$
	  filename-matches-id: false
	EOF
	chg_normal_cr OPS-7 >other/changes/rotate-certificate.yaml &&
	chg_lint_status 0 -C other &&
	test_must_be_empty actual &&
	chg_normal_cr CHG-0001 >other/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C other &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:1:5: error: id ${SQ}CHG-0001${SQ} does not match the pattern ${SQ}^OPS-[0-9]+\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual
'

# window CR START END: CR with that window.
window () {
	chg_normal_cr "$1" |
	sed "s/^window: .*/window: {start: $2, end: $3}/" >"repo/changes/$1.yaml"
}

test_expect_success 'a window that ends before it starts' '
	window CHG-0003 2026-12-05T23:00:00Z 2026-12-05T22:00:00Z &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0003.yaml:16:44: error: window.end 2026-12-05T22:00:00Z is not after window.start 2026-12-05T23:00:00Z [window-order]
	EOF
	test_cmp expect actual
'

test_expect_success 'a window that ends when it starts' '
	window CHG-0003 2026-12-05T22:00:00Z 2026-12-05T22:00:00Z &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0003.yaml:16:44: error: window.end 2026-12-05T22:00:00Z is not after window.start 2026-12-05T22:00:00Z [window-order]
	EOF
	test_cmp expect actual
'

test_expect_success 'window order compares instants, not text' '
	window CHG-0003 2026-12-05T23:00:00+01:00 2026-12-05T22:30:00Z &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	window CHG-0003 2026-12-05T22:00:00Z 2026-12-05T23:00:00+02:00 &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0003.yaml:16:44: error: window.end 2026-12-05T23:00:00+02:00 is not after window.start 2026-12-05T22:00:00Z [window-order]
	EOF
	test_cmp expect actual
'

test_expect_success 'an invalid date-time is not also a window-order finding' '
	window CHG-0003 2026-12-05T22:00:00Z 2026-02-30T23:00:00Z &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0003.yaml:16:44: error: window.end is ${SQ}2026-02-30T23:00:00Z${SQ}, but 2026-02-30 does not exist: February has 28 days [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_done
