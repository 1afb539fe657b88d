#!/bin/sh

test_description='chg init sets up a change repository, chg new writes a change request with the next free id'

. "$(dirname "$0")"/lib-chg.sh

unset SSH_AUTH_SOCK
SQ="'"
CHG_NOW=$CHG_TEST_NOW
export CHG_NOW
HOOKS=$(cd "$CHG_SRC_DIR/hooks" && pwd -P)

# allowed NAME EMAIL: the allowed_signers line chg init writes for NAME.key.
allowed () {
	printf '%s namespaces="git" %s\n' "$2" "$(cut -d" " -f1,2 "$1.key.pub")"
}

# state DIR: what a failed chg init must leave as it was: HEAD, the index,
# the working tree's files and core.hooksPath.
state () {
	{
		git -C "$1" rev-parse -q --verify HEAD || echo unborn
		git -C "$1" ls-files -s
		git -C "$1" status --porcelain --untracked-files=all --ignored
		(cd "$1" && find . -path ./.git -prune -o -print | sort)
		git -C "$1" config core.hooksPath || echo no hooksPath
	} >"$2"
}

# init_acme DIR [OPTIONS]: chg init in the repository DIR with the three
# approvers, alice and carol in the CAB and dave a manager.
init_acme () {
	_dir=$1 &&
	shift &&
	chg -C "$_dir" init --client acme --client globex \
		--approver "Alice Example <alice@example.com>" --key alice.key.pub \
		--approver "Carol Example <carol@example.com>" --key carol.key.pub \
		--approver "Dave Example <dave@example.com>" --key dave.key.pub \
		--cab alice@example.com,carol@example.com --manager dave@example.com \
		"$@"
}

test_expect_success 'setup: the approvers'"'"' SSH keys' '
	for who in alice carol dave; do
		ssh-keygen -q -t ed25519 -N "" -C "$who@example.com" -f $who.key || return 1
	done
'

test_expect_success 'init: the root-of-trust commit, its id and how to pin it' '
	git init -q -b main repo &&
	init_acme repo >out 2>err &&
	test_must_be_empty err &&
	root=$(git -C repo rev-parse HEAD) &&
	cat >expect <<-EOF &&
	$root
	Initialized the change repository; its root of trust is the commit above.
	Pin it on the server (in the repository that receives pushes):
	    git config chg.trustRoot $root
	and in CI:
	    CHG_TRUST_ROOT=$root
	core.hooksPath is $HOOKS
	EOF
	test_cmp expect out &&
	test_must_fail git -C repo rev-parse -q --verify HEAD~1 &&
	git -C repo status --porcelain >status &&
	test_must_be_empty status &&
	cat >expect <<-\EOF &&
	.chg/allowed_signers
	.chg/catalog/password-reset.yaml
	.chg/policy.yaml
	changes/.gitkeep
	EOF
	git -C repo ls-tree -r --name-only HEAD >actual &&
	test_cmp expect actual &&
	echo "Jane Doe <jane@example.com>" >expect &&
	git -C repo log -1 --format="%an <%ae>" >actual &&
	test_cmp expect actual
'

test_expect_success 'init: the keys are in allowed_signers, the groups in the policy' '
	{
		allowed alice alice@example.com &&
		allowed carol carol@example.com &&
		allowed dave dave@example.com
	} >expect &&
	test_cmp expect repo/.chg/allowed_signers &&
	! test -e repo/.chg/keys.asc &&
	chg -C repo policy show >policy &&
	grep "^clients: \[acme, globex\]" policy &&
	grep "^    cab: \[alice@example.com, carol@example.com\]" policy &&
	grep "^    managers: \[dave@example.com\]" policy &&
	grep "^    emergency: \[alice@example.com, carol@example.com\]" policy &&
	grep "^  require-signature: true" policy
'

test_expect_success 'init: the new repository passes chg-lint and chg policy check' '
	chg_lint_status 0 -C repo &&
	test_must_be_empty actual &&
	test_must_be_empty stderr &&
	chg_lint_status 0 -C repo --trust-root "$(git -C repo rev-parse HEAD)" &&
	chg -C repo policy check >actual 2>err &&
	test_must_be_empty actual &&
	test_must_be_empty err
'

