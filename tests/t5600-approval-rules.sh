#!/bin/sh

test_description='which approvals count: the rules of an approval against the attacks that dodge them

Each section names an attack on the approval rules (DESIGN section 5,
"An approval counts ... iff" rules 1-8 and the trust changes), shows that
it does not count, and keeps a control beside it: the legitimate variant,
which must keep counting, so that an attack test cannot pass merely
because approvals stopped counting altogether.  The assertions name exit
status, rule ids and the counts of the missing-approval summary, not the
whole wording of the messages.'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
SQ="'"

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

# as NAME EMAIL COMMAND...: runs COMMAND (a function too) as author and
# committer NAME <EMAIL>.
as () (
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$2 &&
	export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
	shift 2 &&
	"$@"
)

# at DATE COMMAND...: runs COMMAND with author and committer date DATE.
at () (
	GIT_AUTHOR_DATE=$1 GIT_COMMITTER_DATE=$1 &&
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE &&
	shift &&
	"$@"
)

# commit_in DIR KEY MESSAGE-FILE: commits everything in DIR (also nothing)
# as the current author and committer, signed by git with KEY.key (KEY
# "none": unsigned).
commit_in () {
	git -C "$1" add -A &&
	if test "$2" = none
	then
		git -C "$1" commit -q --allow-empty -F "$PWD/$3"
	else
		git -C "$1" -c gpg.format=ssh -c user.signingkey="$PWD/$2.key" \
			commit -q -S --allow-empty -F "$PWD/$3" &&
		git -C "$1" cat-file commit HEAD | grep -q "^gpgsig -----BEGIN SSH SIGNATURE-----"
	fi
}

# verdict_message DIR VERB NAME EMAIL [DIGEST]: an approval (VERB
# Approved) or rejection (VERB Rejected) message of CHG-0001 in DIR by
# NAME <EMAIL>, for DIGEST (default: CHG-0001's current digest).
verdict_message () {
	printf '%s CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\n%s-by: %s <%s>\n' \
		"$(test "$2" = Approved && echo Approve || echo Reject)" \
		"${5:-$(chg -C "$1" digest CHG-0001)}" "$2" "$3" "$4"
}

# approve DIR KEY NAME EMAIL: an empty commit approving CHG-0001 by NAME
# <EMAIL> (author and committer), signed with KEY.key (KEY none:
# unsigned); prints its short id.
approve () {
	verdict_message "$1" Approved "$3" "$4" >msg &&
	as "$3" "$4" commit_in "$1" "$2" msg &&
	short "$1"
}

# reject DIR KEY NAME EMAIL: as approve, with Rejected-by.
reject () {
	verdict_message "$1" Rejected "$3" "$4" >msg &&
	as "$3" "$4" commit_in "$1" "$2" msg &&
	short "$1"
}

# trust_approve DIR KEY NAME EMAIL [DIGEST]: an approval of the trust
# change to DIGEST (default: HEAD's trust digest) by NAME <EMAIL>, signed
# with KEY.key; prints its short id.
trust_approve () {
	printf "Approve the trust files\n\nChange-Request: trust\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
		"${5:-$(trust_digest "$1")}" "$3" "$4" >msg &&
	as "$3" "$4" commit_in "$1" "$2" msg &&
	short "$1"
}

# trust_commit DIR MESSAGE: commits the working tree of DIR as Jane,
# unsigned; prints its short id.
trust_commit () {
	printf '%s\n' "$2" >msg &&
	as "Jane Doe" jane@example.com commit_in "$1" none msg &&
	short "$1"
}

# setup_chg DIR: a repository (nothing committed yet) whose policy
# requires signed approvals (the default), with cab (alice, carol),
# managers (dave) and emergency (alice), and whose .chg/allowed_signers
# trusts the keys of alice, carol, dave, jane (the requester), and erin
# and bob (in no group).  Trust changes need the default quorum, 2 from cab.
setup_chg () {
	chg_repo "$1" &&
	sed -e "/require-signature/d" "$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	! grep require-signature "$1/.chg/policy.yaml" &&
	{
		allowed alice alice@example.com &&
		allowed carol carol@example.com &&
		allowed dave dave@example.com &&
		allowed jane jane@example.com &&
		allowed erin erin@example.com &&
		allowed bob bob@example.com
	} >"$1/.chg/allowed_signers"
}

