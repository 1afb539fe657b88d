#!/bin/sh

test_description='signature verdicts kept under $GIT_DIR/chg where chg.cache is true

A verdict is kept under the commit and a digest of the trust it was
verified against, in $GIT_DIR/chg/signatures, authenticated with a key of
the repository.  The cache only speeds up: a second run, a run without it
and a run after it was deleted say the same; an entry that was changed,
forged under another key or moved to another name is not believed; a
verdict kept for one trust is not used for another.'

. "$(dirname "$0")"/lib-chg.sh

GNUPGHOME="$PWD/gnupg"
export GNUPGHOME
unset SSH_AUTH_SOCK

SQ="'"

# ssh_fp NAME: "ED25519 key SHA256:..." of NAME.key, as ssh-keygen shows it.
ssh_fp () {
	echo "ED25519 key $(ssh-keygen -lf "$1.key.pub" | cut -d" " -f2)"
}

# signed_repo DIR: a repository whose policy requires signatures, whose
# .chg/allowed_signers and .chg/keys.asc trust dave, with CHG-0001
# (approved) requested and committed by Jane, unsigned.  Its trust changes
# need no approval.
signed_repo () {
	chg_repo "$1" &&
	echo "  trust: {required: 0}" >>"$1/.chg/policy.yaml" &&
	sed -e "/require-signature/d" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	allowed dave dave@example.com >"$1/.chg/allowed_signers" &&
	gpg --batch --armor --export "<dave@example.com>" >"$1/.chg/keys.asc" &&
	chg_normal_cr CHG-0001 approved >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001")
}

# approve DIR FORMAT KEY: a commit approving CHG-0001 in Dave Miller's
# name, signed by git with KEY (FORMAT ssh: the file KEY.key; openpgp: a
# fingerprint); prints its short id.
approve () {
	printf 'Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: Dave Miller <dave@example.com>\n' \
		"$(chg -C "$1" digest CHG-0001)" >msg &&
	if test "$2" = ssh
	then
		_key=$PWD/$3.key
	else
		_key=$3
	fi &&
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
		git -C "$1" -c gpg.format="$2" -c gpg.program="$PWD/gpg-signer" \
		-c user.signingkey="$_key" commit -q -S --allow-empty -F "$PWD/msg" &&
	short "$1"
}

# entries DIR: the cache entries of DIR, one a line.
entries () {
	ls "$1/.git/chg/signatures"
}

# lint_without PROGRAM STATUS DIR: chg-lint on DIR with a PATH where
# PROGRAM (ssh-keygen or gpg) cannot be found: what it says can only come
# from the cache.  Its output in 'actual'.
lint_without () {
	mkdir -p "bin-$1" &&
	for _p in ssh-keygen gpg
	do
		if test "$_p" != "$1"
		then
			ln -sf "$(command -v $_p)" "bin-$1/$_p" || return 1
		fi
	done &&
	test_expect_code "$2" env PATH="$PWD/bin-$1" \
		"$CHG_BUILD_DIR/chg-lint" --now "$CHG_TEST_NOW" -C "$3" >actual 2>stderr
}

# hmac HEXKEY FILE: the HMAC-SHA256 of FILE under HEXKEY, in hex.
hmac () {
	openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" -r "$2" | cut -d" " -f1
}

# forge DIR ENTRY HEXKEY: writes ENTRY of DIR as a good SSH signature by
# mallory for dave@example.com, authenticated under HEXKEY.
forge () {
	printf '{"entry":"%s","verdict":1,"kind":1,"key":"%s","detail":"good SSH signature for dave@example.com by %s","principals":["dave@example.com"]}' \
		"$2" "$MALLORY_SSH" "$MALLORY_SSH" >forged.json &&
	{ printf 'chg-signature-cache 1\n%s\n' "$2" && cat forged.json; } >forged.mac &&
	{ printf 'chg-signature-cache 1\nmac %s\n' "$(hmac "$3" forged.mac)" &&
	  cat forged.json; } >"$1/.git/chg/signatures/$2"
}

test_expect_success 'setup: keys, and repositories with a good and a bad approval' '
	for who in alice carol dave mallory
	do
		ssh-keygen -q -t ed25519 -N "" -C "$who" -f $who.key || return 1
	done &&
	mkdir -m 700 gnupg &&
	gpg --batch --pinentry-mode loopback --passphrase "" \
		--quick-gen-key "Dave Miller <dave@example.com>" ed25519 sign never 2>/dev/null &&
	gpgconf --kill gpg-agent &&
	cat >gpg-signer <<-\EOF &&
	#!/bin/sh
	gpg "$@"
	rc=$?
	gpgconf --kill gpg-agent
	exit $rc
	EOF
	chmod +x gpg-signer &&
	DAVE_PGP=$(gpg --batch --with-colons --fingerprint "<dave@example.com>" |
		   awk -F: "/^fpr/ { print \$10; exit }") &&
	test -n "$DAVE_PGP" &&
	MALLORY_SSH=$(ssh_fp mallory) &&
	signed_repo good && G=$(approve good ssh dave) &&
	signed_repo bad && B=$(approve bad ssh mallory) &&
	signed_repo pgp && P=$(approve pgp openpgp "$DAVE_PGP") &&
	for r in good bad pgp
	do
		git -C $r config chg.cache true || return 1
	done
