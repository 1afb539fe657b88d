#!/bin/sh

test_description='chg-lint --range: every commit of a range is checked'

. "$(dirname "$0")"/lib-chg.sh

CR=changes/CHG-0001.yaml
SQ="'"

# set_field REPO FIELD VALUE: sets a top-level field of CHG-0001 in REPO.
set_field () {
	sed -i "s/^$2: .*/$2: $3/" "$1/$CR"
}

# set_level REPO LEVEL: sets risk.level of CHG-0001 in REPO.
set_level () {
	sed -i "s/^  level: .*/  level: $2/" "$1/$CR"
}

# at DATE COMMAND...: runs COMMAND with that author and committer date.
at () {
	_date=$1
	shift
	GIT_AUTHOR_DATE=$_date GIT_COMMITTER_DATE=$_date "$@"
}

# short REPO REV: the short id of REV in REPO, as chg-lint prints it.
short () {
	git -C "$1" rev-parse --short=7 "$2"
}

# history REPO D1 D2 D3 D4: a requested change (D1), then an invalid risk
# level (D2), an edit that keeps it (D3), and the fix (D4), each commit
# dated as given.
history () {
	chg_repo "$1" &&
	chg_normal_cr CHG-0001 requested >"$1/$CR" &&
	(cd "$1" && at "$2" chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	set_level "$1" meduim &&
	(cd "$1" && at "$3" chg_commit "Jane Doe" jane@example.com "CHG-0001: risk") &&
	set_field "$1" title "Renew the TLS certificate of api.example.com" &&
	(cd "$1" && at "$4" chg_commit "Jane Doe" jane@example.com "CHG-0001: title") &&
	set_level "$1" medium &&
	(cd "$1" && at "$5" chg_commit "Jane Doe" jane@example.com "CHG-0001: fix the risk level")
}

test_expect_success 'setup: an invalid version that a later commit fixed' '
	history repo 2026-11-02T09:00:00Z 2026-11-02T10:00:00Z \
		2026-11-02T11:00:00Z 2026-11-02T12:00:00Z &&
	chg_lint_status 0 -C repo --rev HEAD &&
	test_must_be_empty actual
'

test_expect_success 'the range reports it, in the commit that introduced it, once' '
	chg_lint_status 1 -C repo --range HEAD~3..HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: in $(short repo HEAD~2): risk.level must be one of low, medium, high, critical, not ${SQ}meduim${SQ} [invalid-value]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: 1 error, 0 warnings in 1 file" >expect &&
	test_cmp expect stderr
'

test_expect_success 'a broken file copied to another path is reported at each path' '
	# the second commit reads the same blob: parsed once, reported where it is
	chg_repo copies &&
	printf "id: CHG-0002\ntitle: [unclosed\n" >copies/changes/CHG-0002.yaml &&
	(cd copies && chg_commit "Jane Doe" jane@example.com "Broken") &&
	cp copies/changes/CHG-0002.yaml copies/changes/CHG-0003.yaml &&
	(cd copies && chg_commit "Jane Doe" jane@example.com "Copied") &&
	git -C copies rm -q changes/CHG-0002.yaml changes/CHG-0003.yaml &&
	(cd copies && chg_commit "Jane Doe" jane@example.com "Removed") &&
	chg_lint_status 1 -C copies --range HEAD &&
	grep "^changes/CHG-0002.yaml:.* in $(short copies HEAD~2): .*\[yaml-syntax\]\$" actual &&
	grep "^changes/CHG-0003.yaml:.* in $(short copies HEAD~1): .*\[yaml-syntax\]\$" actual &&
	test $(grep -c "yaml-syntax" actual) = 2
'

test_expect_success 'commits outside the range are not checked' '
	chg_lint_status 0 -C repo --range HEAD~1..HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --range HEAD~2..HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: in $(short repo HEAD~1): risk.level must be one of low, medium, high, critical, not ${SQ}meduim${SQ} [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a finding the tip still has is reported once, without a commit' '
	test_when_finished "git -C repo reset -q --hard HEAD~1" &&
	set_level repo meduim &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "CHG-0001: risk again") &&
	chg_lint_status 1 -C repo --range HEAD~4..HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: risk.level must be one of low, medium, high, critical, not ${SQ}meduim${SQ} [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'B alone: all of B'\''s history' '
	chg_lint_status 1 -C repo --range HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: in $(short repo HEAD~2): risk.level must be one of low, medium, high, critical, not ${SQ}meduim${SQ} [invalid-value]
	EOF
	test_cmp expect actual &&
	chg_lint_status 1 -C repo --range 0000000000000000000000000000000000000000..HEAD &&
	test_cmp expect actual
'

test_expect_success 'an empty range checks nothing' '
	chg_lint_status 0 -C repo --range HEAD..HEAD &&
	test_must_be_empty actual &&
	test_must_be_empty stderr
'

test_expect_success 'a reversed range checks nothing, and says it goes backwards' '
	chg_lint_status 1 -C repo --range HEAD..HEAD~2 &&
	cat >expect <<-EOF &&
	.chg: error: the update from $(short repo HEAD) to $(short repo HEAD~2) rewrites or replaces the protected history: $(short repo HEAD) is not on the first-parent chain of $(short repo HEAD~2) [trust-change-unapproved]
	EOF
	test_cmp expect actual
'

test_expect_success 'a change moved to approved before its approval arrived' '
	git -C repo rev-parse HEAD >base &&
	set_field repo state approved &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "CHG-0001: approved") &&
	chg_lint_status 1 -C repo --rev HEAD &&
	(cd repo && chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	chg_lint_status 0 -C repo --rev HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 1 -C repo --range $(cat base)..HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(short repo HEAD~1): CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual &&
	chg_lint_status 0 -C repo --range HEAD~1..HEAD &&
	test_must_be_empty actual
'

test_expect_success 'approved, back to requested (the revert), approved again, same content: its approvals still count' '
	git -C repo rev-parse HEAD >base &&
	set_field repo state requested &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "CHG-0001: requested") &&
	set_field repo state approved &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "CHG-0001: approved again") &&
	chg_lint_status 0 -C repo --rev HEAD &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C repo --range $(cat base)..HEAD &&
	test_must_be_empty actual
