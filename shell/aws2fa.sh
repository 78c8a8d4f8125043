# shellcheck shell=bash
# aws2fa shell hook for bash and zsh: `aws2fa env login` / `aws2fa env logout` change this shell only,
# `aws2fa_prompt` shows the env session (e.g. `prod 11h58m`) without starting a process, a role session
# is renewed before the prompt while this shell holds its root session (AWS2FA_RENEW=0 turns that off),
# and tab completion knows the commands, options and profile names.
#
# Install (one of):
#   ~/.bashrc:  eval "$(aws2fa init bash)"
#   ~/.zshrc:   eval "$(aws2fa init zsh)"
#   either:     source /path/to/shell/aws2fa.sh
#
# Loading again only redefines the functions. Written for `set -u` / `setopt nounset`. Loading starts no process.

# `function NAME` rather than `NAME()`: an alias named aws2fa would otherwise be expanded right here.
# The hook's own work runs untraced and with allexport off: `set -x` (zsh -x, BASH_XTRACEFD) would print the root
# session this shell holds, and `set -a` would export it to every child. zsh keeps the options local to the
# function; bash gets them back from __aws2fa_flags, and from `local -` where it has that (4.4 on), which also
# puts them back when a Ctrl-C ends the function half-way (an interrupted `aws2fa exec`).
function aws2fa() {
  if [ -n "${ZSH_VERSION-}" ]; then
    \builtin setopt localoptions noxtrace noallexport
    __aws2fa_dispatch "$@"
    return
  fi
  local __aws2fa_flags=$- __aws2fa_status=0
  if ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))); then local -; fi
  __aws2fa_untraced
  __aws2fa_dispatch "$@" || __aws2fa_status=$?
  __aws2fa_retraced
  return "$__aws2fa_status"
}

# bash: the options the caller saved in its local __aws2fa_flags go off, then back on.
function __aws2fa_untraced() {
  \builtin set +x +a
}

function __aws2fa_retraced() {
  case $__aws2fa_flags in *a*) \builtin set -a ;; esac
  case $__aws2fa_flags in *x*) \builtin set -x ;; esac
}

# Which words go where. Commands that get the root session this shell holds go through __aws2fa_run.
function __aws2fa_dispatch() {
  case ${1-} in
    env)
      case ${2-} in
        login | logout)
          __aws2fa_env "$@"
          return
          ;;
      esac
      ;;
    exec | console | rotate)
      # They get the held root session; nothing to evaluate (exec's command owns stdin and stdout), the status is ours.
      __aws2fa_run "$@"
      return
      ;;
  esac
  \command aws2fa "$@"
}

# Runs the binary for the hook: AWS2FA_HOOK=1 in its environment only, and the root session this shell holds
# (never exported, never in a file or argv) on descriptor 3 as a pipe, the only copy: a process substitution
# (`3< <(…)`) would leave a second one open (/dev/fd/63 in bash) for every child of aws2fa, and a here-string may
# be a temporary file. The writer ignores SIGPIPE and always succeeds, so `pipefail` sees the binary's status.
function __aws2fa_run() {
  if [ -n "${__aws2fa_held-}" ]; then
    {
      { \builtin trap '' PIPE; \builtin printf '%s' "$__aws2fa_held" 2>/dev/null || :; } | {
        AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 \command aws2fa "$@" 3<&0 0<&4 4<&-
      }
    } 4<&0
  else
    AWS2FA_HOOK=1 AWS2FA_HELD_FD='' \command aws2fa "$@"
  fi
}

function __aws2fa_shell() {
  if [ -n "${ZSH_VERSION-}" ]; then __aws2fa_dialect=zsh; else __aws2fa_dialect=bash; fi
}

# Inside a command substitution (`eval "$(aws2fa env login prod)"`) an eval would change only the subshell, which
# dies with it: the code is printed instead, as the binary prints it, for the caller's own eval. A subshell whose
# output is the terminal (`(aws2fa env login prod; aws s3 ls)`) still evaluates it.
function __aws2fa_substituted() {
  [ ! -t 1 ] || return 1
  if [ -n "${ZSH_VERSION-}" ]; then [ "${ZSH_SUBSHELL:-0}" -gt 0 ]; else [ "${BASH_SUBSHELL:-0}" -gt 0 ]; fi
}

