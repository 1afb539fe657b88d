#!/bin/sh

test_description='a new MSP team'"'"'s first week with chg, end to end: init, new, approve, an overdue review that blocks no one else, an amended change, a key rotation, an approval that would not count'

. "$(dirname "$0")"/lib-chg.sh

# The team: Jane requests changes (git's identity of the tests), Alice and
# Carol are the CAB, Dave the manager; every approver signs with an SSH
# key.  The server is a bare repository with the shipped pre-receive hook;
# the clients work in work/, whose hooks chg init turns on.
unset SSH_AUTH_SOCK
HOOKS=$(cd "$CHG_SRC_DIR/hooks" && pwd -P)

# as WHO KEY COMMAND...: runs COMMAND as WHO (alice, carol, dave: author
# and committer) signing with KEY.key.
as () {
	case $1 in
	alice) _name="Alice Example" ;;
	carol) _name="Carol Example" ;;
	dave) _name="Dave Example" ;;
	*) echo "as: who is $1?" >&2; return 1 ;;
	esac
	_email=$1@example.com _key=$2 &&
	shift 2 &&
	GIT_AUTHOR_NAME="$_name" GIT_AUTHOR_EMAIL="$_email" \
	GIT_COMMITTER_NAME="$_name" GIT_COMMITTER_EMAIL="$_email" \
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.signingKey \
	GIT_CONFIG_VALUE_0="$PWD/$_key.key" "$@"
}

# fill FILE STATE START END: fills in every placeholder of a change request
# that chg new wrote, as its requester would, with a window from START to
# END (medium risk: score 11).
fill () {
	perl -0pi -e 's/^  <[^<>]*>\n/  Written by the requester.\n/gm' "$1" &&
	sed -i -e "s/^state: .*/state: $2/" \
		-e "s/^owner: .*/owner: Bob Ops <bob@example.com>/" \
		-e "s/^incident: .*/incident: INC-4711/" \
		-e "s/^  users: .*/  users: 40/" \
		-e "s/^  scope: .*/  scope: team/" \
		-e "s/^  downtime: .*/  downtime: 5m/" \
		-e "s/^  level: .*/  level: medium/" \
		-e "s/^    users-affected: .*/    users-affected: 2/" \
		-e "s/^    system-criticality: .*/    system-criticality: 3/" \
		-e "s/^    security: .*/    security: 2/" \
		-e "s/^    rollback-difficulty: .*/    rollback-difficulty: 2/" \
		-e "s/^    timing: .*/    timing: 2/" \
		-e "s/^  start: .*/  start: $3/" \
		-e "s/^  end: .*/  end: $4/" \
		-e "s/^  notify: .*/  notify: [ops@example.com]/" \
		-e "s/^  notice-sent: .*/  notice-sent: 2026-11-01T09:00:00Z/" \
		"$1"
}

# set_state FILE STATE: the change request's new state.
set_state () {
	sed -i -e "s/^state: .*/state: $2/" "$1"
}

# commit MESSAGE: commits everything in work/ as Jane, through its hooks.
commit () {
	git -C work add -A &&
	git -C work commit -q -m "$1"
}

# push_fails REFSPEC: 'git push --no-verify origin REFSPEC' from work/
# (the client's pre-push hook skipped) is refused by the server's
# pre-receive and moves no ref of the server; its lines are in remote.
push_fails () {
	git -C server.git for-each-ref >refs.before &&
	test_must_fail git -C work push --no-verify origin "$1" 2>err &&
	sed -n "s/^remote: //p" err >remote &&
	git -C server.git for-each-ref >refs.after &&
	test_cmp refs.before refs.after
}

# pushed: 'git push origin main' from work/ is accepted.
pushed () {
	git -C work push origin main 2>err &&
	git -C work rev-parse main >expect &&
	git -C server.git rev-parse main >actual &&
	test_cmp expect actual
}

test_expect_success 'Monday: SSH keys, a server with pre-receive' '
	for key in alice carol carol2 dave; do
		ssh-keygen -q -t ed25519 -N "" -C $key -f $key.key || return 1
	done &&
	git init -q --bare -b main server.git &&
	cp "$CHG_SRC_DIR/hooks/pre-receive" server.git/hooks/pre-receive
'

test_expect_success 'Monday: chg init with three approvers makes the root of trust; the first push pins it' '
	git init -q -b main work &&
	chg -C work init --client acme --client globex \
		--approver "Alice Example <alice@example.com>" --key alice.key.pub \
		--approver "Carol Example <carol@example.com>" --key carol.key.pub \
		--approver "Dave Example <dave@example.com>" --key dave.key.pub \
		--cab alice@example.com,carol@example.com --manager dave@example.com >out &&
	root=$(git -C work rev-parse HEAD) &&
	head -n 1 out >actual &&
	echo "$root" >expect &&
	test_cmp expect actual &&
	grep "git config chg.trustRoot $root" out &&
	echo "$HOOKS" >expect &&
	git -C work config core.hooksPath >actual &&
	test_cmp expect actual &&
	git -C work config gpg.format ssh &&
	git -C work remote add origin "$PWD/server.git" &&
	pushed &&
	echo "$root" >expect &&
	git -C server.git config chg.trustRoot >actual &&
	test_cmp expect actual