'

test_expect_success 'the whole history: every finding, sorted by position' '
	chg_lint_status 1 -C repo --range HEAD &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(short repo HEAD~3): CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	changes/CHG-0001.yaml:14:10: error: in $(short repo HEAD~6): risk.level must be one of low, medium, high, critical, not ${SQ}meduim${SQ} [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: a branch whose first commit is invalid' '
	git -C repo checkout -q -b topic HEAD~7 &&
	chg_normal_cr CHG-0002 requested >repo/changes/CHG-0002.yaml &&
	sed -i "s/^type: normal/type: normla/" repo/changes/CHG-0002.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Request CHG-0002") &&
	git -C repo rev-parse --short=7 HEAD >bad &&
	sed -i "s/^type: normla/type: normal/" repo/changes/CHG-0002.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "CHG-0002: type") &&
	git -C repo checkout -q main &&
	cat >expect.topic <<-EOF
	changes/CHG-0002.yaml:3:7: error: in $(cat bad): type must be one of standard, normal, emergency, not ${SQ}normla${SQ} [invalid-value]
	EOF
'

test_expect_success '--exclude-refs leaves out what those refs reach (a new branch)' '
	chg_lint_status 1 -C repo --range topic --exclude-refs "refs/heads/m*" &&
	test_cmp expect.topic actual &&
	chg_lint_status 1 -C repo --range 0000000000000000000000000000000000000000..topic \
		--exclude-refs "refs/heads/main" &&
	test_cmp expect.topic actual &&
	chg_lint_status 0 -C repo --range topic --exclude-refs "refs/*" &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C repo --range topic --exclude-refs "refs/heads/main" \
		--exclude-refs "refs/heads/t*" &&
	test_must_be_empty actual
'

test_expect_success 'a merged branch: its commits are checked, the merge against its first parent' '
	git -C repo rev-parse HEAD >base &&
	git -C repo merge -q --no-ff -m "Merge topic" topic &&
	chg_lint_status 1 -C repo --range $(cat base)..HEAD &&
	test_cmp expect.topic actual &&
	chg_lint_status 0 -C repo --range HEAD^1..HEAD --exclude-refs refs/heads/topic &&
	test_must_be_empty actual
'

