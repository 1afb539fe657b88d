#!/bin/sh

test_description='chg-lint: hostile input (policy nodes of the wrong kind, alias text bombs, NUL escapes, tags, links and submodules) is refused with a diagnostic, never a crash, a hang or a silent accept'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
CR=repo/changes/CHG-0001.yaml
NOW=--now=$CHG_TEST_NOW

# lints WANT ARGS...: chg-lint with a time limit; its output in 'actual'.
# A crash (signal) or a sanitizer report (99) is never the status wanted.
lints () {
	_want=$1
	shift
	timeout 120 chg-lint "$NOW" "$@" >actual 2>stderr
	_got=$?
	if test "$_got" != "$_want"; then
		echo "chg-lint exited $_got, expected $_want" >&2
		cat actual stderr >&2
		return 1
	fi
}

test_expect_success 'setup' '
	chg_repo repo &&
	cp repo/.chg/policy.yaml base-policy.yaml &&
	chg_normal_cr CHG-0001 >$CR &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up") &&
	lints 0 -C repo &&
	test_must_be_empty actual
'

# ---- policy nodes of the wrong kind ----

# Each line places V where the policy reads a node; every value of VALUES
# replaces V in turn.  A policy that is not well formed must be reported as
# invalid-policy, at a position in .chg/policy.yaml, with exit status 3.
cat >locations <<\EOF_LOC
version: V
extends: V
changes: V
changes: {paths: V}
changes: {id-field: V}
changes: {id-pattern: V}
changes: {filename-matches-id: V}
changes: {unknown-fields: V}
lifecycle: V
lifecycle: {field: V}
lifecycle: {states: V}
lifecycle: {approved: V}
lifecycle: {implemented: V}
lifecycle: {transitions: V}
lifecycle: {transitions: {requested: V}}
clients: V
fields: V
fields: {title: V}
fields: {title: {type: V}}
fields: {title: {values: V}}
fields: {title: {pattern: V}}
fields: {title: {min: V}}
fields: {title: {max: V}}
fields: {title: {min-items: V}}
fields: {title: {max-length: V}}
fields: {title: {items: V}}
fields: {title: {fields: V}}
fields: {title: {required: V}}
fields: {title: {required: {when: V}}}
fields: {systems: {items: V}}
fields: {impact: {fields: V}}
fields: {impact: {fields: {users: V}}}
rules: V
rules: [V]
rules: [{id: V, require: [title]}]
rules: [{id: r, when: V, require: [title]}]
rules: [{id: r, require: V}]
rules: [{id: r, forbid: V}]
rules: [{id: r, require: {title: V}}]
rules: [{id: r, require: [title], severity: V}]
rules: [{id: r, require: [title], message: V}]
rules: [{id: r, when: {type: V}, require: [title]}]
rules: [{id: r, when: {any: V}, require: [title]}]
rules: [{id: r, when: {all: [V]}, require: [title]}]
rules: [{id: r, when: {not: V}, require: [title]}]
rules: [{id: r, when: {title: {matches: V}}, require: [title]}]
rules: [{id: r, when: {title: {present: V}}, require: [title]}]
rules: [{id: r, when: {impact.users: {min: V}}, require: [title]}]
rules: [{id: r, when: {impact.users: {max-items: V}}, require: [title]}]
rules: [{id: r, when: {window.start: {before: V}}, require: [title]}]
risk: V
risk: {questions: V}
risk: {levels: V}
risk: {levels: {low: V}}
risk: {conditions: V}
risk: {conditions: [V]}
risk: {conditions: [{when: V, at-least: high}]}
risk: {conditions: [{when: {type: normal}, at-least: V}]}
approvals: V
approvals: {require-signature: V}
approvals: {require-signed-edits: V}
approvals: {separation-of-duties: V}
approvals: {groups: V}
approvals: {groups: {cab: V}}
approvals: {rules: V}
approvals: {rules: [V]}
approvals: {rules: [{required: V}]}
approvals: {rules: [{required: 1, from: V}]}
approvals: {rules: [{required: 1, when: V}]}
approvals: {trust: V}
approvals: {trust: {required: V}}
approvals: {trust: {required: 1, from: V}}
approvals: {not-covered: V}
schedule: V
schedule: {review-within: V}
schedule: {review-within: {normal: V}}
waivers: V
waivers: {not-waivable: V}
EOF_LOC

