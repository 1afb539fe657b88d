#!/bin/sh

test_description='SSH signatures: the in-process verifier and ssh-keygen -Y verify reach the same verdict

Every fixture -- valid, tampered, wrong namespace, expired, not yet valid,
revoked by a list of keys and by a KRL, unknown key, principal patterns with
negation, namespaces=, a cert-authority line, certificates -- for Ed25519,
ECDSA P-256/384/521 and RSA keys, signed by ssh-keygen -Y sign and by git,
is verified by ssh-keygen -Y verify and by tests/unit/sshsig-check, which
says what lib/sshsig.c alone makes of it and what chg_signature_verify
makes of it, with the in-process verifier and without it.  They must
agree, to the words of the detail; the in-process verdict must be the one
expected (certificates and KRLs are left to ssh-keygen: "fallback").'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
CHECK="$CHG_BUILD_DIR/tests/unit/sshsig-check"
# every signature is judged at 2026-11-02T09:00:00Z
T=1793610000
VT=20261102090000Z
KEYS="ed25519 ecdsa256 ecdsa384 ecdsa521 rsa"

# check NAME SIG DATA ALLOWED REVOKED PRINCIPAL WANT: ssh-keygen -Y verify
# and sshsig-check on one fixture; the in-process verdict must be WANT and
# agree with ssh-keygen's, and so must chg's.  A line goes to 'matrix'.
check () {
	_rk=
	test "$5" = - || _rk="-r $5"
	if TZ=UTC ssh-keygen -Y verify -f "$4" -I "$6" -n git -s "$2" $_rk \
		-Overify-time=$VT <"$3" >/dev/null 2>&1
	then
		_keygen=good
	else
		_keygen=no
	fi
	"$CHECK" "$2" "$3" "$4" "$5" "$6" $T >check.out || return 1
	read _inproc _chg <check.out
	echo "$1: ssh-keygen=$_keygen in-process=$_inproc chg=$_chg" >>matrix
	# the results with and without the in-process verifier: the same
	# verdict, key, principals and detail
	sed -n 2p check.out >check.fast &&
	sed -n 3p check.out >check.slow &&
	test_cmp check.slow check.fast || return 1
	if test "$_inproc" != "$7"
	then
		echo >&2 "$1: in-process says $_inproc, not $7"
		return 1
	fi
	case $_inproc in
	good) _agree=good ;;
	fallback) _agree=$_keygen ;;
	*) _agree=no ;;
	esac
	if test "$_agree" != "$_keygen"
	then
		echo >&2 "$1: in-process says $_inproc, ssh-keygen $_keygen"
		return 1
	fi
	case $_chg in
	good) _agree=good ;;
	*) _agree=no ;;
	esac
	if test "$_agree" != "$_keygen"
	then
		echo >&2 "$1: chg says $_chg, ssh-keygen $_keygen"
		cat >&2 check.out
		return 1
	fi
}

# pub NAME: the key of NAME.key.pub without its comment.
pub () {
	cut -d" " -f1,2 "$1.key.pub"
}

# git_sign KEY DIR: a commit in DIR signed by git with KEY; DIR.sig and
# DIR.data are its signature and the data it signs.
git_sign () {
	git init -q "$2" &&
	git -C "$2" config gpg.format ssh &&
	git -C "$2" config user.signingkey "$PWD/$1.key" &&
	git -C "$2" commit -q -S --allow-empty -m "Approve by $1" &&
	git -C "$2" cat-file commit HEAD >"$2.commit" &&
	sed -n "/^gpgsig /,/^ -----END SSH SIGNATURE-----/p" "$2.commit" |
		sed -e "s/^gpgsig //" -e "s/^ //" >"$2.sig" &&
	sed -e "/^gpgsig /,/^ -----END SSH SIGNATURE-----/d" "$2.commit" >"$2.data" &&
	grep -q "BEGIN SSH SIGNATURE" "$2.sig"
}

test_expect_success 'setup: keys of every kind, a certificate authority, data' '
	ssh-keygen -q -t ed25519 -N "" -C ed25519 -f ed25519.key &&
	ssh-keygen -q -t ecdsa -b 256 -N "" -C ecdsa256 -f ecdsa256.key &&
	ssh-keygen -q -t ecdsa -b 384 -N "" -C ecdsa384 -f ecdsa384.key &&
	ssh-keygen -q -t ecdsa -b 521 -N "" -C ecdsa521 -f ecdsa521.key &&
	ssh-keygen -q -t rsa -b 3072 -N "" -C rsa -f rsa.key &&
	ssh-keygen -q -t ed25519 -N "" -C mallory -f mallory.key &&
	ssh-keygen -q -t ed25519 -N "" -C ca -f ca.key &&
	printf "payload\n" >data &&
	printf "payload!\n" >tampered &&
	echo "mallory@example.com $(pub mallory)" >unknown.allowed &&
	: >matrix
