#!/bin/sh

test_description='chg-lint --format sarif and junit: the findings of text, described by the rule registry'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"

# The SARIF 2.1.0 schema: CHG_SARIF_SCHEMA, else shared/schemas/ beside the
# checkout (the layout CI and the project's machines have).
SARIF_SCHEMA=${CHG_SARIF_SCHEMA:-$CHG_SRC_DIR/../shared/schemas/sarif-schema-2.1.0.json}

# sarif_view: the SARIF log on standard input with tool.driver.rules cut
# down to their ids (the rules are checked on their own) and each
# fingerprint that is the SHA-256 of the result's path, rule id and
# message (NUL-separated, "line N" made "line #") with its occurrence
# replaced by "sha256:N", as indented JSON.
sarif_view () {
	python3 -c '
import hashlib, json, re, sys, urllib.parse
log = json.load(sys.stdin)
for run in log["runs"]:
    d = run["tool"]["driver"]
    d["rules"] = [r["id"] for r in d["rules"]]
    for r in run["results"]:
        path = urllib.parse.unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        msg = re.sub(r"line [0-9]+", "line #", r["message"]["text"])
        h = hashlib.sha256(("%s\0%s\0%s" % (path, r["ruleId"], msg)).encode()).hexdigest()
        fp = r["partialFingerprints"]["chgFinding/v1"]
        if fp.startswith(h + ":"):
            r["partialFingerprints"]["chgFinding/v1"] = "sha256:" + fp[len(h) + 1:]
print(json.dumps(log, indent=2, ensure_ascii=False))
'
}

# sarif_valid FILE: FILE validates against the SARIF 2.1.0 schema.
sarif_valid () {
	python3 -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validators.validator_for(schema)(schema).validate(json.load(open(sys.argv[2])))
' "$SARIF_SCHEMA" "$1"
}

# sarif_as_text: each result of the SARIF log on standard input as chg-lint
# prints it as text (the order and content must be the same).
sarif_as_text () {
	python3 -c '
import json, sys, urllib.parse
log = json.load(sys.stdin)
for r in log["runs"][0]["results"]:
    loc = r["locations"][0]["physicalLocation"]
    path = urllib.parse.unquote(loc["artifactLocation"]["uri"])
    reg = loc.get("region")
    pos = "%s:%d:%d" % (path, reg["startLine"], reg["startColumn"]) if reg else path
    print("%s: %s: %s [%s]" % (pos, r["level"], r["message"]["text"], r["ruleId"]))
'
}

# junit_as_text: the text lines the failures and outputs of the JUnit
# report on standard input hold, parsed with xml.etree, in order.
junit_as_text () {
	python3 -c '
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.stdin).getroot()
assert root.tag == "testsuites"
for case in root.iter("testcase"):
    for child in case:
        if child.text:
            sys.stdout.write(child.text)
'
}

test_expect_success 'the SARIF schema is there' '
	test -f "$SARIF_SCHEMA" &&
	python3 -c "import jsonschema, xml.etree.ElementTree"
'

test_expect_success 'setup: findings of every severity, a history finding, a clean file' '
	chg_repo r &&
	cat >>r/.chg/policy.yaml <<-\EOF &&
	rules:
	  - id: test-plan-wanted
	    when: {type: normal}
	    require: [test-plan]
	    severity: warning
	    message: a test plan is recommended
	  - id: notify-noted
	    when: {type: normal}
	    require: [communication]
	    severity: note
	    message: "say whom you will notify: ops, the CAB, 100% of users"
	EOF
	mkdir -p r/changes/acme &&
	for id in CHG-0001 CHG-0002
	do
		chg_normal_cr $id >r/changes/$id.yaml &&
		printf "test-plan: Check it.\ncommunication: {notify: [ops@example.com]}\n" >>r/changes/$id.yaml ||
		return 1
	done &&
	chg_normal_cr CHG-0039 | sed "/^impact:/d" >r/changes/acme/CHG-0039.yaml &&
	cat >>r/changes/acme/CHG-0039.yaml <<-\EOF &&
	impact: {users: 40, scope: "Größe: 100%,\nalle <b> & \"x\"\u0007", downtime: 5m}
	EOF
	(cd r && chg_commit "Jane Doe" jane@example.com "Set up" && git tag base &&
	 edit changes/CHG-0001.yaml "s/downtime: 5m/downtime: soon/" &&
	 chg_commit "Jane Doe" jane@example.com "Break CHG-0001" && git tag broken &&
	 edit changes/CHG-0001.yaml "s/downtime: soon/downtime: 5m/" &&
	 chg_commit "Jane Doe" jane@example.com "Fix CHG-0001") &&
	chg_lint_status 1 -C r --range base..HEAD --scope all &&
	sed "s/{broken}/$(git -C r rev-parse --short=7 broken)/g" >expect <<-EOF &&
	changes/CHG-0001.yaml:12:44: error: in {broken}: impact.downtime must be a duration such as 30m, 2h or 5d, not ${SQ}soon${SQ} [invalid-value]
	changes/acme/CHG-0039.yaml:3:7: warning: a test plan is recommended [test-plan-wanted]
	changes/acme/CHG-0039.yaml:3:7: note: say whom you will notify: ops, the CAB, 100% of users [notify-noted]
	changes/acme/CHG-0039.yaml:20:28: error: impact.scope must be one of none, individual, team, department, organisation, customers, not ${SQ}Größe: 100%, alle <b> & "x" ${SQ} [invalid-value]
	EOF
	test_cmp expect actual &&
	cp actual text.out &&
	cp stderr text.err