# root_and_request DIR [NAME EMAIL KEY]: commits DIR's .chg/ as the root
# of trust (Jane, unsigned), then the change request on standard input as
# changes/CHG-0001.yaml, by NAME <EMAIL> (default Jane, the requester),
# signed with KEY.key (default jane).
root_and_request () {
	printf 'Set up the change repository\n' >msg &&
	git -C "$1" add .chg &&
	as "Jane Doe" jane@example.com git -C "$1" commit -q -F "$PWD/msg" &&
	cat >"$1/changes/CHG-0001.yaml" &&
	printf 'Request CHG-0001\n' >msg &&
	as "${2:-Jane Doe}" "${3:-jane@example.com}" commit_in "$1" "${4:-jane}" msg
}

# srepo DIR: setup_chg and root_and_request of CHG-0001 (approved, medium
# risk: 1 approval from managers or cab).
srepo () {
	setup_chg "$1" &&
	chg_normal_cr CHG-0001 approved | root_and_request "$1"
}

# high_cr STATE: CHG-0001 declared and assessed high (score 15), with a
# tested rollback: 2 approvals from cab.
high_cr () {
	chg_normal_cr CHG-0001 "$1" | sed \
		-e 's/^  level: medium/  level: high/' \
		-e 's/^  assessment: {.*}/  assessment: {users-affected: 3, system-criticality: 3, security: 3, rollback-difficulty: 3, timing: 3}/' &&
	echo "rollback-tested: true"
}

# lint EXPECTED DIR [ARGS...]: chg-lint -C DIR (at $CHG_TEST_NOW), output
# in actual, exit status EXPECTED.
lint () {
	_want=$1 _dir=$2 &&
	shift 2 &&
	chg_lint_status "$_want" -C "$_dir" "$@"
}

# counted N M: the missing-approval summary says N of the M required
# approvals counted.
counted () {
	grep "\\[missing-approval\\]\$" actual >summary &&
	grep " $1 of the $2 required approval" summary
}

# finding COMMIT RULE: a finding of rule RULE names COMMIT (a short id).
finding () {
	grep "[^0-9a-f]$1[^0-9a-f].*\\[$2\\]\$" actual
}

test_expect_success 'setup: SSH keys' '
	for who in alice carol dave jane erin mallory shared bob
	do
		ssh-keygen -q -t ed25519 -N "" -C "$who" -f $who.key || return 1
	done
'

test_expect_success 'the base repository lints clean once approved (control)' '
	srepo base &&
	lint 1 base &&
	counted 0 1 &&
	approve base dave "Dave Miller" dave@example.com >/dev/null &&
	lint 0 base &&
	test_must_be_empty actual
'

# ---- attack 5: a removed key keeps approving ----
#
# Dave's key is rotated out of .chg/allowed_signers by an approved trust
# change.  An approval he signed on a branch parented before the rotation,
# merged after it, is judged by the trust where it entered the protected
# chain (the merge), which no longer has his key (rule 5).

# rotate_out_dave DIR: removes Dave's key from DIR's allowed signers in a
# commit by Jane and approves that trust change (alice and carol, signed).
rotate_out_dave () {
	grep -v "^dave@example.com " "$1/.chg/allowed_signers" >signers &&
	cp signers "$1/.chg/allowed_signers" &&
	trust_commit "$1" "Dave leaves: rotate his key out" >/dev/null &&
	trust_approve "$1" alice "Alice Example" alice@example.com >/dev/null &&
	trust_approve "$1" carol "Carol Nguyen" carol@example.com >/dev/null
}

# merge_in DIR BRANCH: a real merge (--no-ff) of BRANCH into main, by Jane.
merge_in () {
	git -C "$1" checkout -q main &&
	as "Jane Doe" jane@example.com git -C "$1" merge -q --no-ff -m "Merge $2" "$2"
}

test_expect_success 'attack 5: an approval by a removed key, merged after the removal, does not count' '
	srepo removed &&
	git -C removed checkout -q -b dave-approval &&
	d=$(approve removed dave "Dave Miller" dave@example.com) &&
	git -C removed checkout -q main &&
	rotate_out_dave removed &&
	lint 1 removed &&
	counted 0 1 &&
	! grep "trust-change-unapproved" actual &&
	merge_in removed dave-approval &&
	test $(git -C removed rev-parse HEAD^2 | cut -c1-7) = $d &&
	lint 1 removed &&
	! grep "trust-change-unapproved" actual &&
	counted 0 1 &&
	finding $d unknown-signer
