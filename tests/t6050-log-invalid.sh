#!/bin/sh

test_description='chg log: commits that leave a change request not valid are in the trail'

. "$(dirname "$0")"/lib-chg.sh

test_expect_success 'setup: a change request broken, then fixed with a field change' '
	chg_repo r &&
	chg_normal_cr CHG-0001 | sed "s/^type: normal/type: normal\\
client: acme/" >r/changes/CHG-0001.yaml &&
	(cd r &&
	 at 2026-10-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 git tag c1 &&
	 edit changes/CHG-0001.yaml "s/^systems: \[lb-01, lb-02\]/systems: [lb-01, lb-02/" &&
	 at 2026-10-02T09:00:00Z chg_commit "Bob Ops" bob@example.com "Break CHG-0001" &&
	 git tag c2 &&
	 edit changes/CHG-0001.yaml "s/^systems: .*/systems: [lb-01, lb-02, lb-03]/" &&
	 at 2026-10-03T09:00:00Z chg_commit "Carol Nguyen" carol@example.com "Fix CHG-0001" &&
	 git tag c3)
'

test_expect_success 'setup: a duplicate key, fixed with a field and a state change' '
	(cd r &&
	 echo "title: Rotate it" >>changes/CHG-0001.yaml &&
	 at 2026-10-04T09:00:00Z chg_commit "Bob Ops" bob@example.com "Retitle CHG-0001" &&
	 git tag c4 &&
	 edit changes/CHG-0001.yaml "/^title: Rotate it/d
s/^owner: .*/owner: Carol Nguyen <carol@example.com>/
s/^state: requested/state: cancelled/" &&
	 at 2026-10-05T09:00:00Z chg_commit "Jane Doe" jane@example.com "Cancel CHG-0001" &&
	 git tag c5)
'

test_expect_success 'setup: broken, then moved and fixed; broken, renamed, removed' '
	mkdir r/changes/globex &&
	chg_normal_cr CHG-0002 | sed "s/^type: normal/type: normal\\
client: globex/" >r/changes/CHG-0002.yaml &&
	(cd r &&
	 at 2026-10-06T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0002" &&
	 git tag d1 &&
	 echo "bad: [" >>changes/CHG-0002.yaml &&
	 at 2026-10-07T09:00:00Z chg_commit "Bob Ops" bob@example.com "Break CHG-0002" &&
	 git tag d2 &&
	 git mv changes/CHG-0002.yaml changes/globex/CHG-0002.yaml &&
	 edit changes/globex/CHG-0002.yaml "/^bad:/d
s/^title: .*/title: Rotate the globex certificate/" &&
	 at 2026-10-08T09:00:00Z chg_commit "Carol Nguyen" carol@example.com "Move and fix CHG-0002" &&
	 git tag d3 &&
	 edit changes/globex/CHG-0002.yaml "/^id:/d" &&
	 at 2026-10-09T09:00:00Z chg_commit "Bob Ops" bob@example.com "Drop the id of CHG-0002" &&
	 git tag d4 &&
	 git mv changes/globex/CHG-0002.yaml changes/CHG-0002.yaml &&
	 at 2026-10-10T09:00:00Z chg_commit "Bob Ops" bob@example.com "Move CHG-0002 back" &&
	 git tag d5 &&
	 echo "bad: [" >>changes/CHG-0002.yaml &&
	 at 2026-10-11T09:00:00Z chg_commit "Bob Ops" bob@example.com "Break CHG-0002 more" &&
	 git tag d6 &&
	 git rm -q changes/CHG-0002.yaml &&
	 at 2026-10-12T09:00:00Z chg_commit "Jane Doe" jane@example.com "Remove CHG-0002" &&
	 git tag d7)
'

test_expect_success 'setup: a new file that is valid only from its second version' '
	printf "id: CHG-0003\ntitle: [\n" >r/changes/CHG-0003.yaml &&
	(cd r &&
	 at 2026-10-13T09:00:00Z chg_commit "Bob Ops" bob@example.com "Start CHG-0003" &&
	 git tag e1) &&
	chg_normal_cr CHG-0003 >r/changes/CHG-0003.yaml &&
	(cd r &&
	 at 2026-10-14T09:00:00Z chg_commit "Bob Ops" bob@example.com "Request CHG-0003" &&
	 git tag e2)
'

