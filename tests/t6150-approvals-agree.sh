#!/bin/sh

test_description='chg log, chg show and chg report agree on which approvals counted'

. "$(dirname "$0")"/lib-chg.sh

# The change: high risk, so 2 approvals from cab (alice, carol, erin), all
# signed with SSH keys of .chg/allowed_signers.  Jane requests it and moves
# its state, Bob edits its rollback plan.  First Alice and Carol approve;
# after the edit, Alice and Erin, so that the old and the new approvals are
# told apart by name.  The lifecycle allows the revert approved ->
# requested (the repository's own transitions).

NOW=2026-11-20T12:00:00Z

test_expect_success 'setup: keys' '
	unset SSH_AUTH_SOCK &&
	for k in alice carol erin; do
		ssh-keygen -q -t ed25519 -N "" -C $k -f $k.key || return 1
	done
'

# new_repo DIR: the repository with CHG-0001 requested (c1), approved by
# Alice (a1) and Carol (a2), and approved (c2).
new_repo () {
	git init -q -b main "$1" &&
	mkdir -p "$1/changes" "$1/.chg" &&
	cat >"$1/.chg/policy.yaml" <<-\EOP &&
	version: 1
	extends: default
	lifecycle:
	  transitions:
	    approved: [requested, implementing, cancelled]
	approvals:
	  groups:
	    cab: [alice@example.com, carol@example.com, erin@example.com]
	    managers: [dave@example.com]
	EOP
	for k in alice carol erin; do
		printf "%s@example.com %s\n" $k "$(cut -d" " -f1,2 $k.key.pub)" || return 1
	done >"$1/.chg/allowed_signers" &&
	chg_normal_cr CHG-0001 | sed -e "s/^  level: medium/  level: high/" \
		-e "s/{users-affected: 2, system-criticality: 3,/{users-affected: 3, system-criticality: 4,/" \
		-e "\$a\\
rollback-tested: true" >"$1/changes/CHG-0001.yaml" &&
	(cd "$1" &&
	 at 2026-11-02T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 git tag c1 &&
	 at 2026-11-03T09:00:00Z approve "Alice Example" alice &&
	 git tag a1 &&
	 at 2026-11-03T10:00:00Z approve "Carol Nguyen" carol &&
	 git tag a2 &&
	 edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	 at 2026-11-04T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: approved" &&
	 git tag c2)
}

# approve NAME KEY [DIGEST]: a signed approval of CHG-0001 by NAME
# <KEY@example.com>, of its digest in the working tree unless DIGEST.
approve () {
	_d=${3:-$(chg digest CHG-0001)} &&
	GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL=$2@example.com \
	GIT_COMMITTER_NAME="$1" GIT_COMMITTER_EMAIL=$2@example.com \
	git -c gpg.format=ssh -c user.signingkey="$SHARNESS_TRASH_DIRECTORY/$2.key" \
		commit -q -S --allow-empty -m "Approve CHG-0001" -m "Change-Request: CHG-0001
Change-Digest: $_d
Approved-by: $1 <$2@example.com>"
}

# The amendment, in the current directory: the rollback plan edit (tag
# e), approvals by Alice (a3) and Erin (a4).
rollback_edit () {
	edit changes/CHG-0001.yaml "s/back to the old certificate/back to the previous certificate/"
}

# (a) revert to requested (r), edit, approve, approved again (c5)
amend_revert () {
	edit changes/CHG-0001.yaml "s/^state: approved/state: requested/" &&
	at 2026-11-05T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: back to requested" &&
	git tag r &&
	rollback_edit &&
	at 2026-11-05T10:00:00Z chg_commit "Bob Ops" bob@example.com "CHG-0001: rollback plan" &&
	git tag e &&
	at 2026-11-06T09:00:00Z approve "Alice Example" alice &&
	git tag a3 &&
	at 2026-11-06T10:00:00Z approve "Erin Walsh" erin &&
	git tag a4 &&
	edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	at 2026-11-07T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: approved again" &&
	git tag c5
}

# (b) edit while approved, then approve
amend_in_place () {
	rollback_edit &&
	at 2026-11-05T10:00:00Z chg_commit "Bob Ops" bob@example.com "CHG-0001: rollback plan" &&
	git tag e &&
	at 2026-11-06T09:00:00Z approve "Alice Example" alice &&
	git tag a3 &&
	at 2026-11-06T10:00:00Z approve "Erin Walsh" erin &&
	git tag a4
}

# (c) the approvers sign the digest of an edit not committed yet, then it
# is committed
amend_by_hand () {
	rollback_edit &&
	d=$(chg digest CHG-0001) &&
	at 2026-11-06T09:00:00Z approve "Alice Example" alice "$d" &&
	git tag a3 &&
	at 2026-11-06T10:00:00Z approve "Erin Walsh" erin "$d" &&
	git tag a4 &&
	at 2026-11-07T10:00:00Z chg_commit "Bob Ops" bob@example.com "CHG-0001: rollback plan" &&
	git tag e
}