test_expect_success 'init sets core.hooksPath to chg'"'"'s hooks, and --no-hooks does not' '
	echo "$HOOKS" >expect &&
	git -C repo config core.hooksPath >actual &&
	test_cmp expect actual &&
	test -x "$(cat actual)/pre-commit" &&
	test -x "$(cat actual)/pre-merge-commit" &&
	git init -q -b main nohooks &&
	init_acme nohooks --no-hooks >out &&
	test_must_fail git -C nohooks config core.hooksPath &&
	! grep hooksPath out &&
	git -C nohooks rev-parse HEAD >expect &&
	head -n 1 out >actual &&
	test_cmp expect actual
'

test_expect_success 'a second init refuses and changes nothing' '
	state repo before &&
	test_expect_code 3 chg -C repo init --client other >out 2>err &&
	test_must_be_empty out &&
	echo "chg init: the repository has .chg already; nothing was changed" >expect &&
	test_cmp expect err &&
	state repo after &&
	test_cmp before after
'

test_expect_success 'init refuses .chg in HEAD even when the working tree lost it' '
	test_when_finished "git -C repo checkout -q -- .chg" &&
	rm -r repo/.chg &&
	test_expect_code 3 chg -C repo init 2>err &&
	grep "has .chg already" err &&
	! test -e repo/.chg
'

test_expect_success 'init refuses a group member who is not an approver, writing nothing' '
	git init -q -b main notapprover &&
	state notapprover before &&
	test_expect_code 3 chg -C notapprover init \
		--approver "Alice Example <alice@example.com>" --key alice.key.pub \
		--cab alice@example.com,mallory@example.com 2>err &&
	echo "chg init: cab member '"'"'mallory@example.com'"'"' is not one of the approvers (--approver)" >expect &&
	test_cmp expect err &&
	state notapprover after &&
	test_cmp before after
'

test_expect_success 'init refuses a key file that is not a public key, and an approver without a key' '
	git init -q -b main badkey &&
	state badkey before &&
	test_expect_code 3 chg -C badkey init \
		--approver "Alice Example <alice@example.com>" --key alice.key 2>err &&
	echo "chg init: '"'"'alice.key'"'"' is neither an SSH public key (one line, as in NAME.pub) nor an armored OpenPGP public key" >expect &&
	test_cmp expect err &&
	test_expect_code 2 chg -C badkey init \
		--approver "Alice Example <alice@example.com>" 2>err &&
	grep "has no --key" err &&
	state badkey after &&
	test_cmp before after
'

test_expect_success 'init takes back what it wrote when git commit fails' '
	git init -q -b main failing &&
	echo "# Infra" >failing/README.md &&
	git -C failing add README.md &&
	git -C failing commit -q -m "A README" &&
	echo staged >failing/notes.txt &&
	git -C failing add notes.txt &&
	printf "#!/bin/sh\necho \"pre-commit: no\" >&2\nexit 1\n" >failing/.git/hooks/pre-commit &&
	chmod +x failing/.git/hooks/pre-commit &&
	state failing before &&
	test_expect_code 3 init_acme failing >out 2>err &&
	test_must_be_empty out &&
	grep "^pre-commit: no" err &&
	grep "^chg init: .git commit. failed" err &&
	state failing after &&
	test_cmp before after
'

test_expect_success 'init: an armored OpenPGP key goes into keys.asc' '
	cat >erin.asc <<-\EOF &&
	-----BEGIN PGP PUBLIC KEY BLOCK-----

	mDMEZ0000BYJKwYBBAHaRw8BAQdAexampleexampleexampleexampleexample
	=abcd
	-----END PGP PUBLIC KEY BLOCK-----
	EOF
	git init -q -b main pgp &&
	chg -C pgp init --no-hooks \
		--approver "Erin Example <erin@example.com>" --key erin.asc \
		--approver "Dave Example <dave@example.com>" --key dave.key.pub \
		--cab erin@example.com --manager dave@example.com >out &&
	test_cmp erin.asc pgp/.chg/keys.asc &&
	allowed dave dave@example.com >expect &&
	test_cmp expect pgp/.chg/allowed_signers &&
	git -C pgp ls-tree --name-only HEAD .chg/ >actual &&
	grep "^.chg/keys.asc$" actual
'