'

test_expect_success 'attack 5, control: an approval merged before the removal keeps counting' '
	srepo removed-later &&
	git -C removed-later checkout -q -b dave-approval &&
	approve removed-later dave "Dave Miller" dave@example.com >/dev/null &&
	merge_in removed-later dave-approval &&
	lint 0 removed-later &&
	rotate_out_dave removed-later &&
	! grep "^dave@example.com " removed-later/.chg/allowed_signers &&
	lint 0 removed-later &&
	test_must_be_empty actual
'

test_expect_success 'attack 5, control: a revoked key loses even the approvals merged before' '
	srepo revoked-later &&
	git -C revoked-later checkout -q -b dave-approval &&
	d=$(approve revoked-later dave "Dave Miller" dave@example.com) &&
	merge_in revoked-later dave-approval &&
	lint 0 revoked-later &&
	cp dave.key.pub revoked-later/.chg/revoked_keys &&
	trust_commit revoked-later "Revoke Dave${SQ}s key: his laptop was stolen" >/dev/null &&
	trust_approve revoked-later alice "Alice Example" alice@example.com >/dev/null &&
	trust_approve revoked-later carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 1 revoked-later &&
	! grep "trust-change-unapproved" actual &&
	counted 0 1 &&
	finding $d unknown-signer
'

# ---- attack 6: dates that dodge validity ----
#
# Validity (valid-after, valid-before) is judged at the commit's date, so
# the date must not be free: a commit dated after the time of evaluation
# (more than 5 minutes), or earlier than its parent, is not an approval
# (rule 5), reported as invalid-value in a finding of its own.

test_expect_success 'attack 6a: an approval dated in the future, to reach a key'"'"'s valid-after, is not an approval' '
	# the date is far ahead so that the real clock never reaches it
	setup_chg future &&
	{
		allowed alice alice@example.com &&
		allowed carol carol@example.com &&
		allowed dave dave@example.com "valid-after=\"20990101\"" &&
		allowed jane jane@example.com
	} >future/.chg/allowed_signers &&
	chg_normal_cr CHG-0001 approved | root_and_request future &&
	f=$(at 2099-01-02T09:00:00Z approve future dave "Dave Miller" dave@example.com) &&
	test "$(git -C future log -1 --format=%cs)" = 2099-01-02 &&
	lint 1 future &&
	counted 0 1 &&
	finding $f invalid-value &&
	# the real clock moves nothing: without --now it is still the future
	test_expect_code 1 chg-lint -C future >actual 2>stderr &&
	counted 0 1 &&
	finding $f invalid-value
'

test_expect_success 'attack 6a, control: --now after the commit'"'"'s date lets it count' '
	chg-lint -C future --now 2099-01-02T10:00:00Z >actual 2>stderr &&
	! grep "missing-approval" actual &&
	! grep "invalid-value" actual
'

test_expect_success 'attack 6b: an approval dated before its parent, to use an expired key, is not an approval' '
	setup_chg backdated &&
	{
		allowed alice alice@example.com &&
		allowed carol carol@example.com &&
		allowed dave dave@example.com "valid-before=\"20261101\"" &&
		allowed jane jane@example.com
	} >backdated/.chg/allowed_signers &&
	chg_normal_cr CHG-0001 approved | root_and_request backdated &&
	test "$(git -C backdated log -1 --format=%cs)" = 2026-11-02 &&
	b=$(at 2026-10-15T09:00:00Z approve backdated dave "Dave Miller" dave@example.com) &&
	test "$(git -C backdated log -1 --format=%cs)" = 2026-10-15 &&
	lint 1 backdated &&
	counted 0 1 &&
	finding $b invalid-value
'

test_expect_success 'attack 6, control: a key valid until the end of the year, a normally dated approval, counts' '
	setup_chg valid &&
	{
		allowed alice alice@example.com &&
		allowed carol carol@example.com &&
		allowed dave dave@example.com "valid-after=\"20260101\",valid-before=\"20261231\"" &&
		allowed jane jane@example.com
	} >valid/.chg/allowed_signers &&
	chg_normal_cr CHG-0001 approved | root_and_request valid &&
	at 2026-11-02T10:00:00Z approve valid dave "Dave Miller" dave@example.com >/dev/null &&
	lint 0 valid &&
	test_must_be_empty actual &&
	chg-lint -C valid >actual 2>stderr &&
	! grep "missing-approval" actual
