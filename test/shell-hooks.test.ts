import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type EnvSession, renderEnvLogin, renderEnvLogout } from '../src/shell/index.js';
import { availableShells, runShell, type Shell, type ShellResult, tempDir } from './helpers/shells.js';
import { findTool } from './helpers/tools.js';
import { dialect, HOOK } from './helpers/shell-dialect.js';

const dir = tempDir(`aws2fa-hooks-`);
const canary = join(dir, `canary`);
const bin = join(dir, `bin`);
mkdirSync(bin);
// The fake binary: records its argv (one line per call), passes stdin and stderr through, prints
// the file FAKE_OUT and exits FAKE_STATUS.
writeFileSync(
  join(bin, `aws2fa`),
  `#!/bin/sh
{ for a in "$@"; do printf '[%s]' "$a"; done; printf '\\n'; } >> "$FAKE_LOG"
[ -z "\${FAKE_STDIN-}" ] || cat >> "$FAKE_STDIN"
[ -z "\${FAKE_STDERR-}" ] || printf '%s\\n' "$FAKE_STDERR" >&2
[ -z "\${FAKE_OUT-}" ] || cat "$FAKE_OUT"
exit "\${FAKE_STATUS:-0}"
`,
);
chmodSync(join(bin, `aws2fa`), 0o755);

interface Fake {
  out?: string;
  status?: number;
  stderr?: string;
}

// Every script runs under `set -u` (bash) / `setopt nounset` (zsh).
let runs = 0;
function run(shell: Shell, lines: string[], fake: Fake = {}): ShellResult & { calls: string[]; stdin: string | null } {
  const base = join(dir, `run-${++runs}`);
  mkdirSync(`${base}-home`);
  writeFileSync(`${base}.out`, fake.out ?? ``);
  const result = runShell(shell, [dialect(shell).strict, ...lines].join(`\n`), `${base}-home`, {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    FAKE_LOG: `${base}.log`,
    FAKE_OUT: `${base}.out`,
    FAKE_STATUS: String(fake.status ?? 0),
    FAKE_STDERR: fake.stderr ?? ``,
    FAKE_STDIN: `${base}.stdin`,
  });
  const ran = existsSync(canary);
  rmSync(canary, { force: true });
  assert.not.ok(ran, `injected code ran`);
  const read = (file: string) => (existsSync(file) ? readFileSync(file, `utf8`) : null);
  return { ...result, calls: (read(`${base}.log`) ?? ``).split(`\n`).filter(Boolean), stdin: read(`${base}.stdin`) };
}

const SESSION: EnvSession = {
  profile: `it's $(touch ${canary})`,
  accessKeyId: `ASIA\`touch ${canary}\``,
  secretAccessKey: `a\\b'c"d\ne`,
  sessionToken: `token`,
  expiration: new Date(Date.now() + 3 * 3600_000),
};
const now = () => Math.floor(Date.now() / 1000);

const Hooks = suite(`shell hooks`);