# `env login` / `env logout`: evaluate what the binary printed, only when it succeeded.
function __aws2fa_env() {
  local __aws2fa_arg __aws2fa_dialect __aws2fa_out __aws2fa_status=0 __aws2fa_verb=$2
  for __aws2fa_arg in "$@"; do
    case $__aws2fa_arg in
      --) break ;;
      -h | --help | --version)
        \command aws2fa "$@"
        return
        ;;
    esac
  done
  __aws2fa_shell
  shift 2
  # `--shell` before the user's words, which may end options with `--` (`env login -- -odd-profile`).
  if __aws2fa_substituted; then
    if [ "$__aws2fa_verb" = login ]; then
      __aws2fa_run env login --shell "$__aws2fa_dialect" "$@"
    else
      \command aws2fa env logout --shell "$__aws2fa_dialect" "$@"
    fi
    return
  fi
  # Separate from `local`, which would replace the binary's exit status with its own.
  if [ "$__aws2fa_verb" = login ]; then
    __aws2fa_out="$(__aws2fa_run env login --shell "$__aws2fa_dialect" "$@")" || __aws2fa_status=$?
  else
    __aws2fa_out="$(\command aws2fa env logout --shell "$__aws2fa_dialect" "$@")" || __aws2fa_status=$?
  fi
  # 3: the session is there but docker missed an ECR registry; keep the session, return the status.
  case $__aws2fa_status in
    0 | 3) ;;
    *) return "$__aws2fa_status" ;;
  esac
  \builtin eval "$__aws2fa_out"
  # A new session (or none): a renewal that failed for the old one may be tried at once.
  unset __aws2fa_renew_failed
  return "$__aws2fa_status"
}

# Plain decimal seconds of at most 12 digits: shell arithmetic would evaluate anything else as an expression
# (code injection through `a[$(cmd)]`), a leading 0 means octal, and 26 digits overflow. (aws2fa_prompt has
# the same test inline: it runs at every prompt.)
function __aws2fa_seconds() {
  case ${1-} in
    '' | 0* | *[!0-9]* | ?????????????*) return 1 ;;
  esac
}

# Sets __aws2fa_now (the caller's local) to the Unix time without starting a process: zsh/datetime is a module,
# loaded in-process; bash >= 5 has EPOCHSECONDS, bash 4.2+ printf %(%s)T. bash 3.2 has no clock: status 1.
function __aws2fa_clock() {
  if [ -n "${ZSH_VERSION-}" ] && [ -z "${EPOCHSECONDS-}" ]; then zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null; fi
  __aws2fa_now=${EPOCHSECONDS-}
  if [ -z "$__aws2fa_now" ] && [ -n "${BASH_VERSION-}" ]; then
    printf -v __aws2fa_now '%(%s)T' -1 2>/dev/null
  fi
  case $__aws2fa_now in
    '' | *[!0-9]*) return 1 ;;
  esac
}

# Prints e.g. `prod 11h58m`, `prod 14m!` under 15 minutes, `prod expired`; nothing without a session.
# The profile comes without control characters (no terminal escapes from the environment), and in zsh with
# every `%` doubled, for a PROMPT with prompt_subst would expand `%F{red}` or `%~` in it.
function aws2fa_prompt() {
  local __aws2fa_now='' __aws2fa_left='' __aws2fa_name=${AWS2FA_PROFILE-}
  [ -n "$__aws2fa_name" ] || return 0
  case ${AWS2FA_EXPIRES-} in
    '' | 0* | *[!0-9]* | ?????????????*) return 0 ;;
  esac
  # The clock as in __aws2fa_clock, inline: a function call costs a prompt more than all the rest.
  if [ -n "${ZSH_VERSION-}" ]; then
    case $__aws2fa_name in *[[:cntrl:]]*) __aws2fa_name=${__aws2fa_name//[[:cntrl:]]/} ;; esac
    case $__aws2fa_name in *%*) __aws2fa_name=${__aws2fa_name//\%/%%} ;; esac
    [ -n "${EPOCHSECONDS-}" ] || zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
  else
    case $__aws2fa_name in *[![:alnum:]._@+=,-]*) __aws2fa_strip_controls ;; esac
  fi
  __aws2fa_now=${EPOCHSECONDS-}
  if [ -z "$__aws2fa_now" ] && [ -n "${BASH_VERSION-}" ]; then
    printf -v __aws2fa_now '%(%s)T' -1 2>/dev/null
  fi
  case $__aws2fa_now in
    '' | *[!0-9]*)
      # No clock without starting a process (bash 3.2): the profile alone.
      printf '%s' "$__aws2fa_name"
      return 0
      ;;
  esac
  __aws2fa_left=$((AWS2FA_EXPIRES - __aws2fa_now))
  if [ "$__aws2fa_left" -le 0 ]; then
    printf '%s expired' "$__aws2fa_name"
  elif [ "$__aws2fa_left" -ge 3600 ]; then
    printf '%s %dh%02dm' "$__aws2fa_name" $((__aws2fa_left / 3600)) $((__aws2fa_left % 3600 / 60))
  elif [ "$__aws2fa_left" -ge 900 ]; then
    printf '%s %dm' "$__aws2fa_name" $((__aws2fa_left / 60))
  else
    printf '%s %dm!' "$__aws2fa_name" $((__aws2fa_left / 60))
  fi
}

