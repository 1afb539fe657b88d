#!/bin/sh

test_description='chg-lint --format github, tap, gitlab and checkstyle: exact output, parsers, exit statuses, the GitHub Actions default'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# lint_range FORMAT: lints the fixture's range in FORMAT into 'actual'
# (exit status 1, as text).
lint_range () {
	chg_lint_status 1 -C repo --range "$(cat base)..HEAD" --format "$1"
}

# fp PATH RULE MESSAGE N: the GitLab fingerprint chg-lint documents.
fp () {
	printf "%s\0%s\0%s\0%s\0" "$1" "$2" "$3" "$4" | sha256sum | cut -d" " -f1
}

# The fixture: five change requests; in the range base..HEAD one gets an
# invalid risk level with %, :, a comma, a line break and a non-ASCII
# letter in it (error), one loses its test plan (warning) and its
# communication (note), one enters approved before its approval (a
# history finding naming the commit); one, changed, is clean; one,
# unchanged, has a warning that the range does not judge (a note without
# a line on .chg), and the reports that list files leave it out.
test_expect_success 'setup' '
	chg_repo repo &&
	cat >>repo/.chg/policy.yaml <<-\EOF &&
	rules:
	  - id: test-plan-wanted
	    when: {type: normal}
	    require: [test-plan]
	    severity: warning
	    message: a test plan is recommended
	  - id: owner-noted
	    when: {type: normal}
	    require: [communication]
	    severity: note
	    message: say whom you will notify
	EOF
	for id in CHG-0001 CHG-0002 CHG-0003 CHG-0004 CHG-0005
	do
		chg_normal_cr $id >repo/changes/$id.yaml &&
		printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\n" >>repo/changes/$id.yaml ||
		return 1
	done &&
	edit repo/changes/CHG-0005.yaml "/^test-plan:/d" &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up") &&
	git -C repo rev-parse HEAD >base &&
	edit repo/changes/CHG-0004.yaml "s/^state: .*/state: approved/" &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "CHG-0004: approved") &&
	(cd repo && chg_approve CHG-0004 "Dave Miller" dave@example.com) &&
	edit repo/changes/CHG-0003.yaml "/^test-plan:/d; /^communication:/d" &&
	edit repo/changes/CHG-0001.yaml "s/^title: .*/title: Rotate the TLS certificate of www.example.com/" &&
	edit repo/changes/CHG-0002.yaml "s/^  level: .*/  level: \"a%b:c,d\\\\nü\"/" &&
	grep "^  level: \"a%b:c,d\\\\nü\"\$" repo/changes/CHG-0002.yaml &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Edit") &&
	git -C repo rev-parse --short=7 HEAD~2 >approved &&
	NOTE="1 finding on 1 change request that no commit of the range changes is not judged here (--scope all judges them; chg-lint without --staged or --range judges every change request)" &&
	LEVEL="risk.level must be one of low, medium, high, critical, not ${SQ}a%b:c,d ü${SQ}" &&
	QUORUM="in $(cat approved): CHG-0004 is approved but 0 of the 1 required approval counted (from managers or cab)" &&
	printf "%s\n" "$NOTE" >note.msg &&
	printf "%s\n" "$LEVEL" >level.msg &&
	printf "%s\n" "$QUORUM" >quorum.msg
'

NOTE=$(cat note.msg 2>/dev/null)
LEVEL=$(cat level.msg 2>/dev/null)
QUORUM=$(cat quorum.msg 2>/dev/null)

test_expect_success 'text: the findings every format shows, in this order' '
	lint_range text &&
	cat >expect <<-EOF &&
	.chg: note: $NOTE [test-plan-wanted]
	changes/CHG-0002.yaml:14:10: error: $LEVEL [invalid-value]
	changes/CHG-0003.yaml:3:7: warning: a test plan is recommended [test-plan-wanted]
	changes/CHG-0003.yaml:3:7: note: say whom you will notify [owner-noted]
	changes/CHG-0004.yaml:4:8: error: $QUORUM [missing-approval]
	EOF
	test_cmp expect actual &&
	cp stderr text.stderr
'

test_expect_success 'github: workflow commands, % escaped, line:col repeated' '
	lint_range github &&
	cat >expect <<-EOF &&
	::notice file=.chg,title=test-plan-wanted::$NOTE
	::error file=changes/CHG-0002.yaml,line=14,col=10,title=invalid-value::14:10: risk.level must be one of low, medium, high, critical, not ${SQ}a%25b:c,d ü${SQ}
	::warning file=changes/CHG-0003.yaml,line=3,col=7,title=test-plan-wanted::3:7: a test plan is recommended
	::notice file=changes/CHG-0003.yaml,line=3,col=7,title=owner-noted::3:7: say whom you will notify
	::error file=changes/CHG-0004.yaml,line=4,col=8,title=missing-approval::4:8: $QUORUM
	EOF
	test_cmp expect actual &&
	test_cmp text.stderr stderr