'

test_expect_success 'Tuesday: chg new for two clients, each with the next id, committed through the hooks' '
	chg -C work new normal --client acme --title "Rotate the TLS certificate of web-01" --system web-01 >out &&
	echo changes/acme/CHG-0001.yaml >expect &&
	test_cmp expect out &&
	fill work/changes/acme/CHG-0001.yaml requested 2026-12-05T22:00:00Z 2026-12-05T23:00:00Z &&
	chg -C work new normal --client globex --title "Patch the mail relay" --system mx-01 >out &&
	echo changes/globex/CHG-0002.yaml >expect &&
	test_cmp expect out &&
	fill work/changes/globex/CHG-0002.yaml requested 2026-12-06T22:00:00Z 2026-12-06T23:00:00Z &&
	CHG_NOW=2026-11-10T09:00:00Z chg -C work lint changes/acme/CHG-0001.yaml changes/globex/CHG-0002.yaml &&
	CHG_NOW=2026-11-10T09:00:00Z commit "Request CHG-0001 and CHG-0002" &&
	CHG_NOW=2026-11-10T09:00:00Z pushed
'

test_expect_success 'Tuesday night: a globex emergency, approved by the CAB, implemented, pushed without its review' '
	chg -C work new emergency --client globex --title "Close the open relay" --system mx-01 >out &&
	echo changes/globex/CHG-0003.yaml >expect &&
	test_cmp expect out &&
	fill work/changes/globex/CHG-0003.yaml requested 2026-11-10T22:00:00Z 2026-11-10T23:00:00Z &&
	CHG_NOW=2026-11-10T21:00:00Z commit "Request CHG-0003" &&
	CHG_NOW=2026-11-10T21:05:00Z as alice alice chg -C work approve CHG-0003 &&
	set_state work/changes/globex/CHG-0003.yaml approved &&
	CHG_NOW=2026-11-10T21:06:00Z commit "CHG-0003 approved" &&
	set_state work/changes/globex/CHG-0003.yaml implementing &&
	CHG_NOW=2026-11-10T22:00:00Z commit "CHG-0003 implementing" &&
	set_state work/changes/globex/CHG-0003.yaml implemented &&
	CHG_NOW=2026-11-11T08:00:00Z commit "CHG-0003 implemented" &&
	CHG_NOW=2026-11-11T08:00:00Z pushed
'

test_expect_success 'Friday: the emergency review is overdue, which the full check reports' '
	CHG_NOW=2026-11-20T12:00:00Z test_must_fail chg-lint -C work >out &&
	grep "changes/globex/CHG-0003.yaml:.*\[review-overdue\]" out
'

test_expect_success 'Friday: Dave approves the acme change; its commit and push are not blocked by globex'"'"'s overdue review' '
	CHG_NOW=2026-11-20T12:00:00Z as dave dave chg -C work approve CHG-0001 >out &&
	set_state work/changes/acme/CHG-0001.yaml approved &&
	CHG_NOW=2026-11-20T12:00:00Z commit "CHG-0001 approved" &&
	CHG_NOW=2026-11-20T12:00:00Z pushed &&
	! grep "error:.*review-overdue" err &&
	CHG_NOW=2026-11-20T12:00:00Z test_must_fail chg-lint -C work --scope all --range main~2..main >out &&
	grep "CHG-0003.yaml:.*\[review-overdue\]" out
'

test_expect_success 'Friday: an approved change edited without new approvals is refused by the server' '
	git -C work checkout -q -b amend-bad main &&
	sed -i -e "s/^  Written by the requester\\.\$/  Switch the listener back; restore the old key from the vault./" \
		work/changes/acme/CHG-0001.yaml &&
	CHG_NOW=2026-11-20T12:00:00Z git -C work commit -q --no-verify -am "CHG-0001: a better rollback plan" &&
	CHG_NOW=2026-11-20T12:00:00Z push_fails amend-bad:main &&
	grep "CHG-0001.*\[missing-approval\]" remote &&
	git -C work checkout -q main &&
	git -C work branch -q -D amend-bad
'