'

for k in $KEYS
do
	test_expect_success "setup: $k signatures and trust files" '
		ssh-keygen -q -Y sign -n git -f $k.key data && mv data.sig $k.sig &&
		ssh-keygen -q -Y sign -n file -f $k.key data && mv data.sig $k.file.sig &&
		ssh-keygen -q -Y sign -n git -O hashalg=sha256 -f $k.key data &&
		mv data.sig $k.sha256.sig &&
		echo "dave@example.com $(pub $k)" >$k.allowed &&
		echo "dave@example.com valid-before=\"20260101\" $(pub $k)" >$k.expired &&
		echo "dave@example.com valid-after=\"202701010000Z\" $(pub $k)" >$k.notyet &&
		echo "dave@example.com valid-after=\"20261102090000\",valid-before=\"20261102090001Z\" $(pub $k)" >$k.edge &&
		echo "dave@example.com valid-after=\"20261102090000\",valid-before=\"20261102090000Z\" $(pub $k)" >$k.inverted &&
		echo "dave@example.com valid-before=\"202611020859UTC\" $(pub $k)" >$k.edge-expired &&
		echo "*@example.com,!mallory@example.com $(pub $k)" >$k.patterns &&
		echo "dave@example.com namespaces=\"file\" $(pub $k)" >$k.ns-file &&
		echo "dave@example.com namespaces=\"file,g?t\" $(pub $k)" >$k.ns-list &&
		echo "dave@example.com cert-authority $(pub $k)" >$k.ca-line &&
		{ echo "# compromised"; cat mallory.key.pub; cat $k.key.pub; } >$k.revoked &&
		cat mallory.key.pub >$k.revoked-other &&
		ssh-keygen -q -k -f $k.krl $k.key.pub
	'

	test_expect_success "$k: ssh-keygen and the in-process verifier agree" '
		check "$k valid" $k.sig data $k.allowed - dave@example.com good &&
		check "$k valid, sha256" $k.sha256.sig data $k.allowed - dave@example.com good &&
		check "$k tampered" $k.sig tampered $k.allowed - dave@example.com bad &&
		check "$k wrong namespace" $k.file.sig data $k.allowed - dave@example.com bad &&
		check "$k expired" $k.sig data $k.expired - dave@example.com unknown &&
		check "$k not yet valid" $k.sig data $k.notyet - dave@example.com unknown &&
		check "$k valid at the very second" $k.sig data $k.edge - dave@example.com good &&
		check "$k expired a minute before" $k.sig data $k.edge-expired - dave@example.com unknown &&
		check "$k valid-before not after valid-after" $k.sig data $k.inverted - dave@example.com unknown &&
		check "$k revoked (keys)" $k.sig data $k.allowed $k.revoked dave@example.com revoked &&
		check "$k another key revoked" $k.sig data $k.allowed $k.revoked-other dave@example.com good &&
		check "$k revoked (KRL)" $k.sig data $k.allowed $k.krl dave@example.com fallback &&
		check "$k unknown key" $k.sig data unknown.allowed - dave@example.com unknown &&
		check "$k other principal" $k.sig data $k.allowed - carol@example.com unknown &&
		check "$k pattern" $k.sig data $k.patterns - carol@example.com good &&
		check "$k negated pattern" $k.sig data $k.patterns - mallory@example.com unknown &&
		check "$k namespaces=file" $k.sig data $k.ns-file - dave@example.com unknown &&
		check "$k namespaces=file,g?t" $k.sig data $k.ns-list - dave@example.com good &&
		check "$k cert-authority line, plain key" $k.sig data $k.ca-line - dave@example.com unknown
	'
done

test_expect_success 'no allowed signers: the same result with and without the in-process verifier' '
	for k in $KEYS
	do
		for s in $k.sig $k.file.sig
		do
			for d in data tampered
			do
				"$CHECK" $s $d - - dave@example.com $T >check.out &&
				sed -n 2p check.out >check.fast &&
				sed -n 3p check.out >check.slow &&
				test_cmp check.slow check.fast || return 1
			done
		done
	done &&
	"$CHECK" ed25519.sig data - - dave@example.com $T >check.out &&
	grep "^unknown-key|ED25519 key SHA256:[^|]*||it is signed by ED25519 key SHA256:[^,]*, and its first parent 1234567 has no .chg/allowed_signers$" check.out
