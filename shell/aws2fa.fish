# aws2fa shell hook for fish: `aws2fa env login` / `aws2fa env logout` change this shell only,
# `aws2fa_prompt` shows the env session (e.g. `prod 11h58m`), a role session is renewed before the prompt
# while this shell holds its root session (AWS2FA_RENEW=0 turns that off), and tab completion knows the
# commands, options and profile names.
#
# Install (one of):
#   ~/.config/fish/config.fish:  aws2fa init fish | source
#   or:                          source /path/to/shell/aws2fa.fish
#
# Loading again only redefines the functions and completions. Loading starts no process.

function aws2fa --description 'aws2fa; env login/logout change this shell'
    if test "$argv[1]" = exec
        # The command owns stdin and stdout: nothing to evaluate, its status is ours.
        __aws2fa_run $argv
        return
    end
    if test (count $argv) -lt 2; or test "$argv[1]" != env; or not contains -- "$argv[2]" login logout
        command aws2fa $argv
        return
    end
    for arg in $argv
        test "$arg" = --; and break
        if contains -- $arg -h --help --version
            command aws2fa $argv
            return
        end
    end
    # `--shell` before the user's words, which may end options with `--` (`env login -- -odd-profile`).
    # Command substitution splits the output into lines (quoted values may span lines), so join it
    # back before sourcing. `| string collect` would keep it whole but hide the binary's exit status.
    set -l out
    if test "$argv[2]" = login
        set out (__aws2fa_run env login --shell fish $argv[3..-1])
    else
        set out (command aws2fa env logout --shell fish $argv[3..-1])
    end
    set -l code $status
    # 3: the session is there but docker missed an ECR registry; keep the session, return the status.
    if test $code -ne 0 -a $code -ne 3
        return $code
    end
    string join \n -- $out | source
    return $code
end

# Runs the binary for the hook: AWS2FA_HOOK=1 in its environment only, and the root session this shell holds
# (never exported, never in a file or argv) on descriptor 3 as a pipe. fish connects a pipe to stdin only, so
# the inner block moves it to 3 and gives the command back the stdin the function had (kept on 4).
function __aws2fa_run
    if set -q __aws2fa_held[1]; and test -n "$__aws2fa_held"
        begin
            printf '%s' $__aws2fa_held | begin
                AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 command aws2fa $argv 3<&0 0<&4 4<&-
            end
        end 4<&0
    else
        AWS2FA_HOOK=1 AWS2FA_HELD_FD= command aws2fa $argv
    end
end

# Plain decimal seconds of at most 12 digits: anything longer makes `math` and `test` fail noisily.
function __aws2fa_seconds
    string match -qr '^[1-9][0-9]{0,11}$' -- "$argv[1]"
end

# The profile comes without control characters (C1 too): no terminal escapes from the environment.
function aws2fa_prompt --description 'env session profile and time left, for fish_prompt'
    test -n "$AWS2FA_PROFILE"; or return 0
    __aws2fa_seconds "$AWS2FA_EXPIRES"; or return 0
    set -l name (string replace -ra '[[:cntrl:]\x{80}-\x{9f}]' '' -- "$AWS2FA_PROFILE")
    set -l left (math $AWS2FA_EXPIRES - (date +%s))
    if test $left -le 0
        printf '%s expired' "$name"
    else if test $left -ge 3600
        printf '%s %dh%02dm' "$name" (math --scale=0 $left / 3600) (math --scale=0 $left % 3600 / 60)
    else if test $left -ge 900
        printf '%s %dm' "$name" (math --scale=0 $left / 60)
    else
        printf '%s %dm!' "$name" (math --scale=0 $left / 60)
    end
end

