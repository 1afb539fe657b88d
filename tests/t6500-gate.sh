#!/bin/sh

test_description='chg gate: allowed, awaiting, prevented or invalid, with exit 0, 75, 1 and 1'

. "$(dirname "$0")"/lib-chg.sh

# The window of chg_normal_cr: 2026-12-05T22:00:00Z to 23:00:00Z.
BEFORE=2026-12-05T21:00:00Z
INSIDE=2026-12-05T22:30:00Z
AFTER=2026-12-05T23:00:00Z

# gate_status EXPECTED [-C DIR] ARGS...: runs chg [-C DIR] gate with ARGS,
# its output in 'actual', and checks the exit status.
gate_status () {
	_want=$1 _dir=.
	shift
	if test "$1" = -C; then
		_dir=$2
		shift 2
	fi
	chg -C "$_dir" gate "$@" >actual 2>stderr
	_got=$?
	if test "$_got" != "$_want"; then
		echo "chg gate exited $_got, expected $_want" >&2
		cat actual stderr >&2
		return 1
	fi
}

# json_fields FILE: the top-level keys of the JSON object in FILE, in
# order, then "key=value" for the scalars and the window, then
# "reason RULE" for each reason.
json_fields () {
	python3 - "$1" <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	print(" ".join(j.keys()))
	for k in ("schema", "change", "status", "evaluated_at", "opens_in", "closes_in"):
	    print("%s=%s" % (k, j[k]))
	w = j["window"]
	print("window=%s" % (w and "%s/%s" % (w["start"], w["end"])))
	print("commit=%d digest=%s" % (len(j["commit"]), j["digest"][:7]))
	for r in j["reasons"]:
	    assert set(r.keys()) == {"rule", "message"}, r
	    print("reason " + r["rule"])
	EOF
}

# approved_cr: in the current repository, CHG-0001 requested (tag
# requested), approved by dave (tag counted), then in state approved (tag
# approved).
approved_cr () {
	chg_normal_cr CHG-0001 >changes/CHG-0001.yaml &&
	at 2026-11-01T09:00:00Z chg_commit "Jane Doe" jane@example.com "Request CHG-0001" &&
	git tag requested &&
	at 2026-11-02T09:00:00Z chg_approve CHG-0001 "Dave Miller" dave@example.com &&
	git tag counted &&
	edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	at 2026-11-03T09:00:00Z chg_commit "Jane Doe" jane@example.com "CHG-0001: approved" &&
	git tag approved
}

test_expect_success 'setup: CHG-0001 requested, then approved by dave' '
	chg_repo r &&
	(cd r && approved_cr)
'

test_expect_success 'awaiting (75): requested, no approval yet' '
	gate_status 75 -C r --rev requested --at $INSIDE CHG-0001 &&
	cat >expect <<-\EOF &&
	CHG-0001: awaiting
	  window 2026-12-05T22:00:00Z .. 2026-12-05T23:00:00Z, closes in 30m
	  state is requested, not an approved state; approvals pending [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'awaiting (75): the quorum counted, the state still requested' '
	gate_status 75 -C r --rev counted --at $INSIDE CHG-0001 &&
	grep "^  state is requested, not an approved state \[missing-approval\]$" actual
'

test_expect_success '--at through the window: awaiting, allowed, prevented' '
	gate_status 75 -C r --at $BEFORE CHG-0001 &&
	cat >expect <<-\EOF &&
	CHG-0001: awaiting
	  window 2026-12-05T22:00:00Z .. 2026-12-05T23:00:00Z, opens in 1h
	  its window opens at 2026-12-05T22:00:00Z [implemented-outside-window]
	EOF
	test_cmp expect actual &&
	gate_status 0 -C r --at 2026-12-05T22:00:00Z CHG-0001 &&
	gate_status 0 -C r --at $INSIDE CHG-0001 &&
	cat >expect <<-\EOF &&
	CHG-0001: allowed
	  window 2026-12-05T22:00:00Z .. 2026-12-05T23:00:00Z, closes in 30m
	EOF
	test_cmp expect actual &&
	gate_status 0 -C r --at 2026-12-05T22:59:59Z CHG-0001 &&
	grep "closes in 1s" actual &&
	# half-open: the end itself is outside
	gate_status 1 -C r --at $AFTER CHG-0001 &&
	cat >expect <<-\EOF &&
	CHG-0001: prevented
	  window 2026-12-05T22:00:00Z .. 2026-12-05T23:00:00Z
	  its window ended at 2026-12-05T23:00:00Z [implemented-outside-window]
	EOF
	test_cmp expect actual
'

test_expect_success 'the clock: CHG_NOW and --now without --at; --at wins' '
	CHG_NOW=$INSIDE gate_status 0 -C r CHG-0001 &&
	gate_status 1 -C r --now $AFTER CHG-0001 &&
	gate_status 0 -C r --now $AFTER --at $INSIDE CHG-0001
'

test_expect_success 'json: the chg.gate/v1 fields, exactly' '
	gate_status 0 -C r --at $INSIDE --format json CHG-0001 &&
	json_fields actual >fields &&
	d=$(chg -C r digest CHG-0001 | cut -c1-7) &&
	cat >expect <<-EOF &&
	schema change status evaluated_at commit digest window opens_in closes_in reasons
	schema=chg.gate/v1
	change=CHG-0001
	status=allowed
	evaluated_at=2026-12-05T22:30:00Z
	opens_in=None
	closes_in=1800
	window=2026-12-05T22:00:00Z/2026-12-05T23:00:00Z
	commit=40 digest=$d
	EOF
	test_cmp expect fields &&
	test "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"commit\"])" actual)" = \
		"$(git -C r rev-parse HEAD)" &&
	gate_status 75 -C r --at $BEFORE --format json CHG-0001 &&
	json_fields actual >fields &&
	sed -n "s/^\(status\|opens_in\|closes_in\)=/&/p; /^reason /p" fields >got &&
	cat >expect <<-\EOF &&
	status=awaiting
	opens_in=3600
	closes_in=None
	reason implemented-outside-window
	EOF
	test_cmp expect got
