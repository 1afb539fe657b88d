#!/bin/sh

test_description='chg report: the monthly change report in Markdown, CSV and HTML'

. "$(dirname "$0")"/lib-chg.sh

NOW=2026-12-20T12:00:00Z
SQ="'"

# cr ID TYPE CLIENT START END [STATE]: a change request of TYPE for CLIENT
# with a window from START to END.
cr () {
	chg_normal_cr "$1" "${6:-requested}" |
	sed -e "s/^type: normal/type: $2\\
client: $3/" \
	    -e "s/^title: .*/title: Change $1/" \
	    -e "s/^window: .*/window: {start: $4, end: $5}/"
}

# state ID FILE FROM TO DATE: commits a state change.
state () {
	edit "$2" "s/^state: $3/state: $4/" &&
	at "$5" chg_commit "Bob Ops" bob@example.com "$1: $4"
}

test_expect_success 'setup: a month of changes' '
	chg_repo r &&
	(cd r &&
	 mkdir changes/acme changes/globex &&
	 cr CHG-0001 normal acme 2026-12-02T22:00:00Z 2026-12-02T23:00:00Z >changes/acme/CHG-0001.yaml &&
	 at 2026-11-20T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 at 2026-11-21T09:00:00Z chg_approve CHG-0001 "Dave Miller" dave@example.com &&
	 state CHG-0001 changes/acme/CHG-0001.yaml requested approved 2026-11-22T09:00:00Z &&
	 state CHG-0001 changes/acme/CHG-0001.yaml approved implementing 2026-12-02T22:00:00Z &&
	 state CHG-0001 changes/acme/CHG-0001.yaml implementing implemented 2026-12-02T23:00:00Z &&
	 cat >>changes/acme/CHG-0001.yaml <<-\EOR &&
	review:
	  outcome: successful
	  notes: Both load balancers serve the new certificate.
	EOR
	 state CHG-0001 changes/acme/CHG-0001.yaml implemented closed 2026-12-04T09:00:00Z &&

	 cr CHG-0002 emergency acme 2026-12-03T02:00:00Z 2026-12-03T03:00:00Z |
		sed "s/^reason: |/incident: INC-1\\
reason: |/" >changes/acme/CHG-0002.yaml &&
	 at 2026-12-03T01:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0002" &&
	 at 2026-12-03T01:30:00Z chg_approve CHG-0002 "Alice Example" alice@example.com &&
	 state CHG-0002 changes/acme/CHG-0002.yaml requested approved 2026-12-03T01:40:00Z &&
	 state CHG-0002 changes/acme/CHG-0002.yaml approved implementing 2026-12-03T02:00:00Z &&
	 state CHG-0002 changes/acme/CHG-0002.yaml implementing implemented 2026-12-03T03:00:00Z &&
	 printf "review:\n  outcome: rolled-back\n" >>changes/acme/CHG-0002.yaml &&
	 state CHG-0002 changes/acme/CHG-0002.yaml implemented closed 2026-12-05T09:00:00Z &&

	 cr CHG-0003 emergency globex 2026-12-09T22:00:00Z 2026-12-10T00:00:00Z >changes/globex/CHG-0003.yaml &&
	 at 2026-12-09T20:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0003" &&
	 at 2026-12-09T21:00:00Z chg_approve CHG-0003 "Alice Example" alice@example.com &&
	 state CHG-0003 changes/globex/CHG-0003.yaml requested approved 2026-12-09T21:30:00Z &&
	 state CHG-0003 changes/globex/CHG-0003.yaml approved implementing 2026-12-09T22:00:00Z &&
	 state CHG-0003 changes/globex/CHG-0003.yaml implementing implemented 2026-12-10T00:00:00Z &&

	 cr CHG-0004 normal globex 2026-12-21T22:00:00Z 2026-12-21T23:00:00Z |
		sed "/^rollback-plan:/,\$d" >changes/globex/CHG-0004.yaml &&
	 at 2026-12-14T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0004" &&
	 at 2026-12-15T09:00:00Z chg_approve CHG-0004 "Carol Nguyen" carol@example.com &&
	 edit changes/globex/CHG-0004.yaml "s/lb-01, lb-02/lb-01, lb-02, lb-03/" &&
	 at 2026-12-16T09:00:00Z chg_commit "Bob Ops" bob@example.com "Edit CHG-0004" &&

	 cr CHG-0005 normal acme 2026-11-10T22:00:00Z 2026-11-10T23:00:00Z >changes/acme/CHG-0005.yaml &&
	 at 2026-11-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0005" &&

	 cr CHG-0006 normal acme x x draft | sed "/^window:/d" >changes/acme/CHG-0006.yaml &&
	 at 2026-12-05T10:00:00Z chg_commit "Bob Ops" bob@example.com "Draft CHG-0006")
