#!/bin/sh

test_description='chg calendar: the day-by-day table and the iCalendar feed of changes, blackouts and maintenance windows'

. "$(dirname "$0")"/lib-chg.sh

NOW=2026-12-01T08:00:00Z
PY=/usr/bin/python3

# cr ID CLIENT START END STATE [TITLE]: a change request of CLIENT with a
# window from START to END, into changes/ID.yaml.
cr () {
	chg_normal_cr "$1" "$5" |
	sed -e "s/^type: normal/type: normal\\
client: $2/" \
	    -e "s/^title: .*/title: ${6:-Change $1}/" \
	    -e "s/^window: .*/window: {start: $3, end: $4}/" >changes/$1.yaml
}

# cal ARGS...: chg calendar with the test's clock.
cal () {
	chg calendar --now $NOW "$@"
}

LONG="Überprüfung der Datenbankcluster für Größenänderung – Änderungsfenster mit Umlauten äöüß und 日本語のテキスト"

test_expect_success 'setup: two clients, windows, blackouts and changes' '
	chg_repo r &&
	cat >>r/.chg/policy.yaml <<-\EOF &&
	clients: [acme, globex]
	calendar: {domain: changes.example.com}
	schedule:
	  timezone: Europe/Berlin
	  clients: {acme: {timezone: Europe/Berlin}, globex: {timezone: America/New_York}}
	  blackouts:
	    - {name: year-end freeze, start: 2026-12-20, end: 2027-01-04, allow: [emergency]}
	    - {name: globex audit, start: 2026-12-08T14:00:00Z, end: 2026-12-08T18:00:00Z, when: {client: globex}}
	  maintenance-windows:
	    acme: ["Sat 22:00-Sun 04:00"]
	    globex:
	      - {rrule: "FREQ=MONTHLY;BYDAY=2TU", start: "22:00", duration: 4h}
	EOF
	(cd r &&
	 cr CHG-0001 acme 2026-12-05T21:00:00Z 2026-12-05T23:00:00Z requested "$LONG" &&
	 at 2026-11-20T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	 cr CHG-0002 globex 2026-12-09T03:00:00Z 2026-12-09T05:00:00Z approved &&
	 at 2026-11-21T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0002" &&
	 cr CHG-0003 acme 2026-12-12T21:00:00Z 2026-12-12T22:00:00Z requested &&
	 at 2026-11-22T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0003" &&
	 edit changes/CHG-0003.yaml "s/^state: requested/state: cancelled/" &&
	 at 2026-11-23T09:00:00Z chg_commit "Bob Ops" bob@example.com "Cancel CHG-0003" &&
	 cr CHG-0004 acme 2027-02-06T21:00:00Z 2027-02-06T22:00:00Z draft &&
	 at 2026-11-24T09:00:00Z chg_commit "Jane Doe" jane@example.com "Draft CHG-0004")
'

test_expect_success 'text: a day-by-day table in the policy zone with its offset' '
	(cd r && cal --from 2026-12-01 --to 2026-12-21) >actual &&
	cat >expect <<-EOF &&
	Calendar 2026-12-01 to 2026-12-21, Europe/Berlin

	2026-12-05 Sat (UTC+01:00)
	  22:00-24:00  window    acme #1
	  22:00-24:00  change    CHG-0001 [requested] $LONG

	2026-12-06 Sun (UTC+01:00)
	  00:00-04:00  window    acme #1

	2026-12-08 Tue (UTC+01:00)
	  15:00-19:00  blackout  globex audit

	2026-12-09 Wed (UTC+01:00)
	  04:00-08:00  window    globex #1
	  04:00-06:00  change    CHG-0002 [approved] Change CHG-0002

	2026-12-12 Sat (UTC+01:00)
	  22:00-24:00  window    acme #1
	  22:00-23:00  change    CHG-0003 [cancelled] Change CHG-0003

	2026-12-13 Sun (UTC+01:00)
	  00:00-04:00  window    acme #1

	2026-12-19 Sat (UTC+01:00)
	  22:00-24:00  window    acme #1

	2026-12-20 Sun (UTC+01:00)
	  00:00-24:00  blackout  year-end freeze (allows emergency)
	  00:00-04:00  window    acme #1

	2026-12-21 Mon (UTC+01:00)
	  00:00-24:00  blackout  year-end freeze (allows emergency)
	EOF
	test_cmp expect actual
