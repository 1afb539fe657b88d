#!/bin/sh

test_description='trust changes: the policy, trust files and catalog change only with the quorum of the trust before them'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
SQ="'"

# ssh_fp NAME: "ED25519 key SHA256:..." of NAME.key.
ssh_fp () {
	echo "ED25519 key $(ssh-keygen -lf "$1.key.pub" | cut -d" " -f2)"
}

# allowed NAME PRINCIPAL: an allowed_signers line for NAME.key.
allowed () {
	printf '%s %s\n' "$2" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# trust_digest DIR [REV]: the trust digest of REV (default HEAD), computed
# as trust.h documents it, with git alone.
trust_digest () {
	printf "sha256:%s\n" "$(git -C "$1" ls-tree -r -z "${2:-HEAD}" -- \
		.chg/allowed_signers .chg/catalog .chg/keys.asc .chg/policy.yaml \
		.chg/revoked_keys |
		sha256sum | cut -d" " -f1)"
}

# as NAME EMAIL COMMAND...: runs COMMAND (a function too) as author and
# committer NAME <EMAIL>.
as () (
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$2 &&
	export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
	shift 2 &&
	"$@"
)

# signed_commit DIR KEY MESSAGE-FILE: commits everything in DIR (also
# nothing), signed by git with KEY.key.
signed_commit () {
	git -C "$1" add -A &&
	git -C "$1" -c gpg.format=ssh -c user.signingkey="$PWD/$2.key" \
		commit -q -S --allow-empty -F "$PWD/$3" &&
	git -C "$1" cat-file commit HEAD | grep -q "^gpgsig -----BEGIN SSH SIGNATURE-----"
}

# trust_approve DIR KEY NAME EMAIL [DIGEST]: an approval of the trust
# change to DIGEST (default: HEAD's trust digest) by NAME <EMAIL>, signed
# with KEY.key; prints its short id.
trust_approve () {
	printf "Approve the trust files\n\nChange-Request: trust\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
		"${5:-$(trust_digest "$1")}" "$3" "$4" >msg &&
	as "$3" "$4" signed_commit "$1" "$2" msg &&
	short "$1"
}

# cr_approve DIR KEY NAME EMAIL: an approval of CHG-0001 by NAME <EMAIL>,
# signed with KEY.key; prints its short id.
cr_approve () {
	printf "Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
		"$(chg -C "$1" digest CHG-0001)" "$3" "$4" >msg &&
	as "$3" "$4" signed_commit "$1" "$2" msg &&
	short "$1"
}

# trust_repo DIR: the root of trust: a policy that requires signatures,
# with cab (alice, carol) and managers (dave), their keys in
# .chg/allowed_signers, and CHG-0001 (approved) requested by Jane; then
# Dave's signed approval of CHG-0001.
trust_repo () {
	chg_repo "$1" &&
	sed -e "/require-signature/d" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	{ allowed alice alice@example.com && allowed carol carol@example.com &&
	  allowed dave dave@example.com; } >"$1/.chg/allowed_signers" &&
	chg_normal_cr CHG-0001 approved >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	cr_approve "$1" dave "Dave Miller" dave@example.com >/dev/null
}

# add_key DIR NAME PRINCIPAL: appends NAME.key for PRINCIPAL to DIR's
# allowed signers and commits it as Jane, unsigned; prints its short id.
add_key () {
	allowed "$2" "$3" >>"$1/.chg/allowed_signers" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Trust $2's key for $3") &&
	short "$1"
}

# unapproved FILE COMMIT PARENT DIGEST [UNDER]: the finding about an
# unapproved trust change of FILE in COMMIT judged under the trust of its
# first parent PARENT (or as UNDER says), no approval counted.
unapproved () {
	printf "%s: error: %s changed in %s without approval: 0 of the 2 required approvals counted (from cab) %s; its approvals name Change-Request: trust and Change-Digest: %s [trust-change-unapproved]\n" \
		"$1" "$1" "$2" "${5:-under the trust of its first parent $3}" "$4"
}