'

test_expect_success 'Markdown: totals, flags, medians and every change' '
	chg -C r report --month 2026-12 --now $NOW --include-drafts >actual &&
	cat >expect <<-\EOF &&
	# Change report: December 2026

	Changes whose window starts in the month (UTC), and changes without a window created in it.  As of 2026-12-20 12:00 UTC.

	## Summary

	| Measure | Value |
	|---|---|
	| Changes | 5 |
	| Success rate | 1 of 2 reviewed (50.0%) |
	| Emergency share | 2 of 5 (40.0%) **above the 20% threshold** |
	| Without rollback plan | 1 (CHG-0004) |
	| Overdue reviews | 1 (CHG-0003) |
	| Median requested to approved | 1h 30m (3 changes) |
	| Median approved to implemented | 30m (3 changes) |
	| Median requested to implemented | 2h (3 changes) |

	## By type

	| Type | Changes |
	|---|---|
	| standard | 0 |
	| normal | 3 |
	| emergency | 2 |

	## By state

	| State | Changes |
	|---|---|
	| draft | 1 |
	| requested | 1 |
	| implemented | 1 |
	| closed | 2 |

	## By outcome

	| Outcome | Changes |
	|---|---|
	| successful | 1 |
	| successful-with-issues | 0 |
	| failed | 0 |
	| rolled-back | 1 |
	| not reviewed | 3 |

	## Changes

	### CHG-0001: Change CHG-0001

	- When: 2026-12-02 22:00 +00:00 to 2026-12-02 23:00 +00:00 (UTC)
	- Type: normal; state: closed; client: acme
	- Requested by: Jane Doe \<jane@example.com\>
	- Approved by: Dave Miller \<dave@example.com\>
	- Why: The current certificate expires on 2026-12-15.
	- Expected outcome: Replace the certificate on both load balancers.
	- Actual outcome: successful: Both load balancers serve the new certificate.
	- Rollback plan: Switch the listener back to the old certificate.
	- Timeline: requested 2026-11-20 09:00, approved 2026-11-22 09:00, implemented 2026-12-02 22:00

	### CHG-0002: Change CHG-0002

	- When: 2026-12-03 02:00 +00:00 to 2026-12-03 03:00 +00:00 (UTC)
	- Type: emergency; state: closed; client: acme
	- Requested by: Jane Doe \<jane@example.com\>
	- Approved by: Alice Example \<alice@example.com\>
	- Why: The current certificate expires on 2026-12-15.
	- Expected outcome: Replace the certificate on both load balancers.
	- Actual outcome: rolled-back
	- Rollback plan: Switch the listener back to the old certificate.
	- Timeline: requested 2026-12-03 01:00, approved 2026-12-03 01:40, implemented 2026-12-03 02:00

	### CHG-0006: Change CHG-0006

	- When: no window (created 2026-12-05 10:00 UTC)
	- Type: normal; state: draft; client: acme
	- Requested by: Jane Doe \<jane@example.com\>
	- Approved by: (no counted approval)
	- Why: The current certificate expires on 2026-12-15.
	- Expected outcome: Replace the certificate on both load balancers.
	- Actual outcome: not reviewed
	- Rollback plan: Switch the listener back to the old certificate.
	- Timeline: requested -, approved -, implemented -

	### CHG-0003: Change CHG-0003

	- When: 2026-12-09 22:00 +00:00 to 2026-12-10 00:00 +00:00 (UTC)
	- Type: emergency; state: implemented; client: globex
	- Requested by: Jane Doe \<jane@example.com\>
	- Approved by: Alice Example \<alice@example.com\>
	- Why: The current certificate expires on 2026-12-15.
	- Expected outcome: Replace the certificate on both load balancers.
	- Actual outcome: not reviewed (**review overdue** since 2026-12-15 00:00 UTC)
	- Rollback plan: Switch the listener back to the old certificate.
	- Timeline: requested 2026-12-09 20:00, approved 2026-12-09 21:30, implemented 2026-12-09 22:00

	### CHG-0004: Change CHG-0004

	- When: 2026-12-21 22:00 +00:00 to 2026-12-21 23:00 +00:00 (UTC)
	- Type: normal; state: requested; client: globex
	- Requested by: Jane Doe \<jane@example.com\>
	- Approved by: (no counted approval)
	- Why: The current certificate expires on 2026-12-15.
	- Expected outcome: Replace the certificate on both load balancers.
	- Actual outcome: not reviewed
	- Rollback plan: **none**
	- Timeline: requested 2026-12-14 09:00, approved -, implemented -
	EOF
	test_cmp expect actual