for (const shell of availableShells([`bash`, `zsh`, `fish`])) {
  const d = dialect(shell);
  const { kind } = shell;

  Hooks(`${kind}: env login evals the output in the calling shell, with --shell ${kind}`, () => {
    const r = run(shell, [d.load, `aws2fa env login prod 123456`, d.status(`st`), d.show(`AWS2FA_PROFILE`), d.show(`AWS_SECRET_ACCESS_KEY`)], {
      out: renderEnvLogin(kind, SESSION),
    });
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `st=0\nAWS2FA_PROFILE=[${SESSION.profile}]\nAWS_SECRET_ACCESS_KEY=[${SESSION.secretAccessKey}]\n`);
    assert.equal(r.calls, [`[env][login][--shell][${kind}][prod][123456]`]);
  });

  Hooks(`${kind}: env logout evals the output: the session is gone`, () => {
    const r = run(shell, [d.load, renderEnvLogin(kind, SESSION), `aws2fa env logout`, d.status(`st`), d.show(`AWS2FA_PROFILE`), d.show(`AWS_SESSION_TOKEN`)], {
      out: renderEnvLogout(kind),
    });
    assert.is(r.stdout, `st=0\nAWS2FA_PROFILE=unset\nAWS_SESSION_TOKEN=unset\n`);
    assert.equal(r.calls, [`[env][logout][--shell][${kind}]`]);
  });

  Hooks(`${kind}: a failed env login evals nothing and returns the binary's status`, () => {
    const r = run(shell, [d.load, `aws2fa env login prod 123456`, d.status(`st`), d.show(`PWNED`)], {
      out: `${d.set(`PWNED`, `1`)}\ntouch ${d.q(canary)}\n`,
      status: 1,
      stderr: `aws2fa: code rejected`,
    });
    assert.is(r.stdout, `st=1\nPWNED=unset\n`);
    assert.is(r.stderr, `aws2fa: code rejected\n`);
    assert.is(r.calls.length, 1);
  });

  Hooks(`${kind}: status 3 (session set, an ECR registry missed) evals the session and returns 3`, () => {
    const r = run(shell, [d.load, `aws2fa env login prod 123456 --ecr`, d.status(`st`), d.show(`AWS2FA_PROFILE`)], {
      out: renderEnvLogin(kind, SESSION),
      status: 3,
      stderr: `aws2fa: docker login failed for ECR in us-west-2; the MFA session itself stands`,
    });
    assert.is(r.stdout, `st=3\nAWS2FA_PROFILE=[${SESSION.profile}]\n`);
  });

  Hooks(`${kind}: other commands pass stdin, stdout, stderr and the exit status straight through`, () => {
    const r = run(shell, [d.load, `aws2fa status --json`, d.status(`st`), d.show(`PWNED`), `printf 'typed\\n' | aws2fa login prod`, `aws2fa env`, `aws2fa env status`], {
      out: `${d.set(`PWNED`, `1`)}\n`,
      status: 5,
      stderr: `warning`,
    });
    const printed = `${d.set(`PWNED`, `1`)}\n`;
    assert.is(r.stdout, `${printed}st=5\nPWNED=unset\n${printed.repeat(3)}`);
    assert.is(r.stderr, `warning\n`.repeat(4));
    assert.is(r.stdin, `typed\n`);
    assert.equal(r.calls, [`[status][--json]`, `[login][prod]`, `[env]`, `[env][status]`]);
  });

  Hooks(`${kind}: --help, -h and --version only pass through, nothing is evaluated`, () => {
    const r = run(shell, [d.load, `aws2fa env login --help`, `aws2fa env login prod -h`, `aws2fa env logout --version`, d.status(`st`), d.show(`PWNED`)], {
      out: `${d.set(`PWNED`, `1`)}\n`,
    });
    assert.is(r.stdout, `${d.set(`PWNED`, `1`)}\n`.repeat(3) + `st=0\nPWNED=unset\n`);
    assert.equal(r.calls, [`[env][login][--help]`, `[env][login][prod][-h]`, `[env][logout][--version]`]);
  });

  Hooks(`${kind}: loading twice (file and printed text) then calling runs the binary once`, () => {
    const again = kind === `fish` ? `cat ${d.q(HOOK.fish)} | source` : `eval "$(cat ${d.q(HOOK.sh)})"`;
    const r = run(shell, [d.load, again, `aws2fa env login prod 123456`, d.status(`st`), d.show(`AWS2FA_PROFILE`)], { out: renderEnvLogin(kind, SESSION) });
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `st=0\nAWS2FA_PROFILE=[${SESSION.profile}]\n`);
    assert.is(r.calls.length, 1);
  });

  Hooks(`${kind}: under set -u / setopt nounset and with no session: prompt, logout and pass-through raise no error`, () => {
    const r = run(shell, [d.load, `aws2fa_prompt`, d.status(`prompt`), `aws2fa env logout`, d.status(`logout`), `aws2fa status`, d.status(`status`)], {
      out: renderEnvLogout(kind),
    });
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `prompt=0\nlogout=0\n${renderEnvLogout(kind)}status=0\n`);
  });

  const prompts: [string, number | string | null, string][] = [
    [`at least an hour: hours and minutes`, 43_110, `prod 11h58m`],
    [`minutes are two digits after hours`, 3665, `prod 1h01m`],
    [`15 minutes or more: minutes`, 2730, `prod 45m`],
    [`exactly 15 minutes: no marker`, 930, `prod 15m`],
    [`under 15 minutes: the ! marker`, 870, `prod 14m!`],
    [`under a minute`, 30, `prod 0m!`],
    [`past: expired`, -10, `prod expired`],
    [`no session: nothing`, null, ``],
    [`a non-number in AWS2FA_EXPIRES: nothing, never evaluated`, `a[$(touch ${canary})]`, ``],
  ];
  for (const [what, left, expected] of prompts) {
    Hooks(`${kind}: aws2fa_prompt, ${what}${kind === `fish` ? `` : `, with an empty PATH`}`, () => {
      const session = left === null ? [] : [d.set(`AWS2FA_PROFILE`, `prod`), d.set(`AWS2FA_EXPIRES`, typeof left === `number` ? String(now() + left) : left)];
      const r = run(shell, [d.load, ...session, kind === `fish` ? `` : `PATH=`, `aws2fa_prompt`, d.status(`|st`)]);
      assert.is(r.stderr, ``);
      assert.is(r.stdout, `${expected}|st=0\n`);
    });
  }
}

