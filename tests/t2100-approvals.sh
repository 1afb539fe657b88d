#!/bin/sh

test_description='approvals from history: quorum, groups, trailers, reachability, change types'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# high_cr ID STATE: chg_normal_cr declared high risk (score 15) with a
# tested rollback plan, so that it needs two approvals from cab.
high_cr () {
	chg_normal_cr "$1" "$2" | sed \
		-e 's/^  level: medium/  level: high/' \
		-e 's/^  assessment: {.*}/  assessment: {users-affected: 3, system-criticality: 3, security: 3, rollback-difficulty: 3, timing: 3}/' \
		-e '$a\
rollback-tested: true'
}

# new_repo DIR ID: a repository with the change request on stdin as
# changes/ID.yaml, committed by its requester Jane.
new_repo () {
	chg_repo "$1" &&
	cat >"$1/changes/$2.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request $2")
}

# as NAME EMAIL COMMAND...: runs COMMAND with NAME <EMAIL> as git author
# and committer.
as () {
	_n=$1 _e=$2
	shift 2
	GIT_AUTHOR_NAME=$_n GIT_AUTHOR_EMAIL=$_e \
	GIT_COMMITTER_NAME=$_n GIT_COMMITTER_EMAIL=$_e "$@"
}

# approve DIR ID NAME EMAIL: chg_approve in DIR, printing the approval
# commit's short id.
approve () {
	(cd "$1" && chg_approve "$2" "$3" "$4" && git rev-parse HEAD | cut -c1-7)
}

test_expect_success 'a medium change approved by a manager lints clean' '
	chg_normal_cr CHG-0001 approved | new_repo medium CHG-0001 &&
	approve medium CHG-0001 "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C medium &&
	test_must_be_empty actual &&
	test_must_be_empty stderr
'

test_expect_success 'without an approval: missing-approval, 0 of the 1' '
	chg_normal_cr CHG-0001 approved | new_repo none CHG-0001 &&
	chg_lint_status 1 -C none &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: 1 error, 0 warnings in 1 file" >expect &&
	test_cmp expect stderr
'

test_expect_success 'every state from approved on needs the approvals' '
	for state in implementing implemented closed; do
		sed -e "s/^state: [a-z]*/state: $state/" none/changes/CHG-0001.yaml \
			>none/changes/CHG-0001.yaml.new &&
		mv none/changes/CHG-0001.yaml.new none/changes/CHG-0001.yaml &&
		chg_lint_status 1 -C none &&
		grep "^changes/CHG-0001.yaml:4:8: error: CHG-0001 is $state but 0 of the 1 required approval counted (from managers or cab) \\[missing-approval\\]\$" actual ||
		return 1
	done
'

test_expect_success 'a state before approved needs no approval' '
	for state in draft requested rejected cancelled; do
		chg_normal_cr CHG-0001 $state | new_repo none-$state CHG-0001 &&
		chg_lint_status 0 -C none-$state &&
		test_must_be_empty actual ||
		return 1
	done
'

test_expect_success 'a CAB member may approve a medium change too' '
	chg_normal_cr CHG-0001 approved | new_repo cabmed CHG-0001 &&
	approve cabmed CHG-0001 "Carol Nguyen" carol@example.com &&
	chg_lint_status 0 -C cabmed &&
	test_must_be_empty actual
'

