#!/bin/sh

test_description='chg audit --verify: replaying history for a compliance audit'

. "$(dirname "$0")"/lib-chg.sh

NOW=2026-12-20T12:00:00Z

# expand REPO: stdin to stdout with each {TAG} replaced by the first 7 hex
# digits of that tag's commit in REPO.
expand () {
	git -C "$1" tag | while read -r t; do
		printf 's/{%s}/%s/g\n' "$t" "$(git -C "$1" rev-parse "$t^{commit}" | cut -c1-7)"
	done >expand.sed &&
	sed -f expand.sed
}

# audit_status EXPECTED REPO ARGS...: chg audit --verify in REPO, stdout in
# 'actual', stderr in 'err', and checks the exit status.
audit_status () {
	_want=$1 _repo=$2
	shift 2
	chg -C "$_repo" audit --verify --now "$NOW" "$@" >actual 2>err
	_got=$?
	if test "$_got" != "$_want"; then
		echo "chg audit exited $_got, expected $_want" >&2
		cat actual err >&2
		return 1
	fi
}

# emergency_cr ID STATE: an emergency change request (window 2026-12-05
# 22:00 to 23:00 UTC; its review is due 5 days after the window ends).
emergency_cr () {
	chg_normal_cr "$1" "$2" | sed "s/^type: normal/type: emergency\\
incident: INC-1234/"
}

# review START END: a review section with those actual times.
review () {
	cat <<-EOF
	review:
	  outcome: successful
	  actual-start: $1
	  actual-end: $2
	EOF
}

test_expect_success 'setup: CHG-0001 approved before its approval arrived' '
	chg_repo a &&
	chg_normal_cr CHG-0001 >a/changes/CHG-0001.yaml &&
	(cd a &&
	 at 2026-10-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 git tag a1 &&
	 edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	 at 2026-10-02T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: approved" &&
	 git tag a2 &&
	 at 2026-10-03T09:00:00Z chg_approve CHG-0001 "Dave Miller" dave@example.com &&
	 git tag a3)
'

test_expect_success 'chg-lint at HEAD sees nothing wrong: the approval is there now' '
	chg_lint_status 0 -C a
'

test_expect_success 'missing-approval names the commit that approved and the later approval' '
	audit_status 1 a &&
	expand a >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 entered approved in {a2} with 0 of 1 approval (from managers or cab); approvals arrived later in {a3} [missing-approval]
	EOF
	test_cmp expect actual &&
	echo "chg audit: 1 error, 0 warnings" >expect &&
	test_cmp expect err
'

test_expect_success '--rev: the history of an earlier revision' '
	audit_status 1 a --rev a2 &&
	expand a >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 entered approved in {a2} with 0 of 1 approval (from managers or cab); no approval arrived later [missing-approval]
	EOF
	test_cmp expect actual &&
	audit_status 0 a --rev a1 &&
	test_must_be_empty actual &&
	test_must_be_empty err
'

test_expect_success '--since: only findings about commits from that date' '
	audit_status 0 a --since 2026-10-03 &&
	test_must_be_empty actual &&
	audit_status 1 a --since 2026-10-02T09:00:00Z &&
	grep "\[missing-approval\]$" actual
'

test_expect_success '--format json: the diagnostics as chg-lint prints them' '
	audit_status 1 a --format json &&
	perl -MJSON::PP -e '"'"'
		local $/; my $j = decode_json(<STDIN>);
		my @d = ref $j eq "ARRAY" ? @$j : @{$j->{diagnostics}};
		print join(" ", $_->{path}, $_->{line}, $_->{column}, $_->{severity},
			   $_->{rule}), "\n" for @d;
	'"'"' <actual >got &&
	echo "changes/CHG-0001.yaml 4 8 error missing-approval" >expect &&
	test_cmp expect got
'

