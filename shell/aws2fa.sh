# shellcheck shell=bash
# aws2fa shell hook for bash and zsh: `aws2fa env login` / `aws2fa env logout` change this shell only,
# and `aws2fa_prompt` shows the env session (e.g. `prod 11h58m`) without starting a process.
#
# Install (one of):
#   ~/.bashrc:  eval "$(aws2fa init bash)"
#   ~/.zshrc:   eval "$(aws2fa init zsh)"
#   either:     source /path/to/shell/aws2fa.sh
#
# Loading again only redefines the two functions. Written for `set -u` / `setopt nounset`.

# `function NAME` rather than `NAME()`: an alias named aws2fa would otherwise be expanded right here.
function aws2fa() {
  local __aws2fa_arg __aws2fa_shell __aws2fa_out __aws2fa_status=0
  if [ "${1-}" != env ] || { [ "${2-}" != login ] && [ "${2-}" != logout ]; }; then
    \command aws2fa "$@"
    return
  fi
  for __aws2fa_arg in "$@"; do
    case $__aws2fa_arg in
      -h | --help | --version)
        \command aws2fa "$@"
        return
        ;;
    esac
  done
  if [ -n "${ZSH_VERSION-}" ]; then __aws2fa_shell=zsh; else __aws2fa_shell=bash; fi
  # Separate from `local`, which would replace the binary's exit status with its own.
  __aws2fa_out="$(\command aws2fa "$@" --shell "$__aws2fa_shell")" || __aws2fa_status=$?
  # 3: the session is there but docker missed an ECR registry; keep the session, return the status.
  case $__aws2fa_status in
    0 | 3) ;;
    *) return "$__aws2fa_status" ;;
  esac
  \builtin eval "$__aws2fa_out"
  return "$__aws2fa_status"
}

function aws2fa_prompt() {
  local __aws2fa_now='' __aws2fa_left=''
  [ -n "${AWS2FA_PROFILE-}" ] || return 0
  # Only plain decimal seconds: shell arithmetic would evaluate anything else as an expression
  # (code injection through `a[$(cmd)]`), and a leading 0 means octal.
  case ${AWS2FA_EXPIRES-} in
    '' | 0* | *[!0-9]*) return 0 ;;
  esac
  # zsh/datetime is a module, loaded in-process; bash >= 5 has EPOCHSECONDS built in.
  if [ -n "${ZSH_VERSION-}" ]; then zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null; fi
  __aws2fa_now=${EPOCHSECONDS-}
  if [ -z "$__aws2fa_now" ] && [ -n "${BASH_VERSION-}" ]; then
    printf -v __aws2fa_now '%(%s)T' -1 2>/dev/null # bash 4.2+
  fi
  case $__aws2fa_now in
    '' | *[!0-9]*)
      # No clock without starting a process (bash 3.2): the profile alone.
      printf '%s' "$AWS2FA_PROFILE"
      return 0
      ;;
  esac
  __aws2fa_left=$((AWS2FA_EXPIRES - __aws2fa_now))
  if [ "$__aws2fa_left" -le 0 ]; then
    printf '%s expired' "$AWS2FA_PROFILE"
  elif [ "$__aws2fa_left" -ge 3600 ]; then
    printf '%s %dh%02dm' "$AWS2FA_PROFILE" $((__aws2fa_left / 3600)) $((__aws2fa_left % 3600 / 60))
  elif [ "$__aws2fa_left" -ge 900 ]; then
    printf '%s %dm' "$AWS2FA_PROFILE" $((__aws2fa_left / 60))
  else
    printf '%s %dm!' "$AWS2FA_PROFILE" $((__aws2fa_left / 60))
  fi
}