'

# ---- attack 7: approval commits that are not approvals ----
#
# An approval changes no file (its tree equals its first parent's) and
# its author, committer and signer are the approver (rule 6).  Mallory
# writes a commit with Dave's trailers; Dave cherry-picks it, signing:
# Mallory stays its author.

test_expect_success 'attack 7a1: an empty approval authored by Mallory, committed and signed by Dave, does not count' '
	srepo picked &&
	git -C picked checkout -q -b mallory &&
	verdict_message picked Approved "Dave Miller" dave@example.com >msg &&
	as "Mallory Evil" mallory@example.com commit_in picked none msg &&
	git -C picked checkout -q main &&
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
		git -C picked -c gpg.format=ssh -c user.signingkey="$PWD/dave.key" \
		cherry-pick -S --allow-empty mallory >/dev/null &&
	git -C picked log -1 --format="%ae %ce" >who &&
	echo "mallory@example.com dave@example.com" >expect &&
	test_cmp expect who &&
	git -C picked cat-file commit HEAD | grep "^gpgsig -----BEGIN SSH SIGNATURE-----" &&
	test $(git -C picked rev-parse HEAD^{tree}) = $(git -C picked rev-parse HEAD^^{tree}) &&
	p=$(short picked) &&
	lint 1 picked &&
	counted 0 1 &&
	finding $p signer-mismatch
'

test_expect_success 'attack 7a2: Dave'"'"'s own signed approval that also changes a file does not count' '
	srepo files &&
	echo "nothing to see here" >files/notes.txt &&
	n=$(approve files dave "Dave Miller" dave@example.com) &&
	git -C files show --format= --name-only HEAD >changed &&
	echo notes.txt >expect &&
	test_cmp expect changed &&
	lint 1 files &&
	counted 0 1 &&
	finding $n invalid-value &&
	grep "$n.*changes files" actual
'

test_expect_success 'attack 7a: Mallory'"'"'s commit adding a file, cherry-picked and signed by Dave, does not count' '
	srepo picked-files &&
	git -C picked-files checkout -q -b mallory &&
	echo "nothing to see here" >picked-files/notes.txt &&
	verdict_message picked-files Approved "Dave Miller" dave@example.com >msg &&
	as "Mallory Evil" mallory@example.com commit_in picked-files none msg &&
	git -C picked-files checkout -q main &&
	GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=dave@example.com \
		git -C picked-files -c gpg.format=ssh -c user.signingkey="$PWD/dave.key" \
		cherry-pick -S mallory >/dev/null &&
	git -C picked-files cat-file commit HEAD | grep "^gpgsig -----BEGIN SSH SIGNATURE-----" &&
	p=$(short picked-files) &&
	lint 1 picked-files &&
	counted 0 1 &&
	grep "$p.*\\[\\(invalid-value\\|signer-mismatch\\)\\]\$" actual
'

test_expect_success 'attack 7, control: Dave'"'"'s own empty signed approval counts' '
	srepo own &&
	approve own dave "Dave Miller" dave@example.com >/dev/null &&
	test $(git -C own rev-parse HEAD^{tree}) = $(git -C own rev-parse HEAD^^{tree}) &&
	lint 0 own &&
	test_must_be_empty actual
'

# ---- attack 8: one key, two approvers ----
#
# A key whose principal is a pattern may sign as anyone it matches, but
# one key never stands for two approvers (rule 7).

test_expect_success 'attack 8: one key signing as alice and as carol counts once' '
	setup_chg onekey &&
	allowed shared "*@example.com" >>onekey/.chg/allowed_signers &&
	high_cr approved | root_and_request onekey &&
	a=$(approve onekey shared "Alice Example" alice@example.com) &&
	c=$(approve onekey shared "Carol Nguyen" carol@example.com) &&
	lint 1 onekey &&
	counted 1 2 &&
	! grep "$a counted.*$c counted" summary
'