test_expect_success 'init -i asks for what the options would say' '
	git init -q -b main asked &&
	printf "%s\n" "acme, globex" \
		"Alice Example <alice@example.com>" alice.key.pub \
		"Dave Example <dave@example.com>" dave.key.pub "" \
		alice@example.com dave@example.com |
	chg -C asked init -i --no-hooks >out 2>err &&
	git -C asked rev-parse HEAD >expect &&
	head -n 1 out >actual &&
	test_cmp expect actual &&
	grep "^clients (comma-separated, empty for none): approver" err &&
	{
		allowed alice alice@example.com &&
		allowed dave dave@example.com
	} >expect &&
	test_cmp expect asked/.chg/allowed_signers &&
	grep "^clients: \[acme, globex\]$" asked/.chg/policy.yaml &&
	grep "^    cab: \[alice@example.com\]$" asked/.chg/policy.yaml &&
	grep "^    managers: \[dave@example.com\]$" asked/.chg/policy.yaml
'

test_expect_success 'init -i without answers changes nothing' '
	git init -q -b main unanswered &&
	state unanswered before &&
	test_expect_code 2 chg -C unanswered init -i </dev/null 2>err &&
	grep "no answer; nothing was changed" err &&
	state unanswered after &&
	test_cmp before after
'

test_expect_success 'init makes the root-of-trust commit as git is configured: signed' '
	git init -q -b main signed &&
	git -C signed config gpg.format ssh &&
	git -C signed config user.signingKey "$PWD/alice.key" &&
	git -C signed config commit.gpgSign true &&
	init_acme signed >out &&
	git -C signed cat-file commit HEAD >commit &&
	grep "^gpgsig -----BEGIN SSH SIGNATURE-----" commit &&
	printf "%s\n" "* $(cut -d" " -f1,2 alice.key.pub)" >allowed &&
	git -C signed -c gpg.ssh.allowedSignersFile="$PWD/allowed" verify-commit HEAD
'

test_expect_success 'new: the next id free in every branch, remote-tracking branch, the index and the working tree' '
	git -C repo checkout -q -b other &&
	chg_normal_cr CHG-0007 draft >repo/changes/CHG-0007.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Draft CHG-0007") &&
	git -C repo checkout -q main &&
	! test -e repo/changes/CHG-0007.yaml &&
	echo changes/acme/CHG-0008.yaml >expect &&
	chg -C repo new normal --client acme >actual &&
	test_cmp expect actual &&
	rm repo/changes/acme/CHG-0008.yaml &&

	git -C repo checkout -q -b feature &&
	mkdir repo/changes/globex &&
	chg_normal_cr CHG-0012 draft >repo/changes/globex/CHG-0012.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Draft CHG-0012") &&
	git -C repo update-ref refs/remotes/origin/feature HEAD &&
	git -C repo checkout -q main &&
	git -C repo branch -q -D feature &&
	! test -e repo/changes/globex/CHG-0012.yaml &&
	echo changes/acme/CHG-0013.yaml >expect &&
	chg -C repo new normal --client acme >actual &&
	test_cmp expect actual &&
	rm repo/changes/acme/CHG-0013.yaml &&

	chg_normal_cr CHG-0015 draft >repo/changes/CHG-0015.yaml &&
	git -C repo add changes/CHG-0015.yaml &&
	rm repo/changes/CHG-0015.yaml &&
	echo changes/acme/CHG-0016.yaml >expect &&
	chg -C repo new normal --client acme --title T >actual &&
	test_cmp expect actual &&

	echo changes/CHG-0017.yaml >expect &&
	chg -C repo new standard >actual &&
	test_cmp expect actual &&
	rm repo/changes/CHG-0017.yaml
'

test_expect_success 'new: an id named only inside a file counts' '
	test_when_finished "rm -f repo/changes/draft.yaml" &&
	chg_normal_cr CHG-0030 draft >repo/changes/draft.yaml &&
	echo changes/CHG-0031.yaml >expect &&
	chg -C repo new emergency >actual &&
	test_cmp expect actual &&
	rm repo/changes/CHG-0031.yaml
'