const bash = availableShells([`bash`])[0];
if (bash) {
  Hooks(`bash: aws2fa_prompt without EPOCHSECONDS (bash 4) uses printf %(%s)T`, () => {
    const d = dialect(bash);
    const r = run(bash, [d.load, `unset EPOCHSECONDS`, d.set(`AWS2FA_PROFILE`, `prod`), d.set(`AWS2FA_EXPIRES`, String(now() + 2730)), `PATH=`, `aws2fa_prompt`]);
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `prod 45m`);
  });
}

for (const shell of availableShells([`bash`, `zsh`])) {
  const d = dialect(shell);
  Hooks(`${shell.kind}: aliases named aws2fa, command, eval and builtin do not break loading or calling`, () => {
    const aliases = [`aws2fa`, `command`, `eval`, `builtin`].map(name => `alias ${name}='echo HIJACKED'`);
    const r = run(shell, [shell.kind === `bash` ? `shopt -s expand_aliases` : ``, ...aliases, d.load, `\\aws2fa env login prod 123456`, d.status(`st`), d.show(`AWS2FA_PROFILE`)], {
      out: renderEnvLogin(shell.kind, SESSION),
    });
    assert.is(r.stderr, ``);
    assert.is(r.stdout, `st=0\nAWS2FA_PROFILE=[${SESSION.profile}]\n`);
  });
}

// Names each shell sets or changes by itself, whoever runs what.
const INTERNAL = /^(_|BASH_.*|FUNCNAME|PIPESTATUS|LINENO|RANDOM|SECONDS|status|pipestatus|history|fish_.*|argv|PWD|CMD_DURATION|SHLVL)$/;
const AWS_SESSION = /^(AWS_|AWS2FA_)/;

for (const shell of availableShells([`bash`, `zsh`, `fish`])) {
  const d = dialect(shell);
  Hooks(`${shell.kind}: loading defines the two public functions (helpers named __aws2fa_*) and no variable; calling them leaves only the session`, () => {
    const names = {
      bash: (file: string) => `compgen -v > ${d.q(`${file}.vars`)}; compgen -A function > ${d.q(`${file}.funcs`)}`,
      zsh: (file: string) => `print -rl -- \${(k)parameters} > ${d.q(`${file}.vars`)}; print -rl -- \${(k)functions} > ${d.q(`${file}.funcs`)}`,
      fish: (file: string) => `set --names > ${d.q(`${file}.vars`)}; functions --names --all > ${d.q(`${file}.funcs`)}`,
      sh: () => ``,
    }[shell.kind];
    const at = (stage: string) => join(dir, `names-${shell.kind}-${stage}`);
    const r = run(shell, [names(at(`before`)), d.load, names(at(`loaded`)), `aws2fa env login prod 123456`, `aws2fa_prompt`, `aws2fa status`, names(at(`used`))], {
      out: renderEnvLogin(shell.kind, { ...SESSION, region: `eu-west-1` }),
    });
    assert.is(r.stderr, ``);
    const read = (stage: string, what: string) => new Set(readFileSync(`${at(stage)}.${what}`, `utf8`).split(`\n`).filter(Boolean));
    const added = (from: string, to: string, what: string) => [...read(to, what)].filter(name => !read(from, what).has(name)).sort();
    assert.equal(added(`before`, `loaded`, `vars`).filter(name => !INTERNAL.test(name)), []);
    const functions = added(`before`, `loaded`, `funcs`);
    assert.equal(functions.filter(name => !name.startsWith(`__aws2fa_`)), [`aws2fa`, `aws2fa_prompt`]);
    // zsh/datetime, loaded by the prompt, brings EPOCHSECONDS.
    const leaked = added(`loaded`, `used`, `vars`).filter(name => !INTERNAL.test(name) && !AWS_SESSION.test(name) && name !== `EPOCHSECONDS`);
    assert.equal(leaked, []);
  });
}

Hooks(`shellcheck finds nothing in shell/aws2fa.sh; bash and zsh parse it`, () => {
  for (const [tool, args] of [[`shellcheck`, []], [`bash`, [`-n`]], [`zsh`, [`-n`]]] as const) {
    const path = findTool(tool);
    if (!path) continue;
    const r = spawnSync(path, [...args, HOOK.sh], { encoding: `utf8` });
    assert.is(`${r.stdout}${r.stderr}`, ``, tool);
    assert.is(r.status, 0, tool);
  }
});

Hooks(`fish parses shell/aws2fa.fish`, () => {
  const path = findTool(`fish`);
  if (!path) return;
  const r = spawnSync(path, [`--no-execute`, HOOK.fish], { encoding: `utf8` });
  assert.is(r.stderr, ``);
  assert.is(r.status, 0);
});

Hooks.after(() => rmSync(dir, { recursive: true, force: true }));

Hooks.run();