test_expect_success 'a change approved with its quorum is clean' '
	chg_repo b &&
	chg_normal_cr CHG-0001 >b/changes/CHG-0001.yaml &&
	(cd b &&
	 at 2026-10-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 at 2026-10-03T09:00:00Z chg_approve CHG-0001 "Dave Miller" dave@example.com &&
	 edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	 at 2026-10-04T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: approved") &&
	audit_status 0 b &&
	test_must_be_empty actual &&
	test_must_be_empty err
'

test_expect_success 'a self-approval at the time does not make the quorum' '
	(cd b &&
	 chg_normal_cr CHG-0002 >changes/CHG-0002.yaml &&
	 at 2026-10-05T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0002" &&
	 at 2026-10-06T09:00:00Z chg_approve CHG-0002 "Jane Doe" jane@example.com &&
	 edit changes/CHG-0002.yaml "s/^state: requested/state: approved/" &&
	 at 2026-10-07T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0002: approved" &&
	 git tag b7) &&
	audit_status 1 b &&
	expand b >expect <<-\EOF &&
	changes/CHG-0002.yaml:4:8: error: CHG-0002 entered approved in {b7} with 0 of 1 approval (from managers or cab); no approval arrived later [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: reviews late, missing, outside the window; closed without one' '
	chg_repo c &&
	emergency_cr CHG-0011 implemented >c/changes/CHG-0011.yaml &&
	emergency_cr CHG-0012 implemented >c/changes/CHG-0012.yaml &&
	chg_normal_cr CHG-0013 closed >c/changes/CHG-0013.yaml &&
	review 2026-12-05T21:30:00Z 2026-12-05T22:40:00Z >>c/changes/CHG-0013.yaml &&
	chg_normal_cr CHG-0014 implemented >c/changes/CHG-0014.yaml &&
	(cd c &&
	 at 2026-12-06T09:00:00Z chg_commit "Bob Ops" bob@example.com "Import the changes" &&
	 git tag c1 &&
	 review 2026-12-05T22:00:00Z 2026-12-05T22:30:00Z >>changes/CHG-0011.yaml &&
	 at 2026-12-12T09:00:00Z chg_commit "Bob Ops" bob@example.com "Review CHG-0011" &&
	 git tag c2 &&
	 edit changes/CHG-0014.yaml "s/^state: implemented/state: closed/" &&
	 at 2026-12-13T09:00:00Z chg_commit "Bob Ops" bob@example.com "Close CHG-0014" &&
	 git tag c3)
'

test_expect_success 'review-overdue, missing-review, implemented-outside-window' '
	audit_status 1 c &&
	expand c >expect <<-\EOF &&
	changes/CHG-0011.yaml:5:8: error: CHG-0011 entered implemented in {c1} with 0 of 1 approval (from emergency); no approval arrived later [missing-approval]
	changes/CHG-0011.yaml:22:1: error: the post-implementation review of CHG-0011 (emergency) was added in {c2} on 2026-12-12T09:00:00Z, after it was due by 2026-12-10T23:00:00Z (5d after its window ended) [review-overdue]
	changes/CHG-0012.yaml:5:8: error: CHG-0012 entered implemented in {c1} with 0 of 1 approval (from emergency); no approval arrived later [missing-approval]
	changes/CHG-0012.yaml:5:8: error: CHG-0012 (emergency) was implemented (implemented in {c1}) and has no post-implementation review; it was due by 2026-12-10T23:00:00Z (5d after its window ended) [missing-review]
	changes/CHG-0013.yaml:4:8: error: CHG-0013 entered closed in {c1} with 0 of 1 approval (from managers or cab); no approval arrived later [missing-approval]
	changes/CHG-0013.yaml:23:17: error: CHG-0013 was implemented from 2026-12-05T21:30:00Z to 2026-12-05T22:40:00Z, outside its window 2026-12-05T22:00:00Z to 2026-12-05T23:00:00Z (review recorded in {c1}) [implemented-outside-window]
	changes/CHG-0014.yaml:4:8: error: CHG-0014 entered implemented in {c1} with 0 of 1 approval (from managers or cab); no approval arrived later [missing-approval]
	changes/CHG-0014.yaml:4:8: error: CHG-0014 entered closed in {c3} with 0 of 1 approval (from managers or cab); no approval arrived later [missing-approval]
	changes/CHG-0014.yaml:4:8: error: CHG-0014 (normal) was closed in {c3} without a post-implementation review [missing-review]
	EOF
	test_cmp expect actual
'

test_expect_success 'a review before its deadline is no finding; before it is due, none is missing' '
	audit_status 1 c --rev c1 --now 2026-12-08T00:00:00Z &&
	! grep "review-overdue\|missing-review" actual &&
	grep "implemented-outside-window" actual
'

test_expect_success 'the example repository: what its audit reports' '
	CHG="$CHG_BUILD_DIR/chg" sh "$CHG_SRC_DIR/examples/build.sh" ex >out 2>&1 &&
	test_must_be_empty out &&
	approved35=$(git -C ex log --format=%h --abbrev=7 --grep="^CHG-0035: approved$") &&
	implementing37=$(git -C ex log --format=%h --abbrev=7 --grep="^CHG-0037: implementing$") &&
	test -n "$approved35" && test -n "$implementing37" &&
	audit_status 1 ex &&
	# CHG-0035: Erin requested it and approved it herself, so when it was
	# moved to approved no approval counted, and none came later.
	# CHG-0037: an emergency change implemented (first in "implementing")
	# whose window ended 2026-12-01T00:30:00Z; its review was due 5 days
	# later and there is none.
	# Not reported: CHG-0038 had its two CAB approvals when it became
	# approved (chg-lint reports them stale today because of a later
	# edit: the audit judges each commit as it was); CHG-0039 has a
	# risk finding only chg-lint makes; CHG-0031 and CHG-0036 were
	# approved, implemented in their windows and reviewed in time;
	# CHG-0032 and CHG-0040 are standard changes (approvals: 0, no review
	# deadline).
	cat >expect <<-EOF &&
	changes/globex/CHG-0035.yaml:4:8: error: CHG-0035 entered approved in $approved35 with 0 of 1 approval (from managers or cab); no approval arrived later [missing-approval]
	changes/globex/CHG-0037.yaml:4:8: error: CHG-0037 (emergency) was implemented (implementing in $implementing37) and has no post-implementation review; it was due by 2026-12-06T00:30:00Z (5d after its window ended) [missing-review]
	EOF
	test_cmp expect actual
'

test_expect_success 'the example repository: --since after both commits finds nothing' '
	audit_status 0 ex --since 2026-12-19 &&
	test_must_be_empty actual
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 chg -C a audit 2>err &&
	grep "verify is required" err &&
	test_expect_code 2 chg -C a audit --verify --format xml 2>err &&
	test_expect_code 2 chg -C a audit --verify --since yesterday 2>err &&
	test_expect_code 2 chg -C a audit --verify extra 2>err
'

test_expect_success 'could not run exits 3' '
	mkdir plain &&
	test_expect_code 3 chg -C plain audit --verify 2>err &&
	grep "not a git repository" err &&
	test_expect_code 3 chg -C a audit --verify --rev nosuch 2>err &&
	grep "unknown revision" err
'

test_done