test_expect_success 'attack 8, control: alice and carol with their own keys count 2' '
	setup_chg twokeys &&
	allowed shared "*@example.com" >>twokeys/.chg/allowed_signers &&
	high_cr approved | root_and_request twokeys &&
	lint 1 twokeys &&
	counted 0 2 &&
	approve twokeys alice "Alice Example" alice@example.com >/dev/null &&
	approve twokeys carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 0 twokeys &&
	test_must_be_empty actual
'

test_expect_success 'attack 8, control: the pattern key signing for one approver counts' '
	setup_chg onekey-once &&
	allowed shared "*@example.com" >>onekey-once/.chg/allowed_signers &&
	high_cr approved | root_and_request onekey-once &&
	approve onekey-once shared "Alice Example" alice@example.com >/dev/null &&
	approve onekey-once carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 0 onekey-once &&
	test_must_be_empty actual
'

# ---- attack 9: the latest verdict wins ----
#
# An approver's latest verdict on a digest stands: a later Rejected-by
# withdraws an earlier Approved-by (rule 8).  A verdict is the approver's
# only when it would count as theirs: a rejection forged by someone else
# withdraws nothing.

test_expect_success 'attack 9: a later signed rejection withdraws the approval' '
	srepo withdrawn &&
	d=$(approve withdrawn dave "Dave Miller" dave@example.com) &&
	lint 0 withdrawn &&
	r=$(reject withdrawn dave "Dave Miller" dave@example.com) &&
	lint 1 withdrawn &&
	counted 0 1
'

test_expect_success 'attack 9, control: rejecting and then approving again counts' '
	srepo reconsidered &&
	reject reconsidered dave "Dave Miller" dave@example.com >/dev/null &&
	approve reconsidered dave "Dave Miller" dave@example.com >/dev/null &&
	lint 0 reconsidered &&
	test_must_be_empty actual
'

test_expect_success 'attack 9, control: an unsigned rejection in Dave'"'"'s name by Mallory withdraws nothing' '
	srepo forged-unsigned &&
	approve forged-unsigned dave "Dave Miller" dave@example.com >/dev/null &&
	verdict_message forged-unsigned Rejected "Dave Miller" dave@example.com >msg &&
	as "Mallory Evil" mallory@example.com commit_in forged-unsigned none msg &&
	lint 0 forged-unsigned &&
	! grep "missing-approval" actual
'

test_expect_success 'attack 9, control: a rejection in Dave'"'"'s name signed with Mallory'"'"'s key withdraws nothing' '
	srepo forged-signed &&
	approve forged-signed dave "Dave Miller" dave@example.com >/dev/null &&
	verdict_message forged-signed Rejected "Dave Miller" dave@example.com >msg &&
	as "Dave Miller" dave@example.com commit_in forged-signed mallory msg &&
	lint 0 forged-signed &&
	! grep "missing-approval" actual
'

# ---- attack 10: separation of duties across a merge, for trust changes ----
#
# Separation of duties covers every commit that contributed to a trust
# change, on whatever branch: a trust change Mallory wrote on a branch and
# Jane merged is still Mallory's, and Mallory cannot approve it.

# mallory_trust_change DIR: DIR's policy with Mallory in cab, her key
# trusted; on the branch keys, Mallory (author, committer, signer) trusts
# Bob's key for bob2@example.com; Jane merges keys with --no-ff.
# Prints the short id of Mallory's commit.
mallory_trust_change () {
	setup_chg "$1" &&
	sed -e "s/cab: \\[alice@example.com, carol@example.com\\]/cab: [alice@example.com, carol@example.com, mallory@example.com]/" \
		"$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	grep "mallory@example.com\\]" "$1/.chg/policy.yaml" >/dev/null &&
	allowed mallory mallory@example.com >>"$1/.chg/allowed_signers" &&
	chg_normal_cr CHG-0001 requested | root_and_request "$1" &&
	git -C "$1" checkout -q -b keys &&
	allowed bob bob2@example.com >>"$1/.chg/allowed_signers" &&
	printf "Trust Bob${SQ}s key for his second address\\n" >msg &&
	as "Mallory Evil" mallory@example.com commit_in "$1" mallory msg &&
	short "$1" &&
	git -C "$1" checkout -q main &&
	chg_normal_cr CHG-0002 requested >"$1/changes/CHG-0002.yaml" &&
	printf "Request CHG-0002\\n" >msg &&
	as "Jane Doe" jane@example.com commit_in "$1" jane msg &&
	merge_in "$1" keys &&
	test $(git -C "$1" rev-parse HEAD^2 | cut -c1-7) = $(short "$1" keys) &&
	git -C "$1" show HEAD:.chg/allowed_signers | grep "^bob2@example.com " >/dev/null
}

