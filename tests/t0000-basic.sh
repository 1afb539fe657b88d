#!/bin/sh

test_description='chg-lint runs, a valid change request lints clean, and exit statuses'

. "$(dirname "$0")"/lib-chg.sh

test_expect_success 'setup' '
	chg_repo repo &&
	chg_normal_cr CHG-0001 >repo/changes/CHG-0001.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
'

test_expect_success 'a valid change request lints clean' '
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'an unknown option is a usage error (2)' '
	chg_lint_status 2 -C repo --no-such-option &&
	grep "unknown option" stderr
'

test_expect_success 'outside a repository chg-lint cannot run (3)' '
	mkdir not-a-repo &&
	chg_lint_status 3 -C not-a-repo &&
	grep "not a git repository" stderr
'

test_done
