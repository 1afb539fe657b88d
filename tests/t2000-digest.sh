#!/bin/sh

test_description='chg digest: the canonical form and its SHA-256, what changes it and what does not'

. "$(dirname "$0")"/lib-chg.sh

# The canonical JSON of CHG-0001 (chg_normal_cr) built independently with
# Perl's JSON::PP (keys sorted, every scalar a string) and hashed with
# Digest::SHA.
cat >digest-normal.pl <<\EOF
use strict;
use warnings;
use JSON::PP;
use Digest::SHA qw(sha256_hex);

my $cr = {
	'id' => 'CHG-0001',
	'title' => 'Rotate the TLS certificate of api.example.com',
	'type' => 'normal',
	'requested-by' => 'Jane Doe <jane@example.com>',
	'owner' => 'Bob Ops <bob@example.com>',
	'reason' => "The current certificate expires on 2026-12-15.\n",
	'description' => "Replace the certificate on both load balancers.\n",
	'systems' => ['lb-01', 'lb-02'],
	'impact' => { 'users' => '40', 'scope' => 'team', 'downtime' => '5m' },
	'risk' => {
		'level' => 'medium',
		'assessment' => {
			'users-affected' => '2', 'system-criticality' => '3',
			'security' => '2', 'rollback-difficulty' => '2',
			'timing' => '2',
		},
	},
	'window' => { 'start' => '2026-12-05T22:00:00Z', 'end' => '2026-12-05T23:00:00Z' },
	'implementation-plan' => "Upload the new certificate, switch the listener, reload.\n",
	'rollback-plan' => "Switch the listener back to the old certificate.\n",
};
my $json = JSON::PP->new->canonical->encode($cr);
print "sha256:", sha256_hex($json), "\n";
EOF

# A file that exercises the canonical form: escapes, a non-ASCII
# character, plain scalars that look like null, bool and int, block
# folding, an alias, bytewise key order and a nested key named like a
# not-covered field.
special_cr () {
	cat <<-\EOF
	id: CHG-0002
	title: "Tab\there, a quote \" a backslash \\ \x01 \u00e9 \x7f"
	a: ~
	b:
	c: true
	d: 042
	e: 'single ''quoted'''
	f: >
	  folded
	  lines

	  para
	g: &s [x, "y"]
	h: *s
	Z: upper
	a-b: prefix
	"\u00e9": accent
	ab: {state: nested, review: kept}
	i: |-
	  keep
	state: requested
	EOF
}

# Its canonical form, written out by hand (octal escapes for the bytes of
# U+00E9 and U+007F).
special_canonical () {
	printf '%s' '{"Z":"upper","a":"~","a-b":"prefix","ab":{"review":"kept","state":"nested"},'
	printf '%s' '"b":"","c":"true","d":"042","e":"single '"'"'quoted'"'"'",'
	printf '%s' '"f":"folded lines\npara\n","g":["x","y"],"h":["x","y"],"i":"keep",'
	printf '%s' '"id":"CHG-0002","title":"Tab\there, a quote \" a backslash \\ \u0001 '
	printf '\303\251 \177","\303\251":"accent"}'
}

# CHG-0001 again: other key order, comments, quoting, block styles, another
# state and a review.  Its covered content is that of chg_normal_cr.
relaid_cr () {
	cat <<-\EOF
	# The certificate rotation, laid out differently.
	rollback-plan: "Switch the listener back to the old certificate.\n"
	window:
	  end: '2026-12-05T23:00:00Z'     # one hour
	  start: "2026-12-05T22:00:00Z"
	risk: {assessment: {timing: "2", security: 2, users-affected: 2,
	                    rollback-difficulty: '2', system-criticality: 3},
	       level: medium}
	systems:
	  - lb-01
	  - "lb-02"
	implementation-plan: >
	  Upload the new certificate,
	  switch the listener, reload.
	impact:
	  downtime: 5m
	  scope: team
	  users: 40
	description: "Replace the certificate on both load balancers.\n"
	reason: |
	  The current certificate expires on 2026-12-15.
	owner: "Bob Ops <bob@example.com>"
	requested-by: Jane Doe <jane@example.com>
	state: closed
	review:
	  outcome: successful
	  notes: |
	    Rotated without a hitch.
	type: 'normal'
	title: Rotate the TLS certificate of api.example.com
	id: "CHG-0001"
	EOF
}

test_expect_success 'setup' '
	chg_repo repo &&
	chg_normal_cr CHG-0001 >repo/changes/CHG-0001.yaml &&
	special_cr >repo/changes/CHG-0002.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	cp repo/changes/CHG-0001.yaml orig.yaml
'

test_expect_success 'the digest of a change request is that of its canonical JSON' '
	perl digest-normal.pl >expect &&
	(cd repo && chg digest CHG-0001) >actual &&
	test_cmp expect actual &&
	grep -E "^sha256:[0-9a-f]{64}\$" actual
'

test_expect_success 'chg -C DIR digest finds the repository' '
	chg -C repo digest CHG-0001 >actual &&
	perl digest-normal.pl >expect &&
	test_cmp expect actual
'