test_expect_success 'attack 10: the author of a trust change merged by someone else cannot approve it' '
	t=$(mallory_trust_change sod-merge) &&
	git -C sod-merge log -1 --format="%ae %ce" $t >who &&
	echo "mallory@example.com mallory@example.com" >expect &&
	test_cmp expect who &&
	git -C sod-merge log -1 --format="%ae %ce" >who &&
	echo "jane@example.com jane@example.com" >expect &&
	test_cmp expect who &&
	m=$(trust_approve sod-merge mallory "Mallory Evil" mallory@example.com) &&
	a=$(trust_approve sod-merge alice "Alice Example" alice@example.com) &&
	lint 1 sod-merge &&
	grep "^\\.chg/allowed_signers: error: .*1 of the 2 required approvals.*\\[trust-change-unapproved\\]\$" actual &&
	finding $m self-approval
'

test_expect_success 'attack 10: nor when the approvals were made on the branch before the merge' '
	t=$(mallory_trust_change sod-branch) &&
	git -C sod-branch reset -q --hard HEAD^ &&
	git -C sod-branch checkout -q keys &&
	m=$(trust_approve sod-branch mallory "Mallory Evil" mallory@example.com) &&
	a=$(trust_approve sod-branch alice "Alice Example" alice@example.com) &&
	merge_in sod-branch keys &&
	lint 1 sod-branch &&
	grep "^\\.chg/allowed_signers: error: .*\\[trust-change-unapproved\\]\$" actual &&
	finding $m self-approval
'

test_expect_success 'attack 10, control: approved by alice and carol, the merged trust change is approved' '
	mallory_trust_change sod-control >/dev/null &&
	trust_approve sod-control alice "Alice Example" alice@example.com >/dev/null &&
	trust_approve sod-control carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 0 sod-control &&
	test_must_be_empty actual
'

# ---- attack 11: a waiver lowers the quorum ----
#
# The approval rule is chosen from the assessed risk, never from what a
# waiver excuses (rule 3): a change scored high but declared medium, with
# risk-understated waived, still needs 2 approvals from cab.

# understated_cr: CHG-0001 (approved) scored high (15), declared medium,
# with risk-understated waived.
understated_cr () {
	chg_normal_cr CHG-0001 approved | sed \
		-e "s/^  assessment: {.*}/  assessment: {users-affected: 3, system-criticality: 3, security: 3, rollback-difficulty: 3, timing: 3}/" &&
	cat <<-\EOF
	rollback-tested: true
	waivers:
	  - rule: risk-understated
	    reason: scored high only because of the timing
	EOF
}

test_expect_success 'attack 11: a waived risk-understated does not let one manager approve a high-risk change' '
	setup_chg understated &&
	understated_cr | root_and_request understated &&
	grep "level: medium" understated/changes/CHG-0001.yaml &&
	d=$(approve understated dave "Dave Miller" dave@example.com) &&
	lint 1 understated &&
	counted 0 2 &&
	grep "(from cab)" summary
'

test_expect_success 'attack 11, control: with two cab approvals the waiver counts and the change passes' '
	setup_chg understated-cab &&
	understated_cr | root_and_request understated-cab &&
	approve understated-cab alice "Alice Example" alice@example.com >/dev/null &&
	approve understated-cab carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 0 understated-cab &&
	grep "note: waived (scored high only because of the timing): .*\\[risk-understated\\]\$" actual &&
	! grep "missing-approval" actual
'

# ---- attack 12: a waiver skips approvers ----
#
# A change is standard (no approval needed) only with a valid catalog
# entry (rule 3): a standard change whose template is unknown, with
# unknown-template waived, needs the approvals of a normal change.

# standard_cr TEMPLATE [WAIVE]: an approved standard change CHG-0001
# following TEMPLATE, with a waiver of rule WAIVE when given.
standard_cr () {
	cat <<-EOF &&
	id: CHG-0001
	title: Reset the password of jdoe
	type: standard
	state: approved
	requested-by: Jane Doe <jane@example.com>
	owner: Bob Ops <bob@example.com>
	standard-template: $1
	description: |
	  Reset the password of jdoe after a lockout.
	systems: [ad-01]
	impact: {users: 1, scope: individual}
	risk:
	  level: low
	  assessment: {users-affected: 1, system-criticality: 2, security: 2, rollback-difficulty: 1, timing: 1}
	window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}
	EOF
	if test -n "$2"
	then
		printf "waivers:\\n  - rule: %s\\n    reason: the catalog entry is under review\\n" "$2"
	fi
}

