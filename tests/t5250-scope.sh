#!/bin/sh

test_description='scope: pre-commit and pre-receive judge what they let through, plain chg-lint judges everything'

. "$(dirname "$0")"/lib-chg.sh

# The clock: the globex emergency changes' reviews were due on 2026-12-06.
CHG_TEST_NOW=2026-12-20T12:00:00Z
CHG_NOW=$CHG_TEST_NOW
export CHG_NOW
SQ="'"

# emergency_cr ID: a globex emergency change, implemented on 2026-12-01,
# without its post-implementation review.
emergency_cr () {
	chg_normal_cr "$1" implemented |
		sed -e "s/^type: normal/type: emergency/" \
		    -e "s/^window: .*/window: {start: 2026-12-01T22:00:00Z, end: 2026-12-01T23:00:00Z}/" &&
	printf "client: globex\nincident: INC-1234\n"
}

# acme_cr ID: a valid acme change request for January.
acme_cr () {
	chg_normal_cr "$1" |
		sed -e "s/^window: .*/window: {start: 2027-01-09T22:00:00Z, end: 2027-01-09T23:00:00Z}/" &&
	echo "client: acme"
}

# overdue ID: the review-overdue finding about the emergency change ID.
overdue () {
	echo "changes/$1.yaml:4:8: error: the post-implementation review of this emergency change was due by 2026-12-06T23:00:00Z (5d after its window ended); add a review section [review-overdue]"
}

# untouched N M WHAT: the note counting N findings on M change requests
# out of scope; WHAT: "this commit does not change" or "no commit of the
# range changes".
untouched () {
	_f=findings _c="change requests" _v=are
	test "$1" = 1 && _f=finding _v=is
	test "$2" = 1 && _c="change request"
	echo ".chg: note: $1 $_f on $2 $_c that $3 $_v not judged here (--scope all judges them; chg-lint without --staged or --range judges every change request) [$4]"
}

# hooked ARGS...: git ARGS in work/ with chg's hooks.
hooked () {
	git -C work -c core.hooksPath="$CHG_SRC_DIR/hooks" "$@"
}

test_expect_success 'setup: two globex emergency changes whose reviews are overdue, on a server with pre-receive' '
	git init -q --bare -b main server.git &&
	chg_repo work &&
	emergency_cr CHG-0001 >work/changes/CHG-0001.yaml &&
	emergency_cr CHG-0003 >work/changes/CHG-0003.yaml &&
	(cd work && chg_commit "Jane Doe" jane@example.com "Emergency changes for globex" &&
	 chg_approve CHG-0001 Alice alice@example.com &&
	 chg_approve CHG-0003 Alice alice@example.com) &&
	git -C work remote add origin "$PWD/server.git" &&
	git -C work push -q origin main &&
	cp "$CHG_SRC_DIR/hooks/pre-receive" server.git/hooks/pre-receive &&
	chg_lint_status 1 -C work &&
	{ overdue CHG-0001 && overdue CHG-0003; } >expect &&
	test_cmp expect actual
'

test_expect_success 'pre-commit: an unrelated acme change is not failed by the overdue reviews' '
	acme_cr CHG-0002 >work/changes/CHG-0002.yaml &&
	git -C work add changes/CHG-0002.yaml &&
	chg_lint_status 0 -C work --staged &&
	untouched 2 2 "this commit does not change" review-overdue >expect &&
	test_cmp expect actual &&
	hooked commit -q -m "Request CHG-0002 for acme" &&
	git -C work log -1 --format=%s >subject &&
	echo "Request CHG-0002 for acme" >expect &&
	test_cmp expect subject
'

test_expect_success 'chg-lint in full, --rev and --scope all still fail on them' '
	chg_lint_status 1 -C work &&
	{ overdue CHG-0001 && overdue CHG-0003; } >expect &&
	test_cmp expect actual &&
	chg_lint_status 1 -C work --rev HEAD &&
	test_cmp expect actual &&
	chg_lint_status 1 -C work --staged --scope all &&
	test_cmp expect actual
'

test_expect_success '--scope changed judges what a revision changed' '
	chg_lint_status 0 -C work --rev HEAD --scope changed &&
	untouched 2 2 "this revision does not change" review-overdue >expect &&
	test_cmp expect actual
'

