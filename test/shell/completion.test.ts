import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCli } from '../../src/cli.js';
import * as fish from '../../src/shell/fish.js';
import * as posix from '../../src/shell/posix.js';
import { BINARY } from '../helpers/cli.js';
import { availableShells, runShell, type Shell, tempDir } from '../helpers/shells.js';
import { HOOK } from './hooked.js';

// Tab completion from the hooks, in real bash, zsh and fish, with the real binary listing the profiles.

const dir = tempDir(`aws2fa-completion-`);
const home = join(dir, `home`);
const bin = join(dir, `bin`);
mkdirSync(home);
mkdirSync(bin);
writeFileSync(join(bin, `aws2fa`), `#!/bin/sh\nexec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"\n`);
chmodSync(join(bin, `aws2fa`), 0o755);

// Files at the places the environment names: a backup section, a role profile only in the config, a quoted name,
// sections that are no profiles; secrets that must never show.
const files = {
  credentials: join(dir, `creds`),
  config: join(dir, `conf`),
  broken: join(dir, `broken`),
};
writeFileSync(files.credentials, `[prod]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = SECRETSECRET\n[prod::source-profile]\naws_access_key_id = AKIAOLD\n[a b]\naws_access_key_id = AKIA2\n`);
writeFileSync(files.config, `[default]\nregion = eu-west-1\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = prod\n[profile 'dev ops']\nregion = x\n[sso-session corp]\nsso_region = x\n`);
writeFileSync(files.broken, `not an ini file\n[unclosed\n`);
mkdirSync(join(home, `.aws-acme`));
writeFileSync(join(home, `.aws-acme`, `credentials`), `[acme-only]\naws_access_key_id = AKIA3\n`);

const COMMANDS = [`login`, `logout`, `status`, `env`, `exec`, `console`, `rotate`, `init`, `help`, `mfa`];
const PROFILES = [`a b`, `admin`, `default`, `dev ops`, `prod`];
const env = (credentials = files.credentials) => ({ PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: files.config });

// The completions offered for a command line whose last word is being completed, one per line.
function complete(shell: Shell, words: string[], credentials?: string): { offered: string[]; stderr: string } {
  const q = shell.kind === `fish` ? fish.quote : posix.quote;
  const load = shell.kind === `fish` ? `source ${q(HOOK.fish)}` : `. ${q(HOOK.sh)}`;
  const script = {
    bash: `set -u; ${load}; COMP_WORDS=(${words.map(q).join(` `)}); COMP_CWORD=${words.length - 1}; __aws2fa_complete_bash; printf '%s\\n' "\${COMPREPLY[@]}"`,
    // Outside a completion widget: compadd (matching the word's start, as zsh does) and the helpers stubbed.
    zsh: `setopt nounset; ${load}; compadd() { [ "$1" = -- ] && shift; local w; for w; do [[ $w == "\${words[CURRENT]}"* ]] && print -r -- "$w"; done; true; }; _files() { print -r -- '<dirs>'; }; _command_names() { print -r -- '<commands>'; }; words=(${words.map(q).join(` `)}); CURRENT=${words.length}; __aws2fa_complete_zsh`,
    fish: `${load}; complete -C ${q(words.join(` `))}`,
    sh: ``,
  }[shell.kind];
  const r = runShell(shell, script, home, env(credentials));
  assert.is(r.status, 0, r.stderr);
  // fish shows a description after a tab (test/shell/fish-descriptions.test.ts): the word is what is offered.
  return { offered: r.stdout.split(`\n`).filter(Boolean).map(line => line.split(`\t`)[0]!).sort(), stderr: r.stderr };
}

const Completion = suite(`tab completion from the hooks`);
const sorted = (list: string[]) => [...list].sort();