'
test_expect_success 'sarif: the findings of text, in its order, and its exit status' '
	chg_lint_status 1 -C r --range base..HEAD --scope all --format sarif &&
	test_cmp text.err stderr &&
	cp actual sarif.out &&
	sarif_as_text <sarif.out >sarif.text &&
	test_cmp text.out sarif.text
'

test_expect_success 'sarif: validates against the SARIF 2.1.0 schema' '
	sarif_valid sarif.out
'

test_expect_success 'sarif: the whole log but the rule descriptors' '
	sarif_view <sarif.out >view &&
	sed "s/{broken}/$(git -C r rev-parse --short=7 broken)/g" >expect <<-EOF &&
	{
	  "\$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
	  "version": "2.1.0",
	  "runs": [
	    {
	      "tool": {
	        "driver": {
	          "name": "chg-lint",
	          "version": "0.1.0",
	          "informationUri": "https://chg.example.org/man/chg-lint.1.html",
	          "rules": [
	            "yaml-syntax",
	            "duplicate-key",
	            "file-too-large",
	            "invalid-type",
	            "unknown-field",
	            "required-field",
	            "invalid-value",
	            "invalid-datetime",
	            "pattern-mismatch",
	            "id-mismatch",
	            "duplicate-id",
	            "window-order",
	            "risk-understated",
	            "invalid-transition",
	            "unknown-dependency",
	            "dependency-cycle",
	            "dependency-order",
	            "unknown-template",
	            "review-overdue",
	            "missing-approval",
	            "signer-mismatch",
	            "stale-approval",
	            "self-approval",
	            "approver-not-allowed",
	            "unsigned-approval",
	            "bad-signature",
	            "unknown-signer",
	            "unsigned-edit",
	            "trust-change-unapproved",
	            "unused-waiver",
	            "waiver-not-counted",
	            "invalid-policy",
	            "blackout-conflict",
	            "outside-maintenance-window",
	            "insufficient-notice",
	            "window-conflict",
	            "missing-review",
	            "implemented-outside-window",
	            "test-plan-wanted",
	            "notify-noted"
	          ]
	        }
	      },
	      "originalUriBaseIds": {
	        "%SRCROOT%": {
	          "description": {
	            "text": "the root of the change repository (the working tree or the revision linted)"
	          }
	        }
	      },
	      "results": [
	        {
	          "ruleId": "invalid-value",
	          "ruleIndex": 6,
	          "level": "error",
	          "message": {
	            "text": "in {broken}: impact.downtime must be a duration such as 30m, 2h or 5d, not ${SQ}soon${SQ}"
	          },
	          "locations": [
	            {
	              "physicalLocation": {
	                "artifactLocation": {
	                  "uri": "changes/CHG-0001.yaml",
	                  "uriBaseId": "%SRCROOT%"
	                },
	                "region": {
	                  "startLine": 12,
	                  "startColumn": 44
	                }
	              }
	            }
	          ],
	          "partialFingerprints": {
	            "chgFinding/v1": "sha256:1"
	          },
	          "properties": {
	            "commit": "{broken}"
	          }
	        },
	        {
	          "ruleId": "test-plan-wanted",
	          "ruleIndex": 38,
	          "level": "warning",
	          "message": {
	            "text": "a test plan is recommended"
	          },
	          "locations": [
	            {
	              "physicalLocation": {
	                "artifactLocation": {
	                  "uri": "changes/acme/CHG-0039.yaml",
	                  "uriBaseId": "%SRCROOT%"
	                },
	                "region": {
	                  "startLine": 3,
	                  "startColumn": 7
	                }
	              }
	            }
	          ],
	          "partialFingerprints": {
	            "chgFinding/v1": "sha256:1"
	          }
	        },
	        {
	          "ruleId": "notify-noted",
	          "ruleIndex": 39,
	          "level": "note",
	          "message": {
	            "text": "say whom you will notify: ops, the CAB, 100% of users"
	          },
	          "locations": [
	            {
	              "physicalLocation": {
	                "artifactLocation": {
	                  "uri": "changes/acme/CHG-0039.yaml",
	                  "uriBaseId": "%SRCROOT%"
	                },
	                "region": {
	                  "startLine": 3,
	                  "startColumn": 7
	                }
	              }
	            }
	          ],
	          "partialFingerprints": {
	            "chgFinding/v1": "sha256:1"
	          }
	        },
	        {
	          "ruleId": "invalid-value",
	          "ruleIndex": 6,
	          "level": "error",
	          "message": {
	            "text": "impact.scope must be one of none, individual, team, department, organisation, customers, not ${SQ}Größe: 100%, alle <b> & \"x\" ${SQ}"
	          },
	          "locations": [
	            {
	              "physicalLocation": {
	                "artifactLocation": {
	                  "uri": "changes/acme/CHG-0039.yaml",
	                  "uriBaseId": "%SRCROOT%"
	                },
	                "region": {
	                  "startLine": 20,
	                  "startColumn": 28
	                }
	              }
	            }
	          ],
	          "partialFingerprints": {
	            "chgFinding/v1": "sha256:1"
	          }
	        }
	      ],
	      "columnKind": "unicodeCodePoints"
	    }
	  ]
	}
	EOF
	test_cmp expect view
