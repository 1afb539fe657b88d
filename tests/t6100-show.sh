#!/bin/sh

test_description='chg show: a change request with its derived status'

. "$(dirname "$0")"/lib-chg.sh

test_expect_success 'setup: CHG-0001 depends on CHG-0002; stale, counted and self approvals' '
	chg_repo r &&
	chg_normal_cr CHG-0002 approved |
	sed "s/2026-12-05T2/2026-12-01T2/g" >r/changes/CHG-0002.yaml &&
	{ chg_normal_cr CHG-0001 && echo "depends-on: [CHG-0002]"; } >r/changes/CHG-0001.yaml &&
	(cd r &&
	 at 2026-10-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001 and CHG-0002" &&
	 git tag c1 &&
	 at 2026-10-02T09:00:00Z chg_approve CHG-0001 "Carol Nguyen" carol@example.com &&
	 git tag c2 &&
	 edit changes/CHG-0001.yaml "s/Switch the listener back/Switch both listeners back/" &&
	 at 2026-10-03T09:00:00Z chg_commit "Bob Ops" bob@example.com "Edit CHG-0001" &&
	 git tag c3 &&
	 at 2026-10-04T09:00:00Z chg_approve CHG-0001 "Dave Miller" dave@example.com &&
	 git tag c4 &&
	 at 2026-10-05T09:00:00Z chg_approve CHG-0001 "Jane Doe" jane@example.com &&
	 git tag c5 &&
	 edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	 at 2026-10-06T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: approved" &&
	 git tag c6)
'

test_expect_success 'show: the change, its approvals and why, dependencies, history' '
	chg -C r show --now "$CHG_TEST_NOW" CHG-0001 >actual &&
	d=$(chg -C r digest CHG-0001) &&
	old=$(chg -C r digest --rev c1 CHG-0001 | cut -c1-19) &&
	new=$(printf "%s" "$d" | cut -c1-19) &&
	expand_tags >expect <<-EOF &&
	CHG-0001: Rotate the TLS certificate of api.example.com
	file:       changes/CHG-0001.yaml
	type:       normal
	state:      approved
	requester:  Jane Doe <jane@example.com>
	owner:      Bob Ops <bob@example.com>
	client:     (none)
	risk:       medium; assessed medium (scored 11: users-affected 2 + system-criticality 3 + security 2 + rollback-difficulty 2 + timing 2 -> medium; declared medium)
	window:     2026-12-05T22:00:00Z to 2026-12-05T23:00:00Z (1h)
	digest:     $d

	approvals: 1 of 1 counted (from managers or cab)
	  stale           {c2}  carol@example.com: approved $old; the change was edited in {c3}
	  counted         {c4}  dave@example.com
	  self            {c5}  approval by jane@example.com in {c5} does not count: jane@example.com requested this change
	rejections: none
	dependencies:
	  CHG-0002   approved
	findings:
	  4:8: warning: approval by jane@example.com in {c5} does not count: jane@example.com requested this change [self-approval]
	history:
	  2026-10-01  {c1}  created   requested
	  2026-10-02  {c2}  approved  carol@example.com counted
	  2026-10-03  {c3}  updated   rollback-plan; makes approvals by carol@example.com ({c2}) stale
	  2026-10-04  {c4}  approved  dave@example.com counted
	  2026-10-05  {c5}  approved  jane@example.com self
	  2026-10-06  {c6}  state     requested -> approved
	EOF
	test_cmp expect actual
'

