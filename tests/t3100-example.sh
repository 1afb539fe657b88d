#!/bin/sh

test_description='the example change repository lints exactly as examples/README.md says'

. "$(dirname "$0")"/lib-chg.sh

NOW=2026-12-20T12:00:00Z
SQ="'"

# commit SUBJECT-REGEX: the full id of the one commit of the example whose
# subject matches.
commit () {
	git -C ex log --format=%H --grep="$1" >commit.ids &&
	test "$(wc -l <commit.ids)" -eq 1 &&
	cat commit.ids
}

# short ID: its first 7 hex digits.
short () {
	printf '%s' "$1" | cut -c1-7
}

# abbrev DIGEST: the digest as stale-approval messages quote it.
abbrev () {
	printf '%s...' "$(printf '%s' "$1" | cut -c1-19)"
}

test_expect_success 'build the example' '
	CHG="$CHG_BUILD_DIR/chg" sh "$CHG_SRC_DIR/examples/build.sh" ex >out 2>&1 &&
	test_must_be_empty out &&
	test -z "$(git -C ex status --porcelain)"
'

test_expect_success 'the history has the approvals and the rejection the README lists' '
	test "$(git -C ex rev-list --count HEAD)" -eq 48 &&
	git -C ex log --reverse --format="%an: %s" --grep="^Approve \|^Reject " >decisions &&
	cat >expect <<-\EOF &&
	Dave Miller: Approve CHG-0031: November kernel patching of the globex application servers
	Carol Nguyen: Reject CHG-0033: Allow inbound RDP from the vendor network to ts-acme-01
	Erin Walsh: Approve CHG-0035: Enforce MFA for all globex VPN users
	Carol Nguyen: Approve CHG-0036: Upgrade pgBackRest to 2.54 on backup-acme-01
	Alice Example: Approve CHG-0037: Emergency patch of the exploited VPN gateway flaw on vpn-globex-01
	Carol Nguyen: Approve CHG-0038: Replace the perimeter firewall rule base on fw-globex-01
	Erin Walsh: Approve CHG-0038: Replace the perimeter firewall rule base on fw-globex-01
	Alice Example: Approve CHG-0042: Upgrade PostgreSQL 14 to 16 on db-prod-01
	Carol Nguyen: Approve CHG-0042: Upgrade PostgreSQL 14 to 16 on db-prod-01
	EOF
	test_cmp expect decisions
'

test_expect_success 'the ids and digests the findings name' '
	erin35=$(commit "^Approve CHG-0035") &&
	git -C ex log --format=%H --author=carol --grep="^Approve CHG-0038" >ids &&
	carol38=$(cat ids) &&
	git -C ex log --format=%H --author=erin --grep="^Approve CHG-0038" >ids &&
	erin38=$(cat ids) &&
	test -n "$erin35" && test -n "$carol38" && test -n "$erin38" &&
	old38=$(chg -C ex digest --rev "$carol38" CHG-0038) &&
	test "$old38" = "$(chg -C ex digest --rev "$erin38" CHG-0038)" &&
	new38=$(chg -C ex digest CHG-0038) &&
	test "$old38" != "$new38" &&
	cat >expect.findings <<-EOF
	changes/acme/CHG-0039.yaml:17:10: error: risk.level medium is below the assessed risk high (scored 16: users-affected 3 + system-criticality 4 + security 3 + rollback-difficulty 3 + timing 3 -> high; declared medium); declare at least high [risk-understated]
	changes/globex/CHG-0035.yaml:4:8: error: CHG-0035 is approved but 0 of the 1 required approval counted (from managers or cab): erin@msp.example $(short $erin35) self-approval [missing-approval]
	changes/globex/CHG-0035.yaml:4:8: error: approval by erin@msp.example in $(short $erin35) does not count: erin@msp.example requested this change [self-approval]
	changes/globex/CHG-0037.yaml:4:8: error: the post-implementation review of this emergency change was due by 2026-12-06T00:30:00Z (5d after its window ended); add a review section [review-overdue]
	changes/globex/CHG-0038.yaml:4:8: error: CHG-0038 is approved but 0 of the 2 required approvals counted (from cab): carol@msp.example $(short $carol38) stale-approval, erin@msp.example $(short $erin38) stale-approval [missing-approval]
	changes/globex/CHG-0038.yaml:4:8: error: approval by carol@msp.example in $(short $carol38) is stale: it approved $(abbrev $old38), the change is now $(abbrev $new38); ask for a new approval [stale-approval]
	changes/globex/CHG-0038.yaml:4:8: error: approval by erin@msp.example in $(short $erin38) is stale: it approved $(abbrev $old38), the change is now $(abbrev $new38); ask for a new approval [stale-approval]
	EOF
	# the four scheduling rules, one change breaking each (a window
	# conflict is reported on both changes)
	cat >expect.schedule <<-EOF &&
	changes/acme/CHG-0043.yaml:17:17: error: the window 2027-01-02 22:00 Europe/Berlin to 2027-01-03 03:00 Europe/Berlin falls in the blackout ${SQ}year-end freeze${SQ} (2026-12-28 00:00 Europe/Berlin to 2027-01-05 00:00 Europe/Berlin), which does not allow normal changes [blackout-conflict]
	changes/acme/CHG-0045.yaml:25:57: error: normal changes need 48h notice, but notice was sent at 2026-12-18T16:00:00+01:00, 1d6h before the window starts at 2026-12-19 22:00 Europe/Berlin [insufficient-notice]
	changes/globex/CHG-0038.yaml:20:17: error: the window overlaps the window of CHG-0046 (2026-12-22 18:00 America/New_York to 2026-12-22 19:00 America/New_York) on system fw-globex-01 [window-conflict]
	changes/globex/CHG-0044.yaml:18:17: error: the window 2026-12-19 10:00 America/New_York to 2026-12-19 12:00 America/New_York is not inside one maintenance window of client globex (FREQ=MONTHLY;BYDAY=4TU at 12:00 for 9h, America/New_York) [outside-maintenance-window]
	changes/globex/CHG-0046.yaml:19:17: error: the window overlaps the window of CHG-0038 (2026-12-22 16:00 America/New_York to 2026-12-22 20:00 America/New_York) on system fw-globex-01 [window-conflict]
	EOF
	cat expect.findings expect.schedule | LC_ALL=C sort -t: -k1,1 -k2,2n -s >expect.all
