# aws2fa shell hook for fish: `aws2fa env login` / `aws2fa env logout` change this shell only,
# and `aws2fa_prompt` shows the env session (e.g. `prod 11h58m`).
#
# Install (one of):
#   ~/.config/fish/config.fish:  aws2fa init fish | source
#   or:                          source /path/to/shell/aws2fa.fish
#
# Loading again only redefines the two functions.

function aws2fa --description 'aws2fa; env login/logout change this shell'
    if test (count $argv) -lt 2; or test "$argv[1]" != env; or not contains -- "$argv[2]" login logout
        command aws2fa $argv
        return
    end
    if contains -- -h $argv; or contains -- --help $argv; or contains -- --version $argv
        command aws2fa $argv
        return
    end
    # Command substitution splits the output into lines (quoted values may span lines), so join it
    # back before sourcing. `| string collect` would keep it whole but hide the binary's exit status.
    set -l out (command aws2fa $argv --shell fish)
    set -l code $status
    # 3: the session is there but docker missed an ECR registry; keep the session, return the status.
    if test $code -ne 0 -a $code -ne 3
        return $code
    end
    string join \n -- $out | source
    return $code
end

function aws2fa_prompt --description 'env session profile and time left, for fish_prompt'
    test -n "$AWS2FA_PROFILE"; or return 0
    # Only plain decimal seconds, like the bash/zsh hook.
    string match -qr '^[1-9][0-9]*$' -- "$AWS2FA_EXPIRES"; or return 0
    set -l left (math $AWS2FA_EXPIRES - (date +%s))
    if test $left -le 0
        printf '%s expired' $AWS2FA_PROFILE
    else if test $left -ge 3600
        printf '%s %dh%02dm' $AWS2FA_PROFILE (math --scale=0 $left / 3600) (math --scale=0 $left % 3600 / 60)
    else if test $left -ge 900
        printf '%s %dm' $AWS2FA_PROFILE (math --scale=0 $left / 60)
    else
        printf '%s %dm!' $AWS2FA_PROFILE (math --scale=0 $left / 60)
    end
end