'

test_expect_success 'the revision judged is HEAD, not the working tree' '
	test_when_finished "git -C r checkout -q -- changes" &&
	edit r/changes/CHG-0001.yaml "s/^state: approved/state: cancelled/" &&
	gate_status 0 -C r --at $INSIDE CHG-0001
'

test_expect_success 'prevented (1): approvals stale after an edit of the approved change' '
	cp -R r stale &&
	(cd stale &&
	 edit changes/CHG-0001.yaml "s/Switch the listener back/Switch both listeners back/" &&
	 at 2026-11-04T09:00:00Z chg_commit "Bob Ops" bob@example.com "Edit CHG-0001") &&
	gate_status 1 -C stale --at $INSIDE CHG-0001 &&
	cat >expect <<-\EOF &&
	CHG-0001: prevented
	  window 2026-12-05T22:00:00Z .. 2026-12-05T23:00:00Z, closes in 30m
	  0 of 1 required approvals counted; 1 approval is stale: the content changed after approval, it needs approving again [stale-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'awaiting (75): requested again with a stale approval (the revert)' '
	cp -R r revert &&
	(cd revert &&
	 edit changes/CHG-0001.yaml "s/^state: approved/state: requested/; s/Switch the listener back/Switch both listeners back/" &&
	 at 2026-11-04T09:00:00Z chg_commit "Bob Ops" bob@example.com "Revert CHG-0001 to amend it") &&
	gate_status 75 -C revert --at $INSIDE CHG-0001 &&
	cat >expect <<-\EOF &&
	CHG-0001: awaiting
	  window 2026-12-05T22:00:00Z .. 2026-12-05T23:00:00Z, closes in 30m
	  state is requested, not an approved state; approvals pending [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'awaiting (75): approved state, quorum missing, nothing stale' '
	chg_repo early &&
	chg_normal_cr CHG-0001 approved >early/changes/CHG-0001.yaml &&
	(cd early && chg_commit "Jane Doe" jane@example.com "CHG-0001 approved too early") &&
	gate_status 75 -C early --at $INSIDE --format json CHG-0001 &&
	json_fields actual | grep "^reason" >got &&
	echo "reason missing-approval" >expect &&
	test_cmp expect got
'

test_expect_success 'prevented (1): rejected, cancelled' '
	for s in rejected cancelled
	do
		cp -R r $s &&
		(cd $s &&
		 # rejected comes from requested, cancelled from any state
		 if test $s = rejected; then git reset -q --hard counted; fi &&
		 edit changes/CHG-0001.yaml "s/^state: .*/state: $s/" &&
		 chg_commit "Jane Doe" jane@example.com "CHG-0001: $s") &&
		gate_status 1 -C $s --at $INSIDE CHG-0001 &&
		grep "^CHG-0001: prevented$" actual &&
		grep "^  state is $s: it will not be carried out \[invalid-transition\]$" actual ||
		return 1
	done
'

test_expect_success 'prevented (1): a blackout forbids its window' '
	chg_repo freeze &&
	cat >>freeze/.chg/policy.yaml <<-\EOF &&
	schedule:
	  blackouts:
	    - {name: weekend freeze, start: 2026-12-05, end: 2026-12-06}
	EOF
	(cd freeze && approved_cr) &&
	gate_status 1 -C freeze --at $INSIDE --format json CHG-0001 &&
	json_fields actual | sed -n "/^status=/p; /^reason/p" >got &&
	cat >expect <<-\EOF &&
	status=prevented
	reason blackout-conflict
	EOF
	test_cmp expect got &&
	grep "weekend freeze" actual
'

test_expect_success 'prevented (1): an unapproved change of the policy (a trust change)' '
	cp -R r trust &&
	(cd trust &&
	 echo "clients: [acme]" >>.chg/policy.yaml &&
	 chg_commit "Jane Doe" jane@example.com "Clients, unapproved") &&
	gate_status 1 -C trust --at $INSIDE CHG-0001 &&
	grep "^CHG-0001: prevented$" actual &&
	grep "^  the trust state of HEAD is not approved \\[trust-change-unapproved\\]$" actual
'

test_expect_success 'invalid (1): chg-lint finds an error in it; the reasons are its findings' '
	cp -R r bad &&
	(cd bad &&
	 edit changes/CHG-0001.yaml "/^rollback-plan:/,\$d" &&
	 chg_commit "Jane Doe" jane@example.com "Drop the rollback plan") &&
	test_expect_code 1 chg-lint -C bad --rev HEAD --now $INSIDE changes/CHG-0001.yaml >lint.out &&
	grep "\[required-field\]" lint.out &&
	gate_status 1 -C bad --at $INSIDE CHG-0001 &&
	head -n 1 actual >got &&
	echo "CHG-0001: invalid" >expect &&
	test_cmp expect got &&
	grep "rollback-plan.*\[required-field\]$" actual &&
	gate_status 1 -C bad --at $INSIDE --format json CHG-0001 &&
	json_fields actual | grep "^status=invalid$"
'

test_expect_success 'dependencies: awaiting one not yet implemented, prevented by a cancelled one' '
	cp -R r dep &&
	(cd dep &&
	 chg_normal_cr CHG-0002 |
	 sed "s/2026-12-05T2/2026-12-01T2/g" >changes/CHG-0002.yaml &&
	 echo "depends-on: [CHG-0002]" >>changes/CHG-0001.yaml &&
	 chg_commit "Jane Doe" jane@example.com "CHG-0001 after CHG-0002" &&
	 chg_approve CHG-0001 "Dave Miller" dave@example.com) &&
	gate_status 75 -C dep --at $INSIDE CHG-0001 &&
	grep "^  it depends on CHG-0002, which is requested, not yet implemented \[dependency-order\]$" actual &&
	(cd dep &&
	 edit changes/CHG-0002.yaml "s/^state: requested/state: cancelled/" &&
	 chg_commit "Jane Doe" jane@example.com "Cancel CHG-0002") &&
	gate_status 1 -C dep --at $INSIDE CHG-0001 &&
	grep "^  it depends on CHG-0002, which is cancelled \[dependency-order\]$" actual
'

test_expect_success '--format github: the answer and its reasons as workflow commands, status in $GITHUB_OUTPUT' '
	gate_status 75 -C r --at $BEFORE --format github CHG-0001 &&
	cat >expect <<-\EOF &&
	::notice file=changes/CHG-0001.yaml,title=chg gate::CHG-0001: awaiting, its window opens in 1h
	::warning file=changes/CHG-0001.yaml,title=implemented-outside-window::its window opens at 2026-12-05T22:00:00Z
	EOF
	test_cmp expect actual &&
	gate_status 1 -C stale --at $INSIDE --format github CHG-0001 &&
	grep "^::error file=changes/CHG-0001.yaml,title=chg gate::CHG-0001: prevented" actual &&
	GITHUB_OUTPUT=$PWD/gh.out gate_status 0 -C r --at $INSIDE --format github CHG-0001 &&
	GITHUB_OUTPUT=$PWD/gh.out gate_status 1 -C stale --at $INSIDE --format github CHG-0001 &&
	printf "status=allowed\nstatus=prevented\n" >expect &&
	test_cmp expect gh.out
'

test_expect_success 'on GitHub Actions: github by default; $GITHUB_OUTPUT also with json; not elsewhere' '
	rm -f gh.out &&
	GITHUB_ACTIONS=true GITHUB_OUTPUT=$PWD/gh.out gate_status 75 -C r --at $BEFORE CHG-0001 &&
	grep "^::notice " actual &&
	GITHUB_ACTIONS=true GITHUB_OUTPUT=$PWD/gh.out gate_status 0 -C r --at $INSIDE --format json CHG-0001 &&
	json_fields actual | grep "^status=allowed$" &&
	printf "status=awaiting\nstatus=allowed\n" >expect &&
	test_cmp expect gh.out &&
	GITHUB_OUTPUT=$PWD/gh.out gate_status 0 -C r --at $INSIDE CHG-0001 &&
	test_cmp expect gh.out
'

test_expect_success '--wait: the timeout ends it awaiting (75)' '
	start=$(date +%s) &&
	gate_status 75 -C r --at $BEFORE --wait --interval 1 --timeout 2 CHG-0001 &&
	end=$(date +%s) &&
	test $((end - start)) -ge 2 &&
	grep "^CHG-0001: awaiting$" actual &&
	grep "awaiting; judging again in 1s" stderr
'

test_expect_success '--wait: no waiting when the answer is not awaiting' '
	gate_status 0 -C r --at $INSIDE --wait --interval 100 --timeout 600 CHG-0001 &&
	gate_status 1 -C r --at $AFTER --wait --interval 100 --timeout 600 CHG-0001 &&
	test_must_be_empty stderr
'

test_expect_success '--wait: a commit made while it waits makes it allowed (0)' '
	git clone -q r waiting &&
	git -C waiting reset -q --hard counted &&
	{ chg -C waiting gate --at $INSIDE --wait --interval 1 --timeout 120 CHG-0001 \
		>wait.out 2>wait.err; echo $? >wait.status; } &
	# the commit comes once it has judged the change awaiting
	i=0 &&
	while ! grep -q "awaiting; judging again" wait.err 2>/dev/null
	do
		i=$((i + 1)) && test $i -lt 600 && sleep 0.1 || return 1
	done &&
	(cd waiting &&
	 edit changes/CHG-0001.yaml "s/^state: requested/state: approved/" &&
	 chg_commit "Jane Doe" jane@example.com "CHG-0001: approved") &&
	wait &&
	echo 0 >expect &&
	test_cmp expect wait.status &&
	grep "^CHG-0001: allowed$" wait.out
'

test_expect_success 'usage errors exit 2' '
	gate_status 2 -C r &&
	grep "expected one change request id" stderr &&
	gate_status 2 -C r CHG-0001 CHG-0002 &&
	gate_status 2 -C r --at tomorrow CHG-0001 &&
	grep "is not an RFC 3339 date-time" stderr &&
	gate_status 2 -C r --format sarif CHG-0001 &&
	grep "unknown format .sarif. (expected text, json or github)" stderr &&
	gate_status 2 -C r --interval 5 CHG-0001 &&
	grep -- "--interval and --timeout go with --wait" stderr &&
	gate_status 2 -C r --wait --interval 0 CHG-0001 &&
	gate_status 2 -C r --wait --timeout -1 CHG-0001 &&
	gate_status 2 -C r --wait --timeout 5x CHG-0001 &&
	gate_status 2 -C r --bogus CHG-0001 &&
	gate_status 0 -C r --help &&
	grep "^usage: chg gate " actual
'

test_expect_success 'could not run (3): unknown id, no repository, invalid policy' '
	gate_status 3 -C r --at $INSIDE CHG-0099 &&
	grep "no change request has id .CHG-0099." stderr &&
	mkdir norepo &&
	gate_status 3 -C norepo --at $INSIDE CHG-0001 &&
	cp -R r badpolicy &&
	(cd badpolicy &&
	 echo "frobnicate: 1" >>.chg/policy.yaml &&
	 chg_commit "Jane Doe" jane@example.com "A broken policy") &&
	gate_status 3 -C badpolicy --at $INSIDE CHG-0001
'

test_expect_success 'chg help lists gate' '
	chg help >help.out &&
	grep "^  gate " help.out
'

# complete_chg WORD...: what the bash completion offers for the last WORD
# of the command line WORD..., one a line.
complete_chg () {
	bash -c '. "$CHG_SRC_DIR/contrib/completion/chg.bash" &&
		COMP_WORDS=("$@") &&
		COMP_CWORD=$(($# - 1)) &&
		_chg &&
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}

test_expect_success 'the bash completion: gate, its options, formats and ids' '
	complete_chg chg ga >out &&
	echo gate >expect &&
	test_cmp expect out &&
	complete_chg chg gate --w >out &&
	echo --wait >expect &&
	test_cmp expect out &&
	complete_chg chg gate --format "" >out &&
	printf "%s\n" text json github >expect &&
	test_cmp expect out &&
	complete_chg chg gate --timeout 60 --at 2026-12-05T22:00:00Z -C r CHG >out &&
	echo CHG-0001 >expect &&
	test_cmp expect out
'

test_done
