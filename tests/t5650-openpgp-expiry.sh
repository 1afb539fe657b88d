#!/bin/sh

test_description='OpenPGP key expiry is judged at the commit'"'"'s date, not at the wall clock

An approval made while its OpenPGP key was valid keeps counting after the
key expires; a commit dated after the expiry does not count, whenever its
signature was made (DESIGN section 5, rule 5: validity, OpenPGP expiry
included, is judged at the commit'"'"'s date).  The keys are made and the
commits signed by GnuPG at a faked system time; the real clock is long
past the expiry.'

. "$(dirname "$0")"/lib-chg.sh

# The signing side: keys made here, signatures made by git itself.  The
# user's GnuPG home is this one; chg-lint must never look at it.  The
# homes live under a short directory of their own: gpg-agent's socket is
# made in the home, and a socket's path may not exceed 107 bytes however
# deep the build directory is.
GPG_HOMES=$(mktemp -d "${TMPDIR:-/tmp}/chg-gpg.XXXXXX") || exit 1
GNUPGHOME="$GPG_HOMES/gnupg"
export GNUPGHOME GPG_HOMES
unset SSH_AUTH_SOCK

# pgp_fp EMAIL: the fingerprint of the OpenPGP key of EMAIL in $GNUPGHOME.
pgp_fp () {
	gpg --batch --with-colons --fingerprint "<$1>" | awk -F: '/^fpr/ { print $10; exit }'
}

# new_pgp_key UID EXPIRE TIME: a signing key for UID without passphrase in
# $GNUPGHOME, made at the faked time TIME (gpg's YYYYMMDDThhmmss), expiring
# at EXPIRE (an ISO date, or never).
new_pgp_key () {
	gpg --batch --pinentry-mode loopback --passphrase "" \
		--faked-system-time "$3!" \
		--quick-gen-key "$1" ed25519 sign "$2" 2>/dev/null
	_rc=$?
	gpgconf --kill gpg-agent
	return $_rc
}

# gpg_at HOME TIME: makes the program HOME-TIME, through which git signs
# with the keys of the GnuPG home HOME (a directory here), GnuPG's clock
# stopped at TIME (YYYYMMDDThhmmss); no gpg-agent outlives a signature.
gpg_at () {
	cat >"$1-$2" <<-EOF &&
	#!/bin/sh
	GNUPGHOME="$GPG_HOMES/$1" &&
	export GNUPGHOME &&
	gpg --homedir "$GPG_HOMES/$1" --faked-system-time "$2!" "\$@"
	rc=\$?
	gpgconf --kill gpg-agent
	exit \$rc
	EOF
	chmod +x "$1-$2"
}

# pgp_repo DIR FINGERPRINT: a repository whose policy requires signatures
# (the default), whose .chg/keys.asc holds the public key FINGERPRINT for
# dave@example.com (a manager), with CHG-0001 (approved, medium risk: one
# approval from managers or cab) requested and committed by Jane on
# 2026-11-02.
pgp_repo () {
	chg_repo "$1" &&
	sed -e "/require-signature/d" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	! grep require-signature "$1/.chg/policy.yaml" &&
	gpg --batch --armor --export "$2" >"$1/.chg/keys.asc" &&
	grep -- "-----BEGIN PGP PUBLIC KEY BLOCK-----" "$1/.chg/keys.asc" >/dev/null &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Set up the change repository") &&
	chg_normal_cr CHG-0001 approved >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
}

# pgp_approve DIR KEY DATE GPG: an empty commit approving CHG-0001 by Dave
# (author and committer), dated DATE, signed by git with the OpenPGP key
# KEY through the program GPG; prints its short id.
pgp_approve () {
	printf 'Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: Dave Miller <dave@example.com>\n' \
		"$(chg -C "$1" digest CHG-0001)" >msg &&
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
	GIT_AUTHOR_DATE=$3 GIT_COMMITTER_DATE=$3 \
		git -C "$1" -c gpg.program="$PWD/$4" -c user.signingkey="$2" \
		commit -q -S --allow-empty -F "$PWD/msg" &&
	git -C "$1" cat-file commit HEAD | grep -q "^gpgsig -----BEGIN PGP SIGNATURE-----" &&
	short "$1"
}

# counted N M: the missing-approval summary says N of the M required
# approvals counted.
counted () {
	grep "\\[missing-approval\\]\$" actual >summary &&
	grep " $1 of the $2 required approval" summary
}

test_expect_success 'setup: OpenPGP keys made on 2026-11-01, one expiring on 2026-11-15' '
	mkdir -m 700 "$GPG_HOMES/gnupg" &&
	new_pgp_key "Dave Miller <dave@example.com>" 2026-11-15 20261101T000000 &&
	EXPIRING=$(pgp_fp dave@example.com) &&
	test -n "$EXPIRING" &&
	gpg --batch --with-colons --list-keys "$EXPIRING" >listing &&
	# its expiry, seconds since the epoch, is on 2026-11-15 (UTC)
	expires=$(awk -F: "/^pub/ { print \$7; exit }" listing) &&
	test "$(date -u -d "@$expires" +%Y-%m-%d)" = 2026-11-15 &&
	# and at the real clock it has expired
	test "$expires" -lt "$(date +%s)" &&
	mkdir -m 700 "$GPG_HOMES/gnupg-lasting" &&
	(
		GNUPGHOME="$GPG_HOMES/gnupg-lasting" &&
		new_pgp_key "Dave Miller <dave@example.com>" 2099-01-01 20261101T000000
	) &&
	LASTING=$(GNUPGHOME="$GPG_HOMES/gnupg-lasting" pgp_fp dave@example.com) &&
	test -n "$LASTING" &&
	gpg_at gnupg 20261105T090000 &&
	gpg_at gnupg 20261110T090000 &&
	gpg_at gnupg 20261120T090000 &&
	gpg_at gnupg-lasting 20261105T090000
'

test_expect_success 'control: a key valid until 2099 signs, at a faked time, an approval that counts' '
	(
		GNUPGHOME="$GPG_HOMES/gnupg-lasting" &&
		pgp_repo lasting "$LASTING" &&
		pgp_approve lasting "$LASTING" 2026-11-05T09:00:00Z gnupg-lasting-20261105T090000 >/dev/null
	) &&
	chg_lint_status 0 -C lasting &&
	test_must_be_empty actual
'

test_expect_success 'an approval signed and dated while the key was valid counts after the key expired' '
	pgp_repo valid-then "$EXPIRING" &&
	pgp_approve valid-then "$EXPIRING" 2026-11-05T09:00:00Z gnupg-20261105T090000 >/dev/null &&
	test "$(git -C valid-then log -1 --format=%cs)" = 2026-11-05 &&
	chg_lint_status 0 -C valid-then &&
	test_must_be_empty actual &&
	# the real clock (after the expiry) changes nothing
	chg-lint -C valid-then >actual 2>stderr &&
	! grep "missing-approval" actual
'

test_expect_success 'GnuPG itself refuses to sign with the key after it expired' '
	pgp_repo expired-sign "$EXPIRING" &&
	test_must_fail pgp_approve expired-sign "$EXPIRING" 2026-11-20T09:00:00Z gnupg-20261120T090000 &&
	test "$(git -C expired-sign log -1 --format=%s)" = "Request CHG-0001"
'

test_expect_success 'an approval dated after the expiry does not count, though signed before it' '
	pgp_repo dated-after "$EXPIRING" &&
	a=$(pgp_approve dated-after "$EXPIRING" 2026-11-20T09:00:00Z gnupg-20261110T090000) &&
	test "$(git -C dated-after log -1 --format=%cs)" = 2026-11-20 &&
	chg_lint_status 1 -C dated-after &&
	counted 0 1 &&
	grep "dave@example.com $a [a-z-]*" summary &&
	! grep "dave@example.com $a counted" summary
'

test_expect_success 'stop the gpg-agents the signing side started' '
	for home in gnupg gnupg-lasting
	do
		GNUPGHOME="$GPG_HOMES/$home" gpgconf --kill all || return 1
	done &&
	rm -rf "$GPG_HOMES"
'

test_done