'

test_expect_success 'sarif: rule descriptors from the registry and the policy' '
	python3 -c "
import json, sys
rules = json.load(open(\"sarif.out\"))[\"runs\"][0][\"tool\"][\"driver\"][\"rules\"]
pick = [r for r in rules if r[\"id\"] in (\"window-order\", \"notify-noted\")]
print(json.dumps(pick, indent=2, ensure_ascii=False))
" >actual &&
	cat >expect <<-EOF &&
	[
	  {
	    "id": "window-order",
	    "shortDescription": {
	      "text": "window.end is not after window.start"
	    },
	    "fullDescription": {
	      "text": "window.end is not after window.start: the change would be over before it began, usually a wrong date, hour or offset."
	    },
	    "help": {
	      "text": "window.end is not after window.start: the change would be over before it began, usually a wrong date, hour or offset."
	    },
	    "helpUri": "https://chg.example.org/man/chg-lint.1.html#window-order",
	    "defaultConfiguration": {
	      "level": "error"
	    },
	    "properties": {
	      "kind": "check",
	      "waivable": true
	    }
	  },
	  {
	    "id": "notify-noted",
	    "shortDescription": {
	      "text": "say whom you will notify: ops, the CAB, 100% of users"
	    },
	    "fullDescription": {
	      "text": "A rule of the policy (.chg/policy.yaml, rules:): say whom you will notify: ops, the CAB, 100% of users."
	    },
	    "help": {
	      "text": "A rule of the policy (.chg/policy.yaml, rules:): say whom you will notify: ops, the CAB, 100% of users."
	    },
	    "defaultConfiguration": {
	      "level": "note"
	    },
	    "properties": {
	      "kind": "policy",
	      "waivable": true
	    }
	  }
	]
	EOF
	test_cmp expect actual
'

# fingerprints: the fingerprints of the results of the SARIF log in FILE.
fingerprints () {
	python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["runs"][0]["results"]:
    print(r["partialFingerprints"]["chgFinding/v1"])
' "$1"
}

test_expect_success 'sarif: fingerprints stay when unrelated lines move' '
	fingerprints sarif.out >all &&
	test $(sort -u all | wc -l) = 4 &&
	chg_lint_status 1 -C r --format sarif &&
	grep "\"startLine\": 20," actual &&
	fingerprints actual >before &&
	sed 1d all >expect &&
	test_cmp expect before &&
	cp r/changes/acme/CHG-0039.yaml saved &&
	{ printf "# moved down by a comment\n\n"; cat saved; } >r/changes/acme/CHG-0039.yaml &&
	chg_lint_status 1 -C r --format sarif &&
	grep "\"startLine\": 22," actual &&
	fingerprints actual >after &&
	test_cmp before after &&
	sed "s/Größe/Grösse/" saved >r/changes/acme/CHG-0039.yaml &&
	chg_lint_status 1 -C r --format sarif &&
	fingerprints actual >changed &&
	! test_cmp before changed &&
	cp saved r/changes/acme/CHG-0039.yaml
'

test_expect_success 'sarif: the same bytes for the same input' '
	chg_lint_status 1 -C r --range base..HEAD --scope all --format sarif &&
	test_cmp sarif.out actual
'

test_expect_success 'junit: one suite per file, one case per file and rule' '
	chg_lint_status 1 -C r --range base..HEAD --scope all --format junit &&
	test_cmp text.err stderr &&
	cp actual junit.out &&
	sed "s/{broken}/$(git -C r rev-parse --short=7 broken)/g" >expect <<-EOF &&
	<?xml version="1.0" encoding="UTF-8"?>
	<testsuites name="chg-lint" tests="5" failures="2" errors="0" time="0">
	  <testsuite name="changes/CHG-0001.yaml" tests="1" failures="1" errors="0" skipped="0" time="0">
	    <testcase classname="changes.CHG-0001" name="invalid-value" time="0">
	      <failure message="in {broken}: impact.downtime must be a duration such as 30m, 2h or 5d, not &apos;soon&apos;" type="error">changes/CHG-0001.yaml:12:44: error: in {broken}: impact.downtime must be a duration such as 30m, 2h or 5d, not &apos;soon&apos; [invalid-value]
	</failure>
	    </testcase>
	  </testsuite>
	  <testsuite name="changes/CHG-0002.yaml" tests="1" failures="0" errors="0" skipped="0" time="0">
	    <testcase classname="changes.CHG-0002" name="chg-lint" time="0"/>
	  </testsuite>
	  <testsuite name="changes/acme/CHG-0039.yaml" tests="3" failures="1" errors="0" skipped="0" time="0">
	    <testcase classname="changes.acme.CHG-0039" name="test-plan-wanted" time="0">
	      <system-out>changes/acme/CHG-0039.yaml:3:7: warning: a test plan is recommended [test-plan-wanted]
	</system-out>
	    </testcase>
	    <testcase classname="changes.acme.CHG-0039" name="notify-noted" time="0">
	      <system-out>changes/acme/CHG-0039.yaml:3:7: note: say whom you will notify: ops, the CAB, 100% of users [notify-noted]
	</system-out>
	    </testcase>
	    <testcase classname="changes.acme.CHG-0039" name="invalid-value" time="0">
	      <failure message="impact.scope must be one of none, individual, team, department, organisation, customers, not &apos;Größe: 100%, alle &lt;b&gt; &amp; &quot;x&quot; &apos;" type="error">changes/acme/CHG-0039.yaml:20:28: error: impact.scope must be one of none, individual, team, department, organisation, customers, not &apos;Größe: 100%, alle &lt;b&gt; &amp; &quot;x&quot; &apos; [invalid-value]
	</failure>
	    </testcase>
	  </testsuite>
	</testsuites>
	EOF
	test_cmp expect junit.out
'

test_expect_success 'junit: parses with xml.etree and holds the text findings in order' '
	junit_as_text <junit.out >junit.text &&
	test_cmp text.out junit.text
'

test_expect_success 'junit: warnings fail under --strict, as the exit status does' '
	chg_lint_status 1 -C r --range base..HEAD --scope all --format junit --strict &&
	grep "<testsuites name=\"chg-lint\" tests=\"5\" failures=\"3\"" actual &&
	grep "<failure message=\"a test plan is recommended\" type=\"warning\">" actual &&
	junit_as_text <actual >junit.text &&
	test_cmp text.out junit.text
'

test_expect_success 'a clean repository: exit 0, passing cases, no results' '
	chg_repo clean &&
	for id in CHG-0001 CHG-0002
	do
		chg_normal_cr $id >clean/changes/$id.yaml || return 1
	done &&
	(cd clean && chg_commit "Jane Doe" jane@example.com "Set up") &&
	chg_lint_status 0 -C clean --format junit &&
	test_must_be_empty stderr &&
	cat >expect <<-\EOF &&
	<?xml version="1.0" encoding="UTF-8"?>
	<testsuites name="chg-lint" tests="2" failures="0" errors="0" time="0">
	  <testsuite name="changes/CHG-0001.yaml" tests="1" failures="0" errors="0" skipped="0" time="0">
	    <testcase classname="changes.CHG-0001" name="chg-lint" time="0"/>
	  </testsuite>
	  <testsuite name="changes/CHG-0002.yaml" tests="1" failures="0" errors="0" skipped="0" time="0">
	    <testcase classname="changes.CHG-0002" name="chg-lint" time="0"/>
	  </testsuite>
	</testsuites>
	EOF
	test_cmp expect actual &&
	chg_lint_status 0 -C clean --format sarif &&
	test_must_be_empty stderr &&
	sarif_valid actual &&
	grep "^      \"results\": \[\],\$" actual
'

test_expect_success 'PATH arguments: the report covers the files named' '
	chg_lint_status 0 -C clean --format junit changes/CHG-0002.yaml &&
	grep "<testsuite " actual >suites &&
	cat >expect <<-\EOF &&
	  <testsuite name="changes/CHG-0002.yaml" tests="1" failures="0" errors="0" skipped="0" time="0">
	EOF
	test_cmp expect suites
'

test_expect_success 'unknown formats are usage errors' '
	test_expect_code 2 chg-lint -C clean --format xml 2>err &&
	echo "chg-lint: unknown format ${SQ}xml${SQ} (expected text, json, github, sarif, junit, tap, gitlab or checkstyle)" >expect &&
	test_cmp expect err
'

test_done
