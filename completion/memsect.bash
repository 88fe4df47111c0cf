# bash completion for memsect(1).  Commands and their options are asked of
# memsect itself (`memsect --help`, `memsect COMMAND --help`), so they follow
# its command table; file arguments complete as files.
# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/memsect.

_memsect_words()
{
	# $1: the --help text; prints the options (words starting with --) in it
	printf '%s\n' "$1" | grep -o -- '--[a-z][a-z-]*' | sort -u
}

_memsect()
{
	local cur prev cmd w i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	case $prev in
	--debug-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--threads|--jobs|--pid|--timeout|--shard)
		COMPREPLY=()
		return ;;
	--type)
		COMPREPLY=($(compgen -W 'allocated freed' -- "$cur"))
		return ;;
	--output|--from)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--commands)
		COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --help 2>/dev/null |
			sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')" -- "$cur"))
		return ;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --help 2>/dev/null |
				sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p') batch batch-summary" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		local help
		case $cmd in
		batch|batch-summary) help=$("${COMP_WORDS[0]}" --help 2>/dev/null |
					  sed -n "/memsect $cmd/,/^       memsect [a-z-]* *[A-Z(]/p") ;;
		*) help=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null) ;;
		esac
		COMPREPLY=($(compgen -W "$({ _memsect_words "$help"; echo --help; } | sort -u)" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _memsect memsect