'

test_expect_success 'tap: TAP 14, a test point a file, findings as YAML' '
	lint_range tap &&
	cat >expect <<-EOF &&
	TAP version 14
	1..5
	ok 1 - .chg
	  ---
	  findings:
	    - severity: note
	      rule: "test-plan-wanted"
	      line: 0
	      column: 0
	      message: "$NOTE"
	  ...
	ok 2 - changes/CHG-0001.yaml
	not ok 3 - changes/CHG-0002.yaml
	  ---
	  findings:
	    - severity: error
	      rule: "invalid-value"
	      line: 14
	      column: 10
	      message: "$LEVEL"
	  ...
	ok 4 - changes/CHG-0003.yaml
	  ---
	  findings:
	    - severity: warning
	      rule: "test-plan-wanted"
	      line: 3
	      column: 7
	      message: "a test plan is recommended"
	    - severity: note
	      rule: "owner-noted"
	      line: 3
	      column: 7
	      message: "say whom you will notify"
	  ...
	not ok 5 - changes/CHG-0004.yaml
	  ---
	  findings:
	    - severity: error
	      rule: "missing-approval"
	      line: 4
	      column: 8
	      message: "$QUORUM"
	  ...
	EOF
	test_cmp expect actual &&
	test_cmp text.stderr stderr &&
	cp actual report.tap
'

test_expect_success 'tap: the YAML blocks parse, to the findings of text' '
	python3 - report.tap >parsed <<-\EOF &&
	import sys, yaml
	lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
	i = 0
	while i < len(lines):
	    if lines[i] == "  ---":
	        j = lines.index("  ...", i)
	        block = yaml.safe_load("\n".join(l[2:] for l in lines[i + 1:j]))
	        for f in block["findings"]:
	            print(f["severity"], f["rule"], f["line"], f["column"], f["message"])
	        i = j
	    i += 1
	EOF
	cat >expect <<-EOF &&
	note test-plan-wanted 0 0 $NOTE
	error invalid-value 14 10 $LEVEL
	warning test-plan-wanted 3 7 a test plan is recommended
	note owner-noted 3 7 say whom you will notify
	error missing-approval 4 8 $QUORUM
	EOF
	test_cmp expect parsed
'

test_expect_success 'gitlab: Code Quality JSON, fingerprints of path, rule, message and occurrence' '
	lint_range gitlab &&
	cat >expect <<-EOF &&
	[
	  {
	    "description": "$NOTE",
	    "check_name": "test-plan-wanted",
	    "fingerprint": "$(fp .chg test-plan-wanted "$NOTE" 0)",
	    "severity": "info",
	    "location": {
	      "path": ".chg",
	      "lines": {
	        "begin": 1
	      }
	    }
	  },
	  {
	    "description": "$LEVEL",
	    "check_name": "invalid-value",
	    "fingerprint": "$(fp changes/CHG-0002.yaml invalid-value "$LEVEL" 0)",
	    "severity": "major",
	    "location": {
	      "path": "changes/CHG-0002.yaml",
	      "lines": {
	        "begin": 14
	      }
	    }
	  },
	  {
	    "description": "a test plan is recommended",
	    "check_name": "test-plan-wanted",
	    "fingerprint": "$(fp changes/CHG-0003.yaml test-plan-wanted "a test plan is recommended" 0)",
	    "severity": "minor",
	    "location": {
	      "path": "changes/CHG-0003.yaml",
	      "lines": {
	        "begin": 3
	      }
	    }
	  },
	  {
	    "description": "say whom you will notify",
	    "check_name": "owner-noted",
	    "fingerprint": "$(fp changes/CHG-0003.yaml owner-noted "say whom you will notify" 0)",
	    "severity": "info",
	    "location": {
	      "path": "changes/CHG-0003.yaml",
	      "lines": {
	        "begin": 3
	      }
	    }
	  },
	  {
	    "description": "$QUORUM",
	    "check_name": "missing-approval",
	    "fingerprint": "$(fp changes/CHG-0004.yaml missing-approval "$QUORUM" 0)",
	    "severity": "major",
	    "location": {
	      "path": "changes/CHG-0004.yaml",
	      "lines": {
	        "begin": 4
	      }
	    }
	  }
	]
	EOF
	test_cmp expect actual &&
	test_cmp text.stderr stderr &&
	cp actual report.json
'

