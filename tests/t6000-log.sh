#!/bin/sh

test_description='chg log: the audit trail of change requests from history'

. "$(dirname "$0")"/lib-chg.sh

# lines N FILE: FILE has N lines.
lines () {
	test "$(wc -l <"$2")" -eq "$1" || {
		echo "'$2' has $(wc -l <"$2") lines, not $1" >&2
		return 1
	}
}

# merge_as NAME EMAIL DATE ARGS...: git merge as that person at DATE.
merge_as () {
	_n=$1 _e=$2 _d=$3
	shift 3
	GIT_AUTHOR_NAME=$_n GIT_AUTHOR_EMAIL=$_e GIT_COMMITTER_NAME=$_n \
	GIT_COMMITTER_EMAIL=$_e GIT_AUTHOR_DATE=$_d GIT_COMMITTER_DATE=$_d \
	git merge -q --no-ff --no-edit "$@"
}

test_expect_success 'setup: a root commit requests CHG-0001' '
	chg_repo r &&
	chg_normal_cr CHG-0001 >r/changes/CHG-0001.yaml &&
	(cd r && at 2026-10-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 git tag c1) &&
	chg -C r log >actual &&
	echo "2026-10-01 09:00 +00:00  {c1}  CHG-0001   created   Jane Doe          changes/CHG-0001.yaml (requested)" |
	expand_tags >expect &&
	test_cmp expect actual
'

test_expect_success 'setup: edits, approvals, a state change, a second change' '
	(cd r &&
	 edit changes/CHG-0001.yaml "s/Switch the listener back/Switch both listeners back/
s/^systems: \[lb-01, lb-02\]/systems: [lb-01, lb-02, lb-03]/" &&
	 at 2026-10-02T09:00:00+02:00 chg_commit "Bob Ops" bob@example.com "Edit CHG-0001" &&
	 git tag c2 &&
	 at 2026-10-03T09:00:00Z chg_approve CHG-0001 "Dave Miller" dave@example.com &&
	 git tag c3 &&
	 at 2026-10-04T09:00:00Z chg_approve CHG-0001 "Carol Nguyen" carol@example.com \
		"$(chg digest --rev c1 CHG-0001)" &&
	 git tag c4 &&
	 at 2026-10-04T10:00:00Z chg_approve CHG-0001 "Jane Doe" jane@example.com &&
	 git tag c4s &&
	 at 2026-10-04T11:00:00Z chg_approve CHG-0001 "Erin Walsh" erin@example.com &&
	 git tag c4n &&
	 edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	 at 2026-10-05T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: approved" &&
	 git tag c5 &&
	 mkdir changes/acme &&
	 chg_normal_cr CHG-0002 | sed "s/^type: normal/type: normal\\
client: acme/" >changes/acme/CHG-0002.yaml &&
	 at 2026-10-06T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0002" &&
	 git tag c6 &&
	 at 2026-10-07T09:00:00Z git commit -q --allow-empty -m "Reject CHG-0002" \
		-m "Not during the audit." \
		-m "Change-Request: CHG-0002
Change-Digest: $(chg digest CHG-0002)
Rejected-by: Jane Doe <jane@example.com>" &&
	 git tag c7 &&
	 edit changes/acme/CHG-0002.yaml "s/^state: requested/state: rejected/" &&
	 at 2026-10-08T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0002: rejected" &&
	 git tag c8)
'

test_expect_success 'verdicts: counted, stale, self, not-allowed; a rejection' '
	chg -C r log --since 2026-10-02 >actual &&
	old=$(chg -C r digest --rev c1 CHG-0001 | cut -c1-19) &&
	new=$(chg -C r digest --rev c2 CHG-0001 | cut -c1-19) &&
	two=$(chg -C r digest --rev c6 CHG-0002 | cut -c1-19) &&
	test "$old" != "$new" &&
	expand_tags >expect <<-EOF &&
	2026-10-02 09:00 +02:00  {c2}  CHG-0001   updated   Bob Ops           rollback-plan, systems[2]
	2026-10-03 09:00 +00:00  {c3}  CHG-0001   approved  Dave Miller       dave@example.com counted $new
	2026-10-04 09:00 +00:00  {c4}  CHG-0001   approved  Carol Nguyen      carol@example.com stale $old
	2026-10-04 10:00 +00:00  {c4s}  CHG-0001   approved  Jane Doe          jane@example.com self $new
	2026-10-04 11:00 +00:00  {c4n}  CHG-0001   approved  Erin Walsh        erin@example.com not-allowed $new
	2026-10-05 09:00 +00:00  {c5}  CHG-0001   state     Jane Doe          requested -> approved
	2026-10-06 09:00 +00:00  {c6}  CHG-0002   created   Jane Doe          changes/acme/CHG-0002.yaml (requested)
	2026-10-07 09:00 +00:00  {c7}  CHG-0002   rejected  Jane Doe          jane@example.com self $two
	2026-10-08 09:00 +00:00  {c8}  CHG-0002   state     Jane Doe          requested -> rejected
	EOF
	test_cmp expect actual
'