for (const shell of availableShells([`bash`, `zsh`, `fish`])) {
  const { kind } = shell;
  // bash gets names quoted for its command line.
  const asOffered = (names: string[]) => sorted(kind === `bash` ? names.map(name => name.replace(/ /g, `\\ `)) : names);
  const cases: [string, string[], string[]][] = [
    [`the first word: commands and profiles`, [`aws2fa`, ``], [...COMMANDS, ...PROFILES]],
    [`a started command`, [`aws2fa`, `lo`], [`login`, `logout`]],
    [`login PROFILE: profile names of both files, role profiles too, never a backup`, [`aws2fa`, `login`, ``], PROFILES],
    [`a started profile name`, [`aws2fa`, `env`, `login`, `ad`], [`admin`]],
    [`env: its subcommands`, [`aws2fa`, `env`, ``], [`login`, `logout`]],
    [`mfa: its subcommands`, [`aws2fa`, `mfa`, ``], [`login`, `logout`]],
    [`init: the shells`, [`aws2fa`, `init`, ``], [`bash`, `fish`, `zsh`]],
    [`--shell: the shells of env`, [`aws2fa`, `env`, `login`, `--shell`, ``], [`bash`, `fish`, `sh`, `zsh`]],
    [`options of env logout`, [`aws2fa`, `env`, `logout`, `--`], [`--help`, `--shell`]],
    [`options of status`, [`aws2fa`, `status`, `--`], [`--directory`, `--help`, `--json`, `--name`, `--profile`]],
    [`--profile: profile names`, [`aws2fa`, `status`, `--profile`, `ad`], [`admin`]],
    [`-p: profile names`, [`aws2fa`, `exec`, `-p`, `ad`], [`admin`]],
    [`exec --server: then the profile names`, [`aws2fa`, `exec`, `--server`, ``], PROFILES],
    [`after the profile (CODE): nothing`, [`aws2fa`, `logout`, `prod`, ``], []],
    [`console PROFILE: profile names`, [`aws2fa`, `console`, ``], PROFILES],
    [`options of console`, [`aws2fa`, `console`, `--p`], [`--path`, `--print`, `--profile`]],
    [`the value of console's --path: nothing`, [`aws2fa`, `console`, `--path`, ``], []],
    [`console after --path PAGE: the profile position`, [`aws2fa`, `console`, `--path`, `s3/home`, `ad`], [`admin`]],
    [`rotate PROFILE: profile names`, [`aws2fa`, `rotate`, ``], PROFILES],
    [`options of rotate`, [`aws2fa`, `rotate`, `--`], [`--debug`, `--directory`, `--help`, `--name`, `--profile`, `--region`, `--serial`]],
    [`profiles of the folder --name gives`, [`aws2fa`, `status`, `--name`, `acme`, ``], [`acme-only`]],
    [`after an option value, the profile position again`, [`aws2fa`, `login`, `--duration`, `3600`, `p`], [`prod`]],
  ];
  for (const [what, words, expected] of cases) {
    Completion(`${kind}: ${what}`, () => {
      const { offered, stderr } = complete(shell, words);
      assert.is(stderr, ``);
      const isName = (word: string) => PROFILES.includes(word) || word === `acme-only`;
      assert.equal(offered, sorted(expected.map(word => (isName(word) ? asOffered([word])[0]! : word))));
    });
  }

  Completion(`${kind}: a credentials file that cannot be read as INI: the config's names, no error, no secret`, () => {
    const { offered, stderr } = complete(shell, [`aws2fa`, `login`, ``], files.broken);
    assert.is(stderr, ``);
    assert.equal(offered, asOffered([`admin`, `default`, `dev ops`]));
    assert.not.ok(offered.join(``).includes(`SECRET`));
  });
}

const zsh = availableShells([`zsh`])[0];
if (zsh) {
  Completion(`zsh: compdef registers the completion whether compinit ran before loading the hook or after it`, () => {
    const q = posix.quote;
    const before = `autoload -Uz compinit; compinit -u -D; . ${q(HOOK.sh)}; print -r -- "\${_comps[aws2fa]-none}"`;
    const after = `. ${q(HOOK.sh)}; autoload -Uz compinit; compinit -u -D; print -r -- "\${_comps[aws2fa]-none}"; __aws2fa_precmd; print -r -- "\${_comps[aws2fa]-none}"`;
    for (const [script, expected] of [[before, `__aws2fa_complete_zsh\n`], [after, `none\n__aws2fa_complete_zsh\n`]] as const) {
      const r = runShell(zsh, script, home, env());
      assert.is(r.stderr, ``);
      assert.is(r.stdout, expected);
    }
  });
}