test_expect_success 'pre-receive: the push of the acme change is accepted, with the note' '
	git -C work push origin main 2>err &&
	git -C work rev-parse main >expect &&
	git -C server.git rev-parse main >actual &&
	test_cmp expect actual &&
	sed -n "s/^remote: //p" err | sed -e "s/ *$//" >remote &&
	{
		untouched 2 2 "no commit of the range changes" review-overdue &&
		echo "chg-lint: 0 errors, 0 warnings in 3 files"
	} >expect &&
	test_cmp expect remote
'

test_expect_success 'the range with --scope all fails on them' '
	chg_lint_status 1 -C work --range main~1..main --scope all &&
	{ overdue CHG-0001 && overdue CHG-0003; } >expect &&
	test_cmp expect actual
'

test_expect_success 'a staged file with the id of an untouched one fails; the other side is counted' '
	mkdir -p work/changes/acme &&
	acme_cr CHG-0001 >work/changes/acme/CHG-0001.yaml &&
	git -C work add changes/acme &&
	test_when_finished "git -C work rm -q -r --cached changes/acme && rm -r work/changes/acme" &&
	chg_lint_status 1 -C work --staged &&
	grep -F -x "changes/acme/CHG-0001.yaml:1:5: error: id CHG-0001 is also used by changes/CHG-0001.yaml; ids must be unique across the repository [duplicate-id]" actual &&
	! grep "^changes/CHG-0001.yaml" actual &&
	untouched 3 2 "this commit does not change" review-overdue >expect &&
	grep -F -x -f expect actual
'

test_expect_success 'deleting a change request an untouched one depends on fails' '
	acme_cr CHG-0004 >work/changes/CHG-0004.yaml &&
	echo "depends-on: [CHG-0002]" >>work/changes/CHG-0004.yaml &&
	(cd work && chg_commit "Jane Doe" jane@example.com "Request CHG-0004") &&
	test_when_finished "git -C work reset -q --hard HEAD~1" &&
	git -C work rm -q changes/CHG-0002.yaml &&
	chg_lint_status 1 -C work --staged &&
	grep "^changes/CHG-0004.yaml:[0-9:]* error: depends-on names CHG-0002, which is not a change request in this repository \\[unknown-dependency\\]\$" actual &&
	! grep "error: .*\\[review-overdue\\]" actual
'

test_expect_success 'a push that deletes a change request an untouched one depends on is refused' '
	acme_cr CHG-0004 >work/changes/CHG-0004.yaml &&
	echo "depends-on: [CHG-0002]" >>work/changes/CHG-0004.yaml &&
	sed -i "s/^window: .*/window: {start: 2027-01-16T22:00:00Z, end: 2027-01-16T23:00:00Z}/" \
		work/changes/CHG-0004.yaml &&
	(cd work && chg_commit "Jane Doe" jane@example.com "Request CHG-0004") &&
	git -C work push -q origin main &&
	git -C work rm -q changes/CHG-0002.yaml &&
	(cd work && chg_commit "Jane Doe" jane@example.com "Drop CHG-0002") &&
	test_when_finished "git -C work reset -q --hard origin/main" &&
	test_must_fail git -C work push origin main 2>err &&
	sed -n "s/^remote: //p" err | sed -e "s/ *$//" >remote &&
	grep "^changes/CHG-0004.yaml:[0-9:]* error: depends-on names CHG-0002, which is not a change request in this repository \\[unknown-dependency\\]\$" remote &&
	! grep "error: .*\\[review-overdue\\]" remote &&
	grep "^pre-receive: rejecting refs/heads/main" remote
'

test_expect_success 'a staged edit of the overdue change itself fails on it' '
	sed -i "s/^title: .*/title: Restore the globex VPN concentrator/" work/changes/CHG-0003.yaml &&
	git -C work add changes/CHG-0003.yaml &&
	test_when_finished "git -C work reset -q --hard" &&
	chg_lint_status 1 -C work --staged &&
	overdue CHG-0003 >expect.overdue &&
	grep -F -x -f expect.overdue actual &&
	! grep "^changes/CHG-0001.yaml" actual &&
	grep "^\\.chg: note: 1 finding on 1 change request that this commit does not change" actual &&
	test_must_fail hooked commit -q -m "CHG-0003: title"
'