test_expect_success 'setup: a move to another directory, implementation, a review' '
	(cd r &&
	 git mv changes/CHG-0001.yaml changes/acme/CHG-0001.yaml &&
	 edit changes/acme/CHG-0001.yaml "s/^type: normal/type: normal\\
client: acme/" &&
	 at 2026-10-09T09:00:00Z chg_commit "Bob Ops" bob@example.com "Move CHG-0001 to acme" &&
	 git tag c9 &&
	 edit changes/acme/CHG-0001.yaml "s/^state: approved/state: implementing/" &&
	 at 2026-10-10T22:00:00Z chg_commit "Bob Ops" bob@example.com "CHG-0001: implementing" &&
	 git tag c10 &&
	 edit changes/acme/CHG-0001.yaml "s/^state: implementing/state: closed/" &&
	 cat >>changes/acme/CHG-0001.yaml <<-\EOR &&
	review:
	  outcome: successful
	  notes: Both load balancers serve the new certificate.
	EOR
	 at 2026-10-11T09:00:00Z chg_commit "Bob Ops" bob@example.com "CHG-0001: closed" &&
	 git tag c11)
'

test_expect_success 'setup: branches and merges' '
	(cd r &&
	 mkdir changes/globex &&
	 chg_normal_cr CHG-0003 | sed -e "s/^type: normal/type: emergency\\
client: globex/" >changes/globex/CHG-0003.yaml &&
	 at 2026-10-12T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0003" &&
	 git tag c12 &&
	 git checkout -q -b side &&
	 edit changes/globex/CHG-0003.yaml "s/Replace the certificate/Replace the certificates/" &&
	 at 2026-10-13T09:00:00Z chg_commit "Bob Ops" bob@example.com "Describe CHG-0003 better" &&
	 git tag s1 &&
	 git checkout -q main &&
	 echo "The change repository." >README &&
	 at 2026-10-14T09:00:00Z chg_commit "Jane Doe" jane@example.com "Add a README" &&
	 git tag c13 &&
	 merge_as "Jane Doe" jane@example.com 2026-10-15T09:00:00Z side &&
	 git tag m1 &&
	 git checkout -q -b side2 &&
	 edit changes/globex/CHG-0003.yaml "s/users: 40/users: 41/" &&
	 at 2026-10-16T09:00:00Z chg_commit "Bob Ops" bob@example.com "CHG-0003: 41 users" &&
	 git tag s2 &&
	 git checkout -q main &&
	 edit changes/globex/CHG-0003.yaml "s/end: 2026-12-05T23:00:00Z/end: 2026-12-05T23:30:00Z/" &&
	 at 2026-10-17T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0003: a longer window" &&
	 git tag c14 &&
	 merge_as "Jane Doe" jane@example.com 2026-10-18T09:00:00Z side2 &&
	 git tag m2 &&
	 git checkout -q -b o1 &&
	 chg_normal_cr CHG-0004 | sed "s/^type: normal/type: normal\\
client: globex/" >changes/globex/CHG-0004.yaml &&
	 at 2026-10-19T09:00:00Z chg_commit "Bob Ops" bob@example.com "Request CHG-0004" &&
	 git tag o1c &&
	 git checkout -q -b o2 m2 &&
	 edit changes/globex/CHG-0003.yaml "s/^state: requested/state: approved/" &&
	 at 2026-10-20T09:00:00Z chg_commit "Bob Ops" bob@example.com "CHG-0003: approved" &&
	 git tag o2c &&
	 git checkout -q -b o3 m2 &&
	 echo "Changes live under changes/." >>README &&
	 at 2026-10-21T09:00:00Z chg_commit "Bob Ops" bob@example.com "README: where changes live" &&
	 git tag o3c &&
	 git checkout -q main &&
	 merge_as "Jane Doe" jane@example.com 2026-10-22T09:00:00Z o1 o2 o3 &&
	 git tag m3 &&
	 test "$(git rev-list --parents -n1 HEAD | wc -w)" -eq 5)
'

test_expect_success 'setup: a revert, a deletion, messages that are not UTF-8' '
	(cd r &&
	 GIT_AUTHOR_NAME="Bob Ops" GIT_AUTHOR_EMAIL=bob@example.com \
	 GIT_COMMITTER_NAME="Bob Ops" GIT_COMMITTER_EMAIL=bob@example.com \
	 at 2026-10-23T09:00:00Z git revert --no-edit s2 >/dev/null &&
	 git tag c15 &&
	 git rm -q changes/acme/CHG-0002.yaml &&
	 at 2026-10-24T09:00:00Z chg_commit "Jane Doe" jane@example.com "Remove the rejected CHG-0002" &&
	 git tag c16 &&
	 cafe=$(printf "caf\303\251") &&
	 edit changes/globex/CHG-0004.yaml "s/^title: .*/title: Rotate the $cafe certificate/" &&
	 git add -A &&
	 GIT_AUTHOR_NAME="$(printf "Zo\353 Kim")" GIT_AUTHOR_EMAIL=zoe@example.com \
	 GIT_COMMITTER_NAME="$(printf "Zo\353 Kim")" GIT_COMMITTER_EMAIL=zoe@example.com \
	 at 2026-10-25T09:00:00Z git -c i18n.commitEncoding=ISO-8859-1 commit -q \
		-m "$(printf "Caf\351: retitle CHG-0004")" &&
	 git tag c17 &&
	 test "$(git cat-file commit c17 | sed -n "s/^encoding //p")" = ISO-8859-1 &&
	 edit changes/globex/CHG-0004.yaml "s/^title: .*/title: Rotate the bistro certificate/" &&
	 git add -A &&
	 # git commit would take the message for Latin-1 and convert it:
	 # the object is written by hand
	 printf "tree %s\nparent %s\nauthor %s\ncommitter %s\n\nCaf\351 again\n" \
		"$(git write-tree)" "$(git rev-parse HEAD)" \
		"Jane Doe <jane@example.com> 1793005200 +0000" \
		"Jane Doe <jane@example.com> 1793005200 +0000" >raw &&
	 git update-ref refs/heads/main "$(git hash-object -t commit -w raw)" &&
	 git tag c18 &&
	 ! git cat-file commit c18 | grep "^encoding" &&
	 git cat-file commit c18 | grep "$(printf "^Caf\351 again")" &&
	 edit changes/globex/CHG-0004.yaml "s/Replace the certificate/Replace it/" &&
	 at 2026-10-27T09:00:00Z chg_commit "Bob Ops" bob@example.com \
		"=HYPERLINK(\"http://x.example\"), a \"quoted\" subject" &&
	 git tag c19 &&
	 at 2026-10-28T09:00:00Z chg_approve CHG-0099 "Dave Miller" dave@example.com \
		sha256:0000000000000000000000000000000000000000000000000000000000000000 &&
	 git tag c20)