test_expect_success 'text: each invalid version at its own commit, with rule and position' '
	chg -C r log >actual &&
	expand_tags >expect <<-\EOF &&
	2026-10-01 09:00 +00:00  {c1}  CHG-0001   created   Jane Doe          changes/CHG-0001.yaml (requested)
	2026-10-02 09:00 +00:00  {c2}  CHG-0001   updated   Bob Ops           (invalid: yaml-syntax at 13:7) did not find expected '"'"','"'"' or '"'"']'"'"' while parsing a flow sequence started at line 12, column 10
	2026-10-03 09:00 +00:00  {c3}  CHG-0001   updated   Carol Nguyen      systems[2]
	2026-10-04 09:00 +00:00  {c4}  CHG-0001   updated   Bob Ops           (invalid: duplicate-key at 22:1) duplicate key '"'"'title'"'"' (first defined at line 2)
	2026-10-05 09:00 +00:00  {c5}  CHG-0001   updated   Jane Doe          owner
	2026-10-05 09:00 +00:00  {c5}  CHG-0001   state     Jane Doe          requested -> cancelled
	2026-10-06 09:00 +00:00  {d1}  CHG-0002   created   Jane Doe          changes/CHG-0002.yaml (requested)
	2026-10-07 09:00 +00:00  {d2}  CHG-0002   updated   Bob Ops           (invalid: yaml-syntax at 23:1) did not find expected node content while parsing a flow node
	2026-10-08 09:00 +00:00  {d3}  CHG-0002   moved     Carol Nguyen      changes/CHG-0002.yaml -> changes/globex/CHG-0002.yaml
	2026-10-08 09:00 +00:00  {d3}  CHG-0002   updated   Carol Nguyen      title
	2026-10-09 09:00 +00:00  {d4}  CHG-0002   updated   Bob Ops           (invalid: required-field at 1:1) id is required
	2026-10-10 09:00 +00:00  {d5}  CHG-0002   moved     Bob Ops           changes/globex/CHG-0002.yaml -> changes/CHG-0002.yaml
	2026-10-11 09:00 +00:00  {d6}  CHG-0002   updated   Bob Ops           (invalid: yaml-syntax at 22:1) did not find expected node content while parsing a flow node
	2026-10-12 09:00 +00:00  {d7}  CHG-0002   deleted   Jane Doe          changes/CHG-0002.yaml
	2026-10-14 09:00 +00:00  {e2}  CHG-0003   created   Bob Ops           changes/CHG-0003.yaml (requested)
	EOF
	test_cmp expect actual &&
	cp expect expect.all
'

test_expect_success 'every commit that changed a change request is in the trail' '
	# e1 is the one exception: a file that has never been valid belongs
	# to no change request (its first valid version is created at e2)
	git -C r rev-list --reverse HEAD -- changes >touched &&
	test "$(wc -l <touched)" -eq 14 &&
	e1=$(git -C r rev-parse e1) &&
	chg -C r log --format jsonl >actual &&
	perl -MJSON::PP -ne "print decode_json(\$_)->{commit}, qq(\n)" <actual |
	uniq >logged &&
	grep -v "^$e1\$" touched >expect &&
	test_cmp expect logged
'

test_expect_success 'the --invalid option is gone: the trail has them always' '
	test_expect_code 2 chg -C r log --invalid 2>err &&
	grep "unknown option '"'"'--invalid'"'"'" err
'

test_expect_success 'jsonl: invalid, rule, line, column and message after the other keys' '
	chg -C r log --format jsonl >actual &&
	perl -MJSON::PP -e '"'"'
		my @want = qw(type change commit author author_email author_date
			      committer committer_email committer_date subject
			      fields from to approver digest verdict fingerprint
			      outcome path invalid rule line column message);
		while (my $line = <STDIN>) {
			my @keys = $line =~ /"([a-z_]+)":/g;
			my %seen;
			@keys = grep { !$seen{$_}++ } @keys;
			# top-level keys come first in each object as written
			die "keys: @keys\n" unless join(",", @keys[0 .. $#want]) eq join(",", @want);
			my $e = JSON::PP->new->utf8->decode($line);
			my $f = $e->{fields};
			print join("|", substr($e->{commit}, 0, 7), $e->{type}, $e->{change},
				   $e->{invalid} ? "true" : "false",
				   map({ defined $_ ? $_ : "-" } @$e{qw(rule line column)}),
				   defined $f ? "[" . join(" ", @$f) . "]" : "-",
				   defined $e->{message} ? "message" : "-"), "\n";
		}'"'"' <actual >summary &&
	expand_tags >expect <<-\EOF &&
	{c1}|created|CHG-0001|false|-|-|-|-|-
	{c2}|updated|CHG-0001|true|yaml-syntax|13|7|[]|message
	{c3}|updated|CHG-0001|false|-|-|-|[systems[2]]|-
	{c4}|updated|CHG-0001|true|duplicate-key|22|1|[]|message
	{c5}|updated|CHG-0001|false|-|-|-|[owner]|-
	{c5}|state|CHG-0001|false|-|-|-|-|-
	{d1}|created|CHG-0002|false|-|-|-|-|-
	{d2}|updated|CHG-0002|true|yaml-syntax|23|1|[]|message
	{d3}|moved|CHG-0002|false|-|-|-|-|-
	{d3}|updated|CHG-0002|false|-|-|-|[title]|-
	{d4}|updated|CHG-0002|true|required-field|1|1|[]|message
	{d5}|moved|CHG-0002|false|-|-|-|-|-
	{d6}|updated|CHG-0002|true|yaml-syntax|22|1|[]|message
	{d7}|deleted|CHG-0002|false|-|-|-|-|-
	{e2}|created|CHG-0003|false|-|-|-|-|-
	EOF
	test_cmp expect summary &&
	grep "\"message\":\"duplicate key '"'"'title'"'"' (first defined at line 2)\"" actual &&
	# a valid event carries the keys too, false and null
	test "$(grep -c ",\"invalid\":false,\"rule\":null,\"line\":null,\"column\":null,\"message\":null," actual)" -eq 10
'

test_expect_success 'csv: the new columns at the end, the others where they were' '
	chg -C r log --format csv | tr -d "\r" >actual &&
	head -n 1 actual >header &&
	echo "type,change,commit,author,author_email,author_date,committer,committer_email,committer_date,subject,fields,from,to,approver,digest,verdict,fingerprint,outcome,path,invalid,rule,line,column,message,matched,counted,makes_stale,makes_current" >expect &&
	test_cmp expect header &&
	c2=$(git -C r rev-parse c2) && c3=$(git -C r rev-parse c3) &&
	cat >expect <<-EOF &&
	updated,CHG-0001,$c2,Bob Ops,bob@example.com,2026-10-02T09:00:00+00:00,Bob Ops,bob@example.com,2026-10-02T09:00:00+00:00,Break CHG-0001,,,,,,,,,changes/CHG-0001.yaml,true,yaml-syntax,13,7,"did not find expected '"'"','"'"' or '"'"']'"'"' while parsing a flow sequence started at line 12, column 10",,,,
	updated,CHG-0001,$c3,Carol Nguyen,carol@example.com,2026-10-03T09:00:00+00:00,Carol Nguyen,carol@example.com,2026-10-03T09:00:00+00:00,Fix CHG-0001,systems[2],,,,,,,,changes/CHG-0001.yaml,false,,,,,,,,
	EOF
	grep -e ",$c2," -e ",$c3," actual >got &&
	test_cmp expect got &&
	test "$(grep -c ",true," actual)" -eq 5 &&
	test "$(grep -c ",false,,,,,,,,\$" actual)" -eq 10
