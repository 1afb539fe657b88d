#!/bin/sh

test_description='chg-lint: standard changes and the catalog (.chg/catalog/NAME.yaml)'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
CR=repo/changes/CHG-0001.yaml

# standard TEMPLATE [SCOPE [LEVEL]]: a standard change following TEMPLATE.
standard () {
	cat <<-EOF
	id: CHG-0001
	title: Reset the password of jdoe
	type: standard
	state: requested
	requested-by: Jane Doe <jane@example.com>
	standard-template: $1
	description: |
	  Reset the password of jdoe after a lockout.
	systems: [ad-01]
	impact: {users: 1, scope: ${2:-individual}}
	risk:
	  level: ${3:-low}
	  assessment: {users-affected: 1, system-criticality: 2, security: 2, rollback-difficulty: 1, timing: 1}
	EOF
}

# Catalog entries are added and removed below without approvals: trust
# changes (t5100) need none here.
test_expect_success 'setup' '
	chg_repo repo &&
	echo "  trust: {required: 0}" >>repo/.chg/policy.yaml &&
	mkdir -p repo/.chg/catalog &&
	cat >repo/.chg/catalog/password-reset.yaml <<-\EOF &&
	name: password-reset
	title: Reset the password of a single directory account
	description: One account, one directory, no change to groups.
	procedure: |
	  Verify the requester by call-back, reset, force a change at next logon.
	constraints:
	  risk.level: [low]
	  impact.scope: [none, individual]
	EOF
	cat >repo/.chg/catalog/patching.yml <<-\EOF &&
	title: Monthly operating system patches
	EOF
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up the catalog")
'

test_expect_success 'a standard change that meets its catalog entry lints clean' '
	standard password-reset >$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a catalog entry may be a .yml file; no constraints accept anything' '
	standard patching team medium >$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a template that is not in the catalog is unknown-template' '
	standard vpn-reset >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:6:20: error: standard-template ${SQ}vpn-reset${SQ} is not in the catalog: add .chg/catalog/vpn-reset.yaml or name an existing entry [unknown-template]
	EOF
	test_cmp expect actual
'

test_expect_success 'an entry in a subdirectory of the catalog is not an entry' '
	mkdir -p repo/.chg/catalog/old &&
	echo "title: VPN reset" >repo/.chg/catalog/old/vpn-reset.yaml &&
	chg_lint_status 1 -C repo &&
	test_cmp expect actual &&
	rm -r repo/.chg/catalog/old
'

test_expect_success 'a standard change outside its constraints is invalid-value' '
	standard password-reset team >$CR &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:6:20: error: this change does not meet the constraints of standard change ${SQ}password-reset${SQ} (risk.level is low and impact.scope is none or individual): make it a normal change or change it to fit [invalid-value]
	EOF
	test_cmp expect actual &&
	standard password-reset individual medium >$CR &&
	chg_lint_status 1 -C repo &&
	test_cmp expect actual
'

test_expect_success 'the catalog is read from the revision that is linted' '
	echo "title: VPN reset" >repo/.chg/catalog/vpn-reset.yaml &&
	standard vpn-reset >$CR &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "A standard change") &&
	rm repo/.chg/catalog/vpn-reset.yaml &&
	chg_lint_status 0 -C repo --rev HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo &&
	grep "standard-template ${SQ}vpn-reset${SQ} is not in the catalog" actual &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Drop the entry")
'

test_expect_success 'an unknown key in a catalog entry is invalid-policy (exit 3)' '
	standard password-reset >$CR &&
	echo "owners: [ops]" >repo/.chg/catalog/bad.yaml &&
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/catalog/bad.yaml:1:1: error: unknown key ${SQ}owners${SQ} in a catalog entry (expected name, title, description, procedure, constraints) [invalid-policy]
	EOF
	test_cmp expect actual &&
	grep "the policy or the standard-change catalog is invalid" stderr
'

test_expect_success 'a bad regular expression in constraints is invalid-policy at its position' '
	cat >repo/.chg/catalog/bad.yaml <<-\EOF &&
	title: Bad
	constraints:
	  systems: {matches: "^(ad-"}
	EOF
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/catalog/bad.yaml:3:22: error: invalid regular expression ${SQ}^(ad-${SQ}: missing closing parenthesis at offset 5 [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a syntax error in a catalog entry stops the run (exit 3)' '
	printf "title: [Bad\n" >repo/.chg/catalog/bad.yaml &&
	chg_lint_status 3 -C repo &&
	cat >expect <<-EOF &&
	.chg/catalog/bad.yaml:2:1: error: did not find expected ${SQ},${SQ} or ${SQ}]${SQ} while parsing a flow sequence started at line 1, column 8 [yaml-syntax]
	EOF
	test_cmp expect actual &&
	rm repo/.chg/catalog/bad.yaml &&
	chg_lint_status 0 -C repo
'

test_done