Completion(`the hidden __complete command: not in --help; a bad folder or no files give no names and no error`, () => {
  const run = (args: string[], extra: Record<string, string> = {}) => spawnSync(process.execPath, [BINARY, ...args], { encoding: `utf8`, env: { HOME: home, PATH: `/usr/bin:/bin`, ...extra } });
  const help = run([`--help`]);
  assert.is(help.status, 0);
  assert.not.match(help.stdout, /__complete/);
  for (const [args, extra] of [
    [[`__complete`, `profiles`, `--name`, `../bad`], {}],
    [[`__complete`, `profiles`, `--directory`, join(dir, `nowhere`)], {}],
    [[`__complete`, `profiles`], { AWS_SHARED_CREDENTIALS_FILE: files.broken, AWS_CONFIG_FILE: dir }],
  ] as const) {
    const r = run([...args], extra);
    assert.equal([r.status, r.stdout, r.stderr], [0, ``, ``], args.join(` `));
  }
});

// The hooks' option lists against the CLI's own: a command or option added to one and not the other fails here.
Completion(`the hooks' commands and options per command are the CLI's`, () => {
  const cli = buildCli();
  const fromCli = new Map<string, string[]>();
  for (const definition of cli.definitions()) {
    const path = definition.path.replace(/^aws2fa ?/, ``);
    if (path === `` || path.startsWith(`-`)) continue;
    const names = definition.options.flatMap(option => option.definition.split(` `)[0]!.split(`,`)).filter(name => name.startsWith(`--`));
    fromCli.set(path, sorted([...names, `--help`]));
  }
  // `mfa login` / `mfa logout` are the same commands as login / logout.
  for (const verb of [`login`, `logout`]) {
    if (cli.process([`mfa`, verb, `p`], {} as never).constructor === cli.process([verb, `p`], {} as never).constructor) fromCli.set(`mfa ${verb}`, fromCli.get(verb)!);
  }
  // Commands the hook already knows that other work adds to the CLI; compared as soon as the CLI has them.
  const PENDING = new Set([`exec`, `help`]);
  const hookPaths = [...COMMANDS.filter(word => word !== `env` && word !== `mfa`), `env login`, `env logout`, `mfa login`, `mfa logout`];
  for (const path of fromCli.keys()) assert.ok(hookPaths.includes(path), `the hooks do not know the command ${path}`);
  for (const shell of availableShells([`bash`, `fish`])) {
    const q = shell.kind === `fish` ? fish.quote : posix.quote;
    const script =
      shell.kind === `fish`
        ? `source ${q(HOOK.fish)}; for path in ${hookPaths.map(q).join(` `)}; echo "$path:"(string join ' ' -- (__aws2fa_options (string split ' ' $path))); end`
        : `. ${q(HOOK.sh)}; for path in ${hookPaths.map(q).join(` `)}; do __aws2fa_options "$path"; echo "$path:$__aws2fa_list"; done`;
    const r = runShell(shell, script, home, env());
    assert.is(r.stderr, ``);
    for (const line of r.stdout.trim().split(`\n`)) {
      const [path = ``, list = ``] = line.split(`:`);
      const expected = fromCli.get(path);
      if (!expected) {
        assert.ok(PENDING.has(path), `${shell.kind}: ${path} is not a command of the CLI`);
        continue;
      }
      assert.equal(sorted(list.split(/\s+/).filter(Boolean)), expected, `${shell.kind}: options of ${path}`);
    }
  }
});

Completion.after(() => rmSync(dir, { recursive: true, force: true }));

Completion.run();