'

test_expect_success 'setup: a version that does not load, then one that does' '
	(cd r &&
	 echo "bad: [" >>changes/globex/CHG-0004.yaml &&
	 at 2026-10-29T09:00:00Z chg_commit "Bob Ops" bob@example.com "Break CHG-0004" &&
	 git tag c21 &&
	 edit changes/globex/CHG-0004.yaml "/^bad:/d
s/^title: .*/title: Rotate the diner certificate/" &&
	 at 2026-10-30T09:00:00Z chg_commit "Bob Ops" bob@example.com "Fix CHG-0004" &&
	 git tag c22)
'

# The digests the approvals quote, as the text shows them.
digests () {
	old=$(chg -C r digest --rev c1 CHG-0001 | cut -c1-19) &&
	new=$(chg -C r digest --rev c2 CHG-0001 | cut -c1-19) &&
	two=$(chg -C r digest --rev c6 CHG-0002 | cut -c1-19)
}

test_expect_success 'text: the whole history, one event a line' '
	chg -C r log >actual &&
	digests &&
	zoe=$(printf "Zo\303\253 Kim") &&
	expand_tags >expect <<-EOF &&
	2026-10-01 09:00 +00:00  {c1}  CHG-0001   created   Jane Doe          changes/CHG-0001.yaml (requested)
	2026-10-02 09:00 +02:00  {c2}  CHG-0001   updated   Bob Ops           rollback-plan, systems[2]
	2026-10-03 09:00 +00:00  {c3}  CHG-0001   approved  Dave Miller       dave@example.com counted $new
	2026-10-04 09:00 +00:00  {c4}  CHG-0001   approved  Carol Nguyen      carol@example.com stale $old
	2026-10-04 10:00 +00:00  {c4s}  CHG-0001   approved  Jane Doe          jane@example.com self $new
	2026-10-04 11:00 +00:00  {c4n}  CHG-0001   approved  Erin Walsh        erin@example.com not-allowed $new
	2026-10-05 09:00 +00:00  {c5}  CHG-0001   state     Jane Doe          requested -> approved
	2026-10-06 09:00 +00:00  {c6}  CHG-0002   created   Jane Doe          changes/acme/CHG-0002.yaml (requested)
	2026-10-07 09:00 +00:00  {c7}  CHG-0002   rejected  Jane Doe          jane@example.com self $two
	2026-10-08 09:00 +00:00  {c8}  CHG-0002   state     Jane Doe          requested -> rejected
	2026-10-09 09:00 +00:00  {c9}  CHG-0001   moved     Bob Ops           changes/CHG-0001.yaml -> changes/acme/CHG-0001.yaml
	2026-10-09 09:00 +00:00  {c9}  CHG-0001   updated   Bob Ops           client; makes approvals by dave@example.com ({c3}) stale
	2026-10-10 22:00 +00:00  {c10}  CHG-0001   state     Bob Ops           approved -> implementing
	2026-10-11 09:00 +00:00  {c11}  CHG-0001   state     Bob Ops           implementing -> closed
	2026-10-11 09:00 +00:00  {c11}  CHG-0001   reviewed  Bob Ops           successful
	2026-10-12 09:00 +00:00  {c12}  CHG-0003   created   Jane Doe          changes/globex/CHG-0003.yaml (requested)
	2026-10-13 09:00 +00:00  {s1}  CHG-0003   updated   Bob Ops           description
	2026-10-16 09:00 +00:00  {s2}  CHG-0003   updated   Bob Ops           impact.users
	2026-10-17 09:00 +00:00  {c14}  CHG-0003   updated   Jane Doe          window.end
	2026-10-18 09:00 +00:00  {m2}  CHG-0003   updated   Jane Doe          impact.users
	2026-10-19 09:00 +00:00  {o1c}  CHG-0004   created   Bob Ops           changes/globex/CHG-0004.yaml (requested)
	2026-10-20 09:00 +00:00  {o2c}  CHG-0003   state     Bob Ops           requested -> approved
	2026-10-23 09:00 +00:00  {c15}  CHG-0003   updated   Bob Ops           impact.users
	2026-10-24 09:00 +00:00  {c16}  CHG-0002   deleted   Jane Doe          changes/acme/CHG-0002.yaml
	2026-10-25 09:00 +00:00  {c17}  CHG-0004   updated   $zoe           title
	2026-10-26 09:00 +00:00  {c18}  CHG-0004   updated   Jane Doe          title
	2026-10-27 09:00 +00:00  {c19}  CHG-0004   updated   Bob Ops           description
	2026-10-28 09:00 +00:00  {c20}  CHG-0099   approved  Dave Miller       dave@example.com unknown-change sha256:000000000000
	2026-10-29 09:00 +00:00  {c21}  CHG-0004   updated   Bob Ops           (invalid: yaml-syntax at 23:1) did not find expected node content while parsing a flow node
	2026-10-30 09:00 +00:00  {c22}  CHG-0004   updated   Bob Ops           title
	EOF
	test_cmp expect actual