# catalog_repo DIR: setup_chg with the catalog entry password-reset (low
# risk, one account).
catalog_repo () {
	setup_chg "$1" &&
	mkdir -p "$1/.chg/catalog" &&
	cat >"$1/.chg/catalog/password-reset.yaml" <<-\EOF
	title: Reset the password of a single directory account
	description: One account, one directory, no change to groups.
	procedure: |
	  Verify the requester by call-back, reset, force a change at next logon.
	constraints:
	  risk.level: [low]
	  impact.scope: [none, individual]
	EOF
}

test_expect_success 'attack 12: a waived unknown-template does not make an unapproved change standard' '
	catalog_repo notemplate &&
	standard_cr vpn-reset unknown-template | root_and_request notemplate &&
	! test -e notemplate/.chg/catalog/vpn-reset.yaml &&
	lint 1 notemplate &&
	counted 0 1
'

test_expect_success 'attack 12: nor does an approval by a trusted key in no group' '
	e=$(approve notemplate erin "Erin Example" erin@example.com) &&
	lint 1 notemplate &&
	counted 0 1 &&
	grep "$e approver-not-allowed" summary
'

test_expect_success 'attack 12, control: a standard change meeting its catalog entry needs no approval' '
	catalog_repo template &&
	standard_cr password-reset | root_and_request template &&
	lint 0 template &&
	test_must_be_empty actual
'

# ---- attack 13: an unparseable requester skips separation of duties ----
#
# The requester may never approve; a requested-by that is not an identity
# names nobody, so no approval counts (rule 4), whatever waives the
# invalid-value finding.  The request is committed by Bob here, so that
# only requested-by connects Jane to the change.

# unparseable_repo DIR: Jane in managers; CHG-0001 (approved) requested by
# "Jane Doe (jane@example.com)" with invalid-value waived, committed by Bob.
unparseable_repo () {
	setup_chg "$1" &&
	sed -e "s/managers: \\[dave@example.com\\]/managers: [dave@example.com, jane@example.com]/" \
		"$1/.chg/policy.yaml" >"$1/.chg/policy.yaml.new" &&
	mv "$1/.chg/policy.yaml.new" "$1/.chg/policy.yaml" &&
	grep "jane@example.com\\]" "$1/.chg/policy.yaml" >/dev/null &&
	{
		chg_normal_cr CHG-0001 approved |
		sed -e "s/^requested-by: .*/requested-by: Jane Doe (jane@example.com)/" &&
		printf "waivers:\\n  - rule: invalid-value\\n    reason: written by hand\\n"
	} | root_and_request "$1" "Bob Ops" bob@example.com bob
}

test_expect_success 'attack 13: a requester who is not an identity cannot approve their own change' '
	unparseable_repo unparseable &&
	lint 1 unparseable &&
	grep "requested-by.*\\[invalid-value\\]\$" actual &&
	j=$(approve unparseable jane "Jane Doe" jane@example.com) &&
	lint 1 unparseable &&
	counted 0 1 &&
	finding $j self-approval
'

test_expect_success 'attack 13: with a requester that is not an identity no approval counts' '
	unparseable_repo unparseable-dave &&
	d=$(approve unparseable-dave dave "Dave Miller" dave@example.com) &&
	lint 1 unparseable-dave &&
	counted 0 1 &&
	finding $d self-approval
'

test_expect_success 'attack 13, control: requested by Jane Doe <jane@example.com>, committed by Bob, approved by Dave' '
	setup_chg parseable &&
	chg_normal_cr CHG-0001 approved | root_and_request parseable "Bob Ops" bob@example.com bob &&
	approve parseable dave "Dave Miller" dave@example.com >/dev/null &&
	lint 0 parseable &&
	test_must_be_empty actual
'