'

# same SIG DATA ALLOWED REVOKED PRINCIPAL: chg's whole result is the same
# with and without the in-process verifier.
same () {
	"$CHECK" "$@" $T >check.out &&
	sed -n 2p check.out >check.fast &&
	sed -n 3p check.out >check.slow &&
	test_cmp check.slow check.fast
}

test_expect_success 'the principals found: the same result with and without the in-process verifier' '
	for k in ed25519 ecdsa384 rsa
	do
		p=$(pub $k) &&
		echo "Dave@Example.COM $p" >case.allowed &&
		echo ",dave@example.com $p" >empty-first.allowed &&
		echo "carol@example.com,dave@example.com,*@ops.example.com $p" >list.allowed &&
		printf "%s\n" "dave@example.com namespaces=\"file\" $p" \
			"dave@example.com $p" >ns-then-plain.allowed &&
		printf "%s\n" "dave@example.com valid-before=\"20260101\" $p" \
			"carol@example.com $p" >expired-then-other.allowed &&
		printf "%s\n" "# a comment" "" "broken line" \
			"dave@example.com ssh-ed25519 AAAA" "*,!mallory@example.com $p" >messy.allowed &&
		for a in case.allowed empty-first.allowed list.allowed \
			ns-then-plain.allowed expired-then-other.allowed messy.allowed \
			$k.ns-file $k.patterns $k.expired
		do
			for who in dave@example.com DAVE@example.com carol@example.com \
				mallory@example.com x@ops.example.com
			do
				same $k.sig data $a - $who &&
				same $k.sig data $a $k.revoked $who &&
				same $k.sig data $a $k.revoked-other $who || return 1
			done
		done || return 1
	done
'

test_expect_success 'setup: signatures made by git (ssh signing)' '
	git_sign ed25519 git-ed25519 &&
	git_sign ecdsa256 git-ecdsa256 &&
	git_sign ecdsa521 git-ecdsa521 &&
	git_sign rsa git-rsa &&
	sed -e "s/^Approve/Approved/" git-rsa.data >git-rsa.tampered
'

test_expect_success 'signatures made by git: ssh-keygen and the in-process verifier agree' '
	for k in ed25519 ecdsa256 ecdsa521 rsa
	do
		check "git $k valid" git-$k.sig git-$k.data $k.allowed - dave@example.com good &&
		check "git $k expired" git-$k.sig git-$k.data $k.expired - dave@example.com unknown &&
		check "git $k revoked" git-$k.sig git-$k.data $k.allowed $k.revoked dave@example.com revoked &&
		check "git $k unknown key" git-$k.sig git-$k.data unknown.allowed - dave@example.com unknown ||
		return 1
	done &&
	check "git rsa tampered" git-rsa.sig git-rsa.tampered rsa.allowed - dave@example.com bad
'

test_expect_success 'setup: certificates' '
	for cert in good:dave@example.com:20260101:20270101 \
		expired:dave@example.com:20250101:20260101 \
		other:mallory@example.com:20260101:20270101
	do
		IFS=: read name principal from to <<-EOF &&
		$cert
		EOF
		ssh-keygen -q -t ed25519 -N "" -C "$name" -f cert-$name.key &&
		ssh-keygen -q -s ca.key -I "$name" -n "$principal" -V "$from:$to" \
			cert-$name.key.pub &&
		ssh-keygen -q -Y sign -n git -f cert-$name.key-cert.pub data &&
		mv data.sig cert-$name.sig &&
		grep -q . cert-$name.sig || return 1
	done &&
	echo "dave@example.com cert-authority $(pub ca)" >ca.allowed &&
	echo "*@example.com cert-authority $(pub ca)" >ca-pattern.allowed &&
	cat ca.key.pub >ca.revoked
'

test_expect_success 'certificates are left to ssh-keygen, and agree' '
	check "certificate valid" cert-good.sig data ca.allowed - dave@example.com fallback &&
	check "certificate tampered" cert-good.sig tampered ca.allowed - dave@example.com fallback &&
	check "certificate expired" cert-expired.sig data ca.allowed - dave@example.com fallback &&
	check "certificate for another principal" cert-other.sig data ca-pattern.allowed - dave@example.com fallback &&
	check "certificate, its CA revoked" cert-good.sig data ca.allowed ca.revoked dave@example.com fallback &&
	check "certificate, CA not trusted" cert-good.sig data unknown.allowed - dave@example.com fallback
'

test_expect_success 'the matrix' '
	cat matrix &&
	test $(grep -c . matrix) -ge 100 &&
	! grep "ssh-keygen=good in-process=bad" matrix
'

test_done