'

test_expect_success 'text: --client shows its changes, windows and blackouts in its zone' '
	(cd r && cal --client globex --from 2026-12-01 --to 2026-12-21) >actual &&
	cat >expect <<-\EOF &&
	Calendar 2026-12-01 to 2026-12-21, America/New_York, client globex

	2026-12-08 Tue (UTC-05:00)
	  09:00-13:00  blackout  globex audit
	  22:00-24:00  window    globex #1
	  22:00-24:00  change    CHG-0002 [approved] Change CHG-0002

	2026-12-09 Wed (UTC-05:00)
	  00:00-02:00  window    globex #1

	2026-12-20 Sun (UTC-05:00)
	  00:00-24:00  blackout  year-end freeze (allows emergency)

	2026-12-21 Mon (UTC-05:00)
	  00:00-24:00  blackout  year-end freeze (allows emergency)
	EOF
	test_cmp expect actual &&
	(cd r && cal --client acme --from 2026-12-08 --to 2026-12-09) >actual &&
	cat >expect <<-\EOF &&
	Calendar 2026-12-08 to 2026-12-09, Europe/Berlin, client acme

	No changes, blackouts or maintenance windows.
	EOF
	test_cmp expect actual
'

test_expect_success 'text: the period defaults to 90 days from the clock'"'"'s local date' '
	(cd r && cal) >actual &&
	head -n 1 actual >first &&
	echo "Calendar 2026-12-01 to 2027-02-28, Europe/Berlin" >expect &&
	test_cmp expect first &&
	grep "CHG-0004 \[draft\]" actual &&
	(cd r && chg calendar --now 2026-11-30T23:30:00Z --to 2026-12-01) >actual &&
	head -n 1 actual >first &&
	echo "Calendar 2026-12-01 to 2026-12-01, Europe/Berlin" >expect &&
	test_cmp expect first
'

test_expect_success 'ics: the feed of a period' '
	(cd r && cal --format ics --from 2026-12-01 --to 2026-12-31 -o ../feed.ics) &&
	tr -d "\r" <feed.ics | sed -n "1,6p" >head &&
	cat >expect <<-\EOF &&
	BEGIN:VCALENDAR
	VERSION:2.0
	PRODID:-//chg//chg calendar//EN
	CALSCALE:GREGORIAN
	METHOD:PUBLISH
	X-WR-CALNAME:Changes
	EOF
	test_cmp expect head &&
	tr -d "\r" <feed.ics | sed -n "/^UID:CHG-0003@/,/^END:VEVENT/p" >cancelled &&
	cat >expect <<-\EOF &&
	UID:CHG-0003@changes.example.com
	DTSTAMP:20261123T090000Z
	LAST-MODIFIED:20261123T090000Z
	ORGANIZER;CN=chg:mailto:calendar@changes.example.com
	DTSTART:20261212T210000Z
	DTEND:20261212T220000Z
	SUMMARY:CHG-0003: Change CHG-0003
	DESCRIPTION:Type: normal\nState: cancelled\nRisk: medium\nClient: acme\nSys
	 tems: lb-01\, lb-02
	CATEGORIES:normal
	STATUS:CANCELLED
	SEQUENCE:1
	TRANSP:OPAQUE
	END:VEVENT
	EOF
	test_cmp expect cancelled &&
	tr -d "\r" <feed.ics | sed -n "/^UID:window-acme-1@/,/^END:VEVENT/p" >window &&
	cat >expect <<-\EOF &&
	UID:window-acme-1@changes.example.com
	DTSTAMP:20261123T090000Z
	LAST-MODIFIED:20261123T090000Z
	ORGANIZER;CN=chg:mailto:calendar@changes.example.com
	DTSTART;TZID=Europe/Berlin:20261205T220000
	DURATION:PT6H
	RRULE:FREQ=WEEKLY;UNTIL=20261231T225959Z;BYDAY=SA
	SUMMARY:Maintenance window: acme
	CATEGORIES:maintenance-window
	STATUS:CONFIRMED
	SEQUENCE:0
	TRANSP:TRANSPARENT
	END:VEVENT
	EOF
	test_cmp expect window &&
	tr -d "\r" <feed.ics | grep -e "^DTSTART;VALUE=DATE:20261220" -e "^DTEND;VALUE=DATE:20270105" >allday &&
	test "$(wc -l <allday)" -eq 2 &&
	tr -d "\r" <feed.ics | grep "^RRULE:FREQ=MONTHLY;UNTIL=20261231T225959Z;BYDAY=2TU$" &&
	tr -d "\r" <feed.ics | grep "^DTSTART;TZID=America/New_York:20261208T220000$"