test_expect_success 'gitlab: parses as JSON, no BOM, every required field, unique fingerprints' '
	test "$(head -c 1 report.json)" = "[" &&
	python3 - report.json <<-\EOF
	import json, sys
	issues = json.load(open(sys.argv[1], encoding="utf-8"))
	assert len(issues) == 5, issues
	for i in issues:
	    assert isinstance(i["description"], str) and i["description"]
	    assert isinstance(i["check_name"], str) and i["check_name"]
	    assert len(i["fingerprint"]) == 64
	    assert i["severity"] in ("info", "minor", "major", "critical", "blocker")
	    assert isinstance(i["location"]["path"], str)
	    assert isinstance(i["location"]["lines"]["begin"], int)
	    assert i["location"]["lines"]["begin"] >= 1
	assert len(set(i["fingerprint"] for i in issues)) == len(issues)
	EOF
'

test_expect_success 'checkstyle: XML with a file element a file, clean ones empty' '
	lint_range checkstyle &&
	cat >expect <<-EOF &&
	<?xml version="1.0" encoding="UTF-8"?>
	<checkstyle version="4.3">
	  <file name=".chg">
	    <error severity="info" message="$NOTE" source="chg.test-plan-wanted"/>
	  </file>
	  <file name="changes/CHG-0001.yaml"></file>
	  <file name="changes/CHG-0002.yaml">
	    <error line="14" column="10" severity="error" message="risk.level must be one of low, medium, high, critical, not &apos;a%b:c,d ü&apos;" source="chg.invalid-value"/>
	  </file>
	  <file name="changes/CHG-0003.yaml">
	    <error line="3" column="7" severity="warning" message="a test plan is recommended" source="chg.test-plan-wanted"/>
	    <error line="3" column="7" severity="info" message="say whom you will notify" source="chg.owner-noted"/>
	  </file>
	  <file name="changes/CHG-0004.yaml">
	    <error line="4" column="8" severity="error" message="$QUORUM" source="chg.missing-approval"/>
	  </file>
	</checkstyle>
	EOF
	test_cmp expect actual &&
	test_cmp text.stderr stderr &&
	cp actual report.xml
'

test_expect_success 'checkstyle: parses with xml.etree, to the findings of text' '
	python3 - report.xml >parsed <<-\EOF &&
	import sys
	import xml.etree.ElementTree as ET
	root = ET.parse(sys.argv[1]).getroot()
	assert root.tag == "checkstyle" and root.get("version") == "4.3"
	for f in root.findall("file"):
	    print(f.get("name"), len(f))
	    for e in f.findall("error"):
	        print(" ", e.get("line"), e.get("column"), e.get("severity"),
	              e.get("source"), e.get("message"))
	EOF
	cat >expect <<-EOF &&
	.chg 1
	  None None info chg.test-plan-wanted $NOTE
	changes/CHG-0001.yaml 0
	changes/CHG-0002.yaml 1
	  14 10 error chg.invalid-value $LEVEL
	changes/CHG-0003.yaml 2
	  3 7 warning chg.test-plan-wanted a test plan is recommended
	  3 7 info chg.owner-noted say whom you will notify
	changes/CHG-0004.yaml 1
	  4 8 error chg.missing-approval $QUORUM
	EOF
	test_cmp expect parsed
'

test_expect_success 'every format gives the same output for the same input' '
	for f in github tap gitlab checkstyle
	do
		lint_range $f && mv actual first &&
		lint_range $f && test_cmp first actual || return 1
	done
'

test_expect_success 'exit statuses are those of text: clean 0, warnings 0 and 1 with --strict' '
	for f in text json github tap gitlab checkstyle
	do
		chg_lint_status 0 -C repo --rev HEAD~3 --format $f &&
		chg_lint_status 0 -C repo --format $f changes/CHG-0001.yaml changes/CHG-0005.yaml &&
		chg_lint_status 1 -C repo --format $f --strict changes/CHG-0001.yaml changes/CHG-0005.yaml ||
		return 1
	done &&
	chg_lint_status 0 -C repo --rev HEAD~3 --format tap &&
	grep "^ok 5 - changes/CHG-0005.yaml\$" actual &&
	chg_lint_status 1 -C repo --rev HEAD~3 --format tap --strict &&
	cat >expect <<-\EOF &&
	ok 1 - changes/CHG-0001.yaml
	ok 2 - changes/CHG-0002.yaml
	ok 3 - changes/CHG-0003.yaml
	ok 4 - changes/CHG-0004.yaml
	not ok 5 - changes/CHG-0005.yaml
	EOF
	sed -n "/^\(not \)\{0,1\}ok/p" actual >points &&
	test_cmp expect points &&
	chg_lint_status 0 -C repo --rev HEAD~3 --format checkstyle &&
	grep -c "<file " actual >count &&
	echo 5 >expect &&
	test_cmp expect count &&
	chg_lint_status 0 -C repo --rev HEAD~3 --format gitlab &&
	python3 -c "import json, sys; assert len(json.load(open(sys.argv[1]))) == 1" actual