test_expect_success 'escapes, UTF-8, scalars as strings, folding, aliases and key order' '
	special_canonical >canonical.json &&
	perl -MDigest::SHA=sha256_hex -e "local \$/; print q(sha256:), sha256_hex(<STDIN>), qq(\n)" \
		<canonical.json >expect &&
	chg -C repo digest CHG-0002 >actual &&
	test_cmp expect actual
'

test_expect_success 'comments, key order, quoting, layout, state and review do not change it' '
	chg -C repo digest CHG-0001 >expect &&
	relaid_cr >repo/changes/CHG-0001.yaml &&
	chg -C repo digest CHG-0001 >actual &&
	test_cmp expect actual &&
	cp orig.yaml repo/changes/CHG-0001.yaml
'

# digest_changes SED-SCRIPT: the digest after editing CHG-0001 with
# SED-SCRIPT differs from the original one.
digest_changes () {
	sed -e "$1" orig.yaml >repo/changes/CHG-0001.yaml &&
	! cmp -s orig.yaml repo/changes/CHG-0001.yaml &&
	chg -C repo digest CHG-0001 >edited &&
	cp orig.yaml repo/changes/CHG-0001.yaml &&
	chg -C repo digest CHG-0001 >unedited &&
	! test_cmp unedited edited >/dev/null
}

test_expect_success 'only state: no change' '
	chg -C repo digest CHG-0001 >expect &&
	sed -e "s/^state: requested/state: approved/" orig.yaml >repo/changes/CHG-0001.yaml &&
	chg -C repo digest CHG-0001 >actual &&
	cp orig.yaml repo/changes/CHG-0001.yaml &&
	test_cmp expect actual
'

test_expect_success 'a covered edit of the title changes it' '
	digest_changes "s/^title: Rotate/title: Renew/"
'

test_expect_success 'one character of the rollback plan changes it' '
	digest_changes "s/old certificate\\./old certificate!/"
'

test_expect_success 'a nested value changes it' '
	digest_changes "s/timing: 2}/timing: 3}/"
'

test_expect_success 'the order of a sequence changes it' '
	digest_changes "s/^systems: \\[lb-01, lb-02\\]/systems: [lb-02, lb-01]/"
'

test_expect_success 'the final newline of a block scalar changes it' '
	digest_changes "s/^rollback-plan: |\$/rollback-plan: |-/"
'

test_expect_success 'a new top-level field changes it' '
	digest_changes "\$a\\
test-plan: |\\
  Check the certificate chain with openssl s_client."
'

test_expect_success 'a nested key named state is covered' '
	digest_changes "s/^impact: {users: 40,/impact: {state: x, users: 40,/"
'

test_expect_success 'the policy decides what is not covered (its list replaces the default)' '
	cat >>repo/.chg/policy.yaml <<-\EOF &&
	  not-covered: [owner]
	EOF
	chg -C repo digest CHG-0001 >expect &&
	sed -e "s/^owner: Bob Ops <bob@/owner: Rob Ops <rob@/" orig.yaml \
		>repo/changes/CHG-0001.yaml &&
	chg -C repo digest CHG-0001 >actual &&
	test_cmp expect actual &&
	digest_changes "s/^state: requested/state: approved/" &&
	(cd repo && git checkout -q .chg/policy.yaml)
'

test_expect_success '--rev: the digest as of a revision, not the working tree' '
	chg -C repo digest CHG-0001 >before &&
	sed -e "s/old certificate/previous certificate/" orig.yaml >repo/changes/CHG-0001.yaml &&
	chg -C repo digest CHG-0001 >worktree &&
	! test_cmp before worktree >/dev/null &&
	chg -C repo digest --rev HEAD CHG-0001 >actual &&
	test_cmp before actual &&
	(cd repo && chg_commit "Bob Ops" bob@example.com "Edit CHG-0001") &&
	chg -C repo digest --rev HEAD CHG-0001 >actual &&
	test_cmp worktree actual &&
	chg -C repo digest --rev HEAD~1 CHG-0001 >actual &&
	test_cmp before actual
'

test_expect_success '--rev: a change request that did not exist yet is unknown' '
	chg_normal_cr CHG-0003 >repo/changes/CHG-0003.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0003") &&
	chg -C repo digest --rev HEAD CHG-0003 >/dev/null &&
	test_expect_code 1 chg -C repo digest --rev HEAD~1 CHG-0003 >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg digest: no change request has id '\''CHG-0003'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'an unknown id exits 1 and says so' '
	test_expect_code 1 chg -C repo digest CHG-9999 >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg digest: no change request has id '\''CHG-9999'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'an unknown revision cannot run (3)' '
	test_expect_code 3 chg -C repo digest --rev no-such-rev CHG-0001 >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg digest: unknown revision '\''no-such-rev'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'outside a repository it cannot run (3)' '
	mkdir not-a-repo &&
	test_expect_code 3 chg -C not-a-repo digest CHG-0001 >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg digest: not a git repository: '\''not-a-repo'\''" >expect &&
	test_cmp expect err
'

test_expect_success 'no id, or two, is a usage error (2)' '
	test_expect_code 2 chg -C repo digest 2>err &&
	grep "^usage: chg digest \\[--rev REV\\] ID\$" err &&
	test_expect_code 2 chg -C repo digest CHG-0001 CHG-0003 2>err &&
	grep "^usage: chg digest" err
'

test_done