'

test_expect_success 'ics: libical finds no restriction errors; it finds them in a feed without ORGANIZER' '
	"$CHG_BUILD_DIR/tests/unit/ical-check" feed.ics &&
	tr -d "\r" <feed.ics | grep -v "^ORGANIZER" >broken.ics &&
	test_expect_code 1 "$CHG_BUILD_DIR/tests/unit/ical-check" broken.ics >errors &&
	grep ORGANIZER errors
'

cat >check.py <<\EOF
import sys
import icalendar

raw = open(sys.argv[1], "rb").read()
cal = icalendar.Calendar.from_ical(raw)
zones = set(str(z["TZID"]) for z in cal.walk("VTIMEZONE"))
used = set()
for comp in cal.walk():
    for name, prop in comp.property_items():
        tzid = getattr(prop, "params", {}).get("TZID") if hasattr(prop, "params") else None
        if tzid:
            used.add(str(tzid))
assert used, "no TZID used"
assert used <= zones, "TZID without a VTIMEZONE: %s" % (used - zones)
for e in cal.walk("VEVENT"):
    print(e["UID"], e["STATUS"], e["SEQUENCE"], e.decoded("DTSTART").isoformat(),
          e["SUMMARY"][:40])
print("zones", " ".join(sorted(zones)))
EOF

test_expect_success 'ics: Python'"'"'s icalendar reads it back, with a VTIMEZONE for every TZID' '
	$PY check.py feed.ics >actual &&
	cat >expect <<-EOF &&
	CHG-0001@changes.example.com TENTATIVE 0 2026-12-05T21:00:00+00:00 CHG-0001: Überprüfung der Datenbankclust
	CHG-0002@changes.example.com CONFIRMED 0 2026-12-09T03:00:00+00:00 CHG-0002: Change CHG-0002
	CHG-0003@changes.example.com CANCELLED 1 2026-12-12T21:00:00+00:00 CHG-0003: Change CHG-0003
	window-acme-1@changes.example.com CONFIRMED 0 2026-12-05T22:00:00+01:00 Maintenance window: acme
	window-globex-1@changes.example.com CONFIRMED 0 2026-12-08T22:00:00-05:00 Maintenance window: globex
	blackout-1@changes.example.com CONFIRMED 0 2026-12-20 Blackout: year-end freeze
	blackout-2@changes.example.com CONFIRMED 0 2026-12-08T14:00:00+00:00 Blackout: globex audit
	zones America/New_York Europe/Berlin
	EOF
	test_cmp expect actual
'

test_expect_success 'ics: plain IANA zone names, never libical'"'"'s prefix' '
	! grep freeassociation feed.ics &&
	tr -d "\r" <feed.ics | grep "^TZID:" >tzids &&
	printf "TZID:America/New_York\nTZID:Europe/Berlin\n" >expect &&
	test_cmp expect tzids
'

test_expect_success 'ics: CRLF lines of at most 75 octets, folded between UTF-8 characters' '
	LC_ALL=C awk "!/\r\$/ { print \"no CRLF: \" NR } length(\$0) > 76 { print \"long: \" NR }" feed.ics >bad &&
	test_must_be_empty bad &&
	test "$(grep -c "" feed.ics)" = "$(tr -cd "\r" <feed.ics | wc -c)" &&
	$PY -c "
