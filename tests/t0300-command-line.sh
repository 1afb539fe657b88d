#!/bin/sh

test_description='the command line: --version, help, --color and the shell completion'

. "$(dirname "$0")"/lib-chg.sh

ESC=$(printf "\033")

# on_tty FILE COMMAND: runs COMMAND (one shell word) with its standard
# output on a terminal, which script(1) makes; what it printed goes to
# FILE.
on_tty () {
	script -qec "$2" /dev/null >"$1" </dev/null
}

# complete_chg WORD...: what the bash completion offers for the last WORD
# of the command line WORD..., one a line.
complete_chg () {
	bash -c '. "$CHG_SRC_DIR/contrib/completion/chg.bash" &&
		COMP_WORDS=("$@") &&
		COMP_CWORD=$(($# - 1)) &&
		_chg &&
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}

# versions PROGRAM: the lines --version must print, the libraries' as
# patterns (their versions are what is installed).
versions () {
	cat <<-EOF
	^$1 [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\$
	^libgit2 [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\$
	^libyaml [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\$
	^PCRE2 [0-9][0-9]*\.[0-9][0-9]*
	^jansson [0-9][0-9]*\.[0-9][0-9]*
	^OpenSSL [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*
	EOF
}

# matches PATTERNS FILE: line N of FILE matches line N of PATTERNS, and
# they have as many lines.
matches () {
	test "$(wc -l <"$1")" -eq "$(wc -l <"$2")" &&
	n=0 &&
	while read -r re; do
		n=$((n + 1)) &&
		sed -n "${n}p" "$2" | grep -q "$re" || {
			echo "line $n of $2 does not match '$re':" >&2
			cat "$2" >&2
			return 1
		}
	done <"$1"
}

test_expect_success 'chg --version: chg, then the libraries it runs with' '
	chg --version >out &&
	versions chg >expect &&
	matches expect out &&
	grep -q "^libyaml $(pkg-config --modversion yaml-0.1)\$" out &&
	grep -q "^jansson $(pkg-config --modversion jansson)\$" out &&
	grep -q "^PCRE2 $(pkg-config --modversion libpcre2-8) " out
'

test_expect_success 'chg-lint --version, and chg lint --version' '
	chg-lint --version >out &&
	versions chg-lint >expect &&
	matches expect out &&
	chg lint --version >out &&
	versions chg >expect &&
	matches expect out
'

test_expect_success 'the version is the same in both' '
	chg --version | sed -n "1s/^chg //p" >chg.v &&
	chg-lint --version | sed -n "1s/^chg-lint //p" >lint.v &&
	test -s chg.v &&
	test_cmp chg.v lint.v
'

test_expect_success 'chg help lists every command with a summary' '
	chg help >out &&
	for c in lint digest check-message policy log approve reject report \
		 show audit help; do
		grep -q "^  $c  *[a-z]" out || {
			echo "no $c in:" >&2 && cat out >&2 && return 1
		}
	done &&
	chg --help >help &&
	test_cmp help out
'

test_expect_success 'chg help COMMAND prints what chg COMMAND --help does' '
	for c in lint digest check-message policy log approve reject report \
		 show audit; do
		chg help $c >out &&
		chg $c --help >expect &&
		test_cmp expect out &&
		grep -q "^usage: chg $c" out || return 1
	done
'

test_expect_success 'chg help of an unknown command is a usage error' '
	test_expect_code 2 chg help nosuch >out 2>err &&
	test_must_be_empty out &&
	grep "nosuch" err &&
	test_expect_code 2 chg help log show 2>err &&
	grep "usage: chg help" err
'

test_expect_success 'a repository whose history chg log colours' '
	chg_repo r &&
	chg_normal_cr CHG-0001 >r/changes/CHG-0001.yaml &&
	mkdir r/changes/2026 &&
	chg_normal_cr CHG-0002 >r/changes/2026/CHG-0002.yaml &&
	git -C r add . &&
	git -C r commit -q -m "Request CHG-0001 and CHG-0002"
'

test_expect_success 'chg log --color=always colours even into a file' '
	chg -C r log --color=always CHG-0001 >out &&
	grep -q "$ESC\[" out &&
	chg -C r log --color always CHG-0001 >out2 &&
	test_cmp out out2
'

test_expect_success 'chg log --color=never does not, on a terminal either' '
	chg -C r log --color=never CHG-0001 >plain &&
	! grep -q "$ESC" plain &&
	on_tty out "chg -C r log --color=never CHG-0001" &&
	grep -q CHG-0001 out &&
	! grep -q "$ESC\[" out
'

test_expect_success 'chg log --color=auto: on a terminal only, and not with NO_COLOR' '
	chg -C r log --color=auto CHG-0001 >out &&
	! grep -q "$ESC" out &&
	on_tty tty "chg -C r log --color=auto CHG-0001" &&
	grep -q "$ESC\[" tty &&
	on_tty tty "NO_COLOR=1 chg -C r log --color=auto CHG-0001" &&
	grep -q CHG-0001 tty &&
	! grep -q "$ESC\[" tty &&
	on_tty tty "NO_COLOR= chg -C r log --color=auto CHG-0001" &&
	grep -q "$ESC\[" tty &&
	NO_COLOR=1 chg -C r log --color=always CHG-0001 >out &&
	grep -q "$ESC\[" out
'

test_expect_success 'only the text output has colours' '
	chg -C r log --color=always --format jsonl CHG-0001 >out &&
	! grep -q "$ESC" out &&
	chg -C r log --color=always --format csv CHG-0001 >out &&
	! grep -q "$ESC" out
'

test_expect_success 'an invalid --color value is a usage error' '
	test_expect_code 2 chg -C r log --color=sometimes >out 2>err &&
	test_must_be_empty out &&
	grep "sometimes" err &&
	test_expect_code 2 chg -C r log --color 2>err &&
	grep "needs a value" err
'

test_expect_success 'the bash completion loads and completes chg and chg-lint' '
	bash -c ". \"\$CHG_SRC_DIR/contrib/completion/chg.bash\" &&
		complete -p chg && complete -p chg-lint" >out &&
	grep -q "_chg chg\$" out &&
	grep -q "_chg chg-lint\$" out
'

test_expect_success 'it completes commands: chg sh<TAB> is show' '
	complete_chg chg sh >out &&
	echo show >expect &&
	test_cmp expect out &&
	complete_chg chg -C r re >out &&
	printf "%s\n" reject report >expect &&
	test_cmp expect out &&
	complete_chg chg help ch >out &&
	echo check-message >expect &&
	test_cmp expect out &&
	complete_chg chg ne >out &&
	echo new >expect &&
	test_cmp expect out &&
	complete_chg chg new "" >out &&
	printf "%s\n" standard normal emergency >expect &&
	test_cmp expect out &&
	complete_chg chg init --no >out &&
	echo --no-hooks >expect &&
	test_cmp expect out
'

test_expect_success 'it completes the options of a command and their values' '
	complete_chg chg log --co >out &&
	echo --color >expect &&
	test_cmp expect out &&
	complete_chg chg log --color "" >out &&
	printf "%s\n" auto always never >expect &&
	test_cmp expect out &&
	complete_chg chg show --format "" >out &&
	printf "%s\n" text json >expect &&
	test_cmp expect out &&
	complete_chg chg-lint --st >out &&
	printf "%s\n" --staged --strict >expect &&
	test_cmp expect out
'

test_expect_success 'it completes change request ids from the file names' '
	printf "%s\n" CHG-0001 CHG-0002 >expect &&
	for c in show approve reject log digest; do
		complete_chg chg -C r $c CHG >out &&
		sort out >sorted &&
		test_cmp expect sorted || return 1
	done &&
	(cd r && complete_chg chg show "") >out &&
	sort out >sorted &&
	test_cmp expect sorted &&
	(cd r/changes/2026 && complete_chg chg show CHG-0002) >out &&
	echo CHG-0002 >expect &&
	test_cmp expect out
'

test_done