# root_note FILE ROOT: the note naming the root of trust.
root_note () {
	printf "%s: note: %s is the root of trust: the trust files it introduced are trusted as they are, and every later change to them needs approval (approvals.trust) [trust-change-unapproved]\n" \
		"$1" "$2"
}

test_expect_success 'setup: SSH keys' '
	for who in alice carol dave erin mallory
	do
		ssh-keygen -q -t ed25519 -N "" -C "$who" -f $who.key || return 1
	done &&
	ERIN_SSH=$(ssh_fp erin) && MALLORY_SSH=$(ssh_fp mallory)
'

test_expect_success 'the root of trust needs no approval, and a history without trust changes is silent' '
	trust_repo root &&
	chg_lint_status 0 -C root &&
	test_must_be_empty actual
'

test_expect_success 'a key added without approval is trust-change-unapproved; the root of trust is noted' '
	trust_repo added &&
	r=$(short added HEAD~1) && p=$(short added) &&
	t=$(add_key added erin erin@example.com) &&
	D=$(trust_digest added) &&
	chg_lint_status 1 -C added &&
	{
		unapproved .chg/allowed_signers $t $p $D &&
		root_note .chg/allowed_signers $r
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'the finding stays when only some files are linted' '
	chg_lint_status 1 -C added changes/CHG-0001.yaml &&
	grep "^\\.chg/allowed_signers: error: .* \\[trust-change-unapproved\\]\$" actual
'

test_expect_success 'two cab members approving with the keys trusted before the change make it count' '
	p=$(short added HEAD~1) &&
	a=$(trust_approve added alice "Alice Example" alice@example.com) &&
	chg_lint_status 1 -C added &&
	grep "1 of the 2 required approvals counted (from cab) under the trust of its first parent $p: alice@example.com $a counted;" actual &&
	c=$(trust_approve added carol "Carol Nguyen" carol@example.com) &&
	chg_lint_status 0 -C added &&
	test_must_be_empty actual
'

test_expect_success 'unsigned approvals of a trust change do not count' '
	trust_repo unsigned &&
	t=$(add_key unsigned erin erin@example.com) &&
	D=$(trust_digest unsigned) &&
	for who in "Alice Example <alice@example.com>" "Carol Nguyen <carol@example.com>"
	do
		name=${who% <*} && email=${who#*<} && email=${email%>} &&
		as "$name" $email git -C unsigned commit -q --allow-empty -m "Approve" \
			-m "Change-Request: trust
Change-Digest: $D
Approved-by: $who" || return 1
	done &&
	a=$(short unsigned HEAD~1) && c=$(short unsigned) &&
	chg_lint_status 1 -C unsigned &&
	grep "0 of the 2 required approvals counted (from cab) under the trust of its first parent [0-9a-f]*: alice@example.com $a unsigned-approval, carol@example.com $c unsigned-approval;" actual &&
	grep "^\\.chg/allowed_signers: error: approval by carol@example.com in $c does not count: the commit is not signed and the policy requires signed approvals \\[unsigned-approval\\]\$" actual
'

test_expect_success 'old approvals of a trust state cannot be replayed to undo a revocation' '
	trust_repo replay &&
	add_key replay erin erin@example.com >/dev/null &&
	D1=$(trust_digest replay) &&
	a=$(trust_approve replay alice "Alice Example" alice@example.com) &&
	c=$(trust_approve replay carol "Carol Nguyen" carol@example.com) &&
	grep -v "^erin@example.com " replay/.chg/allowed_signers >signers &&
	cp signers replay/.chg/allowed_signers &&
	(cd replay && chg_commit "Jane Doe" jane@example.com "Revoke Erin${SQ}s key") &&
	trust_approve replay alice "Alice Example" alice@example.com >/dev/null &&
	trust_approve replay carol "Carol Nguyen" carol@example.com >/dev/null &&
	chg_lint_status 0 -C replay &&
	test_must_be_empty actual &&
	p=$(short replay) &&
	allowed erin erin@example.com >>replay/.chg/allowed_signers &&
	(cd replay && chg_commit "Jane Doe" jane@example.com "Erin again") &&
	t=$(short replay) &&
	test $(trust_digest replay) = $D1 &&
	chg_lint_status 1 -C replay &&
	cat >expect <<-EOF &&
	.chg/allowed_signers: error: .chg/allowed_signers changed in $t without approval: 0 of the 2 required approvals counted (from cab) under the trust of its first parent $p: alice@example.com $a stale-approval, carol@example.com $c stale-approval; its approvals name Change-Request: trust and Change-Digest: $D1 [trust-change-unapproved]
	.chg/allowed_signers: error: approval by alice@example.com in $a does not count for $t: it was made before the change, for an earlier change to the same trust files; ask for a new approval [stale-approval]
	.chg/allowed_signers: error: approval by carol@example.com in $c does not count for $t: it was made before the change, for an earlier change to the same trust files; ask for a new approval [stale-approval]
	EOF
	root_note .chg/allowed_signers $(short replay HEAD~8) >>expect &&
	test_cmp expect actual
'

test_expect_success 'an approval of another digest does not approve the change' '
	trust_repo other &&
	t=$(add_key other erin erin@example.com) &&
	old=$(trust_digest other HEAD~1) &&
	trust_approve other alice "Alice Example" alice@example.com $old >/dev/null &&
	trust_approve other carol "Carol Nguyen" carol@example.com $old >/dev/null &&
	chg_lint_status 1 -C other &&
	grep "^\\.chg/allowed_signers: error: \\.chg/allowed_signers changed in $t without approval: 0 of the 2 required approvals counted (from cab) under the trust of its first parent [0-9a-f]*; its approvals name" actual
'

test_expect_success 'approvals signed with the key the change adds do not count' '
	trust_repo newkey &&
	p=$(short newkey) &&
	sed -e "s/cab: \\[alice@example.com, carol@example.com\\]/cab: [alice@example.com, carol@example.com, erin@example.com]/" \
		newkey/.chg/policy.yaml >newkey/.chg/policy.yaml.new &&
	mv newkey/.chg/policy.yaml.new newkey/.chg/policy.yaml &&
	grep "erin@example.com\\]" newkey/.chg/policy.yaml &&
	t=$(add_key newkey erin erin@example.com) &&
	D=$(trust_digest newkey) &&
	a=$(trust_approve newkey alice "Alice Example" alice@example.com) &&
	e=$(trust_approve newkey erin "Erin Example" erin@example.com) &&
	chg_lint_status 1 -C newkey &&
	cat >expect <<-EOF &&
	.chg/allowed_signers: error: .chg/allowed_signers changed in $t without approval: 1 of the 2 required approvals counted (from cab) under the trust of its first parent $p: alice@example.com $a counted, erin@example.com $e unknown-signer; its approvals name Change-Request: trust and Change-Digest: $D [trust-change-unapproved]
	.chg/allowed_signers: error: approval by erin@example.com in $e does not count: it is signed by $ERIN_SSH, which is not in .chg/allowed_signers as of $t${SQ}s first parent $p [unknown-signer]
	EOF
	root_note .chg/allowed_signers $(short newkey HEAD~4) >>expect &&
	test_cmp expect actual
'

test_expect_success 'lowering approvals.trust.required to 0 still needs the quorum before it' '
	trust_repo lower &&
	r=$(short lower HEAD~1) && p=$(short lower) &&
	echo "  trust: {required: 0, from: [cab]}" >>lower/.chg/policy.yaml &&
	(cd lower && chg_commit "Jane Doe" jane@example.com "Trust changes need no approval") &&
	l=$(short lower) && D1=$(trust_digest lower) &&
	t=$(add_key lower mallory mallory@example.com) &&
	D2=$(trust_digest lower) &&
	chg_lint_status 1 -C lower &&
	{
		unapproved .chg/allowed_signers $t $l $D2 \
			"under the last approved trust, that of $r (its first parent $l holds unapproved trust changes)" &&
		root_note .chg/allowed_signers $r &&
		unapproved .chg/policy.yaml $l $p $D1
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'removing the approvals section does not switch the check off' '
	trust_repo noapprovals &&
	r=$(short noapprovals HEAD~1) && p=$(short noapprovals) &&
	cat >noapprovals/.chg/policy.yaml <<-\EOF &&
	version: 1
	extends: none
	changes: {unknown-fields: ignore}
	EOF
	(cd noapprovals && chg_commit "Jane Doe" jane@example.com "No more approvals") &&
	t=$(short noapprovals) && D=$(trust_digest noapprovals) &&
	chg_lint_status 1 -C noapprovals &&
	{
		root_note .chg/allowed_signers $r &&
		unapproved .chg/policy.yaml $t $p $D
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'a key added by an unapproved trust change does not make a change request approval count' '
	chg_repo gap &&
	sed -e "/require-signature/d" gap/.chg/policy.yaml >gap/.chg/policy.yaml.new &&
	mv gap/.chg/policy.yaml.new gap/.chg/policy.yaml &&
	{ allowed alice alice@example.com && allowed carol carol@example.com; } \
		>gap/.chg/allowed_signers &&
	chg_normal_cr CHG-0001 approved >gap/changes/CHG-0001.yaml &&
	(cd gap && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	r=$(short gap) &&
	t=$(add_key gap mallory dave@example.com) &&
	D=$(trust_digest gap) &&
	m=$(cr_approve gap mallory "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C gap &&
	{
		unapproved .chg/allowed_signers $t $r $D &&
		root_note .chg/allowed_signers $r &&
		cat <<-EOF
		changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $m unknown-signer [missing-approval]
		changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $m does not count: it is signed by $MALLORY_SSH, which is not in .chg/allowed_signers as of the last approved trust (in $r) before its first parent $t [unknown-signer]
		EOF
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'once the trust change is approved, the key it added counts' '
	trust_approve gap alice "Alice Example" alice@example.com $D >/dev/null &&
	trust_approve gap carol "Carol Nguyen" carol@example.com $D >/dev/null &&
	chg_lint_status 0 -C gap &&
	test_must_be_empty actual
'

test_expect_success 'an unapproved trust change that was undone is not reported, and judged nothing meanwhile' '
	trust_repo undone &&
	r=$(short undone HEAD~1) &&
	t=$(add_key undone mallory alice@example.com) &&
	m=$(cr_approve undone mallory "Alice Example" alice@example.com) &&
	git -C undone show HEAD~2:.chg/allowed_signers >undone/.chg/allowed_signers &&
	(cd undone && chg_commit "Jane Doe" jane@example.com "Undo $t") &&
	u=$(short undone) &&
	chg_lint_status 0 -C undone &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: warning: approval by alice@example.com in $m does not count: it is signed by $MALLORY_SSH, which is not in .chg/allowed_signers as of the last approved trust (in $r) before its first parent $t [unknown-signer]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C undone --rev $m &&
	grep "^\\.chg/allowed_signers: error: \\.chg/allowed_signers changed in $t without approval" actual &&
	n=$(add_key undone erin erin@example.com) &&
	chg_lint_status 1 -C undone &&
	{
		unapproved .chg/allowed_signers $n $u $(trust_digest undone) &&
		root_note .chg/allowed_signers $r
	} >expect &&
	grep -v "^changes/" actual >trust-findings &&
	test_cmp expect trust-findings
'

test_expect_success 'removing .chg/ and adding it back is no new root of trust' '
	trust_repo readd &&
	r=$(short readd HEAD~1) && p=$(short readd) &&
	cp -R readd/.chg saved &&
	git -C readd rm -q -r .chg &&
	(cd readd && chg_commit "Jane Doe" jane@example.com "No more .chg") &&
	d=$(short readd) && D1=$(trust_digest readd) &&
	test $D1 = sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 &&
	cp -R saved readd/.chg &&
	allowed mallory alice@example.com >readd/.chg/allowed_signers &&
	(cd readd && chg_commit "Jane Doe" jane@example.com "A fresh start") &&
	a=$(short readd) && D2=$(trust_digest readd) &&
	chg_lint_status 1 -C readd &&
	{
		unapproved .chg/allowed_signers $d $p $D1 &&
		unapproved .chg/allowed_signers $a $d $D2 \
			"under the last approved trust, that of $r (its first parent $d holds unapproved trust changes)" &&
		root_note .chg/allowed_signers $r
	} >expect &&
	grep -v "^changes/" actual >trust-findings &&
	test_cmp expect trust-findings
'

test_expect_success 'a key removed by an unapproved trust change still names the signer of an edit' '
	trust_repo removed &&
	grep -v "^carol@example.com " removed/.chg/allowed_signers >signers &&
	cp signers removed/.chg/allowed_signers &&
	(cd removed && chg_commit "Jane Doe" jane@example.com "Carol leaves") &&
	sed -e "s/^title: .*/title: Rotate the TLS certificates of api and www/" \
		removed/changes/CHG-0001.yaml >cr.new &&
	mv cr.new removed/changes/CHG-0001.yaml &&
	printf "Widen CHG-0001\n" >msg &&
	signed_commit removed carol msg &&
	e=$(short removed) &&
	c=$(cr_approve removed carol "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C removed &&
	grep "^changes/CHG-0001.yaml:4:8: error: approval by carol@example.com in $c does not count: carol@example.com signed $e, which changed this change${SQ}s content \\[self-approval\\]\$" actual &&
	grep "^\\.chg/allowed_signers: error: \\.chg/allowed_signers changed in [0-9a-f]* without approval" actual
'

test_expect_success 'the author of a trust change cannot approve it' '
	trust_repo author &&
	p=$(short author) &&
	allowed erin erin@example.com >>author/.chg/allowed_signers &&
	(cd author && chg_commit "Alice Example" alice@example.com "Trust Erin") &&
	t=$(short author) && D=$(trust_digest author) &&
	a=$(trust_approve author alice "Alice Example" alice@example.com) &&
	c=$(trust_approve author carol "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C author &&
	cat >expect <<-EOF &&
	.chg/allowed_signers: error: .chg/allowed_signers changed in $t without approval: 1 of the 2 required approvals counted (from cab) under the trust of its first parent $p: alice@example.com $a self-approval, carol@example.com $c counted; its approvals name Change-Request: trust and Change-Digest: $D [trust-change-unapproved]
	.chg/allowed_signers: error: approval by alice@example.com in $a does not count: alice@example.com authored, committed or signed $t, the trust change it approves [self-approval]
	EOF
	root_note .chg/allowed_signers $(short author HEAD~4) >>expect &&
	test_cmp expect actual
'

test_expect_success 'nor can the one who signed it' '
	trust_repo signer &&
	allowed erin erin@example.com >>signer/.chg/allowed_signers &&
	printf "Trust Erin\n" >msg &&
	signed_commit signer carol msg &&
	git -C signer log -1 --format="%ae %ce" >who &&
	echo "jane@example.com jane@example.com" >expect &&
	test_cmp expect who &&
	t=$(short signer) &&
	trust_approve signer alice "Alice Example" alice@example.com >/dev/null &&
	c=$(trust_approve signer carol "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C signer &&
	grep "^\\.chg/allowed_signers: error: approval by carol@example.com in $c does not count: carol@example.com authored, committed or signed $t, the trust change it approves \\[self-approval\\]\$" actual
'

test_expect_success 'approvers must be in a group of approvals.trust, and count once' '
	trust_repo groups &&
	t=$(add_key groups erin erin@example.com) &&
	d=$(trust_approve groups dave "Dave Miller" dave@example.com) &&
	a1=$(trust_approve groups alice "Alice Example" alice@example.com) &&
	a2=$(trust_approve groups alice "Alice Example" alice@example.com) &&
	chg_lint_status 1 -C groups &&
	grep "1 of the 2 required approvals counted (from cab) under the trust of its first parent [0-9a-f]*: dave@example.com $d approver-not-allowed, alice@example.com $a1 counted, alice@example.com $a2 repeat;" actual &&
	grep "^\\.chg/allowed_signers: error: approval by dave@example.com in $d does not count: the approver is not in cab \\[approver-not-allowed\\]\$" actual
'

test_expect_success 'a catalog entry added without approval is reported at the entry' '
	trust_repo catalog &&
	p=$(short catalog) &&
	mkdir catalog/.chg/catalog &&
	echo "title: Reset a VPN token" >catalog/.chg/catalog/vpn-reset.yaml &&
	(cd catalog && chg_commit "Jane Doe" jane@example.com "A catalog entry") &&
	t=$(short catalog) && D=$(trust_digest catalog) &&
	chg_lint_status 1 -C catalog &&
	{
		root_note .chg/allowed_signers $(short catalog HEAD~2) &&
		unapproved .chg/catalog/vpn-reset.yaml $t $p $D
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'approvals carry over to a merge that brings the approved change in' '
	trust_repo merge &&
	git -C merge checkout -q -b keys &&
	add_key merge erin erin@example.com >/dev/null &&
	trust_approve merge alice "Alice Example" alice@example.com >/dev/null &&
	trust_approve merge carol "Carol Nguyen" carol@example.com >/dev/null &&
	git -C merge checkout -q main &&
	(cd merge && chg_commit "Jane Doe" jane@example.com "Meanwhile") &&
	as "Jane Doe" jane@example.com git -C merge merge -q --no-ff -m "Merge keys" keys &&
	test $(trust_digest merge) = $(trust_digest merge keys) &&
	chg_lint_status 0 -C merge &&
	test_must_be_empty actual
'

test_expect_success 'the id trust is reserved: no approval counts for such a change request' '
	trust_repo reserved &&
	cat >>reserved/.chg/policy.yaml <<-EOF &&
	changes:
	  id-pattern: ${SQ}^(CHG-[0-9]{4,}|trust)\$${SQ}
	EOF
	git -C reserved rm -q changes/CHG-0001.yaml &&
	mkdir -p reserved/changes &&
	chg_normal_cr trust approved >reserved/changes/trust.yaml &&
	(cd reserved && chg_commit "Jane Doe" jane@example.com "A change request called trust") &&
	printf "Approve trust\n\nChange-Request: trust\nChange-Digest: %s\nApproved-by: Dave Miller <dave@example.com>\n" \
		"$(chg -C reserved digest trust)" >msg &&
	as "Dave Miller" dave@example.com signed_commit reserved dave msg &&
	chg_lint_status 1 -C reserved changes/trust.yaml &&
	grep "^changes/trust.yaml:1:5: error: the id ${SQ}trust${SQ} is reserved: approvals with Change-Request: trust approve changes of the trust files, so no approval counts for this change request \\[invalid-value\\]\$" actual &&
	grep "^changes/trust.yaml:4:8: error: trust is approved but 0 of the 1 required approval counted (from managers or cab) \\[missing-approval\\]\$" actual
'

test_expect_success 'approvals.trust is validated' '
	chg_repo badtrust &&
	cat >>badtrust/.chg/policy.yaml <<-\EOF &&
	  trust: {required: -1, from: [security]}
	EOF
	chg_lint_status 3 -C badtrust &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:9:21: error: approvals.trust.required must not be negative [invalid-policy]
	.chg/policy.yaml:9:32: error: from names group ${SQ}security${SQ}, which approvals.groups does not define [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success '--explain describes the rule and this policy'"'"'s quorum' '
	chg-lint -C root --explain trust-change-unapproved >actual &&
	grep "^severity:  error; a note names the root of trust\$" actual &&
	tr "\n" " " <actual | grep "Under this policy the next trust change needs 2 approvals from cab\\. "
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_done