'

test_expect_success 'chg-lint reports exactly the twelve planned findings' '
	test_expect_code 1 chg-lint -C ex --now $NOW >actual 2>stderr &&
	test_cmp expect.all actual &&
	echo "chg-lint: 12 errors, 0 warnings in 16 files" >expect &&
	test_cmp expect stderr
'

test_expect_success 'each scheduling rule is broken by one change request' '
	for rule in blackout-conflict outside-maintenance-window insufficient-notice; do
		test "$(grep -c "\[$rule\]$" actual)" -eq 1 || return 1
	done &&
	grep "\[window-conflict\]$" actual | grep -c CHG-0046 >n &&
	echo 2 >expect && test_cmp expect n
'

test_expect_success 'the README quotes what make demo prints' '
	sed -n "/^\$ chg-lint -C build\/demo --now $NOW\$/,/^(chg-lint exited/p" \
		"$CHG_SRC_DIR/README.md" | sed -e 1d -e "\$d" >shown &&
	cat expect.all >expect &&
	echo "chg-lint: 12 errors, 0 warnings in 16 files" >>expect &&
	test_cmp expect shown
'

test_expect_success 'CHG_NOW is the same clock' '
	test_expect_code 1 env CHG_NOW=$NOW chg-lint -C ex >actual 2>stderr &&
	test_cmp expect.all actual
'

test_expect_success 'before the review was due, the history of then has no review-overdue' '
	# The history goes on after 2026-12-05: linted with that clock, it
	# would hold approvals dated in the future, which approve nothing.
	then=$(git -C ex rev-list -1 --before=2026-12-05T12:00:00Z HEAD) &&
	test_expect_code 1 chg-lint -C ex --rev $then --now 2026-12-05T12:00:00Z >actual &&
	grep "CHG-0035.yaml" expect.findings >expect &&
	test_cmp expect actual
'

test_expect_success '--rev before the rollback plan of CHG-0038 was edited: its approvals counted' '
	edit=$(commit "^CHG-0038: say how to roll back") &&
	test_expect_code 1 chg-lint -C ex --now $NOW --rev "$edit~1" >actual 2>stderr &&
	grep -v "CHG-0038" expect.findings >expect &&
	test_cmp expect actual &&
	echo "chg-lint: 4 errors, 0 warnings in 10 files" >expect &&
	test_cmp expect stderr
'

