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

# The hook's functions run untraced: `fish_trace` would print the root session this shell holds and the code that
# gives the session (a local `fish_trace`, empty, hides the user's for the function and what it calls).
function aws2fa --description 'aws2fa; env login/logout change this shell'
    set -l fish_trace
    # Commands that get the root session this shell holds. The command owns stdin and stdout: nothing to
    # evaluate, its status is ours.
    if contains -- "$argv[1]" exec console rotate
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
    # The code is read whole from a pipe, not taken by a command substitution: fish sends the stderr of a
    # command substitution to the shell's own, past `aws2fa env login … 2>/dev/null`, and splits its lines.
    # (fish runs a command substitution in this shell: `eval (aws2fa env login prod)` gets the session from
    # the function itself, and evaluates the nothing it prints.)
    set -l out
    set -l code
    if test "$argv[2]" = login
        __aws2fa_run env login --shell fish $argv[3..-1] | read -z out
        set code $pipestatus[1]
    else
        command aws2fa env logout --shell fish $argv[3..-1] | read -z out
        set code $pipestatus[1]
    end
    # 3: the session is there but docker missed an ECR registry; keep the session, return the status.
    if test $code -ne 0 -a $code -ne 3
        return $code
    end
    printf '%s' $out | source
    # A new session (or none): a renewal that failed for the old one may be tried at once.
    set -e -g __aws2fa_renew_failed
    return $code
end

# Runs the binary for the hook: AWS2FA_HOOK=1 in its environment only, and the root session this shell holds
# (never exported, never in a file or argv) on descriptor 3 as a pipe. fish connects a pipe to stdin only, so
# the inner block moves it to 3 and gives the command back the stdin the function had (kept on 4).
function __aws2fa_run
    set -l fish_trace
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

# The profile comes without control characters (C1 too): no terminal escapes from the environment. Time left
# rounds down to the minute, as the binary's messages and `status` do.
function aws2fa_prompt --description 'env session profile and time left, for fish_prompt'
    test -n "$AWS2FA_PROFILE"; or return 0
    __aws2fa_seconds "$AWS2FA_EXPIRES"; or return 0
    set -l name (string replace -ra '[[:cntrl:]\x{80}-\x{9f}]' '' -- "$AWS2FA_PROFILE")
    set -l left (math $AWS2FA_EXPIRES - (date +%s))
    if test $left -le 0
        printf '%s expired' "$name"
    else if test $left -ge 3600
        printf '%s %dh%02dm' "$name" (math "floor($left / 3600)") (math "floor($left % 3600 / 60)")
    else if test $left -ge 900
        printf '%s %dm' "$name" (math "floor($left / 60)")
    else
        printf '%s %dm!' "$name" (math "floor($left / 60)")
    end
end

# Renews the role session before the prompt when it has under 5 minutes left and the held root session has
# more: silent when it works; on failure the binary's one line, and the old session stays. Never reads the
# terminal (stdin from /dev/null), and never holds the prompt long: the binary gives up after 3 s (--renew),
# and a failure waits a minute before the next try. The try is marked failed before it starts, so that a Ctrl-C
# counts as a failure too. __aws2fa_renew_failed is the Unix time of the last failed try (a test sets it to move
# the clock). `date` runs only when a held session and a profile are set.
function __aws2fa_renew --on-event fish_prompt
    set -l fish_trace
    test "$AWS2FA_RENEW" != 0; and status is-interactive; or return 0
    test -n "$AWS2FA_PROFILE"; and set -q __aws2fa_held[1]; and test -n "$__aws2fa_held"; or return 0
    __aws2fa_seconds "$AWS2FA_EXPIRES"; and __aws2fa_seconds "$AWS2FA_ROOT_EXPIRES"; or return 0
    set -l now (date +%s)
    test (math $AWS2FA_EXPIRES - $now) -lt 300; and test (math $AWS2FA_ROOT_EXPIRES - $now) -ge 300; or return 0
    # (A mark in the future: the clock went back; it says nothing.)
    if __aws2fa_seconds "$__aws2fa_renew_failed"; and test $now -ge $__aws2fa_renew_failed
        test (math $now - $__aws2fa_renew_failed) -ge 60; or return 0
    end
    set -g __aws2fa_renew_failed $now
    # The code lands in `out`; the messages (stderr piped to `read`, a builtin) in `err`, shown only on failure.
    set -l err
    set -l code
    set -l out (__aws2fa_run env login --renew --shell fish -- $AWS2FA_PROFILE </dev/null 2>| read -z err; set code $pipestatus[1])
    if test "$code" != 0
        printf '%s\n' (string trim -r -- "$err") >&2
        return 0
    end
    string join \n -- $out | source
    set -e -g __aws2fa_renew_failed
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
            echo --debug $folder $session --server
        case console
            echo --debug $folder $session --path --print
        case rotate
            echo --debug $folder --serial --region
    end
    echo --help