'

test_expect_success 'the threshold is an option; the share must be above it' '
	chg -C r report --month 2026-12 --now $NOW --include-drafts --emergency-threshold 40 >actual &&
	grep "^| Emergency share | 2 of 5 (40.0%) |$" actual &&
	chg -C r report --month 2026-12 --now $NOW --include-drafts --emergency-threshold 39 >actual &&
	grep "^| Emergency share | 2 of 5 (40.0%) \*\*above the 39% threshold\*\* |$" actual
'

test_expect_success 'CSV: one row per change, RFC 4180' '
	chg -C r report --month 2026-12 --now $NOW --include-drafts --format csv >actual &&
	tr -d "\\r" <actual >actual.lf &&
	test "$(tr -cd "\\r" <actual | wc -c)" -eq 6 &&
	cat >expect <<-\EOF &&
	id,date,window_start,window_end,title,type,state,client,requested_by,owner,approvers,reason,expected_outcome,actual_outcome,review_notes,rollback_plan,requested,approved,implemented,review_overdue,path,timezone,window_start_local,window_end_local
	CHG-0001,2026-12-02T22:00:00Z,2026-12-02T22:00:00Z,2026-12-02T23:00:00Z,Change CHG-0001,normal,closed,acme,Jane Doe <jane@example.com>,Bob Ops <bob@example.com>,Dave Miller <dave@example.com>,"The current certificate expires on 2026-12-15.
	","Replace the certificate on both load balancers.
	",successful,Both load balancers serve the new certificate.,"Switch the listener back to the old certificate.
	",2026-11-20T09:00:00Z,2026-11-22T09:00:00Z,2026-12-02T22:00:00Z,no,changes/acme/CHG-0001.yaml,UTC,2026-12-02T22:00:00+00:00,2026-12-02T23:00:00+00:00
	CHG-0002,2026-12-03T02:00:00Z,2026-12-03T02:00:00Z,2026-12-03T03:00:00Z,Change CHG-0002,emergency,closed,acme,Jane Doe <jane@example.com>,Bob Ops <bob@example.com>,Alice Example <alice@example.com>,"The current certificate expires on 2026-12-15.
	","Replace the certificate on both load balancers.
	",rolled-back,,"Switch the listener back to the old certificate.
	",2026-12-03T01:00:00Z,2026-12-03T01:40:00Z,2026-12-03T02:00:00Z,no,changes/acme/CHG-0002.yaml,UTC,2026-12-03T02:00:00+00:00,2026-12-03T03:00:00+00:00
	CHG-0006,2026-12-05T10:00:00Z,,,Change CHG-0006,normal,draft,acme,Jane Doe <jane@example.com>,Bob Ops <bob@example.com>,,"The current certificate expires on 2026-12-15.
	","Replace the certificate on both load balancers.
	",,,"Switch the listener back to the old certificate.
	",,,,no,changes/acme/CHG-0006.yaml,UTC,,
	CHG-0003,2026-12-09T22:00:00Z,2026-12-09T22:00:00Z,2026-12-10T00:00:00Z,Change CHG-0003,emergency,implemented,globex,Jane Doe <jane@example.com>,Bob Ops <bob@example.com>,Alice Example <alice@example.com>,"The current certificate expires on 2026-12-15.
	","Replace the certificate on both load balancers.
	",,,"Switch the listener back to the old certificate.
	",2026-12-09T20:00:00Z,2026-12-09T21:30:00Z,2026-12-09T22:00:00Z,yes,changes/globex/CHG-0003.yaml,UTC,2026-12-09T22:00:00+00:00,2026-12-10T00:00:00+00:00
	CHG-0004,2026-12-21T22:00:00Z,2026-12-21T22:00:00Z,2026-12-21T23:00:00Z,Change CHG-0004,normal,requested,globex,Jane Doe <jane@example.com>,Bob Ops <bob@example.com>,,"The current certificate expires on 2026-12-15.
	","Replace the certificate on both load balancers.
	",,,,2026-12-14T09:00:00Z,,,no,changes/globex/CHG-0004.yaml,UTC,2026-12-21T22:00:00+00:00,2026-12-21T23:00:00+00:00
	EOF
	test_cmp expect actual.lf