'

test_expect_success 'an invalid policy exits 3 in every format, its findings shown' '
	git clone -q repo broken &&
	echo "version: [" >broken/.chg/policy.yaml &&
	for f in text json github tap gitlab checkstyle
	do
		chg_lint_status 3 -C broken --format $f &&
		grep "policy.yaml" actual ||
		return 1
	done
'

test_expect_success 'tap: a run that cannot finish bails out (3)' '
	chg_lint_status 3 -C repo --rev no-such-revision --format tap &&
	cat >expect <<-EOF &&
	TAP version 14
	1..0
	Bail out! unknown revision ${SQ}no-such-revision${SQ}
	EOF
	test_cmp expect actual
'

test_expect_success 'an unknown format is a usage error (2) naming the formats' '
	chg_lint_status 2 -C repo --format sarif-ish &&
	grep "unknown format ${SQ}sarif-ish${SQ} (expected text, json, github, sarif, junit, tap, gitlab or checkstyle)" stderr &&
	test_must_be_empty actual
'

test_expect_success 'GITHUB_ACTIONS=true makes github the default; --format wins' '
	(
		GITHUB_ACTIONS=true && export GITHUB_ACTIONS &&
		lint_range github && mv actual github.out &&
		chg_lint_status 1 -C repo --range "$(cat base)..HEAD" &&
		test_cmp github.out actual &&
		lint_range text && mv actual text.out &&
		test_must_fail grep "^::" text.out &&
		chg-lint -C repo --explain invalid-value >explain &&
		grep "^rule: *invalid-value" explain
	) &&
	(
		GITHUB_ACTIONS=false && export GITHUB_ACTIONS &&
		chg_lint_status 1 -C repo --range "$(cat base)..HEAD" &&
		test_must_fail grep "^::" actual
	)
'

test_expect_success 'github: the job summary lists every finding in a Markdown table' '
	echo "# Earlier step" >summary.md &&
	(
		GITHUB_STEP_SUMMARY=$PWD/summary.md && export GITHUB_STEP_SUMMARY &&
		lint_range github &&
		lint_range text &&
		chg_lint_status 0 -C repo --rev HEAD~3 --format github
	) &&
	cat >expect <<-EOF &&
	# Earlier step
	### chg-lint: 2 errors, 1 warning, 2 notes

	| Severity | File | Line | Rule | Message |
	| --- | --- | --- | --- | --- |
	| note | .chg |  | test-plan-wanted | $NOTE |
	| error | changes/CHG-0002.yaml | 14:10 | invalid-value | $LEVEL |
	| warning | changes/CHG-0003.yaml | 3:7 | test-plan-wanted | a test plan is recommended |
	| note | changes/CHG-0003.yaml | 3:7 | owner-noted | say whom you will notify |
	| error | changes/CHG-0004.yaml | 4:8 | missing-approval | $QUORUM |

	### chg-lint: 0 errors, 1 warning, 0 notes

	| Severity | File | Line | Rule | Message |
	| --- | --- | --- | --- | --- |
	| warning | changes/CHG-0005.yaml | 3:7 | test-plan-wanted | a test plan is recommended |

	EOF
	test_cmp expect summary.md
'

test_expect_success 'github: a job summary that cannot be written changes no exit status' '
	(
		GITHUB_STEP_SUMMARY=$PWD/no-such-dir/summary.md &&
		export GITHUB_STEP_SUMMARY &&
		lint_range github &&
		chg_lint_status 0 -C repo --rev HEAD~3 --format github
	) &&
	grep "cannot write the job summary" stderr
'

# complete_chg WORD...: what the bash completion offers for the last WORD
# of the command line WORD..., one a line (as in t0300).
complete_chg () {
	bash -c '. "$CHG_SRC_DIR/contrib/completion/chg.bash" &&
		COMP_WORDS=("$@") &&
		COMP_CWORD=$(($# - 1)) &&
		_chg &&
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}

test_expect_success 'bash completion offers every format of chg-lint and chg lint' '
	printf "%s\n" text json github sarif junit tap gitlab checkstyle >expect &&
	complete_chg chg-lint --format "" >out &&
	test_cmp expect out &&
	complete_chg chg lint --format "" >out &&
	test_cmp expect out
'

test_done