'

test_expect_success 'merges report only what they made themselves' '
	# m1 and the octopus m3 bring in what their branches did (reported
	# at the branch commits); m2 combined two edits into a version that
	# neither parent has
	for m in m1 m3; do
		git -C r rev-parse $m | cut -c1-7 >id &&
		! grep -F "$(cat id)" actual || return 1
	done &&
	test "$(git -C r rev-list --parents -n1 m3 | wc -w)" -eq 5 &&
	grep -F "$(git -C r rev-parse m2 | cut -c1-7)" actual >m2.events &&
	lines 1 m2.events
'

test_expect_success 'no colour when the output is not a terminal' '
	chg -C r log >plain &&
	! grep -q "$(printf "\033")" plain
'

# fields LINE-PREFIX: the JSON Lines in `actual` as one summary line each.
summarize () {
	perl -MJSON::PP -e '
		binmode STDOUT, ":encoding(UTF-8)";
		my @want = qw(type change commit author author_email author_date
			      committer committer_email committer_date subject
			      fields from to approver digest verdict fingerprint
			      outcome path invalid rule line column message
			      matched counted makes_stale makes_current);
		while (my $line = <STDIN>) {
			# the keys, in the order they are written
			my ($depth, @keys) = (0);
			while ($line =~ /\G(?:("(?:[^"\\]|\\.)*")\s*(:?)|([{\[])|([}\]])|[^"{}\[\]]+)/gc) {
				if (defined $1) { push @keys, $1 if $depth == 1 && $2; }
				elsif (defined $3) { $depth++; }
				elsif (defined $4) { $depth--; }
			}
			my $keys = join(",", map { substr($_, 1, -1) } @keys);
			die "keys: $keys\n" unless $keys eq join(",", @want);
			my $e = JSON::PP->new->utf8->decode($line);
			my @v = map {
				my $x = $e->{$_};
				!defined $x ? "-" : ref $x ? "[" . join(" ", @$x) . "]" : $x
			} qw(type change author author_email author_date committer_date
			     subject fields from to approver verdict fingerprint outcome path);
			$v[0] = substr($e->{commit}, 0, 7) . " " . $v[0];
			# an invalid version says why; the other events say nothing
			die "invalid\n" unless JSON::PP::is_bool($e->{invalid});
			if ($e->{invalid}) {
				push @v, "invalid $e->{rule} $e->{line}:$e->{column}";
				die "message\n" unless length $e->{message};
			} else {
				die "not null\n" if grep { defined $e->{$_} } qw(rule line column message);
			}
			die "commit\n" unless $e->{commit} =~ /^[0-9a-f]{40}$/;
			die "digest\n" if defined $e->{digest} && $e->{digest} !~ /^sha256:[0-9a-f]{64}$/;
			print join("|", @v), "\n";
		}'
}