test_expect_success 'a staged policy change puts every change request in scope' '
	echo "clients: [acme, globex]" >>work/.chg/policy.yaml &&
	git -C work add .chg/policy.yaml &&
	test_when_finished "git -C work reset -q --hard" &&
	chg_lint_status 1 -C work --staged &&
	{ overdue CHG-0001 && overdue CHG-0003; } >expect &&
	test_cmp expect actual &&
	chg_lint_status 0 -C work --staged --scope changed &&
	untouched 2 2 "this commit does not change" review-overdue >expect &&
	test_cmp expect actual
'

test_expect_success 'a policy change in the push puts every change request in scope' '
	echo "clients: [acme, globex]" >>work/.chg/policy.yaml &&
	(cd work && chg_commit "Jane Doe" jane@example.com "Name the clients") &&
	test_when_finished "git -C work reset -q --hard HEAD~1" &&
	test_must_fail git -C work push origin main 2>err &&
	sed -n "s/^remote: //p" err | sed -e "s/ *$//" >remote &&
	overdue CHG-0001 >expect.overdue &&
	overdue CHG-0003 >>expect.overdue &&
	grep -F -x -f expect.overdue remote >found &&
	test_cmp expect.overdue found &&
	! grep "not judged here" remote
'

test_expect_success 'setup: an unapproved trust change committed at HEAD' '
	chg_repo trusted &&
	acme_cr CHG-0001 >trusted/changes/CHG-0001.yaml &&
	(cd trusted && chg_commit "Jane Doe" jane@example.com "The root of trust") &&
	echo "clients: [acme]" >>trusted/.chg/policy.yaml &&
	(cd trusted && chg_commit "Jane Doe" jane@example.com "Name the client") &&
	chg_lint_status 1 -C trusted &&
	grep "^\\.chg/policy.yaml: error: \\.chg/policy.yaml changed in .* without approval: 0 of the 2 required approvals counted .*\\[trust-change-unapproved\\]\$" actual
'

# trust_digest DIR: the trust digest of HEAD in DIR, computed as trust.h
# documents it, with git alone.
trust_digest () {
	printf "sha256:%s\n" "$(git -C "$1" ls-tree -r -z HEAD -- \
		.chg/allowed_signers .chg/catalog .chg/keys.asc .chg/policy.yaml \
		.chg/revoked_keys |
		sha256sum | cut -d" " -f1)"
}

# trust_approval NAME EMAIL: an empty approval of the trust files at HEAD
# in trusted/ by NAME <EMAIL>, made with chg's pre-commit hook.
trust_approval () {
	_d=$(trust_digest trusted) &&
	GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$2 \
	git -C trusted -c core.hooksPath="$PWD/pre-commit-only" commit -q --allow-empty \
		-m "Approve the trust files" -m "Change-Request: trust
Change-Digest: $_d
Approved-by: $1 <$2>"
}

test_expect_success 'pre-commit lets the approvals of the trust change through, with a note' '
	mkdir pre-commit-only &&
	cp "$CHG_SRC_DIR/hooks/pre-commit" pre-commit-only/ &&
	chg_lint_status 0 -C trusted --staged &&
	grep "^\\.chg/policy.yaml: note: .*without approval: 0 of the 2 required approvals counted .* (committed before: its approvals are commits that follow it, so a commit is not refused for it; --range and chg-lint without --staged judge it) \\[trust-change-unapproved\\]\$" actual &&
	! grep ": error: " actual &&
	chg_lint_status 1 -C trusted --staged --scope all &&
	grep "^\\.chg/policy.yaml: error: .*\\[trust-change-unapproved\\]\$" actual &&
	trust_approval Alice alice@example.com &&
	trust_approval Carol carol@example.com &&
	git -C trusted log --format=%s -3 >subjects &&
	printf "%s\n" "Approve the trust files" "Approve the trust files" "Name the client" >expect &&
	test_cmp expect subjects &&
	chg_lint_status 0 -C trusted &&
	! grep ": error: " actual
'

test_expect_success 'an invalid staged policy still fails with exit 3' '
	echo "approvals: [" >>trusted/.chg/policy.yaml &&
	git -C trusted add .chg/policy.yaml &&
	chg_lint_status 3 -C trusted --staged &&
	git -C trusted reset -q --hard
'

test_expect_success '--scope takes all or changed' '
	chg_lint_status 2 -C work --scope some &&
	echo "chg-lint: unknown scope ${SQ}some${SQ} (expected all or changed)" >expect &&
	test_cmp expect stderr &&
	chg_lint_status 2 -C work --scope &&
	grep "^chg-lint: option ${SQ}--scope${SQ} needs a value" stderr
'

test_done