# bash, for aws2fa_prompt's __aws2fa_name: once a name holds an invalid UTF-8 byte, bash matches [[:cntrl:]] byte
# by byte and lets a C1 control through (\xc2\x9b, CSI). So bytes always, in the C locale (local: bash sets it
# back on return), with C1 as UTF-8 spells it (\xc2 then \x80-\x9f; the bytes in variables, not $'…' inside the
# pattern, which old bash versions do not expand there).
function __aws2fa_strip_controls() {
  local LC_ALL=C __aws2fa_lead=$'\xc2' __aws2fa_low=$'\x80' __aws2fa_high=$'\x9f'
  __aws2fa_name=${__aws2fa_name//[[:cntrl:]]/}
  __aws2fa_name=${__aws2fa_name//"$__aws2fa_lead"[$__aws2fa_low-$__aws2fa_high]/}
}

# Before each prompt (bash PROMPT_COMMAND, zsh precmd); keeps `$?` for the user's prompt. Untraced, allexport off,
# as aws2fa is.
function __aws2fa_precmd() {
  local __aws2fa_status=$? __aws2fa_flags=$-
  if [ -n "${ZSH_VERSION-}" ]; then
    \builtin setopt localoptions noxtrace noallexport
  else
    if ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))); then local -; fi
    __aws2fa_untraced
  fi
  __aws2fa_renew
  # compinit may run after the hook is loaded: register the completion once it has.
  __aws2fa_compdef
  [ -n "${ZSH_VERSION-}" ] || __aws2fa_retraced
  return "$__aws2fa_status"
}

# Renews the role session when it has under 5 minutes left and the held root session has more: silent when
# it works; on failure the binary's one line, and the old session stays. Never reads the terminal (stdin from
# /dev/null), and never holds the prompt long: the binary gives up after 3 s (--renew), and a failure waits a
# minute before the next try. The try is marked failed before it starts, so that a Ctrl-C, which ends this
# function half-way, counts as a failure too rather than a reason to try again at once. __aws2fa_renew_failed is
# the Unix time of the last failed try (a test sets it to move the clock).
function __aws2fa_renew() {
  local __aws2fa_now='' __aws2fa_dialect __aws2fa_out='' __aws2fa_err='' __aws2fa_status=0
  [ "${AWS2FA_RENEW-}" != 0 ] && [ -n "${AWS2FA_PROFILE-}" ] && [ -n "${__aws2fa_held-}" ] || return 0
  __aws2fa_seconds "${AWS2FA_EXPIRES-}" && __aws2fa_seconds "${AWS2FA_ROOT_EXPIRES-}" && __aws2fa_clock || return 0
  [ $((AWS2FA_EXPIRES - __aws2fa_now)) -lt 300 ] && [ $((AWS2FA_ROOT_EXPIRES - __aws2fa_now)) -ge 300 ] || return 0
  if __aws2fa_seconds "${__aws2fa_renew_failed-}"; then
    # (A mark in the future: the clock went back; it says nothing.)
    [ $((__aws2fa_now - __aws2fa_renew_failed)) -ge 60 ] || [ "$__aws2fa_now" -lt "$__aws2fa_renew_failed" ] || return 0
  fi
  # A global of the hook's own (zsh: typeset -g, quiet under warn_create_global).
  if [ -n "${ZSH_VERSION-}" ]; then typeset -g __aws2fa_renew_failed="$__aws2fa_now"; else __aws2fa_renew_failed=$__aws2fa_now; fi
  __aws2fa_shell
  # The code arrives on stdout (fd 5 inside); the messages are kept back and shown only on failure.
  __aws2fa_out="$(
    {
      __aws2fa_err="$(__aws2fa_run env login --renew --shell "$__aws2fa_dialect" -- "$AWS2FA_PROFILE" </dev/null 2>&1 >&5 5>&-)" && exit 0
      __aws2fa_status=$?
      \builtin printf '%s\n' "$__aws2fa_err" >&2
      exit "$__aws2fa_status"
    } 5>&1
  )" || return 0
  \builtin eval "$__aws2fa_out"
  unset __aws2fa_renew_failed
}