test_expect_success 'jsonl: every key on every line, in the documented order' '
	chg -C r log --format jsonl >actual &&
	lines 30 actual &&
	summarize <actual >summary &&
	zoe=$(printf "Zo\303\253 Kim") &&
	cafe=$(printf "Caf\303\251") &&
	fffd=$(printf "\357\277\275") &&
	expand_tags >expect <<-EOF &&
	{c1} created|CHG-0001|Jane Doe|jane@example.com|2026-10-01T09:00:00+00:00|2026-10-01T09:00:00+00:00|Request CHG-0001|-|-|requested|-|-|-|-|changes/CHG-0001.yaml
	{c2} updated|CHG-0001|Bob Ops|bob@example.com|2026-10-02T09:00:00+02:00|2026-10-02T09:00:00+02:00|Edit CHG-0001|[rollback-plan systems[2]]|-|-|-|-|-|-|changes/CHG-0001.yaml
	{c3} approved|CHG-0001|Dave Miller|dave@example.com|2026-10-03T09:00:00+00:00|2026-10-03T09:00:00+00:00|Approve CHG-0001|-|-|-|Dave Miller <dave@example.com>|counted|-|-|changes/CHG-0001.yaml
	{c4} approved|CHG-0001|Carol Nguyen|carol@example.com|2026-10-04T09:00:00+00:00|2026-10-04T09:00:00+00:00|Approve CHG-0001|-|-|-|Carol Nguyen <carol@example.com>|stale|-|-|changes/CHG-0001.yaml
	{c4s} approved|CHG-0001|Jane Doe|jane@example.com|2026-10-04T10:00:00+00:00|2026-10-04T10:00:00+00:00|Approve CHG-0001|-|-|-|Jane Doe <jane@example.com>|self|-|-|changes/CHG-0001.yaml
	{c4n} approved|CHG-0001|Erin Walsh|erin@example.com|2026-10-04T11:00:00+00:00|2026-10-04T11:00:00+00:00|Approve CHG-0001|-|-|-|Erin Walsh <erin@example.com>|not-allowed|-|-|changes/CHG-0001.yaml
	{c5} state|CHG-0001|Jane Doe|jane@example.com|2026-10-05T09:00:00+00:00|2026-10-05T09:00:00+00:00|CHG-0001: approved|-|requested|approved|-|-|-|-|changes/CHG-0001.yaml
	{c6} created|CHG-0002|Jane Doe|jane@example.com|2026-10-06T09:00:00+00:00|2026-10-06T09:00:00+00:00|Request CHG-0002|-|-|requested|-|-|-|-|changes/acme/CHG-0002.yaml
	{c7} rejected|CHG-0002|Jane Doe|jane@example.com|2026-10-07T09:00:00+00:00|2026-10-07T09:00:00+00:00|Reject CHG-0002|-|-|-|Jane Doe <jane@example.com>|self|-|-|changes/acme/CHG-0002.yaml
	{c8} state|CHG-0002|Jane Doe|jane@example.com|2026-10-08T09:00:00+00:00|2026-10-08T09:00:00+00:00|CHG-0002: rejected|-|requested|rejected|-|-|-|-|changes/acme/CHG-0002.yaml
	{c9} moved|CHG-0001|Bob Ops|bob@example.com|2026-10-09T09:00:00+00:00|2026-10-09T09:00:00+00:00|Move CHG-0001 to acme|-|changes/CHG-0001.yaml|changes/acme/CHG-0001.yaml|-|-|-|-|changes/acme/CHG-0001.yaml
	{c9} updated|CHG-0001|Bob Ops|bob@example.com|2026-10-09T09:00:00+00:00|2026-10-09T09:00:00+00:00|Move CHG-0001 to acme|[client]|-|-|-|-|-|-|changes/acme/CHG-0001.yaml
	{c10} state|CHG-0001|Bob Ops|bob@example.com|2026-10-10T22:00:00+00:00|2026-10-10T22:00:00+00:00|CHG-0001: implementing|-|approved|implementing|-|-|-|-|changes/acme/CHG-0001.yaml
	{c11} state|CHG-0001|Bob Ops|bob@example.com|2026-10-11T09:00:00+00:00|2026-10-11T09:00:00+00:00|CHG-0001: closed|-|implementing|closed|-|-|-|-|changes/acme/CHG-0001.yaml
	{c11} reviewed|CHG-0001|Bob Ops|bob@example.com|2026-10-11T09:00:00+00:00|2026-10-11T09:00:00+00:00|CHG-0001: closed|-|-|-|-|-|-|successful|changes/acme/CHG-0001.yaml
	{c12} created|CHG-0003|Jane Doe|jane@example.com|2026-10-12T09:00:00+00:00|2026-10-12T09:00:00+00:00|Request CHG-0003|-|-|requested|-|-|-|-|changes/globex/CHG-0003.yaml
	{s1} updated|CHG-0003|Bob Ops|bob@example.com|2026-10-13T09:00:00+00:00|2026-10-13T09:00:00+00:00|Describe CHG-0003 better|[description]|-|-|-|-|-|-|changes/globex/CHG-0003.yaml
	{s2} updated|CHG-0003|Bob Ops|bob@example.com|2026-10-16T09:00:00+00:00|2026-10-16T09:00:00+00:00|CHG-0003: 41 users|[impact.users]|-|-|-|-|-|-|changes/globex/CHG-0003.yaml
	{c14} updated|CHG-0003|Jane Doe|jane@example.com|2026-10-17T09:00:00+00:00|2026-10-17T09:00:00+00:00|CHG-0003: a longer window|[window.end]|-|-|-|-|-|-|changes/globex/CHG-0003.yaml
	{m2} updated|CHG-0003|Jane Doe|jane@example.com|2026-10-18T09:00:00+00:00|2026-10-18T09:00:00+00:00|Merge branch '\''side2'\''|[impact.users]|-|-|-|-|-|-|changes/globex/CHG-0003.yaml
	{o1c} created|CHG-0004|Bob Ops|bob@example.com|2026-10-19T09:00:00+00:00|2026-10-19T09:00:00+00:00|Request CHG-0004|-|-|requested|-|-|-|-|changes/globex/CHG-0004.yaml
	{o2c} state|CHG-0003|Bob Ops|bob@example.com|2026-10-20T09:00:00+00:00|2026-10-20T09:00:00+00:00|CHG-0003: approved|-|requested|approved|-|-|-|-|changes/globex/CHG-0003.yaml
	{c15} updated|CHG-0003|Bob Ops|bob@example.com|2026-10-23T09:00:00+00:00|2026-10-23T09:00:00+00:00|Revert "CHG-0003: 41 users"|[impact.users]|-|-|-|-|-|-|changes/globex/CHG-0003.yaml
	{c16} deleted|CHG-0002|Jane Doe|jane@example.com|2026-10-24T09:00:00+00:00|2026-10-24T09:00:00+00:00|Remove the rejected CHG-0002|-|rejected|-|-|-|-|-|changes/acme/CHG-0002.yaml
	{c17} updated|CHG-0004|$zoe|zoe@example.com|2026-10-25T09:00:00+00:00|2026-10-25T09:00:00+00:00|$cafe: retitle CHG-0004|[title]|-|-|-|-|-|-|changes/globex/CHG-0004.yaml
	{c18} updated|CHG-0004|Jane Doe|jane@example.com|2026-10-26T09:00:00+00:00|2026-10-26T09:00:00+00:00|Caf$fffd again|[title]|-|-|-|-|-|-|changes/globex/CHG-0004.yaml
	{c19} updated|CHG-0004|Bob Ops|bob@example.com|2026-10-27T09:00:00+00:00|2026-10-27T09:00:00+00:00|=HYPERLINK("http://x.example"), a "quoted" subject|[description]|-|-|-|-|-|-|changes/globex/CHG-0004.yaml
	{c20} approved|CHG-0099|Dave Miller|dave@example.com|2026-10-28T09:00:00+00:00|2026-10-28T09:00:00+00:00|Approve CHG-0099|-|-|-|Dave Miller <dave@example.com>|unknown-change|-|-|-
	{c21} updated|CHG-0004|Bob Ops|bob@example.com|2026-10-29T09:00:00+00:00|2026-10-29T09:00:00+00:00|Break CHG-0004|[]|-|-|-|-|-|-|changes/globex/CHG-0004.yaml|invalid yaml-syntax 23:1
	{c22} updated|CHG-0004|Bob Ops|bob@example.com|2026-10-30T09:00:00+00:00|2026-10-30T09:00:00+00:00|Fix CHG-0004|[title]|-|-|-|-|-|-|changes/globex/CHG-0004.yaml
	EOF
	test_cmp expect summary
