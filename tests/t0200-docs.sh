#!/bin/sh

test_description='the documentation shows the built-in policy as it is compiled in'

. "$(dirname "$0")"/lib-chg.sh

test_expect_success 'chg-policy(5) lists templates/policy.yaml verbatim' '
	awk "/^The built-in policy, compiled into/ { want = 1 }
	     want && /^\.Bd -literal/ { inside = 1; next }
	     inside && /^\.Ed/ { exit }
	     inside { print }" "$CHG_SRC_DIR/doc/chg-policy.5" |
	sed -e "s/\\\\e/\\\\/g" -e "s/^\\\\&//" >actual &&
	test_cmp "$CHG_SRC_DIR/templates/policy.yaml" actual
'

test_done