# a scalar, a list of lists, a map, null, an empty list, an empty map, a
# list of maps, an empty string, a list holding null
VALUES='x|[[a]]|{a: b}|~|[]|{}|[{a: b}]|""|[~]'

# The combinations that make a well-formed policy: data of the right kind
# (an empty list or map where one is allowed, a string where a string is
# read).  Every other combination must be invalid-policy.
cat >well-formed <<\EOF_OK
changes: {}
changes: {id-field: x}
changes: {id-pattern: x}
changes: {id-pattern: ""}
lifecycle: {}
lifecycle: {field: x}
lifecycle: {approved: []}
lifecycle: {implemented: []}
lifecycle: {transitions: {}}
lifecycle: {transitions: {requested: []}}
clients: []
fields: {}
fields: {title: {}}
fields: {title: {pattern: x}}
fields: {title: {pattern: ""}}
fields: {title: {required: {when: {a: b}}}}
fields: {title: {required: {when: {}}}}
fields: {systems: {items: {}}}
fields: {impact: {fields: {}}}
fields: {impact: {fields: {users: {}}}}
rules: []
rules: [{id: x, require: [title]}]
rules: [{id: r, when: {a: b}, require: [title]}]
rules: [{id: r, when: {}, require: [title]}]
rules: [{id: r, require: {a: b}}]
rules: [{id: r, require: []}]
rules: [{id: r, require: {}}]
rules: [{id: r, forbid: {a: b}}]
rules: [{id: r, forbid: []}]
rules: [{id: r, forbid: {}}]
rules: [{id: r, require: {title: x}}]
rules: [{id: r, require: {title: ~}}]
rules: [{id: r, require: {title: []}}]
rules: [{id: r, require: {title: ""}}]
rules: [{id: r, require: {title: [~]}}]
rules: [{id: r, require: [title], message: x}]
rules: [{id: r, when: {type: x}, require: [title]}]
rules: [{id: r, when: {type: ~}, require: [title]}]
rules: [{id: r, when: {type: []}, require: [title]}]
rules: [{id: r, when: {type: ""}, require: [title]}]
rules: [{id: r, when: {type: [~]}, require: [title]}]
rules: [{id: r, when: {any: []}, require: [title]}]
rules: [{id: r, when: {any: [{a: b}]}, require: [title]}]
rules: [{id: r, when: {all: [{a: b}]}, require: [title]}]
rules: [{id: r, when: {all: [{}]}, require: [title]}]
rules: [{id: r, when: {not: {a: b}}, require: [title]}]
rules: [{id: r, when: {not: {}}, require: [title]}]
rules: [{id: r, when: {title: {matches: x}}, require: [title]}]
rules: [{id: r, when: {title: {matches: ""}}, require: [title]}]
risk: {}
risk: {questions: []}
risk: {levels: {}}
risk: {conditions: []}
risk: {conditions: [{when: {a: b}, at-least: high}]}
risk: {conditions: [{when: {}, at-least: high}]}
approvals: {}
approvals: {groups: {}}
approvals: {groups: {cab: []}}
approvals: {rules: []}
approvals: {rules: [{required: 1, from: []}]}
approvals: {rules: [{required: 1, when: {a: b}}]}
approvals: {rules: [{required: 1, when: {}}]}
approvals: {trust: {}}
approvals: {trust: {required: 1, from: []}}
approvals: {not-covered: []}
schedule: {}
schedule: {review-within: {}}
waivers: {}
EOF_OK

# policy_with LINE: the repository policy with LINE added (LINE replaces
# the version or extends line when it sets one).
policy_with () {
	case "$1" in
	version:*) printf "%s\nextends: default\n" "$1" ;;
	extends:*) printf "version: 1\n%s\n" "$1" ;;
	*) printf "version: 1\nextends: default\n%s\n" "$1" ;;
	esac
	case "$1" in
	approvals:*) ;;
	*) printf "approvals:\n  require-signature: false\n" ;;
	esac
}