test_expect_success 'show --format json: the same, parsed by JSON::PP' '
	chg -C r show --format json --now "$CHG_TEST_NOW" CHG-0001 >actual.json &&
	perl -MJSON::PP -e '"'"'
		local $/; my $j = decode_json(<STDIN>);
		my $a = $j->{approvals};
		print join(" ", $j->{id}, $j->{state}, $j->{type}, $j->{risk}{assessed},
			   $j->{risk}{score}, $j->{window}{duration_seconds},
			   $a->{counted}, $a->{required}, $a->{from},
			   $j->{trust_approved} ? "trusted" : "untrusted"), "\n";
		print join(" ", $_->{verdict}, substr($_->{commit}, 0, 7),
			   $_->{email}, $_->{rule} // "-"), "\n" for @{$a->{items}};
		print "dep $_->{id} $_->{state}\n" for @{$j->{dependencies}};
		print "finding $_->{line}:$_->{column} $_->{severity} $_->{rule}\n" for @{$j->{findings}};
		print "history $_->{commit} $_->{type} $_->{detail}\n" for @{$j->{history}};
	'"'"' <actual.json >actual &&
	expand_tags >expect <<-\EOF &&
	CHG-0001 approved normal medium 11 3600 1 1 managers or cab trusted
	stale {c2} carol@example.com stale-approval
	counted {c4} dave@example.com -
	self {c5} jane@example.com self-approval
	dep CHG-0002 approved
	finding 4:8 warning self-approval
	history {c1} created requested
	history {c2} approved carol@example.com counted
	history {c3} updated rollback-plan; makes approvals by carol@example.com ({c2}) stale
	history {c4} approved dave@example.com counted
	history {c5} approved jane@example.com self
	history {c6} state requested -> approved
	EOF
	test_cmp expect actual
'

test_expect_success 'show --rev: as of an earlier commit' '
	chg -C r show --rev c3 --now "$CHG_TEST_NOW" CHG-0001 >actual &&
	grep "^state:      requested\$" actual &&
	grep "^approvals: 0 of 1 counted (from managers or cab); not needed in this state\$" actual &&
	! grep "{c4}\|approved  dave" actual &&
	test "$(sed -n "/^history:/,\$p" actual | wc -l)" -eq 4
'

test_expect_success 'show: a quorum that does not hold is an error: exit 1' '
	test_expect_code 1 chg -C r show --now "$CHG_TEST_NOW" CHG-0002 >actual &&
	grep "^approvals: 0 of 1 counted" actual &&
	grep "error: .*\[missing-approval\]\$" actual &&
	grep "^dependencies: none\$" actual
'

test_expect_success 'show: an unknown id exits 1 and says so' '
	test_expect_code 1 chg -C r show CHG-0099 >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg show: no change request has id '"'"'CHG-0099'"'"'" >expect &&
	test_cmp expect err
'

test_expect_success 'show: usage errors exit 2' '
	test_expect_code 2 chg -C r show 2>err &&
	grep "expected one change request id" err &&
	test_expect_code 2 chg -C r show --format xml CHG-0001 2>err &&
	grep "unknown format" err &&
	test_expect_code 2 chg -C r show CHG-0001 CHG-0002 2>err
'

test_expect_success 'show: not a repository exits 3' '
	mkdir plain &&
	test_expect_code 3 chg -C plain show CHG-0001 2>err &&
	grep "not a git repository" err
'

test_expect_success 'show: the history has the versions that were not valid' '
	(cd r &&
	 edit changes/CHG-0002.yaml "s/^systems: \[lb-01, lb-02\]/systems: [lb-01, lb-02/" &&
	 at 2026-10-07T09:00:00Z chg_commit "Bob Ops" bob@example.com "Break CHG-0002" &&
	 git tag c7 &&
	 edit changes/CHG-0002.yaml "s/^systems: .*/systems: [lb-01, lb-02]/" &&
	 echo "owner: Carol Nguyen <carol@example.com>" >>changes/CHG-0002.yaml &&
	 at 2026-10-08T09:00:00Z chg_commit "Bob Ops" bob@example.com "Give CHG-0002 two owners" &&
	 git tag c8 &&
	 edit changes/CHG-0002.yaml "/^owner: Carol/d
s/^systems: .*/systems: [lb-01, lb-02, lb-03]/" &&
	 at 2026-10-09T09:00:00Z chg_commit "Carol Nguyen" carol@example.com "Fix CHG-0002" &&
	 git tag c9) &&
	test_expect_code 1 chg -C r show --now "$CHG_TEST_NOW" CHG-0002 >actual &&
	sed -n "/^history:/,\$p" actual >history &&
	expand_tags >expect <<-\EOF &&
	history:
	  2026-10-01  {c1}  created   approved
	  2026-10-07  {c7}  updated   invalid: yaml-syntax at 12:7
	  2026-10-08  {c8}  updated   invalid: duplicate-key at 21:1
	  2026-10-09  {c9}  updated   systems[2]
	EOF
	test_cmp expect history &&
	test_expect_code 1 chg -C r show --format json --now "$CHG_TEST_NOW" CHG-0002 >actual.json &&
	perl -MJSON::PP -e '"'"'
		local $/; my $j = decode_json(<STDIN>);
		print "$_->{commit} $_->{type} $_->{detail}\n" for @{$j->{history}};
	'"'"' <actual.json >actual &&
	expand_tags >expect <<-\EOF &&
	{c1} created approved
	{c7} updated invalid: yaml-syntax at 12:7
	{c8} updated invalid: duplicate-key at 21:1
	{c9} updated systems[2]
	EOF
	test_cmp expect actual
'

test_done