# ---- completion: one decision for both shells, then each shell's own way to offer it ----

# Command words, and options per command: test/shell/completion.test.ts checks them against the CLI's own.
function __aws2fa_options() {
  # (--profile goes with the folder options: the same commands take both.)
  local __aws2fa_files='--directory --name --profile' __aws2fa_ecr='--ecr --ecr-region --docker-command'
  local __aws2fa_session="--duration --lifespan --serial --region"
  case $1 in
    login | 'mfa login') __aws2fa_list="--debug $__aws2fa_files $__aws2fa_session $__aws2fa_ecr" ;;
    logout | 'mfa logout') __aws2fa_list="--debug $__aws2fa_files $__aws2fa_ecr" ;;
    status) __aws2fa_list="$__aws2fa_files --json" ;;
    'env login') __aws2fa_list="--debug $__aws2fa_files $__aws2fa_session $__aws2fa_ecr --shell" ;;
    'env logout') __aws2fa_list='--shell' ;;
    exec) __aws2fa_list="--debug $__aws2fa_files $__aws2fa_session --server" ;;
    console) __aws2fa_list="--debug $__aws2fa_files $__aws2fa_session --path --print" ;;
    rotate) __aws2fa_list="--debug $__aws2fa_files --serial --region" ;;
    init) __aws2fa_list='' ;;
    *) __aws2fa_list='' ;;
  esac
  __aws2fa_list="$__aws2fa_list --help"
}

# From the words before the cursor (after `aws2fa`) and the word at it, sets __aws2fa_want (words, profiles,
# dirs, commands, nothing), __aws2fa_list (the words to offer), and __aws2fa_folder / __aws2fa_place (a
# --directory DIR or --name NAME given, for the profile names).
function __aws2fa_decide() {
  local __aws2fa_current=$1 __aws2fa_path='' __aws2fa_count=0 __aws2fa_after='' __aws2fa_value='' __aws2fa_word
  local __aws2fa_commands='login logout status env exec console rotate init help mfa'
  shift
  __aws2fa_want=nothing __aws2fa_list='' __aws2fa_folder='' __aws2fa_place=''
  for __aws2fa_word in "$@"; do
    if [ -n "$__aws2fa_value" ]; then
      case $__aws2fa_value in --directory | --name) __aws2fa_folder=$__aws2fa_value __aws2fa_place=$__aws2fa_word ;; esac
      __aws2fa_value=''
      continue
    fi
    if [ -z "$__aws2fa_after" ]; then
      case $__aws2fa_word in
        --) __aws2fa_after=1; continue ;;
        --directory | --name | --profile | -p | --duration | --lifespan | --serial | --region | --ecr-region | --docker-command | --shell | --path)
          __aws2fa_value=$__aws2fa_word
          continue
          ;;
        -*) continue ;;
      esac
    fi
    case "$__aws2fa_path:$__aws2fa_count" in
      :0)
        case " $__aws2fa_commands " in
          *" $__aws2fa_word "*) __aws2fa_path=$__aws2fa_word ;;
          *) __aws2fa_path=default __aws2fa_count=1 ;;
        esac
        ;;
      env:0 | mfa:0) __aws2fa_path="$__aws2fa_path $__aws2fa_word" ;;
      help:0)
        case $__aws2fa_word in
          env | mfa) __aws2fa_path="help $__aws2fa_word" ;;
          *) __aws2fa_count=1 ;;
        esac
        ;;
      *) __aws2fa_count=$((__aws2fa_count + 1)) ;;
    esac
  done
  __aws2fa_want=words
  case $__aws2fa_value in
    --shell) __aws2fa_list='bash zsh fish sh'; return ;;
    --directory) __aws2fa_want=dirs; return ;;
    --profile | -p) __aws2fa_want=profiles; return ;;
    ?*) __aws2fa_want=nothing; return ;;
  esac
  if [ -z "$__aws2fa_after" ]; then
    case $__aws2fa_current in
      -*)
        __aws2fa_options "$__aws2fa_path"
        [ -n "$__aws2fa_path" ] || __aws2fa_list='--help --version'
        return
        ;;
    esac
  fi
  case "$__aws2fa_path:$__aws2fa_count" in
    :0) __aws2fa_want=profiles __aws2fa_list=$__aws2fa_commands ;;
    env:0 | mfa:0) __aws2fa_list='login logout' ;;
    init:0) __aws2fa_list='bash zsh fish' ;;
    help:0) __aws2fa_list=$__aws2fa_commands ;;
    'help env:0' | 'help mfa:0') __aws2fa_list='login logout' ;;
    login:0 | logout:0 | status:0 | exec:0 | console:0 | rotate:0 | 'env login:0' | 'mfa login:0' | 'mfa logout:0') __aws2fa_want=profiles ;;
    exec:*) __aws2fa_want=commands ;;
    *) __aws2fa_want=nothing ;;
  esac
}