test_expect_success 'every policy node of the wrong kind is invalid-policy with a position, exit 3' '
	test_when_finished "cp base-policy.yaml repo/.chg/policy.yaml" &&
	: >failures &&
	cases=0 &&
	while IFS= read -r loc
	do
		IFS="|" &&
		for v in $VALUES
		do
			IFS=" " &&
			line=$(printf "%s\n" "$loc" | sed "s/V/$v/") &&
			policy_with "$line" >repo/.chg/policy.yaml &&
			cases=$((cases + 1)) &&
			{ timeout 60 chg-lint "$NOW" -C repo >out 2>err; rc=$?; } &&
			if grep -qxF "$line" well-formed
			then
				case $rc in
				0|1) ! grep -q "invalid-policy" out ||
					echo "well-formed, but invalid-policy: $line" >>failures ;;
				*) echo "well-formed, but exit $rc: $line" >>failures ;;
				esac
			elif test $rc != 3
			then
				echo "exit $rc, not 3: $line" >>failures
			elif ! grep -q "^\.chg/policy\.yaml:[1-9][0-9]*:[1-9][0-9]*: error: .* \[invalid-policy\]$" out
			then
				echo "no positioned invalid-policy: $line" >>failures &&
				cat out >>failures
			fi
		done
		IFS=" "
	done <locations &&
	test $cases = 702 &&
	test_must_be_empty failures
'

test_expect_success 'a transition to a list is invalid-policy, not a crash' '
	test_when_finished "cp base-policy.yaml repo/.chg/policy.yaml" &&
	policy_with "lifecycle: {transitions: {requested: [[approved]]}}" >repo/.chg/policy.yaml &&
	lints 3 -C repo &&
	cat >expect <<-\EOF &&
	.chg/policy.yaml:3:39: error: lifecycle.transitions.requested may hold only strings [invalid-policy]
	EOF
	test_cmp expect actual
'

test_expect_success 'a catalog entry of the wrong kind is invalid-policy, exit 3' '
	test_when_finished "rm -rf repo/.chg/catalog" &&
	mkdir -p repo/.chg/catalog &&
	: >failures &&
	for c in "constraints: x" "constraints: [[a]]" "constraints: {type: [[a]]}" \
		 "constraints: {any: x}" "constraints: {not: [a]}" \
		 "constraints: {title: {matches: [a]}}" "constraints: {\"\": x}"
	do
		printf "title: Reset\n%s\n" "$c" >repo/.chg/catalog/reset.yaml &&
		{ timeout 60 chg-lint "$NOW" -C repo >out 2>err; rc=$?; } &&
		if test $rc != 3 ||
		   ! grep -q "^\.chg/catalog/reset\.yaml:2:[1-9][0-9]*: error: .* \[invalid-policy\]$" out
		then
			echo "exit $rc: $c" >>failures && cat out >>failures
		fi
	done &&
	test_must_be_empty failures
'

# ---- alias text bombs ----

# big_alias_cr: a valid change request whose description anchors a 64 KiB
# scalar that a list of notes repeats 20,000 times (126 KB on disk, 1.3 GB
# expanded).
big_alias_cr () {
	chg_normal_cr CHG-0001 |
	sed "s/^description: |/description: \&big |/" |
	perl -pe "if (/^description: &big/) { \$_ .= q(  ) . (q(x) x 65535) . qq(\n) }" &&
	echo "notes:" &&
	perl -e "print qq(  - *big\n) x 20000"
}

test_expect_success 'an alias text bomb is refused at the alias that goes over 4 MiB' '
	big_alias_cr >$CR &&
	test $(wc -c <$CR) -gt 120000 &&
	test $(wc -c <$CR) -lt 1048576 &&
	lints 1 -C repo &&
	test $(wc -l <actual) = 1 &&
	grep "^changes/CHG-0001\.yaml:[1-9][0-9]*:5: error: expanding alias ${SQ}\*big${SQ} goes over the limit of 4194304 bytes of text (an alias bomb?): use fewer aliases \[yaml-syntax\]$" actual
'

