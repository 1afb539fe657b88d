#!/bin/sh

test_description='require-signature: only a verified signature by a trusted key counts'

. "$(dirname "$0")"/lib-chg.sh

# signed_repo DIR: chg_repo whose policy leaves require-signature at its
# default (true), and whose trust changes need no approval (t5100 tests
# those).
signed_repo () {
	chg_repo "$1" &&
	grep -v "require-signature" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	echo "  trust: {required: 0}" >>"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	! grep "require-signature" "$1/.chg/policy.yaml"
}

# new_repo DIR ID: signed_repo with the change request on stdin as
# changes/ID.yaml, committed by its requester Jane.
new_repo () {
	signed_repo "$1" &&
	cat >"$1/changes/$2.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request $2")
}

# approve DIR ID NAME EMAIL: chg_approve in DIR, printing the approval
# commit's short id.
approve () {
	(cd "$1" && chg_approve "$2" "$3" "$4" && git rev-parse HEAD | cut -c1-7)
}

test_expect_success 'by default an unsigned approval does not count' '
	chg_normal_cr CHG-0001 approved | new_repo default CHG-0001 &&
	d=$(approve default CHG-0001 "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C default &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $d unsigned-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: the commit is not signed and the policy requires signed approvals [unsigned-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'the same history counts when the policy does not require signatures' '
	cat >>default/.chg/policy.yaml <<-\EOF &&
	  require-signature: false
	EOF
	chg_lint_status 0 -C default &&
	test_must_be_empty actual
'

test_expect_success 'require-signature: true, said explicitly' '
	sed -e "s/require-signature: false/require-signature: true/" \
		default/.chg/policy.yaml >default/.chg/policy.yaml.new &&
	mv default/.chg/policy.yaml.new default/.chg/policy.yaml &&
	grep "^  require-signature: true\$" default/.chg/policy.yaml &&
	chg_lint_status 1 -C default &&
	test_cmp expect actual
'

test_expect_success 'unsigned approvals never add up' '
	chg_normal_cr CHG-0001 approved | new_repo many CHG-0001 &&
	d=$(approve many CHG-0001 "Dave Miller" dave@example.com) &&
	c=$(approve many CHG-0001 "Carol Nguyen" carol@example.com) &&
	a=$(approve many CHG-0001 "Alice Example" alice@example.com) &&
	chg_lint_status 1 -C many &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $d unsigned-approval, carol@example.com $c unsigned-approval, alice@example.com $a unsigned-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: the commit is not signed and the policy requires signed approvals [unsigned-approval]
	changes/CHG-0001.yaml:4:8: error: approval by carol@example.com in $c does not count: the commit is not signed and the policy requires signed approvals [unsigned-approval]
	changes/CHG-0001.yaml:4:8: error: approval by alice@example.com in $a does not count: the commit is not signed and the policy requires signed approvals [unsigned-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unsigned approval of a change that needs none is a warning' '
	chg_normal_cr CHG-0001 requested | new_repo early CHG-0001 &&
	d=$(approve early CHG-0001 "Dave Miller" dave@example.com) &&
	chg_lint_status 0 -C early &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: warning: approval by dave@example.com in $d does not count: the commit is not signed and the policy requires signed approvals [unsigned-approval]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C early --strict
'

test_expect_success 'a signature by a key the repository does not trust does not count' '
	chg_normal_cr CHG-0001 approved | new_repo untrusted CHG-0001 &&
	p=$(git -C untrusted rev-parse HEAD | cut -c1-7) &&
	ssh-keygen -q -t ed25519 -N "" -C dave@example.com -f dave.key &&
	key="ED25519 key $(ssh-keygen -lf dave.key.pub | cut -d" " -f2)" &&
	digest=$(chg -C untrusted digest CHG-0001) &&
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
		git -C untrusted -c gpg.format=ssh -c user.signingkey="$PWD/dave.key" \
		commit -q -S --allow-empty -m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>" &&
	git -C untrusted cat-file commit HEAD >commit &&
	grep "^gpgsig -----BEGIN SSH SIGNATURE-----" commit &&
	d=$(git -C untrusted rev-parse HEAD | cut -c1-7) &&
	chg_lint_status 1 -C untrusted &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $d unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: it is signed by $key, and its first parent $p has no .chg/allowed_signers [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'once .chg/allowed_signers in its parent lists the key, it counts' '
	git -C untrusted reset -q --hard HEAD^ &&
	printf "dave@example.com %s\n" "$(cut -d" " -f1,2 dave.key.pub)" \
		>untrusted/.chg/allowed_signers &&
	(cd untrusted && chg_commit "Jane Doe" jane@example.com "Trust Dave") &&
	digest=$(chg -C untrusted digest CHG-0001) &&
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
		git -C untrusted -c gpg.format=ssh -c user.signingkey="$PWD/dave.key" \
		commit -q -S --allow-empty -m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>" &&
	chg_lint_status 0 -C untrusted &&
	test_must_be_empty actual
'

test_done
