#!/bin/sh

test_description='chg-lint: the YAML loader (syntax, encoding, duplicate keys, size, hostile input)'

. "$(dirname "$0")"/lib-chg.sh

SQ="'"
CR=repo/changes/CHG-0001.yaml

# lints: runs chg-lint on the scratch repository with a time limit: the
# loader must neither hang nor crash on what it is given.
lints () {
	_want=$1
	shift
	timeout 60 chg-lint --now "$CHG_TEST_NOW" -C repo "$@" >actual 2>stderr
	_got=$?
	if test "$_got" != "$_want"; then
		echo "chg-lint exited $_got, expected $_want" >&2
		cat actual stderr >&2
		return 1
	fi
}

test_expect_success 'setup' '
	chg_repo repo &&
	(cd repo && chg_commit "Jane Doe" jane@example.com "Set up")
'

test_expect_success 'a complete change request lints clean' '
	chg_normal_cr CHG-0001 >$CR &&
	lints 0 &&
	test_must_be_empty actual
'

test_expect_success 'an unterminated quoted scalar: libyaml problem, context and position' '
	printf "id: CHG-0001\ntitle: \"Rotate the certificate\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:3:1: error: found unexpected end of stream while scanning a quoted scalar started at line 2, column 8 [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a key indented under a scalar is a syntax error at the colon' '
	printf "id: CHG-0001\ntitle: Rotate\n  type: normal\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:3:7: error: 'type:' is indented under the value of the line above, so YAML reads it as part of that value: indent it like the other keys of its map (or quote that value if the ': ' belongs to it) [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'an unclosed flow sequence names where it started' '
	chg_normal_cr CHG-0001 | sed "s/^systems: \[lb-01, lb-02\]/systems: [lb-01, lb-02/" >$CR &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:12:7: error: did not find expected ${SQ},${SQ} or ${SQ}]${SQ} while parsing a flow sequence started at line 11, column 10 [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'more than one document is an error at the second' '
	chg_normal_cr CHG-0001 >$CR &&
	printf -- "---\nid: CHG-0002\n" >>$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:21:1: error: more than one YAML document: a file must hold exactly one [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'an empty file is an error' '
	: >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: file is empty: expected a YAML mapping [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a file of only comments and markers is empty too' '
	printf "# nothing yet\n---\n...\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: file is empty: expected a YAML mapping [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a null document is an error' '
	printf "~\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: document is null: expected a YAML mapping [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a NUL byte makes the file binary, reported where it is' '
	printf "id: CHG-0001\ntitle: Ro\000tate\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:10: error: file contains a NUL byte: it is binary, not YAML text [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'invalid UTF-8 is reported at the bad byte (columns count bytes)' '
	printf "id: CHG-0001\ntitle: \"caf\303\251 \377\"\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:15: error: invalid UTF-8 (byte 0xff): save the file as UTF-8 [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a Latin-1 file is invalid UTF-8' '
	printf "id: CHG-0001\ntitle: Caf\351 menu\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:11: error: invalid UTF-8 (byte 0xe9): save the file as UTF-8 [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'an overlong UTF-8 encoding is invalid' '
	printf "id: CHG-0001\ntitle: \300\257\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:8: error: invalid UTF-8 (byte 0xc0): save the file as UTF-8 [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'multi-byte characters before a finding count as bytes in the column' '
	o=$(printf "\303\251") &&
	chg_normal_cr CHG-0001 >$CR &&
	echo "communication: {notify: [dr${o}@example.com], notice-sent: 2026-13-01T09:00:00Z}" >>$CR &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:58: error: communication.notice-sent is ${SQ}2026-13-01T09:00:00Z${SQ}, but 2026-13-01 does not exist: there is no month 13 (months go from 01 to 12) [invalid-datetime]
	EOF
	test_cmp expect actual
'

test_expect_success 'a byte order mark is not part of the first line' '
	printf "\357\273\277" >$CR &&
	chg_normal_cr CHG-0001 | sed "s/^id: CHG-0001/id: chg-1/" >>$CR &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:1:5: error: id ${SQ}chg-1${SQ} does not match the pattern ${SQ}^CHG-[0-9]{4,}\$${SQ} [pattern-mismatch]
	changes/CHG-0001.yaml:1:5: error: id chg-1 does not match the file name ${SQ}CHG-0001.yaml${SQ}; change the id to CHG-0001 [id-mismatch]
	EOF
	test_cmp expect actual &&
	printf "\357\273\277" >$CR &&
	chg_normal_cr CHG-0001 >>$CR &&
	lints 0 &&
	test_must_be_empty actual
'

test_expect_success 'a duplicate key is reported at the repeat; the first value is kept' '
	chg_normal_cr CHG-0001 >$CR &&
	printf "type: routine\nimpact: {users: 1, users: 2}\n" >>$CR &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:21:1: error: duplicate key ${SQ}type${SQ} (first defined at line 3) [duplicate-key]
	changes/CHG-0001.yaml:22:1: error: duplicate key ${SQ}impact${SQ} (first defined at line 12) [duplicate-key]
	changes/CHG-0001.yaml:22:20: error: duplicate key ${SQ}users${SQ} (first defined at line 22) [duplicate-key]
	EOF
	test_cmp expect actual
'

test_expect_success 'a duplicate key in a nested block mapping' '
	chg_normal_cr CHG-0001 | sed "/^  level: medium/a\\
\\  level: low" >$CR &&
	sed -n 15p $CR >line15 &&
	echo "  level: low" >expect.line &&
	test_cmp expect.line line15 &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:15:3: error: duplicate key ${SQ}level${SQ} (first defined at line 14) [duplicate-key]
	EOF
	test_cmp expect actual
'

test_expect_success 'a mapping key must be a scalar' '
	printf "id: CHG-0001\n? [a, b]\n: 1\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:2:3: error: a mapping key must be a scalar, not a list [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a document that is a list is invalid-type' '
	printf -- "- id: CHG-0001\n- id: CHG-0002\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: document is a list: expected a YAML mapping (key: value lines) [invalid-type]
	EOF
	test_cmp expect actual
'

test_expect_success 'a document that is a scalar is invalid-type' '
	printf "just some text\n" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: document is a scalar: expected a YAML mapping (key: value lines) [invalid-type]
	EOF
	test_cmp expect actual
'

# pad SIZE: a valid change request padded with comment lines to SIZE bytes.
pad () {
	chg_normal_cr CHG-0001 >$CR &&
	_have=$(wc -c <$CR) &&
	perl -e '
		my $n = $ARGV[0];
		while ($n > 0) {
			my $l = $n > 80 ? 80 : $n;
			$l = $n if $n - $l < 2 && $n <= 160;
			print "#", "x" x ($l - 2), "\n" if $l >= 2;
			print "\n" if $l == 1;
			$n -= $l;
		}' $(($1 - $_have)) >>$CR &&
	test $(wc -c <$CR) = $1
}

test_expect_success 'a file of exactly 1 MiB is accepted' '
	pad 1048576 &&
	lints 0 &&
	test_must_be_empty actual
'

test_expect_success 'a file one byte over 1 MiB is file-too-large' '
	pad 1048577 &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:1: error: file is 1048577 bytes; the limit is 1048576 bytes: a change request is a short YAML file [file-too-large]
	EOF
	test_cmp expect actual
'

test_expect_success 'file-too-large also from a revision and from the index' '
	(cd repo && git add changes && chg_commit "Jane Doe" jane@example.com "Large") &&
	lints 1 --rev HEAD &&
	test_cmp expect actual &&
	lints 1 --staged --scope all &&
	test_cmp expect actual &&
	(cd repo && git rm -q --cached changes/CHG-0001.yaml && git commit -q -m Drop)
'

test_expect_success 'an alias bomb is refused quickly, at the alias that goes over the limit' '
	cat >$CR <<-\EOF &&
	a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
	b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
	c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
	d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
	e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
	f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
	g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
	h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
	i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
	EOF
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:7:8: error: expanding alias ${SQ}*f${SQ} goes over the limit of 1000000 nodes (an alias bomb?): use fewer aliases [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'an alias inside its own anchor is refused' '
	printf "id: CHG-0001\nx: &a {b: [*a]}\n" >$CR &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:2:12: error: alias ${SQ}*a${SQ} refers to a node that contains it [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'an undefined alias is refused' '
	printf "id: CHG-0001\ntitle: *nope\n" >$CR &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:2:8: error: undefined alias ${SQ}*nope${SQ}: define the anchor ${SQ}&nope${SQ} before using it [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'aliases within the limits are expanded' '
	chg_normal_cr CHG-0001 |
	sed -e "s/^systems: \[lb-01, lb-02\]/systems: \&lbs [lb-01, lb-02]/" >$CR &&
	printf "communication: {notify: *lbs}\n" >>$CR &&
	lints 0 &&
	test_must_be_empty actual
'

test_expect_success '100000 nested [ are refused at the depth limit' '
	perl -e "print q(id: ), q([) x 100000, qq(\n)" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:1:68: error: nesting is deeper than 64 levels: flatten the document [yaml-syntax]
	EOF
	test_cmp expect actual &&
	perl -e "print q(id: ), q([) x 100000, q(]) x 100000, qq(\n)" >$CR &&
	lints 1 &&
	test_cmp expect actual
'

test_expect_success 'deep block nesting is refused too' '
	perl -e "for (0..199) { print q( ) x (2 * \$_), qq(k\$_:\n) }" >$CR &&
	lints 1 &&
	cat >expect <<-\EOF &&
	changes/CHG-0001.yaml:65:129: error: nesting is deeper than 64 levels: flatten the document [yaml-syntax]
	EOF
	test_cmp expect actual
'

test_expect_success 'a systems list of 10000 items lints clean' '
	chg_normal_cr CHG-0001 | sed "/^systems:/d" >$CR &&
	echo "systems:" >>$CR &&
	perl -e "printf qq(  - host-%05d\n), \$_ for 1..10000" >>$CR &&
	lints 0 &&
	test_must_be_empty actual
'

test_expect_success 'the 10000th item is checked and reported at its line' '
	chg_normal_cr CHG-0001 | sed "/^systems:/d" >$CR &&
	echo "systems:" >>$CR &&
	perl -e "printf qq(  - host-%05d\n), \$_ for 1..9999" >>$CR &&
	echo "  - host 10000" >>$CR &&
	lints 1 &&
	cat >expect <<-EOF &&
	changes/CHG-0001.yaml:10020:5: error: systems[9999] ${SQ}host 10000${SQ} does not match the pattern ${SQ}^[A-Za-z0-9][A-Za-z0-9._-]*\$${SQ} [pattern-mismatch]
	EOF
	test_cmp expect actual
'

test_done