# tags DIR: stdin with each {TAG} replaced by the short id of that tag in
# DIR.
tags () {
	git -C "$1" tag | while read -r t; do
		printf 's/{%s}/%s/g\n' "$t" "$(git -C "$1" rev-parse "$t^{commit}" | cut -c1-7)"
	done >tags.sed &&
	sed -f tags.sed
}

test_expect_success 'setup: each amendment on main, and on a branch merged with --no-ff' '
	for how in revert in_place by_hand; do
		new_repo main-$how &&
		(cd main-$how && amend_$how) &&
		new_repo merge-$how &&
		(cd merge-$how && git checkout -q -b amend && amend_$how &&
		 git checkout -q main &&
		 at 2026-11-08T09:00:00Z git merge -q --no-ff -m "Merge the amendment" amend &&
		 git tag m) || return 1
	done
'

for repo in main-revert merge-revert main-in_place merge-in_place main-by_hand merge-by_hand; do

test_expect_success "$repo: chg-lint counts Alice and Erin and reports nothing" '
	chg_lint_status 0 -C $repo &&
	test_must_be_empty actual &&
	test_must_be_empty stderr
'

test_expect_success "$repo: chg show counts the new approvals, and says where the old went stale" '
	chg -C $repo show --now $NOW CHG-0001 >out &&
	old=$(chg -C $repo digest --rev c1 CHG-0001 | cut -c1-19) &&
	sed -n "/^approvals:/,/^rejections:/p" out >actual &&
	tags $repo >expect <<-EOF &&
	approvals: 2 of 2 counted (from cab; rule when risk.level is high or critical)
	  stale           {a1}  alice@example.com: approved $old; the change was edited in {e}
	  stale           {a2}  carol@example.com: approved $old; the change was edited in {e}
	  counted         {a3}  alice@example.com
	  counted         {a4}  erin@example.com
	rejections: none
	EOF
	test_cmp expect actual &&
	grep "^findings: none\$" out &&
	chg -C $repo show --format json --now $NOW CHG-0001 >out.json &&
	perl -MJSON::PP -e '"'"'
		local $/; my $j = decode_json(<STDIN>);
		print join(" ", $_->{verdict}, substr($_->{commit}, 0, 7),
			   $_->{stale_since} ? substr($_->{stale_since}, 0, 7) : "-"), "\n"
			for @{$j->{approvals}{items}};
	'"'"' <out.json >actual &&
	tags $repo >expect <<-\EOF &&
	stale {a1} {e}
	stale {a2} {e}
	counted {a3} -
	counted {a4} -
	EOF
	test_cmp expect actual
'

test_expect_success "$repo: chg report names Alice and Erin, not Carol" '
	chg -C $repo report --month 2026-12 --now $NOW >out &&
	grep "^- Approved by: " out >actual &&
	echo "- Approved by: Alice Example \\<alice@example.com\\>; Erin Walsh \\<erin@example.com\\>" >expect &&
	test_cmp expect actual &&
	chg -C $repo report --month 2026-12 --now $NOW --format csv >out.csv &&
	grep -F ",Alice Example <alice@example.com>; Erin Walsh <erin@example.com>," out.csv
'

test_expect_success "$repo: the three agree: the approvals chg show counts are chg report's" '
	chg -C $repo show --format json --now $NOW CHG-0001 >out.json &&
	chg -C $repo report --month 2026-12 --now $NOW >out &&
	perl -MJSON::PP -e '"'"'
		local $/; my $j = decode_json(<STDIN>);
		print join("; ", map { $_->{approver} } grep { $_->{verdict} eq "counted" }
			   @{$j->{approvals}{items}}), "\n";
	'"'"' <out.json >from-show &&
	sed -n "s/^- Approved by: //p" out | sed "s/\\\\</</g; s/\\\\>/>/g" >from-report &&
	test_cmp from-show from-report
'

done

test_expect_success 'revert: the edit makes Alice and Carol stale; each entry lists its own approvals' '
	chg -C main-revert log CHG-0001 >out &&
	grep " updated " out | sed "s/.*Bob Ops *//" >actual &&
	echo "rollback-plan; makes approvals by alice@example.com ({a1}), carol@example.com ({a2}) stale" |
	tags main-revert >expect &&
	test_cmp expect actual &&
	chg -C main-revert log --format jsonl CHG-0001 >out.jsonl &&
	perl -MJSON::PP -ne '"'"'
		my $e = decode_json($_);
		my $l = sub { my $a = $e->{$_[0]}; defined $a ?
			"[" . join(" ", map { substr($_->{commit}, 0, 7) } @$a) . "]" : "-" };
		print join(" ", substr($e->{commit}, 0, 7), $e->{type}, $e->{verdict} // "-",
			   defined $e->{matched} ? ($e->{matched} ? "matched" : "unmatched") : "-",
			   $l->("counted"), $l->("makes_stale"), $l->("makes_current")), "\n";
	'"'"' <out.jsonl >actual &&
	tags main-revert >expect <<-\EOF &&
	{c1} created - - - - -
	{a1} approved counted matched - - -
	{a2} approved counted matched - - -
	{c2} state - - [{a1} {a2}] - -
	{r} state - - - - -
	{e} updated - - - [{a1} {a2}] []
	{a3} approved counted matched - - -
	{a4} approved counted matched - - -
	{c5} state - - [{a3} {a4}] - -
	EOF
	test_cmp expect actual