# The history is read to find approvals of an approved change request:
# every version of its file is loaded.  Without the text budget the bomb
# commit alone takes 13 s and 2.5 GB there; with it, a few milliseconds,
# so 10 s is no timing test but a bound no correct build comes near.
test_expect_success 'an alias text bomb only in history does not hold up the lint' '
	chg_repo hist &&
	cp $CR hist/changes/CHG-0001.yaml &&
	(cd hist && chg_commit "Jane Doe" jane@example.com "The bomb") &&
	chg_normal_cr CHG-0001 approved >hist/changes/CHG-0001.yaml &&
	(cd hist && chg_commit "Jane Doe" jane@example.com "Defused") &&
	{ timeout 10 chg-lint "$NOW" -C hist >actual 2>stderr; rc=$?; } &&
	test $rc = 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:4:8: error: CHG-0001 is approved but 0 of the 1 required approval counted (from managers or cab) [missing-approval]
	EOF
	test_cmp expect actual &&
	lints 1 -C hist --rev HEAD~1 &&
	grep "goes over the limit of 4194304 bytes of text" actual
'

# ---- NUL escapes and tags ----

test_expect_success 'a key with a NUL escape is no known field' '
	chg_normal_cr CHG-0001 |
	sed -e "s/^  assessment: {/  assessment: {\"security\\\\0\": 5, /" \
	    -e "s/^reason: |/\"reason\\\\0\": |/" >$CR &&
	lints 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:1:1: error: reason is required for normal changes [required-field]
	changes/CHG-0001.yaml:7:1: error: key ${SQ}reason\x00${SQ} contains a NUL character; remove the \0 escape [invalid-value]
	changes/CHG-0001.yaml:15:16: error: key ${SQ}risk.assessment.security\x00${SQ} contains a NUL character; remove the \0 escape [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success 'a NUL escape in a nested value is refused where it is written' '
	chg_normal_cr CHG-0001 | sed "s/^systems: \[lb-01, lb-02\]/systems: [lb-01, \"lb-02\\\\0x\"]/" >$CR &&
	lints 1 -C repo &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:11:18: error: systems[1] contains a NUL character; remove the \0 escape [invalid-value]
	EOF
	test_cmp expect actual
'

test_expect_success '!!str true is a string, not the bool a tested rollback needs' '
	chg_normal_cr CHG-0001 | sed "s/level: medium/level: high/" >$CR &&
	echo "rollback-tested: !!str true" >>$CR &&
	lints 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:18: error: rollback-tested must be true or false, not the string "true": a quoted true or false is a string; remove the quotes (or the !!str tag) [invalid-type]
	EOF
	test_cmp expect actual &&
	chg_normal_cr CHG-0001 | sed "s/level: medium/level: high/" >$CR &&
	echo "rollback-tested: !!bool true" >>$CR &&
	lints 0 -C repo &&
	test_must_be_empty actual
'

test_expect_success 'an unknown tag is refused, not read past' '
	chg_normal_cr CHG-0001 | sed "s/^type: normal/type: !local normal/" >$CR &&
	lints 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:3:7: error: unsupported tag ${SQ}!local${SQ} on a scalar: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag [yaml-syntax]
	EOF
	test_cmp expect actual
'

# Found by fuzzing: a value quoted in a message was cut at byte 60, inside
# a UTF-8 character, and the JSON output then vanished.
test_expect_success 'a long value is quoted whole characters at a time, and JSON output stays' '
	long=$(printf "%058d" 0 | tr 0 a)€ &&
	chg_normal_cr CHG-0001 |
	sed "s/^  assessment: {users-affected: 2,/  assessment: {users-affected: \"$long\",/" >$CR &&
	lints 1 -C repo &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:15:32: error: risk.assessment.users-affected must be an integer, not ${SQ}$(printf "%058d" 0 | tr 0 a)...${SQ} [invalid-type]
	EOF
	test_cmp expect actual &&
	lints 1 -C repo --format json &&
	perl -MJSON::PP -e "
		local \$/; my \$d = JSON::PP->new->utf8->decode(<STDIN>);
		print \$d->{diagnostics}[0]{rule}, qq(\n);
	" <actual >rule &&
	echo invalid-type >expect &&
	test_cmp expect rule
'

# ---- links and submodules ----

test_expect_success 'setup: a change request committed as a symbolic link' '
	chg_repo links &&
	chg_normal_cr CHG-0001 >links/changes/real.yaml.txt &&
	ln -s real.yaml.txt links/changes/CHG-0001.yaml &&
	(cd links && chg_commit "Jane Doe" jane@example.com "A link")
'

for how in "" "--staged --scope all" "--rev HEAD"
do
	test_expect_success "a change request that is a symbolic link is refused (${how:-working tree})" "
		lints 1 -C links $how &&
		echo \"changes/CHG-0001.yaml:1:1: error: changes/CHG-0001.yaml is a symbolic link, not a file: commit it as a regular file [invalid-value]\" >expect &&
		test_cmp expect actual
	"
done

test_expect_success 'a policy that is a symbolic link is refused' '
	chg_repo plink &&
	mv plink/.chg/policy.yaml plink/policy.txt &&
	ln -s ../policy.txt plink/.chg/policy.yaml &&
	(cd plink && chg_commit "Jane Doe" jane@example.com "A linked policy") &&
	lints 3 -C plink --rev HEAD &&
	grep -x "chg-lint: cannot read ${SQ}.chg/policy.yaml${SQ}" stderr &&
	lints 3 -C plink --staged &&
	grep -x "chg-lint: cannot read ${SQ}.chg/policy.yaml${SQ}" stderr
'

test_expect_success 'a catalog entry that is a symbolic link is refused' '
	chg_repo clink &&
	mkdir clink/.chg/catalog &&
	printf "title: Reset\n" >clink/reset.txt &&
	ln -s ../../reset.txt clink/.chg/catalog/reset.yaml &&
	(cd clink && chg_commit "Jane Doe" jane@example.com "A linked entry") &&
	for how in "" --staged "--rev HEAD"
	do
		lints 3 -C clink $how &&
		echo ".chg/catalog/reset.yaml:1:1: error: .chg/catalog/reset.yaml is a symbolic link, not a file: commit it as a regular file [invalid-value]" >expect &&
		test_cmp expect actual ||
		return 1
	done
'

test_expect_success 'a submodule where a change request belongs is refused' '
	chg_repo sub &&
	chg_normal_cr CHG-0001 >sub/changes/CHG-0001.yaml &&
	(cd sub && chg_commit "Jane Doe" jane@example.com "One" &&
	 git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),changes/CHG-0002.yaml &&
	 git commit -q -m "A submodule") &&
	echo "changes/CHG-0002.yaml:1:1: error: changes/CHG-0002.yaml is a submodule or directory, not a file: commit it as a regular file [invalid-value]" >expect &&
	lints 1 -C sub --rev HEAD &&
	test_cmp expect actual &&
	lints 1 -C sub --staged --scope all &&
	test_cmp expect actual
