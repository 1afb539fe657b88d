#!/bin/sh

test_description='the CI examples (examples/ci/) and the pre-commit framework hook run as written'

. "$(dirname "$0")"/lib-chg.sh

CI="$CHG_SRC_DIR/examples/ci"
NOW=2026-12-20T12:00:00Z

# What this test runs: every line of a shell command in the example files
# (GitHub Actions steps' "run", GitLab jobs' "script", Jenkins "sh '...'")
# that calls chg-lint, whose --format (text without one) is one this
# chg-lint lists in its --help.  Those with another format (the merged
# tree adds sarif and junit) are listed as not run.  Nothing else of the
# examples runs here: not the checkout, the upload or the artifacts.
#
# extract: prints "FILE<TAB>COMMAND" for each chg-lint command line of
# the three example files.
extract () {
	python3 - "$CI" <<-\EOF
	import os, re, sys, yaml
	ci = sys.argv[1]
	def emit(name, script):
	    for line in script.split("\n"):
	        line = line.strip()
	        if line.startswith("chg-lint "):
	            print(name + "\t" + line)
	wf = yaml.safe_load(open(os.path.join(ci, "github-actions.yml")))
	for job in wf["jobs"].values():
	    for step in job["steps"]:
	        emit("github-actions.yml", step.get("run", ""))
	gl = yaml.safe_load(open(os.path.join(ci, "gitlab-ci.yml")))
	for name, job in gl.items():
	    if isinstance(job, dict) and "script" in job:
	        for item in job["script"]:
	            emit("gitlab-ci.yml", item)
	for line in open(os.path.join(ci, "Jenkinsfile")):
	    m = re.match(r"\s*sh '(.*)'\s*$", line)
	    if m:
	        emit("Jenkinsfile", m.group(1))
	EOF
}

# check_report FORMAT FILE N: FILE is a report in FORMAT with N findings.
check_report () {
	python3 - "$@" <<-\EOF
	import json, re, sys
	import xml.etree.ElementTree as ET
	fmt, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
	data = open(path, "rb").read()
	assert not data.startswith(b"\xef\xbb\xbf"), "a BOM"
	text = data.decode("utf-8")
	if fmt == "text":
	    lines = text.splitlines()
	    assert all(re.match(r"^[^:]+(:\d+:\d+)?: (error|warning|note): .* \[[^]]+\]$", l) for l in lines), lines
	    found = len(lines)
	elif fmt == "json":
	    found = len(json.loads(text)["diagnostics"])
	elif fmt == "github":
	    lines = text.splitlines()
	    assert all(re.match(r"^::(error|warning|notice) file=", l) for l in lines), lines
	    found = len(lines)
	elif fmt == "tap":
	    assert text.startswith("TAP version 14\n1..")
	    found = len(re.findall(r"^    - severity: ", text, re.M))
	elif fmt == "gitlab":
	    issues = json.loads(text)
	    for i in issues:
	        assert i["description"] and i["check_name"] and len(i["fingerprint"]) == 64
	        assert i["severity"] in ("info", "minor", "major", "critical", "blocker")
	        assert i["location"]["path"] and i["location"]["lines"]["begin"] >= 1
	    assert len(set(i["fingerprint"] for i in issues)) == len(issues)
	    found = len(issues)
	elif fmt == "checkstyle":
	    root = ET.fromstring(data)
	    assert root.tag == "checkstyle"
	    found = len(root.findall("file/error"))
	elif fmt == "sarif":
	    doc = json.loads(text)
	    assert doc["version"] == "2.1.0"
	    found = sum(len(run["results"]) for run in doc["runs"])
	elif fmt == "junit":
	    root = ET.fromstring(data)
	    assert root.tag in ("testsuites", "testsuite")
	    found = n
	else:
	    sys.exit("no check for format " + fmt)
	assert found == n, "%d findings, expected %d" % (found, n)
	EOF
}

test_expect_success 'build the example repository; what text finds' '
	CHG="$CHG_BUILD_DIR/chg" sh "$CHG_SRC_DIR/examples/build.sh" ex >out 2>&1 &&
	test_must_be_empty out &&
	test_expect_code 1 chg-lint -C ex --now $NOW --range HEAD >text.out &&
	wc -l <text.out >findings &&
	test "$(cat findings)" -gt 0
'

test_expect_success 'the example files parse (YAML)' '
	python3 -c "import sys, yaml; [yaml.safe_load(open(f)) for f in sys.argv[1:]]" \
		"$CI/github-actions.yml" "$CI/gitlab-ci.yml" "$CHG_SRC_DIR/.pre-commit-hooks.yaml"
'

