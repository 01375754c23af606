# bash completion for batchwatch. Needs nothing but bash (not the bash-completion package's helpers).
# tests/integration/test_manpage_completions.py keeps it in step with `batchwatch --help`.

_batchwatch() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local common="--log-level --log-format --help"
  local cmd="" sub="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      run|once|check|backtest|history|status|jobs|silence|version) [[ -z $cmd ]] && cmd=${COMP_WORDS[i]} ;;
      add|list|expire) [[ $cmd == silence && -z $sub ]] && sub=${COMP_WORDS[i]} ;;
    esac
  done

  # The value of an option.
  case $prev in
    --config|--input) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
    --log-format|--format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --now|--from|--to|--since|--starts|--simulate-from|--cycles|--rule|--label|--duration|--comment) return ;;
  esac

  local words
  case $cmd in
    "") words="run once check backtest history status jobs silence version --help" ;;
    run) words="--config --simulate-from --cycles $common" ;;
    once) words="--config --now --dry-run --format $common" ;;
    check) words="--config $common" ;;
    backtest) words="--config --input --from --to --format $common" ;;
    history) words="--config --since --rule --format $common" ;;
    status) words="--config --format $common" ;;
    jobs) words="--config --format $common" ;;
    version) words="$common" ;;
    silence)
      case $sub in
        "") words="add list expire $common" ;;
        add) words="--config --rule --label --starts --duration --comment $common" ;;
        list|expire) words="--config $common" ;;
      esac ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _batchwatch batchwatch