'

test_expect_success 'a commit dated past what 64 bits hold stops the run, naming it' '
	chg_repo huge &&
	chg_normal_cr CHG-0001 >huge/changes/CHG-0001.yaml &&
	(cd huge && chg_commit "Jane Doe" jane@example.com "Request CHG-0001") &&
	sed "s/^title: .*/title: Rotate it/" huge/changes/CHG-0001.yaml >huge.yaml &&
	mv huge.yaml huge/changes/CHG-0001.yaml &&
	git -C huge add -A &&
	tree=$(git -C huge write-tree) &&
	parent=$(git -C huge rev-parse HEAD) &&
	{
		echo "tree $tree" &&
		echo "parent $parent" &&
		echo "author Jane Doe <jane@example.com> 1793610000 +0000" &&
		echo "committer Jane Doe <jane@example.com> 99999999999999999999999999 +0000" &&
		echo &&
		echo "Far in the future"
	} >huge.raw &&
	git -C huge update-ref refs/heads/main \
		"$(git -C huge hash-object -t commit -w --literally --stdin <huge.raw)" &&
	bad=$(git -C huge rev-parse --short=7 HEAD) &&
	test_expect_code 3 chg -C huge log >huge.log 2>huge.err &&
	grep "cannot walk the history: commit $bad: .*timestamp" huge.err &&
	lints 3 -C huge &&
	grep "cannot walk the history: commit $bad: .*timestamp" stderr
'

test_done