test_expect_success 'the chg-lint commands of the examples, and which this build runs' '
	extract >commands &&
	cat commands &&
	chg-lint --help | sed -n "s/.*\[--format \([a-z|]*\)\].*/\1/p" | head -n 1 |
		tr "|" "\n" >formats &&
	grep -x text formats && grep -x checkstyle formats &&
	# every example runs chg-lint; GitHub annotations, GitLab Code
	# Quality and a Checkstyle report are among the commands
	grep "^github-actions.yml	chg-lint --format github " commands &&
	grep "^github-actions.yml	chg-lint --format sarif " commands &&
	grep "^gitlab-ci.yml	chg-lint --format gitlab " commands &&
	grep "^gitlab-ci.yml	chg-lint --format junit " commands &&
	grep "^Jenkinsfile	chg-lint --format junit " commands &&
	grep "^Jenkinsfile	chg-lint --format checkstyle " commands &&
	# each has its gate: a plain chg-lint whose exit status fails the job
	grep -c "	chg-lint --range \"\$RANGE\"\$" commands >gates &&
	echo 2 >expect && test_cmp expect gates &&
	grep -c "	chg-lint --format github --range \"\$RANGE\"\$" commands >gates &&
	echo 1 >expect && test_cmp expect gates
'

test_expect_success 'run them on the example repository; check what they produce' '
	n=$(cat findings) &&
	mkdir -p runs &&
	i=0 &&
	: >not-run &&
	while IFS="	" read -r file command
	do
		i=$((i + 1)) &&
		format=$(printf "%s\n" "$command" | sed -n "s/.*--format \([a-z]*\).*/\1/p") &&
		format=${format:-text} &&
		if ! grep -qx "$format" formats
		then
			printf "%s: %s\n" "$file" "$command" >>not-run &&
			continue
		fi &&
		rm -rf run && cp -R ex run &&
		(
			cd run &&
			RANGE=HEAD CHG_NOW=$NOW &&
			export RANGE CHG_NOW &&
			if test "$file" = github-actions.yml
			then
				GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/../runs/summary.$i.md &&
				export GITHUB_ACTIONS GITHUB_STEP_SUMMARY
			fi &&
			sh -c "$command" >../runs/stdout.$i 2>../runs/stderr.$i
			echo $? >../runs/status.$i
		) &&
		case $command in
		*"|| [ \$? -eq 1 ]")
			# a report: written, the job goes on
			test "$(cat runs/status.$i)" = 0 &&
			out=$(printf "%s\n" "$command" | sed -n "s/.*>\([^ ]*\) .*/\1/p") &&
			test -n "$out" &&
			check_report $format "run/$out" $n &&
			test_must_be_empty runs/stdout.$i ;;
		*)
			# the gate: its findings on standard output, the job fails
			test "$(cat runs/status.$i)" = 1 &&
			check_report $format runs/stdout.$i $n ;;
		esac &&
		grep "^chg-lint: $n errors, 0 warnings in 16 files\$" runs/stderr.$i &&
		echo "$file: $command" >>ran ||
		return 1
	done <commands &&
	cat ran &&
	echo "# not run here (format unknown to this chg-lint):" &&
	cat not-run &&
	grep -v "sarif\|junit" not-run >unexpected;
	test_must_be_empty unexpected &&
	test "$(wc -l <ran)" -ge 4
'

test_expect_success 'the GitHub Actions run wrote its job summary, every finding in it' '
	cat runs/summary.*.md >summary &&
	grep -c "^| error | changes/" summary >rows &&
	cat findings >expect &&
	test_cmp expect rows
'

test_expect_success 'the GitHub gate prints annotations by default on a runner' '
	(
		cd ex &&
		GITHUB_ACTIONS=true && export GITHUB_ACTIONS &&
		test_expect_code 1 chg-lint --now $NOW --range HEAD >../default.out
	) &&
	(
		cd ex &&
		test_expect_code 1 chg-lint --now $NOW --range HEAD --format github >../github.out
	) &&
	test_cmp github.out default.out
'

# extract_gate: prints "FILE<TAB>COMMAND" for each chg gate command line of
# the GitHub Actions workflow, the GitLab CI file and the Argo CD PreSync
# Job (its container's shell script).
extract_gate () {
	python3 - "$CI" <<-\EOF
	import os, sys, yaml
	ci = sys.argv[1]
	def emit(name, script):
	    for line in script.split("\n"):
	        line = line.strip()
	        if line.startswith("chg gate "):
	            print(name + "\t" + line)
	wf = yaml.safe_load(open(os.path.join(ci, "github-actions.yml")))
	for job in wf["jobs"].values():
	    for step in job["steps"]:
	        emit("github-actions.yml", step.get("run", ""))
	gl = yaml.safe_load(open(os.path.join(ci, "gitlab-ci.yml")))
	for name, job in gl.items():
	    if isinstance(job, dict) and "script" in job:
	        for item in job["script"]:
	            emit("gitlab-ci.yml", item)
	job = yaml.safe_load(open(os.path.join(ci, "argocd-presync.yaml")))
	assert job["kind"] == "Job"
	assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
	for c in job["spec"]["template"]["spec"]["containers"]:
	    for item in c.get("command", []) + c.get("args", []):
	        emit("argocd-presync.yaml", item)
	EOF
}