test_expect_success '--rev at the edit: stale' '
	edit=$(commit "^CHG-0038: say how to roll back") &&
	test_expect_code 1 chg-lint -C ex --now $NOW --rev "$edit" >actual &&
	test_cmp expect.findings actual
'

test_expect_success '--rev and --now as of when CHG-0037 was approved' '
	rev=$(commit "^CHG-0037: approved") &&
	test_expect_code 1 chg-lint -C ex --now 2026-11-30T22:40:00+01:00 --rev "$rev" >actual 2>stderr &&
	# then the emergency change was still to be implemented: a Monday
	# evening, outside globex'"'"'s patch Tuesday (emergencies are not exempt)
	grep "CHG-0035" expect.findings >expect &&
	cat >>expect <<-\EOF &&
	changes/globex/CHG-0037.yaml:22:17: error: the window 2026-11-30 17:00 America/New_York to 2026-11-30 19:30 America/New_York is not inside one maintenance window of client globex (FREQ=MONTHLY;BYDAY=4TU at 12:00 for 9h, America/New_York) [outside-maintenance-window]
	EOF
	test_cmp expect actual &&
	echo "chg-lint: 3 errors, 0 warnings in 7 files" >expect &&
	test_cmp expect stderr
'

test_expect_success '--rev before Erin approved her own change: clean' '
	rev=$(commit "^Approve CHG-0035") &&
	chg_lint_status 0 -C ex --rev "$rev~1" &&
	test_must_be_empty actual
'

test_expect_success 'the approvals of CHG-0042 count: an edit makes them stale' '
	alice42=$(git -C ex log --format=%H --author=alice --grep="^Approve CHG-0042") &&
	carol42=$(git -C ex log --format=%H --author=carol --grep="^Approve CHG-0042") &&
	old42=$(chg -C ex digest CHG-0042) &&
	sed -e "s/^title: Upgrade PostgreSQL 14 to 16/title: Upgrade PostgreSQL 14 to 17/" \
		ex/changes/acme/CHG-0042.yaml >CHG-0042.yaml &&
	cp CHG-0042.yaml ex/changes/acme/CHG-0042.yaml &&
	new42=$(chg -C ex digest CHG-0042) &&
	test_expect_code 1 chg-lint -C ex --now $NOW changes/acme/CHG-0042.yaml >actual &&
	git -C ex checkout -q changes/acme/CHG-0042.yaml &&
	cat >expect <<-EOF &&
	changes/acme/CHG-0042.yaml:4:8: error: CHG-0042 is approved but 0 of the 2 required approvals counted (from cab): alice@msp.example $(short $alice42) stale-approval, carol@msp.example $(short $carol42) stale-approval [missing-approval]
	changes/acme/CHG-0042.yaml:4:8: error: approval by alice@msp.example in $(short $alice42) is stale: it approved $(abbrev $old42), the change is now $(abbrev $new42); ask for a new approval [stale-approval]
	changes/acme/CHG-0042.yaml:4:8: error: approval by carol@msp.example in $(short $carol42) is stale: it approved $(abbrev $old42), the change is now $(abbrev $new42); ask for a new approval [stale-approval]
	EOF
	test_cmp expect actual &&
	test_expect_code 1 chg-lint -C ex --now $NOW >actual &&
	test_cmp expect.all actual
'

test_expect_success 'the calendar make demo writes: a valid feed of every change, window and the freeze' '
	chg -C ex calendar --now $NOW --from 2026-12-01 --to 2027-01-31 --format ics -o demo.ics &&
	"$CHG_BUILD_DIR/tests/unit/ical-check" demo.ics &&
	/usr/bin/python3 - demo.ics >events <<-\EOF &&
	import sys, icalendar
	cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
	for e in cal.walk("VEVENT"):
	    print(str(e["UID"]).split("@")[0], e.get("STATUS", ""))
	EOF
	for id in CHG-0038 CHG-0039 CHG-0042 CHG-0043 CHG-0044 CHG-0045 CHG-0046
	do
		grep "^$id " events || return 1
	done &&
	grep "^CHG-0042 CONFIRMED\$" events &&
	grep "^CHG-0039 TENTATIVE\$" events &&
	grep "^window-acme-" events &&
	grep "^window-globex-" events &&
	grep "^blackout-" events &&
	chg -C ex calendar --now 2026-12-24T08:00:00Z --from 2026-12-01 --to 2027-01-31 --format ics -o again.ics &&
	test_cmp demo.ics again.ics
'

test_done
