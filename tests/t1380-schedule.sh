#!/bin/sh

test_description='chg-lint: the schedule - maintenance windows, blackouts, notice and window conflicts, on UTC instants over half-open intervals, with both DST weekends of Europe/Berlin and America/New_York'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# cr REPO ID [SED-SCRIPT...]: a normal change request ID in REPO through sed.
cr () {
	_repo=$1 _id=$2
	shift 2
	chg_normal_cr "$_id" | sed -e "" "$@" >"$_repo/changes/$_id.yaml"
}

# win START END: the sed script that sets the window.
win () {
	printf 's/^window: .*/window: {start: %s, end: %s}/' "$1" "$2"
}

# client NAME: the sed script that adds `client: NAME`.
client () {
	printf 's/^type: normal$/type: normal\\nclient: %s/' "$1"
}

# wcheck CLIENT START END: CHG-0001 of repository w with that client and
# window, linted.
wcheck () {
	cr w CHG-0001 -e "$(client "$1")" -e "$(win "$2" "$3")" &&
	chg-lint --now "$CHG_TEST_NOW" -C w >actual 2>stderr
}

test_expect_success 'setup: a policy with maintenance windows in two zones' '
	chg_repo w &&
	cat >>w/.chg/policy.yaml <<-\EOF &&
	clients: [acme, globex, initech]
	schedule:
	  timezone: Europe/Berlin
	  clients: {acme: {timezone: Europe/Berlin}, globex: {timezone: America/New_York}}
	  maintenance-windows:
	    acme: ["Sat 22:00-Sun 04:00"]
	    globex:
	      - "Sat 22:00-Sun 04:00"
	      - {rrule: "FREQ=MONTHLY;BYDAY=2TU", start: "22:00", duration: 4h}
	EOF
	(cd w && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'a Tuesday 14:00 change to acme is outside its Saturday night window' '
	test_expect_code 1 wcheck acme 2026-12-01T13:00:00Z 2026-12-01T15:00:00Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:17:17: error: the window 2026-12-01 14:00 Europe/Berlin to 2026-12-01 16:00 Europe/Berlin is not inside one maintenance window of client acme (Sat 22:00-Sun 04:00, Europe/Berlin) [outside-maintenance-window]
	EOF
	test_cmp expect actual
'

test_expect_success 'a change that fills the window exactly is inside; a second more at either end is not' '
	wcheck acme 2026-12-05T21:00:00Z 2026-12-06T03:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck acme 2026-12-05T20:59:59Z 2026-12-06T03:00:00Z &&
	grep -c outside-maintenance-window actual >count &&
	echo 1 >expect && test_cmp expect count &&
	test_expect_code 1 wcheck acme 2026-12-05T21:00:00Z 2026-12-06T03:00:01Z &&
	grep "2026-12-06 04:00:01 Europe/Berlin is not inside" actual
'

test_expect_success 'a change without a client, or a client without windows, is not checked' '
	cr w CHG-0001 -e "$(win 2026-12-01T13:00:00Z 2026-12-01T15:00:00Z)" &&
	chg_lint_status 0 -C w &&
	test_must_be_empty actual &&
	wcheck initech 2026-12-01T13:00:00Z 2026-12-01T15:00:00Z &&
	test_must_be_empty actual
'

test_expect_success 'Berlin, March: Sat 22:00 CET to Sun 04:00 CEST is 5 hours (21:00Z-02:00Z)' '
	wcheck acme 2026-03-28T21:00:00Z 2026-03-29T02:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck acme 2026-03-28T21:00:00Z 2026-03-29T03:00:00Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:17:17: error: the window 2026-03-28 22:00 Europe/Berlin to 2026-03-29 05:00 Europe/Berlin is not inside one maintenance window of client acme (Sat 22:00-Sun 04:00, Europe/Berlin) [outside-maintenance-window]
	EOF
	test_cmp expect actual
'

test_expect_success 'Berlin, October: Sat 22:00 CEST to Sun 04:00 CET is 7 hours (20:00Z-03:00Z)' '
	wcheck acme 2026-10-24T20:00:00Z 2026-10-25T03:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck acme 2026-10-24T19:59:00Z 2026-10-25T03:00:00Z &&
	test_expect_code 1 wcheck acme 2026-10-24T20:00:00Z 2026-10-25T03:01:00Z &&
	grep outside-maintenance-window actual
'

test_expect_success 'New York, March 8: Sat 22:00 EST to Sun 04:00 EDT is 5 hours (03:00Z-08:00Z), a normal weekend in Berlin' '
	wcheck globex 2026-03-08T03:00:00Z 2026-03-08T08:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck globex 2026-03-08T03:00:00Z 2026-03-08T09:00:00Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:17:17: error: the window 2026-03-07 22:00 America/New_York to 2026-03-08 05:00 America/New_York is not inside one maintenance window of client globex (Sat 22:00-Sun 04:00, FREQ=MONTHLY;BYDAY=2TU at 22:00 for 4h, America/New_York) [outside-maintenance-window]
	EOF
	test_cmp expect actual &&
	wcheck acme 2026-03-07T21:00:00Z 2026-03-08T03:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck acme 2026-03-08T03:00:00Z 2026-03-08T08:00:00Z
'

test_expect_success 'New York on Berlin'"'"'s March weekend: 6 hours (02:00Z-08:00Z)' '
	wcheck globex 2026-03-29T02:00:00Z 2026-03-29T08:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck acme 2026-03-29T02:00:00Z 2026-03-29T08:00:00Z
'

test_expect_success 'New York, November 1: Sat 22:00 EDT to Sun 04:00 EST is 7 hours (02:00Z-09:00Z)' '
	wcheck globex 2026-11-01T02:00:00Z 2026-11-01T09:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck globex 2026-11-01T01:59:59Z 2026-11-01T09:00:00Z &&
	test_expect_code 1 wcheck globex 2026-11-01T02:00:00Z 2026-11-01T09:00:01Z &&
	grep "2026-11-01 04:00:01 America/New_York is not inside" actual
'

test_expect_success 'an RRULE window: the second Tuesday of the month, 22:00 for 4h, New York time' '
	wcheck globex 2026-12-09T03:00:00Z 2026-12-09T07:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck globex 2026-12-02T03:00:00Z 2026-12-02T07:00:00Z &&
	test_expect_code 1 wcheck globex 2026-12-09T03:00:00Z 2026-12-09T07:00:01Z &&
	grep outside-maintenance-window actual
'

test_expect_success 'a change across two back-to-back occurrences lies inside neither' '
	cat >>w/.chg/policy.yaml <<-\EOF &&
	    initech: ["Sat 00:00-Sun 00:00", "Sun 00:00-Mon 00:00"]
	EOF
	wcheck initech 2026-12-05T10:00:00Z 2026-12-05T23:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck initech 2026-12-05T10:00:00Z 2026-12-05T23:00:01Z &&
	grep outside-maintenance-window actual
'

test_expect_success 'RRULE series: from sets the phase of an INTERVAL and where a COUNT starts' '
	edit w/.chg/policy.yaml "s/^clients: .*/clients: [acme, globex, initech, hooli, umbrella]/" &&
	cat >>w/.chg/policy.yaml <<-\EOF &&
	    hooli: [{rrule: "FREQ=WEEKLY;BYDAY=TU;COUNT=3", start: "22:00", duration: 2h, from: 2026-12-02}]
	    umbrella: [{rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", start: "22:00", duration: 2h, from: 2026-12-01}]
	EOF
	test_expect_code 1 wcheck hooli 2026-12-01T21:00:00Z 2026-12-01T22:00:00Z &&
	test_expect_code 1 wcheck hooli 2026-12-02T21:00:00Z 2026-12-02T22:00:00Z &&
	wcheck hooli 2026-12-08T21:00:00Z 2026-12-08T23:00:00Z &&
	test_must_be_empty actual &&
	wcheck hooli 2026-12-22T21:00:00Z 2026-12-22T23:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck hooli 2026-12-29T21:00:00Z 2026-12-29T23:00:00Z &&
	wcheck umbrella 2027-03-09T21:00:00Z 2027-03-09T23:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 wcheck umbrella 2027-03-16T21:00:00Z 2027-03-16T23:00:00Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:17:17: error: the window 2027-03-16 22:00 Europe/Berlin to 2027-03-17 00:00 Europe/Berlin is not inside one maintenance window of client umbrella (FREQ=WEEKLY;INTERVAL=2;BYDAY=TU at 22:00 for 2h, Europe/Berlin) [outside-maintenance-window]
	EOF
	test_cmp expect actual
'

# bcheck ID CLIENT START END [SED-SCRIPT...]: ID of repository b with that
# client ("-" for none) and window, linted.
bcheck () {
	_id=$1 _client=$2 _s=$3 _e=$4
	shift 4
	if test "$_client" = -; then
		cr b "$_id" -e "$(win "$_s" "$_e")" "$@"
	else
		cr b "$_id" -e "$(client "$_client")" -e "$(win "$_s" "$_e")" "$@"
	fi &&
	chg-lint --now "$CHG_TEST_NOW" -C b >actual 2>stderr
}

test_expect_success 'setup: blackouts in dates and in date-times, per client' '
	chg_repo b &&
	cat >>b/.chg/policy.yaml <<-\EOF &&
	clients: [acme, globex]
	schedule:
	  timezone: Europe/Berlin
	  clients: {globex: {timezone: America/New_York}}
	  blackouts:
	    - {name: year-end freeze, start: 2026-12-20, end: 2027-01-04, allow: [emergency]}
	    - {name: globex datacentre move, start: "2026-11-28T08:00:00-05:00",
	       end: "2026-11-28T20:00:00-05:00", when: {client: globex}, severity: warning}
	EOF
	(cd b && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'a change that ends when the freeze starts (Berlin midnight) is clear of it; a second later it is not' '
	bcheck CHG-0001 - 2026-12-19T22:00:00Z 2026-12-19T23:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 bcheck CHG-0001 - 2026-12-19T22:00:00Z 2026-12-19T23:00:01Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:16:17: error: the window 2026-12-19 23:00 Europe/Berlin to 2026-12-20 00:00:01 Europe/Berlin falls in the blackout ${SQ}year-end freeze${SQ} (2026-12-20 00:00 Europe/Berlin to 2027-01-05 00:00 Europe/Berlin), which does not allow normal changes [blackout-conflict]
	EOF
	sed -e "s/\${SQ}/$SQ/g" expect >expect.q &&
	test_cmp expect.q actual
'

test_expect_success 'a blackout given in dates lasts to the end of its last day' '
	test_expect_code 1 bcheck CHG-0001 - 2027-01-04T22:00:00Z 2027-01-04T22:59:59Z &&
	grep "falls in the blackout ${SQ}year-end freeze${SQ}" actual &&
	test_expect_code 1 bcheck CHG-0001 - 2027-01-04T22:59:59Z 2027-01-05T01:00:00Z &&
	grep blackout-conflict actual &&
	bcheck CHG-0001 - 2027-01-04T23:00:00Z 2027-01-05T01:00:00Z &&
	test_must_be_empty actual
'

test_expect_success 'dates are days in the client'"'"'s zone: New York'"'"'s freeze starts six hours after Berlin'"'"'s' '
	test_expect_code 1 bcheck CHG-0001 - 2026-12-20T00:00:00Z 2026-12-20T01:00:00Z &&
	grep blackout-conflict actual &&
	bcheck CHG-0001 globex 2026-12-20T00:00:00Z 2026-12-20T05:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 bcheck CHG-0001 globex 2026-12-20T04:00:00Z 2026-12-20T05:00:01Z &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:17:17: error: the window 2026-12-19 23:00 America/New_York to 2026-12-20 00:00:01 America/New_York falls in the blackout ${SQ}year-end freeze${SQ} (2026-12-20 00:00 America/New_York to 2027-01-05 00:00 America/New_York), which does not allow normal changes [blackout-conflict]
	EOF
	test_cmp expect actual &&
	bcheck CHG-0001 globex 2027-01-05T05:00:00Z 2027-01-05T06:00:00Z &&
	test_must_be_empty actual &&
	test_expect_code 1 bcheck CHG-0001 globex 2027-01-05T04:59:59Z 2027-01-05T06:00:00Z &&
	grep blackout-conflict actual
'

test_expect_success 'an emergency change inside the freeze is a note, and still needs its approval' '
	bcheck CHG-0001 - 2026-12-24T10:00:00Z 2026-12-24T11:00:00Z \
		-e "s/^type: normal/type: emergency\nincident: INC-7/" &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:17:17: note: the window 2026-12-24 11:00 Europe/Berlin to 2026-12-24 12:00 Europe/Berlin falls in the blackout ${SQ}year-end freeze${SQ} (2026-12-20 00:00 Europe/Berlin to 2027-01-05 00:00 Europe/Berlin), which allows emergency changes; it still needs its approvals [blackout-conflict]
	EOF
	test_cmp expect actual &&
	test_expect_code 1 bcheck CHG-0001 - 2026-12-24T10:00:00Z 2026-12-24T11:00:00Z \
		-e "s/^type: normal/type: emergency\nincident: INC-7/" -e "s/^state: requested/state: approved/" &&
	grep "note: .*blackout-conflict" actual &&
	grep missing-approval actual
'

test_expect_success 'a blackout with a condition and its own severity' '
	bcheck CHG-0001 globex 2026-11-28T14:00:00Z 2026-11-28T15:00:00Z &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:17:17: warning: the window 2026-11-28 09:00 America/New_York to 2026-11-28 10:00 America/New_York falls in the blackout ${SQ}globex datacentre move${SQ} (2026-11-28 08:00 America/New_York to 2026-11-28 20:00 America/New_York), which does not allow normal changes [blackout-conflict]
	EOF
	test_cmp expect actual &&
	bcheck CHG-0001 acme 2026-11-28T14:00:00Z 2026-11-28T15:00:00Z &&
	test_must_be_empty actual &&
	bcheck CHG-0001 globex 2026-11-29T01:00:00Z 2026-11-29T02:00:00Z &&
	test_must_be_empty actual
'

# ncheck START NOTICE-SENT|-: CHG-0001 of repository n with that window
# start (an hour long) and notice, linted.
ncheck () {
	if test "$2" = -; then
		cr n CHG-0001 -e "$(win "$1" 2026-12-05T23:00:00Z)"
	else
		cr n CHG-0001 -e "$(win "$1" 2026-12-05T23:00:00Z)" \
			-e "\$a\\
communication: {notice-sent: \"$2\"}"
	fi &&
	chg-lint --now "$CHG_TEST_NOW" -C n >actual 2>stderr
}

test_expect_success 'setup: 48 hours notice for normal changes' '
	chg_repo n &&
	cat >>n/.chg/policy.yaml <<-\EOF &&
	schedule:
	  timezone: Europe/Berlin
	  notice: {normal: 48h, emergency: 0h}
	EOF
	(cd n && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'notice is measured to the minute: 48h is enough, 47h59m is not' '
	ncheck 2026-12-05T22:00:00Z 2026-12-03T22:00:00Z &&
	test_must_be_empty actual &&
	ncheck 2026-12-05T22:00:00Z "2026-12-03T23:00:00+01:00" &&
	test_must_be_empty actual &&
	test_expect_code 1 ncheck 2026-12-05T22:00:00Z 2026-12-03T22:01:00Z &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:21:30: error: normal changes need 48h notice, but notice was sent at 2026-12-03T22:01:00Z, 1d23h59m before the window starts at 2026-12-05 23:00 Europe/Berlin [insufficient-notice]
	EOF
	test_cmp expect actual
'

test_expect_success 'a missing notice-sent is insufficient notice; an emergency change needs none' '
	test_expect_code 1 ncheck 2026-12-05T22:00:00Z - &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:16:17: error: normal changes need 48h notice before the window starts, and communication.notice-sent is missing [insufficient-notice]
	EOF
	test_cmp expect actual &&
	cr n CHG-0001 -e "s/^type: normal/type: emergency\nincident: INC-7/" &&
	chg_lint_status 0 -C n &&
	test_must_be_empty actual
'

test_expect_success 'a cancelled change is not judged on its schedule' '
	cr n CHG-0001 -e "s/^state: requested/state: cancelled/" &&
	chg_lint_status 0 -C n &&
	test_must_be_empty actual
'

test_expect_success 'setup: conflicts on one system are errors' '
	chg_repo c &&
	cat >>c/.chg/policy.yaml <<-\EOF &&
	schedule:
	  timezone: Europe/Berlin
	  conflicts: {same-system: error}
	EOF
	(cd c && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'two overlapping changes on one system: each names the other' '
	cr c CHG-0001 &&
	cr c CHG-0002 -e "s/^systems: .*/systems: [lb-02, lb-03]/" \
		-e "$(win 2026-12-05T22:59:59Z 2026-12-06T00:00:00Z)" &&
	chg_lint_status 1 -C c &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:16:17: error: the window overlaps the window of CHG-0002 (2026-12-05 23:59:59 Europe/Berlin to 2026-12-06 01:00 Europe/Berlin) on system lb-02 [window-conflict]
	changes/CHG-0002.yaml:16:17: error: the window overlaps the window of CHG-0001 (2026-12-05 23:00 Europe/Berlin to 2026-12-06 00:00 Europe/Berlin) on system lb-02 [window-conflict]
	EOF
	test_cmp expect actual
'

test_expect_success 'two systems shared: one conflict a pair, named by the first; a system listed twice is no conflict' '
	cr c CHG-0001 -e "s/^systems: .*/systems: [lb-01, lb-02, lb-01]/" &&
	cr c CHG-0002 -e "s/^systems: .*/systems: [lb-02, lb-01]/" &&
	cr c CHG-0003 -e "s/^systems: .*/systems: [db-01, db-01]/" &&
	chg_lint_status 1 -C c &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:16:17: error: the window overlaps the window of CHG-0002 (2026-12-05 23:00 Europe/Berlin to 2026-12-06 00:00 Europe/Berlin) on system lb-01 [window-conflict]
	changes/CHG-0002.yaml:16:17: error: the window overlaps the window of CHG-0001 (2026-12-05 23:00 Europe/Berlin to 2026-12-06 00:00 Europe/Berlin) on system lb-01 [window-conflict]
	EOF
	test_cmp expect actual &&
	rm c/changes/CHG-0003.yaml &&
	cr c CHG-0001 &&
	cr c CHG-0002 -e "s/^systems: .*/systems: [lb-02, lb-03]/" \
		-e "$(win 2026-12-05T22:59:59Z 2026-12-06T00:00:00Z)"
'

test_expect_success 'touching windows do not overlap' '
	cr c CHG-0002 -e "$(win 2026-12-05T23:00:00Z 2026-12-06T00:00:00Z)" &&
	chg_lint_status 0 -C c &&
	test_must_be_empty actual &&
	cr c CHG-0002 -e "$(win 2026-12-05T21:00:00Z 2026-12-05T22:00:00Z)" &&
	chg_lint_status 0 -C c &&
	test_must_be_empty actual
'

test_expect_success 'no conflict on other systems, or with a change that is over' '
	cr c CHG-0002 -e "s/^systems: .*/systems: [db-01]/" &&
	chg_lint_status 0 -C c &&
	test_must_be_empty actual &&
	for s in cancelled rejected
	do
		cr c CHG-0002 -e "s/^state: requested/state: $s/" &&
		chg_lint_status 0 -C c &&
		test_must_be_empty actual || return 1
	done
'

test_expect_success 'same-system: warning and off' '
	cr c CHG-0002 &&
	edit c/.chg/policy.yaml "s/same-system: error/same-system: warning/" &&
	chg_lint_status 0 -C c &&
	grep -c "warning: .*window-conflict" actual >count &&
	echo 2 >expect && test_cmp expect count &&
	edit c/.chg/policy.yaml "s/same-system: warning/same-system: off/" &&
	chg_lint_status 0 -C c &&
	test_must_be_empty actual
'

test_expect_success 'a gate judges what it lets through: --staged, the staged change and those it conflicts with' '
	edit c/.chg/policy.yaml "s/same-system: off/same-system: error/" &&
	(cd c && chg_commit "Jane Doe" jane@example.com "Conflicts are errors") &&
	cr c CHG-0003 -e "s/^systems: .*/systems: [db-01]/" &&
	git -C c add changes/CHG-0003.yaml &&
	chg_lint_status 0 -C c --staged &&
	cat >expect <<-\EOF &&
	.chg: note: 2 findings on 2 change requests that this commit does not change are not judged here (--scope all judges them; chg-lint without --staged or --range judges every change request) [window-conflict]
	EOF
	test_cmp expect actual &&
	cr c CHG-0003 -e "s/^systems: .*/systems: [db-01, lb-01]/" \
		-e "$(win 2026-12-05T22:30:00Z 2026-12-05T22:45:00Z)" &&
	git -C c add changes/CHG-0003.yaml &&
	chg_lint_status 1 -C c --staged &&
	cat >expect <<-\EOF &&
	.chg: note: 2 findings on 2 change requests that this commit does not change are not judged here (--scope all judges them; chg-lint without --staged or --range judges every change request) [window-conflict]
	changes/CHG-0001.yaml:16:17: error: the window overlaps the window of CHG-0003 (2026-12-05 23:30 Europe/Berlin to 2026-12-05 23:45 Europe/Berlin) on system lb-01 [window-conflict]
	changes/CHG-0002.yaml:16:17: error: the window overlaps the window of CHG-0003 (2026-12-05 23:30 Europe/Berlin to 2026-12-05 23:45 Europe/Berlin) on system lb-01 [window-conflict]
	changes/CHG-0003.yaml:16:17: error: the window overlaps the window of CHG-0001 (2026-12-05 23:00 Europe/Berlin to 2026-12-06 00:00 Europe/Berlin) on system lb-01 [window-conflict]
	changes/CHG-0003.yaml:16:17: error: the window overlaps the window of CHG-0002 (2026-12-05 23:00 Europe/Berlin to 2026-12-06 00:00 Europe/Berlin) on system lb-01 [window-conflict]
	EOF
	test_cmp expect actual
'

# policy: repository p's policy from stdin, over the built-in one.
policy () {
	{ printf "version: 1\nextends: default\n" && cat; } >p/.chg/policy.yaml
}

test_expect_success 'a malformed schedule is invalid-policy at its line and column, exit 3' '
	chg_repo p &&
	policy <<-\EOF &&
	schedule: {blackouts: "nonsense"}
	EOF
	chg_lint_status 3 -C p &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:3:23: error: schedule.blackouts must be a list of {name, start, end} entries [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'zones, notice, conflicts and clients are validated' '
	policy <<-\EOF &&
	clients: [acme, globex]
	schedule:
	  timezone: Europe/Berlim
	  notice: {normal: two days}
	  conflicts: {same-system: fatal, other-system: error}
	  clients: {acme: {timezone: Mars/Olympus}, initech: {zone: UTC}}
	EOF
	chg_lint_status 3 -C p &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:5:13: error: schedule.timezone must be an IANA time zone such as Europe/Berlin, not ${SQ}Europe/Berlim${SQ} [invalid-policy]
	.chg/policy.yaml:6:20: error: schedule.notice.normal must be a duration such as 48h or 0h [invalid-policy]
	.chg/policy.yaml:7:28: error: schedule.conflicts.same-system must be error, warning, note or off [invalid-policy]
	.chg/policy.yaml:7:35: error: unknown key ${SQ}other-system${SQ} in schedule.conflicts (expected one of: same-system) [invalid-policy]
	.chg/policy.yaml:8:30: error: schedule.clients.acme.timezone must be an IANA time zone such as America/New_York, not ${SQ}Mars/Olympus${SQ} [invalid-policy]
	.chg/policy.yaml:8:45: error: schedule.clients names ${SQ}initech${SQ}, which is not one of the policy${SQ}s clients [invalid-policy]
	.chg/policy.yaml:8:55: error: unknown key ${SQ}zone${SQ} in schedule.clients entries (expected one of: timezone) [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'blackouts are validated' '
	policy <<-\EOF &&
	schedule:
	  blackouts:
	    - {name: freeze, start: 2026-12-20, end: 2026-12-19}
	    - {name: typo, start: 2026-13-01, end: 2026-12-24}
	    - {name: open-ended, start: 2026-12-20}
	    - {name: odd, start: 2026-12-20, end: 2026-12-24, allow: emergency, severity: fatal, colour: red}
	    - {name: conditional, start: 2026-12-20, end: 2026-12-24, when: [client]}
	EOF
	chg_lint_status 3 -C p &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:5:46: error: the blackout ${SQ}freeze${SQ} ends before it starts [invalid-policy]
	.chg/policy.yaml:6:27: error: a blackout needs start: a date (2026-12-20) or an RFC 3339 date-time [invalid-policy]
	.chg/policy.yaml:7:7: error: a blackout needs end: a date (2027-01-04, the last day) or an RFC 3339 date-time [invalid-policy]
	.chg/policy.yaml:8:62: error: a blackout${SQ}s allow must be a list of change types, such as [emergency] [invalid-policy]
	.chg/policy.yaml:8:83: error: a blackout${SQ}s severity must be error, warning or note [invalid-policy]
	.chg/policy.yaml:8:90: error: unknown key ${SQ}colour${SQ} in schedule.blackouts entries (expected one of: name, start, end, allow, severity, when) [invalid-policy]
	EOF
	head -6 actual >actual.head &&
	test_cmp expect actual.head &&
	grep "^.chg/policy.yaml:9:.*invalid-policy" actual
'

test_expect_success 'maintenance windows are validated' '
	policy <<-\EOF &&
	clients: [acme]
	schedule:
	  maintenance-windows:
	    acme: ["Sat 22:00-Sun 04:00", "Sa 22:00-So 04:00", "Sat 22:00-21:00", "Sat 24:00-Sun 04:00"]
	    globex: ["Sat 22:00-Sun 04:00"]
	    initech: {rrule: "FREQ=WEEKLY"}
	EOF
	chg_lint_status 3 -C p &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:6:35: error: ${SQ}Sa 22:00-So 04:00${SQ} is not a maintenance window: a weekly one reads like "Sat 22:00-Sun 04:00" (Mon..Sun, local HH:MM), another is {rrule: RULE, start: HH:MM, duration: 4h} [invalid-policy]
	.chg/policy.yaml:6:56: error: ${SQ}Sat 22:00-21:00${SQ} is not a maintenance window: a weekly one reads like "Sat 22:00-Sun 04:00" (Mon..Sun, local HH:MM), another is {rrule: RULE, start: HH:MM, duration: 4h} [invalid-policy]
	.chg/policy.yaml:6:75: error: ${SQ}Sat 24:00-Sun 04:00${SQ} is not a maintenance window: a weekly one reads like "Sat 22:00-Sun 04:00" (Mon..Sun, local HH:MM), another is {rrule: RULE, start: HH:MM, duration: 4h} [invalid-policy]
	.chg/policy.yaml:7:5: error: schedule.maintenance-windows names ${SQ}globex${SQ}, which is not one of the policy${SQ}s clients [invalid-policy]
	.chg/policy.yaml:8:5: error: schedule.maintenance-windows names ${SQ}initech${SQ}, which is not one of the policy${SQ}s clients [invalid-policy]
	.chg/policy.yaml:8:14: error: schedule.maintenance-windows.initech must be a list of windows such as "Sat 22:00-Sun 04:00" [invalid-policy]
	EOF
	test_cmp expect actual &&
	policy <<-\EOF &&
	schedule:
	  maintenance-windows:
	    acme:
	      - {rrule: "FREQ=FORTNIGHTLY", start: "22:00", duration: 4h}
	      - {rrule: "FREQ=MONTHLY;BYDAY=2TU", start: "10pm", duration: 4h, from: 2026-02-30}
	      - {rrule: "FREQ=MONTHLY;BYDAY=2TU", start: "22:00", duration: 0h}
	EOF
	chg_lint_status 3 -C p &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:6:17: error: ${SQ}FREQ=FORTNIGHTLY${SQ} is not an RFC 5545 recurrence rule (such as FREQ=WEEKLY;BYDAY=SA) [invalid-policy]
	.chg/policy.yaml:7:50: error: a maintenance window needs start: the local time HH:MM each occurrence starts [invalid-policy]
	.chg/policy.yaml:7:78: error: a maintenance window${SQ}s from must be a date (YYYY-MM-DD), the first day of the series [invalid-policy]
	.chg/policy.yaml:8:69: error: a maintenance window needs duration: how long each occurrence lasts, such as 4h [invalid-policy]
	EOF
	test_cmp expect actual &&
	policy <<-\EOF &&
	schedule:
	  maintenance-windows:
	    acme:
	      - {rrule: "FREQ=SECONDLY", start: "22:00", duration: 4h}
	      - {rrule: "FREQ=HOURLY;INTERVAL=6", start: "22:00", duration: 1h}
	      - {rrule: "FREQ=DAILY;COUNT=10001", start: "22:00", duration: 4h}
	      - {rrule: "FREQ=DAILY;COUNT=10000", start: "22:00", duration: 4h}
	EOF
	chg_lint_status 3 -C p &&
	cat >expect <<-EOF &&
	.chg/policy.yaml:6:17: error: ${SQ}FREQ=SECONDLY${SQ} recurs more often than daily: a maintenance window${SQ}s rule has FREQ=DAILY, WEEKLY, MONTHLY or YEARLY [invalid-policy]
	.chg/policy.yaml:7:17: error: ${SQ}FREQ=HOURLY;INTERVAL=6${SQ} recurs more often than daily: a maintenance window${SQ}s rule has FREQ=DAILY, WEEKLY, MONTHLY or YEARLY [invalid-policy]
	.chg/policy.yaml:8:17: error: ${SQ}FREQ=DAILY;COUNT=10001${SQ} has more than 10000 occurrences: give the series an UNTIL date, or no end [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a rule that never matches: every change of the client is outside, each judged' '
	policy <<-\EOF &&
	clients: [acme]
	schedule:
	  maintenance-windows:
	    acme: [{rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", start: "22:00", duration: 4h}]
	EOF
	for id in CHG-0001 CHG-0002 CHG-0003
	do
		cr p $id -e "$(client acme)" -e "s/^systems: .*/systems: [s-$id]/" || return 1
	done &&
	chg_lint_status 1 -C p &&
	grep -c "error: .* not inside one maintenance window of client acme (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 at 22:00 for 4h, UTC) \[outside-maintenance-window\]\$" actual >count &&
	echo 3 >expect &&
	test_cmp expect count &&
	rm p/changes/CHG-000[123].yaml
'

test_expect_success 'the schedule of DESIGN section 4 and 8 is a valid policy' '
	policy <<-\EOF &&
	clients: [acme, globex]
	schedule:
	  timezone: Europe/Berlin
	  notice: {normal: 48h, emergency: 0h}
	  review-within: {emergency: 5d, normal: 14d}
	  conflicts: {same-system: error}
	  blackouts:
	    - {name: year-end freeze, start: 2026-12-20, end: 2027-01-04, allow: [emergency],
	       severity: error, when: {client: acme}}
	  maintenance-windows:
	    acme: ["Sat 22:00-Sun 04:00"]
	    globex:
	      - {rrule: "FREQ=MONTHLY;BYDAY=2TU", start: "22:00", duration: 4h}
	  clients: {acme: {timezone: Europe/Berlin}, globex: {timezone: America/New_York}}
	EOF
	chg_lint_status 0 -C p &&
	test_must_be_empty actual
'

test_expect_success '--explain describes the four schedule rules' '
	for r in blackout-conflict outside-maintenance-window insufficient-notice window-conflict
	do
		chg-lint -C c --explain $r >actual &&
		grep "^rule: *$r\$" actual || return 1
	done &&
	chg-lint -C c --explain window-conflict >actual &&
	grep "^severity: *error (schedule.conflicts.same-system)\$" actual
'

test_done
