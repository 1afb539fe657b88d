#!/bin/sh

test_description='revoked SSH keys (.chg/revoked_keys) and SSH certificates (cert-authority)'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK

SQ="'"
missing_line='changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab)'

# ssh_fp NAME [TYPE]: "ED25519 key SHA256:..." of NAME.key, as ssh-keygen
# shows it (TYPE: ED25519-CERT for a certificate).
ssh_fp () {
	echo "${2:-ED25519} key $(ssh-keygen -lf "$1.key.pub" | cut -d" " -f2)"
}

# allowed NAME PRINCIPALS [OPTIONS]: an allowed_signers line for NAME.key.
allowed () {
	printf '%s %s%s\n' "$2" "${3:+$3 }" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# trust_digest DIR [REV]: the trust digest of REV (default HEAD), as
# trust.h documents it, with git alone.
trust_digest () {
	printf "sha256:%s\n" "$(git -C "$1" ls-tree -r -z "${2:-HEAD}" -- \
		.chg/allowed_signers .chg/catalog .chg/keys.asc .chg/policy.yaml \
		.chg/revoked_keys | sha256sum | cut -d" " -f1)"
}

# signed_repo DIR [QUORUM [REVOKED]]: a repository whose policy requires
# signatures, whose .chg/allowed_signers trusts dave and carol (and whose
# .chg/revoked_keys is the file REVOKED, when given), with CHG-0001
# (approved) requested and committed by Jane, unsigned: the root of trust.
# Its trust changes need QUORUM approvals (default 0: none).
signed_repo () {
	chg_repo "$1" &&
	if test -n "$3"
	then
		cp "$3" "$1/.chg/revoked_keys"
	fi &&
	if test "${2:-0}" = 0
	then
		echo "  trust: {required: 0}" >>"$1/.chg/policy.yaml"
	fi &&
	sed -e "/require-signature/d" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	{ allowed dave dave@example.com && allowed carol carol@example.com; } \
		>"$1/.chg/allowed_signers" &&
	chg_normal_cr CHG-0001 approved >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
}

# revoke DIR FILE...: makes DIR's .chg/revoked_keys the concatenation of
# FILEs and commits it as Jane, unsigned; prints its short id.
revoke () {
	_dir=$1 &&
	shift &&
	cat "$@" >"$_dir/.chg/revoked_keys" &&
	(cd "$_dir" && chg_commit "Jane Doe" jane@example.com "Revoke keys") &&
	short "$_dir"
}

# ssh_approve DIR KEY NAME EMAIL: a commit approving CHG-0001 in NAME
# <EMAIL>'s name, signed by git with the signing key KEY (a path relative
# to the test directory: a private key, or a certificate beside it);
# prints its short id.
ssh_approve () {
	printf 'Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: %s <%s>\n' \
		"$(chg -C "$1" digest CHG-0001)" "$3" "$4" >msg &&
	git -C "$1" add -A &&
	GIT_AUTHOR_NAME="$3" GIT_AUTHOR_EMAIL="$4" \
	GIT_COMMITTER_NAME="$3" GIT_COMMITTER_EMAIL="$4" \
		git -C "$1" -c gpg.format=ssh -c user.signingkey="$PWD/$2" \
		commit -q -S --allow-empty -F "$PWD/msg" &&
	git -C "$1" cat-file commit HEAD | grep -q "^gpgsig -----BEGIN SSH SIGNATURE-----" &&
	short "$1"
}

# revoked_line COMMIT FP ORIGIN: the finding about dave's approval in
# COMMIT signed by the revoked key FP, as .chg/revoked_keys of ORIGIN has it.
revoked_line () {
	printf '%s\n' "$missing_line: dave@example.com $1 unknown-signer [missing-approval]" \
		"changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $1 does not count: it is signed by $2, which is revoked: .chg/revoked_keys as of $3 revokes it [unknown-signer]"
}

test_expect_success 'setup: SSH keys, a certificate authority and certificates' '
	for who in dave carol mallory ca
	do
		ssh-keygen -q -t ed25519 -N "" -C "$who" -f $who.key || return 1
	done &&
	DAVE_SSH=$(ssh_fp dave) && CAROL_SSH=$(ssh_fp carol) &&
	# a KRL that revokes dave.key
	ssh-keygen -q -k -f dave.krl dave.key.pub &&
	# certificates, each for a key of its own
	for cert in good:dave@example.com:20260101:20270101 \
		other:mallory@example.com:20260101:20270101 \
		expired:dave@example.com:20250101:20260101
	do
		IFS=: read name principal from to <<-EOF &&
		$cert
		EOF
		ssh-keygen -q -t ed25519 -N "" -C "$name" -f $name.key &&
		ssh-keygen -q -s ca.key -I "$name" -n "$principal" -V "$from:$to" \
			$name.key.pub || return 1
	done &&
	test -f good.key-cert.pub &&
	GOOD_CERT=$(echo "ED25519-CERT key $(ssh-keygen -lf good.key.pub | cut -d" " -f2)") &&
	OTHER_CERT=$(echo "ED25519-CERT key $(ssh-keygen -lf other.key.pub | cut -d" " -f2)") &&
	EXPIRED_CERT=$(echo "ED25519-CERT key $(ssh-keygen -lf expired.key.pub | cut -d" " -f2)")
'

# ---- revoked keys ----

test_expect_success 'an approval by a key that is not revoked counts (control)' '
	signed_repo rev-control &&
	revoke rev-control mallory.key.pub >/dev/null &&
	ssh_approve rev-control dave.key "Dave Miller" dave@example.com >/dev/null &&
	chg_lint_status 0 -C rev-control &&
	test_must_be_empty actual
'

test_expect_success 'a key in .chg/revoked_keys (public keys) is an unknown signer, said revoked' '
	signed_repo rev-plain &&
	r=$(revoke rev-plain mallory.key.pub dave.key.pub) &&
	d=$(ssh_approve rev-plain dave.key "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C rev-plain &&
	revoked_line $d "$DAVE_SSH" "its first parent $r" >expect &&
	test_cmp expect actual
'

test_expect_success 'a key in .chg/revoked_keys (an OpenSSH KRL) is an unknown signer, said revoked' '
	signed_repo rev-krl &&
	r=$(revoke rev-krl dave.krl) &&
	d=$(ssh_approve rev-krl dave.key "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C rev-krl &&
	revoked_line $d "$DAVE_SSH" "its first parent $r" >expect &&
	test_cmp expect actual
'

test_expect_success 'a key revoked at the evaluated revision voids its earlier approvals' '
	signed_repo rev-later &&
	d=$(ssh_approve rev-later dave.key "Dave Miller" dave@example.com) &&
	chg_lint_status 0 -C rev-later &&
	r=$(revoke rev-later dave.key.pub) &&
	chg_lint_status 1 -C rev-later &&
	revoked_line $d "$DAVE_SSH" "the evaluated revision (the last approved trust, in $r)" >expect &&
	test_cmp expect actual &&
	# and the revision before the revocation is judged as it was
	chg_lint_status 0 -C rev-later --rev HEAD^ &&
	test_must_be_empty actual
'

test_expect_success 'a .chg/revoked_keys that ssh-keygen cannot read fails closed' '
	signed_repo rev-garbage &&
	echo "not a key" >garbage &&
	r=$(revoke rev-garbage garbage) &&
	d=$(ssh_approve rev-garbage dave.key "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C rev-garbage &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $d unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: it is signed by $DAVE_SSH, which cannot be checked against .chg/revoked_keys as of its first parent $r: ssh-keygen cannot read it (an OpenSSH KRL or public keys, one a line) [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success '.chg/revoked_keys is a trust file: changing it needs approval' '
	signed_repo rev-trust 2 &&
	p=$(short rev-trust) &&
	r=$(revoke rev-trust mallory.key.pub) &&
	D=$(trust_digest rev-trust) &&
	test "$D" != "$(trust_digest rev-trust HEAD^)" &&
	chg_lint_status 1 -C rev-trust &&
	grep "^.chg/revoked_keys: error: .chg/revoked_keys changed in $r without approval: 0 of the 2 required approvals counted (from cab) under the trust of its first parent $p; its approvals name Change-Request: trust and Change-Digest: $D \[trust-change-unapproved\]\$" actual
'

test_expect_success 'an unapproved revocation revokes nothing yet' '
	d=$(ssh_approve rev-trust dave.key "Dave Miller" dave@example.com) &&
	revoke rev-trust mallory.key.pub dave.key.pub >/dev/null &&
	chg_lint_status 1 -C rev-trust &&
	! grep CHG-0001 actual &&
	grep "^.chg/revoked_keys: error: .*\[trust-change-unapproved\]\$" actual
'

test_expect_success 'a revoked key approves no trust change either' '
	signed_repo rev-tc 2 carol.key.pub &&
	r=$(short rev-tc) &&
	allowed mallory mallory@example.com >>rev-tc/.chg/allowed_signers &&
	(cd rev-tc && chg_commit "Jane Doe" jane@example.com "Trust mallory") &&
	printf "Approve the trust files\n\nChange-Request: trust\nChange-Digest: %s\nApproved-by: Carol Nguyen <carol@example.com>\n" \
		"$(trust_digest rev-tc)" >msg &&
	GIT_AUTHOR_NAME="Carol Nguyen" GIT_AUTHOR_EMAIL=carol@example.com \
	GIT_COMMITTER_NAME="Carol Nguyen" GIT_COMMITTER_EMAIL=carol@example.com \
		git -C rev-tc -c gpg.format=ssh -c user.signingkey="$PWD/carol.key" \
		commit -q -S --allow-empty -F "$PWD/msg" &&
	c=$(short rev-tc) &&
	chg_lint_status 1 -C rev-tc &&
	grep "approval by carol@example.com in $c does not count: it is signed by $CAROL_SSH, which is revoked: .chg/revoked_keys as of .*$r revokes it \[unknown-signer\]\$" actual
'

# ---- certificates ----

test_expect_success 'a certificate issued by a cert-authority of its principal counts' '
	signed_repo cert-good &&
	allowed ca "dave@example.com" cert-authority >cert-good/.chg/allowed_signers &&
	(cd cert-good && chg_commit "Jane Doe" jane@example.com "Trust the CA for dave") &&
	ssh_approve cert-good good.key-cert.pub "Dave Miller" dave@example.com >/dev/null &&
	chg_lint_status 0 -C cert-good &&
	test_must_be_empty actual
'

test_expect_success 'a certificate for another principal does not count' '
	signed_repo cert-other &&
	allowed ca "dave@example.com" cert-authority >cert-other/.chg/allowed_signers &&
	(cd cert-other && chg_commit "Jane Doe" jane@example.com "Trust the CA for dave") &&
	p=$(short cert-other) &&
	c=$(ssh_approve cert-other other.key-cert.pub "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C cert-other &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $c unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $c does not count: it is signed by $OTHER_CERT, which is not in .chg/allowed_signers as of its first parent $p [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'an expired certificate does not count' '
	signed_repo cert-expired &&
	allowed ca "dave@example.com" cert-authority >cert-expired/.chg/allowed_signers &&
	(cd cert-expired && chg_commit "Jane Doe" jane@example.com "Trust the CA for dave") &&
	p=$(short cert-expired) &&
	c=$(ssh_approve cert-expired expired.key-cert.pub "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C cert-expired &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $c unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $c does not count: it is signed by $EXPIRED_CERT, which .chg/allowed_signers as of its first parent $p does not allow at the commit${SQ}s time 2026-11-02T09:00:00Z (valid-after, valid-before) [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'a revoked certificate authority revokes the certificates it issued' '
	signed_repo cert-revoked &&
	allowed ca "dave@example.com" cert-authority >cert-revoked/.chg/allowed_signers &&
	r=$(revoke cert-revoked ca.key.pub) &&
	c=$(ssh_approve cert-revoked good.key-cert.pub "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C cert-revoked &&
	revoked_line $c "$GOOD_CERT" "its first parent $r" >expect &&
	test_cmp expect actual
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_done