end

# What to offer for the word at the cursor, from the words before it: prints `words W...`, `profiles
# [--directory DIR | --name NAME] W...`, `dirs`, `commands` or nothing.
function __aws2fa_decide
    set -l commands login logout status env exec console rotate init help mfa
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
                case --directory --name --profile -p --duration --lifespan --serial --region --ecr-region --docker-command --shell --path
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
        case 'login:0' 'logout:0' 'status:0' 'exec:0' 'console:0' 'rotate:0' 'env login:0' 'mfa login:0' 'mfa logout:0'
            echo profiles $folder
        case 'exec:*'
            echo commands
    end
end

# What a word offered means, shown beside it by fish: login/logout after `env` or `mfa` and the shells after
# `init` mean something else there; every other word means the same everywhere.
function __aws2fa_describe
    set -l first (commandline -opc)[2]
    switch "$first $argv[1]"
        case 'env login'
            echo 'session for this shell only'
            return
        case 'env logout'
            echo "end this shell's session"
            return
        case 'mfa login'
            echo 'same as aws2fa login'
            return
        case 'mfa logout'
            echo 'same as aws2fa logout'
            return
        case 'init bash' 'init zsh' 'init fish'
            echo "hook for $argv[1]"
            return
    end
    switch $argv[1]
        case login
            echo 'MFA session into the credentials file'
        case logout
            echo 'long-term keys back into the profile'
        case status
            echo "every profile's session and time left"
        case env
            echo 'login/logout for this shell only'
        case exec
            echo 'run one command with a session'
        case init
            echo 'print the shell hook'
        case help
            echo 'help for a command'
        case mfa
            echo 'login/logout, as hacksaws users type them'
        case console
            echo 'sign in to the AWS console'
        case rotate
            echo 'replace the long-term access key'
        case bash zsh fish
            echo "$argv[1] syntax"
        case sh
            echo 'POSIX sh syntax'
        case --debug
            echo 'log files, endpoint, HTTP tries to stderr'
        case --directory
            echo 'use DIR/credentials and DIR/config'
        case --profile
            echo 'the profile, as the AWS CLI takes it'
        case --name
            echo 'use ~/.aws-NAME/'
        case --duration --lifespan
            echo 'session length: seconds, 90m, 12h, 1h30m'
        case --serial
            echo 'MFA device ARN'
        case --region
            echo 'STS region'
        case --ecr
            echo 'docker login/logout for ECR too'
        case --ecr-region
            echo 'ECR in this region too'
        case --docker-command
            echo 'docker-compatible client for --ecr'
        case --shell
            echo 'syntax of the printed code'
        case --json
            echo 'as JSON, for scripts'
        case --server
            echo 'renewed credentials from 127.0.0.1'
        case --print
            echo 'print the URL, do not open it'
        case --path
            echo 'console page, e.g. s3/home'
        case --help
            echo 'show help'
        case --version
            echo 'print the version'
    end
end

# Each word with its description after a tab, as fish reads `complete -a` output.
function __aws2fa_described
    for word in $argv
        set -l what (__aws2fa_describe $word)
        if test -n "$what"
            printf '%s\t%s\n' $word $what
        else
            printf '%s\n' $word
        end
    end
end

function __aws2fa_complete
    set -l decision (string split ' ' -- (__aws2fa_decide))
    switch "$decision[1]"
        case words
            __aws2fa_described $decision[2..-1]
        case profiles
            set -l folder
            set -l rest $decision[2..-1]
            if contains -- "$rest[1]" --directory --name
                set folder $rest[1..2]
                set rest $rest[3..-1]
            end
            __aws2fa_described $rest
            # One process; nothing on stderr, whatever the files hold.
            for name in (command aws2fa __complete profiles $folder 2>/dev/null)
                printf '%s\tprofile\n' $name
            end
        case dirs
            __fish_complete_directories (commandline -ct)
        case commands
            __fish_complete_command
    end
end

complete -c aws2fa -e
complete -c aws2fa -f -a '(__aws2fa_complete)'