test_expect_success 'the chg gate commands: GitHub Actions, GitLab CI and Argo CD have one each' '
	extract_gate >gate-commands &&
	cat gate-commands &&
	cut -f1 gate-commands >files &&
	printf "%s\n" github-actions.yml gitlab-ci.yml argocd-presync.yaml >expect &&
	test_cmp expect files
'

# The example repository at $NOW: CHG-0040 is in its window (allowed),
# CHG-0042 approved with its window ahead (awaiting), CHG-0033 rejected
# (prevented), CHG-0039 understates its risk (invalid).  Each command runs with the change request in $CHANGE and
# the wait shortened to one second ($CHG_GATE_TIMEOUT, as the examples
# read it).
test_expect_success 'run them on the example repository: the four answers and their exit statuses' '
	while IFS="	" read -r file command
	do
		for want in CHG-0040:0:allowed CHG-0042:75:awaiting \
			CHG-0033:1:prevented CHG-0039:1:invalid
		do
			id=${want%%:*} rest=${want#*:} &&
			code=${rest%%:*} answer=${rest#*:} &&
			rm -f gh-output &&
			(
				cd ex &&
				CHANGE=$id CHG_NOW=$NOW CHG_GATE_TIMEOUT=1 &&
				export CHANGE CHG_NOW CHG_GATE_TIMEOUT &&
				if test "$file" = github-actions.yml
				then
					GITHUB_ACTIONS=true GITHUB_OUTPUT=$PWD/../gh-output &&
					export GITHUB_ACTIONS GITHUB_OUTPUT
				fi &&
				sh -c "$command" >../gate.out 2>../gate.err
				echo $? >../gate.status
			) &&
			echo "$code" >expect &&
			test_cmp expect gate.status &&
			case $file in
			github-actions.yml)
				grep "^::[a-z]* file=changes/[a-z]*/$id.yaml,title=chg gate::$id: $answer" gate.out &&
				echo "status=$answer" >expect &&
				test_cmp expect gh-output ;;
			gitlab-ci.yml)
				python3 -c "import json, sys; j = json.load(open(\"ex/chg-gate.json\")); print(j[\"schema\"], j[\"change\"], j[\"status\"])" >got &&
				echo "chg.gate/v1 $id $answer" >expect &&
				test_cmp expect got &&
				rm ex/chg-gate.json ;;
			*)
				grep "^$id: $answer$" gate.out ;;
			esac ||
			return 1
		done
	done <gate-commands
'

# The pre-commit framework runs the hook's entry in the repository, once
# (require_serial, no file names), when a staged path matches `files`.
test_expect_success 'the pre-commit framework hook: chg-lint --staged, for change request paths' '
	python3 - "$CHG_SRC_DIR/.pre-commit-hooks.yaml" >hook <<-\EOF &&
	import re, sys, yaml
	hooks = yaml.safe_load(open(sys.argv[1]))
	assert len(hooks) == 1
	h = hooks[0]
	assert h["id"] == "chg-lint" and h["language"] == "system"
	assert h["pass_filenames"] is False and h["require_serial"] is True
	files = re.compile(h["files"])
	for p in ("changes/CHG-0001.yaml", "changes/acme/CHG-0032.yaml",
	          ".chg/policy.yaml", ".chg/allowed_signers"):
	    assert files.search(p), p
	for p in ("README.md", "src/changes.c"):
	    assert not files.search(p), p
	print(h["entry"])
	EOF
	echo "chg-lint --staged" >expect &&
	test_cmp expect hook &&
	chg_repo pc &&
	chg_normal_cr CHG-0001 >pc/changes/CHG-0001.yaml &&
	(cd pc && git add -A && sh -c "$(cat ../hook) --now $NOW") &&
	sed "s/^type: normal/type: routine/" pc/changes/CHG-0001.yaml >pc/changes/CHG-0002.yaml &&
	sed -i "s/^id: .*/id: CHG-0002/" pc/changes/CHG-0002.yaml &&
	(cd pc && git add -A && test_expect_code 1 sh -c "$(cat ../hook) --now $NOW" >../pc.out) &&
	grep "^changes/CHG-0002.yaml:3:7: error: type must be one of" pc.out
'

test_done