'

test_expect_success 'revert: chg report dates the approval at the new entry, the one its approvers counted for' '
	for repo in main-revert merge-revert; do
		chg -C $repo report --month 2026-12 --now $NOW >out &&
		grep "^- Timeline: " out >actual &&
		echo "- Timeline: requested 2026-11-02 09:00, approved 2026-11-07 09:00, implemented -" >expect &&
		test_cmp expect actual &&
		chg -C $repo report --month 2026-12 --now $NOW --format csv >out.csv &&
		grep -F ",2026-11-02T09:00:00Z,2026-11-07T09:00:00Z,," out.csv || return 1
	done
'

test_expect_success 'revert via a merge: the same trail, at the branch commits' '
	chg -C merge-revert log --format jsonl CHG-0001 >merged.jsonl &&
	chg -C main-revert log --format jsonl CHG-0001 >main.jsonl &&
	test_cmp main.jsonl merged.jsonl
'

test_expect_success 'edit while approved: the entry had Alice and Carol; the edit makes them stale' '
	chg -C merge-in_place log --format jsonl CHG-0001 >out.jsonl &&
	perl -MJSON::PP -ne '"'"'
		my $e = decode_json($_);
		my $l = sub { my $a = $e->{$_[0]}; defined $a ?
			"[" . join(" ", map { substr($_->{commit}, 0, 7) } @$a) . "]" : "-" };
		print join(" ", substr($e->{commit}, 0, 7), $e->{type},
			   $l->("counted"), $l->("makes_stale")), "\n"
			if $e->{type} eq "state" || $e->{type} eq "updated";
	'"'"' <out.jsonl >actual &&
	tags merge-in_place >expect <<-\EOF &&
	{c2} state [{a1} {a2}] -
	{e} updated - [{a1} {a2}]
	EOF
	test_cmp expect actual
'

test_expect_success 'by hand: approvals of the uncommitted edit were not the content then, and count from its commit' '
	chg -C main-by_hand log CHG-0001 >out &&
	grep -e " approved " -e " updated " out | sed "s/^.*  CHG-0001   //; s/ key .*//" >actual &&
	new=$(chg -C main-by_hand digest CHG-0001 | cut -c1-19) &&
	old=$(chg -C main-by_hand digest --rev c1 CHG-0001 | cut -c1-19) &&
	tags main-by_hand >expect <<-EOF &&
	approved  Alice Example     alice@example.com counted $old
	approved  Carol Nguyen      carol@example.com counted $old
	approved  Alice Example     alice@example.com stale $new
	approved  Erin Walsh        erin@example.com stale $new
	updated   Bob Ops           rollback-plan; makes approvals by alice@example.com ({a1}), carol@example.com ({a2}) stale; makes approvals by alice@example.com ({a3}), erin@example.com ({a4}) count
	EOF
	test_cmp expect actual &&
	chg -C main-by_hand log --format jsonl CHG-0001 >out.jsonl &&
	perl -MJSON::PP -ne '"'"'
		my $e = decode_json($_);
		print substr($e->{commit}, 0, 7), " ", $e->{matched} ? "matched" : "unmatched", "\n"
			if $e->{type} eq "approved";
	'"'"' <out.jsonl >actual &&
	tags main-by_hand >expect <<-\EOF &&
	{a1} matched
	{a2} matched
	{a3} unmatched
	{a4} unmatched
	EOF
	test_cmp expect actual &&
	chg -C main-by_hand log --format csv CHG-0001 | tr -d "\r" >out.csv &&
	grep "^updated," out.csv | cut -d, -f25- >actual &&
	printf ",,alice@example.com %s;carol@example.com %s,alice@example.com %s;erin@example.com %s\n" \
		$(git -C main-by_hand rev-parse a1 a2 a3 a4) >expect &&
	test_cmp expect actual
'

test_expect_success 'stale once: the edit reports it; chg-lint does not repeat it on every run' '
	chg -C main-in_place log >out &&
	test "$(grep -c "stale" out)" -eq 1 &&
	chg_lint_status 0 -C main-in_place &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C main-in_place &&
	test_must_be_empty actual &&
	chg_lint_status 0 -C main-in_place --rev HEAD &&
	test_must_be_empty actual
'

test_expect_success 'stale once: while the quorum is missing, the stale approvals are errors' '
	chg_lint_status 1 -C main-in_place --rev e &&
	grep -c "error: approval by .* is stale: .*\\[stale-approval\\]\$" actual >count &&
	echo 2 >expect &&
	test_cmp expect count &&
	grep "CHG-0001 is approved but 0 of the 2 required approvals counted" actual &&
	chg_lint_status 1 -C main-in_place --rev a3 &&
	grep -c "\\[stale-approval\\]\$" actual >count &&
	test_cmp expect count
'

test_done