'

test_expect_success 'with chg.cache true verdicts are kept in $GIT_DIR/chg, private' '
	chg_lint_status 0 -C good &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C bad &&
	cp actual bad.expect &&
	grep "approval by dave@example.com in $B does not count: it is signed by $MALLORY_SSH, which is not in .chg/allowed_signers" actual &&
	test $(entries good | wc -l) = 1 &&
	test $(entries bad | wc -l) = 1 &&
	entries good | grep "^$(git -C good rev-parse HEAD)-[0-9a-f]\{64\}\$" &&
	test "$(stat -c %a good/.git/chg good/.git/chg/signatures)" = "700
700" &&
	test "$(stat -c "%a %s" good/.git/chg/cache-key)" = "600 32" &&
	test "$(stat -c %a good/.git/chg/signatures/*)" = 600 &&
	! cmp good/.git/chg/cache-key bad/.git/chg/cache-key
'

test_expect_success 'a second run says the same, from the cache' '
	chg_lint_status 1 -C bad &&
	test_cmp bad.expect actual &&
	lint_without ssh-keygen 0 good &&
	test_must_be_empty actual &&
	lint_without ssh-keygen 1 bad &&
	test_cmp bad.expect actual
'

test_expect_success 'OpenPGP verdicts are kept too' '
	chg_lint_status 0 -C pgp &&
	test_must_be_empty actual &&
	test $(entries pgp | wc -l) = 1 &&
	lint_without gpg 0 pgp &&
	test_must_be_empty actual
'

test_expect_success 'the control: without the cache, no ssh-keygen is no verdict' '
	mv bad/.git/chg saved-chg &&
	git -C bad config chg.cache false &&
	lint_without ssh-keygen 1 bad &&
	grep "cannot run ${SQ}ssh-keygen${SQ}: not found" actual &&
	git -C bad config chg.cache true &&
	lint_without ssh-keygen 1 bad &&
	grep "cannot run ${SQ}ssh-keygen${SQ}: not found" actual &&
	test $(entries bad | wc -l) = 0 &&
	rm -rf bad/.git/chg &&
	mv saved-chg bad/.git/chg
'

test_expect_success 'a worktree uses the cache of the repository'"'"'s common directory' '
	git -C good worktree add -q --detach ../good-wt &&
	lint_without ssh-keygen 0 good-wt &&
	test_must_be_empty actual &&
	test $(entries good | wc -l) = 1 &&
	test ! -e "$(git -C good-wt rev-parse --git-dir)/chg"
'

test_expect_success 'deleting the cache changes no result' '
	rm -rf bad/.git/chg good/.git/chg &&
	chg_lint_status 1 -C bad &&
	test_cmp bad.expect actual &&
	chg_lint_status 0 -C good &&
	test_must_be_empty actual &&
	test $(entries bad | wc -l) = 1 &&
	test $(entries good | wc -l) = 1
'

test_expect_success 'without chg.cache nothing is written under $GIT_DIR/chg' '
	signed_repo plain && approve plain ssh dave &&
	chg_lint_status 0 -C plain &&
	test_must_be_empty actual &&
	test ! -e plain/.git/chg &&
	git -C plain config chg.cache false &&
	chg_lint_status 0 -C plain &&
	test ! -e plain/.git/chg
'

test_expect_success 'an entry changed by one byte is not believed, and is written again' '
	e=$(entries bad) &&
	cp "bad/.git/chg/signatures/$e" entry.orig &&
	sed -e "s/which is not in/which is Not in/" entry.orig >"bad/.git/chg/signatures/$e" &&
	! cmp entry.orig "bad/.git/chg/signatures/$e" &&
	chg_lint_status 1 -C bad &&
	test_cmp bad.expect actual &&
	test_cmp entry.orig "bad/.git/chg/signatures/$e"
'

test_expect_success 'an entry that is not an entry is not believed' '
	e=$(entries bad) &&
	for junk in "" "chg-signature-cache 1" "chg-signature-cache 2
mac 00
{}" "$(head -c 100000 /dev/zero | tr "\0" x)"
	do
		printf "%s" "$junk" >"bad/.git/chg/signatures/$e" &&
		chg_lint_status 1 -C bad &&
		test_cmp bad.expect actual &&
		test_cmp entry.orig "bad/.git/chg/signatures/$e" || return 1
	done
'

test_expect_success 'a forged good entry under another key does not make a bad signature count' '
	e=$(entries bad) &&
	forge bad "$e" "$(openssl rand -hex 32)" &&
	chg_lint_status 1 -C bad &&
	test_cmp bad.expect actual &&
	test_cmp entry.orig "bad/.git/chg/signatures/$e"
'