'

test_expect_success 'jsonl: digests as the trailers carry them' '
	chg -C r log --format jsonl CHG-0001 >actual &&
	perl -MJSON::PP -ne "my \$e = decode_json(\$_); print \$e->{digest}, qq(\n) if \$e->{digest}" <actual >got &&
	for t in c1 c2 c2 c2; do
		chg -C r digest --rev $t CHG-0001 || return 1
	done >want &&
	sed -n "1p;2p" want >w1 && sed -n "1p" want >w0 &&
	{ sed -n 2p want; cat w0; sed -n 2p want; sed -n 2p want; } >expect &&
	test_cmp expect got
'

test_expect_success 'csv: RFC 4180, a header, quoted cells, no formulas' '
	chg -C r log --format csv >actual &&
	lines 31 actual &&
	# every record ends with CR LF
	! grep -v "$(printf "\r")\$" actual &&
	tr -d "\r" <actual >lf &&
	head -n 1 lf >header &&
	echo "type,change,commit,author,author_email,author_date,committer,committer_email,committer_date,subject,fields,from,to,approver,digest,verdict,fingerprint,outcome,path,invalid,rule,line,column,message,matched,counted,makes_stale,makes_current" >expect &&
	test_cmp expect header &&
	c2=$(git -C r rev-parse c2) && c9=$(git -C r rev-parse c9) &&
	c19=$(git -C r rev-parse c19) && c20=$(git -C r rev-parse c20) &&
	c21=$(git -C r rev-parse c21) &&
	d20=sha256:0000000000000000000000000000000000000000000000000000000000000000 &&
	cat >expect <<-EOF &&
	updated,CHG-0001,$c2,Bob Ops,bob@example.com,2026-10-02T09:00:00+02:00,Bob Ops,bob@example.com,2026-10-02T09:00:00+02:00,Edit CHG-0001,rollback-plan;systems[2],,,,,,,,changes/CHG-0001.yaml,false,,,,,,,,
	moved,CHG-0001,$c9,Bob Ops,bob@example.com,2026-10-09T09:00:00+00:00,Bob Ops,bob@example.com,2026-10-09T09:00:00+00:00,Move CHG-0001 to acme,,changes/CHG-0001.yaml,changes/acme/CHG-0001.yaml,,,,,,changes/acme/CHG-0001.yaml,false,,,,,,,,
	updated,CHG-0004,$c19,Bob Ops,bob@example.com,2026-10-27T09:00:00+00:00,Bob Ops,bob@example.com,2026-10-27T09:00:00+00:00,"'"'"'=HYPERLINK(""http://x.example""), a ""quoted"" subject",description,,,,,,,,changes/globex/CHG-0004.yaml,false,,,,,,,,
	approved,CHG-0099,$c20,Dave Miller,dave@example.com,2026-10-28T09:00:00+00:00,Dave Miller,dave@example.com,2026-10-28T09:00:00+00:00,Approve CHG-0099,,,,Dave Miller <dave@example.com>,$d20,unknown-change,,,,false,,,,,,,,
	updated,CHG-0004,$c21,Bob Ops,bob@example.com,2026-10-29T09:00:00+00:00,Bob Ops,bob@example.com,2026-10-29T09:00:00+00:00,Break CHG-0004,,,,,,,,,changes/globex/CHG-0004.yaml,true,yaml-syntax,23,1,did not find expected node content while parsing a flow node,,,,
	EOF
	grep -e "^updated,CHG-0001,$c2," -e "^moved," -e "^updated,CHG-0004,$c19," -e ",$c20," -e ",$c21," lf >got &&
	test_cmp expect got
'

test_expect_success '--since and --until take dates, date-times and durations' '
	chg -C r log --since 2026-10-20 --until 2026-10-24 >actual &&
	expand_tags >expect <<-\EOF &&
	2026-10-20 09:00 +00:00  {o2c}  CHG-0003   state     Bob Ops           requested -> approved
	2026-10-23 09:00 +00:00  {c15}  CHG-0003   updated   Bob Ops           impact.users
	2026-10-24 09:00 +00:00  {c16}  CHG-0002   deleted   Jane Doe          changes/acme/CHG-0002.yaml
	EOF
	test_cmp expect actual &&
	chg -C r log --since 2026-10-20T09:00:01Z --until 2026-10-24T08:59:59Z >actual &&
	sed -n 2p expect >expect2 &&
	test_cmp expect2 actual &&
	chg -C r log --now 2026-10-30T12:00:00Z --since 2d >actual &&
	expand_tags >expect <<-\EOF &&
	2026-10-29 09:00 +00:00  {c21}  CHG-0004   updated   Bob Ops           (invalid: yaml-syntax at 23:1) did not find expected node content while parsing a flow node
	2026-10-30 09:00 +00:00  {c22}  CHG-0004   updated   Bob Ops           title
	EOF
	test_cmp expect actual &&
	CHG_NOW=2026-10-12T12:00:00Z chg -C r log --since 3d --until 1d >actual &&
	expand_tags >expect <<-\EOF &&
	2026-10-10 22:00 +00:00  {c10}  CHG-0001   state     Bob Ops           approved -> implementing
	2026-10-11 09:00 +00:00  {c11}  CHG-0001   state     Bob Ops           implementing -> closed
	2026-10-11 09:00 +00:00  {c11}  CHG-0001   reviewed  Bob Ops           successful
	EOF
	test_cmp expect actual
'

test_expect_success 'what changed for client acme in the last 90 days: one command' '
	chg -C r log --client acme --since 90d --now 2026-12-31T00:00:00Z >actual &&
	expand_tags >expect <<-EOF &&
	2026-10-06 09:00 +00:00  {c6}  CHG-0002   created   Jane Doe          changes/acme/CHG-0002.yaml (requested)
	2026-10-07 09:00 +00:00  {c7}  CHG-0002   rejected  Jane Doe          jane@example.com self $two
	2026-10-08 09:00 +00:00  {c8}  CHG-0002   state     Jane Doe          requested -> rejected
	2026-10-09 09:00 +00:00  {c9}  CHG-0001   moved     Bob Ops           changes/CHG-0001.yaml -> changes/acme/CHG-0001.yaml
	2026-10-09 09:00 +00:00  {c9}  CHG-0001   updated   Bob Ops           client; makes approvals by dave@example.com ({c3}) stale
	2026-10-10 22:00 +00:00  {c10}  CHG-0001   state     Bob Ops           approved -> implementing
	2026-10-11 09:00 +00:00  {c11}  CHG-0001   state     Bob Ops           implementing -> closed
	2026-10-11 09:00 +00:00  {c11}  CHG-0001   reviewed  Bob Ops           successful
	2026-10-24 09:00 +00:00  {c16}  CHG-0002   deleted   Jane Doe          changes/acme/CHG-0002.yaml
	EOF
	test_cmp expect actual &&
	chg -C r log --client acme --since 90d --now 2027-01-12T00:00:00Z >actual &&
	tail -n 1 expect >expect.last &&
	test_cmp expect.last actual
'

test_expect_success '--type, IDs and --rev narrow the events' '
	chg -C r log --type emergency --format csv >actual &&
	tr -d "\r" <actual | sed 1d | cut -d, -f1,2 | sort | uniq -c >got &&
	cat >expect <<-\EOF &&
	      1 created,CHG-0003
	      1 state,CHG-0003
	      5 updated,CHG-0003
	EOF
	test_cmp expect got &&
	chg -C r log CHG-0002 CHG-0099 --format csv >actual &&
	tr -d "\r" <actual | sed 1d | cut -d, -f1,2 >got &&
	cat >expect <<-\EOF &&
	created,CHG-0002
	rejected,CHG-0002
	state,CHG-0002
	deleted,CHG-0002
	approved,CHG-0099
	EOF
	test_cmp expect got &&
	chg -C r log --rev c5 >actual &&
	lines 7 actual &&
	test_expect_code 1 chg -C r log --rev c5 CHG-0002 >actual 2>err &&
	test_must_be_empty actual &&
	echo "chg log: no change request '\''CHG-0002'\'' in the history of c5" >expect &&
	test_cmp expect err
'

test_expect_success 'an ID with no events exits 1; the others are still shown' '
	test_expect_code 1 chg -C r log CHG-0003 CHG-4242 >actual 2>err &&
	lines 7 actual &&
	echo "chg log: no change request '\''CHG-4242'\'' in the history of HEAD" >expect &&
	test_cmp expect err &&
	# filtered out is not unknown
	chg -C r log --since 2027-01-01 CHG-0003 >actual &&
	test_must_be_empty actual
'

test_expect_success 'a shallow clone: history starts at the shallow commit' '
	git clone -q --depth 3 "file://$PWD/r" shallow &&
	test -f shallow/.git/shallow &&
	chg -C shallow log >actual 2>err &&
	expand_tags >expect <<-\EOF &&
	2026-10-28 09:00 +00:00  {c20}  CHG-0099   approved  Dave Miller       dave@example.com unknown-change sha256:000000000000
	2026-10-29 09:00 +00:00  {c21}  CHG-0004   updated   Bob Ops           (invalid: yaml-syntax at 23:1) did not find expected node content while parsing a flow node
	2026-10-30 09:00 +00:00  {c22}  CHG-0004   updated   Bob Ops           title
	EOF
	test_cmp expect actual &&
	echo "chg log: note: the repository is a shallow clone: what happened before {c20} is not known; '\''git fetch --unshallow'\'' fetches it" |
	expand_tags >expect &&
	test_cmp expect err &&
	git clone -q --depth 1 "file://$PWD/r" shallow1 &&
	chg -C shallow1 log --format jsonl >actual 2>err &&
	test_must_be_empty actual &&
	lines 1 err
'

test_expect_success 'usage errors exit 2, a missing repository 3' '
	test_expect_code 2 chg -C r log --format xml 2>err &&
	grep "unknown format '\''xml'\''" err &&
	test_expect_code 2 chg -C r log --since yesterday 2>err &&
	grep "since '\''yesterday'\'' is not a date" err &&
	test_expect_code 2 chg -C r log --bogus 2>err &&
	test_expect_code 2 chg -C r log --now 2026-13-01T00:00:00Z 2>err &&
	test_expect_code 3 chg -C r log --rev no-such-rev 2>err &&
	echo "chg log: unknown revision '\''no-such-rev'\''" >expect &&
	test_cmp expect err &&
	mkdir notrepo &&
	test_expect_code 3 chg -C notrepo log 2>err &&
	grep "not a git repository" err &&
	git init -q empty &&
	chg -C empty log >actual &&
	test_must_be_empty actual
'

test_expect_success 'an invalid policy: exit 3 with its diagnostics' '
	cp -R r bad &&
	echo "approvals: [" >>bad/.chg/policy.yaml &&
	test_expect_code 3 chg -C bad log >actual 2>err &&
	test_must_be_empty actual &&
	grep "policy.yaml:.*error" err &&
	grep "chg log: the policy is invalid" err
'

test_expect_success 'signed approvals: verdicts under required signatures, key fingerprints' '
	unset SSH_AUTH_SOCK &&
	for k in dave erin; do
		ssh-keygen -q -t ed25519 -N "" -C $k -f $k.key || return 1
	done &&
	chg_repo signed &&
	sed -e "/require-signature/d" signed/.chg/policy.yaml >policy &&
	echo "  trust: {required: 0}" >>policy &&
	cp policy signed/.chg/policy.yaml &&
	printf "dave@example.com %s\n" "$(cut -d" " -f1,2 dave.key.pub)" >signed/.chg/allowed_signers &&
	chg_normal_cr CHG-0001 >signed/changes/CHG-0001.yaml &&
	(cd signed &&
	 at 2026-11-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 for who in "Dave Miller:dave" "Erin Walsh:erin"; do
		name=${who%:*} key=${who#*:} &&
		printf "Approve CHG-0001\n\nChange-Request: CHG-0001\nChange-Digest: %s\nApproved-by: %s <%s>\n" \
			"$(chg digest CHG-0001)" "$name" "$key@example.com" >../msg &&
		GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL=$key@example.com \
		GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL=$key@example.com \
		at 2026-11-02T09:00:00Z git -c gpg.format=ssh -c user.signingkey="$PWD/../$key.key" \
			commit -q -S --allow-empty -F ../msg || return 1
	 done &&
	 at 2026-11-03T09:00:00Z chg_approve CHG-0001 "Carol Nguyen" carol@example.com) &&
	chg -C signed log --format jsonl >actual &&
	perl -MJSON::PP -ne "my \$e = decode_json(\$_); print join(q( ), \$e->{type}, \$e->{verdict} // q(-), \$e->{fingerprint} // q(-)), qq(\n)" \
		<actual >got &&
	cat >expect <<-EOF &&
	created - -
	approved counted $(ssh-keygen -lf dave.key.pub | cut -d" " -f2)
	approved unknown-signer $(ssh-keygen -lf erin.key.pub | cut -d" " -f2)
	approved unsigned -
	EOF
	test_cmp expect got &&
	chg -C signed log >actual &&
	grep -F "dave@example.com counted sha256:" actual | grep -F " key $(ssh-keygen -lf dave.key.pub | cut -d" " -f2)"
'

test_expect_success 'the example repository: its audit trail' '
	CHG="$CHG_BUILD_DIR/chg" sh "$CHG_SRC_DIR/examples/build.sh" ex >out 2>&1 &&
	test_must_be_empty out &&
	chg -C ex log >all &&
	lines 50 all &&
	grep CHG-0038 all >actual &&
	git -C ex log --reverse --format=%H --grep="CHG-0038" | cut -c1-7 >ids &&
	lines 5 ids &&
	set -- $(cat ids) &&
	d38=$(chg -C ex digest --rev "$2" CHG-0038 | cut -c1-19) &&
	test "$d38" != "$(chg -C ex digest CHG-0038 | cut -c1-19)" &&
	cat >expect <<-EOF &&
	2026-12-01 10:00 +01:00  $1  CHG-0038   created   Jane Doe          changes/globex/CHG-0038.yaml (requested)
	2026-12-08 11:00 +01:00  $2  CHG-0038   approved  Carol Nguyen      carol@msp.example counted $d38
	2026-12-08 15:30 +01:00  $3  CHG-0038   approved  Erin Walsh        erin@msp.example counted $d38
	2026-12-08 16:00 +01:00  $4  CHG-0038   state     Jane Doe          requested -> approved
	2026-12-10 09:45 +01:00  $5  CHG-0038   updated   Bob Ops           rollback-plan; makes approvals by carol@msp.example ($2), erin@msp.example ($3) stale
	EOF
	test_cmp expect actual &&
	grep "CHG-0035   approved" all >actual &&
	grep -q " erin@msp.example self sha256:" actual &&
	chg -C ex log --client acme --since 90d --now 2026-12-20T12:00:00Z --format csv >acme &&
	tr -d "\r" <acme | sed 1d | cut -d, -f2 | sort -u >ids &&
	printf "CHG-%s\n" 0032 0033 0036 0039 0040 0041 0042 0043 0045 >expect &&
	test_cmp expect ids
'

test_expect_success 'the README shows what chg log prints for the example' '
	sed -n "/^\$ chg -C build\/demo log --client acme --since 90d --now 2026-12-20T12:00:00Z\$/,/^\`\`\`\$/p" \
		"$CHG_SRC_DIR/README.md" | sed -e 1d -e "/^\.\.\.\$/d" -e "/^\`\`\`/d" >shown &&
	lines 6 shown &&
	chg -C ex log --client acme --since 90d --now 2026-12-20T12:00:00Z >actual &&
	tail -n 6 actual >expect &&
	test_cmp expect shown
'

test_done