test_expect_success 'new: the template with its fields filled in, comments kept' '
	sed -e "s/^id: CHG-0000 /id: CHG-0016 /" \
	    -e "s/^title: .*/title: T/" \
	    -e "s/^requested-by: <Your Name <you@example.com>> /requested-by: Jane Doe <jane@example.com>   /" \
	    -e "s/^client: <client name, one of the policy${SQ}s clients>/client: acme                                      /" \
	    "$CHG_SRC_DIR/templates/normal.yaml" >expect &&
	test_cmp expect repo/changes/acme/CHG-0016.yaml
'

test_expect_success 'new: the file lints clean but for the fields a new request must still fill' '
	chg_lint_status 1 -C repo changes/acme/CHG-0016.yaml &&
	f=changes/acme/CHG-0016.yaml &&
	cat >expect <<-EOF &&
	$f:23:8: error: owner must be an identity ${SQ}Name <email>${SQ}, not ${SQ}<Implementer Name <implementer@example.com>>${SQ} [invalid-value]
	$f:34:11: error: systems[0] ${SQ}<system-name>${SQ} does not match the pattern ${SQ}^[A-Za-z0-9][A-Za-z0-9._-]*\$${SQ} [pattern-mismatch]
	$f:34:26: error: systems[1] ${SQ}<another-system>${SQ} does not match the pattern ${SQ}^[A-Za-z0-9][A-Za-z0-9._-]*\$${SQ} [pattern-mismatch]
	$f:37:10: error: impact.users must be an integer, not ${SQ}<number of users affected, e.g. 120>${SQ} [invalid-type]
	$f:38:10: error: impact.scope must be one of none, individual, team, department, organisation, customers, not ${SQ}<none | individual | team | department | organisation | cust...${SQ} [invalid-value]
	$f:39:13: error: impact.downtime must be a duration such as 30m, 2h or 5d, not ${SQ}<expected downtime as a duration, e.g. 30m or 2h>${SQ} [invalid-value]
	$f:47:10: error: risk.level must be one of low, medium, high, critical, not ${SQ}<low | medium | high | critical>${SQ} [invalid-value]
	$f:49:21: error: risk.assessment.users-affected must be an integer, not ${SQ}<1 to 5, 1 = a handful of users, 5 = everyone or customers>${SQ} [invalid-type]
	$f:50:25: error: risk.assessment.system-criticality must be an integer, not ${SQ}<1 to 5, 1 = a lab system, 5 = a business-critical service>${SQ} [invalid-type]
	$f:51:15: error: risk.assessment.security must be an integer, not ${SQ}<1 to 5, 1 = no security relevance, 5 = changes access or ex...${SQ} [invalid-type]
	$f:52:26: error: risk.assessment.rollback-difficulty must be an integer, not ${SQ}<1 to 5, 1 = instant and proven, 5 = no way back>${SQ} [invalid-type]
	$f:53:13: error: risk.assessment.timing must be an integer, not ${SQ}<1 to 5, 1 = quiet period, 5 = peak business or a hard deadl...${SQ} [invalid-type]
	$f:58:10: error: window.start is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}<YYYY-MM-DDThh:mm:ss+01:00>${SQ} [invalid-datetime]
	$f:59:8: error: window.end is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}<YYYY-MM-DDThh:mm:ss+01:00>${SQ} [invalid-datetime]
	$f:71:16: error: communication.notice-sent is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): ${SQ}<when the notice went out, e.g. 2026-12-01T09:00:00Z>${SQ} [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'new: --system fills the list, a title that YAML would misread is quoted' '
	test_when_finished "rm -f repo/changes/globex/CHG-0017.yaml" &&
	chg -C repo new normal --client globex --title "DNS: move #2 to the new resolver" \
		--system dns-01 --system dns-02 >actual &&
	echo changes/globex/CHG-0017.yaml >expect &&
	test_cmp expect actual &&
	f=repo/changes/globex/CHG-0017.yaml &&
	grep "^title: \"DNS: move #2 to the new resolver\"$" $f &&
	grep "^systems: \[dns-01, dns-02\]$" $f &&
	grep "^client: globex  *# for MSPs; delete if unused$" $f &&
	grep "^type: normal$" $f &&
	chg_lint_status 1 -C repo changes/globex/CHG-0017.yaml &&
	! grep -e "systems\|title\|client\|requested-by\|\[id-mismatch\]" actual
'

test_expect_success 'new: an unknown type exits 2 and lists the types' '
	test_expect_code 2 chg -C repo new change >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	chg new: no template for the type '"'"'change'"'"'
	the types are: standard normal emergency
	EOF
	test_cmp expect err
'

test_expect_success 'new: a client the policy does not list exits 2, writing nothing' '
	git -C repo status --porcelain --untracked-files=all >before &&
	test_expect_code 2 chg -C repo new normal --client initech >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	chg new: '"'"'initech'"'"' is not one of the policy'"'"'s clients
	the clients are: acme globex
	EOF
	test_cmp expect err &&
	git -C repo status --porcelain --untracked-files=all >after &&
	test_cmp before after
'

test_expect_success 'new: the width and prefix of the policy'"'"'s id-pattern' '
	chg_repo ops &&
	cat >>ops/.chg/policy.yaml <<-\EOF &&
	changes:
	  paths: ["requests/*.yaml"]
	  id-pattern: '"'"'^OPS-[0-9]{5}$'"'"'
	EOF
	echo requests/OPS-00001.yaml >expect &&
	chg -C ops new normal --client acme >actual &&
	test_cmp expect actual &&
	grep "^id: OPS-00001  *# the next free id" ops/requests/OPS-00001.yaml
'

test_expect_success 'pre-merge-commit refuses a merge where both sides added the same id' '
	git -C repo reset -q --hard &&
	git -C repo clean -q -fd &&
	git -C repo checkout -q -b left main &&
	mkdir -p repo/changes/acme &&
	chg_normal_cr CHG-0040 draft >repo/changes/acme/CHG-0040.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Draft CHG-0040 for acme") &&
	git -C repo checkout -q -b right main &&
	mkdir -p repo/changes/globex &&
	chg_normal_cr CHG-0040 draft >repo/changes/globex/CHG-0040.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Draft CHG-0040 for globex") &&
	git -C repo rev-parse HEAD >before &&
	test_must_fail git -C repo merge -q -m "Merge left" left 2>err &&
	cat >expect <<-\EOF &&
	.chg: note: 1 finding on 1 change request that this commit does not change is not judged here (--scope all judges them; chg-lint without --staged or --range judges every change request) [duplicate-id]
	changes/acme/CHG-0040.yaml:1:5: error: id CHG-0040 is also used by changes/globex/CHG-0040.yaml; ids must be unique across the repository [duplicate-id]
	pre-merge-commit: the merge gives two change requests the same id; give one a new id (chg new writes one with the next free id)
	EOF
	grep -v "^Not committing merge" err >actual &&
	test_cmp expect actual &&
	git -C repo rev-parse HEAD >after &&
	test_cmp before after &&
	git -C repo merge --abort
'

test_expect_success 'pre-merge-commit lets a merge without a duplicate id through' '
	git -C repo checkout -q -b third main &&
	mkdir -p repo/changes/acme &&
	chg_normal_cr CHG-0041 draft >repo/changes/acme/CHG-0041.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Draft CHG-0041") &&
	git -C repo merge -q -m "Merge left" left 2>err &&
	test_must_be_empty err &&
	git -C repo rev-parse HEAD^2 >actual &&
	git -C repo rev-parse left >expect &&
	test_cmp expect actual
'

test_expect_success 'init: two changes on one system with overlapping windows conflict' '
	git init -q -b main conflict &&
	init_acme conflict --no-hooks >/dev/null &&
	grep "^  conflicts: {same-system: error}\$" conflict/.chg/policy.yaml &&
	chg_normal_cr CHG-0001 >conflict/changes/CHG-0001.yaml &&
	chg_normal_cr CHG-0002 >conflict/changes/CHG-0002.yaml &&
	chg_lint_status 1 -C conflict &&
	grep "^changes/CHG-0001.yaml:.*error: .*CHG-0002.*\[window-conflict\]\$" actual &&
	grep "^changes/CHG-0002.yaml:.*error: .*CHG-0001.*\[window-conflict\]\$" actual &&
	edit conflict/changes/CHG-0002.yaml "s/2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z/2026-12-05T23:00:00Z, end: 2026-12-06T00:00:00Z/" &&
	chg_lint_status 0 -C conflict
'

test_done