'

test_expect_success '--client: only that client, the totals too' '
	chg -C r report --month 2026-12 --now $NOW --client globex >actual &&
	grep "^# Change report: December 2026, client globex$" actual &&
	grep "^| Changes | 2 |$" actual &&
	grep "^| Emergency share | 1 of 2 (50.0%) \*\*above the 20% threshold\*\* |$" actual &&
	grep "^### " actual >headings &&
	printf "### CHG-0003: Change CHG-0003\n### CHG-0004: Change CHG-0004\n" >expect &&
	test_cmp expect headings &&
	chg -C r report --month 2026-12 --now $NOW --client nobody --format csv >actual &&
	test "$(wc -l <actual)" -eq 1
'

test_expect_success '--rev: the change requests and history of that revision' '
	chg -C r report --month 2026-12 --now $NOW --rev HEAD~1 >actual &&
	grep "^| Changes | 4 |$" actual &&
	! grep CHG-0006 actual
'

test_expect_success 'a broken version is no change of content: approvers stay' '
	# CHG-0001 is broken after its approval and repaired to the approved
	# content; CHG-0002 is repaired with another system, which is a change
	chg_repo b &&
	(cd b &&
	 cr CHG-0001 normal acme 2026-12-10T22:00:00Z 2026-12-10T23:00:00Z >changes/CHG-0001.yaml &&
	 cr CHG-0002 normal acme 2026-12-11T22:00:00Z 2026-12-11T23:00:00Z >changes/CHG-0002.yaml &&
	 at 2026-12-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001 and CHG-0002" &&
	 at 2026-12-02T09:00:00Z chg_approve CHG-0001 "Dave Miller" dave@example.com &&
	 at 2026-12-02T10:00:00Z chg_approve CHG-0002 "Dave Miller" dave@example.com &&
	 git tag approved &&
	 echo "bad: [" >>changes/CHG-0001.yaml &&
	 echo "bad: [" >>changes/CHG-0002.yaml &&
	 at 2026-12-03T09:00:00Z chg_commit "Bob Ops" bob@example.com "Break both" &&
	 git checkout -q approved -- changes/CHG-0001.yaml &&
	 edit changes/CHG-0002.yaml "/^bad:/d
s/lb-01, lb-02/lb-01, lb-02, lb-03/" &&
	 at 2026-12-04T09:00:00Z chg_commit "Bob Ops" bob@example.com "Repair both") &&
	chg -C b log >log &&
	test "$(grep -c "(invalid: yaml-syntax" log)" -eq 2 &&
	chg -C b report --month 2026-12 --now $NOW >actual &&
	grep -e "^### " -e "^- Approved by: " actual >approvers &&
	cat >expect <<-\EOF &&
	### CHG-0001: Change CHG-0001
	- Approved by: Dave Miller \<dave@example.com\>
	### CHG-0002: Change CHG-0002
	- Approved by: (no counted approval)
	EOF
	test_cmp expect approvers
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 chg -C r report 2>err &&
	grep "month YYYY-MM is required" err &&
	test_expect_code 2 chg -C r report --month 2026-13 2>err &&
	grep "is not a month" err &&
	test_expect_code 2 chg -C r report --month 2026-12 --format pdf 2>err &&
	grep "unknown format .pdf." err &&
	test_expect_code 2 chg -C r report --month 2026-12 --emergency-threshold 120 2>err &&
	test_expect_code 3 chg -C r report --month 2026-12 --rev nosuch 2>err &&
	grep "unknown revision .nosuch." err
'

test_expect_success 'drafts are left out unless --include-drafts' '
	chg -C r report --month 2026-12 --now $NOW >actual &&
	grep "^| Changes | 4 |$" actual &&
	grep "^| Emergency share | 2 of 4 (50.0%) \*\*above the 20% threshold\*\* |$" actual &&
	! grep "CHG-0006" actual &&
	! grep "^| draft |" actual &&
	chg -C r report --month 2026-12 --now $NOW --format csv >actual &&
	! grep "CHG-0006" actual &&
	chg -C r report --month 2026-12 --now $NOW --format html -o drafts.html &&
	! grep "CHG-0006" drafts.html &&
	chg -C r report --month 2026-12 --now $NOW --include-drafts --format html -o drafts.html &&
	grep "CHG-0006" drafts.html &&
	chg -C r report --help >help &&
	grep -e "--include-drafts" help
'

test_expect_success 'setup: clients in their time zones, standard changes from the catalog' '
	chg_repo z &&
	cat >>z/.chg/policy.yaml <<-\EOP &&
	clients: [acme, globex, initech]
	schedule:
	  timezone: Europe/Berlin
	  clients: {globex: {timezone: America/New_York}, initech: {timezone: Asia/Kolkata}}
	EOP
	mkdir -p z/.chg/catalog &&
	cat >z/.chg/catalog/password-reset.yaml <<-\EOC &&
	title: Reset the password of one account
	description: One account, one directory.
	procedure: |
	  Verify the caller, reset the password, force a change at next logon.
	constraints: {client: [acme, globex]}
	EOC
	(cd z &&
	 cr CHG-0001 normal acme 2026-12-05T22:00:00Z 2026-12-06T02:00:00Z >changes/CHG-0001.yaml &&
	 cr CHG-0002 normal globex 2026-12-05T22:00:00Z 2026-12-06T02:00:00Z >changes/CHG-0002.yaml &&
	 cr CHG-0003 normal initech 2026-12-05T22:00:00Z 2026-12-06T02:00:00Z >changes/CHG-0003.yaml &&
	 cr CHG-0004 standard acme 2026-12-07T08:00:00Z 2026-12-07T08:30:00Z |
		sed -e "/^rollback-plan:/,+1d" -e "s/^reason: |/standard-template: password-reset\\
reason: |/" >changes/CHG-0004.yaml &&
	 cr CHG-0005 standard initech 2026-12-07T08:00:00Z 2026-12-07T08:30:00Z |
		sed -e "/^rollback-plan:/,+1d" -e "s/^reason: |/standard-template: password-reset\\
reason: |/" >changes/CHG-0005.yaml &&
	 cr CHG-0006 standard acme 2026-12-08T08:00:00Z 2026-12-08T08:30:00Z |
		sed -e "/^rollback-plan:/,+1d" -e "s/^reason: |/standard-template: no-such-entry\\
reason: |/" >changes/CHG-0006.yaml &&
	 cr CHG-0007 normal acme 2026-07-04T20:00:00Z 2026-07-04T23:00:00Z >changes/CHG-0007.yaml &&
	 sed "/^client:/d" changes/CHG-0001.yaml | sed "s/CHG-0001/CHG-0008/" >changes/CHG-0008.yaml &&
	 at 2026-11-20T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request them")
'

test_expect_success 'Markdown: each window in its client'\''s zone, with the offset' '
	chg -C z report --month 2026-12 --now $NOW >actual &&
	grep -e "^### " -e "^- When: " actual >when &&
	cat >expect <<-\EOF &&
	### CHG-0001: Change CHG-0001
	- When: 2026-12-05 23:00 +01:00 to 2026-12-06 03:00 +01:00 (Europe/Berlin)
	### CHG-0002: Change CHG-0002
	- When: 2026-12-05 17:00 -05:00 to 2026-12-05 21:00 -05:00 (America/New_York)
	### CHG-0003: Change CHG-0003
	- When: 2026-12-06 03:30 +05:30 to 2026-12-06 07:30 +05:30 (Asia/Kolkata)
	### CHG-0008: Change CHG-0008
	- When: 2026-12-05 23:00 +01:00 to 2026-12-06 03:00 +01:00 (Europe/Berlin)
	### CHG-0004: Change CHG-0004
	- When: 2026-12-07 09:00 +01:00 to 2026-12-07 09:30 +01:00 (Europe/Berlin)
	### CHG-0005: Change CHG-0005
	- When: 2026-12-07 13:30 +05:30 to 2026-12-07 14:00 +05:30 (Asia/Kolkata)
	### CHG-0006: Change CHG-0006
	- When: 2026-12-08 09:00 +01:00 to 2026-12-08 09:30 +01:00 (Europe/Berlin)
	EOF
	test_cmp expect when &&
	chg -C z report --month 2026-07 --now $NOW >actual &&
	grep "^- When: 2026-07-04 22:00 +02:00 to 2026-07-05 01:00 +02:00 (Europe/Berlin)$" actual
'

test_expect_success 'a standard change backed by its catalog entry has a rollback plan' '
	chg -C z report --month 2026-12 --now $NOW >actual &&
	grep "^| Without rollback plan | 2 (CHG-0005, CHG-0006) |$" actual &&
	grep "^- Rollback plan: in the catalog procedure password-reset$" actual &&
	test "$(grep -c "^- Rollback plan: \*\*none\*\*$" actual)" -eq 2 &&
	chg -C z report --month 2026-12 --now $NOW --format html -o z.html &&
	grep "<td class=\"n\" id=\"without-rollback\">2</td>" z.html &&
	grep -F "in the catalog procedure password-reset</td>" z.html
'

test_expect_success 'CSV: UTC columns as before, the local ones at the end' '
	chg -C z report --month 2026-12 --now $NOW --format csv >actual &&
	tr -d "\\r" <actual >actual.lf &&
	head -n 1 actual.lf >header &&
	echo "id,date,window_start,window_end,title,type,state,client,requested_by,owner,approvers,reason,expected_outcome,actual_outcome,review_notes,rollback_plan,requested,approved,implemented,review_overdue,path,timezone,window_start_local,window_end_local" >expect &&
	test_cmp expect header &&
	grep -o "changes/CHG-000[0-9].yaml,.*" actual.lf >local &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml,Europe/Berlin,2026-12-05T23:00:00+01:00,2026-12-06T03:00:00+01:00
	changes/CHG-0002.yaml,America/New_York,2026-12-05T17:00:00-05:00,2026-12-05T21:00:00-05:00
	changes/CHG-0003.yaml,Asia/Kolkata,2026-12-06T03:30:00+05:30,2026-12-06T07:30:00+05:30
	changes/CHG-0008.yaml,Europe/Berlin,2026-12-05T23:00:00+01:00,2026-12-06T03:00:00+01:00
	changes/CHG-0004.yaml,Europe/Berlin,2026-12-07T09:00:00+01:00,2026-12-07T09:30:00+01:00
	changes/CHG-0005.yaml,Asia/Kolkata,2026-12-07T13:30:00+05:30,2026-12-07T14:00:00+05:30
	changes/CHG-0006.yaml,Europe/Berlin,2026-12-08T09:00:00+01:00,2026-12-08T09:30:00+01:00
	EOF
	test_cmp expect local &&
	grep "^CHG-0002,2026-12-05T22:00:00Z,2026-12-05T22:00:00Z,2026-12-06T02:00:00Z," actual.lf
'

test_expect_success 'the example repository: December 2026' '
	CHG=$SHARNESS_BUILD_DIRECTORY/chg sh "$CHG_SRC_DIR/examples/build.sh" demo &&
	chg -C demo report --month 2026-12 --now $NOW >actual &&
	sed -n "/^## Summary/,/^## By type/p" actual >summary &&
	cat >expect <<-\EOF &&
	## Summary

	| Measure | Value |
	|---|---|
	| Changes | 9 |
	| Success rate | 1 of 1 reviewed (100.0%) |
	| Emergency share | 0 of 9 (0.0%) |
	| Without rollback plan | 0 |
	| Overdue reviews | 0 |
	| Median requested to approved | 6d 5h (5 changes) |
	| Median approved to implemented | 6d 4h (2 changes) |
	| Median requested to implemented | 13d 6h (2 changes) |

	## By type
	EOF
	test_cmp expect summary &&
	grep -e "^### " -e "^- When: " actual >headings &&
	cat >expect <<-\EOF &&
	### CHG-0036: Upgrade pgBackRest to 2.54 on backup-acme-01
	- When: 2026-12-02 20:00 +01:00 to 2026-12-02 21:00 +01:00 (Europe/Berlin)
	### CHG-0044: Add a second uplink to the globex core switch sw-globex-core
	- When: 2026-12-19 10:00 -05:00 to 2026-12-19 12:00 -05:00 (America/New_York)
	### CHG-0045: Grow the data volume of the acme web shop on web-acme-01
	- When: 2026-12-19 22:00 +01:00 to 2026-12-19 23:30 +01:00 (Europe/Berlin)
	### CHG-0040: Renew the TLS certificate of www.acme.example on lb-acme-01
	- When: 2026-12-20 11:00 +01:00 to 2026-12-20 14:00 +01:00 (Europe/Berlin)
	### CHG-0035: Enforce MFA for all globex VPN users
	- When: 2026-12-22 13:00 -05:00 to 2026-12-22 14:00 -05:00 (America/New_York)
	### CHG-0038: Replace the perimeter firewall rule base on fw-globex-01
	- When: 2026-12-22 16:00 -05:00 to 2026-12-22 20:00 -05:00 (America/New_York)
	### CHG-0046: Allow HTTPS from the new logistics partner to app-globex-01
	- When: 2026-12-22 18:00 -05:00 to 2026-12-22 19:00 -05:00 (America/New_York)
	### CHG-0042: Upgrade PostgreSQL 14 to 16 on db-prod-01
	- When: 2026-12-26 22:00 +01:00 to 2026-12-27 02:00 +01:00 (Europe/Berlin)
	### CHG-0039: Move the acme.example DNS zone to the new DNS provider
	- When: 2026-12-27 10:00 +01:00 to 2026-12-27 13:00 +01:00 (Europe/Berlin)
	EOF
	test_cmp expect headings &&
	# the certificate renewal follows its catalog entry: no missing plan
	grep "^- Rollback plan: in the catalog procedure tls-certificate-renewal$" actual &&
	# the draft CHG-0041 is left out unless asked for
	! grep "CHG-0041" actual &&
	chg -C demo report --month 2026-12 --now $NOW --include-drafts >actual.drafts &&
	grep "^### CHG-0041: " actual.drafts &&
	grep "^- Approved by: Alice Example \\\\<alice@msp.example\\\\>; Carol Nguyen \\\\<carol@msp.example\\\\>$" actual &&
	chg -C demo report --month 2026-11 --now $NOW --client globex >actual &&
	grep "^| Emergency share | 1 of 3 (33.3%) \*\*above the 20% threshold\*\* |$" actual &&
	grep "^| Overdue reviews | 1 (CHG-0037) |$" actual
'

test_expect_success 'setup: hostile text in a change request' '
	chg_repo h &&
	chg_normal_cr CHG-0001 |
	sed -e "s|^title: .*|title: \"<script>document.title=\x27pwned\x27</script> [x](http://evil.example) \| a\"|" \
	    -e "s|^  The current certificate.*|  =HYPERLINK(\"http://evil.example\",\"click\")|" \
	    -e "s|^requested-by: .*|requested-by: \"@SUM(1+1) <jane@example.com>\"|" >h/changes/CHG-0001.yaml &&
	(cd h && at 2026-12-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	grep "<script>" h/changes/CHG-0001.yaml
'

test_expect_success 'hostile text: Markdown escapes markup' '
	chg -C h report --month 2026-12 --now $NOW >actual &&
	grep -F "### CHG-0001: \\<script\\>document.title=${SQ}pwned${SQ}\\</script\\> \\[x\\](http://evil.example) \\| a" actual &&
	! grep "<script>" actual
'

test_expect_success 'hostile text: CSV cells cannot start a formula' '
	chg -C h report --month 2026-12 --now $NOW --format csv >actual &&
	grep -F "${SQ}@SUM(1+1) <jane@example.com>," actual &&
	grep -F "\"${SQ}=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")" actual &&
	! grep -F ",=HYPERLINK" actual
'

test_expect_success 'hostile text: HTML escapes it, loads nothing from outside' '
	chg -C h report --month 2026-12 --now $NOW --format html -o h.html &&
	grep -F "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" h.html &&
	test "$(grep -c "<script" h.html)" -eq 0 &&
	! grep -E "(src|href)=|@import|url\\(" h.html &&
	grep "@media print" h.html &&
	grep "<svg id=\"chart\"" h.html
'

# Chromium comes from .ci/install-deps; a machine without it fails here
# rather than skipping what the page shows.
test_expect_success 'chromium is installed' '
	command -v chromium
'

# dump FILE: the DOM of FILE after headless Chromium loaded it.
dump () {
	_profile=$(mktemp -d) &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$_profile" --dump-dom "file://$PWD/$1" 2>chromium.err
	_rc=$?
	rm -rf "$_profile"
	return $_rc
}

test_expect_success 'HTML in Chromium: totals, the chart, the changes' '
	chg -C r report --month 2026-12 --now $NOW --include-drafts --format html -o report.html &&
	dump report.html >dom &&
	grep "<title>Change report December 2026</title>" dom &&
	grep "<td class=\"n\" id=\"total\">5</td>" dom &&
	grep "<td id=\"success-rate\">1 of 2 reviewed (50.0%)</td>" dom &&
	grep "<td id=\"emergency-share\" class=\"flag\">2 of 5 (40.0%) above the 20% threshold</td>" dom &&
	grep "<td class=\"n\" id=\"without-rollback\">1</td>" dom &&
	grep "<td class=\"n\" id=\"overdue-reviews\">1</td>" dom &&
	grep "<svg id=\"chart\"" dom &&
	grep -o "<rect class=\"bar\" data-week=\"[^\"]*\" data-type=\"[^\"]*\" data-count=\"[0-9]*\"" dom >bars &&
	cat >expect <<-\EOF &&
	<rect class="bar" data-week="2026-W49" data-type="normal" data-count="2"
	<rect class="bar" data-week="2026-W49" data-type="emergency" data-count="1"
	<rect class="bar" data-week="2026-W50" data-type="emergency" data-count="1"
	<rect class="bar" data-week="2026-W52" data-type="normal" data-count="1"
	EOF
	test_cmp expect bars &&
	test "$(grep -c "^<tr><td>CHG-000" dom)" -eq 5
'

test_expect_success 'HTML in Chromium: windows in the clients'\'' local times' '
	chg -C z report --month 2026-12 --now $NOW --format html -o z.html &&
	dump z.html >dom &&
	grep -o "<tr><td>CHG-000[0-9]<br>[^<]*<br>[a-z]*</td><td><span class=\"local\">[^<]*</span> ([^)]*)" dom >local &&
	cat >expect <<-\EOF &&
	<tr><td>CHG-0001<br>normal, requested<br>acme</td><td><span class="local">2026-12-05 23:00 +01:00 to 2026-12-06 03:00 +01:00</span> (Europe/Berlin)
	<tr><td>CHG-0002<br>normal, requested<br>globex</td><td><span class="local">2026-12-05 17:00 -05:00 to 2026-12-05 21:00 -05:00</span> (America/New_York)
	<tr><td>CHG-0003<br>normal, requested<br>initech</td><td><span class="local">2026-12-06 03:30 +05:30 to 2026-12-06 07:30 +05:30</span> (Asia/Kolkata)
	<tr><td>CHG-0004<br>standard, requested<br>acme</td><td><span class="local">2026-12-07 09:00 +01:00 to 2026-12-07 09:30 +01:00</span> (Europe/Berlin)
	<tr><td>CHG-0005<br>standard, requested<br>initech</td><td><span class="local">2026-12-07 13:30 +05:30 to 2026-12-07 14:00 +05:30</span> (Asia/Kolkata)
	<tr><td>CHG-0006<br>standard, requested<br>acme</td><td><span class="local">2026-12-08 09:00 +01:00 to 2026-12-08 09:30 +01:00</span> (Europe/Berlin)
	EOF
	test_cmp expect local &&
	grep "<td class=\"n\" id=\"without-rollback\">2</td>" dom
'

test_expect_success 'HTML in Chromium: the hostile title runs no script' '
	chg -C h report --month 2026-12 --now $NOW --format html -o h.html &&
	dump h.html >dom &&
	grep "<title>Change report December 2026</title>" dom &&
	! grep pwned.*</title> dom &&
	grep -F "&lt;script&gt;document.title=${SQ}pwned${SQ}&lt;/script&gt;" dom &&
	! grep "<script" dom
'

test_done
