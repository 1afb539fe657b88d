#!/bin/sh

test_description='three policies and their records: ITIL, four eyes on firewalls, decision records'

# Each directory tests/policies/NAME holds a policy.yaml, records under
# valid/ that must lint clean, and records under invalid/, each with a
# sibling NAME.expected holding exactly the diagnostics chg-lint prints
# for it.  A record with a sibling NAME.approvals ("Name <email>" per
# line) is approved by each of those people after it is committed.  A
# catalog/ directory becomes the repository's .chg/catalog/.

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
POLICIES="$CHG_SRC_DIR/tests/policies"

# records_dir POLICY: where the policy's paths put its records.
records_dir () {
	case $1 in
	decision-records) echo decisions ;;
	*) echo changes ;;
	esac
}

# policy_repo DIR POLICY: a new repository with the policy of
# tests/policies/POLICY as .chg/policy.yaml, and its catalog, if any.
policy_repo () {
	git init -q -b main "$1" &&
	mkdir -p "$1/.chg" "$1/$(records_dir "$2")" &&
	cp "$POLICIES/$2/policy.yaml" "$1/.chg/policy.yaml" &&
	if test -d "$POLICIES/$2/catalog"
	then
		cp -R "$POLICIES/$2/catalog" "$1/.chg/catalog"
	fi
}

# add_records DIR POLICY FILE...: copies the records into DIR where the
# policy looks for them, commits them as their requester Jane, then makes
# one approval commit for each line of each record's NAME.approvals.
add_records () {
	_dir=$1 _pol=$2
	shift 2
	for _f
	do
		cp "$_f" "$_dir/$(records_dir "$_pol")/" || return 1
	done
	(cd "$_dir" && chg_commit "Jane Doe" jane@example.com "Add records") || return 1
	for _f
	do
		test -f "${_f%.yaml}.approvals" || continue
		_id=$(basename "$_f" .yaml)
		while read -r _who
		do
			_email=${_who##*<}
			(cd "$_dir" && chg_approve "$_id" "${_who% <*}" "${_email%>}") ||
			return 1
		done <"${_f%.yaml}.approvals" || return 1
	done
}

# approve DIR ID NAME EMAIL: chg_approve in DIR, printing the approval
# commit's short id.
approve () {
	(cd "$1" && chg_approve "$2" "$3" "$4" && git rev-parse HEAD | cut -c1-7)
}

for policy in itil firewall-four-eyes decision-records
do
	test_expect_success "$policy: each invalid record has its .expected, each .approvals its record" '
		(cd "$POLICIES/$policy/invalid" && ls *.yaml | sed "s/\.yaml\$//") >records &&
		(cd "$POLICIES/$policy/invalid" && ls *.expected | sed "s/\.expected\$//") >expected &&
		test_cmp records expected &&
		test -s records &&
		for a in "$POLICIES/$policy"/*/*.approvals
		do
			test ! -e "$a" || test -f "${a%.approvals}.yaml" || return 1
		done
	'

	test_expect_success "$policy: setup: a repository with every valid record" '
		policy_repo "$policy" "$policy" &&
		add_records "$policy" "$policy" "$POLICIES/$policy"/valid/*.yaml
	'

	test_expect_success "$policy: the valid records lint clean together" '
		chg_lint_status 0 -C "$policy" &&
		test_must_be_empty actual
	'

	for fixture in "$POLICIES/$policy"/valid/*.yaml
	do
		name=${fixture##*/}
		test_expect_success "$policy: valid/$name lints clean" '
			chg_lint_status 0 -C "$policy" "$(records_dir "$policy")/$name" &&
			test_must_be_empty actual
		'
	done

	for fixture in "$POLICIES/$policy"/invalid/*.yaml
	do
		name=${fixture##*/}
		name=${name%.yaml}
		test_expect_success "$policy: invalid/$name.yaml gives exactly its .expected" '
			policy_repo "$policy-$name" "$policy" &&
			add_records "$policy-$name" "$policy" "$fixture" &&
			chg_lint_status 1 -C "$policy-$name" &&
			test_cmp "$POLICIES/$policy/invalid/$name.expected" actual
		'
	done
done

# Four eyes on firewalls: the approval histories of CHG-2002, an approved
# firewall change of low risk.

FW_CR="$POLICIES/firewall-four-eyes/valid/CHG-2002.yaml"

test_expect_success 'firewall: setup: CHG-2002 approved, without its approvals' '
	cp "$FW_CR" CHG-2002.yaml &&
	policy_repo fw firewall-four-eyes &&
	add_records fw firewall-four-eyes "$PWD/CHG-2002.yaml"
'