# Renews the role session before the prompt when it has under 5 minutes left and the held root session has
# more: silent when it works; on failure the binary's one line, once per session, and the old session stays.
# Never reads the terminal (stdin from /dev/null). `date` runs only when a held session and a profile are set.
function __aws2fa_renew --on-event fish_prompt
    test "$AWS2FA_RENEW" != 0; and status is-interactive; or return 0
    test -n "$AWS2FA_PROFILE"; and set -q __aws2fa_held[1]; and test -n "$__aws2fa_held"; or return 0
    set -q __aws2fa_renew_failed; and test "$__aws2fa_renew_failed" = "$AWS2FA_EXPIRES"; and return 0
    __aws2fa_seconds "$AWS2FA_EXPIRES"; and __aws2fa_seconds "$AWS2FA_ROOT_EXPIRES"; or return 0
    set -l now (date +%s)
    test (math $AWS2FA_EXPIRES - $now) -lt 300; and test (math $AWS2FA_ROOT_EXPIRES - $now) -ge 300; or return 0
    # The code lands in `out`; the messages (stderr piped to `read`, a builtin) in `err`, shown only on failure.
    set -l err
    set -l code
    set -l out (__aws2fa_run env login --renew --shell fish -- $AWS2FA_PROFILE </dev/null 2>| read -z err; set code $pipestatus[1])
    if test "$code" != 0
        set -g __aws2fa_renew_failed $AWS2FA_EXPIRES
        printf '%s\n' (string trim -r -- "$err") >&2
        return 0
    end
    string join \n -- $out | source
end

# ---- completion ----

# Options per command: test/shell/completion.test.ts checks them against the CLI's own.
function __aws2fa_options
    # (--profile goes with the folder options: the same commands take both.)
    set -l folder --directory --name --profile
    set -l session --duration --lifespan --serial --region
    set -l ecr --ecr --ecr-region --docker-command
    switch "$argv"
        case login 'mfa login'
            echo --debug $folder $session $ecr
        case logout 'mfa logout'
            echo --debug $folder $ecr
        case status
            echo $folder --json
        case 'env login'
            echo --debug $folder $session $ecr --shell
        case 'env logout'
            echo --shell
        case exec
            echo --debug $folder $session
    end
    echo --help
end

# What to offer for the word at the cursor, from the words before it: prints `words W...`, `profiles
# [--directory DIR | --name NAME] W...`, `dirs`, `commands` or nothing.
function __aws2fa_decide
    set -l commands login logout status env exec init help mfa
    set -l words (commandline -opc)[2..-1]
    set -l current (commandline -ct)
    set -l path
    set -l count 0
    set -l after
    set -l value
    set -l folder
    for word in $words
        if test -n "$value"
            contains -- $value --directory --name; and set folder $value $word
            set value
            continue
        end
        if test -z "$after"
            switch $word
                case --
                    set after 1
                    continue
                case --directory --name --profile -p --duration --lifespan --serial --region --ecr-region --docker-command --shell
                    set value $word
                    continue
                case '-*'
                    continue
            end
        end
        switch "$path:$count"
            case ':0'
                if contains -- $word $commands
                    set path $word
                else
                    set path default
                    set count 1
                end
            case 'env:0' 'mfa:0'
                set path "$path $word"
            case 'help:0'
                if contains -- $word env mfa
                    set path "help $word"
                else
                    set count 1
                end
            case '*'
                set count (math $count + 1)
        end
    end
    switch "$value"
        case --shell
            echo words bash zsh fish sh
            return
        case --directory
            echo dirs
            return
        case --profile -p
            echo profiles $folder
            return
        case '?*'
            return
    end
    if test -z "$after"; and string match -q -- '-*' "$current"
        if test -n "$path"
            echo words (__aws2fa_options $path)
        else
            echo words --help --version
        end
        return
    end
    switch "$path:$count"
        case ':0'
            echo profiles $folder $commands
        case 'env:0' 'mfa:0' 'help env:0' 'help mfa:0'
            echo words login logout
        case 'init:0'
            echo words bash zsh fish
        case 'help:0'
            echo words $commands
        case 'login:0' 'logout:0' 'status:0' 'exec:0' 'env login:0' 'mfa login:0' 'mfa logout:0'
            echo profiles $folder
        case 'exec:*'
            echo commands
    end
end

function __aws2fa_complete
    set -l decision (string split ' ' -- (__aws2fa_decide))
    switch "$decision[1]"
        case words
            printf '%s\n' $decision[2..-1]
        case profiles
            set -l folder
            set -l rest $decision[2..-1]
            if contains -- "$rest[1]" --directory --name
                set folder $rest[1..2]
                set rest $rest[3..-1]
            end
            printf '%s\n' $rest
            # One process; nothing on stderr, whatever the files hold.
            command aws2fa __complete profiles $folder 2>/dev/null
        case dirs
            __fish_complete_directories (commandline -ct)
        case commands
            __fish_complete_command
    end
end

complete -c aws2fa -e
complete -c aws2fa -f -a '(__aws2fa_complete)'
