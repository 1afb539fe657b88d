# bash completion for chg and chg-lint.
#
# Installed by 'make install' as
# $(DATADIR)/bash-completion/completions/chg; bash-completion loads it the
# first time chg is completed.  To use it by hand: . chg.bash
#
# Completes the commands, the options of each, the values of the options
# that take a fixed set, and change request ids: the names of the files
# under changes/ (*.yaml, *.yml) of the repository chg runs in (and trust,
# the trust change, for digest, approve and reject).

_chg_commands='init new lint digest check-message policy log approve reject report show audit gate calendar help'

# _chg_options COMMAND: the options of COMMAND.
_chg_options ()
{
	case $1 in
	lint|chg-lint)
		echo "-C --rev --staged --policy --now --strict --format --explain
		      --range --exclude-refs --trust-root --help --version" ;;
	init) echo "--client --approver --key --cab --manager --no-hooks
		    --hooks-path -i --help" ;;
	new) echo "--client --title --system --help" ;;
	digest) echo "--rev --help" ;;
	check-message) echo "--help" ;;
	policy) echo "--rev --policy --format --help" ;;
	log) echo "--since --until --client --type --rev --format --policy --now
		   --color --help" ;;
	approve|reject) echo "-m --message --no-sign --trust --force --help" ;;
	report) echo "--month --client --rev --format -o --output
		      --emergency-threshold --policy --now --include-drafts --help" ;;
	show) echo "--rev --format --now --help" ;;
	audit) echo "--verify --rev --since --format --now --trust-root --help" ;;
	gate) echo "--rev --at --now --wait --interval --timeout --format --help" ;;
	calendar) echo "--from --to --client --format --suggest --rev -o --output
			--policy --now --help" ;;
	esac
}

# _chg_ids DIR: the change request ids of the repository at DIR.
_chg_ids ()
{
	local top f
	top=$(git -C "${1:-.}" rev-parse --show-toplevel 2>/dev/null) ||
		top=${1:-.}
	[ -d "$top/changes" ] || return 0
	find "$top/changes" -type f \( -name '*.yaml' -o -name '*.yml' \) \
		2>/dev/null |
	while IFS= read -r f; do
		f=${f##*/}
		echo "${f%.*}"
	done
}

# _chg_values COMMAND OPTION: the values OPTION takes, if a fixed set.
_chg_values ()
{
	case $2 in
	--format)
		case $1 in
		log) echo "text jsonl csv" ;;
		report) echo "md html csv" ;;
		gate) echo "text json github" ;;
		calendar) echo "text ics" ;;
		chg-lint|lint)
			echo "text json github sarif junit tap gitlab checkstyle" ;;
		*) echo "text json" ;;
		esac ;;
	--color) echo "auto always never" ;;
	--type) echo "standard normal emergency" ;;
	esac
}

# _chg_takes_value OPTION: whether OPTION takes the next word as its value.
_chg_takes_value ()
{
	case $1 in
	-C|--rev|--policy|--now|--format|--explain|--range|--exclude-refs|\
	--trust-root|--since|--until|--client|--type|--color|--month|-o|\
	--output|--emergency-threshold|-m|--message|--approver|--key|--cab|\
	--manager|--hooks-path|--title|--system|--at|--interval|--timeout|\
	--from|--to|--suggest)
		return 0 ;;
	esac
	return 1
}

_chg ()
{
	local cur prev cmd dir=. i word words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
	# --color=WHEN: bash splits the word at '='
	if [ "$cur" = = ] && [ "$COMP_CWORD" -gt 0 ]; then
		prev=${COMP_WORDS[COMP_CWORD-1]}
		cur=
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD-2]}
	fi
	COMPREPLY=()

	# the command: the first word that is not an option or its value
	if [ "${COMP_WORDS[0]##*/}" = chg-lint ]; then
		cmd=chg-lint
		i=1
	else
		cmd=
		i=1
		while [ "$i" -lt "$COMP_CWORD" ]; do
			word=${COMP_WORDS[i]}
			if [ "$word" = -C ]; then
				dir=${COMP_WORDS[i+1]}
				i=$((i + 2))
				continue
			fi
			case $word in
			-*) ;;
			*) cmd=$word; break ;;
			esac
			i=$((i + 1))
		done
	fi
	# -C DIR of the command (chg-lint -C, chg lint -C)
	while [ "$i" -lt "$COMP_CWORD" ]; do
		if [ "${COMP_WORDS[i]}" = -C ]; then
			dir=${COMP_WORDS[i+1]}
		fi
		i=$((i + 1))
	done

	if [ -z "$cmd" ]; then
		case $prev in
		-C) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
		esac
		case $cur in
		-*) words="-C --help --version" ;;
		*) words=$_chg_commands ;;
		esac
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi

	if _chg_takes_value "$prev"; then
		case $prev in
		-C) COMPREPLY=($(compgen -d -- "$cur")) ;;
		--policy|-o|--output|--key) COMPREPLY=($(compgen -f -- "$cur")) ;;
		--hooks-path) COMPREPLY=($(compgen -d -- "$cur")) ;;
		--suggest) COMPREPLY=($(compgen -W "$(_chg_ids "$dir")" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$(_chg_values "$cmd" "$prev")" -- "$cur")) ;;
		esac
		return 0
	fi
	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_chg_options "$cmd")" -- "$cur"))
		return 0 ;;
	esac
	case $cmd in
	show|log|gate)
		COMPREPLY=($(compgen -W "$(_chg_ids "$dir")" -- "$cur")) ;;
	approve|reject|digest)
		# trust: the trust change
		COMPREPLY=($(compgen -W "$(_chg_ids "$dir") trust" -- "$cur")) ;;
	help)
		COMPREPLY=($(compgen -W "$_chg_commands" -- "$cur")) ;;
	new)
		COMPREPLY=($(compgen -W "standard normal emergency" -- "$cur")) ;;
	policy)
		COMPREPLY=($(compgen -W "show check" -- "$cur")) ;;
	lint|chg-lint|check-message)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}

complete -F _chg chg
complete -F _chg chg-lint
