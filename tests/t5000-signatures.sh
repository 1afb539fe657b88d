#!/bin/sh

test_description='signed approvals: SSH and OpenPGP signatures verified against the trust of the first parent'

. "$(dirname "$0")"/lib-chg.sh

# The signing side: keys made here, signatures made by git itself.  The
# user's GnuPG home is this one; chg-lint must never look at it.
GNUPGHOME="$PWD/gnupg"
export GNUPGHOME
unset SSH_AUTH_SOCK

SQ="'"
missing_line='changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab)'

# ssh_fp NAME: "ED25519 key SHA256:..." of NAME.key, as ssh-keygen shows it.
ssh_fp () {
	echo "ED25519 key $(ssh-keygen -lf "$1.key.pub" | cut -d" " -f2)"
}

# allowed NAME PRINCIPALS [OPTIONS]: an allowed_signers line for NAME.key.
allowed () {
	printf '%s %s%s\n' "$2" "${3:+$3 }" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# pgp_fp EMAIL: the fingerprint of the OpenPGP key of EMAIL in $GNUPGHOME.
pgp_fp () {
	gpg --batch --with-colons --fingerprint "<$1>" | awk -F: '/^fpr/ { print $10; exit }'
}

# signed_repo DIR: a repository whose policy requires signatures (the
# default), whose .chg/allowed_signers and .chg/keys.asc trust dave and
# carol, with CHG-0001 (approved) requested and committed by Jane, unsigned.
# Its trust changes need no approval (t5100 tests those).
signed_repo () {
	chg_repo "$1" &&
	echo "  trust: {required: 0}" >>"$1/.chg/policy.yaml" &&
	sed -e "/require-signature/d" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	! grep require-signature "$1/.chg/policy.yaml" &&
	{ allowed dave dave@example.com && allowed carol carol@example.com; } \
		>"$1/.chg/allowed_signers" &&
	gpg --batch --armor --export "<dave@example.com>" "<carol@example.com>" \
		>"$1/.chg/keys.asc" &&
	chg_normal_cr CHG-0001 approved >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
}

# approval_message DIR NAME EMAIL: the message of an approval of CHG-0001
# by NAME <EMAIL> at its current digest.
approval_message () {
	printf 'Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: %s <%s>\n' \
		"$(chg -C "$1" digest CHG-0001)" "$2" "$3"
}

# as NAME EMAIL COMMAND...: runs COMMAND as author and committer NAME <EMAIL>.
as () {
	GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL="$2" \
	GIT_COMMITTER_NAME="$1" GIT_COMMITTER_EMAIL="$2" "$@"
}

# ssh_approve DIR KEY NAME EMAIL: a commit approving CHG-0001 in NAME
# <EMAIL>'s name (its author and committer too), everything in the working
# tree added, signed by git with the SSH key KEY.key; prints its short id.
ssh_approve () {
	approval_message "$1" "$3" "$4" >msg &&
	git -C "$1" add -A &&
	GIT_AUTHOR_NAME="$3" GIT_AUTHOR_EMAIL="$4" \
	GIT_COMMITTER_NAME="$3" GIT_COMMITTER_EMAIL="$4" \
		git -C "$1" -c gpg.format=ssh -c user.signingkey="$PWD/$2.key" \
		commit -q -S --allow-empty -F "$PWD/msg" &&
	git -C "$1" cat-file commit HEAD | grep -q "^gpgsig -----BEGIN SSH SIGNATURE-----" &&
	short "$1"
}

# pgp_approve DIR KEY NAME EMAIL [GPG]: as ssh_approve, signed by git with
# the OpenPGP key KEY (a fingerprint) through the program GPG (default
# gpg-signer, made by the setup).
pgp_approve () {
	approval_message "$1" "$3" "$4" >msg &&
	git -C "$1" add -A &&
	GIT_AUTHOR_NAME="$3" GIT_AUTHOR_EMAIL="$4" \
	GIT_COMMITTER_NAME="$3" GIT_COMMITTER_EMAIL="$4" \
		git -C "$1" -c gpg.program="${5:-$PWD/gpg-signer}" -c user.signingkey="$2" \
		commit -q -S --allow-empty -F "$PWD/msg" &&
	git -C "$1" cat-file commit HEAD | grep -q "^gpgsig -----BEGIN PGP SIGNATURE-----" &&
	short "$1"
}

# splice DIR SIGFILE: replaces HEAD (an unsigned commit) by the same commit
# with SIGFILE as its gpgsig header, made with git hash-object; prints the
# new commit's short id.
splice () {
	git -C "$1" cat-file commit HEAD >raw &&
	! grep "^gpgsig" raw &&
	awk -v sigfile="$2" '
		!done && $0 == "" {
			first = 1
			while ((getline line < sigfile) > 0) {
				print (first ? "gpgsig " : " ") line
				first = 0
			}
			done = 1
		}
		{ print }
	' raw >spliced &&
	oid=$(git -C "$1" hash-object -t commit -w --stdin <spliced) &&
	git -C "$1" update-ref refs/heads/main "$oid" &&
	short "$1"
}

# new_pgp_key UID EXPIRE [OPTIONS...]: a signing key for UID without
# passphrase in $GNUPGHOME, expiring after EXPIRE (or never), made with gpg
# OPTIONS.
new_pgp_key () {
	_uid=$1 _expire=$2 &&
	shift 2 &&
	gpg --batch --pinentry-mode loopback --passphrase "" "$@" \
		--quick-gen-key "$_uid" ed25519 sign "$_expire" 2>/dev/null
	_rc=$?
	gpgconf --kill gpg-agent
	return $_rc
}

test_expect_success 'setup: SSH and OpenPGP keys' '
	for who in dave carol mallory
	do
		ssh-keygen -q -t ed25519 -N "" -C "$who" -f $who.key || return 1
	done &&
	mkdir -m 700 gnupg &&
	for who in "Dave Miller <dave@example.com>" "Carol Nguyen <carol@example.com>" \
		"Mallory Evil <mallory@example.com>"
	do
		new_pgp_key "$who" never || return 1
	done &&
	# git signs through this: no gpg-agent outlives a signature
	cat >gpg-signer <<-\EOF &&
	#!/bin/sh
	gpg "$@"
	rc=$?
	gpgconf --kill gpg-agent
	exit $rc
	EOF
	chmod +x gpg-signer &&
	DAVE_SSH=$(ssh_fp dave) && CAROL_SSH=$(ssh_fp carol) && MALLORY_SSH=$(ssh_fp mallory) &&
	DAVE_PGP=$(pgp_fp dave@example.com) && CAROL_PGP=$(pgp_fp carol@example.com) &&
	MALLORY_PGP=$(pgp_fp mallory@example.com) &&
	test -n "$DAVE_PGP" && test -n "$CAROL_PGP" && test -n "$MALLORY_PGP"
'

# ---- SSH ----

test_expect_success 'an SSH-signed approval by a trusted key counts' '
	signed_repo ssh-good &&
	ssh_approve ssh-good dave "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C ssh-good &&
	test_must_be_empty actual
'

test_expect_success 'an unsigned approval does not count' '
	signed_repo unsigned &&
	d=$(cd unsigned && chg_approve CHG-0001 "Dave Miller" dave@example.com && short .) &&
	chg_lint_status 1 -C unsigned &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $d unsigned-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: the commit is not signed and the policy requires signed approvals [unsigned-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'an SSH key that is not in .chg/allowed_signers is an unknown signer' '
	signed_repo ssh-unknown &&
	p=$(short ssh-unknown) &&
	m=$(ssh_approve ssh-unknown mallory "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C ssh-unknown &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $m unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $m does not count: it is signed by $MALLORY_SSH, which is not in .chg/allowed_signers as of its first parent $p [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'a trusted key approving in another person'"'"'s name is a signer mismatch' '
	signed_repo ssh-mismatch &&
	c=$(ssh_approve ssh-mismatch carol "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C ssh-mismatch &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $c signer-mismatch [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval in $c does not count: it is signed by $CAROL_SSH whose principal is carol@example.com, not the Approved-by dave@example.com [signer-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'a commit cannot trust the key it adds: adding it, it is no approval' '
	signed_repo ssh-self-trust &&
	allowed carol carol@example.com >ssh-self-trust/.chg/allowed_signers &&
	(cd ssh-self-trust && chg_commit "Jane Doe" jane@example.com "Trust only Carol") &&
	p=$(short ssh-self-trust) &&
	allowed dave dave@example.com >>ssh-self-trust/.chg/allowed_signers &&
	d=$(ssh_approve ssh-self-trust dave "Dave Miller" dave@example.com) &&
	git -C ssh-self-trust show HEAD:.chg/allowed_signers >trusted-in-its-tree &&
	grep "^dave@example.com " trusted-in-its-tree &&
	chg_lint_status 1 -C ssh-self-trust &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $d invalid-value [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval commit $d approves nothing: it changes files: an approval commit changes nothing (its tree is its first parent${SQ}s); commit the change and the approval separately [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a root commit is no approval, even signed by a key in its own tree' '
	signed_repo ssh-root-base &&
	git init -q -b main ssh-root &&
	cp -R ssh-root-base/.chg ssh-root-base/changes ssh-root/ &&
	r=$(ssh_approve ssh-root dave "Dave Miller" dave@example.com) &&
	test_must_fail git -C ssh-root rev-parse -q --verify HEAD^ &&
	chg_lint_status 1 -C ssh-root &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $r invalid-value [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval commit $r approves nothing: it changes files: an approval commit changes nothing (its tree is its first parent${SQ}s); commit the change and the approval separately [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a commit spliced with a git-namespace signature counts (control)' '
	signed_repo ssh-splice-git &&
	(cd ssh-splice-git && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	git -C ssh-splice-git cat-file commit HEAD >payload &&
	ssh-keygen -q -Y sign -n git -f dave.key payload &&
	splice ssh-splice-git payload.sig &&
	git -C ssh-splice-git cat-file commit HEAD | grep "^gpgsig -----BEGIN SSH SIGNATURE-----" &&
	chg_lint_status 0 -C ssh-splice-git &&
	test_must_be_empty actual
'

test_expect_success 'a signature made for another namespace than git is a bad signature' '
	signed_repo ssh-namespace &&
	(cd ssh-namespace && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	git -C ssh-namespace cat-file commit HEAD >payload &&
	rm -f payload.sig &&
	ssh-keygen -q -Y sign -n file -f dave.key payload &&
	n=$(splice ssh-namespace payload.sig) &&
	chg_lint_status 1 -C ssh-namespace &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $n bad-signature [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $n does not count: its SSH signature does not verify: it was not made for the namespace "git" [bad-signature]
	EOF
	test_cmp expect actual
'

test_expect_success 'a commit changed after it was signed is a bad signature' '
	signed_repo ssh-tampered &&
	ssh_approve ssh-tampered dave "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C ssh-tampered &&
	git -C ssh-tampered cat-file commit HEAD >signed &&
	sed -e "s/^Approve CHG-0001\$/Approve CHG-0001 after all/" signed >tampered &&
	! cmp signed tampered &&
	t=$(git -C ssh-tampered hash-object -t commit -w --stdin <tampered | cut -c1-7) &&
	git -C ssh-tampered update-ref refs/heads/main $t &&
	chg_lint_status 1 -C ssh-tampered &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $t bad-signature [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $t does not count: its SSH signature does not verify: the commit${SQ}s content does not match it [bad-signature]
	EOF
	test_cmp expect actual
'

test_expect_success 'a key past its valid-before does not count' '
	signed_repo ssh-expired &&
	allowed dave dave@example.com "valid-before=\"20260101\"" >ssh-expired/.chg/allowed_signers &&
	(cd ssh-expired && chg_commit "Jane Doe" jane@example.com "Dave until 2026") &&
	p=$(short ssh-expired) &&
	e=$(ssh_approve ssh-expired dave "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C ssh-expired &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $e unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $e does not count: it is signed by $DAVE_SSH, which .chg/allowed_signers as of its first parent $p does not allow at the commit${SQ}s time 2026-11-02T09:00:00Z (valid-after, valid-before) [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'a commit dated back before its parent, to when the key was valid, is no approval' '
	git -C ssh-expired reset -q --hard HEAD^ &&
	GIT_COMMITTER_DATE=2025-12-01T09:00:00Z &&
	export GIT_COMMITTER_DATE &&
	e=$(ssh_approve ssh-expired dave "Dave Miller" dave@example.com) &&
	GIT_COMMITTER_DATE=2026-11-02T09:00:00Z &&
	chg_lint_status 1 -C ssh-expired &&
	grep "^changes/CHG-0001.yaml:4:8: error: approval commit $e approves nothing: it is dated before its parent: .* \\[invalid-value\\]\$" actual
'

test_expect_success 'a key not yet valid (valid-after) does not count' '
	signed_repo ssh-future &&
	allowed dave dave@example.com "valid-after=\"20270101\"" >ssh-future/.chg/allowed_signers &&
	(cd ssh-future && chg_commit "Jane Doe" jane@example.com "Dave from 2027") &&
	e=$(ssh_approve ssh-future dave "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C ssh-future &&
	grep "^$missing_line: dave@example.com $e unknown-signer \\[missing-approval\\]\$" actual
'

test_expect_success 'an X.509 signature is not supported' '
	signed_repo x509 &&
	(cd x509 && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	printf "%s\n" "-----BEGIN SIGNED MESSAGE-----" "MIAGCSqGSIb3DQEHAqCAMIACAQExDTALBglghkgBZQMEAgEwgAYJKoZIhvcNAQcB" \
		"-----END SIGNED MESSAGE-----" >x509.sig &&
	x=$(splice x509 x509.sig) &&
	chg_lint_status 1 -C x509 &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $x bad-signature [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $x does not count: X.509 signatures are not supported [bad-signature]
	EOF
	test_cmp expect actual
'

test_expect_success 'a signature that is neither SSH nor OpenPGP is a bad signature' '
	signed_repo garbage &&
	(cd garbage && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	echo "trust me" >garbage.sig &&
	g=$(splice garbage garbage.sig) &&
	chg_lint_status 1 -C garbage &&
	grep "^changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $g does not count: its signature is neither an SSH nor an OpenPGP signature \\[bad-signature\\]\$" actual
'

test_expect_success 'the principal compares case-insensitively' '
	signed_repo ssh-case &&
	allowed dave Dave@Example.COM >ssh-case/.chg/allowed_signers &&
	(cd ssh-case && chg_commit "Jane Doe" jane@example.com "Dave in capitals") &&
	ssh_approve ssh-case dave "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C ssh-case &&
	test_must_be_empty actual
'

test_expect_success 'a principal pattern admits the approver, as ssh-keygen matches it' '
	signed_repo ssh-pattern &&
	allowed dave "*@example.com" >ssh-pattern/.chg/allowed_signers &&
	(cd ssh-pattern && chg_commit "Jane Doe" jane@example.com "Dave signs for example.com") &&
	ssh_approve ssh-pattern dave "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C ssh-pattern &&
	test_must_be_empty actual &&
	signed_repo ssh-pattern-other &&
	allowed dave "*@example.org" >ssh-pattern-other/.chg/allowed_signers &&
	(cd ssh-pattern-other && chg_commit "Jane Doe" jane@example.com "Dave signs for example.org") &&
	o=$(ssh_approve ssh-pattern-other dave "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C ssh-pattern-other &&
	grep "error: approval in $o does not count: it is signed by $DAVE_SSH whose principal is \\*@example.org, not the Approved-by dave@example.com \\[signer-mismatch\\]\$" actual
'

test_expect_success 'a verified signature binds the approver, and so must the author field' '
	signed_repo ssh-author &&
	approval_message ssh-author "Dave Miller" dave@example.com >msg &&
	GIT_AUTHOR_NAME="Bob Ops" GIT_AUTHOR_EMAIL=bob@example.com \
		git -C ssh-author -c gpg.format=ssh -c user.signingkey="$PWD/dave.key" \
		commit -q -S --allow-empty -F "$PWD/msg" &&
	git -C ssh-author log -1 --format=%ae >author &&
	echo bob@example.com >expect &&
	test_cmp expect author &&
	chg_lint_status 1 -C ssh-author &&
	grep "error: approval in $(short ssh-author) names dave@example.com but the commit${SQ}s author is bob@example.com: .* \\[signer-mismatch\\]\$" actual
'

test_expect_success 'the signer of a commit that changed the content cannot approve it' '
	signed_repo ssh-sod &&
	sed -e "s/^title: .*/title: Rotate the TLS certificates of api and www/" \
		ssh-sod/changes/CHG-0001.yaml >ssh-sod/changes/CHG-0001.yaml.new &&
	mv ssh-sod/changes/CHG-0001.yaml.new ssh-sod/changes/CHG-0001.yaml &&
	git -C ssh-sod add -A &&
	git -C ssh-sod -c gpg.format=ssh -c user.signingkey="$PWD/dave.key" \
		commit -q -S -m "Widen CHG-0001" &&
	git -C ssh-sod log -1 --format=%ae%n%ce >who &&
	printf "jane@example.com\njane@example.com\n" >expect &&
	test_cmp expect who &&
	e=$(short ssh-sod) &&
	d=$(ssh_approve ssh-sod dave "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C ssh-sod &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $d self-approval [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: dave@example.com signed $e, which changed this change${SQ}s content [self-approval]
	EOF
	test_cmp expect actual &&
	c=$(ssh_approve ssh-sod carol "Carol Nguyen" carol@example.com) &&
	chg_lint_status 0 -C ssh-sod
'

test_expect_success 'without ssh-keygen nothing verifies, and nothing counts' '
	bindir=$(dirname "$(command -v chg-lint)") &&
	d=$(short ssh-good) &&
	(
		PATH="$bindir" &&
		export PATH &&
		chg_lint_status 1 -C ssh-good
	) &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $d bad-signature [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: its signature could not be verified: cannot run ${SQ}ssh-keygen${SQ}: not found [bad-signature]
	EOF
	test_cmp expect actual
'

test_expect_success 'the verifier leaves no private directory behind' '
	mkdir tmp &&
	TMPDIR="$PWD/tmp" chg-lint --now "$CHG_TEST_NOW" -C ssh-tampered >out 2>&1;
	test $? = 1 &&
	grep bad-signature out &&
	ls -A tmp >left &&
	test_must_be_empty left
'

# ---- OpenPGP ----

test_expect_success 'an OpenPGP-signed approval by a trusted key counts' '
	signed_repo pgp-good &&
	pgp_approve pgp-good "$DAVE_PGP" "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C pgp-good &&
	test_must_be_empty actual
'

test_expect_success 'an OpenPGP key that is not in .chg/keys.asc is an unknown signer, whatever the user'"'"'s keyring says' '
	signed_repo pgp-unknown &&
	p=$(short pgp-unknown) &&
	m=$(pgp_approve pgp-unknown "$MALLORY_PGP" "Dave Miller" dave@example.com) &&
	git -C pgp-unknown verify-commit HEAD 2>/dev/null &&
	chg_lint_status 1 -C pgp-unknown &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $m unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $m does not count: it is signed by OpenPGP key $MALLORY_PGP, which is not in .chg/keys.asc as of its first parent $p [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'a trusted OpenPGP key approving in another person'"'"'s name is a signer mismatch' '
	signed_repo pgp-mismatch &&
	c=$(pgp_approve pgp-mismatch "$CAROL_PGP" "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C pgp-mismatch &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $c signer-mismatch [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval in $c does not count: it is signed by OpenPGP key $CAROL_PGP whose principal is carol@example.com, not the Approved-by dave@example.com [signer-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'an OpenPGP key added in the approval commit itself: no approval' '
	signed_repo pgp-self-trust &&
	gpg --batch --armor --export "<carol@example.com>" >pgp-self-trust/.chg/keys.asc &&
	(cd pgp-self-trust && chg_commit "Jane Doe" jane@example.com "Trust only Carol") &&
	p=$(short pgp-self-trust) &&
	gpg --batch --armor --export "<dave@example.com>" >>pgp-self-trust/.chg/keys.asc &&
	d=$(pgp_approve pgp-self-trust "$DAVE_PGP" "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C pgp-self-trust &&
	grep "^changes/CHG-0001.yaml:4:8: error: approval commit $d approves nothing: it changes files: .* \\[invalid-value\\]\$" actual
'

test_expect_success 'an OpenPGP-signed commit changed after signing is a bad signature' '
	signed_repo pgp-tampered &&
	pgp_approve pgp-tampered "$DAVE_PGP" "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C pgp-tampered &&
	git -C pgp-tampered cat-file commit HEAD >signed &&
	sed -e "s/^Approve CHG-0001\$/Approve CHG-0001 after all/" signed >tampered &&
	! cmp signed tampered &&
	t=$(git -C pgp-tampered hash-object -t commit -w --stdin <tampered | cut -c1-7) &&
	git -C pgp-tampered update-ref refs/heads/main $t &&
	chg_lint_status 1 -C pgp-tampered &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $t bad-signature [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $t does not count: its OpenPGP signature does not verify: the commit${SQ}s content does not match it [bad-signature]
	EOF
	test_cmp expect actual
'

test_expect_success 'a signed message in PGP SIGNATURE armor is not a signature of the commit' '
	signed_repo pgp-inline &&
	(cd pgp-inline && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	git -C pgp-inline cat-file commit HEAD >payload &&
	./gpg-signer --batch --yes --local-user "$DAVE_PGP" --armor --sign -o inline.asc payload &&
	sed -e "s/PGP MESSAGE/PGP SIGNATURE/" inline.asc >inline.sig &&
	i=$(splice pgp-inline inline.sig) &&
	chg_lint_status 1 -C pgp-inline &&
	grep "^changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $i does not count: its OpenPGP signature does not verify: .* \\[bad-signature\\]\$" actual
'

test_expect_success 'a signature block holding two signatures is a bad signature' '
	signed_repo pgp-two &&
	(cd pgp-two && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	git -C pgp-two cat-file commit HEAD >payload &&
	./gpg-signer --batch --yes --local-user "$DAVE_PGP" --local-user "$CAROL_PGP" \
		--armor --detach-sign -o two.sig payload &&
	w=$(splice pgp-two two.sig) &&
	chg_lint_status 1 -C pgp-two &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $w bad-signature [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $w does not count: its OpenPGP signature does not verify: it holds more than one signature [bad-signature]
	EOF
	test_cmp expect actual
'

test_expect_success 'an expired OpenPGP key does not count' '
	mkdir -m 700 gnupg-2020 &&
	(
		GNUPGHOME="$PWD/gnupg-2020" &&
		new_pgp_key "Dave Miller <dave@example.com>" 1d --faked-system-time 20200101T000000!
	) &&
	old=$(GNUPGHOME="$PWD/gnupg-2020" pgp_fp dave@example.com) &&
	cat >gpg-2020 <<-EOF &&
	#!/bin/sh
	GNUPGHOME="$PWD/gnupg-2020" "$PWD/gpg-signer" --faked-system-time 20200101T010000! "\$@"
	EOF
	chmod +x gpg-2020 &&
	signed_repo pgp-expired &&
	GNUPGHOME="$PWD/gnupg-2020" gpg --batch --armor --export "$old" >pgp-expired/.chg/keys.asc &&
	(cd pgp-expired && chg_commit "Jane Doe" jane@example.com "Dave'"'"'s 2020 key") &&
	e=$(pgp_approve pgp-expired "$old" "Dave Miller" dave@example.com "$PWD/gpg-2020") &&
	chg_lint_status 1 -C pgp-expired &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $e unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $e does not count: it is signed by OpenPGP key $old, which has expired [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'a revoked OpenPGP key does not count' '
	mkdir -m 700 gnupg-revoked &&
	(
		GNUPGHOME="$PWD/gnupg-revoked" &&
		new_pgp_key "Dave Miller <dave@example.com>" never
	) &&
	rev=$(GNUPGHOME="$PWD/gnupg-revoked" pgp_fp dave@example.com) &&
	mkdir -m 700 gnupg-revoking &&
	GNUPGHOME="$PWD/gnupg-revoked" gpg --batch --armor --export "$rev" >rev-pub.asc &&
	sed -e "s/^://" "gnupg-revoked/openpgp-revocs.d/$rev.rev" >rev-cert.asc &&
	GNUPGHOME="$PWD/gnupg-revoking" gpg --batch --no-autostart --import rev-pub.asc rev-cert.asc 2>/dev/null &&
	signed_repo pgp-revoked &&
	GNUPGHOME="$PWD/gnupg-revoking" gpg --batch --armor --export "$rev" >pgp-revoked/.chg/keys.asc &&
	(cd pgp-revoked && chg_commit "Jane Doe" jane@example.com "Dave'"'"'s revoked key") &&
	r=$(GNUPGHOME="$PWD/gnupg-revoked" pgp_approve pgp-revoked "$rev" "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C pgp-revoked &&
	cat >expect <<-EOF &&
	$missing_line: dave@example.com $r unknown-signer [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $r does not count: it is signed by OpenPGP key $rev, which has been revoked [unknown-signer]
	EOF
	test_cmp expect actual
'

test_expect_success 'SSH and OpenPGP approvals add up; each approver counts once' '
	signed_repo mixed &&
	sed -e "s/level: medium/level: high/" -e "s/system-criticality: 3/system-criticality: 5/" \
		-e "s/users-affected: 2/users-affected: 4/" \
		mixed/changes/CHG-0001.yaml >mixed/changes/CHG-0001.yaml.new &&
	echo "rollback-tested: true" >>mixed/changes/CHG-0001.yaml.new &&
	mv mixed/changes/CHG-0001.yaml.new mixed/changes/CHG-0001.yaml &&
	(cd mixed && chg_commit "Jane Doe" jane@example.com "CHG-0001 is high risk") &&
	c1=$(ssh_approve mixed carol "Carol Nguyen" carol@example.com) &&
	c2=$(pgp_approve mixed "$CAROL_PGP" "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C mixed &&
	grep "error: CHG-0001 is approved but 1 of the 2 required approvals counted (from cab): carol@example.com $c1 counted, carol@example.com $c2 repeat \\[missing-approval\\]\$" actual &&
	cat >mixed/.chg/allowed_signers.add <<-EOF &&
	$(allowed dave alice@example.com)
	EOF
	cat mixed/.chg/allowed_signers.add >>mixed/.chg/allowed_signers &&
	rm mixed/.chg/allowed_signers.add &&
	(cd mixed && chg_commit "Jane Doe" jane@example.com "Alice signs with this key") &&
	ssh_approve mixed dave "Alice Example" alice@example.com &&
	chg_lint_status 0 -C mixed &&
	test_must_be_empty actual
'

test_expect_success 'stop the gpg-agents the signing side started' '
	for home in gnupg gnupg-2020 gnupg-revoked gnupg-revoking
	do
		GNUPGHOME="$PWD/$home" gpgconf --kill all || return 1
	done
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_done
