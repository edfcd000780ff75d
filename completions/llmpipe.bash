# bash completion for the llmpipe tools: options come from each tool's own
# --help (so they never go stale), values for the options that take a word
# from a fixed set, and file names elsewhere.
_llmpipe()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local words=""
	# -p is --provider in llm-request only (--progress, --pick elsewhere);
	# -e is --encoding in llm-tokens only
	[ "$1" = llm-request ] && [ "$prev" = -p ] && prev=--provider
	case $prev in
	--provider) words="openai responses anthropic gemini ollama" ;;
	--dialect) words="auto openai-chat openai-responses anthropic gemini ollama" ;;
	--timing) words="recorded fixed" ;;
	--t0) words="start first-byte" ;;
	-e) [ "$1" = llm-tokens ] && words="o200k_base cl100k_base" ;;
	--encoding) words="o200k_base cl100k_base" ;;
	--max-tokens-field) words="auto max_tokens max_completion_tokens" ;;
	# --reasoning takes a level in llm-request only (a flag in delta-join)
	--reasoning) [ "$1" = llm-request ] && words="none low medium high" ;;
	-m|--model|-s|--system|--jq|-H|--header|-N|--label|-l|--listen|--base-url|\
	--max-tokens|--temperature|--retry|--retry-max-wait|--max-body|--max-body-total|--proxy-timeout|--ttft|--delay|--jitter|--seed|\
	--percentiles|--goodput|--max-event|--max-size|--fail|--cut-after|\
	--stall-after|--error-after|--connect-timeout|--max-time|--idle-timeout|\
	--truncate|--split|--prefix|--cors|--proxy)
		return 0 ;;
	--record)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0 ;;
	esac
	if [ -n "$words" ]; then
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	elif [[ $cur == -* ]]; then
		words=$("$1" --help 2>/dev/null | grep -oE -- '(^|[ ,])--?[a-zA-Z0-9][a-zA-Z0-9-]*' | sed 's/^[ ,]*//' | sort -u)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
	return 0
}
complete -o filenames -F _llmpipe sse-decode delta-join llm-request llm-mock stream-metrics llm-tokens