test_expect_success 'firewall: no approval: 0 of the 2 from network-cab' '
	chg_lint_status 1 -C fw &&
	cat >expect <<-\EOF &&
	changes/CHG-2002.yaml:7:8: error: CHG-2002 is approved but 0 of the 2 required approvals counted (from network-cab) [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'firewall: one network-cab member is not enough, whatever the risk' '
	n=$(approve fw CHG-2002 "Nina Berg" nina@northbank.example) &&
	chg_lint_status 1 -C fw &&
	cat >expect <<-EOF &&
	changes/CHG-2002.yaml:7:8: error: CHG-2002 is approved but 1 of the 2 required approvals counted (from network-cab): nina@northbank.example $n counted [missing-approval]
	EOF
	test_cmp expect actual
'

test_expect_success 'firewall: two network-cab members: clean' '
	approve fw CHG-2002 "Omar Haddad" omar@northbank.example &&
	chg_lint_status 0 -C fw &&
	test_must_be_empty actual
'

test_expect_success 'firewall: a changed firewall rule makes both approvals stale' '
	n=$(git -C fw rev-parse HEAD~1 | cut -c1-7) &&
	o=$(git -C fw rev-parse HEAD | cut -c1-7) &&
	sed "s/port: 22,/port: 2222,/" "$FW_CR" >fw/changes/CHG-2002.yaml &&
	(cd fw && chg_commit "Jane Doe" jane@example.com "CHG-2002: SSH on 2222") &&
	chg_lint_status 1 -C fw &&
	grep "^changes/CHG-2002.yaml:7:8: error: CHG-2002 is approved but 0 of the 2 required approvals counted (from network-cab): nina@northbank.example $n stale-approval, omar@northbank.example $o stale-approval \[missing-approval\]\$" actual &&
	grep "^changes/CHG-2002.yaml:7:8: error: approval by nina@northbank.example in $n is stale: it approved sha256:[0-9a-f]*\.\.\., the change is now sha256:[0-9a-f]*\.\.\.; ask for a new approval \[stale-approval\]\$" actual &&
	grep "^changes/CHG-2002.yaml:7:8: error: approval by omar@northbank.example in $o is stale: .* \[stale-approval\]\$" actual &&
	test $(wc -l <actual) = 3
'

test_expect_success 'firewall: a CAB member outside network-cab does not count' '
	policy_repo fwcab firewall-four-eyes &&
	add_records fwcab firewall-four-eyes "$PWD/CHG-2002.yaml" &&
	a=$(approve fwcab CHG-2002 "Alice Example" alice@msp.example) &&
	n=$(approve fwcab CHG-2002 "Nina Berg" nina@northbank.example) &&
	chg_lint_status 1 -C fwcab &&
	cat >expect <<-EOF &&
	changes/CHG-2002.yaml:7:8: error: CHG-2002 is approved but 1 of the 2 required approvals counted (from network-cab): alice@msp.example $a approver-not-allowed, nina@northbank.example $n counted [missing-approval]
	changes/CHG-2002.yaml:7:8: error: approval by alice@msp.example in $a does not count: the approver is not in network-cab [approver-not-allowed]
	EOF
	test_cmp expect actual
'

test_expect_success 'firewall: a manager does not count for a firewall change' '
	policy_repo fwmgr firewall-four-eyes &&
	add_records fwmgr firewall-four-eyes "$PWD/CHG-2002.yaml" &&
	approve fwmgr CHG-2002 "Nina Berg" nina@northbank.example &&
	d=$(approve fwmgr CHG-2002 "Dave Miller" dave@msp.example) &&
	chg_lint_status 1 -C fwmgr &&
	grep "^changes/CHG-2002.yaml:7:8: error: approval by dave@msp.example in $d does not count: the approver is not in network-cab \[approver-not-allowed\]\$" actual
'

test_expect_success 'firewall: the same change without fw- systems: the built-in rules decide' '
	mkdir nofw &&
	sed -e "s/fw-edge-01, fw-edge-02/edge-01, edge-02/" \
		-e "/^firewall-rules:/,/^implementation-plan:/{/^implementation-plan:/!d;}" \
		"$FW_CR" >nofw/CHG-2002.yaml &&
	! grep -e "^firewall-rules:" -e "fw-" nofw/CHG-2002.yaml &&
	policy_repo fwnofw firewall-four-eyes &&
	add_records fwnofw firewall-four-eyes "$PWD/nofw/CHG-2002.yaml" &&
	chg_lint_status 1 -C fwnofw &&
	cat >expect <<-\EOF &&
	changes/CHG-2002.yaml:7:8: error: CHG-2002 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual &&
	approve fwnofw CHG-2002 "Dave Miller" dave@msp.example &&
	chg_lint_status 0 -C fwnofw &&
	test_must_be_empty actual
'

# Decision records: no lifecycle, risk, approvals or schedule section.

test_expect_success 'decisions: all records together give the union of the .expected files' '
	policy_repo adr decision-records &&
	add_records adr decision-records "$POLICIES/decision-records"/valid/*.yaml \
		"$POLICIES/decision-records"/invalid/*.yaml &&
	chg_lint_status 1 -C adr &&
	cat "$POLICIES/decision-records"/invalid/*.expected >expect &&
	test_cmp expect actual
'

test_expect_success 'decisions: approval trailers and other authors change nothing' '
	(cd adr && chg_approve ADR-0001 "Mia Chen" mia@example.org &&
		echo "  Reviewed again in November." >>decisions/ADR-0003.yaml &&
		chg_commit "Ana Lopes" ana@example.org "ADR-0003: note") &&
	chg_lint_status 1 -C adr &&
	test_cmp expect actual
'

test_expect_success 'decisions: no approval, risk or schedule finding ever appears' '
	chg_lint_status 1 -C adr &&
	sed -n "s/.*\[\([a-z-]*\)\]\$/\1/p" actual | sort -u >rules &&
	cat >expect <<-\EOF &&
	accepted-by-two
	id-mismatch
	invalid-datetime
	invalid-type
	invalid-value
	pattern-mismatch
	required-field
	security-decisions-need-security
	successor-is-a-decision
	successor-only-when-superseded
	unknown-field
	EOF
	test_cmp expect rules &&
	! grep -E "\[(missing-approval|stale-approval|self-approval|approver-not-allowed|unsigned-approval|signer-mismatch|risk-understated|tested-rollback-for-high-risk|missing-review|review-overdue|window-order)\]" actual
'

test_done