test_expect_success 'high risk: one CAB approval is 1 of the 2' '
	high_cr CHG-0001 approved | new_repo high CHG-0001 &&
	a=$(approve high CHG-0001 "Alice Example" alice@example.com) &&
	chg_lint_status 1 -C high &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 1 of the 2 required approvals counted (from cab): alice@example.com $a counted [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'high risk: two CAB approvals are enough' '
	approve high CHG-0001 "Carol Nguyen" carol@example.com &&
	chg_lint_status 0 -C high &&
	test_must_be_empty actual
'

test_expect_success 'high risk: a manager is not in cab' '
	high_cr CHG-0001 approved | new_repo highmgr CHG-0001 &&
	a=$(approve highmgr CHG-0001 "Alice Example" alice@example.com) &&
	d=$(approve highmgr CHG-0001 "Dave Miller" dave@example.com) &&
	chg_lint_status 1 -C highmgr &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 1 of the 2 required approvals counted (from cab): alice@example.com $a counted, dave@example.com $d approver-not-allowed [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in $d does not count: the approver is not in cab [approver-not-allowed]
	EOF
	test_cmp expect actual
'

test_expect_success 'an approver in none of the groups does not count' '
	chg_normal_cr CHG-0001 approved | new_repo outsider CHG-0001 &&
	b=$(approve outsider CHG-0001 "Bob Ops" bob@example.com) &&
	chg_lint_status 1 -C outsider &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): bob@example.com $b approver-not-allowed [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by bob@example.com in $b does not count: the approver is not in managers or cab [approver-not-allowed]
	EOF
	test_cmp expect actual
'

test_expect_success 'once the quorum holds, an approver in no group is a warning' '
	d=$(approve outsider CHG-0001 "Dave Miller" dave@example.com) &&
	b=$(short outsider HEAD~1) &&
	chg_lint_status 0 -C outsider &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: warning: approval by bob@example.com in $b does not count: the approver is not in managers or cab [approver-not-allowed]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: 0 errors, 1 warning in 1 file" >expect &&
	test_cmp expect stderr
'

test_expect_success '--strict: that warning fails' '
	chg_lint_status 1 -C outsider --strict &&
	test_cmp expect stderr
'

test_expect_success 'the same approver twice counts once' '
	high_cr CHG-0001 approved | new_repo twice CHG-0001 &&
	a1=$(approve twice CHG-0001 "Alice Example" alice@example.com) &&
	a2=$(approve twice CHG-0001 "Alice Example" alice@example.com) &&
	test "$a1" != "$a2" &&
	chg_lint_status 1 -C twice &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 1 of the 2 required approvals counted (from cab): alice@example.com $a1 counted, alice@example.com $a2 repeat [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'a repeat under another spelling of the email counts once too' '
	a3=$(approve twice CHG-0001 "Alice E." ALICE@Example.COM) &&
	chg_lint_status 1 -C twice &&
	grep "^changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 1 of the 2 required approvals counted (from cab): .*, ALICE@Example.COM $a3 repeat \\[missing-approval\\]\$" actual
'

test_expect_success 'once the quorum holds, a repeat is not reported' '
	chg_normal_cr CHG-0001 approved | new_repo repeat CHG-0001 &&
	approve repeat CHG-0001 "Dave Miller" dave@example.com &&
	approve repeat CHG-0001 "Dave Miller" dave@example.com &&
	chg_lint_status 0 -C repeat &&
	test_must_be_empty actual
'

test_expect_success 'an approval in another person'"'"'s name does not count (signer-mismatch)' '
	chg_normal_cr CHG-0001 approved | new_repo forged CHG-0001 &&
	digest=$(chg -C forged digest CHG-0001) &&
	as "Bob Ops" bob@example.com git -C forged commit -q --allow-empty \
		-m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>" &&
	b=$(short forged) &&
	chg_lint_status 1 -C forged &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $b signer-mismatch [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval in $b names dave@example.com but the commit${SQ}s author is bob@example.com: an approval is made by the approver, in their own name [signer-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'the approver'"'"'s own commit counts, whatever the email'"'"'s case' '
	(cd forged && GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=Dave@Example.com \
		GIT_COMMITTER_NAME="Dave Miller" GIT_COMMITTER_EMAIL=DAVE@example.com \
		git commit -q --allow-empty -m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $(chg digest CHG-0001)
Approved-by: Dave Miller <dave@example.com>") &&
	b=$(short forged HEAD~1) &&
	chg_lint_status 0 -C forged &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: warning: approval in $b names dave@example.com but the commit${SQ}s author is bob@example.com: an approval is made by the approver, in their own name [signer-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'an approval committed by someone else does not count (signer-mismatch)' '
	chg_normal_cr CHG-0001 approved | new_repo relayed CHG-0001 &&
	digest=$(chg -C relayed digest CHG-0001) &&
	GIT_AUTHOR_NAME="Dave Miller" GIT_AUTHOR_EMAIL=dave@example.com \
	GIT_COMMITTER_NAME="Bob Ops" GIT_COMMITTER_EMAIL=bob@example.com \
		git -C relayed commit -q --allow-empty -m "Approve CHG-0001" \
		-m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>" &&
	b=$(short relayed) &&
	chg_lint_status 1 -C relayed &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $b signer-mismatch [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval in $b names dave@example.com but the commit${SQ}s committer is bob@example.com: an approval is committed by the approver (a cherry-pick or rebase by someone else does not carry it) [signer-mismatch]
	EOF
	test_cmp expect actual
'

test_expect_success 'trailer keys and emails compare case-insensitively' '
	chg_normal_cr CHG-0001 approved | new_repo casing CHG-0001 &&
	digest=$(chg -C casing digest CHG-0001) &&
	as "Dave Miller" dave@example.com git -C casing commit -q --allow-empty \
		-m "Approve CHG-0001" -m "change-request: CHG-0001
CHANGE-DIGEST: $digest
approved-BY: Dave Miller <DAVE@Example.COM>" &&
	chg_lint_status 0 -C casing &&
	test_must_be_empty actual
'

test_expect_success 'an approval of another change does not count' '
	chg_normal_cr CHG-0001 approved >other.yaml &&
	new_repo other CHG-0001 <other.yaml &&
	chg_normal_cr CHG-0002 requested >other/changes/CHG-0002.yaml &&
	(cd other && chg_commit "Jane Doe" jane@example.com "Request CHG-0002") &&
	approve other CHG-0002 "Dave Miller" dave@example.com &&
	chg_lint_status 1 -C other &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'Rejected-by is not an approval' '
	chg_normal_cr CHG-0001 approved | new_repo rejected CHG-0001 &&
	digest=$(chg -C rejected digest CHG-0001) &&
	as "Dave Miller" dave@example.com git -C rejected commit -q --allow-empty \
		-m "Reject CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Rejected-by: Dave Miller <dave@example.com>" &&
	chg_lint_status 1 -C rejected &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'a trailer block higher up in the body is not the trailer block' '
	chg_normal_cr CHG-0001 approved | new_repo body CHG-0001 &&
	digest=$(chg -C body digest CHG-0001) &&
	as "Dave Miller" dave@example.com git -C body commit -q --allow-empty \
		-m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>" \
		-m "Approved in the CAB meeting of 2 November." &&
	chg_lint_status 1 -C body &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'trailers above a --- line, with text below it, approve nothing' '
	chg_normal_cr CHG-0001 approved | new_repo dashes CHG-0001 &&
	digest=$(chg -C dashes digest CHG-0001) &&
	as "Dave Miller" dave@example.com git -C dashes commit -q --allow-empty \
		--cleanup=verbatim -m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>
---
Not approved: see the notes of the CAB meeting." &&
	git -C dashes log -1 --format=%B | git interpret-trailers --parse >parsed &&
	grep "^Approved-by: Dave Miller" parsed &&
	c=$(short dashes) &&
	chg_lint_status 1 -C dashes &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $c invalid-value [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval commit $c approves nothing: its message has a line starting with ${SQ}---${SQ}: approval trailers must end the message [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'approval trailers in a merge message approve nothing' '
	chg_normal_cr CHG-0001 approved | new_repo mergemsg CHG-0001 &&
	digest=$(chg -C mergemsg digest CHG-0001) &&
	git -C mergemsg checkout -q -b side &&
	(cd mergemsg && chg_commit "Bob Ops" bob@example.com "Unrelated work") &&
	git -C mergemsg checkout -q main &&
	as "Dave Miller" dave@example.com git -C mergemsg merge -q --no-ff side \
		-m "Merge side" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>" &&
	c=$(short mergemsg) &&
	chg_lint_status 1 -C mergemsg &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $c invalid-value [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval commit $c approves nothing: it is a merge commit: an approval is a commit of its own, not a merge message [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a commit with two Approved-by approves nothing' '
	chg_normal_cr CHG-0001 approved | new_repo two CHG-0001 &&
	digest=$(chg -C two digest CHG-0001) &&
	as "Dave Miller" dave@example.com git -C two commit -q --allow-empty \
		-m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>
Approved-by: Carol Nguyen <carol@example.com>" &&
	c=$(short two) &&
	chg_lint_status 1 -C two &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $c invalid-value [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval commit $c approves nothing: it has more than one Approved-by or Rejected-by trailer; one commit approves for one person [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'an approval whose digest is not sha256: and 64 hex approves nothing' '
	chg_normal_cr CHG-0001 approved | new_repo baddigest CHG-0001 &&
	digest=$(chg -C baddigest digest CHG-0001 | tr a-f A-F) &&
	as "Dave Miller" dave@example.com git -C baddigest commit -q --allow-empty \
		-m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $digest
Approved-by: Dave Miller <dave@example.com>" &&
	c=$(short baddigest) &&
	chg_lint_status 1 -C baddigest &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): dave@example.com $c invalid-value [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval commit $c approves nothing: its Change-Digest is missing or not sha256: and 64 lowercase hex digits [invalid-value]
	EOF
	test_cmp expect actual
'

# malformed_approval DIR TRAILERS REASON: in a fresh repository DIR with
# CHG-0001 approved, Dave's commit with TRAILERS (where @DIGEST@ stands for
# the change's digest) approves nothing, for REASON.
malformed_approval () {
	chg_normal_cr CHG-0001 approved | new_repo "$1" CHG-0001 &&
	_digest=$(chg -C "$1" digest CHG-0001) &&
	as "Dave Miller" dave@example.com git -C "$1" commit -q --allow-empty \
		-m "Approve CHG-0001" -m "$(printf '%s\n' "$2" | sed -e "s/@DIGEST@/$_digest/")" &&
	_c=$(short "$1") &&
	chg_lint_status 1 -C "$1" &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab): $4 $_c invalid-value [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval commit $_c approves nothing: $3 [invalid-value]
	EOF
	test_cmp expect actual
}

test_expect_success 'a commit naming two changes approves nothing' '
	malformed_approval two-changes "Change-Request: CHG-0001
Change-Request: CHG-0002
Change-Digest: @DIGEST@
Approved-by: Dave Miller <dave@example.com>" \
		"it names more than one Change-Request" dave@example.com
'

test_expect_success 'a commit without Approved-by approves nothing' '
	malformed_approval no-approver "Change-Request: CHG-0001
Change-Digest: @DIGEST@" \
		"it has no Approved-by or Rejected-by trailer" "(no approver)"
'

test_expect_success 'a commit with Approved-by and Rejected-by approves nothing' '
	malformed_approval both "Change-Request: CHG-0001
Change-Digest: @DIGEST@
Approved-by: Dave Miller <dave@example.com>
Rejected-by: Dave Miller <dave@example.com>" \
		"it has both Approved-by and Rejected-by" dave@example.com
'

test_expect_success 'an approver that is not Name <email> approves nothing' '
	malformed_approval bare-email "Change-Request: CHG-0001
Change-Digest: @DIGEST@
Approved-by: dave@example.com" \
		"its Approved-by is not an identity ${SQ}Name <email>${SQ}" dave@example.com
'

test_expect_success 'an approval on an unmerged branch does not count' '
	chg_normal_cr CHG-0001 requested | new_repo branch CHG-0001 &&
	git -C branch checkout -q -b approval &&
	d=$(approve branch CHG-0001 "Dave Miller" dave@example.com) &&
	git -C branch checkout -q main &&
	sed -e "s/^state: requested/state: approved/" branch/changes/CHG-0001.yaml \
		>branch/changes/CHG-0001.yaml.new &&
	mv branch/changes/CHG-0001.yaml.new branch/changes/CHG-0001.yaml &&
	(cd branch && chg_commit "Jane Doe" jane@example.com "CHG-0001: approved") &&
	chg_lint_status 1 -C branch &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'merged, it counts' '
	git -C branch merge -q --no-ff -m "Merge the approval of CHG-0001" approval &&
	chg_lint_status 0 -C branch &&
	test_must_be_empty actual
'

emergency_cr () {
	chg_normal_cr "$1" "$2" | sed -e 's/^type: normal/type: emergency/' -e '$a\
incident: INC-1234'
}

test_expect_success 'an emergency change approved by the emergency approver' '
	emergency_cr CHG-0001 approved | new_repo emergency CHG-0001 &&
	approve emergency CHG-0001 "Alice Example" alice@example.com &&
	chg_lint_status 0 -C emergency &&
	test_must_be_empty actual
'

test_expect_success 'an emergency change needs the emergency group, not cab' '
	emergency_cr CHG-0001 approved | new_repo emergency-cab CHG-0001 &&
	c=$(approve emergency-cab CHG-0001 "Carol Nguyen" carol@example.com) &&
	chg_lint_status 1 -C emergency-cab &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from emergency): carol@example.com $c approver-not-allowed [missing-approval]
	changes/CHG-0001.yaml:4:8: error: approval by carol@example.com in $c does not count: the approver is not in emergency [approver-not-allowed]
	EOF
	test_cmp expect actual
'

test_expect_success 'a standard change from the catalog needs no approval' '
	chg_normal_cr CHG-0001 implementing | sed -e "s/^type: normal/type: standard/" \
		-e "\$a\\
standard-template: cert-rotation" >standard.yaml &&
	chg_repo standard &&
	mkdir standard/.chg/catalog &&
	cat >standard/.chg/catalog/cert-rotation.yaml <<-\EOF &&
	name: cert-rotation
	title: Rotate a TLS certificate
	description: |
	  Replace a certificate before it expires.
	procedure: |
	  Upload the new certificate, switch the listener, reload.
	EOF
	cp standard.yaml standard/changes/CHG-0001.yaml &&
	(cd standard && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	chg_lint_status 0 -C standard &&
	test_must_be_empty actual
'

test_expect_success 'the same change as a normal one would need an approval' '
	sed -e "s/^type: standard/type: normal/" standard.yaml >standard/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C standard &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is implementing but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'the history of every commit read as a view of one walk is that of its own walk' '
	chg_views_agree
'

test_done