# Profile names of both files (one process; nothing on stderr, whatever the files hold).
function __aws2fa_profiles() {
  if [ -n "$__aws2fa_folder" ]; then
    \command aws2fa __complete profiles "$__aws2fa_folder" "$__aws2fa_place" 2>/dev/null
  else
    \command aws2fa __complete profiles 2>/dev/null
  fi
}

function __aws2fa_complete_bash() {
  local __aws2fa_want __aws2fa_list __aws2fa_folder __aws2fa_place __aws2fa_candidate __aws2fa_quoted
  local __aws2fa_current=${COMP_WORDS[COMP_CWORD]-}
  __aws2fa_decide "$__aws2fa_current" "${COMP_WORDS[@]:1:COMP_CWORD-1}"
  COMPREPLY=()
  case $__aws2fa_want in
    dirs) while IFS= read -r __aws2fa_candidate; do COMPREPLY+=("$__aws2fa_candidate"); done < <(compgen -d -- "$__aws2fa_current") ;;
    commands) while IFS= read -r __aws2fa_candidate; do COMPREPLY+=("$__aws2fa_candidate"); done < <(compgen -c -- "$__aws2fa_current") ;;
  esac
  for __aws2fa_candidate in $__aws2fa_list; do
    case $__aws2fa_candidate in "$__aws2fa_current"*) COMPREPLY+=("$__aws2fa_candidate") ;; esac
  done
  if [ "$__aws2fa_want" = profiles ]; then
    while IFS= read -r __aws2fa_candidate; do
      case $__aws2fa_candidate in
        "$__aws2fa_current"*)
          printf -v __aws2fa_quoted '%q' "$__aws2fa_candidate"
          COMPREPLY+=("$__aws2fa_quoted")
          ;;
      esac
    done < <(__aws2fa_profiles)
  fi
}

function __aws2fa_complete_zsh() {
  local __aws2fa_want __aws2fa_list __aws2fa_folder __aws2fa_place __aws2fa_candidate
  local -a __aws2fa_words __aws2fa_names
  __aws2fa_decide "${words[CURRENT]-}" "${words[@]:1:$((CURRENT - 2))}"
  case $__aws2fa_want in
    dirs) _files -/ ;;
    commands) _command_names -e ;;
  esac
  for __aws2fa_candidate in ${=__aws2fa_list}; do __aws2fa_words+=("$__aws2fa_candidate"); done
  if [ "$__aws2fa_want" = profiles ]; then
    while IFS= read -r __aws2fa_candidate; do __aws2fa_names+=("$__aws2fa_candidate"); done < <(__aws2fa_profiles)
    compadd -- "${__aws2fa_names[@]}"
  fi
  compadd -- "${__aws2fa_words[@]}"
}

function __aws2fa_compdef() {
  [ -n "${ZSH_VERSION-}" ] || return 0
  # shellcheck disable=SC2154
  if [ "${+functions[compdef]}" = 1 ] && [ "${_comps[aws2fa]-}" != __aws2fa_complete_zsh ]; then
    compdef __aws2fa_complete_zsh aws2fa
  fi
}

if [ -n "${ZSH_VERSION-}" ]; then
  __aws2fa_compdef
  if [[ -o interactive ]]; then
    \builtin autoload -Uz add-zsh-hook
    add-zsh-hook precmd __aws2fa_precmd
  fi
elif [ -n "${BASH_VERSION-}" ]; then
  \builtin complete -F __aws2fa_complete_bash aws2fa 2>/dev/null
  case $- in
    *i*)
      # Ours first, so it sees the status of the user's command; a second loading finds it there.
      case ";${PROMPT_COMMAND-};" in
        *';__aws2fa_precmd;'*) ;;
        *) PROMPT_COMMAND="__aws2fa_precmd${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
      esac
      ;;
  esac
fi