# ---- attack 14: unsigned edits ----
#
# Author and committer of an edit are taken at their word: Carol can
# commit an edit as Jane and then approve.  A policy with
# approvals.require-signed-edits makes every commit that changes covered
# content need a verified signature (unsigned-edit otherwise, naming the
# commit), and then only verified signers disqualify (rule 4).

# edits_repo DIR [POLICY-LINE]: srepo with CHG-0001 requested (its request
# commit signed by Jane) and POLICY-LINE added under approvals.
edits_repo () {
	setup_chg "$1" &&
	if test -n "$2"
	then
		echo "  $2" >>"$1/.chg/policy.yaml"
	fi &&
	chg_normal_cr CHG-0001 approved | root_and_request "$1"
}

# edit_rollback DIR KEY: Carol edits the rollback plan of CHG-0001, the
# commit authored and committed as Jane, signed with KEY.key (none:
# unsigned); prints its short id.
edit_rollback () {
	sed -e "s/^  Switch the listener back/  Switch both listeners back/" \
		"$1/changes/CHG-0001.yaml" >"$1/changes/CHG-0001.yaml.new" &&
	mv "$1/changes/CHG-0001.yaml.new" "$1/changes/CHG-0001.yaml" &&
	grep "Switch both listeners back" "$1/changes/CHG-0001.yaml" >/dev/null &&
	printf "CHG-0001: both listeners\\n" >msg &&
	as "Jane Doe" jane@example.com commit_in "$1" "$2" msg &&
	short "$1"
}

test_expect_success 'attack 14: with require-signed-edits, an unsigned edit is unsigned-edit, naming the commit' '
	edits_repo unsigned-edit "require-signed-edits: true" &&
	grep "^  require-signed-edits: true\$" unsigned-edit/.chg/policy.yaml &&
	lint 1 unsigned-edit &&
	counted 0 1 &&
	! grep "unsigned-edit" actual &&
	e=$(edit_rollback unsigned-edit none) &&
	c=$(approve unsigned-edit carol "Carol Nguyen" carol@example.com) &&
	lint 1 unsigned-edit &&
	finding $e unsigned-edit &&
	grep "CHG-0001.*\\[unsigned-edit\\]\$" actual
'

test_expect_success 'attack 14: with require-signed-edits, the verified signer of an edit cannot approve it' '
	edits_repo signed-edit "require-signed-edits: true" &&
	e=$(edit_rollback signed-edit carol) &&
	c=$(approve signed-edit carol "Carol Nguyen" carol@example.com) &&
	lint 1 signed-edit &&
	counted 0 1 &&
	finding $c self-approval &&
	! grep "unsigned-edit" actual
'

test_expect_success 'attack 14, control: with require-signed-edits, edits signed by others leave Carol free to approve' '
	edits_repo signed-by-jane "require-signed-edits: true" &&
	edit_rollback signed-by-jane jane >/dev/null &&
	approve signed-by-jane carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 0 signed-by-jane &&
	test_must_be_empty actual
'

test_expect_success 'attack 14, control: with require-signed-edits, only the verified signer of an edit counts, not its author field' '
	# the edit names Carol as author and committer but is signed by Jane:
	# a name in a commit is anyone'"'"'s to write, a signature is not
	edits_repo carol-named "require-signed-edits: true" &&
	sed -e "s/^  Switch the listener back/  Switch both listeners back/" \
		carol-named/changes/CHG-0001.yaml >carol-named/changes/CHG-0001.yaml.new &&
	mv carol-named/changes/CHG-0001.yaml.new carol-named/changes/CHG-0001.yaml &&
	printf "CHG-0001: both listeners\\n" >msg &&
	as "Carol Nguyen" carol@example.com commit_in carol-named jane msg &&
	test "$(git -C carol-named log -1 --format=%ae)" = carol@example.com &&
	approve carol-named carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 0 carol-named &&
	test_must_be_empty actual
'

test_expect_success 'attack 14, control: without require-signed-edits an unsigned edit is taken at its word' '
	# Jane is its author and committer, so Carol'"'"'s approval counts:
	# the attack that require-signed-edits exists to stop
	edits_repo taken-at-its-word &&
	! grep "require-signed-edits" taken-at-its-word/.chg/policy.yaml &&
	e=$(edit_rollback taken-at-its-word none) &&
	approve taken-at-its-word carol "Carol Nguyen" carol@example.com >/dev/null &&
	lint 0 taken-at-its-word &&
	test_must_be_empty actual
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_done