# normalize REPO FILE: FILE with the short ids of REPO's first-parent
# history replaced by C0 (the root), C1, ...
normalize () {
	git -C "$1" rev-list --first-parent --reverse HEAD >ids &&
	n=0 &&
	cp "$2" normalized &&
	while read id; do
		sed -i "s/${id%"${id#???????}"}/C$n/g" normalized &&
		n=$((n + 1)) || return 1
	done <ids &&
	cat normalized
}

test_expect_success 'commit dates do not matter: shuffled, the same findings in the same commits' '
	history ordered 2026-11-02T09:00:00Z 2026-11-02T10:00:00Z \
		2026-11-02T11:00:00Z 2026-11-02T12:00:00Z &&
	history shuffled 2026-11-02T12:00:00Z 2026-11-02T11:00:00Z \
		2026-11-01T09:00:00Z 2026-11-03T10:00:00Z &&
	chg_lint_status 1 -C ordered --range HEAD~3..HEAD &&
	normalize ordered actual >ordered.out &&
	chg_lint_status 1 -C shuffled --range HEAD~3..HEAD &&
	normalize shuffled actual >shuffled.out &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:14:10: error: in C1: risk.level must be one of low, medium, high, critical, not ${SQ}meduim${SQ} [invalid-value]
	EOF
	test_cmp expect ordered.out &&
	test_cmp expect shuffled.out
'

# review REPO: adds a post-implementation review to CHG-0001 in REPO and
# closes it.
review () {
	set_field "$1" state closed &&
	cat >>"$1/$CR" <<-\EOF
	review:
	  outcome: successful
	  actual-start: 2026-12-05T22:05:00Z
	  actual-end: 2026-12-05T22:40:00Z
	  notes: |
	    Done without user impact.
	EOF
}

test_expect_success 'time rules judge a commit before B by its own date' '
	chg_repo clock &&
	chg_normal_cr CHG-0001 requested >clock/$CR &&
	(cd clock && chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	set_field clock state approved &&
	(cd clock && chg_commit "Jane Doe" jane@example.com "CHG-0001: approved") &&
	git -C clock rev-parse HEAD >base &&
	set_field clock state implementing &&
	(cd clock && at 2026-12-05T22:05:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: implementing") &&
	set_field clock state implemented &&
	(cd clock && at 2026-12-05T22:45:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: implemented") &&
	review clock &&
	(cd clock && at 2026-12-08T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: closed") &&
	chg-lint -C clock --now 2026-12-25T12:00:00Z --range $(cat base)..HEAD >actual &&
	test_must_be_empty actual &&
	git -C clock checkout -q -b late HEAD~2 &&
	set_field clock state implemented &&
	(cd clock && at 2026-12-21T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: implemented, late") &&
	review clock &&
	(cd clock && at 2026-12-22T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: closed, late") &&
	test_expect_code 1 chg-lint -C clock --now 2026-12-25T12:00:00Z --range $(cat base)..HEAD >actual &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: error: in $(short clock HEAD~1): the post-implementation review of this normal change was due by 2026-12-19T23:00:00Z (14d after its window ended); add a review section [review-overdue]
	EOF
	test_cmp expect actual
'

# approve_trust REPO NAME EMAIL DIGEST: an approval of the trust change
# whose digest after the change is DIGEST.
approve_trust () {
	GIT_AUTHOR_NAME="$2" GIT_AUTHOR_EMAIL="$3" \
	GIT_COMMITTER_NAME="$2" GIT_COMMITTER_EMAIL="$3" \
	git -C "$1" commit -q --allow-empty -m "Approve the trust change" -m "Change-Request: trust
Change-Digest: $4
Approved-by: $2 <$3>"
}

test_expect_success 'a trust change is judged at B: its approvals follow it' '
	chg_repo trust &&
	(cd trust && chg_commit "Jane Doe" jane@example.com "The policy") &&
	git -C trust rev-parse HEAD >base &&
	sed -i "s/managers: \[dave@example.com\]/managers: [dave@example.com, erin@example.com]/" \
		trust/.chg/policy.yaml &&
	(cd trust && chg_commit "Jane Doe" jane@example.com "Policy: Erin is a manager") &&
	test_expect_code 1 chg-lint -C trust --rev HEAD >out &&
	grep "^.chg/policy.yaml: error: .chg/policy.yaml changed in $(short trust HEAD) without approval" out &&
	digest=$(sed -n "s/.*Change-Digest: \(sha256:[0-9a-f]*\).*/\1/p" out) &&
	approve_trust trust "Alice Smith" alice@example.com "$digest" &&
	approve_trust trust "Carol Nguyen" carol@example.com "$digest" &&
	chg_lint_status 0 -C trust --range $(cat base)..HEAD &&
	test_must_be_empty actual &&
	sed -i "s/erin@example.com/frank@example.com/" trust/.chg/policy.yaml &&
	(cd trust && chg_commit "Jane Doe" jane@example.com "Policy: Frank instead") &&
	git -C trust rev-parse --short=7 HEAD >unapproved &&
	echo "# Changes" >trust/README.md &&
	(cd trust && chg_commit "Jane Doe" jane@example.com "A README") &&
	chg_lint_status 1 -C trust --range $(cat base)..HEAD &&
	grep "^.chg/policy.yaml: error: .chg/policy.yaml changed in $(cat unapproved) without approval" actual &&
	! grep "in $(cat unapproved): " actual
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 chg-lint -C repo --range HEAD~1...HEAD 2>err &&
	echo "chg-lint: invalid range ${SQ}HEAD~1...HEAD${SQ} (expected A..B or B)" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C repo --range ..HEAD 2>err &&
	test_expect_code 2 chg-lint -C repo --range HEAD.. 2>err &&
	test_expect_code 2 chg-lint -C repo --range HEAD..0000000000000000000000000000000000000000 2>err &&
	test_expect_code 2 chg-lint -C repo --range HEAD --rev HEAD 2>err &&
	echo "chg-lint: --range takes no PATH and cannot be used with --rev, --staged or --explain" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C repo --range HEAD --staged 2>err &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C repo --range HEAD $CR 2>err &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C repo --exclude-refs "refs/*" 2>err &&
	echo "chg-lint: --exclude-refs needs --range" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg-lint -C repo --range 2>err &&
	echo "chg-lint: option ${SQ}--range${SQ} needs a value" >expect &&
	head -n 1 err >actual &&
	test_cmp expect actual
'

test_expect_success 'an unknown revision exits 3' '
	test_expect_code 3 chg-lint -C repo --range HEAD..no-such-branch 2>err &&
	echo "chg-lint: unknown revision ${SQ}no-such-branch${SQ}" >expect &&
	test_cmp expect err &&
	test_expect_code 3 chg-lint -C repo --range no-such-base..HEAD 2>err &&
	echo "chg-lint: unknown revision ${SQ}no-such-base${SQ}" >expect &&
	test_cmp expect err
'

test_expect_success 'an invalid policy in a commit before B is a finding about that commit' '
	chg_repo pol &&
	chg_normal_cr CHG-0001 requested >pol/$CR &&
	(cd pol && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	cp pol/.chg/policy.yaml good-policy.yaml &&
	echo "bogus-key: 1" >>pol/.chg/policy.yaml &&
	(cd pol && chg_commit "Jane Doe" jane@example.com "Policy: a typo") &&
	cp good-policy.yaml pol/.chg/policy.yaml &&
	(cd pol && chg_commit "Jane Doe" jane@example.com "Policy: fixed") &&
	chg_lint_status 1 -C pol --range HEAD~2..HEAD &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:9:1: error: in $(short pol HEAD~1): unknown key ${SQ}bogus-key${SQ} in the policy (expected one of: version, extends, changes, lifecycle, clients, fields, rules, risk, approvals, schedule, waivers, calendar) [invalid-policy]
	EOF
	test_cmp expect actual &&
	echo "bogus-key: 1" >>pol/.chg/policy.yaml &&
	(cd pol && chg_commit "Jane Doe" jane@example.com "Policy: the typo again") &&
	chg_lint_status 3 -C pol --range HEAD~3..HEAD &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:9:1: error: unknown key ${SQ}bogus-key${SQ} in the policy (expected one of: version, extends, changes, lifecycle, clients, fields, rules, risk, approvals, schedule, waivers, calendar) [invalid-policy]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: the policy or the standard-change catalog is invalid; fix the errors above" >expect &&
	test_cmp expect stderr
'

test_done