test_expect_success 'Friday: the approved change is amended on a branch (revert, edit, approval, approved) and merged' '
	git -C work checkout -q -b amend main &&
	set_state work/changes/acme/CHG-0001.yaml requested &&
	CHG_NOW=2026-11-20T12:00:00Z commit "CHG-0001 back to requested for an amendment" &&
	sed -i -e "s/^  Written by the requester\\.\$/  Switch the listener back; restore the old key from the vault./" \
		work/changes/acme/CHG-0001.yaml &&
	CHG_NOW=2026-11-20T12:00:00Z commit "CHG-0001: a better rollback plan" &&
	CHG_NOW=2026-11-20T12:01:00Z as dave dave chg -C work approve CHG-0001 &&
	set_state work/changes/acme/CHG-0001.yaml approved &&
	CHG_NOW=2026-11-20T12:02:00Z commit "CHG-0001 approved again" &&
	git -C work checkout -q main &&
	CHG_NOW=2026-11-20T12:03:00Z git -C work merge -q --no-ff -m "Merge the amendment of CHG-0001" amend &&
	CHG_NOW=2026-11-20T12:03:00Z pushed
'

test_expect_success 'Friday: chg show, chg log and chg report agree on the approval that counts' '
	old=$(git -C work log --format=%h --abbrev=7 -n 1 --grep="^Approve CHG-0001" main^1) &&
	new=$(git -C work log --format=%h --abbrev=7 -n 1 --grep="^Approve CHG-0001" amend) &&
	edit=$(git -C work log --format=%h --abbrev=7 -n 1 --grep="better rollback plan" amend) &&
	test "$old" != "$new" &&
	CHG_NOW=2026-11-20T12:05:00Z chg -C work show CHG-0001 >show &&
	grep "^approvals: 1 of 1 counted" show &&
	grep "^  stale  *$old  dave@example.com: approved sha256:[0-9a-f]*; the change was edited in $edit\$" show &&
	grep "^  counted  *$new  dave@example.com\$" show &&
	CHG_NOW=2026-11-20T12:05:00Z chg -C work log CHG-0001 >log &&
	grep " $edit  CHG-0001   updated .*makes approvals by dave@example.com ($old) stale\$" log &&
	grep " $new  CHG-0001   approved  Dave Example  *dave@example.com counted " log &&
	CHG_NOW=2026-11-20T12:05:00Z chg -C work report --month 2026-12 --format csv >report &&
	grep "^CHG-0001,.*,Dave Example <dave@example.com>," report &&
	CHG_NOW=2026-11-20T12:05:00Z chg-lint -C work changes/acme/CHG-0001.yaml
'

test_expect_success 'Saturday: the emergency'"'"'s review is written; the full check passes again' '
	cat >>work/changes/globex/CHG-0003.yaml <<-\EOF &&
	review:
	  outcome: successful
	  actual-start: 2026-11-10T22:05:00Z
	  actual-end: 2026-11-10T22:40:00Z
	  notes: |
	    The relay no longer accepts mail for other domains.
	  become-standard: false
	EOF
	CHG_NOW=2026-11-21T08:00:00Z commit "CHG-0003: the post-implementation review" &&
	CHG_NOW=2026-11-21T08:00:00Z chg-lint -C work &&
	CHG_NOW=2026-11-21T08:00:00Z pushed
'

test_expect_success 'Saturday: Carol'"'"'s key is rotated; the trust change is approved with chg approve --trust' '
	new_line=$(printf "carol@example.com namespaces=\"git\" %s" "$(cut -d" " -f1,2 carol2.key.pub)") &&
	grep -v "^carol@example.com " work/.chg/allowed_signers >signers &&
	echo "$new_line" >>signers &&
	cp signers work/.chg/allowed_signers &&
	CHG_NOW=2026-11-21T09:00:00Z commit "Rotate Carol'"'"'s key" &&
	CHG_NOW=2026-11-21T09:00:00Z test_must_fail chg-lint -C work >out &&
	grep "trust-change-unapproved" out &&
	digest=$(chg -C work digest trust) &&
	grep "$digest" out &&
	CHG_NOW=2026-11-21T09:01:00Z as alice alice chg -C work approve --trust &&
	CHG_NOW=2026-11-21T09:02:00Z as carol carol chg -C work approve --trust &&
	CHG_NOW=2026-11-21T09:03:00Z chg-lint -C work &&
	CHG_NOW=2026-11-21T09:03:00Z pushed
'

test_expect_success 'Saturday: an approval signed with Carol'"'"'s old key is refused by chg approve and changes nothing' '
	git -C work rev-parse HEAD >before &&
	CHG_NOW=2026-11-21T10:00:00Z as carol carol test_must_fail chg -C work approve CHG-0002 >out 2>err &&
	git -C work rev-parse HEAD >after &&
	test_cmp before after &&
	grep -i "not trusted\|untrusted\|unknown" err out &&
	CHG_NOW=2026-11-21T10:01:00Z as carol carol2 chg -C work approve CHG-0002 &&
	set_state work/changes/globex/CHG-0002.yaml approved &&
	CHG_NOW=2026-11-21T10:02:00Z commit "CHG-0002 approved" &&
	CHG_NOW=2026-11-21T10:02:00Z pushed
'

test_done