test_expect_success 'the control: the same entry under the repository'"'"'s key would count' '
	e=$(entries bad) &&
	forge bad "$e" "$(od -An -tx1 bad/.git/chg/cache-key | tr -d " \n")" &&
	chg_lint_status 0 -C bad &&
	test_must_be_empty actual &&
	rm -rf bad/.git/chg
'

test_expect_success 'a genuine entry of another commit under this one'"'"'s name does not count' '
	chg_lint_status 1 -C bad &&
	e=$(entries bad) &&
	cp good/.git/chg/cache-key bad/.git/chg/cache-key &&
	cp "good/.git/chg/signatures/$(entries good)" "bad/.git/chg/signatures/$e" &&
	chg_lint_status 1 -C bad &&
	test_cmp bad.expect actual
'

test_expect_success 'a key file that is not a key, or that others can read, is replaced' '
	e=$(entries good) &&
	cp good/.git/chg/cache-key key.orig &&
	chmod 644 good/.git/chg/cache-key &&
	chg_lint_status 0 -C good &&
	test "$(stat -c "%a %s" good/.git/chg/cache-key)" = "600 32" &&
	! cmp key.orig good/.git/chg/cache-key &&
	echo short >good/.git/chg/cache-key &&
	chg_lint_status 0 -C good &&
	test "$(stat -c "%a %s" good/.git/chg/cache-key)" = "600 32" &&
	test $(entries good | wc -l) = 1 &&
	lint_without ssh-keygen 0 good
'

test_expect_success 'a verdict kept for one trust is not used for another' '
	signed_repo rev && d=$(approve rev ssh dave) &&
	git -C rev config chg.cache true &&
	chg_lint_status 0 -C rev &&
	test $(entries rev | wc -l) = 1 &&
	cut -d" " -f1,2 dave.key.pub >rev/.chg/revoked_keys &&
	(cd rev && chg_commit "Jane Doe" jane@example.com "Revoke Dave") &&
	r=$(short rev) &&
	chg_lint_status 1 -C rev &&
	grep "approval by dave@example.com in $d does not count: it is signed by $(ssh_fp dave), which is revoked: .chg/revoked_keys as of the evaluated revision (the last approved trust, in $r) revokes it \[unknown-signer\]\$" actual &&
	test $(entries rev | wc -l) = 2 &&
	git -C rev rm -q .chg/revoked_keys &&
	(cd rev && chg_commit "Jane Doe" jane@example.com "Trust Dave again") &&
	lint_without ssh-keygen 0 rev &&
	test_must_be_empty actual
'

# trust_approve DIR KEY NAME EMAIL DIGEST: an approval of the trust change
# to DIGEST by NAME <EMAIL>, signed by git with KEY.key.
trust_approve () {
	printf "Approve the trust files\n\nChange-Request: trust\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
		"$5" "$3" "$4" >msg &&
	git -C "$1" add -A &&
	GIT_AUTHOR_NAME="$3" GIT_AUTHOR_EMAIL="$4" \
	GIT_COMMITTER_NAME="$3" GIT_COMMITTER_EMAIL="$4" \
		git -C "$1" -c gpg.format=ssh -c user.signingkey="$PWD/$2.key" \
		commit -q -S --allow-empty -F "$PWD/msg"
}

test_expect_success 'a verdict kept for one .chg/allowed_signers is not used for another' '
	chg_repo gap &&
	sed -e "/require-signature/d" gap/.chg/policy.yaml >gap/.chg/policy.yaml.new &&
	mv gap/.chg/policy.yaml.new gap/.chg/policy.yaml &&
	{ allowed alice alice@example.com && allowed carol carol@example.com; } \
		>gap/.chg/allowed_signers &&
	chg_normal_cr CHG-0001 approved >gap/changes/CHG-0001.yaml &&
	(cd gap && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	r=$(short gap) &&
	allowed mallory dave@example.com >>gap/.chg/allowed_signers &&
	(cd gap && chg_commit "Jane Doe" jane@example.com "Trust a key for Dave") &&
	D="sha256:$(git -C gap ls-tree -r -z HEAD -- .chg/allowed_signers .chg/catalog \
		.chg/keys.asc .chg/policy.yaml .chg/revoked_keys | sha256sum | cut -d" " -f1)" &&
	m=$(approve gap ssh mallory) &&
	git -C gap config chg.cache true &&
	chg_lint_status 1 -C gap &&
	grep "approval by dave@example.com in $m does not count: it is signed by $MALLORY_SSH, which is not in .chg/allowed_signers as of the last approved trust (in $r) " actual &&
	n=$(entries gap | grep -c "^$(git -C gap rev-parse $m)-") &&
	trust_approve gap alice "Alice Example" alice@example.com "$D" &&
	trust_approve gap carol "Carol Nguyen" carol@example.com "$D" &&
	chg_lint_status 0 -C gap &&
	test_must_be_empty actual &&
	test $(entries gap | grep -c "^$(git -C gap rev-parse $m)-") -gt $n
'

test_done
