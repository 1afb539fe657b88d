#!/bin/sh

test_description='stale approvals: an approval is for the covered content it saw'

. "$(dirname "$0")"/lib-chg.sh

# new_repo DIR ID: a repository with the change request on stdin as
# changes/ID.yaml, committed by its requester Jane.
new_repo () {
	chg_repo "$1" &&
	cat >"$1/changes/$2.yaml" &&
	(cd "$1" && chg_commit "Jane Doe" jane@example.com "Request $2")
}

# approve DIR ID NAME EMAIL: chg_approve in DIR, printing the approval
# commit's short id.
approve () {
	(cd "$1" && chg_approve "$2" "$3" "$4" && git rev-parse HEAD | cut -c1-7)
}

# edit DIR ID SED-SCRIPT NAME EMAIL: edits changes/ID.yaml with SED-SCRIPT
# and commits it as NAME <EMAIL>.
edit () {
	sed -e "$3" "$1/changes/$2.yaml" >"$1/changes/$2.yaml.new" &&
	mv "$1/changes/$2.yaml.new" "$1/changes/$2.yaml" &&
	(cd "$1" && chg_commit "$4" "$5" "Edit $2")
}

# abbrev DIGEST: the digest as stale-approval messages quote it.
abbrev () {
	printf '%s...' "$(printf '%s' "$1" | cut -c1-19)"
}

test_expect_success 'setup: a medium change, approved by a manager' '
	chg_normal_cr CHG-0001 approved | new_repo repo CHG-0001 &&
	old=$(chg -C repo digest CHG-0001) &&
	d=$(approve repo CHG-0001 "Dave Miller" dave@example.com) &&
	echo "$old" >old-digest &&
	echo "$d" >dave-approval &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'changing only the state keeps the approval' '
	edit repo CHG-0001 "s/^state: approved/state: implementing/" "Bob Ops" bob@example.com &&
	edit repo CHG-0001 "s/^state: implementing/state: implemented/" "Bob Ops" bob@example.com &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'adding the review keeps the approval' '
	edit repo CHG-0001 "s/^state: implemented/state: closed/
\$a\\
review:\\
  outcome: successful\\
  actual-start: 2026-12-05T22:03:00Z\\
  actual-end: 2026-12-05T22:40:00Z\\
  notes: |\\
    Both load balancers serve the new certificate." "Bob Ops" bob@example.com &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'a comment or a new layout keeps the approval' '
	edit repo CHG-0001 "1i\\
# Certificate rotation for api.example.com
s/^systems: \\[lb-01, lb-02\\]/systems:\\
  - lb-01\\
  - lb-02/" "Bob Ops" bob@example.com &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'editing the rollback plan makes it stale' '
	edit repo CHG-0001 "s/back to the old certificate/back to the previous certificate/" \
		"Bob Ops" bob@example.com &&
	new=$(chg -C repo digest CHG-0001) &&
	d=$(cat dave-approval) &&
	o=$(abbrev "$(cat old-digest)") &&
	n=$(abbrev "$new") &&
	chg_lint_status 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:5:8: error: CHG-0001 is closed but 0 of the 1 required approval counted (from managers or cab): dave@example.com $d stale-approval [missing-approval]
	changes/CHG-0001.yaml:5:8: error: approval by dave@example.com in $d is stale: it approved $o, the change is now $n; ask for a new approval [stale-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'the old approval stays stale under a later state change' '
	edit repo CHG-0001 "s/^state: closed/state: implemented/" "Jane Doe" jane@example.com &&
	chg_lint_status 1 -C repo &&
	grep "is stale: it approved" actual &&
	grep "CHG-0001 is implemented but 0 of the 1 required approval counted" actual
'

# closed is final: the change goes back to it (t1370)
test_expect_success 'restoring the approved content makes the approval current again' '
	edit repo CHG-0001 "s/back to the previous certificate/back to the old certificate/
s/^state: implemented/state: closed/" "Jane Doe" jane@example.com &&
	test "$(chg -C repo digest CHG-0001)" = "$(cat old-digest)" &&
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'once a new approval holds the quorum, the stale one is not reported' '
	chg_normal_cr CHG-0001 approved | new_repo note CHG-0001 &&
	old=$(chg -C note digest CHG-0001) &&
	d=$(approve note CHG-0001 "Dave Miller" dave@example.com) &&
	edit note CHG-0001 "s/^title: Rotate/title: Renew and rotate/" "Jane Doe" jane@example.com &&
	new=$(chg -C note digest CHG-0001) &&
	approve note CHG-0001 "Carol Nguyen" carol@example.com &&
	chg_lint_status 0 -C note &&
	test_must_be_empty actual &&
	test_must_be_empty stderr
'

test_expect_success '--strict does not fail on a note' '
	chg_lint_status 0 -C note --strict
'

test_expect_success 'a stale approval on a change that needs none yet is a note' '
	chg_normal_cr CHG-0001 requested | new_repo early CHG-0001 &&
	old=$(chg -C early digest CHG-0001) &&
	d=$(approve early CHG-0001 "Dave Miller" dave@example.com) &&
	edit early CHG-0001 "s/^title: Rotate/title: Renew/" "Jane Doe" jane@example.com &&
	new=$(chg -C early digest CHG-0001) &&
	chg_lint_status 0 -C early &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:4:8: note: approval by dave@example.com in $d is stale: it approved $(abbrev "$old"), the change is now $(abbrev "$new"); ask for a new approval [stale-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'an uncommitted edit in the working tree makes it stale too' '
	chg_normal_cr CHG-0001 approved | new_repo worktree CHG-0001 &&
	approve worktree CHG-0001 "Dave Miller" dave@example.com &&
	sed -e "s/^  Switch the listener back/  Switch both listeners back/" \
		worktree/changes/CHG-0001.yaml >worktree/changes/CHG-0001.yaml.new &&
	mv worktree/changes/CHG-0001.yaml.new worktree/changes/CHG-0001.yaml &&
	chg_lint_status 1 -C worktree &&
	grep "^changes/CHG-0001.yaml:4:8: error: approval by dave@example.com in .* is stale: .* \\[stale-approval\\]\$" actual
'

test_done