'

test_expect_success 'filters: client and type of the last valid version, ids, dates' '
	chg -C r log --client acme >actual &&
	grep "CHG-0001" expect.all >expect.acme &&
	test_cmp expect.acme actual &&
	chg -C r log --client globex >actual &&
	grep "CHG-0002" expect.all >expect.globex &&
	test_cmp expect.globex actual &&
	test "$(grep -c "(invalid: " actual)" -eq 3 &&
	chg -C r log --type normal >actual &&
	test_cmp expect.all actual &&
	chg -C r log --type emergency >actual &&
	test_must_be_empty actual &&
	chg -C r log CHG-0002 >actual &&
	test_cmp expect.globex actual &&
	chg -C r log --since 2026-10-02 --until 2026-10-02 >actual &&
	grep "^2026-10-02 " expect.all >expect.c2 &&
	test_cmp expect.c2 actual &&
	chg -C r log --since 2026-10-03 --until 2026-10-03 >actual &&
	grep "^2026-10-03 " expect.all >expect.c3 &&
	test_cmp expect.c3 actual
'

test_expect_success 'a repair that restores the last valid content has no event' '
	(cd r &&
	 echo "bad: [" >>changes/CHG-0003.yaml &&
	 at 2026-10-15T09:00:00Z chg_commit "Bob Ops" bob@example.com "Break CHG-0003" &&
	 git tag e3 &&
	 git checkout -q e2 -- changes/CHG-0003.yaml &&
	 at 2026-10-16T09:00:00Z chg_commit "Jane Doe" jane@example.com "Restore CHG-0003" &&
	 git tag e4) &&
	chg -C r log CHG-0003 >actual &&
	expand_tags >expect <<-\EOF &&
	2026-10-14 09:00 +00:00  {e2}  CHG-0003   created   Bob Ops           changes/CHG-0003.yaml (requested)
	2026-10-15 09:00 +00:00  {e3}  CHG-0003   updated   Bob Ops           (invalid: yaml-syntax at 22:1) did not find expected node content while parsing a flow node
	EOF
	test_cmp expect actual
'

test_expect_success 'show has the invalid versions too; report and audit --verify run' '
	chg -C r show --now "$CHG_TEST_NOW" CHG-0001 >actual &&
	sed -n "/^history:/,\$p" actual >history &&
	expand_tags >expect <<-\EOF &&
	history:
	  2026-10-01  {c1}  created   requested
	  2026-10-02  {c2}  updated   invalid: yaml-syntax at 13:7
	  2026-10-03  {c3}  updated   systems[2]
	  2026-10-04  {c4}  updated   invalid: duplicate-key at 22:1
	  2026-10-05  {c5}  updated   owner
	  2026-10-05  {c5}  state     requested -> cancelled
	EOF
	test_cmp expect history &&
	chg -C r report --month 2026-10 --now "$CHG_TEST_NOW" --format csv >actual &&
	chg -C r audit --verify --now "$CHG_TEST_NOW" >actual
'

test_done