import sys
for n, line in enumerate(open(sys.argv[1], \"rb\").read().split(b\"\\r\\n\")):
    line.decode(\"utf-8\")
" feed.ics &&
	tr -d "\r" <feed.ics | sed -n "/^SUMMARY:CHG-0001/,/^DESCRIPTION/p" >summary &&
	test "$(wc -l <summary)" -gt 2 &&
	grep "^ " summary | grep -v "^ [^ ]" >/dev/null &&
	$PY -c "
import icalendar, sys
c = icalendar.Calendar.from_ical(open(sys.argv[1], \"rb\").read())
s = [str(e[\"SUMMARY\"]) for e in c.walk(\"VEVENT\") if str(e[\"UID\"]).startswith(\"CHG-0001@\")][0]
assert s == \"CHG-0001: \" + sys.argv[2], s
" feed.ics "$LONG"
'

test_expect_success 'ics: the same commit gives the same bytes, whatever the clock' '
	(cd r && chg calendar --now 2027-03-01T00:00:00Z --format ics --from 2026-12-01 --to 2026-12-31) >again.ics &&
	test_cmp feed.ics again.ics
'

test_expect_success 'ics: --client filters and --from/--to bound the feed' '
	(cd r && cal --format ics --client globex --from 2026-12-01 --to 2026-12-31) >globex.ics &&
	"$CHG_BUILD_DIR/tests/unit/ical-check" globex.ics &&
	tr -d "\r" <globex.ics | grep -e "^UID:" -e "^X-WR-CALNAME" -e "^TZID" >uids &&
	cat >expect <<-\EOF &&
	X-WR-CALNAME:Changes: globex
	TZID:America/New_York
	UID:CHG-0002@changes.example.com
	UID:window-globex-1@changes.example.com
	UID:blackout-1@changes.example.com
	UID:blackout-2@changes.example.com
	EOF
	test_cmp expect uids &&
	(cd r && cal --format ics --client acme --from 2026-12-08 --to 2026-12-10) >acme.ics &&
	! grep "^UID:" acme.ics &&
	grep "^X-WR-CALNAME:Changes: acme" acme.ics &&
	(cd r && cal --format ics --from 2026-12-09 --to 2026-12-12) >short.ics &&
	tr -d "\r" <short.ics | grep -e "^UID:" -e "^RRULE:FREQ=[WM]" >uids &&
	cat >expect <<-\EOF &&
	UID:CHG-0002@changes.example.com
	UID:CHG-0003@changes.example.com
	UID:window-acme-1@changes.example.com
	RRULE:FREQ=WEEKLY;UNTIL=20261212T225959Z;BYDAY=SA
	UID:window-globex-1@changes.example.com
	RRULE:FREQ=MONTHLY;UNTIL=20261212T225959Z;BYDAY=2TU
	EOF
	test_cmp expect uids
'

test_expect_success '--suggest: the earliest slots inside the client'"'"'s windows, outside blackouts and other changes' '
	(cd r && cal --suggest CHG-0001) >actual &&
	cat >expect <<-\EOF &&
	Earliest slots for CHG-0001 (2h 00m), not before 2026-12-01 09:00 Europe/Berlin:
	  1. 2026-12-05 22:00 Europe/Berlin - 2026-12-06 00:00 Europe/Berlin
	  2. 2026-12-12 22:00 Europe/Berlin - 2026-12-13 00:00 Europe/Berlin
	  3. 2026-12-19 22:00 Europe/Berlin - 2026-12-20 00:00 Europe/Berlin
	  4. 2027-01-09 22:00 Europe/Berlin - 2027-01-10 00:00 Europe/Berlin
	  5. 2027-01-16 22:00 Europe/Berlin - 2027-01-17 00:00 Europe/Berlin
	EOF
	test_cmp expect actual
'

test_expect_success '--suggest: after the notice period, the dependencies and an active change on the same systems' '
	git clone -q r s &&
	(cd s &&
	 cat >>.chg/policy.yaml <<-\EOF &&
	  notice: {normal: 48h}
	EOF
	 cr CHG-0005 acme 2026-12-13T00:00:00Z 2026-12-13T00:30:00Z approved &&
	 edit changes/CHG-0005.yaml "s/^systems: .*/systems: [lb-01]/" &&
	 cr CHG-0006 acme 2026-12-12T23:00:00Z 2026-12-13T00:00:00Z requested &&
	 edit changes/CHG-0006.yaml "s/^systems: .*/systems: [db-01]/" &&
	 edit changes/CHG-0001.yaml "s/^systems: .*/systems: [lb-01]\\
depends-on: [CHG-0006]/" &&
	 chg_commit "Jane Doe" jane@example.com "More changes" &&
	 chg calendar --now 2026-12-04T08:00:00Z --suggest CHG-0001) >actual &&
	cat >expect <<-\EOF &&
	Earliest slots for CHG-0001 (2h 00m), not before 2026-12-13 01:00 Europe/Berlin:
	  1. 2026-12-13 01:30 Europe/Berlin - 2026-12-13 03:30 Europe/Berlin
	  2. 2026-12-19 22:00 Europe/Berlin - 2026-12-20 00:00 Europe/Berlin
	  3. 2027-01-09 22:00 Europe/Berlin - 2027-01-10 00:00 Europe/Berlin
	  4. 2027-01-16 22:00 Europe/Berlin - 2027-01-17 00:00 Europe/Berlin
	  5. 2027-01-23 22:00 Europe/Berlin - 2027-01-24 00:00 Europe/Berlin
	EOF
	test_cmp expect actual &&
	(cd s && chg calendar --now 2026-12-10T22:00:00Z --suggest CHG-0006) >actual &&
	head -n 2 actual >first &&
	cat >expect <<-\EOF &&
	Earliest slots for CHG-0006 (1h 00m), not before 2026-12-12 23:00 Europe/Berlin:
	  1. 2026-12-12 23:00 Europe/Berlin - 2026-12-13 00:00 Europe/Berlin
	EOF
	test_cmp expect first
'

test_expect_success 'ics: an edit of the window raises SEQUENCE and DTSTAMP; other edits do not' '
	(cd r &&
	 edit changes/CHG-0001.yaml "s/^title: .*/title: Short title/" &&
	 at 2026-11-25T09:00:00Z chg_commit "Jane Doe" jane@example.com "Retitle CHG-0001" &&
	 cal --format ics --from 2026-12-01 --to 2026-12-31) >t1.ics &&
	tr -d "\r" <t1.ics | sed -n "/^UID:CHG-0001@/,/^DTSTART/p" >seq &&
	cat >expect <<-\EOF &&
	UID:CHG-0001@changes.example.com
	DTSTAMP:20261120T090000Z
	LAST-MODIFIED:20261120T090000Z
	ORGANIZER;CN=chg:mailto:calendar@changes.example.com
	DTSTART:20261205T210000Z
	EOF
	test_cmp expect seq &&
	tr -d "\r" <t1.ics | sed -n "/^UID:CHG-0001@/,/^END:VEVENT/p" | grep "^SEQUENCE:0" &&
	(cd r &&
	 edit changes/CHG-0001.yaml "s/^window: .*/window: {start: 2026-12-12T21:30:00Z, end: 2026-12-12T22:30:00Z}/" &&
	 at 2026-11-26T09:00:00Z chg_commit "Jane Doe" jane@example.com "Move CHG-0001" &&
	 cal --format ics --from 2026-12-01 --to 2026-12-31) >t2.ics &&
	tr -d "\r" <t2.ics | sed -n "/^UID:CHG-0001@/,/^END:VEVENT/p" >ev &&
	grep "^SEQUENCE:1$" ev &&
	grep "^DTSTAMP:20261126T090000Z$" ev &&
	grep "^LAST-MODIFIED:20261126T090000Z$" ev &&
	grep "^DTSTART:20261212T213000Z$" ev &&
	(cd r &&
	 edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	 at 2026-11-27T09:00:00Z chg_commit "Jane Doe" jane@example.com "Approve CHG-0001" &&
	 cal --format ics --from 2026-12-01 --to 2026-12-31) >t3.ics &&
	tr -d "\r" <t3.ics | sed -n "/^UID:CHG-0001@/,/^END:VEVENT/p" >ev &&
	grep "^SEQUENCE:2$" ev &&
	grep "^STATUS:CONFIRMED$" ev &&
	(cd r && cal --format ics --from 2026-12-01 --to 2026-12-31 --rev HEAD~1) >t2again.ics &&
	test_cmp t2.ics t2again.ics
'

test_expect_success 'ics: a shallow clone gives a feed, its history starting at the shallow commit' '
	git clone -q --depth 1 "file://$PWD/r" shallow &&
	(cd shallow && cal --format ics --from 2026-12-01 --to 2026-12-31) >shallow.ics &&
	"$CHG_BUILD_DIR/tests/unit/ical-check" shallow.ics &&
	tr -d "\r" <shallow.ics | sed -n "/^UID:CHG-0001@/,/^END:VEVENT/p" >ev &&
	grep "^SEQUENCE:0$" ev &&
	grep "^DTSTAMP:20261127T090000Z$" ev
'

test_expect_success 'the domain defaults to chg.invalid; a malformed one is invalid-policy' '
	chg_repo d &&
	(cd d &&
	 cr CHG-0001 acme 2026-12-05T21:00:00Z 2026-12-05T23:00:00Z requested &&
	 chg_commit "Jane Doe" jane@example.com "Request" &&
	 cal --format ics --from 2026-12-01 --to 2026-12-31 >../d.ics) &&
	tr -d "\r" <d.ics | grep "^UID:CHG-0001@chg.invalid$" &&
	"$CHG_BUILD_DIR/tests/unit/ical-check" d.ics &&
	(cd d &&
	 printf "calendar: {domain: \"bad domain\"}\n" >>.chg/policy.yaml &&
	 chg_commit "Jane Doe" jane@example.com "Bad domain" &&
	 test_expect_code 3 chg calendar --now $NOW 2>../stderr) &&
	grep "calendar.domain must be a domain name" stderr &&
	grep "invalid-policy" stderr
'

test_expect_success 'ics: a rule with a COUNT keeps its first occurrence as DTSTART' '
	chg_repo n &&
	cat >>n/.chg/policy.yaml <<-\EOF &&
	clients: [initech]
	schedule:
	  timezone: UTC
	  maintenance-windows:
	    initech:
	      - {rrule: "FREQ=WEEKLY;BYDAY=MO;COUNT=3", start: "10:00", duration: 1h, from: 2026-11-30}
	EOF
	(cd n &&
	 chg_commit "Jane Doe" jane@example.com "Set up" &&
	 cal --format ics --from 2026-12-08 --to 2026-12-31 >../n.ics &&
	 cal --from 2026-12-08 --to 2026-12-31 >../n.txt) &&
	"$CHG_BUILD_DIR/tests/unit/ical-check" n.ics &&
	tr -d "\r" <n.ics | grep -e "^DTSTART" -e "^RRULE" -e "^DURATION" -e "^TZID" >rule &&
	cat >expect <<-\EOF &&
	DTSTART:20261130T100000Z
	DURATION:PT1H
	RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO
	EOF
	test_cmp expect rule &&
	cat >expect <<-\EOF &&
	Calendar 2026-12-08 to 2026-12-31, UTC

	2026-12-14 Mon (UTC+00:00)
	  10:00-11:00  window    initech #1
	EOF
	test_cmp expect n.txt &&
	$PY -c "import icalendar, sys; icalendar.Calendar.from_ical(open(sys.argv[1], \"rb\").read())" n.ics
'

test_expect_success 'usage errors exit 2' '
	(cd r &&
	 test_expect_code 2 cal --format json &&
	 test_expect_code 2 cal --from 2026-13-01 &&
	 test_expect_code 2 cal --from 2026-12-09 --to 2026-12-08 &&
	 test_expect_code 2 cal --client nobody &&
	 test_expect_code 2 cal --suggest CHG-0001 --format ics &&
	 test_expect_code 2 cal extra &&
	 test_expect_code 3 cal --suggest CHG-0999)
'

test_expect_success 'the bash completion knows calendar, its options and values' '
	bash -c ". \"\$CHG_SRC_DIR/contrib/completion/chg.bash\" &&
		COMP_WORDS=(chg cal) COMP_CWORD=1 && _chg &&
		printf \"%s\n\" \"\${COMPREPLY[@]}\"" >out &&
	echo calendar >expect &&
	test_cmp expect out &&
	bash -c ". \"\$CHG_SRC_DIR/contrib/completion/chg.bash\" &&
		COMP_WORDS=(chg calendar --format \"\") COMP_CWORD=3 && _chg &&
		printf \"%s\n\" \"\${COMPREPLY[@]}\"" >out &&
	printf "%s\n" text ics >expect &&
	test_cmp expect out &&
	(cd r && bash -c ". \"\$CHG_SRC_DIR/contrib/completion/chg.bash\" &&
		COMP_WORDS=(chg calendar --sugg) COMP_CWORD=2 && _chg &&
		printf \"%s\n\" \"\${COMPREPLY[@]}\"") >out &&
	echo --suggest >expect &&
	test_cmp expect out
'

test_done
